package com.getox.crypto.benchmarks;

import com.getox.crypto.Parallelism;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.Recordings;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@link Parallel}'s 256 MiB seal and open with 1 and 2 threads, <em>interleaved</em> in one JVM
 * and timed in thread CPU time as well as wall time, for a machine that other processes load: a
 * round runs each of the four cases once, in an order that alternates. Per case it prints the
 * medians over rounds of the wall time, the CPU time of all threads (the caller and the pool
 * thread), and the CPU time of the busiest thread: on a quiet machine with a core per thread the
 * wall time approaches that, so {@code cpu(1 thread) / busiest(2 threads)} estimates the speed-up
 * that the load hides, and {@code cpu(2) / cpu(1)} is what splitting the work costs in total.
 *
 * <pre>
 * java -cp benchmarks.jar com.getox.crypto.benchmarks.ParallelCpu 9
 * </pre>
 */
public final class ParallelCpu {
  private ParallelCpu() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Recordings recordings = Fixtures.recordings(Fixtures.newLocalKek());
    byte[] plaintext = Fixtures.bytes(Parallel.BLOB_BYTES, 11);
    Parallel.Discard keep = new Parallel.Discard(Parallel.BLOB_BYTES + Parallel.BLOB_BYTES / 512 + 4096);
    recordings.encrypt(new Parallel.ArrayChannel(plaintext), keep, Fixtures.CONTEXT, Parallelism.threads(1));
    byte[] recording = Arrays.copyOf(keep.kept, keep.keptBytes);
    long[] poolThread = new long[1];
    ExecutorService pool =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "parallel-cpu-helper");
              t.setDaemon(true);
              poolThread[0] = t.getId();
              return t;
            });
    pool.submit(() -> {}).get(); // the pool thread exists from here on
    Parallelism[] ps = {Parallelism.threads(1), Parallelism.threads(2, pool)};
    String[] names = {"seal 1", "seal 2", "open 1", "open 2", "seal sequential", "open sequential"};
    List<double[]>[] samples = new List[6]; // wall ms, cpu ms, busiest ms
    byte[] buf = new byte[1 << 20];
    for (int i = 0; i < 6; i++) {
      samples[i] = new ArrayList<>();
    }
    Warm.aesGcm(Throughput.WARM_MILLIS);
    for (int round = -3; round < rounds; round++) { // 3 unrecorded rounds warm the JIT
      for (int k = 0; k < 6; k++) {
        int c = round % 2 == 0 ? k : 5 - k;
        boolean seal = c < 2 || c == 4;
        Parallelism p = c < 4 ? ps[c % 2] : null;
        long me = Thread.currentThread().getId();
        long cpu0 = mx.getThreadCpuTime(me);
        long pool0 = mx.getThreadCpuTime(poolThread[0]);
        long t0 = System.nanoTime();
        Parallel.Discard sink = new Parallel.Discard(0);
        if (p == null && seal) {
          // The one-thread writer, fed from the same channel through a 1 MiB buffer.
          Parallel.ArrayChannel src = new Parallel.ArrayChannel(plaintext);
          try (com.getox.crypto.RecordingWriter w = recordings.newWriter(sink, Fixtures.CONTEXT)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(buf);
            int n;
            while ((n = src.read(b)) >= 0) {
              w.write(buf, 0, n);
              b.clear();
            }
          }
        } else if (p == null) {
          try (java.io.InputStream in =
              recordings.newInputStream(
                  java.nio.channels.Channels.newInputStream(new Parallel.ArrayChannel(recording)),
                  ReadOptions.defaults())) {
            int n;
            while ((n = in.read(buf)) >= 0) {
              sink.write(java.nio.ByteBuffer.wrap(buf, 0, n));
            }
          }
        } else if (seal) {
          recordings.encrypt(new Parallel.ArrayChannel(plaintext), sink, Fixtures.CONTEXT, p);
        } else {
          recordings.decrypt(new Parallel.ArrayChannel(recording), sink, ReadOptions.defaults(), p);
        }
        long wall = System.nanoTime() - t0;
        long mine = mx.getThreadCpuTime(me) - cpu0;
        long helper = mx.getThreadCpuTime(poolThread[0]) - pool0;
        if (round >= 0) {
          samples[c].add(new double[] {wall / 1e6, (mine + helper) / 1e6, Math.max(mine, helper) / 1e6});
        }
      }
    }
    pool.shutdown();
    double[][] med = new double[6][];
    for (int c = 0; c < 6; c++) {
      med[c] = new double[3];
      StringBuilder spread = new StringBuilder();
      for (int m = 0; m < 3; m++) {
        final int mm = m;
        double[] v = samples[c].stream().mapToDouble(s -> s[mm]).sorted().toArray();
        med[c][m] = v[v.length / 2];
        spread.append(String.format(Locale.ROOT, " [%.0f-%.0f]", v[0], v[v.length - 1]));
      }
      System.out.printf(Locale.ROOT, "%s thread(s): wall %.1f ms, cpu %.1f ms, busiest thread %.1f ms; min-max%s%n",
          names[c], med[c][0], med[c][1], med[c][2], spread);
    }
    for (int s = 0; s < 2; s++) {
      double[] one = med[2 * s];
      double[] two = med[2 * s + 1];
      System.out.printf(Locale.ROOT,
          "%s: wall speed-up %.2fx; cpu(1)/busiest(2) %.2fx; total cpu(2)/cpu(1) %.2f; MB/s 1 thread by cpu %.0f%n",
          s == 0 ? "seal" : "open", one[0] / two[0], one[1] / two[2], two[1] / one[1],
          Parallel.BLOB_BYTES / 1e3 / one[1]);
      System.out.printf(Locale.ROOT, "%s: 1 thread / sequential writer or reader, cpu %.2f, wall %.2f%n",
          s == 0 ? "seal" : "open", one[1] / med[4 + s][1], one[0] / med[4 + s][0]);
    }
  }
}
