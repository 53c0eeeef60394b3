package com.getox.crypto.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.getox.crypto.SeekableRecording;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jazzer target for the sniffer and the WAV parser. A normal build replays {@code
 * src/test/resources/com/getox/crypto/audio/WavFuzzTestInputs/sniffAndClip/} (hand-made WAV
 * headers and signatures) in core's fuzz-regression execution; {@code fuzz/run.sh
 * WavFuzzTest#sniffAndClip 5} fuzzes it (see core/README.md). The seeded cases below feed it
 * mutated fixture headers on every build.
 */
@Tag("fuzz")
class WavFuzzTest {
  /**
   * Any plaintext, encrypted, then opened as audio: only UnsupportedAudioException or
   * CorruptAudioException escape (Ogg aside: OggOpusTrack's own errors are AudioExceptions too).
   * What opens as WAV has a non-negative duration; a clip between input-chosen times is a WAV
   * that this parser opens again, with the same format and exactly the clip's frames; the clip's
   * data is the whole recording's data at the clip's frames.
   */
  @FuzzTest(maxDuration = "5m")
  void sniffAndClip(byte[] plain) throws Exception {
    try (SeekableRecording rec = AudioFixtures.encrypt(plain)) {
      AudioRecording audio;
      try {
        audio = AudioRecording.open(rec);
      } catch (AudioException expected) {
        assertTrue(expected instanceof UnsupportedAudioException || expected instanceof CorruptAudioException,
            expected.toString());
        return;
      }
      if (audio.format().container() != AudioFormat.Container.WAV) {
        return;
      }
      AudioFormat f = audio.format();
      long d = audio.durationMicros();
      assertTrue(d >= 0);
      if (d == 0) {
        return;
      }
      int blockAlign = f.channels() * f.bitsPerSample() / 8;
      byte[] whole = data(read(audio.openClip(0)));
      assertEquals(0, whole.length % blockAlign);
      long h = Arrays.hashCode(plain) & 0x7fffffffL;
      long from = h % d;
      long to = from + 1 + (h >>> 7) % d;
      long first = from / 1_000_000 * f.sampleRateHz() + from % 1_000_000 * f.sampleRateHz() / 1_000_000;
      long end = to / 1_000_000 * f.sampleRateHz() + to % 1_000_000 * f.sampleRateHz() / 1_000_000;
      if (to < d && end <= first) { // both ends in one frame: refused, not an empty or 1-frame clip
        assertThrows(TimeOutOfRangeException.class, () -> audio.openClip(from, to));
        return;
      }
      byte[] clip = read(audio.openClip(from, to));
      byte[] data = data(clip);
      assertTrue(data.length > 0 && data.length % blockAlign == 0);
      assertArrayEquals(
          Arrays.copyOfRange(whole, (int) (first * blockAlign), (int) (first * blockAlign) + data.length), data);
      try (SeekableRecording again = AudioFixtures.encrypt(clip)) {
        AudioRecording reopened = AudioRecording.open(again);
        assertEquals(f, reopened.format());
        assertArrayEquals(data, data(read(reopened.openClip(0))));
      }
    }
  }

  static byte[] read(InputStream in) throws IOException {
    try (InputStream i = in) {
      return AudioFixtures.readAll(i);
    }
  }

  /** The data of a clip WavTrack wrote: RIFF header, fmt chunk, data chunk (and a pad byte). */
  static byte[] data(byte[] clip) {
    assertEquals(clip.length - 8, WavTrackTest.u32(clip, 4), "RIFF size");
    int fmtEnd = 20 + (int) WavTrackTest.u32(clip, 16);
    fmtEnd += fmtEnd & 1;
    int n = (int) WavTrackTest.u32(clip, fmtEnd + 4);
    assertEquals(fmtEnd + 8 + n + (n & 1), clip.length, "data size");
    return Arrays.copyOfRange(clip, fmtEnd + 8, fmtEnd + 8 + n);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("com.getox.crypto.audio.AudioFixtures#seeds")
  void seededMutationsThroughTheFuzzTarget(long seed) throws Exception {
    Random r = new Random(seed);
    byte[][] bases = new byte[WavTrackTest.FIXTURES.length][];
    for (int i = 0; i < bases.length; i++) {
      byte[] b = AudioFixtures.fixture(WavTrackTest.FIXTURES[i]);
      bases[i] = Arrays.copyOf(b, 100 + 2 * 16 * 1024); // headers and some data across a chunk boundary
    }
    for (int i = 0; i < 12; i++) {
      byte[] b = bases[r.nextInt(bases.length)].clone();
      int edits = r.nextInt(4);
      for (int e = 0; e < edits; e++) {
        int at = r.nextInt(r.nextBoolean() ? 48 : 100); // mostly in the header
        switch (r.nextInt(3)) {
          case 0:
            b[at] ^= (byte) (1 << r.nextInt(8));
            break;
          case 1:
            b[at] = (byte) new int[] {0, 0xff, 1, 0x80, 0x7f}[r.nextInt(5)];
            break;
          default:
            b = Arrays.copyOf(b, r.nextInt(b.length + 1));
        }
        if (b.length <= at) {
          break;
        }
      }
      sniffAndClip(b);
    }
  }
}
