package com.getox.crypto.benchmarks;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Pre-warms AES-GCM on the current default provider with mixed sizes (17 B to 1 MiB), so that
 * SunJCE on JDK 17 is past its JIT cliff (about 25 MB/s on large buffers until C2 compiles GHASH
 * and GCTR) before JMH's own warm-up starts. Warming on small inputs alone is not enough: the
 * first large input deoptimises.
 */
final class Warm {
  private static final int[] SIZES = {17, 640, 4096, 16384, 65536, 1 << 20};

  /** Warm-up ends only once the workload runs at least this fast (AES-GCM below it is not JIT-compiled). */
  static final double MIN_MB_PER_S = Double.parseDouble(System.getProperty("ox.warmMinMBps", "150"));

  private Warm() {}

  /** One round of a benchmark's own workload; returns the bytes it processed. */
  interface Work {
    long run() throws Exception;
  }

  /**
   * Runs {@code work} until its speed has reached a plateau: at least {@code minMillis}, at least
   * {@link #MIN_MB_PER_S}, and no 200 ms window more than 15% faster than the best so far for
   * 1.5 s. Gives up after {@code maxMillis}. On a loaded 2-core machine C2 can take well over 10 s
   * to compile SunJCE's GHASH; measuring before that measures the interpreter.
   */
  static void untilStable(String what, Work work, long minMillis, long maxMillis) throws Exception {
    long start = System.nanoTime();
    long windowStart = start;
    long windowBytes = 0;
    double best = 0;
    long bestAt = start;
    while (true) {
      windowBytes += work.run();
      long now = System.nanoTime();
      if (now - windowStart < 200_000_000L) {
        continue;
      }
      double rate = windowBytes * 1e3 / (now - windowStart); // MB/s
      windowStart = now;
      windowBytes = 0;
      if (rate > best * 1.15) {
        bestAt = now;
      }
      best = Math.max(best, rate);
      long elapsed = (now - start) / 1_000_000L;
      boolean plateau = (now - bestAt) >= 1_500_000_000L;
      if ((elapsed >= minMillis && rate >= MIN_MB_PER_S && plateau) || elapsed >= maxMillis) {
        System.out.printf("warm-up of %s: %d ms, last %.0f MB/s, best %.0f MB/s%n",
            what, elapsed, rate, best);
        return;
      }
    }
  }

  static void aesGcm(long millis) throws Exception {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    SecretKeySpec key = new SecretKeySpec(Fixtures.bytes(32, 99), "AES");
    byte[] in = Fixtures.bytes(1 << 20, 98);
    byte[] out = new byte[(1 << 20) + 16];
    byte[] back = new byte[1 << 20];
    byte[] nonce = new byte[12];
    long counter = 0;
    long end = System.nanoTime() + millis * 1_000_000L;
    while (System.nanoTime() < end) {
      for (int size : SIZES) {
        counter++;
        for (int i = 0; i < 8; i++) {
          nonce[11 - i] = (byte) (counter >>> (8 * i));
        }
        c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        int n = c.doFinal(in, 0, size, out, 0);
        c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        c.doFinal(out, 0, n, back, 0);
      }
    }
  }
}
