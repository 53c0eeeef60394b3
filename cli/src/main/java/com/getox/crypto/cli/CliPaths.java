package com.getox.crypto.cli;

import com.getox.crypto.internal.AtomicFile;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The IN and OUT arguments: checks on them, and the one way a command writes a file OUT.
 *
 * <pre>{@code
 * CliPaths.write(out, AtomicFile.Mode.OWNER_ONLY, sink -> copy(plaintext, sink));
 * }</pre>
 */
final class CliPaths {
  private CliPaths() {}

  /**
   * Every {@code Path} option and argument ({@link OxCrypt} registers it): an empty one is a
   * usage error naming the option, not a path that the JDK resolves to the working directory.
   */
  static Path path(String value) {
    return Path.of(notEmpty(value));
  }

  /** The String IN and OUT arguments ('-' or a file): as {@link #path}. */
  static final class NotEmpty implements picocli.CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String value) {
      return notEmpty(value);
    }
  }

  private static String notEmpty(String value) {
    if (value.isEmpty()) {
      throw new picocli.CommandLine.TypeConversionException("an empty path");
    }
    return value;
  }

  /** Writes a file's content; may throw what the command throws. */
  interface Content {
    void writeTo(OutputStream sink) throws Exception;
  }

  /** A usage error if IN and OUT name the same file: writing OUT would destroy IN. */
  static void checkDistinct(String in, String out) throws IOException, CliException {
    if ("-".equals(in) || "-".equals(out)) {
      return;
    }
    Path a = Path.of(in);
    Path b = Path.of(out);
    boolean same = Files.exists(a) && Files.exists(b)
        ? Files.isSameFile(a, b)
        : a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    if (same) {
      throw new CliException(OxCrypt.USAGE, "IN and OUT are the same file: " + in);
    }
  }

  /**
   * Writes the file {@code out} through {@link AtomicFile#replace}: a regular file is replaced only
   * once {@code content} finished (an owner-only temporary file beside it, renamed), so a failure
   * leaves it untouched; a symlink's target is written and the link kept; a FIFO or device is
   * written through. {@code content} gets a stream it may close.
   */
  static void write(String out, AtomicFile.Mode mode, Content content) throws Exception {
    try {
      AtomicFile.replace(new File(out), mode, sink -> run(content, sink));
    } catch (Tunnel t) {
      throw t.failure;
    }
  }

  /**
   * Creates {@code file} and streams {@code content} into it in place ({@link
   * AtomicFile#createInPlace}); false, having run nothing, if it exists.
   */
  static boolean createInPlace(File file, Content content) throws Exception {
    try {
      return AtomicFile.createInPlace(file, sink -> run(content, sink));
    } catch (Tunnel t) {
      throw t.failure;
    }
  }

  /** Creates {@code file}, which must not exist, through {@link AtomicFile#createNew}. */
  static void createNew(File file, AtomicFile.Mode mode, Content content) throws Exception {
    try {
      AtomicFile.createNew(file, mode, sink -> run(content, sink));
    } catch (Tunnel t) {
      throw t.failure;
    }
  }

  /**
   * encrypt's file OUT, when its IN is a regular file, is written in blocks of this size. A
   * recording's writer hands over one sealed chunk (16 KiB and its tag) at a time: written as such,
   * every write ends inside a page, which the kernel zeroes before the next write fills it, and
   * write(2) took over half the CPU of a 1 GiB encrypt. From stdin (a live source) each chunk is
   * still written as soon as it is sealed, so a killed encrypt leaves all of it for 'decrypt
   * --recover'.
   */
  static final int WRITE_BLOCK_BYTES = 1 << 20;

  /** Whether this thread's command encrypts a regular file IN: see {@link #WRITE_BLOCK_BYTES}. */
  private static final ThreadLocal<Boolean> IN_IS_A_FILE = new ThreadLocal<>();

  /** Set by {@link OxCrypt} around a command's execution (false again after it). */
  static void inIsAFile(boolean yes) {
    if (yes) {
      IN_IS_A_FILE.set(Boolean.TRUE);
    } else {
      IN_IS_A_FILE.remove();
    }
  }

  /**
   * AtomicFile gives {@code content} a stream that it may close and syncs the file itself; with a
   * regular file IN, what {@code content} wrote reaches it in {@link #WRITE_BLOCK_BYTES} blocks, all
   * of it before AtomicFile syncs, also when {@code content} fails.
   */
  private static void run(Content content, OutputStream sink) throws IOException {
    BufferedOutputStream blocks = IN_IS_A_FILE.get() == null ? null
        : new BufferedOutputStream(sink, WRITE_BLOCK_BYTES);
    boolean done = false;
    try {
      content.writeTo(blocks == null ? sink : blocks);
      done = true;
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new Tunnel(e);
    } finally {
      if (blocks != null && done) {
        blocks.flush();
      } else if (blocks != null) {
        try {
          blocks.flush(); // an in-place OUT keeps what was written
        } catch (IOException ignored) {
          // the failure being thrown is the one to report
        }
      }
    }
  }

  /** Carries a checked failure of the content through AtomicFile, which takes only IOExceptions. */
  private static final class Tunnel extends IOException {
    private static final long serialVersionUID = 1L;
    final Exception failure;

    Tunnel(Exception failure) {
      super(failure.getMessage(), failure);
      this.failure = failure;
    }
  }

  /**
   * The {@code KEY=VALUE} arguments of a repeatable option, in order; a usage error if one has no
   * '=' or a key is given twice (a later value must not silently win).
   */
  static Map<String, String> keyValues(String option, List<String> args) throws CliException {
    Map<String, String> map = new LinkedHashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq < 0) {
        throw new CliException(OxCrypt.USAGE, option + " needs KEY=VALUE, not '" + a + "'");
      }
      String key = a.substring(0, eq);
      if (map.containsKey(key)) {
        throw new CliException(OxCrypt.USAGE, option + " gives the key '" + key + "' twice");
      }
      map.put(key, a.substring(eq + 1));
    }
    return map;
  }
}
