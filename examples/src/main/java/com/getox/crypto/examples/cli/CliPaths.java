package com.getox.crypto.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small checks on the IN and OUT arguments. */
final class CliPaths {
  private CliPaths() {}

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
}
