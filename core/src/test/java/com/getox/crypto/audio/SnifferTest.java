package com.getox.crypto.audio;

import static com.getox.crypto.audio.WavTrackTest.chunk;
import static com.getox.crypto.audio.WavTrackTest.extensible;
import static com.getox.crypto.audio.WavTrackTest.fmt;
import static com.getox.crypto.audio.WavTrackTest.riff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.SeekableRecording;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What is not WAV PCM (or Ogg, which OggOpusTrack judges): each refused with a typed exception
 * whose message names what was detected and never quotes the recording's bytes.
 */
class SnifferTest {
  /** Bytes no message may quote: a marker after every signature below. */
  static final String MARKER = "PIN4321secret";

  static <T extends AudioException> T refusal(Class<T> type, byte[] plain) throws Exception {
    try (SeekableRecording rec = AudioFixtures.encrypt(plain)) {
      T e = assertThrows(type, () -> AudioRecording.open(rec));
      String m = e.getMessage();
      assertFalse(m.contains(MARKER) || m.contains("PIN") || m.contains("4321"), m);
      assertFalse(m.contains("\n"), m);
      return e;
    }
  }

  static byte[] bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = (byte) b[i];
    }
    return out;
  }

  /** {@code head} then the marker and some zeros, like the start of a real file. */
  static byte[] file(byte[] head) {
    byte[] m = MARKER.getBytes(StandardCharsets.US_ASCII);
    byte[] b = Arrays.copyOf(head, head.length + m.length + 200);
    System.arraycopy(m, 0, b, head.length, m.length);
    return b;
  }

  static byte[] file(String asciiHead) {
    return file(asciiHead.getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void anEmptyRecordingIsNotAudio() throws Exception {
    String m = refusal(UnsupportedAudioException.class, new byte[0]).getMessage();
    assertTrue(m.contains("empty"), m);
  }

  @Test
  void notAudioSaysTheSizeAndQuotesNothing() throws Exception {
    byte[] text = file("Dear Bob, the vault code is ");
    String m = refusal(UnsupportedAudioException.class, text).getMessage();
    assertTrue(m.contains("not audio") && m.contains(text.length + "-byte"), m);
    assertFalse(m.contains("Dear") || m.contains("vault"), m);
    for (int n : new int[] {1, 3, 4, 11, 70_000}) {
      byte[] zeros = new byte[n];
      m = refusal(UnsupportedAudioException.class, zeros).getMessage();
      assertTrue(m.contains("not audio") && m.contains(n + "-byte"), m);
    }
  }

  @ParameterizedTest
  @CsvSource({
    "494433030000000000, MP3 (ID3-tagged)",
    "fffb9064, MPEG audio layer III (MP3)",
    "fff3a4c4, MPEG audio layer III (MP3)",
    "fffd9064, MPEG audio layer II",
    "fff15080, AAC (ADTS)",
    "fff95080, AAC (ADTS)",
    "664c6143, FLAC",
    "000000206674797049534f4d, MP4 (MPEG-4 container)",
    "00000020667479704d344120, M4A",
    "000000206674797033677034, 3GP",
    "00000014667479707174202000, QuickTime",
    "1a45dfa3a34286810142f7810142f2810442f381084282847765626d, WebM",
    "1a45dfa3a34286810142f7810142f2810442f38108428288, Matroska",
    "2321414d520a, AMR",
    "2321414d522d57420a, AMR-WB",
    "5246363400000000, RF64",
    "4257363400000000, BW64",
    "524946580000000057415645, RIFX",
    "464f524d000000004149464600, AIFF",
    "464f524d000000004149464300, AIFF-C",
    "52494646000000004156492000, AVI",
    "52494646000000005745425000, WebP",
    "52494646000000004142434400, RIFF file that is not WAVE",
    "6361666600010000, Apple CAF",
    "2e736e6400000018, Sun/NeXT AU",
  })
  void otherFormatsAreRefusedByName(String hex, String name) throws Exception {
    String m = refusal(UnsupportedAudioException.class, file(hex(hex))).getMessage();
    assertTrue(m.contains(name), m);
  }

  @Test
  void anId3TagIsLookedPast() throws Exception {
    byte[] flac = new byte[300];
    System.arraycopy(hex("4944330300000000007f"), 0, flac, 0, 10); // tag of 127 bytes
    System.arraycopy("fLaC".getBytes(StandardCharsets.US_ASCII), 0, flac, 137, 4);
    assertTrue(refusal(UnsupportedAudioException.class, flac).getMessage().contains("FLAC (behind an ID3 tag)"));
    byte[] adts = flac.clone();
    System.arraycopy(hex("fff15080"), 0, adts, 137, 4);
    assertTrue(refusal(UnsupportedAudioException.class, adts).getMessage().contains("AAC (ADTS, behind an ID3 tag)"));
  }

  static byte[] hex(String s) {
    byte[] b = new byte[s.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }

  @ParameterizedTest
  @CsvSource({
    "2, Microsoft ADPCM",
    "17, IMA ADPCM",
    "3, IEEE float",
    "6, A-law",
    "7, mu-law",
    "80, MPEG",
    "85, MP3",
    "49, GSM 6.10",
    "4660, format tag 0x1234",
  })
  void wavThatIsNotIntegerPcmIsRefusedByCodec(int tag, String name) throws Exception {
    byte[] data = file(new byte[8]);
    String m = refusal(UnsupportedAudioException.class, riff(chunk("fmt ", fmt(tag, 1, 8000, 16, 2)), chunk("data", data)))
        .getMessage();
    assertTrue(m.contains(name) && m.contains("only integer PCM"), m);
    m = refusal(UnsupportedAudioException.class, riff(chunk("fmt ", extensible(tag, 2, 48000, 32)), chunk("data", data)))
        .getMessage();
    assertTrue(m.contains(name), "extensible: " + m);
  }

  @Test
  void extensibleWithAForeignSubformatGuidIsRefused() throws Exception {
    byte[] f = extensible(1, 2, 48000, 16);
    f[30] ^= 1; // not the KSDATAFORMAT GUID suffix
    String m = refusal(UnsupportedAudioException.class, riff(chunk("fmt ", f), chunk("data", file(new byte[4]))))
        .getMessage();
    assertTrue(m.contains("unknown WAVE_FORMAT_EXTENSIBLE subformat"), m);
  }

  @Test
  void pcmOfAnUnsupportedSampleWidthOrRateIsRefused() throws Exception {
    String m = refusal(UnsupportedAudioException.class, riff(chunk("fmt ", fmt(1, 1, 8000, 12, 2)), chunk("data", file(new byte[4]))))
        .getMessage();
    assertTrue(m.contains("12-bit"), m);
    // Found by WavFuzzTest: above 1 MHz a frame is shorter than the microsecond times can address.
    m = refusal(UnsupportedAudioException.class, riff(chunk("fmt ", fmt(1, 1, 1_000_001, 8, 1)), chunk("data", file(new byte[4]))))
        .getMessage();
    assertTrue(m.contains("1000001 Hz"), m);
  }

  @Test
  void malformedRiffIsCorrupt() throws Exception {
    byte[] data = chunk("data", file(new byte[16]));
    byte[] pcm = chunk("fmt ", fmt(1, 1, 8000, 16, 2));
    assertCorrupt("no fmt chunk", riff(chunk("LIST", file(new byte[4]))));
    assertCorrupt("no data chunk", riff(pcm));
    assertCorrupt("no data chunk", riff(pcm, chunk("LIST", file(new byte[4]))));
    assertCorrupt("data chunk before any fmt chunk", riff(data, pcm));
    byte[] longList = chunk("LIST", new byte[10]);
    WavTrackTest.putU32(longList, 4, 100_000); // runs past the end, before data
    assertCorrupt("runs past the end", riff(pcm, longList, data));
    byte[] shortFmt = chunk("fmt ", Arrays.copyOf(fmt(1, 1, 8000, 16, 2), 14));
    assertCorrupt("fmt chunk of 14 bytes", riff(shortFmt, data));
    byte[] cutFmt = Arrays.copyOf(riff(pcm), 12 + 8 + 10);
    assertCorrupt("fmt chunk runs past the end", cutFmt);
    assertCorrupt("block align 0", riff(chunk("fmt ", fmt(1, 1, 8000, 16, 0)), data));
    assertCorrupt("block align 3", riff(chunk("fmt ", fmt(1, 1, 8000, 16, 3)), data));
    assertCorrupt("0 channels", riff(chunk("fmt ", fmt(1, 0, 8000, 16, 2)), data));
    assertCorrupt("sample rate 0", riff(chunk("fmt ", fmt(1, 1, 0, 16, 2)), data));
    byte[] shortExtensible = chunk("fmt ", Arrays.copyOf(extensible(1, 1, 8000, 16), 24));
    assertCorrupt("EXTENSIBLE fmt chunk too short", riff(shortExtensible, data));
    assertCorrupt("RIFF header cut short", "RIFF".getBytes(StandardCharsets.US_ASCII));
    assertCorrupt("RIFF header cut short", "RIFF\0\0\0\0WAV".getBytes(StandardCharsets.US_ASCII));
  }

  static void assertCorrupt(String expected, byte[] plain) throws Exception {
    String m = refusal(CorruptAudioException.class, plain).getMessage();
    assertTrue(m.contains(expected), m);
  }

  @Test
  void aWavOfNoWholeFrameHasNoTimeToSeek() throws Exception {
    byte[] b = riff(chunk("fmt ", fmt(1, 2, 8000, 16, 4)), chunk("data", new byte[3]));
    try (SeekableRecording rec = AudioFixtures.encrypt(b)) {
      AudioRecording audio = AudioRecording.open(rec);
      assertEquals(0, audio.durationMicros());
      assertThrows(TimeOutOfRangeException.class, () -> audio.openClip(0));
    }
  }
}
