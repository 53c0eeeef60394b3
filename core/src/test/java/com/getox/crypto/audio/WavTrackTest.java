package com.getox.crypto.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.AuthenticationException;
import com.getox.crypto.SeekableRecording;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * WAV over encrypted recordings (issue 15): the committed speech fixtures encrypted, then seeked
 * by time; every clip compared byte for byte with the original's frames.
 */
class WavTrackTest {
  static final int CHUNK = 16 * 1024;

  /** A fixture and what its header says, read off with xxd (see make-fixtures.sh). */
  static final class Wav {
    final String name;
    final byte[] plain;
    final int rate;
    final int channels;
    final int bits;
    final int dataOffset;
    final long frames;

    Wav(String name, int rate, int channels, int bits, int dataOffset) throws IOException {
      this(name, AudioFixtures.fixture(name), rate, channels, bits, dataOffset);
    }

    Wav(String name, byte[] plain, int rate, int channels, int bits, int dataOffset) {
      this.name = name;
      this.plain = plain;
      this.rate = rate;
      this.channels = channels;
      this.bits = bits;
      this.dataOffset = dataOffset;
      this.frames = (plain.length - dataOffset) / blockAlign();
    }

    int blockAlign() {
      return channels * bits / 8;
    }

    /** The fmt chunk, the first chunk in every fixture. */
    byte[] fmtChunk() {
      int len = (plain[16] & 0xff) | (plain[17] & 0xff) << 8;
      return Arrays.copyOfRange(plain, 12, 12 + 8 + len + (len & 1));
    }

    long durationMicros() {
      return frames * 1_000_000 / rate;
    }
  }

  static Wav fixture(String name) throws IOException {
    switch (name) {
      case "speech-16k-mono-16bit.wav":
        return new Wav(name, 16000, 1, 16, 44);
      case "speech-16k-stereo-24bit.wav":
        return new Wav(name, 16000, 2, 24, 80); // WAVE_FORMAT_EXTENSIBLE fmt (40 bytes), then fact
      case "speech-8k-mono-8bit.wav":
        return new Wav(name, 8000, 1, 8, 44);
      case "speech-8k-mono-16bit-streamed.wav":
        return new Wav(name, 8000, 1, 16, 44); // data size 0x7FFFF000 in the header
      default:
        throw new IllegalArgumentException(name);
    }
  }

  static final String[] FIXTURES = {
    "speech-16k-mono-16bit.wav",
    "speech-16k-stereo-24bit.wav",
    "speech-8k-mono-8bit.wav",
    "speech-8k-mono-16bit-streamed.wav",
  };

  static byte[] readAll(InputStream in) throws IOException {
    try (InputStream i = in) {
      return AudioFixtures.readAll(i);
    }
  }

  static long frameAt(long micros, int rate) {
    return micros * rate / 1_000_000; // small values in these tests: no overflow
  }

  static int u16(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
  }

  static long u32(byte[] b, int at) {
    return ((long) u16(b, at + 2) << 16) | u16(b, at);
  }

  /**
   * Asserts {@code clip} is a WAV with the original's fmt chunk and exactly the original's frames
   * {@code [first, end)}, with correct RIFF and data sizes.
   */
  static void assertClip(Wav w, byte[] clip, long first, long end, String what) {
    byte[] fmt = w.fmtChunk();
    int head = 12 + fmt.length + 8;
    long dataBytes = (end - first) * w.blockAlign();
    long pad = dataBytes & 1;
    assertEquals(head + dataBytes + pad, clip.length, what + ": clip length");
    assertEquals("RIFF", new String(clip, 0, 4, java.nio.charset.StandardCharsets.US_ASCII), what);
    assertEquals(clip.length - 8, u32(clip, 4), what + ": RIFF size");
    assertEquals("WAVE", new String(clip, 8, 4, java.nio.charset.StandardCharsets.US_ASCII), what);
    assertArrayEquals(fmt, Arrays.copyOfRange(clip, 12, 12 + fmt.length), what + ": fmt chunk copied as is");
    assertEquals("data", new String(clip, 12 + fmt.length, 4, java.nio.charset.StandardCharsets.US_ASCII), what);
    assertEquals(dataBytes, u32(clip, 16 + fmt.length), what + ": data size");
    int from = (int) (w.dataOffset + first * w.blockAlign());
    assertArrayEquals(
        Arrays.copyOfRange(w.plain, from, (int) (from + dataBytes)),
        Arrays.copyOfRange(clip, head, (int) (head + dataBytes)),
        what + ": frames " + first + ".." + end + " byte for byte");
    if (pad == 1) {
      assertEquals(0, clip[clip.length - 1], what + ": pad byte");
    }
  }

