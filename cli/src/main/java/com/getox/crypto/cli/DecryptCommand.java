package com.getox.crypto.cli;

import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingInputStream;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.getox.crypto.Recordings;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.RecoveryReport;
import com.getox.crypto.SeekableRecording;
import com.getox.crypto.TruncationException;
import com.getox.crypto.audio.AudioFormat;
import com.getox.crypto.audio.AudioRecording;
import com.getox.crypto.hpke.HpkeRecipient;
import com.getox.crypto.internal.AtomicFile;
import com.getox.crypto.internal.Streams;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code oxcrypt decrypt}: sequentially, by random access, or in recovery mode. A file OUT is
 * written through an owner-only temporary file beside it and replaced only on success, so a
 * failure leaves OUT as it was; a FIFO, a device or a symlink's target is written through; stdout
 * receives each chunk once it has authenticated.
 */
@Command(
    name = "decrypt",
    mixinStandardHelpOptions = true,
    description = {
      "Decrypt the recording IN ('-' for stdin) into OUT ('-' for stdout).",
      "The expected context and the key commitment are checked before any chunk, and every chunk "
          + "is authenticated before its bytes are written. A file OUT is owner-only (it holds "
          + "plaintext) and is replaced only once all of IN decrypted, from a temporary file "
          + "beside it: on a failure OUT is left as it was. A FIFO or device OUT is written "
          + "through, and a symlink's target is written, the link kept.",
      "A whole regular file IN is decrypted on several threads (" + ThreadsOption.OPTION + "), "
          + "each chunk still authenticated before it is written, in order.",
      "With " + DetachedHeaderOptions.OPTION + " H.oxh, IN is the body alone and H.oxh its header "
          + "(from 'encrypt " + DetachedHeaderOptions.OPTION + "'); --offset/--length, --from/--to "
          + "and --recover work the same. A body that is not H.oxh's fails with exit 3 before any "
          + "output."
    },
    footer = {
      "%nExamples:",
      "  oxcrypt decrypt --keyset keys.json --expect user-id=u-7 talk.oxr talk.pcm",
      "  oxcrypt decrypt --keyset keys.json --offset 320000 --length 32000 talk.oxr -",
      "  oxcrypt decrypt --keyset keys.json --from 1:23 --to 1:53 talk.oxr clip.wav",
      "  oxcrypt decrypt --keyset keys.json --recover crashed.oxr salvaged.pcm",
      "  oxcrypt decrypt --identity alice.key shared.oxr shared.pcm",
      "  oxcrypt decrypt --keyset keys.json --unstored-context user-id=u-7 a.oxr a.pcm",
      "  oxcrypt decrypt --keyset keys.json --detached-header talk.oxh talk.body talk.pcm",
      ""
    })
final class DecryptCommand implements Callable<Integer> {
  private static final int BUFFER_BYTES = 64 * 1024;

  @ParentCommand OxCrypt root;

  // Not the KeysetOptions mixin: here --keyset is optional, since --identity can replace it.
  @Option(names = "--keyset", paramLabel = "FILE",
      description = "The keyset file. At least one of --keyset and --identity is needed.")
  Path keysetFile;

  @Option(names = "--passphrase-file", paramLabel = "FILE",
      description = "File holding the keyset passphrase (one trailing newline is ignored). "
          + "Default: the environment variable " + KeysetOptions.PASSPHRASE_ENV + ".")
  Path passphraseFile;

  @Option(names = "--identity", paramLabel = "NAME.key",
      description = "A recipient's private key from 'keys create-recipient': opens recordings "
          + "shared with it ('share --to-public-key NAME.pub'). With --keyset, either may open IN.")
  Path identity;

  @Option(names = "--expect", paramLabel = "KEY=VALUE",
      description = "Require this encryption context entry (exit 3 otherwise, before any output). "
          + "Repeatable, each KEY once.")
  List<String> expect = new ArrayList<>();

  @Mixin UnstoredContextOptions unstored;
  @Mixin KekOptions cloud;

  @Option(names = "--offset", paramLabel = "N",
      description = "Random access: start at plaintext byte N (default 0). Needs a file IN.")
  Long offset;

  @Option(names = "--length", paramLabel = "M",
      description = "Random access: at most M bytes (default: to the end). Needs a file IN.")
  Long length;

