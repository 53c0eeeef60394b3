package com.getox.crypto.examples.cli;

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

  @Option(names = OPTION, paramLabel = "KEY=VALUE",
      description = "The value of a context entry that the recording is bound to but does not store "
          + "(encrypt " + OPTION + "; 'inspect' lists their names). Without it such a recording "
          + "fails with exit 3, naming the entry; a wrong value fails the same way. The entry is "
          + "also required: a recording without it fails. The value is never printed. Repeatable, "
          + "each KEY once.")
  List<String> entries = new ArrayList<>();

  /** The entries, parsed; their values are registered with {@code root} as never to be printed. */
  Map<String, String> values(OxCrypt root) throws CliException {
    Map<String, String> map = CliPaths.keyValues(OPTION, entries);
    map.values().forEach(root::neverPrint);
    return map;
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
