package com.getox.crypto.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Generates the bash/zsh completion script (picocli's {@link AutoComplete}) and the man page
 * {@code oxcrypt.1} (roff, from the same command model as {@code --help}) at build time: the build
 * runs {@link #main} before the jar is made, into the jar ({@code META-INF/oxcrypt/}) and beside it
 * ({@code target/oxcrypt_completion}, {@code target/oxcrypt.1}).
 *
 * <pre>{@code
 * java -cp oxcrypt.jar com.getox.crypto.cli.Docs target/classes/META-INF/oxcrypt target
 * source cli/target/oxcrypt_completion      # bash; zsh: autoload -U bashcompinit && bashcompinit first
 * man -l cli/target/oxcrypt.1
 * }</pre>
 */
public final class Docs {
  /** The completion script's file name. */
  public static final String COMPLETION = "oxcrypt_completion";
  /** The man page's file name. */
  public static final String MAN_PAGE = "oxcrypt.1";

  private Docs() {}

  /** Writes both files into each directory given. */
  public static void main(String[] args) throws IOException {
    for (String d : args) {
      Path dir = Files.createDirectories(Path.of(d));
      Files.writeString(dir.resolve(COMPLETION), completion(), StandardCharsets.UTF_8);
      Files.writeString(dir.resolve(MAN_PAGE), manPage(), StandardCharsets.UTF_8);
    }
  }

  static CommandLine commandLine() {
    OxCrypt root = new OxCrypt(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Map.of(), false);
    return OxCrypt.commandLine(root, null);
  }

  /** The bash completion script, which zsh runs too (after {@code bashcompinit}). */
  public static String completion() {
    return AutoComplete.bash("oxcrypt", commandLine());
  }

  /** The man page, in roff (man macros). */
  public static String manPage() {
    CommandLine cl = commandLine();
    CommandSpec spec = cl.getCommandSpec();
    String version = String.join(" ", spec.version().length > 0 ? spec.version()
        : new OxCrypt.Version().getVersion());
    StringBuilder m = new StringBuilder();
    m.append(".TH OXCRYPT 1 \"\" \"").append(roff(version)).append("\" \"User Commands\"\n");
    m.append(".SH NAME\noxcrypt \\- encrypt, decrypt, share and re-wrap audio recordings with Ox Crypto\n");
    command(m, cl, true);
    m.append(".SH \"EXIT STATUS\"\n");
    for (Map.Entry<String, String> e : spec.usageMessage().exitCodeList().entrySet()) {
      m.append(".TP\n.B ").append(roff(e.getKey().trim())).append('\n').append(roff(e.getValue())).append('\n');
    }
    m.append(".SH ENVIRONMENT\n");
    String[][] env = {
      {KeysetOptions.PASSPHRASE_ENV, "The keyset passphrase when --passphrase-file is not given."},
      {"AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE",
          "Credentials for --kek aws-kms://..., as the AWS SDK's default chain reads them."},
      {"GOOGLE_APPLICATION_CREDENTIALS",
          "Application Default Credentials for --kek gcp-kms://..."},
      {"COLUMNS", "The width of progress bars."},
    };
    for (String[] e : env) {
      m.append(".TP\n.B ").append(roff(e[0])).append('\n').append(roff(e[1])).append('\n');
    }
    m.append(".SH \"SEE ALSO\"\nThe README of the ox\\-crypto\\-cli module: every option, with examples.\n");
    return m.toString();
  }

  private static void command(StringBuilder m, CommandLine cl, boolean top) {
    CommandSpec spec = cl.getCommandSpec();
    if (spec.usageMessage().hidden()) {
      return;
    }
    Help help = new Help(spec, Help.defaultColorScheme(Help.Ansi.OFF));
    if (top) {
      m.append(".SH SYNOPSIS\n");
    } else {
      m.append(".SS \"").append(roff(spec.qualifiedName())).append("\"\n");
    }
    m.append(".nf\n").append(roff(help.synopsis(0).stripTrailing())).append("\n.fi\n");
    if (top) {
      m.append(".SH DESCRIPTION\n");
    }
    for (String d : spec.usageMessage().description()) {
      m.append(".PP\n").append(roff(text(d))).append('\n');
    }
    List<PositionalParamSpec> params = spec.positionalParameters();
    List<OptionSpec> options = spec.options();
    if (top) {
      m.append(".SH OPTIONS\n");
    }
    for (PositionalParamSpec p : params) {
      if (!p.hidden()) {
        m.append(".TP\n\\fI").append(roff(p.paramLabel())).append("\\fR\n")
            .append(roff(text(String.join(" ", p.description())))).append('\n');
      }
    }
    for (OptionSpec o : options) {
      if (o.hidden() || (!top && o.inherited())) {
        continue;
      }
      m.append(".TP\n");
      String[] names = o.names();
      for (int i = 0; i < names.length; i++) {
        m.append(i == 0 ? "" : ", ").append("\\fB").append(roff(names[i])).append("\\fR");
      }
      if (o.arity().max() > 0) {
        m.append(" \\fI").append(roff(o.paramLabel())).append("\\fR");
      }
      m.append('\n').append(roff(text(String.join(" ", o.description())))).append('\n');
    }
    String footer = text(spec.usageMessage().footerHeading() + String.join("\n", spec.usageMessage().footer())).strip();
    if (!footer.isEmpty()) {
      m.append(".PP\n.nf\n").append(roff(footer)).append("\n.fi\n");
    }
    if (top) {
      m.append(".SH COMMANDS\n");
    }
    for (CommandLine sub : cl.getSubcommands().values()) {
      if (sub.getCommandSpec().parent() == spec && sub.getCommandName().equals(sub.getCommandSpec().name())) {
        command(m, sub, false);
      }
    }
  }

  /** picocli's format markers and variables, resolved as {@code --help} shows them. */
  private static String text(String s) {
    return s.replace("%n", "\n").replace("%%", "%");
  }

  /** Roff-safe: backslashes and hyphens escaped, no line starts a request. */
  static String roff(String s) {
    StringBuilder b = new StringBuilder();
    for (String line : s.replace("\\", "\\e").replace("-", "\\-").split("\n", -1)) {
      if (b.length() > 0) {
        b.append('\n');
      }
      String l = line.startsWith(".") || line.startsWith("'") ? "\\&" + line : line;
      b.append(l.isEmpty() ? ".sp" : l);
    }
    return b.toString();
  }
}