  @Option(names = "--from", paramLabel = "TIME", converter = AudioTimes.class,
      description = "Audio clip: start at TIME (83, 1:23 or 1:23.250) of a WAV or Ogg Opus "
          + "recording and write a playable file of the same kind (a fresh WAV header; Ogg Opus "
          + "headers and pages with the 80 ms pre-roll a decoder needs). Reads only the chunks the "
          + "clip needs. Needs a file IN. Exit " + OxCrypt.NOT_SEEKABLE_AUDIO + " if IN is not "
          + "such audio.")
  Long fromMicros;

  @Option(names = "--to", paramLabel = "TIME", converter = AudioTimes.class,
      description = "Audio clip: end at TIME (default: the end; a later time is cut at the end).")
  Long toMicros;

  @Option(names = "--recover",
      description = "Salvage a recording whose writer died before closing it: write every "
          + "authenticated complete chunk, then the bytes of the last chunk that it had flushed "
          + "(encrypt --flush-every). Exit 0 if the recording was complete, exit "
          + OxCrypt.RECOVERED_PREFIX + " with a warning saying how many bytes (and of them, how "
          + "many flushed) if it was cut short and OUT holds only a prefix; 'resume' goes on "
          + "writing such a recording.")
  boolean recover;

  @Option(names = DetachedHeaderOptions.OPTION, paramLabel = "H.oxh",
      description = "The header, stored apart from the body (from 'encrypt "
          + DetachedHeaderOptions.OPTION + "'): IN is then the body alone.")
  Path detachedHeader;

  @Mixin ThreadsOption threads;

  @Parameters(index = "0", paramLabel = "IN", converter = CliPaths.NotEmpty.class,
      description = "The recording (or its body, with " + DetachedHeaderOptions.OPTION
          + "), or '-' for stdin.")
  String in;

  @Parameters(index = "1", paramLabel = "OUT", converter = CliPaths.NotEmpty.class, description = "The plaintext file, or '-' for stdout.")
  String out;

