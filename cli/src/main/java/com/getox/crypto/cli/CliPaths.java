package com.getox.crypto.cli;

import com.getox.crypto.internal.AtomicFile;
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

  /** AtomicFile gives {@code content} a stream that it may close and syncs the file itself. */
  private static void run(Content content, OutputStream sink) throws IOException {
    try {
      content.writeTo(sink);
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new Tunnel(e);
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