  /** The frames a clip {@code [from, to)} must hold, by the rounding WavTrack documents. */
  static long[] expectedFrames(Wav w, long from, long to) {
    long first = frameAt(from, w.rate);
    long end = to >= w.durationMicros() ? w.frames : frameAt(to, w.rate);
    return new long[] {first, end};
  }

  @ParameterizedTest
  @CsvSource({
    "speech-16k-mono-16bit.wav, WAV PCM 16-bit 16000 Hz 1 ch, 5000000",
    "speech-16k-stereo-24bit.wav, WAV PCM 24-bit 16000 Hz 2 ch, 1000000",
    "speech-8k-mono-8bit.wav, WAV PCM 8-bit 8000 Hz 1 ch, 3000000",
    "speech-8k-mono-16bit-streamed.wav, WAV PCM 16-bit 8000 Hz 1 ch, 3000000",
  })
  void everyFixtureOpensWithItsFormatAndDuration(String name, String format, long durationMicros) throws Exception {
    Wav w = fixture(name);
    try (SeekableRecording rec = AudioFixtures.encrypt(w.plain)) {
      AudioRecording audio = AudioRecording.open(rec);
      assertEquals(format, audio.format().toString());
      assertEquals(AudioFormat.wav(w.rate, w.channels, w.bits), audio.format());
      assertEquals(AudioFormat.Container.WAV, audio.format().container());
      assertEquals(durationMicros, audio.durationMicros());
      assertEquals(w.durationMicros(), audio.durationMicros());
    }
  }

  @Test
  void clipsOfEveryFixtureAreSampleExact() throws Exception {
    for (String name : FIXTURES) {
      Wav w = fixture(name);
      try (SeekableRecording rec = AudioFixtures.encrypt(w.plain)) {
        AudioRecording audio = AudioRecording.open(rec);
        long d = audio.durationMicros();
        long[][] ranges = {
          {0, d}, {0, 1}, {d / 5, d / 5 + 434_567}, {d / 2, d / 2 + 62}, {d / 3, d}, {d - 1, d}, {d - 200, d + 5_000_000},
          {999_999, 1_000_001}, {62, 63},
        };
        for (long[] r : ranges) {
          long[] f = expectedFrames(w, r[0], r[1]);
          if (f[1] <= f[0]) { // both ends in one frame, as {0, 1}: no sample to give
            assertThrows(TimeOutOfRangeException.class, () -> audio.openClip(r[0], r[1]), name);
            continue;
          }
          assertClip(w, readAll(audio.openClip(r[0], r[1])), f[0], f[1], name + " " + r[0] + ".." + r[1]);
        }
        long[] f = expectedFrames(w, d / 4, d);
        assertClip(w, readAll(audio.openClip(d / 4)), f[0], f[1], name + " from " + d / 4 + " to the end");
        assertClip(w, readAll(audio.openClip(0)), 0, w.frames, name + " whole");
      }
    }
  }