  @Override
  public Integer call() throws Exception {
    boolean random = offset != null || length != null;
    boolean clip = fromMicros != null || toMicros != null;
    if (clip && (random || recover)) {
      throw new CliException(OxCrypt.USAGE, "--from/--to cannot be combined with "
          + (recover ? "--recover" : "--offset/--length"));
    }
    if (clip && "-".equals(in)) {
      throw new CliException(OxCrypt.USAGE, "--from/--to need a file IN, not stdin");
    }
    if (random && recover) {
      throw new CliException(OxCrypt.USAGE, "--recover cannot be combined with --offset/--length");
    }
    if (random && "-".equals(in)) {
      throw new CliException(OxCrypt.USAGE, "--offset/--length need a file IN, not stdin");
    }
    if ((offset != null && offset < 0) || (length != null && length < 0)) {
      throw new CliException(OxCrypt.USAGE, "--offset and --length must not be negative");
    }
    CliPaths.checkDistinct(in, out);
    ObjectNode j = root.json("decrypt").put("in", in).put("out", out);
    root.checkStdoutFree(out);
    ReadOptions.Builder options = ReadOptions.builder();
    if (detachedHeader != null) {
      CliPaths.checkDistinct(detachedHeader.toString(), out);
      options.detachedHeader(DetachedHeaderOptions.read(detachedHeader, ReadOptions.defaults()));
      j.put("detachedHeader", detachedHeader.toString());
    }
    Map<String, String> expected = CliPaths.keyValues("--expect", expect);
    expected.forEach(options::expect);
    ReadOptions readOptions = unstored.addTo(root, options, expected).build();
    // A whole regular file IN is opened on several threads; stdin streams, chunk by chunk.
    boolean parallel = threads.applies(in, clip ? "--from/--to" : random ? "--offset/--length"
        : recover ? "--recover" : null);
    if (keysetFile == null && identity == null && cloud.keks.isEmpty()) {
      throw new CliException(OxCrypt.USAGE, "give --keyset FILE, --kek URI or --identity NAME.key");
    }
    Recordings recordings = recordings(root, keysetFile, passphraseFile, identity, cloud);

    try {
      if (clip) {
        try (FileChannel channel = FileChannel.open(Path.of(in), StandardOpenOption.READ);
            SeekableRecording rec = recordings.openSeekable(channel, readOptions)) {
          AudioRecording audio = AudioRecording.open(rec);
          checkExtension(out, audio.format());
          long from = fromMicros == null ? 0 : fromMicros;
          // Times are checked here, before OUT is touched.
          long to = Math.min(toMicros == null ? Long.MAX_VALUE : toMicros, audio.durationMicros());
          InputStream clipStream = audio.openClip(from, to);
          long[] n = {0};
          deliver(sink -> {
            try (InputStream c = clipStream) {
              n[0] = copy(c, sink);
            }
          });
          j.put("format", audio.format().toString()).put("fromMicros", from).put("toMicros", to)
              .put("clipBytes", n[0]);
        }
        return OxCrypt.OK;
      }
      if (random) {
        try (FileChannel channel = FileChannel.open(Path.of(in), StandardOpenOption.READ);
            SeekableRecording rec = recordings.openSeekable(channel, readOptions)) {
          long[] n = {0};
          deliver(sink -> n[0] = copyRange(rec, offset == null ? 0 : offset, length == null ? Long.MAX_VALUE : length, sink));
          j.put("offset", offset == null ? 0 : offset).put("plaintextBytes", n[0]);
        }
        return OxCrypt.OK;
      }
      try (InputStream src = root.meter("decrypt", "-".equals(in) ? root.stdinNonClosing()
          : Files.newInputStream(Path.of(in)), "-".equals(in) ? -1 : Files.size(Path.of(in)))) {
        if (recover) {
          RecoveryReport[] report = new RecoveryReport[1];
          deliver(sink -> report[0] = recordings.recover(src, sink, readOptions));
          j.put("plaintextBytes", report[0].plaintextBytes()).put("complete", !report[0].truncated())
              .put("chunks", report[0].chunks()).put("flushedBytes", report[0].flushedBytes());
          if (report[0].truncated()) {
            root.warn(summary(in, report[0]));
            return OxCrypt.RECOVERED_PREFIX;
          }
          return OxCrypt.OK;
        }
        if (parallel) {
          // The same checks, then every chunk authenticated before it is written, in order; a
          // file OUT is replaced only on success, as below. Failures are thrown as they are.
          long[] n = {0};
          deliver(sink -> n[0] = recordings.decrypt(Streams.readableChannel(src),
              Streams.writableChannel(sink), readOptions, threads.parallelism()));
          j.put("plaintextBytes", n[0]);
          return OxCrypt.OK;
        }
        // Header, context, data key and commitment are checked here, before OUT is touched.
        try (RecordingInputStream rin = recordings.newInputStream(src, readOptions)) {
          long[] n = {0};
          deliver(sink -> n[0] = copy(rin, sink));
          j.put("plaintextBytes", n[0]);
        }
      }
      return OxCrypt.OK;
    } catch (IOException | GeneralSecurityException e) {
      if (detachedHeader == null && !"-".equals(in) && causedBy(e, TruncationException.class)
          && DetachedHeaderOptions.holdsHeaderAlone(Path.of(in))) {
        // Not "ends before its body": the user gave the header file where the recording goes.
        throw new CliException(OxCrypt.INTEGRITY, in + " holds a header alone (a detached header "
            + "from 'encrypt " + DetachedHeaderOptions.OPTION + "'), not a recording: decrypt "
            + DetachedHeaderOptions.OPTION + " " + in + " BODY OUT");
      }
      throw e;
    }
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The one-line warning of a recovery that salvaged only a prefix: how many bytes, how many of
   * them came from the writer's flushes (the last, unsealed chunk), and the exit code.
   */
  static String summary(String in, RecoveryReport r) {
    return in + " was cut short: recovered only a prefix, " + r.plaintextBytes() + " bytes: "
        + r.chunks() + " authenticated complete chunk" + (r.chunks() == 1 ? "" : "s") + " and "
        + r.flushedBytes() + " flushed byte" + (r.flushedBytes() == 1 ? "" : "s")
        + " of the unsealed chunk after them (exit " + OxCrypt.RECOVERED_PREFIX + ")";
  }

  /**
   * The unwrapping side of {@code --keyset}/{@code --passphrase-file} and {@code --identity}: the
   * keyset's KEKs and the recipient key, either of which may open a recording.
   */
  static Recordings recordings(
      OxCrypt root, Path keysetFile, Path passphraseFile, Path identity, KekOptions cloud)
      throws Exception {
    if (passphraseFile != null && keysetFile == null) {
      throw new CliException(OxCrypt.USAGE, "--passphrase-file goes with --keyset");
    }
    Recordings.Builder keys = root.recordings();
    if (identity != null) {
      keys.unwrapWith(readIdentity(root, identity));
    }
    if (keysetFile != null) {
      keys.unwrapWith(KeysetOptions.of(keysetFile, passphraseFile).open(root));
    }
    keys.unwrapWith(cloud.open(root).toArray(new Kek[0]));
    return keys.build();
  }

  /**
   * A clip goes to a file named for its container or to one with another extension; a {@code
   * .wav} name for Ogg Opus (or the reverse) would give a file players reject, so it is refused.
   */
  static void checkExtension(String out, AudioFormat format) throws CliException {
    String name = out.toLowerCase(java.util.Locale.ROOT);
    boolean wavName = name.endsWith(".wav");
    boolean oggName = name.endsWith(".opus") || name.endsWith(".ogg") || name.endsWith(".oga");
    boolean wav = format.container() == AudioFormat.Container.WAV;
    if ((wav && oggName) || (!wav && wavName)) {
      throw new CliException(OxCrypt.USAGE, "the recording holds " + format + "; a clip of it is "
          + (wav ? "WAV: name OUT *.wav" : "Ogg Opus: name OUT *.opus") + " (or '-')");
    }
  }

  /**
   * A recipient's private key from 'keys create-recipient'. Exit 4 if the file is not one; a
   * warning if others may read it.
   */
  static HpkeRecipient readIdentity(OxCrypt root, Path file) throws Exception {
    String json = ShareCommand.readSmallFile(file, "identity");
    HpkeRecipient id;
    try {
      id = HpkeRecipient.fromInsecurePrivateKeyset(json);
    } catch (GeneralSecurityException | RuntimeException e) {
      id = null; // not e.getMessage(): it may quote the file, and the file holds a private key
    }
    if (id == null || !id.hasPrivateKey()) {
      throw new CliException(OxCrypt.NO_USABLE_KEY, "identity " + file + " is not a recipient "
          + "private key (made by 'keys create-recipient'"
          + (json.contains("ASYMMETRIC_PUBLIC") && !json.contains("ASYMMETRIC_PRIVATE")
              ? "; this looks like the public .pub file: --identity needs the .key file)" : ")"));
    }
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
        root.warn("identity " + file + " is a plaintext private key readable by others than its "
            + "owner (" + PosixFilePermissions.toString(perms) + "): chmod 600 it");
      }
    } catch (UnsupportedOperationException notPosix) {
      // no POSIX permissions to check here
    }
    return id;
  }

  /** To stdout directly; to a file OUT through {@link CliPaths#write}, owner-only. */
  private void deliver(CliPaths.Content body) throws Exception {
    if ("-".equals(out)) {
      try (OutputStream sink = root.stdoutNonClosing()) {
        body.writeTo(sink);
      }
      return;
    }
    CliPaths.write(out, AtomicFile.Mode.OWNER_ONLY, body);
  }

  private static long copy(InputStream in, OutputStream out) throws IOException {
    byte[] buf = new byte[BUFFER_BYTES];
    long total = 0;
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        total += n;
      }
      return total;
    } finally {
      Arrays.fill(buf, (byte) 0);
    }
  }

  private static long copyRange(SeekableRecording rec, long offset, long length, OutputStream out)
      throws Exception {
    byte[] buf = new byte[BUFFER_BYTES];
    try {
      long pos = offset;
      long remaining = length;
      while (remaining > 0) {
        int n = rec.read(pos, buf, 0, (int) Math.min(buf.length, remaining));
        if (n < 0) {
          break; // the authenticated end: a range past it is cut there
        }
        out.write(buf, 0, n);
        pos += n;
        remaining -= n;
      }
      return pos - offset;
    } finally {
      Arrays.fill(buf, (byte) 0);
    }
  }
}
