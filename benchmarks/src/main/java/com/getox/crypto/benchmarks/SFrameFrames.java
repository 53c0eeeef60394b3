package com.getox.crypto.benchmarks;

import com.getox.crypto.Recordings;
import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.sframe.CounterStore;
import com.getox.crypto.sframe.SFrameReceiver;
import com.getox.crypto.sframe.SFrameSender;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * Live audio: per-frame SFrame (RFC 9605, AES-256-GCM) encrypt and decrypt latency for 40, 160 and
 * 640-byte codec frames (Opus at low bitrates to 20 ms of 16 kHz PCM), with a 12-byte RTP-like
 * header as authenticated metadata. Run with {@code -prof gc} for {@code gc.alloc.rate.norm}
 * (bytes allocated per frame). Decrypt walks a pre-sealed batch of fresh frames, so the replay
 * window accepts every one; a new receiver takes over when the batch is used up.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@State(Scope.Thread)
public class SFrameFrames {
  private static final int BATCH = 1 << 15;

  @Param({"40", "160", "640"})
  public int frameBytes;

  private final byte[] metadata = new byte[12];
  private byte[] frame;
  private SFrameSender sender;
  private Recordings recordings;
  private byte[] keyPackage;
  private List<byte[]> sealed;
  private SFrameReceiver receiver;
  private int next;

  /** Counters in memory: a benchmark has no restart to survive. */
  static final class MemoryCounters implements CounterStore {
    private final Map<String, Long> values = new HashMap<>();

    @Override
    public synchronized long load(String name) {
      Long v = values.get(name);
      return v == null ? 0 : v;
    }

    @Override
    public synchronized void store(String name, long value) {
      values.put(name, value);
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    recordings =
        Recordings.builder().wrapWith(Fixtures.newLocalKek()).auditSink(AuditSink.none()).build();
    frame = Fixtures.bytes(frameBytes, frameBytes);
    final byte[][] published = new byte[1][];
    sender =
        SFrameSender.builder(recordings, "bench", new MemoryCounters())
            .rotateEveryFrames(Long.MAX_VALUE)
            .rotateEveryMillis(Long.MAX_VALUE)
            .counterReservation(1 << 20)
            .auditSink(AuditSink.none())
            .onKeyPackage(b -> published[0] = b)
            .build();
    keyPackage = published[0] != null ? published[0] : sender.currentKeyPackage();
    sealed = new ArrayList<>(BATCH);
    for (int i = 0; i < BATCH; i++) {
      sealed.add(sender.encrypt(frame, metadata));
    }
    freshReceiver();
  }

  private void freshReceiver() throws Exception {
    receiver =
        SFrameReceiver.builder(recordings, "bench")
            .replayWindowFrames(64)
            .auditSink(AuditSink.none())
            .build();
    receiver.addKeyPackage(keyPackage);
    next = 0;
  }

  @Benchmark
  public byte[] encrypt() throws Exception {
    return sender.encrypt(frame, metadata);
  }

  @Benchmark
  public byte[] decrypt() throws Exception {
    if (next == BATCH) {
      freshReceiver();
    }
    return receiver.decrypt(sealed.get(next++), metadata).plaintext();
  }
}
