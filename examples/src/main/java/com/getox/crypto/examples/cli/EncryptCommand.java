package com.getox.crypto.examples.cli;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.internal.AtomicFile;
import com.getox.crypto.local.LocalKms;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code oxcrypt encrypt}: streams IN into an encrypted recording. Each 16 KiB is sealed and
 * written as soon as it is read, so stdin is never buffered whole. A file OUT is written through an
 * owner-only temporary file beside it and replaced only once the recording is complete, so a
 * failure leaves OUT as it was.
 */
@Command(
    name = "encrypt",
    mixinStandardHelpOptions = true,
    description = {
      "Encrypt IN ('-' for stdin) into the recording OUT ('-' for stdout).",
      "The data key is wrapped under the keyset's primary KEK version. Input is streamed: each 16 KiB "
          + "is sealed and written as soon as it is read. A file OUT is written to a temporary file "
          + "beside it and replaces OUT only when all of IN was encrypted: if anything fails, OUT is "
          + "left as it was. An existing OUT keeps its permissions; a new one is owner-only."
    },
    footer = {"%nExample:%n  oxcrypt encrypt --keyset keys.json --context user-id=u-7 talk.pcm talk.oxr", ""})
final class EncryptCommand implements Callable<Integer> {
  private static final int BUFFER_BYTES = 64 * 1024;

  @ParentCommand OxCrypt root;
  @Mixin KeysetOptions keyset;

  @Option(names = "--context", paramLabel = "KEY=VALUE",
      description = "An encryption context entry, authenticated and bound to the data key. "
          + "Repeatable, each KEY once.")
  List<String> context = new ArrayList<>();

  @Parameters(index = "0", paramLabel = "IN", description = "The plaintext file, or '-' for stdin.")
  String in;

  @Parameters(index = "1", paramLabel = "OUT", description = "The recording to write, or '-' for stdout.")
  String out;

  @Override
  public Integer call() throws Exception {
    // IllegalArgumentException: usage
    EncryptionContext ctx = EncryptionContext.of(CliPaths.keyValues("--context", context));
    CliPaths.checkDistinct(in, out);
    LocalKms kms = keyset.open(root);
    Recordings recordings = Recordings.builder().wrapWith(kms).build();
    try (InputStream src = "-".equals(in) ? root.stdinNonClosing() : Files.newInputStream(Path.of(in))) {
      if ("-".equals(out)) {
        encrypt(recordings, ctx, src, root.stdoutNonClosing());
      } else if (!CliPaths.createInPlace(new File(out), sink -> encrypt(recordings, ctx, src, sink))) {
        // OUT exists: replace it only once the new recording is complete, so a failure keeps it.
        CliPaths.write(out, AtomicFile.Mode.KEEP, sink -> encrypt(recordings, ctx, src, sink));
      }
      // A new OUT is written in place: a kill or a failing IN leaves the truncated recording
      // there, and 'decrypt --recover' salvages its authenticated prefix.
    }
    return OxCrypt.OK;
  }

  /**
   * Seals IN into {@code dst}. If IN fails midway the recording is left unsealed (truncated,
   * never mistaken for the whole input) and the failure is thrown.
   */
  private static void encrypt(Recordings recordings, EncryptionContext ctx, InputStream src, OutputStream dst)
      throws Exception {
    byte[] buf = new byte[BUFFER_BYTES];
    // IN is read once before anything is written: an IN that cannot be read at all (a directory,
    // a broken pipe) leaves no OUT behind, not an empty truncated recording.
    int n;
    try {
      n = src.read(buf);
    } catch (IOException | RuntimeException e) {
      Arrays.fill(buf, (byte) 0);
      throw e;
    }
    RecordingWriter writer = recordings.newWriter(dst, ctx);
    boolean complete = false;
    try {
      for (; n >= 0; n = src.read(buf)) {
        writer.write(buf, 0, n);
      }
      complete = true;
    } finally {
      Arrays.fill(buf, (byte) 0);
      if (complete) {
        writer.close(); // seals the final chunk: only now is the recording complete
      } else {
        abortQuietly(writer); // not close(): that would make the prefix look like the whole input
      }
    }
  }

  /** Closes without sealing; the failure that got us here is the one to report. */
  private static void abortQuietly(RecordingWriter writer) {
    try {
      writer.abort();
    } catch (IOException ignored) {
      // the sink failed too: the recording is truncated either way
    }
  }
}
