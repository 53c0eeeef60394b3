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

  private Warm() {}

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
