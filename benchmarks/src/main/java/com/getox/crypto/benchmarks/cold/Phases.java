package com.getox.crypto.benchmarks.cold;

/** Phase timings for the cold-start programs; uses nothing but the JDK. */
final class Phases {
  private Phases() {}

  /**
   * With {@code -Dox.phases=true}: JVM start to main, then each phase of main (a name, then the
   * nanoTime at its end), in ms, on stderr.
   */
  static void print(long t0, Object... phases) {
    // After the timed part: JMX is heavy to load. Uptime counts from the JVM's creation.
    long uptimeMs = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
    StringBuilder sb = new StringBuilder("JVM start to main ")
        .append(uptimeMs - (System.nanoTime() - t0) / 1_000_000).append(" ms");
    long from = t0;
    for (int i = 0; i < phases.length; i += 2) {
      long to = (Long) phases[i + 1];
      sb.append(", ").append(phases[i]).append(' ').append(String.format("%.1f", (to - from) / 1e6)).append(" ms");
      from = to;
    }
    System.err.println(sb);
  }
}
