package com.getox.crypto.benchmarks;

import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Steady-state streaming throughput of a recording (ours) and of the ceiling, per JCA provider.
 * One operation moves {@link Fixtures#OP_BYTES} (1 MiB) of plaintext: ops/s × 1.048576 = MB/s.
 *
 * <p>Ours writes into one long-lived {@link RecordingWriter} (to a discarding sink) in pieces of
 * {@code pieceBytes} from one reused array, as an audio app would, and reads a 64 MiB recording
 * from memory in pieces of {@code pieceBytes} (reopening it, envelope and all, when it ends):
 * {@code oursDecrypt} through a stream over the array ({@code newInputStream(InputStream, ...)},
 * which copies the ciphertext out of its source as any stream reader must), {@code
 * oursDecryptFromMemory} from the array itself ({@code newInputStream(byte[], ...)}, no copy: like
 * for like with {@code ceilingDecrypt}).
 *
 * <p>The ceiling is raw JCE {@code AES/GCM/NoPadding} doing only what the format needs: one
 * {@code init} and one {@code doFinal} per 16 KiB chunk, a counter nonce, reused buffers and no
 * copies. It does not depend on the piece size, so it runs once per provider. Each ceiling stands
 * for one workload:
 *
 * <ul>
 *   <li>{@code ceilingEncrypt}, the one the targets use: seals one reused 16 KiB buffer into one
 *       reused output buffer, both cache-resident, as ours is when an app writes from one reused
 *       array (the strictest ceiling: no memory traffic at all);
 *   <li>{@code ceilingEncryptStreaming}: seals plaintext that streams from memory, 4096 distinct
 *       16 KiB arrays (64 MiB, cycled, never in cache), into one reused output buffer, as any
 *       stream writer seals into its chunk buffer: the ceiling for encrypting a large file or
 *       buffer;
 *   <li>{@code ceilingDecrypt}: opens 64 MiB of chunks (4096 distinct arrays, cycled) into one
 *       reused buffer, the same amount of ciphertext ours streams through.
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class Throughput {
  static final int CHUNK = 16384;
  /** Mixed-size AES-GCM warm-up before JMH's own (see {@link Warm}). */
  static final long WARM_MILLIS = Long.getLong("ox.warmMillis", 2000);
  /** Longest adaptive warm-up on the benchmark's own path (see {@link Warm#untilStable}). */
  static final long MAX_WARM_MILLIS = Long.getLong("ox.maxWarmMillis", 30000);
  static final int CHUNKS_PER_OP = Fixtures.OP_BYTES / CHUNK;
  static final int DECRYPT_CHUNKS = Fixtures.DECRYPT_MESSAGE_BYTES / CHUNK;

  /** Ours: a long-lived writer and reader on the selected provider. */
  @State(Scope.Thread)
  public static class Ours extends Fixtures.StreamingRead {
    @Param({Providers.SUNJCE, Providers.CONSCRYPT, Providers.ACCP})
    public String provider;

    @Param({"640", "4096", "16384", "65536", "1048576"})
    public int pieceBytes;

    Recordings recordings;
    byte[] piece;
    byte[] ciphertext;
    RecordingWriter writer;
    Fixtures.Discard sink;
    boolean decrypting;
    /** Reads through {@code newInputStream(byte[], ...)} rather than a stream over the array. */
    boolean fromMemory;
    /** {@code oursEncryptStreaming}'s plaintext: 64 MiB, written in pieces from {@code streamAt}, cycled. */
    byte[] stream;
    int streamAt;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws Exception {
      fromMemory = params.getBenchmark().endsWith("DecryptFromMemory");
      if (params.getBenchmark().endsWith("EncryptStreaming")) {
        stream = Fixtures.bytes(Fixtures.DECRYPT_MESSAGE_BYTES, 5);
      }
      setUp(params.getBenchmark().endsWith("Decrypt") || fromMemory);
    }

    /** The trial set-up without JMH (for {@link Smoke}). */
    void setUp(boolean decrypt) throws Exception {
      Providers.install(provider);
      Warm.aesGcm(WARM_MILLIS);
      recordings = Fixtures.recordings(Fixtures.newLocalKek());
      piece = Fixtures.bytes(pieceBytes, 1);
      readBuf = new byte[pieceBytes];
      decrypting = decrypt;
      // Warm up on the benchmark's own path, both directions, over a small recording.
      ciphertext =
          Fixtures.ciphertext(out -> recordings.newWriter(out, Fixtures.CONTEXT), 4 << 20);
      open();
      Warm.untilStable(
          "ours/" + provider,
          () -> {
            Fixtures.writeInPieces(writer, piece, Fixtures.OP_BYTES);
            readOp();
            return 2L * Fixtures.OP_BYTES;
          },
          WARM_MILLIS,
          MAX_WARM_MILLIS);
      close();
      ciphertext = !decrypting ? null :
          Fixtures.ciphertext(
              out -> recordings.newWriter(out, Fixtures.CONTEXT), Fixtures.DECRYPT_MESSAGE_BYTES);
    }

    @Setup(Level.Iteration)
    public void open() throws Exception {
      sink = new Fixtures.Discard();
      writer = recordings.newWriter(sink, Fixtures.CONTEXT);
      if (ciphertext != null) {
        reopenReader();
      }
    }

    @Override
    void reopenReader() throws Exception {
      reader = fromMemory
          ? recordings.newInputStream(ciphertext, ReadOptions.defaults())
          : recordings.newInputStream(new ByteArrayInputStream(ciphertext), ReadOptions.defaults());
    }

    @TearDown(Level.Iteration)
    public void close() throws Exception {
      writer.close();
      if (reader != null) {
        reader.close();
        reader = null;
      }
    }
  }

  /** The ceiling on the selected provider. */
  @State(Scope.Thread)
  public static class Ceiling {
    @Param({Providers.SUNJCE, Providers.CONSCRYPT, Providers.ACCP})
    public String provider;

    Cipher cipher;
    SecretKeySpec key;
    byte[] baseNonce;
    final byte[] nonce = new byte[12];
    byte[] plain;
    byte[] out;
    byte[][] sealed;
    int next;
    long counter;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      Providers.install(provider);
      Warm.aesGcm(WARM_MILLIS);
      cipher = Cipher.getInstance("AES/GCM/NoPadding");
      key = new SecretKeySpec(Fixtures.bytes(32, 2), "AES");
      baseNonce = Fixtures.bytes(12, 3);
      plain = Fixtures.bytes(CHUNK, 4);
      out = new byte[CHUNK + 16];
      // Decrypt reads the same amount of ciphertext as ours does (64 MiB, cycled through), so
      // both stream from memory rather than one re-reading a cache-resident megabyte.
      sealed = new byte[DECRYPT_CHUNKS][];
      byte[] chunkPlain = new byte[CHUNK];
      for (int i = 0; i < DECRYPT_CHUNKS; i++) {
        sealed[i] = new byte[CHUNK + 16];
        System.arraycopy(Fixtures.bytes(64, i), 0, chunkPlain, 0, 64);
        seal(i, chunkPlain, sealed[i]);
      }
      counter = DECRYPT_CHUNKS;
      Warm.untilStable(
          "ceiling/" + provider,
          () -> {
            sealOp(this);
            openOp(this, false);
            return 2L * Fixtures.OP_BYTES;
          },
          WARM_MILLIS,
          MAX_WARM_MILLIS);
    }

    GCMParameterSpec spec(long index) {
      System.arraycopy(baseNonce, 0, nonce, 0, 12);
      for (int i = 0; i < 8; i++) {
        nonce[11 - i] ^= (byte) (index >>> (8 * i));
      }
      return new GCMParameterSpec(128, nonce);
    }

    int seal(long index, byte[] in, byte[] dst) throws Exception {
      cipher.init(Cipher.ENCRYPT_MODE, key, spec(index));
      return cipher.doFinal(in, 0, CHUNK, dst, 0);
    }

    int open(long index, byte[] in, byte[] dst) throws Exception {
      cipher.init(Cipher.DECRYPT_MODE, key, spec(index));
      return cipher.doFinal(in, 0, in.length, dst, 0);
    }
  }

  @Benchmark
  public long oursEncrypt(Ours s) throws Exception {
    Fixtures.writeInPieces(s.writer, s.piece, Fixtures.OP_BYTES);
    return s.sink.bytes;
  }

  /**
   * As {@code oursEncrypt}, but the pieces stream from memory: successive slices of 64 MiB of
   * plaintext (cycled, never in cache), as when a large file or buffer is encrypted. Compared with
   * {@code ceilingEncryptStreaming}, which seals 4096 distinct 16 KiB arrays.
   */
  @Benchmark
  public long oursEncryptStreaming(Ours s) throws Exception {
    int left = Fixtures.OP_BYTES;
    while (left > 0) {
      int n = Math.min(s.pieceBytes, left);
      if (s.streamAt > s.stream.length - n) {
        s.streamAt = 0;
      }
      s.writer.write(s.stream, s.streamAt, n);
      s.streamAt += n;
      left -= n;
    }
    return s.sink.bytes;
  }

  @Benchmark
  public long oursDecrypt(Ours s) throws Exception {
    return s.readOp();
  }

  /**
   * As {@code oursDecrypt}, but the recording is read in place from its array ({@code
   * Recordings.newInputStream(byte[], ReadOptions)}): the decrypt target's like-for-like
   * comparison with {@code ceilingDecrypt}, which also opens ciphertext already in memory.
   */
  @Benchmark
  public long oursDecryptFromMemory(Ours s) throws Exception {
    return s.readOp();
  }

  @Benchmark
  public int ceilingEncrypt(Ceiling s) throws Exception {
    return sealOp(s);
  }

  /** The encrypt ceiling for plaintext streaming from memory (not a target's reference). */
  @Benchmark
  public int ceilingEncryptStreaming(Ceiling s) throws Exception {
    return sealStreamingOp(s);
  }

  @Benchmark
  public int ceilingDecrypt(Ceiling s) throws Exception {
    return openOp(s, false);
  }

  /**
   * Not a target, a diagnostic: the ceiling plus the one copy that any reader of a stream makes,
   * the ciphertext read out of its source into the reader's own buffer (here, as in {@code
   * oursDecrypt}, from a 64 MiB array). {@code oursDecrypt} against this shows what our reader
   * costs beyond that copy.
   */
  @Benchmark
  public int copyThenDecrypt(Ceiling s) throws Exception {
    return openOp(s, true);
  }

  static int sealOp(Ceiling s) throws Exception {
    int n = 0;
    for (int i = 0; i < CHUNKS_PER_OP; i++) {
      n += s.seal(s.counter++, s.plain, s.out);
    }
    return n + s.out[0];
  }

  /**
   * Seals one op's chunks, each from the next of the 4096 distinct arrays of {@code sealed} (64
   * MiB: their first 16 KiB serve as plaintext), into the one reused output buffer.
   */
  static int sealStreamingOp(Ceiling s) throws Exception {
    int n = 0;
    for (int i = 0; i < CHUNKS_PER_OP; i++) {
      int index = s.next;
      s.next = (index + 1) % DECRYPT_CHUNKS;
      n += s.seal(s.counter++, s.sealed[index], s.out);
    }
    return n + s.out[0];
  }

  /** Opens one op's chunks; with {@code copyFirst}, each out of its array into a reused one. */
  static int openOp(Ceiling s, boolean copyFirst) throws Exception {
    int n = 0;
    for (int i = 0; i < CHUNKS_PER_OP; i++) {
      int index = s.next;
      s.next = (index + 1) % DECRYPT_CHUNKS;
      byte[] sealed = s.sealed[index];
      if (copyFirst) {
        System.arraycopy(sealed, 0, s.out, 0, sealed.length);
        sealed = s.out;
      }
      n += s.open(index, sealed, s.plain);
    }
    return n + s.plain[0];
  }
}
