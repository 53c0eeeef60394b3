package com.getox.crypto.benchmarks.cold;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingInputStream;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.util.Arrays;

/**
 * Cold start of ours: opens a local KEK (plaintext keyset file), encrypts a first 1 MiB
 * recording (16 KiB writes) and decrypts it. Usage: {@code ColdOurs <keyset-file>}, or
 * {@code ColdOurs --create <keyset-file>} once to make the keyset.
 */
public final class ColdOurs {
  private ColdOurs() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("--create")) {
      LocalKms.create(new File(args[1]), KeysetProtection.insecurePlaintext(), "cold");
      return;
    }
    long t0 = System.nanoTime();
    LocalKms kek = LocalKms.open(new File(args[0]), KeysetProtection.insecurePlaintext());
    long t1 = System.nanoTime();
    Recordings recordings = Recordings.builder().wrapWith(kek).build();
    EncryptionContext ctx = EncryptionContext.builder().put("tenant", "bench").build();
    byte[] plain = new byte[1 << 20];
    Arrays.fill(plain, (byte) 7);
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (RecordingWriter w = recordings.newWriter(bos, ctx)) {
      for (int off = 0; off < plain.length; off += 16384) {
        w.write(plain, off, 16384);
      }
    }
    long t2 = System.nanoTime();
    byte[] back = new byte[plain.length];
    try (RecordingInputStream in =
        recordings.newInputStream(new ByteArrayInputStream(bos.toByteArray()), ReadOptions.defaults())) {
      int pos = 0;
      int n;
      while ((n = in.read(back, pos, Math.min(16384, back.length - pos))) > 0) {
        pos += n;
      }
      if (pos != plain.length || in.read() != -1 || !Arrays.equals(plain, back)) {
        throw new AssertionError("round trip failed");
      }
    }
    long t3 = System.nanoTime();
    if (Boolean.getBoolean("ox.phases")) {
      // JVM start to main is not visible from here: compare with the process wall time.
      System.err.printf("open local KEK %d ms, first recording encrypt %d ms, decrypt %d ms%n",
          (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
    }
  }
}