  @Test
  void framesAreRoundedDownSoConsecutiveClipsJoinExactly() throws Exception {
    Wav w = fixture("speech-16k-stereo-24bit.wav");
    try (SeekableRecording rec = AudioFixtures.encrypt(w.plain)) {
      AudioRecording audio = AudioRecording.open(rec);
      // 16 kHz: a frame lasts 62.5 us. 100 us is inside frame 1, 187 us inside frame 2.
      assertClip(w, readAll(audio.openClip(100, 187)), 1, 2, "inside frames 1..2");
      assertClip(w, readAll(audio.openClip(125, 250)), 2, 4, "on frame boundaries 2..4");
      assertClip(w, readAll(audio.openClip(124, 125)), 1, 2, "shorter than a frame: the one frame at from");
      byte[] ab = data(readAll(audio.openClip(300_001, 444_444)), w);
      byte[] bc = data(readAll(audio.openClip(444_444, 700_003)), w);
      byte[] ac = data(readAll(audio.openClip(300_001, 700_003)), w);
      byte[] joined = Arrays.copyOf(ab, ab.length + bc.length);
      System.arraycopy(bc, 0, joined, ab.length, bc.length);
      assertArrayEquals(ac, joined, "[a,b) then [b,c) is [a,c): no gap, no overlap");
    }
  }

  static byte[] data(byte[] clip, Wav w) {
    int head = 12 + w.fmtChunk().length + 8;
    return Arrays.copyOfRange(clip, head, head + (int) u32(clip, head - 4));
  }

  /** About 50 s of 16 kHz 16-bit speech (1.6 MB, 98 chunks): the 5 s fixture ten times. */
  static Wav longSpeech() throws IOException {
    Wav w = fixture("speech-16k-mono-16bit.wav");
    int data = w.plain.length - 44;
    byte[] b = Arrays.copyOf(w.plain, 44 + 10 * data);
    for (int i = 1; i < 10; i++) {
      System.arraycopy(w.plain, 44, b, 44 + i * data, data);
    }
    putU32(b, 4, b.length - 8);
    putU32(b, 40, 10L * data);
    return new Wav("long speech", b, 16000, 1, 16, 44);
  }

  @Test
  void aSeekTouchesAtMostTwoChunksBesidesTheHeader() throws Exception {
    Wav w = longSpeech();
    Random r = new Random(15);
    try (SeekableRecording rec = AudioFixtures.encrypt(w.plain)) {
      AudioRecording audio = AudioRecording.open(rec);
      long atOpen = audio.chunksTouched();
      assertTrue(atOpen <= 2, "open reads the header chunk and the final chunk: " + atOpen);
      for (int i = 0; i < 30; i++) {
        long from = (long) (r.nextDouble() * (audio.durationMicros() - 1_000_000));
        long before = audio.chunksTouched();
        try (InputStream clip = audio.openClip(from, from + 1_000_000)) {
          assertEquals(before, audio.chunksTouched(), "opening a clip reads nothing yet");
          byte[] first = new byte[4096];
          int n = 0;
          while (n < first.length) {
            n += clip.read(first, n, first.length - n);
          }
          assertTrue(audio.chunksTouched() - before <= 2, "seek to " + from + ": " + (audio.chunksTouched() - before));
        }
        // A whole clip decrypts exactly the chunks that hold its data, no more.
        long[] f = expectedFrames(w, from, from + 2_000_000);
        long start = w.dataOffset + f[0] * 2;
        long end = w.dataOffset + f[1] * 2;
        long spanned = (end - 1) / CHUNK - start / CHUNK + 1;
        before = audio.chunksTouched();
        assertClip(w, readAll(audio.openClip(from, from + 2_000_000)), f[0], f[1], "2 s from " + from);
        assertTrue(audio.chunksTouched() - before <= spanned, (audio.chunksTouched() - before) + " > " + spanned);
      }
    }
  }

  @Test
  void skippingInAClipDecryptsNothing() throws Exception {
    Wav w = longSpeech();
    try (SeekableRecording rec = AudioFixtures.encrypt(w.plain)) {
      AudioRecording audio = AudioRecording.open(rec);
      long before = audio.chunksTouched();
      try (InputStream clip = audio.openClip(1_000_000, 40_000_000)) {
        assertEquals(1_000_000, clip.skip(1_000_000));
        assertEquals(before, audio.chunksTouched());
        int b = clip.read();
        int at = (int) (44 + 16000 * 2 + 1_000_000 - (12 + w.fmtChunk().length + 8));
        assertEquals(w.plain[at] & 0xff, b);
        assertTrue(audio.chunksTouched() - before <= 1);
      }
    }
  }

