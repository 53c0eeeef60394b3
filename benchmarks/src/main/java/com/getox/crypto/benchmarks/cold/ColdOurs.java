package com.getox.crypto.benchmarks.cold;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingInputStream;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.audit.AuditEvent;
import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.util.Arrays;

/**
 * Cold start of ours: opens a local KEK (plaintext keyset file), encrypts a first 1 MiB
 * recording (16 KiB writes) and decrypts it. Usage: {@code ColdOurs <keyset-file>}, or
 * {@code ColdOurs --create <keyset-file>} once to make the keyset. {@code -Dox.phases=true} prints
 * where the time went; {@code -Dox.ownAuditSink=true} replaces the default SLF4J audit sink.
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
    Recordings.Builder b = Recordings.builder().wrapWith(kek);
    if (Boolean.getBoolean("ox.ownAuditSink")) {
      b.auditSink(new CountingSink()); // what the default SLF4J sink costs, by difference
    }
    Recordings recordings = b.build();
    EncryptionContext ctx = EncryptionContext.builder().put("tenant", "bench").build();
    byte[] plain = new byte[1 << 20];
    Arrays.fill(plain, (byte) 7);
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    long tw;
    try (RecordingWriter w = recordings.newWriter(bos, ctx)) {
      tw = System.nanoTime();
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
      Phases.print(t0, "open local KEK", t1, "new writer (data key + wrap)", tw, "encrypt 1 MiB", t2,
          "decrypt", t3);
    }
  }

  /** An application's own audit sink (a class, as a lambda would cost its own spin-up). */
  static final class CountingSink implements AuditSink {
    int events;

    @Override
    public void record(AuditEvent event) {
      events++;
    }
  }
}
