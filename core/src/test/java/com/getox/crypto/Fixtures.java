package com.getox.crypto;

import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.internal.Cobblestone;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

/** Shared KEKs, seeds and recordings for the property tests. */
final class Fixtures {
  private Fixtures() {}

  static final int CHUNK = Cobblestone.CHUNK_PLAINTEXT_BYTES;
  static final int SEALED = Cobblestone.CHUNK_CIPHERTEXT_BYTES;
  static final int PREFIX = Cobblestone.PREFIX_BYTES;

  static final LocalKms KMS = TestKeks.newLocalKms("props");
  static final LocalKms OTHER_KMS = TestKeks.newLocalKms("other");
  /** Same URI as {@link #KMS} (local://props) but a different keyset. */
  static final LocalKms IMPOSTOR_KMS = TestKeks.newLocalKms("props");

  static final Recordings RECORDINGS =
      Recordings.builder().wrapWith(KMS).auditSink(AuditSink.none()).build();

  /** A Recordings that can only read, with {@code keks}. */
  static Recordings readerWith(Kek... keks) {
    return Recordings.builder().unwrapWith(keks).auditSink(AuditSink.none()).build();
  }

  /**
   * The seeds of the property tests: 40 by default, {@code -Dox.seeds=N} for more, {@code
   * -Dox.seed=S} to replay one failing case.
   */
  static LongStream seeds() {
    String one = System.getProperty("ox.seed");
    if (one != null) {
      return LongStream.of(Long.parseLong(one));
    }
    int n = Integer.getInteger("ox.seeds", 40);
    long base = 0x0c0ffeeL;
    return LongStream.range(0, n).map(i -> base + i * 0x9E3779B97F4A7C15L);
  }

  /** A plaintext length from 0 to several chunks, biased to the chunk-boundary cases. */
  static int plaintextLength(Random r) {
    switch (r.nextInt(6)) {
      case 0:
        return new int[] {0, 1, 16383, 16384, 16385, 32768, 32768 + 500}[r.nextInt(7)];
      case 1:
        return (1 + r.nextInt(4)) * CHUNK + r.nextInt(3) - 1;
      case 2:
        return r.nextInt(100);
      default:
        return r.nextInt(5 * CHUNK + 1);
    }
  }

  static byte[] randomBytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  static EncryptionContext randomContext(Random r) {
    EncryptionContext.Builder b = EncryptionContext.builder();
    int n = r.nextInt(4);
    b.put("recording-id", "rec-" + Long.toHexString(r.nextLong()));
    for (int i = 0; i < n; i++) {
      b.put("k" + r.nextInt(1000), r.nextBoolean() ? "" : "v\u00e9\u4e2d" + r.nextInt());
    }
    return b.build();
  }

  /** A SecureRandom whose output is a seeded PRNG's, so tests can know a recording's DEK. */
  static SecureRandom deterministicRandom(long seed) {
    final Random r = new Random(seed);
    return new SecureRandom() {
      private static final long serialVersionUID = 1L;

      @Override
      public void nextBytes(byte[] bytes) {
        r.nextBytes(bytes);
      }
    };
  }

  /** A recording and what went into it. */
  static final class Sample {
    final byte[] plaintext;
    final byte[] recording;
    final int headerBytes;
    final EncryptionContext context;

    Sample(byte[] plaintext, byte[] recording, int headerBytes, EncryptionContext context) {
      this.plaintext = plaintext;
      this.recording = recording;
      this.headerBytes = headerBytes;
      this.context = context;
    }

    int bodyStart() {
      return headerBytes;
    }

    /** Offset of chunk {@code i}'s first byte in {@link #recording}. */
    int chunkStart(int i) {
      return headerBytes + PREFIX + i * SEALED;
    }

    /** Number of chunks, the short final one included. */
    int chunks() {
      return plaintext.length / CHUNK + 1;
    }

    /** The plaintext of the first {@code k} chunks. */
    byte[] prefixOfChunks(int k) {
      return Arrays.copyOf(plaintext, Math.min(plaintext.length, k * CHUNK));
    }

    byte[] header() {
      return Arrays.copyOf(recording, headerBytes);
    }

    byte[] body() {
      return Arrays.copyOfRange(recording, headerBytes, recording.length);
    }
  }

  static Sample encrypt(Recordings recordings, Random r, int length, EncryptionContext ctx)
      throws Exception {
    byte[] plain = randomBytes(r, length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RecordingWriter w = recordings.newWriter(out, ctx)) {
      Streams.writeInRandomPieces(w, plain, r);
    }
    byte[] rec = out.toByteArray();
    int headerBytes =
        RecordingHeader.read(new ByteArrayInputStream(rec), ReadOptions.defaults()).toByteArray().length;
    return new Sample(plain, rec, headerBytes, ctx);
  }

  /** What a test fills a read buffer with, to tell bytes never written from wiped or decrypted. */
  static final byte FILL = 0x55;

  /**
   * No decrypted byte in the range: each is 0 (wiped) or {@link #FILL} (never written). Random
   * plaintext has about 64 bytes of 16 KiB that pass this by chance: a leaked chunk cannot.
   */
  static void assertNoPlaintext(byte[] buf, int from, int to) {
    int other = 0;
    for (int i = from; i < to; i++) {
      if (buf[i] != 0 && buf[i] != FILL) {
        other++;
      }
    }
    org.junit.jupiter.api.Assertions.assertEquals(
        0, other, "bytes of unauthenticated plaintext in the caller's array [" + from + ", " + to + ")");
  }

  /** A whole recording of {@code plain} under {@link #RECORDINGS}, written in one piece. */
  static byte[] recording(EncryptionContext ctx, byte[] plain) throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (RecordingWriter w = RECORDINGS.newWriter(out, ctx)) {
      w.write(plain);
    }
    return out.toByteArray();
  }

  /** Where chunk {@code index}'s ciphertext starts in a recording of {@code plainBytes}. */
  static int chunkAt(byte[] rec, int plainBytes, int index) {
    int body = rec.length - (int) Cobblestone.bodyLength(plainBytes);
    return body + PREFIX + index * SEALED;
  }

  static String hex(byte[] b) {
    return Vectors.toHex(b);
  }

  /** A KEK that delegates and counts unwrap calls. */
  static final class CountingKek implements Kek {
    final Kek delegate;
    final AtomicInteger unwraps = new AtomicInteger();

    CountingKek(Kek delegate) {
      this.delegate = delegate;
    }

    @Override
    public String uri() {
      return delegate.uri();
    }

    @Override
    public WrappedKey wrap(byte[] dek, EncryptionContext ctx) throws GeneralSecurityException {
      return delegate.wrap(dek, ctx);
    }

    @Override
    public byte[] unwrap(WrappedKey w, EncryptionContext ctx) throws GeneralSecurityException {
      unwraps.incrementAndGet();
      return delegate.unwrap(w, ctx);
    }
  }
}
