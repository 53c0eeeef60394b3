package com.getox.crypto.benchmarks;

import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.SeekableRecording;
import com.getox.crypto.audio.AudioRecording;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.InputStream;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Seek by time in an encrypted Ogg Opus recording (issue 15): {@link AudioRecording#open} then
 * {@link AudioRecording#openClip} at a uniformly random time and the clip's first page read, over
 * a 1 min and a 1 h synthetic 24 kbit/s stream (20 ms packets of 60 bytes, 1 s pages) on a
 * page-cached {@link FileChannel}. Secondary metrics: {@code seeks} and {@code chunks} (decrypted,
 * from open through the first audio page; chunks/seeks is the mean per seek). The issue bounds a
 * 1 h seek at 2·⌈log2(chunks)⌉ + 4 = 24 chunks (core's OggSeekCostTest asserts it per seek).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1) // the 1 h case needs ~4 s to reach steady speed
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class OggOpusSeek {
  static final int PACKET_BYTES = 60; // 24 kbit/s in 20 ms packets
  static final int PACKETS_PER_PAGE = 50;

  @State(Scope.Benchmark)
  public static class Rec {
    @Param({"60", "3600"})
    public int seconds;

    File file;
    FileChannel channel;
    SeekableRecording recording;
    long durationMicros;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      Recordings recordings = Fixtures.recordings(Fixtures.newLocalKek());
      file = File.createTempFile("oxbench", ".oxr");
      file.deleteOnExit();
      try (RecordingWriter w = recordings.newWriter(new FileOutputStream(file), Fixtures.CONTEXT)) {
        w.write(oggOpus(seconds));
      }
      channel = FileChannel.open(file.toPath(), StandardOpenOption.READ);
      recording = recordings.openSeekable(channel, ReadOptions.defaults());
      durationMicros = AudioRecording.open(recording).durationMicros();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
      recording.close();
      file.delete();
    }
  }

  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Counts {
    public long seeks;
    public long chunks;
    final SplittableRandom random = new SplittableRandom(15);
    final byte[] buf = new byte[8192];

    @Setup(Level.Iteration)
    public void reset() {
      seeks = chunks = 0;
    }
  }

  @Benchmark
  public int seek(Rec r, Counts c) throws Exception {
    long from = c.random.nextLong(r.durationMicros);
    AudioRecording audio = AudioRecording.open(r.recording);
    int n;
    try (InputStream clip = audio.openClip(from)) {
      n = clip.read(c.buf); // the ID header page
      n += clip.read(c.buf); // ... then the comment page, then the first audio page
      n += clip.read(c.buf);
    }
    long chunks = audio.chunksTouched();
    c.seeks++;
    c.chunks += chunks;
    return n;
  }

  /** A minimal Ogg Opus stream: ID and comment headers, then {@code seconds} of 20 ms packets. */
  static byte[] oggOpus(int seconds) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(seconds * 3200 + 4096);
    byte[] head = {'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, 1, 0x38, 0x01, (byte) 0x80, (byte) 0xBB, 0, 0, 0, 0, 0};
    byte[] tags = {'O', 'p', 'u', 's', 'T', 'a', 'g', 's', 5, 0, 0, 0, 'b', 'e', 'n', 'c', 'h', 0, 0, 0, 0};
    int serial = 0x0E5EE4;
    int sequence = 0;
    page(out, 2, 0, serial, sequence++, new byte[][] {head});
    page(out, 0, 0, serial, sequence++, new byte[][] {tags});
    SplittableRandom random = new SplittableRandom(24);
    int packets = seconds * 50;
    long granule = 0;
    for (int i = 0; i < packets; i += PACKETS_PER_PAGE) {
      int n = Math.min(PACKETS_PER_PAGE, packets - i);
      byte[][] body = new byte[n][];
      for (int k = 0; k < n; k++) {
        body[k] = new byte[PACKET_BYTES];
        random.nextBytes(body[k]);
        body[k][0] = (byte) 0xF8; // TOC: CELT fullband 20 ms, one frame
      }
      granule += 960L * n;
      page(out, i + n == packets ? 4 : 0, granule, serial, sequence++, body);
    }
    return out.toByteArray();
  }

  /** One page of whole packets (each under 255 bytes), with its CRC. */
  private static void page(ByteArrayOutputStream out, int flags, long granule, int serial, int sequence, byte[][] packets) {
    int body = 0;
    for (byte[] p : packets) {
      body += p.length;
    }
    byte[] b = new byte[27 + packets.length + body];
    b[0] = 'O';
    b[1] = 'g';
    b[2] = 'g';
    b[3] = 'S';
    b[5] = (byte) flags;
    for (int i = 0; i < 8; i++) {
      b[6 + i] = (byte) (granule >>> (8 * i));
    }
    for (int i = 0; i < 4; i++) {
      b[14 + i] = (byte) (serial >>> (8 * i));
      b[18 + i] = (byte) (sequence >>> (8 * i));
    }
    b[26] = (byte) packets.length;
    int at = 27 + packets.length;
    for (int k = 0; k < packets.length; k++) {
      b[27 + k] = (byte) packets[k].length;
      System.arraycopy(packets[k], 0, b, at, packets[k].length);
      at += packets[k].length;
    }
    int crc = 0; // Ogg CRC-32: polynomial 0x04C11DB7, not reflected, initial 0
    for (byte v : b) {
      crc ^= (v & 0xFF) << 24;
      for (int k = 0; k < 8; k++) {
        crc = crc < 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
      }
    }
    for (int i = 0; i < 4; i++) {
      b[22 + i] = (byte) (crc >>> (8 * i));
    }
    out.write(b, 0, b.length);
  }
}
