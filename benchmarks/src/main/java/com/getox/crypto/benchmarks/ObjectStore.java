package com.getox.crypto.benchmarks;

import com.getox.crypto.ReadOptions;
import com.getox.crypto.Recordings;
import com.getox.crypto.SeekableRecording;
import com.getox.crypto.local.LocalKms;
import com.getox.crypto.s3.LocalS3;
import com.getox.crypto.s3.S3RecordingWriter;
import com.getox.crypto.s3.S3Recordings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ox-crypto-s3 against S3Proxy on loopback (s3's test fixtures, through the SDK and a byte-counting
 * proxy): a 4 KiB read at a uniformly random offset of a 64 MiB recording ({@code read4KiB}), and
 * a metadata-only re-wrap after a KEK rotation ({@code rewrap}; the rotation is untimed). Secondary
 * metrics per operation: {@code wireBytes} (requests and answers, heads included) and {@code
 * bodyBytes} (object body bytes downloaded).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class ObjectStore {
  static final long RECORDING_BYTES = 64L << 20;
  static final int READ_BYTES = 4096;
  static final String KEY = "bench/recording.oxr";

  @State(Scope.Benchmark)
  public static class Store {
    Path dir;
    LocalS3 s3;
    LocalKms kms;
    S3Recordings store;
    SeekableRecording recording;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      dir = Files.createTempDirectory("oxbench-s3");
      s3 = LocalS3.start(dir.resolve("store"));
      kms = Fixtures.newLocalKek();
      Recordings recordings = Fixtures.recordings(kms);
      store = S3Recordings.builder(s3.client, recordings).build();
      try (S3RecordingWriter w = store.newWriter(LocalS3.BUCKET, KEY, Fixtures.CONTEXT)) {
        byte[] piece = Fixtures.bytes(1 << 20, 5);
        for (long n = 0; n < RECORDING_BYTES; n += piece.length) {
          w.write(piece);
        }
      }
      recording = store.openSeekable(LocalS3.BUCKET, KEY, ReadOptions.defaults());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
      recording.close();
      s3.close();
    }
  }

  /** Bytes on the wire per operation, summed over the iteration (divide by {@code ops}). */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Bytes {
    public long ops;
    public long wireBytes;
    public long bodyBytes;
    final SplittableRandom random = new SplittableRandom(42);
    final byte[] buf = new byte[READ_BYTES];

    @Setup(Level.Iteration)
    public void reset() {
      ops = wireBytes = bodyBytes = 0;
    }
  }

  @Benchmark
  public int read4KiB(Store s, Bytes b) throws Exception {
    long offset = b.random.nextLong(RECORDING_BYTES - READ_BYTES + 1);
    s.s3.wire.reset();
    int n = s.recording.read(offset, b.buf, 0, READ_BYTES);
    if (n != READ_BYTES) {
      throw new IllegalStateException("short read " + n);
    }
    b.ops++;
    b.wireBytes += s.s3.wire.totalBytes();
    b.bodyBytes += s.s3.wire.bodyBytesDown(KEY);
    return b.buf[0];
  }

  /** Rotates the KEK before each re-wrap, untimed, so every re-wrap has work to do. */
  @State(Scope.Thread)
  public static class Rotated {
    @Setup(Level.Invocation)
    public void rotate(Store s) throws Exception {
      s.kms.rotate();
      s.s3.wire.reset();
    }
  }

  @Benchmark
  public boolean rewrap(Store s, Rotated r, Bytes b) throws Exception {
    boolean changed = s.store.rewrap(LocalS3.BUCKET, KEY, ReadOptions.defaults());
    if (!changed) {
      throw new IllegalStateException("nothing to re-wrap");
    }
    b.ops++;
    b.wireBytes += s.s3.wire.totalBytes();
    b.bodyBytes += s.s3.wire.bodyBytesDown(KEY);
    return changed;
  }
}
