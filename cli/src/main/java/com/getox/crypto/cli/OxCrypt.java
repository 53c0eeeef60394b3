package com.getox.crypto.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.getox.crypto.AuditFailedException;
import com.getox.crypto.AuthenticationException;
import com.getox.crypto.ContextMismatchException;
import com.getox.crypto.FormatException;
import com.getox.crypto.HeaderLimitException;
import com.getox.crypto.KmsException;
import com.getox.crypto.NoUsableKeyException;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingCompleteException;
import com.getox.crypto.RecordingFiles;
import com.getox.crypto.Recordings;
import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.audit.AuditWriteException;
import com.getox.crypto.audio.AudioException;
import com.getox.crypto.audio.TimeOutOfRangeException;
import com.getox.crypto.internal.Printable;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code oxcrypt}: the command-line tool over the Ox Crypto SDK. Keys live in a local keyset file
 * ({@code keys create|rotate|list|disable|enable|destroy}) or, for a person recordings are shared
 * with, in an HPKE key pair ({@code keys create-recipient}); {@code encrypt}, {@code decrypt} and
 * {@code inspect} work on recordings, {@code resume} goes on writing one whose writer died; {@code
 * rewrap}, {@code share} and {@code revoke} change only a recording's header; {@code demo} runs the
 * demo.
 *
 * <pre>{@code
 * java -jar cli/target/oxcrypt.jar keys create --keyset keys.json --passphrase-file pass.txt
 * int exit = OxCrypt.run(args, System.in, System.out, System.err, System.getenv());
 * }</pre>
 *
 * <p>Exit codes are the constants below. Every failure prints one line on stderr, never a stack
 * trace. Every message and report line goes through {@link #escape}, so text from a recording's
 * unauthenticated header (context values, KEK URIs, version labels) cannot drive the terminal.
 * The values of {@code --unstored-context} are never printed: {@link #error} and {@link #warn}
 * mask them.
 */
@Command(
    name = "oxcrypt",
    mixinStandardHelpOptions = true,
    versionProvider = OxCrypt.Version.class,
    description =
        "Encrypts and decrypts audio recordings with Ox Crypto: a Cobblestone-256 body (AES-256-GCM, "
            + "16 KiB chunks, key commitment) under an envelope header whose data key is wrapped by "
            + "KEKs in a local keyset file (--keyset) or in AWS KMS or Google Cloud KMS (--kek).",
    footerHeading = "%nKeyset protection:%n",
    footer = {
      "  The passphrase comes from --passphrase-file FILE or the environment variable",
      "  " + KeysetOptions.PASSPHRASE_ENV + " (the key is derived with Argon2id). A plaintext",
      "  keyset is created only with 'keys create --insecure'; every use of one",
      "  prints a warning on stderr.",
      ""
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:unexpected internal error (a bug)",
      "2:usage error: bad arguments or options, missing passphrase",
      "3:integrity failure: tampered, truncated or not a recording; context mismatch",
      "4:no usable key: the keyset or identity cannot unwrap the data key, or cannot be opened",
      "5:I/O error: a file cannot be read or written, or standard output failed",
      "6:other crypto or KMS error",
      "7:decrypt --recover salvaged only a prefix: the recording was cut short",
      "8:resume: the recording was closed normally, nothing can be appended to it",
      "9:decrypt --from/--to: the recording is not audio that can be cut by time (not WAV PCM "
          + "or Ogg Opus, or damaged audio)"
    })
public final class OxCrypt {
  /**
   * The subcommands, by name, in the order of the help. Added by {@link #commandLine}, not by the
   * annotation: picocli reflects over every command it is given, a third of a second at start-up,
   * so a run that names its command gets only that one.
   */
  private static final Object[][] SUBCOMMANDS = {
    {"keys", KeysCommand.class},
    {"encrypt", EncryptCommand.class},
    {"decrypt", DecryptCommand.class},
    {"inspect", InspectCommand.class},
    {"resume", ResumeCommand.class},
    {"rewrap", RewrapCommand.class},
    {"share", ShareCommand.class},
    {"revoke", RevokeCommand.class},
    {"demo", DemoCommand.class},
    {"help", CommandLine.HelpCommand.class},
    {"generate-completion", AutoComplete.GenerateCompletion.class},
  };
  /** Root options that take a value (which is not a command name, whatever it says). */
  private static final List<String> ROOT_OPTIONS_WITH_VALUES = List.of("--audit-log", "--audit-key-file");

  /** Nodes only: an ObjectMapper (a tenth of a second to start) is made only to print --json. */
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  public static final int OK = 0;
  public static final int INTERNAL_ERROR = 1;
  public static final int USAGE = 2;
  public static final int INTEGRITY = 3;
  public static final int NO_USABLE_KEY = 4;
  public static final int IO_ERROR = 5;
  public static final int CRYPTO_ERROR = 6;
  /**
   * {@code decrypt --recover} wrote only the authenticated prefix of a recording that was cut
   * short: a script must not mistake it for the whole recording.
   */
  public static final int RECOVERED_PREFIX = 7;
  /**
   * {@code resume} of a recording that was closed normally: its final chunk authenticates its
   * length, so nothing can follow it. A recorder's restart script starts a new recording then.
   */
  public static final int RECORDING_COMPLETE = 8;
  /**
   * {@code decrypt --from/--to} of a recording whose (authenticated) plaintext is not WAV PCM or
   * Ogg Opus, or is damaged audio: the keys and the recording are fine, the request is not.
   */
  public static final int NOT_SEEKABLE_AUDIO = 9;

  final InputStream stdin;
  final OutputStream stdout;
  final PrintStream stderr;
  final Map<String, String> env;
  /** True if the user is watching a terminal: progress bars are drawn by default then. */
  final boolean interactive;
  /** See {@link #text()}; created on first use. */
  private PrintWriter text;
  /** Values of {@code --unstored-context}: {@link #redact} masks them in every message. */
  private final List<String> secrets = new ArrayList<>();
  /** KMS clients and the audit log, closed when the command ends. */
  private final List<AutoCloseable> toClose = new ArrayList<>();
  /** The size of encrypt's or decrypt's IN if it is a regular file, else -1: see {@link ChunkProvider}. */
  private long inputBytes = -1;
  /** Where key operations are recorded: {@code --audit-log}, or nowhere. */
  private AuditLog audit;

  @Option(names = "--audit-log", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "Append every key operation (wrap, unwrap, rewrap, share, revoke, rotate, "
          + "disable, enable, destroy) to FILE as JSON lines, the SDK's audit events: created "
          + "owner-only (0600). Fail closed: an event that cannot be written stops its key "
          + "operation (no plaintext, no OUT; exit 5).")
  Path auditLog;

  @Option(names = "--json", scope = ScopeType.INHERIT,
      description = "Print one JSON document on stdout instead of text: the command's result, its "
          + "exitCode, ok, and on failure the error (also on stderr). Not with stdout as OUT.")
  boolean json;

  @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT,
      description = "No progress bars (warnings and errors still go to stderr).")
  boolean quiet;

  @Option(names = "--progress", negatable = true, scope = ScopeType.INHERIT,
      description = "Draw progress bars on stderr for encrypt, decrypt, share, rewrap and destroy "
          + "--scan. Default: when run from a terminal and the input is large (never in pipes).")
  Boolean progress;

  /** The --json document of this run, once a command started it. */
  private ObjectNode document;
  /** The last error printed, for the --json document. */
  private String lastError;
  /** The --json document's writer (escaped, like all text). */
  private PrintWriter jsonOut;

  @Option(names = "--audit-key-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "The deployment's audit key (32 bytes as 64 hex digits), which keys the "
          + "contextHmac of each audit event, so that the same context gives the same digest in "
          + "every run and every service of the deployment. Default: a random key per run.")
  Path auditKeyFile;

  OxCrypt(InputStream stdin, OutputStream stdout, PrintStream stderr, Map<String, String> env,
      boolean interactive) {
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = stderr;
    this.env = env;
    this.interactive = interactive;
  }

  public static void main(String[] args) {
    ChunkProvider.preload(args, System.getenv()); // ACCP's load overlaps parsing (large files only)
    OutputStream out = new FileOutputStream(FileDescriptor.out); // raw bytes for decrypt -
    // JDK 17 can only tell whether stdin and stdout are both a terminal (System.console()): take
    // that as "a person is watching stderr". Piping either turns progress bars off by default.
    boolean interactive = System.console() != null;
    System.exit(run(args, System.in, out, System.err, System.getenv(), interactive));
  }

  /**
   * Runs one command line with the given standard streams and environment; returns the exit code.
   * Never closes the streams.
   */
  public static int run(
      String[] args, InputStream stdin, OutputStream stdout, PrintStream stderr, Map<String, String> env) {
    return run(args, stdin, stdout, stderr, env, false);
  }

  static int run(String[] args, InputStream stdin, OutputStream stdout, PrintStream stderr,
      Map<String, String> env, boolean interactive) {
    OxCrypt root = new OxCrypt(Objects.requireNonNull(stdin), Objects.requireNonNull(stdout),
        Objects.requireNonNull(stderr), env, interactive);
    root.neverPrintUnstoredValuesIn(args); // before parsing: a parse error may quote arguments
    CommandLine cl = commandLine(root, commandNamedIn(args));
    cl.registerConverter(Path.class, CliPaths::path);
    // Help and version text: escaped as well, and checked for a failing stdout below.
    PrintWriter help = new PrintWriter(
        new EscapingWriter(new OutputStreamWriter(root.stdoutNonClosing(), StandardCharsets.UTF_8)), true);
    cl.setOut(help);
    cl.setErr(new PrintWriter(
        new EscapingWriter(new OutputStreamWriter(stderr, StandardCharsets.UTF_8)), true));
    cl.setParameterExceptionHandler(
        (e, args1) -> {
          root.error(usageMessage(e));
          return USAGE;
        });
    cl.setExecutionExceptionHandler(
        (e, cmd, parseResult) -> {
          root.error(messageOf(e));
          return exitCodeOf(e);
        });
    cl.setExecutionStrategy(parsed -> {
      root.inputBytes = inputBytesOf(parsed);
      // encrypt's OUT in large blocks (see CliPaths); decrypt already writes whole pages
      CliPaths.inIsAFile(root.inputBytes >= 0 && "encrypt".equals(leafOf(parsed).commandSpec().name()));
      try {
        return new CommandLine.RunLast().execute(parsed);
      } finally {
        CliPaths.inIsAFile(false);
      }
    });
    int code = cl.execute(args);
    code = root.closeAll(code);
    root.printDocument(code);
    // PrintWriters swallow write errors: a closed stdout must not look like success.
    boolean stdoutFailed = help.checkError() || (root.text != null && root.text.checkError())
        || (root.jsonOut != null && root.jsonOut.checkError());
    try {
      stdout.flush();
    } catch (IOException e) {
      stdoutFailed = true;
    }
    if (stdoutFailed && (code == OK || code == RECOVERED_PREFIX)) {
      root.error("I/O error: cannot write to standard output");
      code = IO_ERROR;
    }
    stderr.flush();
    return code;
  }

  /**
   * The command line of {@code root} with the subcommand {@code only}, or with all of them if
   * {@code only} is null (help, completion, the man page, an unknown command and its suggestions).
   */
  static CommandLine commandLine(OxCrypt root, String only) {
    CommandLine cl = new CommandLine(root);
    for (Object[] sub : SUBCOMMANDS) {
      if (only == null || only.equals(sub[0])) {
        cl.addSubcommand((String) sub[0], sub[1]);
      }
    }
    return cl;
  }

  /**
   * The subcommand {@code args} name, skipping the root's options; null for none, for an unknown
   * one, for {@code help} and {@code generate-completion} (which need them all), and when picocli
   * would read arguments from a file ({@code @FILE}) or the options end ({@code --}).
   */
  static String commandNamedIn(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (ROOT_OPTIONS_WITH_VALUES.contains(a)) {
        i++; // its value
      } else if (a.equals("--") || a.startsWith("@")) {
        return null;
      } else if (!a.startsWith("-")) {
        for (Object[] sub : SUBCOMMANDS) {
          if (a.equals(sub[0]) && !a.equals("help") && !a.equals("generate-completion")) {
            return a;
          }
        }
        return null;
      }
    }
    return null;
  }

  /** The command that runs: the last subcommand parsed. */
  private static CommandLine.ParseResult leafOf(CommandLine.ParseResult parsed) {
    CommandLine.ParseResult p = parsed;
    while (p.hasSubcommand()) {
      p = p.subcommand();
    }
    return p;
  }

  /** The size of encrypt's or decrypt's IN (its first parameter) if a regular file, else -1. */
  private static long inputBytesOf(CommandLine.ParseResult parsed) {
    CommandLine.ParseResult p = leafOf(parsed);
    String name = p.commandSpec().name();
    if (!name.equals("encrypt") && !name.equals("decrypt")) {
      return -1;
    }
    try {
      Object in = p.matchedPositional(0) == null ? null : p.matchedPositional(0).getValue();
      Path file = in instanceof String && !in.equals("-") ? Path.of((String) in) : null;
      return file != null && Files.isRegularFile(file) ? Files.size(file) : -1;
    } catch (IOException | RuntimeException e) {
      return -1; // the command reports what is wrong with IN
    }
  }

  /**
   * A {@link Recordings} builder that reports to the {@linkplain #audit() audit sink}: every
   * command builds its Recordings here.
   */
  Recordings.Builder recordings() throws IOException, CliException {
    Recordings.Builder b = Recordings.builder().auditSink(audit());
    ChunkProvider chunks = ChunkProvider.of(env, inputBytes);
    String warning = chunks.warning(); // asks the JVM's flags only if ACCP did not load
    if (warning != null) {
      warn(warning);
    }
    // ACCP where it loads: see ChunkProvider
    return chunks.provider() == null ? b : b.cipherProvider(chunks.provider());
  }

  /**
   * The audit sink of this run: {@code --audit-log FILE} (opened on first use, before any key
   * operation), or none. The CLI binds no SLF4J logger (slf4j-nop), so the SDK's default sink
   * would write nowhere; the file is the CLI's audit trail.
   */
  AuditSink audit() throws IOException, CliException {
    if (auditLog == null) {
      return AuditSink.none();
    }
    if (audit == null) {
      if (auditKeyFile != null) {
        AuditLog.useDeploymentKey(auditKeyFile);
      }
      audit = AuditLog.open(auditLog);
      toClose.add(audit);
    }
    return audit;
  }

  /** Closes {@code c} when the command ends (KMS clients). */
  void closeAtEnd(AutoCloseable c) {
    toClose.add(c);
  }

  /** Closes what {@link #closeAtEnd} collected; a failed audit log write turns success into exit 5. */
  private int closeAll(int code) {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      try {
        toClose.get(i).close();
      } catch (Exception e) {
        // a KMS client that fails to close changes nothing the command did
      }
    }
    toClose.clear();
    if (audit != null && audit.failure() != null && (code == OK || code == RECOVERED_PREFIX)) {
      error("I/O error: " + audit.failure());
      return IO_ERROR;
    }
    return code;
  }

  /**
   * Prints {@code oxcrypt: message} on stderr, on one line, {@linkplain #escape escaped}: the one
   * place where errors are printed.
   */
  void error(String message) {
    lastError = redact(oneLine(message));
    stderr.println("oxcrypt: " + escape(lastError));
  }

  /**
   * Starts this run's {@code --json} document: {@code {"command": name, ...}}; the command adds
   * its fields, and {@link #run} adds exitCode, ok and error at the end. Commands fill it whether
   * or not --json was given (it is printed only then).
   */
  ObjectNode json(String command) {
    document = JSON.objectNode();
    document.put("command", command);
    return document;
  }

  /** Inputs from this size on get a progress bar (when run from a terminal). */
  static final long PROGRESS_MIN_BYTES = 64L << 20;

  /**
   * Whether to draw a progress bar: never with --quiet or --no-progress; always with --progress;
   * otherwise when a person is watching a terminal ({@link #interactive}: stdin and stdout are one,
   * so never in a pipe) and the input is {@code large}.
   */
  boolean wantsProgress(boolean large) {
    if (quiet) {
      return false;
    }
    if (progress != null) {
      return progress;
    }
    return interactive && large;
  }

  /**
   * {@code in}, counting the bytes read, with a bar named {@code task} if {@link #wantsProgress}
   * ({@code totalBytes} -1 if unknown, as for stdin: no bar unless forced).
   */
  Progress.Meter meter(String task, InputStream in, long totalBytes) {
    boolean bar = wantsProgress(totalBytes >= PROGRESS_MIN_BYTES);
    return new Progress.Meter(in, bar ? Progress.start(stderr, env, task, "B") : null, totalBytes);
  }

  /**
   * A bar named {@code task} for a header edit's copy of {@code file}'s body if {@link
   * #wantsProgress} (a file of 64 MiB or more), its total the body's length; or null. Feed it with
   * {@code copied -> bar.update(copied, -1)}.
   */
  Progress bodyCopyBar(String task, Path file, ReadOptions options)
      throws IOException, GeneralSecurityException {
    long fileBytes = Files.size(file);
    if (!wantsProgress(fileBytes >= PROGRESS_MIN_BYTES)) {
      return null;
    }
    long headerBytes = RecordingFiles.readHeader(file.toFile(), options).toByteArray().length;
    Progress bar = Progress.start(stderr, env, task, "B");
    bar.update(0, fileBytes - headerBytes);
    return bar;
  }

  /** This run's document, started by {@link #json} (or started here, unnamed). */
  ObjectNode document() {
    return document != null ? document : json(null);
  }

  /** With --json: stdout carries the document, so it cannot also carry a recording or plaintext. */
  void checkStdoutFree(String out) throws CliException {
    if (json && "-".equals(out)) {
      throw new CliException(USAGE, "--json prints a JSON document on stdout: OUT cannot be '-' then");
    }
  }

  /** With --json, prints the document (or, if no command started one, just the outcome). */
  private void printDocument(int code) {
    if (!json || (document == null && lastError == null)) {
      return; // --help or --version: their text is the output
    }
    ObjectNode d = document != null ? document : JSON.objectNode();
    d.put("exitCode", code);
    d.put("ok", code == OK);
    if (lastError != null) {
      d.put("error", lastError);
    }
    jsonOut = new PrintWriter(new EscapingWriter(new OutputStreamWriter(stdoutNonClosing(), StandardCharsets.UTF_8)), false);
    try {
      jsonOut.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(d));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    jsonOut.flush();
  }

  /** Prints {@code oxcrypt: warning: message} on stderr, like {@link #error}. */
  void warn(String message) {
    stderr.println("oxcrypt: warning: " + escape(redact(oneLine(message))));
  }

  /**
   * Marks {@code value} (an unstored context value) as never to be printed: {@link #redact}. Its
   * {@linkplain #escape escaped} form too, which an SDK message may hold instead.
   */
  void neverPrint(String value) {
    for (String v : new String[] {value, escape(value)}) {
      if (!v.isEmpty() && !secrets.contains(v)) {
        secrets.add(v);
      }
    }
    secrets.sort(Comparator.comparingInt(String::length).reversed()); // longest first
  }

  /**
   * {@code message} with every occurrence of an {@code --unstored-context} value replaced by
   * {@code ***}. Errors from the SDK may quote an expected value (say, for an entry that the
   * recording stores with another value); whatever says it, the value is not printed.
   */
  String redact(String message) {
    String m = message;
    for (String s : secrets) {
      m = m.replace(s, "***");
    }
    return m;
  }

  /**
   * The values of {@code --unstored-context KEY=VALUE} and {@code --unstored-context=KEY=VALUE}
   * in the raw arguments, for {@link #neverPrint}; an argument without '=' is masked whole.
   */
  private void neverPrintUnstoredValuesIn(String[] args) {
    String option = UnstoredContextOptions.OPTION;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String kv = null;
      if (a.equals(option) && i + 1 < args.length) {
        kv = args[++i];
      } else if (a.startsWith(option + "=")) {
        kv = a.substring(option.length() + 1);
      }
      if (kv != null) {
        int eq = kv.indexOf('=');
        neverPrint(eq < 0 ? kv : kv.substring(eq + 1));
      }
    }
  }

  /**
   * Text for the user on stdout (reports, listings, JSON), escaped like the messages on stderr.
   * {@link #run} checks it for write errors. Not for plaintext or recordings: those are bytes.
   */
  PrintWriter text() {
    if (text == null && json) {
      text = new PrintWriter(java.io.Writer.nullWriter()); // the --json document replaces the text
    }
    if (text == null) {
      text = new PrintWriter(
          new EscapingWriter(new OutputStreamWriter(stdoutNonClosing(), StandardCharsets.UTF_8)), false);
    }
    return text;
  }

  /**
   * The one escaping function for everything the CLI prints: control characters (C0, DEL, C1),
   * invisible format characters (such as bidirectional overrides) and line or paragraph separators
   * become {@code \n}, {@code \r}, {@code \t} or backslash-u and four hex digits, so a string from an
   * unauthenticated header or a file name cannot move the cursor, retitle the window or hide text.
   * Newlines are escaped too unless {@code keepNewlines}.
   */
  static String escape(CharSequence s, boolean keepNewlines) {
    return Printable.escape(s, keepNewlines);
  }

  /** {@link #escape(CharSequence, boolean)} of a one-line message: newlines escaped too. */
  static String escape(CharSequence s) {
    return Printable.escape(s, false);
  }

  /** A Writer that {@linkplain #escape escapes} what passes through, keeping newlines. */
  private static final class EscapingWriter extends java.io.FilterWriter {
    private char pendingHigh; // a high surrogate whose low half is in the next write

    EscapingWriter(java.io.Writer out) {
      super(out);
    }

    @Override
    public void write(int c) throws IOException {
      write(new char[] {(char) c}, 0, 1);
    }

    @Override
    public void write(String str, int off, int len) throws IOException {
      write(str.toCharArray(), off, len);
    }

    @Override
    public void write(char[] cbuf, int off, int len) throws IOException {
      StringBuilder sb = new StringBuilder(len + 1);
      if (pendingHigh != 0) {
        sb.append(pendingHigh);
        pendingHigh = 0;
      }
      sb.append(cbuf, off, len);
      if (sb.length() > 0 && Character.isHighSurrogate(sb.charAt(sb.length() - 1))) {
        pendingHigh = sb.charAt(sb.length() - 1);
        sb.setLength(sb.length() - 1);
      }
      out.write(escape(sb, true));
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      if (pendingHigh != 0) {
        out.write(escape(String.valueOf(pendingHigh), true));
        pendingHigh = 0;
      }
      out.close();
    }
  }

  /** Standard output, which commands may write to but must not close. */
  OutputStream stdoutNonClosing() {
    return new FilterOutputStream(stdout) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        flush();
      }
    };
  }

  /** Standard input, which commands may read but must not close. */
  InputStream stdinNonClosing() {
    return new java.io.FilterInputStream(stdin) {
      @Override
      public void close() {}
    };
  }

  /**
   * One line for a command line picocli could not parse: a mistyped command or option gets "did
   * you mean" with picocli's suggestions (the closest names), and picocli's "option option" is
   * said once.
   */
  static String usageMessage(CommandLine.ParameterException e) {
    String m = oneLine(e.getMessage()).replace("option option", "option");
    if (e instanceof CommandLine.UnmatchedArgumentException) {
      CommandLine.UnmatchedArgumentException u = (CommandLine.UnmatchedArgumentException) e;
      List<String> unmatched = u.getUnmatched();
      List<String> suggestions = u.getSuggestions();
      if (!unmatched.isEmpty()) {
        String what = unmatched.get(0);
        String kind = what.startsWith("-") ? "option" : u.getCommandLine().getSubcommands().isEmpty()
            ? "argument" : "command";
        m = "unknown " + kind + " '" + what + "'";
        CommandLine at = u.getCommandLine();
        for (String s : suggestions) { // the closest first; hidden commands are not suggested
          CommandLine sub = at.getSubcommands().get(s);
          if (sub == null || !sub.getCommandSpec().usageMessage().hidden()) {
            m += ": did you mean " + s + "?";
            break;
          }
        }
      }
    }
    String cmd = e.getCommandLine().getCommandSpec().qualifiedName();
    return m + " (see '" + (cmd.equals("oxcrypt") ? "oxcrypt help" : cmd + " --help") + "')";
  }

  static int exitCodeOf(Throwable e) {
    Throwable t = unwrap(e);
    if (t instanceof CliException) {
      return ((CliException) t).exitCode();
    }
    if (isFailedAuthentication(t)) {
      return INTEGRITY;
    }
    return exitCodeOfClass(t.getClass());
  }

  /**
   * "No usable key" where every KEK that recognised a wrapped key failed to authenticate it: the
   * header (its context, or the wrapped key) was tampered with, an integrity failure. A KEK that
   * did not recognise the key leaves no cause; a disabled, destroyed or unknown version does.
   */
  private static boolean isFailedAuthentication(Throwable t) {
    if (!(t instanceof NoUsableKeyException)) {
      return false;
    }
    java.util.List<Exception> causes = ((NoUsableKeyException) t).causes();
    if (causes.isEmpty()) {
      return false;
    }
    for (Exception c : causes) {
      if (!(c instanceof AuthenticationException)) {
        return false;
      }
    }
    return true;
  }

  private static int exitCodeOfClass(Class<?> c) {
    if (AuditFailedException.class.isAssignableFrom(c) || AuditWriteException.class.isAssignableFrom(c)) {
      return IO_ERROR; // --audit-log cannot be written: the key operation was stopped
    }
    if (FileAlreadyExistsException.class.isAssignableFrom(c)) {
      return USAGE; // as 'keys create' on an existing file: also for the loser of a race
    }
    if (HeaderLimitException.class.isAssignableFrom(c)) {
      return USAGE; // the request is too big for a header, nothing is wrong with the data
    }
    if (TimeOutOfRangeException.class.isAssignableFrom(c)) {
      return USAGE; // the times do not fit the recording
    }
    if (AudioException.class.isAssignableFrom(c)) {
      return NOT_SEEKABLE_AUDIO;
    }
    if (RecordingCompleteException.class.isAssignableFrom(c)) {
      return RECORDING_COMPLETE; // nothing is wrong either: the recording is whole
    }
    if (ContextMismatchException.class.isAssignableFrom(c)
        || AuthenticationException.class.isAssignableFrom(c)
        || FormatException.class.isAssignableFrom(c)) {
      return INTEGRITY;
    }
    if (NoUsableKeyException.class.isAssignableFrom(c)) {
      return NO_USABLE_KEY;
    }
    if (GeneralSecurityException.class.isAssignableFrom(c)) {
      return CRYPTO_ERROR;
    }
    if (IOException.class.isAssignableFrom(c) || UncheckedIOException.class.isAssignableFrom(c)) {
      return IO_ERROR;
    }
    if (IllegalArgumentException.class.isAssignableFrom(c)) {
      return USAGE;
    }
    return INTERNAL_ERROR;
  }

  static String messageOf(Throwable e) {
    Throwable t = unwrap(e);
    String m = String.valueOf(t.getMessage());
    String text;
    if (t instanceof CliException) {
      text = m;
    } else if (t instanceof AuditFailedException || t instanceof AuditWriteException) {
      AuditWriteException w = t instanceof AuditWriteException ? (AuditWriteException) t
          : (AuditWriteException) t.getCause();
      text = "I/O error: " + w.getMessage();
    } else if (t instanceof HeaderLimitException) {
      text = "header limit: " + m;
    } else if (t instanceof TimeOutOfRangeException) {
      text = m;
    } else if (t instanceof AudioException) {
      text = "audio: " + m;
    } else if (t instanceof RecordingCompleteException) {
      text = "cannot resume: " + m;
    } else if (t instanceof ContextMismatchException) {
      // The SDK names its API; the CLI user needs the option.
      text = "context mismatch: " + m.replaceAll(
          "supply its value with ReadOptions\\.builder\\(\\)\\.expect\\(\"(.*)\", value\\)",
          "give its value with " + UnstoredContextOptions.OPTION + " $1=VALUE");
    } else if (t instanceof AuthenticationException || t instanceof FormatException) {
      // An unclosed recording's message points to the SDK's recover; the CLI's is decrypt --recover.
      text = "integrity failure: " + m.replace("Recordings.recover", "'decrypt --recover'");
    } else if (isFailedAuthentication(t)) {
      text = "integrity failure: the wrapped data key failed authentication (tampered header or "
          + "encryption context): " + m;
    } else if (t instanceof NoUsableKeyException) {
      text = "no usable key: " + m;
    } else if (t instanceof KmsException) {
      text = "KMS error: " + m;
    } else if (t instanceof GeneralSecurityException) {
      text = "crypto error: " + m;
    } else if (t instanceof NoSuchFileException) {
      String file = ((FileSystemException) t).getFile();
      String dir = missingDirectoryOf(file);
      // "no such file: recordings/talk.oxr" sent users looking for the wrong thing.
      text = dir != null ? "no such directory: " + dir + " (for " + file + "; create it first)"
          : "no such file: " + file;
    } else if (t instanceof AccessDeniedException) {
      text = "permission denied: " + ((FileSystemException) t).getFile();
    } else if (t instanceof FileAlreadyExistsException) {
      text = "file already exists: " + ((FileSystemException) t).getFile();
    } else if (t instanceof IOException) {
      text = "I/O error: " + m;
    } else if (t instanceof IllegalArgumentException) {
      text = m;
    } else {
      text = "internal error: " + t.getClass().getName() + ": " + m;
    }
    return oneLine(text);
  }

  /** The directory {@code file} names that does not exist, or null if it exists (or is unknown). */
  static String missingDirectoryOf(String file) {
    if (file == null) {
      return null;
    }
    try {
      Path parent = Path.of(file).getParent();
      return parent != null && !java.nio.file.Files.isDirectory(parent) ? parent.toString() : null;
    } catch (java.nio.file.InvalidPathException e) {
      return null;
    }
  }

  /** The SDK's stream adapters wrap its checked errors in IOExceptions; report the real one. */
  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    for (int i = 0; i < 8; i++) {
      Throwable c = t.getCause();
      boolean wrapper =
          t instanceof UncheckedIOException
              || (t instanceof IOException && c instanceof GeneralSecurityException);
      if (!wrapper || c == null) {
        break;
      }
      t = c;
    }
    return t;
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").trim();
  }

  /** The version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public String[] getVersion() {
      String v = OxCrypt.class.getPackage().getImplementationVersion();
      Object root = spec == null ? null : spec.root().userObject();
      Map<String, String> env = root instanceof OxCrypt ? ((OxCrypt) root).env : System.getenv();
      return new String[] {
        "oxcrypt " + (v == null ? "(development build)" : v),
        "chunk cipher: " + ChunkProvider.of(env).description(),
        "jit: " + ChunkProvider.jit()
      };
    }
  }
}
