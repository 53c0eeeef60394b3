package com.getox.crypto.benchmarks;

import com.getox.crypto.internal.Cobblestone;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Sealing a 256 MiB blob with 1 or 2 threads. Chunks are independent, so each thread seals every
 * {@code threads}-th chunk of a 4 MiB batch with its own {@link Cobblestone#copy()}, and the
 * calling thread emits the sealed chunks in order before the next batch. One operation is the
 * whole blob: MB/s = 268.435456 / (seconds per op).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class Parallel {
  static final int BLOB_BYTES = 256 << 20;
  static final int CHUNK = Cobblestone.CHUNK_PLAINTEXT_BYTES;
  static final int BATCH_CHUNKS = 256;

  @State(Scope.Benchmark)
  public static class Blob {
    @Param({"1", "2"})
    public int threads;

    byte[] plaintext;
    Cobblestone[] ciphers;
    byte[][] slots;
    ExecutorService pool;
    Fixtures.Discard sink;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      plaintext = Fixtures.bytes(BLOB_BYTES, 11);
      byte[] prefix = new byte[Cobblestone.PREFIX_BYTES];
      Cobblestone first =
          Cobblestone.seal(Fixtures.bytes(32, 12), Fixtures.bytes(24, 13), new byte[0], prefix, null);
      ciphers = new Cobblestone[threads];
      ciphers[0] = first;
      for (int t = 1; t < threads; t++) {
        ciphers[t] = first.copy();
      }
      slots = new byte[BATCH_CHUNKS][Cobblestone.CHUNK_CIPHERTEXT_BYTES];
      pool = Executors.newFixedThreadPool(threads);
      sink = new Fixtures.Discard();
      // As in Throughput: SunJCE runs far below speed until C2 has compiled GCM, and JMH's short
      // warm-up left the 1-thread case still speeding up (97 -> 77 ms per blob while measured).
      Warm.aesGcm(Throughput.WARM_MILLIS);
      Warm.untilStable(
          "parallel/" + threads,
          () -> {
            seal(this);
            return (long) BLOB_BYTES;
          },
          Throughput.WARM_MILLIS,
          Throughput.MAX_WARM_MILLIS);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      pool.shutdownNow();
    }
  }

  @Benchmark
  public long seal256MiB(Blob b) throws Exception {
    return seal(b);
  }

  static long seal(Blob b) throws Exception {
    int totalChunks = BLOB_BYTES / CHUNK; // the final (empty) chunk is sealed after the loop
    int[] lengths = new int[BATCH_CHUNKS];
    List<Callable<Void>> tasks = new ArrayList<>(b.threads);
    for (int first = 0; first < totalChunks; first += BATCH_CHUNKS) {
      final int base = first;
      final int count = Math.min(BATCH_CHUNKS, totalChunks - first);
      tasks.clear();
      for (int t = 0; t < b.threads; t++) {
        final int worker = t;
        tasks.add(
            () -> {
              Cobblestone c = b.ciphers[worker];
              for (int k = worker; k < count; k += b.threads) {
                long index = base + k;
                lengths[k] =
                    c.sealChunk(index, b.plaintext, (int) (index * CHUNK), CHUNK, b.slots[k], 0);
              }
              return null;
            });
      }
      for (Future<Void> f : b.pool.invokeAll(tasks)) {
        f.get();
      }
      for (int k = 0; k < count; k++) {
        b.sink.write(b.slots[k], 0, lengths[k]);
      }
    }
    int n = b.ciphers[0].sealChunk(totalChunks, b.plaintext, 0, 0, b.slots[0], 0);
    b.sink.write(b.slots[0], 0, n);
    return b.sink.bytes;
  }
}
