package com.getox.crypto.examples.cli;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.local.LocalKms;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code oxcrypt encrypt}: streams IN into an encrypted recording. Each 16 KiB is sealed and
 * written as soon as it is read, so stdin is never buffered whole, and an interrupted run leaves a
 * truncated recording that {@code decrypt --recover} salvages.
 */
@Command(
    name = "encrypt",
    mixinStandardHelpOptions = true,
    description = {
      "Encrypt IN ('-' for stdin) into the recording OUT ('-' for stdout).",
      "The data key is wrapped under the keyset's primary KEK version. Input is streamed: each 16 KiB "
          + "is sealed and written as soon as it is read. If IN fails midway, OUT is left truncated "
          + "(never sealed as complete); 'decrypt --recover' salvages it."
    },
    footer = {"%nExample:%n  oxcrypt encrypt --keyset keys.json --context user-id=u-7 talk.pcm talk.oxr", ""})
final class EncryptCommand implements Callable<Integer> {
  private static final int BUFFER_BYTES = 64 * 1024;

  @ParentCommand OxCrypt root;
  @Mixin KeysetOptions keyset;

  @Option(names = "--context", paramLabel = "KEY=VALUE",
      description = "An encryption context entry, authenticated and bound to the data key. Repeatable.")
  Map<String, String> context = new LinkedHashMap<>();

  @Parameters(index = "0", paramLabel = "IN", description = "The plaintext file, or '-' for stdin.")
  String in;

  @Parameters(index = "1", paramLabel = "OUT", description = "The recording to write, or '-' for stdout.")
  String out;

  @Override
  public Integer call() throws Exception {
    EncryptionContext ctx = EncryptionContext.of(context); // IllegalArgumentException: usage
    CliPaths.checkDistinct(in, out);
    LocalKms kms = keyset.open(root);
    Recordings recordings = Recordings.builder().wrapWith(kms).build();
    try (InputStream src = "-".equals(in) ? root.stdinNonClosing() : Files.newInputStream(Path.of(in))) {
      Path target = "-".equals(out) ? null : Path.of(out);
      OutputStream dst = target == null ? root.stdoutNonClosing() : Files.newOutputStream(target);
      RecordingWriter writer;
      try {
        writer = recordings.newWriter(dst, ctx);
      } catch (Exception e) {
        dst.close();
        if (target != null) {
          Files.deleteIfExists(target); // nothing of a recording was written
        }
        throw e;
      }
      byte[] buf = new byte[BUFFER_BYTES];
      boolean complete = false;
      try {
        int n;
        while ((n = src.read(buf)) >= 0) {
          writer.write(buf, 0, n);
        }
        complete = true;
      } catch (IOException e) {
        throw new IOException(e.getMessage()
            + (target == null ? "" : "; " + out + " is left truncated ('decrypt --recover' salvages it)"), e);
      } finally {
        Arrays.fill(buf, (byte) 0);
        if (complete) {
          writer.close(); // seals the final chunk: only now is the recording complete
        } else {
          abortQuietly(writer); // not close(): that would make the prefix look like the whole input
        }
      }
    }
    return OxCrypt.OK;
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
