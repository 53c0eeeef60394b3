package com.getox.crypto.benchmarks;

import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The time of a durable flush: a recording written through {@link Recordings#newFileWriter} (a
 * file in a temporary directory, deleted in tear-down), {@code bytesPerFlush} bytes written in
 * ten 20 ms frames before each call, so one call covers 200 ms of audio: 600 B is 24 kbit/s Opus,
 * 6400 B is 256 kbit/s (16 kHz 16-bit PCM). {@code flush} times {@link RecordingWriter#flush()}
 * alone (seal the bytes since the last flush into one flush record, {@code pwrite} it); {@code
 * sync} times {@link RecordingWriter#sync()} (the same, then {@code fdatasync}). The frames are
 * written in the per-invocation set-up, outside the timing, including the chunk seal every 16 KiB.
 * The recording is closed, deleted and started again (untimed) every {@link #RECORDING_BYTES}.
 *
 * <p>Sample mode: every call is timed, so the percentiles are the flush's latency distribution.
 * The bytes and seals per flush are counted by {@link FlushCost}, not here. The file system is
 * that of {@code java.io.tmpdir}, or {@code -Dox.flushDir=DIR} (pass it with {@code -jvmArgs}).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Flush {
  /** Plaintext per recording before it is closed and a new one started. */
  static final long RECORDING_BYTES = 4L << 20;

  @State(Scope.Thread)
  public static class Rec {
    @Param({"600", "6400"})
    public int bytesPerFlush;

    @Param({Providers.SUNJCE})
    public String provider;

    Path dir;
    Recordings recordings;
    RecordingWriter writer;
    File file;
    byte[] frame;
    int recordingsStarted;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      Providers.install(provider);
      Warm.aesGcm(Throughput.WARM_MILLIS);
      dir = FlushCost.dir();
      recordings = Fixtures.recordings(Fixtures.newLocalKek());
      frame = Fixtures.bytes(bytesPerFlush / FlushCost.FRAMES_PER_FLUSH, 11);
      start();
    }

    void start() throws Exception {
      file = dir.resolve("r" + (recordingsStarted++ % 2) + ".oxr").toFile();
      Files.deleteIfExists(file.toPath());
      writer = recordings.newFileWriter(file, Fixtures.CONTEXT);
    }

    /** 200 ms of audio, in ten frames; a new recording when this one is long enough. */
    @Setup(Level.Invocation)
    public void write() throws Exception {
      if (writer.plaintextBytes() >= RECORDING_BYTES) {
        writer.close();
        Files.delete(file.toPath());
        start();
      }
      for (int i = 0; i < FlushCost.FRAMES_PER_FLUSH; i++) {
        writer.write(frame);
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
      writer.close();
      Files.deleteIfExists(file.toPath());
      Files.deleteIfExists(dir);
    }
  }

  @Benchmark
  public void flush(Rec r) throws Exception {
    r.writer.flush();
  }

  @Benchmark
  public void sync(Rec r) throws Exception {
    r.writer.sync();
  }
}
