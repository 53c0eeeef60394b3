package com.getox.crypto.cli;

import com.getox.crypto.Parallelism;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --threads N} of {@code encrypt} and {@code decrypt}: a whole regular file IN is sealed or
 * opened on N threads ({@code Recordings.encrypt}/{@code decrypt} with a {@link Parallelism}), the
 * same bytes and the same failures as on one. Stdin and the streaming modes stay on one thread.
 *
 * <pre>{@code
 * if (threads.applies(in, streaming)) { recordings.encrypt(Streams.readableChannel(src), Streams.writableChannel(sink), ctx, threads.parallelism()); }
 * }</pre>
 */
final class ThreadsOption {
  static final String OPTION = "--threads";

  @Option(names = OPTION, paramLabel = "N",
      description = "Seal or open a file IN on N threads, 1 to 256 (default: one per processor): the "
          + "same output, sooner on a multi-core machine. Only for a regular file IN read whole: "
          + "stdin and the streaming modes use one thread.")
  Integer threads;

  /**
   * Whether IN is read whole on several threads: a regular file, and no {@code streamingMode}
   * (the option that makes it stream, or null). A usage error if {@code --threads} was given where
   * it cannot apply or is out of range.
   */
  boolean applies(String in, String streamingMode) throws CliException {
    if (threads != null && (threads < 1 || threads > Parallelism.MAX_THREADS)) {
      throw new CliException(OxCrypt.USAGE,
          OPTION + " must be 1 to " + Parallelism.MAX_THREADS + ", not " + threads);
    }
    boolean file = !"-".equals(in) && Files.isRegularFile(Path.of(in));
    if (threads != null && (!file || streamingMode != null)) {
      throw new CliException(OxCrypt.USAGE, OPTION + " needs a regular file IN read whole, not "
          + (streamingMode != null ? streamingMode : "-".equals(in) ? "stdin" : "a pipe or device"));
    }
    return file && streamingMode == null;
  }

  Parallelism parallelism() {
    return threads == null ? Parallelism.availableProcessors() : Parallelism.threads(threads);
  }
}
