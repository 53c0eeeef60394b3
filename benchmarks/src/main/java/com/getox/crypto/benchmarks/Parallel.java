package com.getox.crypto.benchmarks;

import com.getox.crypto.Parallelism;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.Recordings;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * A 256 MiB blob sealed ({@code seal256MiB}) and opened ({@code open256MiB}) with 1 or 2 threads
 * through the public API, {@link Recordings#encrypt} and {@link Recordings#decrypt} with a {@link
 * Parallelism}: header, one local KEK wrap (or unwrap) and the whole body per operation, from an
 * in-memory channel to a discarding one. MB/s = 268.435456 / (seconds per op).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class Parallel {
  static final int BLOB_BYTES = 256 << 20;

  @State(Scope.Benchmark)
  public static class Blob {
    @Param({"1", "2"})
    public int threads;

    Recordings recordings;
    Parallelism parallelism;
    byte[] plaintext;
    byte[] recording;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      recordings = Fixtures.recordings(Fixtures.newLocalKek());
      parallelism = Parallelism.threads(threads);
      plaintext = Fixtures.bytes(BLOB_BYTES, 11);
      Discard sink = new Discard(BLOB_BYTES + BLOB_BYTES / 512 + 4096);
      recordings.encrypt(new ArrayChannel(plaintext), sink, Fixtures.CONTEXT, parallelism);
      recording = java.util.Arrays.copyOf(sink.kept, sink.keptBytes);
      // As in Throughput: SunJCE runs far below speed until C2 has compiled GCM, and JMH's short
      // warm-up left the 1-thread case still speeding up (97 -> 77 ms per blob while measured).
      Warm.aesGcm(Throughput.WARM_MILLIS);
      Warm.untilStable(
          "parallel/seal/" + threads,
          () -> seal(this),
          Throughput.WARM_MILLIS,
          Throughput.MAX_WARM_MILLIS);
      Warm.untilStable(
          "parallel/open/" + threads,
          () -> open(this),
          Throughput.WARM_MILLIS,
          Throughput.MAX_WARM_MILLIS);
    }
  }

  @Benchmark
  public long seal256MiB(Blob b) throws Exception {
    return seal(b);
  }

  @Benchmark
  public long open256MiB(Blob b) throws Exception {
    return open(b);
  }

  static long seal(Blob b) throws Exception {
    Discard sink = new Discard(0);
    b.recordings.encrypt(new ArrayChannel(b.plaintext), sink, Fixtures.CONTEXT, b.parallelism);
    return sink.bytes;
  }

  static long open(Blob b) throws Exception {
    Discard sink = new Discard(0);
    b.recordings.decrypt(new ArrayChannel(b.recording), sink, ReadOptions.defaults(), b.parallelism);
    return sink.bytes;
  }

  /** Reads an array: one copy into the reader's buffer, as from the page cache. */
  static final class ArrayChannel implements ReadableByteChannel {
    private final byte[] data;
    private int pos;

    ArrayChannel(byte[] data) {
      this.data = data;
    }

    @Override
    public int read(ByteBuffer dst) {
      if (pos == data.length) {
        return -1;
      }
      int n = Math.min(dst.remaining(), data.length - pos);
      dst.put(data, pos, n);
      pos += n;
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }

  /** Counts what it is given and drops it (keeps the first {@code keep} bytes, for set-up). */
  static final class Discard implements WritableByteChannel {
    long bytes;
    final byte[] kept;
    int keptBytes;

    Discard(int keep) {
      kept = new byte[keep];
    }

    @Override
    public int write(ByteBuffer src) {
      int n = src.remaining();
      int k = Math.min(n, kept.length - keptBytes);
      if (k > 0) {
        src.get(kept, keptBytes, k);
        keptBytes += k;
      }
      ((java.nio.Buffer) src).position(src.limit());
      bytes += n;
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
