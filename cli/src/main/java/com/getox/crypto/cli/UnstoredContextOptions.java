package com.getox.crypto.cli;

import com.getox.crypto.ReadOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The {@code --unstored-context KEY=VALUE} option of every command that opens a recording: the
 * values of the context entries the recording is bound to but does not store ({@code encrypt
 * --unstored-context}). They are secrets of the caller: {@link OxCrypt} never prints them.
 *
 * <pre>{@code
 * ReadOptions options = unstored.addTo(root, ReadOptions.builder()).build();
 * }</pre>
 */
final class UnstoredContextOptions {
  static final String OPTION = "--unstored-context";
  static final String FILE_OPTION = "--unstored-context-file";

  @Option(names = OPTION, paramLabel = "KEY=VALUE",
      description = "The value of a context entry that the recording is bound to but does not store "
          + "(encrypt " + OPTION + "; 'inspect' lists their names). Without it such a recording "
          + "fails with exit 3, naming the entry; a wrong value fails the same way. The entry is "
          + "also required: a recording without it fails. The value is never printed. Repeatable, "
          + "each KEY once.")
  List<String> entries = new ArrayList<>();

  @Option(names = FILE_OPTION, paramLabel = "FILE",
      description = "The same entries read from FILE, one KEY=VALUE per line (UTF-8; empty lines "
          + "ignored), so that the values are not on the command line, where other local users "
          + "can see them (/proc/PID/cmdline) and shells keep them.")
  java.nio.file.Path file;

  /** The entries, parsed; their values are registered with {@code root} as never to be printed. */
  Map<String, String> values(OxCrypt root) throws CliException {
    Map<String, String> map = CliPaths.keyValues(OPTION, all(entries, file));
    map.values().forEach(root::neverPrint);
    return map;
  }

  /**
   * {@code args} and the lines of {@code file} (if not null). A malformed line is a usage error
   * that names its number, never its text (it may hold a value).
   */
  static List<String> all(List<String> args, java.nio.file.Path file) throws CliException {
    List<String> out = new ArrayList<>(args);
    if (file == null) {
      return out;
    }
    List<String> lines;
    try {
      if (java.nio.file.Files.size(file) > 64 * 1024) {
        throw new CliException(OxCrypt.USAGE, FILE_OPTION + " " + file + " is over 64 KiB");
      }
      lines = java.nio.file.Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new CliException(OxCrypt.USAGE, "no such file: " + file + " (" + FILE_OPTION + ")");
    } catch (java.io.IOException e) {
      throw new CliException(OxCrypt.USAGE, "cannot read " + file + " (" + FILE_OPTION + ")");
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.isEmpty()) {
        continue;
      }
      if (line.indexOf('=') <= 0) {
        throw new CliException(OxCrypt.USAGE, FILE_OPTION + " " + file + ": line " + (i + 1)
            + " is not KEY=VALUE");
      }
      out.add(line);
    }
    return out;
  }

  /**
   * Adds the values to {@code options} ({@link ReadOptions.Builder#expect}); a usage error if a
   * KEY is also in {@code expected} (decrypt's {@code --expect}).
   */
  ReadOptions.Builder addTo(OxCrypt root, ReadOptions.Builder options, Map<String, String> expected)
      throws CliException {
    for (Map.Entry<String, String> e : values(root).entrySet()) {
      if (expected.containsKey(e.getKey())) {
        throw new CliException(OxCrypt.USAGE, "the key '" + e.getKey() + "' is given by both --expect and "
            + OPTION + ": give it once");
      }
      options.expect(e.getKey(), e.getValue());
    }
    return options;
  }

  /** {@link #addTo(OxCrypt, ReadOptions.Builder, Map)} for a command without {@code --expect}. */
  ReadOptions readOptions(OxCrypt root) throws CliException {
    return addTo(root, ReadOptions.builder(), Map.of()).build();
  }
}
