package com.getox.crypto.benchmarks.cold;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Cold-start baseline, raw JCE only: reads a 32-byte KEK from a file, wraps a fresh data key under
 * it with AES-GCM, encrypts 1 MiB in 16 KiB AES-GCM chunks (counter nonce), then unwraps and
 * decrypts it and checks the round trip. Usage: {@code ColdJce <kek-file>}.
 */
public final class ColdJce {
  private ColdJce() {}

  public static void main(String[] args) throws Exception {
    long t0 = System.nanoTime();
    byte[] kekBytes = Files.readAllBytes(Paths.get(args[0]));
    SecretKeySpec kek = new SecretKeySpec(kekBytes, "AES");
    SecureRandom random = new SecureRandom();
    byte[] dek = new byte[32];
    random.nextBytes(dek);
    byte[] wrapNonce = new byte[12];
    random.nextBytes(wrapNonce);
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(Cipher.ENCRYPT_MODE, kek, new GCMParameterSpec(128, wrapNonce));
    byte[] wrapped = c.doFinal(dek);
    byte[] baseNonce = new byte[12];
    random.nextBytes(baseNonce);

    long t1 = System.nanoTime();
    byte[] plain = new byte[1 << 20];
    Arrays.fill(plain, (byte) 7);
    SecretKeySpec key = new SecretKeySpec(dek, "AES");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] sealed = new byte[16384 + 16];
    int chunks = plain.length / 16384 + 1;
    for (int i = 0; i < chunks; i++) {
      int off = i * 16384;
      int len = Math.min(16384, plain.length - off);
      c.init(Cipher.ENCRYPT_MODE, key, nonce(baseNonce, i));
      int n = c.doFinal(plain, off, len, sealed, 0);
      out.write(sealed, 0, n);
    }
    byte[] ct = out.toByteArray();
    long t2 = System.nanoTime();

    c.init(Cipher.DECRYPT_MODE, kek, new GCMParameterSpec(128, wrapNonce));
    SecretKeySpec key2 = new SecretKeySpec(c.doFinal(wrapped), "AES");
    byte[] back = new byte[plain.length];
    int pos = 0;
    for (int i = 0, off = 0; off < ct.length; i++) {
      int len = Math.min(16384 + 16, ct.length - off);
      c.init(Cipher.DECRYPT_MODE, key2, nonce(baseNonce, i));
      pos += c.doFinal(ct, off, len, back, pos);
      off += len;
    }
    if (pos != plain.length || !Arrays.equals(plain, back)) {
      throw new AssertionError("round trip failed");
    }
    long t3 = System.nanoTime();
    if (Boolean.getBoolean("ox.phases")) {
      Phases.print(t0, "key + wrap", t1, "encrypt 1 MiB", t2, "decrypt", t3);
    }
  }

  static GCMParameterSpec nonce(byte[] base, long i) {
    byte[] n = base.clone();
    for (int k = 0; k < 8; k++) {
      n[11 - k] ^= (byte) (i >>> (8 * k));
    }
    return new GCMParameterSpec(128, n);
  }
}
