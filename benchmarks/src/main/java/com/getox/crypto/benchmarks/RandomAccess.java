package com.getox.crypto.benchmarks;

import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.SeekableRecording;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
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
 * Latency of a 4 KiB read at a uniformly random offset of a 256 MiB recording on a
 * {@link FileChannel} (page-cached), with {@link SeekableRecording#chunksDecrypted()} per read
 * reported as the secondary metrics {@code chunks}, {@code reads} and {@code readsOver2}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class RandomAccess {
  static final long RECORDING_BYTES = 256L << 20;
  static final int READ_BYTES = 4096;

  @State(Scope.Benchmark)
  public static class Rec {
    File file;
    FileChannel channel;
    SeekableRecording recording;
    long size;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      Recordings recordings = Fixtures.recordings(Fixtures.newLocalKek());
      file = File.createTempFile("oxbench", ".oxr");
      file.deleteOnExit();
      try (RecordingWriter w =
          recordings.newWriter(
              new BufferedOutputStream(new FileOutputStream(file), 1 << 20), Fixtures.CONTEXT)) {
        Fixtures.writeInPieces(w, Fixtures.bytes(1 << 20, 5), RECORDING_BYTES);
      }
      channel = FileChannel.open(file.toPath(), StandardOpenOption.READ);
      recording = recordings.openSeekable(channel, ReadOptions.defaults());
      size = recording.size();
      if (size != RECORDING_BYTES) {
        throw new IllegalStateException("size " + size);
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
      recording.close();
      file.delete();
    }
  }

  /** Per-read chunk counts, summed over the iteration. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Counts {
    public long reads;
    public long chunks;
    public long readsOver2;
    final SplittableRandom random = new SplittableRandom(42);
    final byte[] buf = new byte[READ_BYTES];

    @Setup(Level.Iteration)
    public void reset() {
      reads = chunks = readsOver2 = 0;
    }
  }

  @Benchmark
  public int read4KiB(Rec r, Counts c) throws Exception {
    long offset = c.random.nextLong(r.size - READ_BYTES + 1);
    long before = r.recording.chunksDecrypted();
    int n = r.recording.read(offset, c.buf, 0, READ_BYTES);
    long decrypted = r.recording.chunksDecrypted() - before;
    if (n != READ_BYTES) {
      throw new IllegalStateException("short read " + n);
    }
    c.reads++;
    c.chunks += decrypted;
    if (decrypted > 2) {
      c.readsOver2++;
    }
    return c.buf[0];
  }
}