  @Test
  void theStreamedFixtureUsesWhatTheRecordingHolds() throws Exception {
    Wav w = fixture("speech-8k-mono-16bit-streamed.wav");
    assertEquals(0x7FFFF000L, u32(w.plain, 40), "sox writing to a pipe leaves a placeholder data size");
    try (SeekableRecording rec = AudioFixtures.encrypt(w.plain)) {
      AudioRecording audio = AudioRecording.open(rec);
      assertEquals(3_000_000, audio.durationMicros());
      byte[] clip = readAll(audio.openClip(1_000_000, 2_000_000));
      assertEquals(8000 * 2, u32(clip, 40), "a fresh data size, not the placeholder");
      assertClip(w, clip, 8000, 16000, "1 s to 2 s");
    }
  }

  /** A streaming recorder's data sizes, and a file cut short: data runs to the (frame-aligned) end. */
  @ParameterizedTest
  @CsvSource({"0", "4294967295", "2147479552", "1000000", "48001"})
  void dataSizesThatDoNotFitMeanEverythingToTheEnd(long declared) throws Exception {
    Wav src = fixture("speech-8k-mono-16bit-streamed.wav");
    byte[] b = Arrays.copyOf(src.plain, src.plain.length - 1); // a frame cut in half by a crash
    putU32(b, 4, 0xFFFFFFFFL);
    putU32(b, 40, declared);
    Wav w = new Wav("declared " + declared, b, 8000, 1, 16, 44);
    assertEquals(23999, w.frames);
    try (SeekableRecording rec = AudioFixtures.encrypt(b)) {
      AudioRecording audio = AudioRecording.open(rec);
      assertEquals(23999L * 1_000_000 / 8000, audio.durationMicros());
      assertClip(w, readAll(audio.openClip(0)), 0, 23999, "whole");
      assertClip(w, readAll(audio.openClip(2_000_000)), 16000, 23999, "to the end");
    }
  }

  @Test
  void aDataSizeThatFitsIsTrustedAndTrailingChunksAreNotAudio() throws Exception {
    Wav src = fixture("speech-16k-mono-16bit.wav");
    int data = 32000; // the first second, then a LIST chunk
    byte[] list = {'L', 'I', 'S', 'T', 4, 0, 0, 0, 'I', 'N', 'F', 'O'};
    byte[] b = Arrays.copyOf(src.plain, 44 + data + list.length);
    System.arraycopy(list, 0, b, 44 + data, list.length);
    putU32(b, 40, data);
    Wav w = new Wav("with LIST", Arrays.copyOf(b, 44 + data), 16000, 1, 16, 44);
    try (SeekableRecording rec = AudioFixtures.encrypt(b)) {
      AudioRecording audio = AudioRecording.open(rec);
      assertEquals(1_000_000, audio.durationMicros());
      assertClip(w, readAll(audio.openClip(0)), 0, 16000, "whole");
    }
  }

  @Test
  void oddDataGetsItsPadByteAndChunksBeforeFmtAreSkipped() throws Exception {
    // 8-bit mono, 3 frames; a JUNK chunk of odd size (padded) before fmt.
    byte[] b = riff(
        chunk("JUNK", new byte[5]),
        chunk("fmt ", fmt(1, 1, 8000, 8, 1)),
        chunk("data", new byte[] {1, 2, 3}));
    try (SeekableRecording rec = AudioFixtures.encrypt(b)) {
      AudioRecording audio = AudioRecording.open(rec);
      assertEquals(AudioFormat.wav(8000, 1, 8), audio.format());
      assertEquals(375, audio.durationMicros());
      byte[] clip = readAll(audio.openClip(0));
      assertEquals(12 + 24 + 8 + 3 + 1, clip.length);
      assertEquals(clip.length - 8, u32(clip, 4));
      assertEquals(3, u32(clip, 40));
      assertArrayEquals(new byte[] {1, 2, 3, 0}, Arrays.copyOfRange(clip, 44, 48));
      clip = readAll(audio.openClip(125));
      assertEquals(12 + 24 + 8 + 2, clip.length, "even data: no pad");
      assertArrayEquals(new byte[] {2, 3}, Arrays.copyOfRange(clip, 44, 46));
    }
  }

