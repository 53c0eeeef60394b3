package com.getox.crypto.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run of the {@code oxcrypt} launcher's class-data-sharing archive: a JVM started with
 * {@code -XX:ArchiveClassesAtExit} runs this, and the archive then holds the classes that {@code
 * keys create}, {@code encrypt}, {@code decrypt} and {@code inspect} load, whatever command the user
 * runs first. It works in a new owner-only directory, with a throwaway plaintext keyset, and deletes
 * it; it prints nothing and exits 0 if every command did.
 *
 * <pre>{@code
 * java -XX:ArchiveClassesAtExit=oxcrypt.jsa -cp oxcrypt.jar com.getox.crypto.cli.CdsTraining ~/.cache/oxcrypt
 * java -XX:SharedArchiveFile=oxcrypt.jsa -jar oxcrypt.jar encrypt ...
 * }</pre>
 */
public final class CdsTraining {
  private CdsTraining() {}

  /**
   * Runs the commands in a new directory inside {@code args[0]} (the launcher's owner-only cache
   * directory), or in the system's temporary directory without an argument; exit 0 if all
   * succeeded, 1 otherwise.
   */
  public static void main(String[] args) throws IOException {
    Path dir = args.length > 0 // owner-only on POSIX either way
        ? Files.createTempDirectory(Path.of(args[0]), "training-")
        : Files.createTempDirectory("oxcrypt-cds-");
    int failed = 0;
    try {
      String keys = dir.resolve("keys.json").toString();
      String plain = dir.resolve("in.bin").toString();
      String rec = dir.resolve("in.oxr").toString();
      byte[] data = new byte[3 * 16_384 + 100];
      for (int i = 0; i < data.length; i++) {
        data[i] = (byte) (i * 31 + (i >>> 8));
      }
      Files.write(Path.of(plain), data);
      String[][] commands = {
        {"keys", "create", "--keyset", keys, "--insecure"},
        {"encrypt", "--keyset", keys, "--context", "k=v", plain, rec},
        {"decrypt", "--keyset", keys, "--expect", "k=v", rec, dir.resolve("out.bin").toString()},
        {"inspect", rec},
        {"--version"},
      };
      for (String[] c : commands) {
        failed += OxCrypt.run(c, new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Map.of()) == 0 ? 0 : 1;
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    System.exit(failed == 0 ? 0 : 1);
  }
}
