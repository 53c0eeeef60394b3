package com.getox.crypto.benchmarks;

import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.SeekableRecording;
import com.getox.crypto.audio.AudioRecording;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
 * Seek by time (issue 15): µs to open a clip at a uniformly random time and read its first 4 KiB
 * (the container's fresh header and the audio from the seek point), in 1-minute and 1-hour
 * recordings, WAV (16 kHz mono 16-bit PCM) and Ogg Opus (24 kbit/s, 20 ms packets, 1 s pages, as
 * opusenc writes a voice recording). Secondary metrics: {@code seeks}, {@code chunks} (chunks the
 * recording decrypted, from {@link AudioRecording#chunksTouched()}), {@code maxChunks} is not an
 * average JMH can sum, so {@code seeksOverBound} counts seeks over the bound (WAV: 2 chunks
 * besides the header; Ogg Opus: 2·⌈log2(chunks)⌉ + 4).
 *
 * <p>The Ogg stream is synthetic: pages and CRCs are valid, packets carry a CELT 20 ms TOC byte
 * and random payload (seeking reads granule positions and TOC bytes only, never decodes).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// The Ogg path takes ~5 s of seeks to be compiled (1.6 ms per seek in the first second, 0.3 ms after).
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(3)
public class AudioSeek {
  static final int CLIP_HEAD_BYTES = 4096;

  @State(Scope.Benchmark)
  public static class Rec {
    @Param({"wav", "opus"})
    public String container;

    @Param({"60", "3600"})
    public int seconds;

    File file;
    FileChannel channel;
    SeekableRecording recording;
    AudioRecording audio;
    long durationMicros;
    long bound;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      Recordings recordings = Fixtures.recordings(Fixtures.newLocalKek());
      file = File.createTempFile("oxseek", ".oxr");
      file.deleteOnExit();
      try (RecordingWriter w =
          recordings.newWriter(
              new BufferedOutputStream(new FileOutputStream(file), 1 << 20), Fixtures.CONTEXT)) {
        if (container.equals("wav")) {
          writeWav(w, seconds);
        } else {
          writeOggOpus(w, seconds);
        }
      }
      channel = FileChannel.open(file.toPath(), StandardOpenOption.READ);
      recording = recordings.openSeekable(channel, ReadOptions.defaults());
      audio = AudioRecording.open(recording);
      durationMicros = audio.durationMicros();
      long chunks = (recording.size() + Recordings.chunkSizeBytes() - 1) / Recordings.chunkSizeBytes();
      bound = container.equals("wav") ? 3 : 2L * (64 - Long.numberOfLeadingZeros(chunks - 1)) + 4;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
      recording.close();
      file.delete();
    }
  }

  /** Per-seek chunk counts, summed over the iteration. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Counts {
    public long seeks;
    public long chunks;
    public long seeksOverBound;
    final SplittableRandom random = new SplittableRandom(42);
    final byte[] buf = new byte[CLIP_HEAD_BYTES];

    @Setup(Level.Iteration)
    public void reset() {
      seeks = chunks = seeksOverBound = 0;
    }
  }

  @Benchmark
  public int seekAndRead4KiB(Rec r, Counts c) throws Exception {
    // At least 3 s before the end: 4 KiB of clip is about 1.3 s of 24 kbit/s Opus.
    long from = c.random.nextLong(r.durationMicros - 3_000_000L);
    long before = r.audio.chunksTouched();
    int n;
    try (InputStream clip = r.audio.openClip(from)) {
      n = Fixtures.readFully(clip, c.buf);
    }
    long touched = r.audio.chunksTouched() - before;
    if (n != CLIP_HEAD_BYTES) {
      throw new IllegalStateException("short clip " + n);
    }
    c.seeks++;
    c.chunks += touched;
    if (touched > r.bound) {
      c.seeksOverBound++;
    }
    return c.buf[n - 1];
  }

  /** 16 kHz mono 16-bit PCM, a canonical 44-byte header; the samples are noise. */
  static void writeWav(OutputStream out, int seconds) throws IOException {
    int rate = 16000;
    long dataBytes = 2L * rate * seconds;
    ByteArrayOutputStream h = new ByteArrayOutputStream();
    h.write(new byte[] {'R', 'I', 'F', 'F'});
    le(h, 36 + dataBytes, 4);
    h.write(new byte[] {'W', 'A', 'V', 'E', 'f', 'm', 't', ' '});
    le(h, 16, 4);
    le(h, 1, 2); // PCM
    le(h, 1, 2); // mono
    le(h, rate, 4);
    le(h, 2L * rate, 4);
    le(h, 2, 2);
    le(h, 16, 2);
    h.write(new byte[] {'d', 'a', 't', 'a'});
    le(h, dataBytes, 4);
    out.write(h.toByteArray());
    Fixtures.writeInPieces(out, Fixtures.bytes(1 << 16, 7), dataBytes);
  }

  /**
   * Ogg Opus, 24 kbit/s: 60-byte packets of 20 ms (TOC 0xF8: CELT fullband 20 ms, one frame),
   * 50 per page, granule positions and CRCs as opusenc writes them (pre-skip 312).
   */
  static void writeOggOpus(OutputStream out, int seconds) throws IOException {
    int serial = 0x0C0FFEE;
    int preSkip = 312;
    byte[] head = {'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, 1,
        (byte) preSkip, (byte) (preSkip >> 8), (byte) 0x80, 0x3E, 0, 0, 0, 0, 0};
    byte[] tags = {'O', 'p', 'u', 's', 'T', 'a', 'g', 's', 5, 0, 0, 0, 'o', 'x', 'b', 'e', 'n', 0, 0, 0, 0};
    int seq = 0;
    out.write(page(0x02, 0, serial, seq++, new byte[][] {head}));
    out.write(page(0x00, 0, serial, seq++, new byte[][] {tags}));
    SplittableRandom random = new SplittableRandom(11);
    long granule = preSkip;
    int packets = seconds * 50;
    for (int p = 0; p < packets; p += 50) {
      int n = Math.min(50, packets - p);
      byte[][] page = new byte[n][60];
      for (byte[] packet : page) {
        for (int i = 0; i < packet.length; i++) {
          packet[i] = (byte) random.nextInt(256);
        }
        packet[0] = (byte) 0xF8;
      }
      granule += 960L * n;
      boolean last = p + n >= packets;
      out.write(page(last ? 0x04 : 0x00, granule, serial, seq++, page));
    }
  }

  static byte[] page(int flags, long granule, int serial, int seq, byte[][] packets)
      throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    ByteArrayOutputStream lacing = new ByteArrayOutputStream();
    for (byte[] p : packets) {
      body.write(p);
      int left = p.length;
      while (left >= 255) {
        lacing.write(255);
        left -= 255;
      }
      lacing.write(left);
    }
    ByteArrayOutputStream h = new ByteArrayOutputStream();
    h.write(new byte[] {'O', 'g', 'g', 'S', 0, (byte) flags});
    le(h, granule, 8);
    le(h, serial, 4);
    le(h, seq, 4);
    le(h, 0, 4); // CRC, filled in below
    h.write(lacing.size());
    lacing.writeTo(h);
    body.writeTo(h);
    byte[] pageBytes = h.toByteArray();
    int crc = oggCrc(pageBytes);
    pageBytes[22] = (byte) crc;
    pageBytes[23] = (byte) (crc >>> 8);
    pageBytes[24] = (byte) (crc >>> 16);
    pageBytes[25] = (byte) (crc >>> 24);
    return pageBytes;
  }

  /** Ogg's CRC-32: polynomial 0x04C11DB7, not reflected, initial value 0 (RFC 3533). */
  static int oggCrc(byte[] b) {
    int crc = 0;
    for (byte x : b) {
      crc ^= (x & 0xff) << 24;
      for (int k = 0; k < 8; k++) {
        crc = crc < 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
      }
    }
    return crc;
  }

  static void le(ByteArrayOutputStream out, long v, int bytes) {
    for (int i = 0; i < bytes; i++) {
      out.write((int) (v >>> (8 * i)));
    }
  }
}