  @Test
  void extensiblePcmWithManyChannelsAnd32Bits() throws Exception {
    byte[] frames = new byte[6 * 4 * 100]; // 6 channels x 32-bit x 100 frames
    new Random(6).nextBytes(frames);
    byte[] b = riff(chunk("fmt ", extensible(1, 6, 48000, 32)), chunk("data", frames));
    Wav w = new Wav("5.1 32-bit", b, 48000, 6, 32, 12 + 48 + 8);
    try (SeekableRecording rec = AudioFixtures.encrypt(b)) {
      AudioRecording audio = AudioRecording.open(rec);
      assertEquals("WAV PCM 32-bit 48000 Hz 6 ch", audio.format().toString());
      assertEquals(2083, audio.durationMicros());
      assertClip(w, readAll(audio.openClip(1000, 1500)), 48, 72, "1.0 ms to 1.5 ms");
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("com.getox.crypto.audio.AudioFixtures#seeds")
  void randomClipsAreSampleExact(long seed) throws Exception {
    Random r = new Random(seed);
    Wav w = fixture(FIXTURES[r.nextInt(FIXTURES.length)]);
    try (SeekableRecording rec = AudioFixtures.encrypt(w.plain)) {
      AudioRecording audio = AudioRecording.open(rec);
      long d = audio.durationMicros();
      for (int i = 0; i < 8; i++) {
        long from = r.nextInt(4) == 0 ? r.nextInt(1000) : (long) (r.nextDouble() * d);
        long to;
        switch (r.nextInt(4)) {
          case 0:
            to = from + 1 + r.nextInt(200); // a frame or two
            break;
          case 1:
            to = d + r.nextInt(1_000_000); // past the end: clamps
            break;
          default:
            to = from + 1 + (long) (r.nextDouble() * (d - from));
        }
        long[] f = expectedFrames(w, from, to);
        String what = "seed " + seed + " " + w.name + " " + from + ".." + to;
        if (f[1] <= f[0]) { // both ends in one frame: no sample to give
          long a = from;
          long b = to;
          assertThrows(TimeOutOfRangeException.class, () -> audio.openClip(a, b), what);
          continue;
        }
        InputStream clip = audio.openClip(from, to);
        assertClip(w, r.nextBoolean() ? readAll(clip) : readInRandomPieces(clip, r), f[0], f[1], what);
      }
    }
  }

  static byte[] readInRandomPieces(InputStream in, Random r) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream i = in) {
      while (true) {
        if (r.nextInt(8) == 0) {
          int b = i.read();
          if (b < 0) {
            break;
          }
          out.write(b);
          continue;
        }
        byte[] buf = new byte[1 + r.nextInt(40_000)];
        int off = r.nextInt(3);
        int n = i.read(buf, off, buf.length - off);
        if (n < 0) {
          break;
        }
        out.write(buf, off, n);
      }
    }
    return out.toByteArray();
  }

  @Test
  void timesOutsideTheRecordingAreRefused() throws Exception {
    Wav w = fixture("speech-8k-mono-8bit.wav");
    try (SeekableRecording rec = AudioFixtures.encrypt(w.plain)) {
      AudioRecording audio = AudioRecording.open(rec);
      long d = audio.durationMicros();
      assertEquals(
          "from 0:03.000 is at or past the end (0:03.000)",
          assertThrows(TimeOutOfRangeException.class, () -> audio.openClip(d)).getMessage());
      assertThrows(TimeOutOfRangeException.class, () -> audio.openClip(d + 1, d + 2));
      assertThrows(TimeOutOfRangeException.class, () -> audio.openClip(Long.MAX_VALUE));
      assertEquals(
          "from -0:00.001 is negative",
          assertThrows(TimeOutOfRangeException.class, () -> audio.openClip(-1000)).getMessage());
      assertThrows(TimeOutOfRangeException.class, () -> audio.openClip(Long.MIN_VALUE, 5));
      assertThrows(TimeOutOfRangeException.class, () -> audio.openClip(1_000_000, 1_000_000));
      assertThrows(TimeOutOfRangeException.class, () -> audio.openClip(1_000_000, 999_999));
      assertClip(w, readAll(audio.openClip(d - 1, Long.MAX_VALUE)), w.frames - 1, w.frames, "last frame");
    }
  }

