package com.getox.crypto.benchmarks;

import java.io.File;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A gate for JMH runs by hand: for every piece size in a JMH JSON result, ours must reach at least
 * {@code minRatio} of the (cache-resident) ceiling on the same provider and JDK, in both
 * directions, comparing medians of fork means. Exits 1 otherwise. CI uses {@link Smoke} instead:
 * ours and the ceiling here ran in different forks at different times, so load on the machine
 * moves this ratio.
 *
 * <pre>
 * java -cp benchmarks.jar com.getox.crypto.benchmarks.Gate smoke.json 0.5
 * </pre>
 */
public final class Gate {
  private Gate() {}

  public static void main(String[] args) throws Exception {
    System.exit(check(Results.read(new File(args[0])), Double.parseDouble(args[1]), System.out));
  }

  /** Prints one line per result and returns the exit code: 0 if every ratio is at least min. */
  static int check(Results r, double min, PrintStream out) {
    int checked = 0;
    int failed = 0;
    for (Results.Row row : r.rows) {
      if (!row.benchmark.startsWith("Throughput.ours")) {
        continue;
      }
      // Encrypt, EncryptStreaming, Decrypt or DecryptFromMemory: each against its workload's ceiling
      String which = row.benchmark.substring("Throughput.ours".length());
      String dir = which.startsWith("Encrypt") ? "Encrypt" : "Decrypt";
      String ceilingName = "Throughput.ceiling" + dir + (which.endsWith("Streaming") ? "Streaming" : "");
      Results.Row ceiling = r.only(row.jdk).find(ceilingName, "provider", row.param("provider"));
      if (ceiling == null) {
        out.println("gate: no " + ceilingName.substring("Throughput.".length()) + " for " + row.param("provider"));
        return 1;
      }
      double ratio = row.megabytesPerSecond() / ceiling.megabytesPerSecond();
      boolean ok = ratio >= min;
      checked++;
      failed += ok ? 0 : 1;
      out.println(String.format(Locale.ROOT,
          "gate: %s %-17s %-9s %7s B: ours %7.0f MB/s, ceiling %7.0f MB/s, ratio %.2f (min %.2f) %s",
          row.jdk, which, row.param("provider"), row.param("pieceBytes"), row.megabytesPerSecond(),
          ceiling.megabytesPerSecond(), ratio, min, ok ? "ok" : "FAIL"));
    }
    if (checked == 0) {
      out.println("gate: no results for ours");
      return 1;
    }
    out.println("gate: " + (checked - failed) + " passed, " + failed + " failed");
    return failed == 0 ? 0 : 1;
  }
}