  @Test
  void aClipOverATamperedChunkFailsWithTheTypedCauseAndReleasesOnlyAuthenticBytes() throws Exception {
    Wav w = fixture("speech-16k-mono-16bit.wav");
    byte[] recording = AudioFixtures.encryptToBytes(w.plain);
    recording[recording.length / 2] ^= 1; // a middle chunk: neither the header's nor the final one
    try (SeekableRecording rec = AudioFixtures.open(recording)) {
      AudioRecording audio = AudioRecording.open(rec);
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      IOException e;
      try (InputStream clip = audio.openClip(0)) {
        e = assertThrows(IOException.class, () -> {
          byte[] buf = new byte[1000];
          for (int n; (n = clip.read(buf)) >= 0; ) {
            got.write(buf, 0, n);
          }
        });
      }
      assertTrue(e.getCause() instanceof AuthenticationException, String.valueOf(e.getCause()));
      byte[] released = got.toByteArray();
      assertTrue(released.length > 44 && released.length < w.plain.length, "stopped inside: " + released.length);
      assertArrayEquals(Arrays.copyOfRange(w.plain, 44, released.length), Arrays.copyOfRange(released, 44, released.length));
    }
  }

  // ---- WAV builders for the hand-made cases (also used by SnifferTest) ----

  static byte[] riff(byte[]... chunks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write('R');
    out.write('I');
    out.write('F');
    out.write('F');
    int size = 4;
    for (byte[] c : chunks) {
      size += c.length;
    }
    byte[] n = new byte[4];
    putU32(n, 0, size);
    out.write(n, 0, 4);
    out.write('W');
    out.write('A');
    out.write('V');
    out.write('E');
    for (byte[] c : chunks) {
      out.write(c, 0, c.length);
    }
    return out.toByteArray();
  }

  /** A chunk with its pad byte. */
  static byte[] chunk(String id, byte[] body) {
    byte[] c = new byte[8 + body.length + (body.length & 1)];
    for (int i = 0; i < 4; i++) {
      c[i] = (byte) id.charAt(i);
    }
    putU32(c, 4, body.length);
    System.arraycopy(body, 0, c, 8, body.length);
    return c;
  }

  static byte[] fmt(int tag, int channels, int rate, int bits, int blockAlign) {
    byte[] f = new byte[16];
    putU16(f, 0, tag);
    putU16(f, 2, channels);
    putU32(f, 4, rate);
    putU32(f, 8, (long) rate * blockAlign);
    putU16(f, 12, blockAlign);
    putU16(f, 14, bits);
    return f;
  }

  /** WAVE_FORMAT_EXTENSIBLE with subformat {@code subTag}'s GUID. */
  static byte[] extensible(int subTag, int channels, int rate, int bits) {
    byte[] f = Arrays.copyOf(fmt(0xFFFE, channels, rate, bits, channels * bits / 8), 40);
    putU16(f, 16, 22);
    putU16(f, 18, bits);
    putU32(f, 20, 0x3F);
    putU16(f, 24, subTag);
    byte[] suffix = {0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71};
    System.arraycopy(suffix, 0, f, 26, suffix.length);
    return f;
  }

  static void putU16(byte[] b, int at, int v) {
    b[at] = (byte) v;
    b[at + 1] = (byte) (v >>> 8);
  }

  static void putU32(byte[] b, int at, long v) {
    for (int i = 0; i < 4; i++) {
      b[at + i] = (byte) (v >>> (8 * i));
    }
  }
}
