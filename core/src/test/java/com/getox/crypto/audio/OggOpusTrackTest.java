package com.getox.crypto.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.SeekableRecording;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Ogg Opus seek by time over encrypted recordings of real speech (the fixtures in
 * src/test/resources/audio, made by make-fixtures.sh), checked against an independent reading of
 * the output ({@link OggStreams}).
 */
class OggOpusTrackTest {
  static final String MONO = "speech-24kbps.opus"; // 20 ms packets, ~1 s pages, 37.343 s
  static final String STEREO = "speech-stereo-60ms.opus"; // 60 ms packets, short pages, 10.000 s

  private static OggStreams.Owner owner;

  @BeforeAll
  static void owner() throws Exception {
    owner = new OggStreams.Owner();
  }

  static byte[] fixture(String name) throws IOException {
    try (InputStream in = OggOpusTrackTest.class.getResourceAsStream("/audio/" + name)) {
      return OggStreams.readAll(in);
    }
  }

  static byte[] encrypt(byte[] plain) throws Exception {
    return owner.encrypt(plain);
  }

  static SeekableRecording open(byte[] recording) throws Exception {
    return owner.open(recording);
  }

  static SeekableRecording seekable(byte[] plain) throws Exception {
    return open(encrypt(plain));
  }

  @Test
  void formatAndDurationAreOpusinfos() throws Exception {
    try (SeekableRecording rec = seekable(fixture(MONO))) {
      AudioRecording audio = AudioRecording.open(rec);
      assertEquals(AudioFormat.oggOpus(22050, 1), audio.format());
      assertEquals("Ogg Opus 1 ch (input 22050 Hz)", audio.format().toString());
      assertEquals(37_343, audio.durationMicros() / 1000); // opusinfo: Playback length: 0m:37.343s
    }
    try (SeekableRecording rec = seekable(fixture(STEREO))) {
      AudioRecording audio = AudioRecording.open(rec);
      assertEquals(AudioFormat.oggOpus(22050, 2), audio.format());
      assertEquals(10_000, audio.durationMicros() / 1000); // opusinfo: 0m:10.000s
    }
  }

  @Test
  void clipsOfSpeechArePagedTimedAndTrimmedRight() throws Exception {
    for (String name : new String[] {MONO, STEREO}) {
      byte[] original = fixture(name);
      try (SeekableRecording rec = seekable(original)) {
        AudioRecording audio = AudioRecording.open(rec);
        long d = audio.durationMicros();
        long[][] cases = {
          {0, d}, {0, 1}, {1, 20_000}, {40_000, 1_000_000}, {79_999, 80_001}, {80_000, 2_000_000},
          {5_432_109, 8_000_000}, {d / 2, d}, {d - 1, d}, {d - 30_000, d + 5_000_000}, {3_000_000, 3_020_000}
        };
        for (long[] c : cases) {
          checkClip(original, audio, c[0], c[1]);
        }
      }
    }
  }

  @Test
  void seededRandomClipsHoldTheInvariants() throws Exception {
    for (String name : new String[] {MONO, STEREO}) {
      byte[] original = fixture(name);
      byte[] f = encrypt(original);
      Random random = new Random(0x0995L + name.length());
      for (int i = 0; i < 40; i++) {
        try (SeekableRecording rec = open(f)) {
          AudioRecording audio = AudioRecording.open(rec);
          long d = audio.durationMicros();
          long from = (long) (random.nextDouble() * d);
          long to = from + 1 + (long) (random.nextDouble() * (d - from + 2_000_000));
          checkClip(original, audio, from, to);
        }
      }
    }
  }

  /** Packets continued across pages, pages on which no packet ends, all 32 TOC configurations. */
  @Test
  void packetsSpanningPagesAreCarriedWhole() throws Exception {
    Random random = new Random(15);
    List<byte[]> packets = new ArrayList<>();
    for (int i = 0; i < 1500; i++) {
      int len = 1 + random.nextInt(random.nextInt(8) == 0 ? 2000 : 300);
      byte[] p = new byte[Math.max(2, len)];
      random.nextBytes(p);
      int config = random.nextInt(32);
      int code = random.nextInt(4);
      p[0] = (byte) (config << 3 | code);
      if (code == 3) {
        int frame = OggStreams.samples(new byte[] {(byte) (config << 3), 0});
        p[1] = (byte) (1 + random.nextInt(Math.max(1, 5760 / frame)));
      }
      packets.add(p);
    }
    Parsed mono = Parsed.of(fixture(MONO));
    byte[] ogg = OggStreams.write(0x51A1, mono.head, mono.tags, packets, 700, 1000, false);
    long total = 0;
    for (byte[] p : packets) {
      total += OggStreams.samples(p);
    }
    try (SeekableRecording rec = seekable(ogg)) {
      AudioRecording audio = AudioRecording.open(rec);
      assertEquals((total - mono.preSkip) * 125 / 6, audio.durationMicros());
      long d = audio.durationMicros();
      for (int i = 0; i < 40; i++) {
        long from = (long) (random.nextDouble() * d);
        long to = from + 1 + (long) (random.nextDouble() * (d - from));
        checkClip(ogg, audio, from, to);
      }
    }
  }

  /** A comment header over several pages (larger than the 64 KiB kept in memory: re-read). */
  @Test
  void aLargeCommentHeaderIsCopiedWhole() throws Exception {
    Parsed mono = Parsed.of(fixture(MONO));
    byte[] tags = Arrays.copyOf(mono.tags, 200_000);
    Arrays.fill(tags, mono.tags.length, tags.length, (byte) 'x'); // padding after the comments (RFC 7845 §5.2)
    byte[] ogg = OggStreams.write(0x7A65, mono.head, tags, mono.audioData(), 4000, 50, false);
    assertTrue(OggStreams.pages(ogg).get(1).lacing.length == 255);
    try (SeekableRecording rec = seekable(ogg)) {
      AudioRecording audio = AudioRecording.open(rec);
      OggStreams.Packet last = mono.audio.get(mono.audio.size() - 1);
      assertEquals((last.start + last.samples - mono.preSkip) * 125 / 6, audio.durationMicros());
      checkClip(ogg, audio, 12_000_000, 13_000_000);
      checkClip(ogg, audio, 0, 500_000);
    }
  }

  /** Channel mapping family 1 (surround): durations from the first stream's TOC. */
  @Test
  void mappingFamily1Opens() throws Exception {
    Parsed mono = Parsed.of(fixture(MONO));
    byte[] head = Arrays.copyOf(mono.head, 21 + 3);
    head[9] = 3; // channels
    head[18] = 1; // family
    head[19] = 2; // streams
    head[20] = 1; // coupled
    head[21] = 0;
    head[22] = 2;
    head[23] = 1;
    List<byte[]> packets = new ArrayList<>();
    for (byte[] p : mono.audioData()) {
      // Two streams: the first self-delimited (TOC, length, data), the second as is.
      byte[] m = new byte[p.length * 2 + 1];
      m[0] = p[0];
      m[1] = (byte) (p.length - 1);
      System.arraycopy(p, 1, m, 2, p.length - 1);
      System.arraycopy(p, 0, m, p.length + 1, p.length);
      packets.add(m);
    }
    byte[] ogg = OggStreams.write(0x5E1F, head, mono.tags, packets, 4000, 50, false);
    try (SeekableRecording rec = seekable(ogg)) {
      AudioRecording audio = AudioRecording.open(rec);
      assertEquals(AudioFormat.oggOpus(22050, 3), audio.format());
      checkClip(ogg, audio, 7_000_000, 9_000_000);
    }
    head[22] = 3; // a stream that does not exist
    try (SeekableRecording rec = seekable(OggStreams.write(0x5E1F, head, mono.tags, packets, 4000, 50, false))) {
      assertThrows(CorruptAudioException.class, () -> AudioRecording.open(rec));
    }
  }

  @Test
  void aCorruptPageIsMetNotSkipped() throws Exception {
    byte[] original = fixture(MONO);
    List<OggStreams.Page> pages = OggStreams.pages(original);
    OggStreams.Page bad = pages.get(pages.size() / 2);
    byte[] damaged = original.clone();
    damaged[bad.offset + 27 + bad.lacing.length + 10] ^= 0x40;
    long badStart = (pages.get(pages.indexOf(bad) - 1).granule - 312) * 125 / 6;
    try (SeekableRecording rec = seekable(damaged)) {
      AudioRecording audio = AudioRecording.open(rec);
      assertEquals(37_343, audio.durationMicros() / 1000);
      InputStream whole = audio.openClip(0);
      IOException e = assertThrows(IOException.class, () -> OggStreams.readAll(whole));
      assertInstanceOf(CorruptAudioException.class, e.getCause());
      assertTrue(e.getMessage().contains("byte " + bad.offset), e.getMessage());
      // Before it and well after it, clips play.
      checkClip(original, audio, 0, badStart - 2_000_000);
      checkClip(original, audio, badStart + 4_000_000, audio.durationMicros());
    }
  }

  @Test
  void aStreamCutShortPlaysToItsLastCompletePage() throws Exception {
    byte[] original = fixture(MONO);
    List<OggStreams.Page> pages = OggStreams.pages(original);
    int preSkip = 312;
    for (int k : new int[] {pages.size() - 1, pages.size() / 3}) {
      OggStreams.Page cut = pages.get(k);
      byte[] crashed = Arrays.copyOf(original, cut.offset + 100);
      try (SeekableRecording rec = seekable(crashed)) {
        AudioRecording audio = AudioRecording.open(rec);
        assertEquals((pages.get(k - 1).granule - preSkip) * 125 / 6, audio.durationMicros());
        byte[] clip = checkClip(original, audio, audio.durationMicros() / 2, audio.durationMicros());
        List<OggStreams.Page> out = OggStreams.pages(clip);
        assertEquals(4, out.get(out.size() - 1).flags & 4, "EOS on the clip's last page");
      }
    }
    // Cut inside the headers: corrupt. Right after them: no audio, every time out of range.
    try (SeekableRecording rec = seekable(Arrays.copyOf(original, pages.get(1).offset + 20))) {
      assertThrows(CorruptAudioException.class, () -> AudioRecording.open(rec));
    }
    try (SeekableRecording rec = seekable(Arrays.copyOf(original, pages.get(2).offset))) {
      AudioRecording audio = AudioRecording.open(rec);
      assertEquals(0, audio.durationMicros());
      assertThrows(TimeOutOfRangeException.class, () -> audio.openClip(0));
    }
  }

  @Test
  void otherOggCodecsAndStreamsAreRefusedByName() throws Exception {
    String[][] codecs = {
      {"\u0001vorbis\u0000\u0000\u0000\u0000\u0001", "Vorbis"},
      {"\u007fFLAC\u0001\u0000\u0000\u0001", "FLAC"},
      {"Speex   1.2", "Speex"},
      {"\u0080theora\u0003\u0002", "Theora"},
      {"Mystery codec", "unknown"},
    };
    for (String[] c : codecs) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] body = c[0].getBytes(StandardCharsets.ISO_8859_1);
      OggStreams.rawPage(out, 2, 0, 7, 0, java.util.Collections.singletonList(body.length), body);
      try (SeekableRecording rec = seekable(out.toByteArray())) {
        UnsupportedAudioException e =
            assertThrows(UnsupportedAudioException.class, () -> AudioRecording.open(rec));
        assertTrue(e.getMessage().contains(c[1]), e.getMessage());
      }
    }
    // Multiplexed: a Vorbis stream's first page after Opus's.
    byte[] mono = fixture(MONO);
    OggStreams.Page head = OggStreams.pages(mono).get(0);
    ByteArrayOutputStream mux = new ByteArrayOutputStream();
    mux.write(mono, 0, OggStreams.pages(mono).get(1).offset);
    byte[] vorbis = codecs[0][0].getBytes(StandardCharsets.ISO_8859_1);
    OggStreams.rawPage(mux, 2, 0, head.serial + 1, 0, java.util.Collections.singletonList(vorbis.length), vorbis);
    mux.write(mono, OggStreams.pages(mono).get(1).offset, mono.length - OggStreams.pages(mono).get(1).offset);
    try (SeekableRecording rec = seekable(mux.toByteArray())) {
      UnsupportedAudioException e = assertThrows(UnsupportedAudioException.class, () -> AudioRecording.open(rec));
      assertTrue(e.getMessage().contains("multiplexed") && e.getMessage().contains("Vorbis"), e.getMessage());
    }
    // Chained: another Opus stream after the first.
    byte[] stereo = fixture(STEREO);
    byte[] chained = Arrays.copyOf(mono, mono.length + stereo.length);
    System.arraycopy(stereo, 0, chained, mono.length, stereo.length);
    try (SeekableRecording rec = seekable(chained)) {
      UnsupportedAudioException e = assertThrows(UnsupportedAudioException.class, () -> AudioRecording.open(rec));
      assertTrue(e.getMessage().contains("chained") && e.getMessage().contains("3919d408"), e.getMessage());
    }
    // A channel mapping family this layer does not know (2: ambisonics).
    Parsed p = Parsed.of(mono);
    byte[] ambi = Arrays.copyOf(p.head, 21 + 4);
    ambi[9] = 4;
    ambi[18] = 2;
    try (SeekableRecording rec = seekable(OggStreams.write(9, ambi, p.tags, p.audioData(), 4000, 50, false))) {
      UnsupportedAudioException e = assertThrows(UnsupportedAudioException.class, () -> AudioRecording.open(rec));
      assertTrue(e.getMessage().contains("mapping family 2"), e.getMessage());
    }
  }

  @Test
  void timesOutsideTheRecordingAreRefused() throws Exception {
    try (SeekableRecording rec = seekable(fixture(STEREO))) {
      AudioRecording audio = AudioRecording.open(rec);
      assertThrows(TimeOutOfRangeException.class, () -> audio.openClip(-1));
      assertThrows(TimeOutOfRangeException.class, () -> audio.openClip(audio.durationMicros()));
      assertThrows(TimeOutOfRangeException.class, () -> audio.openClip(2_000_000, 2_000_000));
    }
  }

  /** The fixture as {@link OggStreams} reads it. */
  static final class Parsed {
    byte[] head;
    byte[] tags;
    int preSkip;
    List<OggStreams.Packet> audio;

    static Parsed of(byte[] ogg) {
      OggStreams.Parsed r = OggStreams.parse(ogg);
      Parsed p = new Parsed();
      p.head = r.head;
      p.tags = r.tags;
      p.preSkip = r.preSkip();
      p.audio = r.audio;
      return p;
    }

    List<byte[]> audioData() {
      List<byte[]> out = new ArrayList<>();
      for (OggStreams.Packet k : audio) {
        out.add(k.data);
      }
      return out;
    }
  }

  /**
   * Reads the clip from {@code from} to {@code to} and checks it against the original: pages and
   * CRCs, headers, the packets from the chosen start, granules, pre-skip and end trimming.
   */
  static byte[] checkClip(byte[] original, AudioRecording audio, long from, long to) throws Exception {
    String at = "clip " + from + ".." + to + " µs";
    OggStreams.Parsed o = OggStreams.parse(original);
    byte[] clip;
    try (InputStream in = audio.openClip(from, to)) {
      clip = OggStreams.readAll(in);
    }
    OggStreams.Parsed c = OggStreams.parse(clip);
    List<OggStreams.Page> pages = c.pages;
    for (int i = 0; i < pages.size(); i++) {
      OggStreams.Page p = pages.get(i);
      assertEquals(i, p.sequence, at);
      assertEquals(o.serial, p.serial, at);
      assertEquals(i == 0 ? 2 : 0, p.flags & 2, at + ": BOS on page " + i);
      assertEquals(i == pages.size() - 1 ? 4 : 0, p.flags & 4, at + ": EOS on page " + i);
    }
    byte[] head = c.head.clone();
    head[10] = o.head[10];
    head[11] = o.head[11];
    assertArrayEquals(o.head, head, at);
    assertArrayEquals(o.tags, c.tags, at);
    assertEquals(1, pages.get(0).lacing.length, at); // the ID header alone on the first page
    assertFalse(c.audio.isEmpty(), at);
    int firstAudioPage = c.audio.get(0).page;
    int tagsPages = 0;
    for (OggStreams.Page p : pages.subList(1, firstAudioPage)) {
      tagsPages++;
      assertEquals(0, p.granule, at);
    }
    assertTrue(tagsPages >= 1, at);
    assertEquals(0, pages.get(firstAudioPage).flags & 1, at + ": audio starts on a fresh page");

    long duration = audio.durationMicros();
    long fromSamples = from * 48_000 / 1_000_000;
    long toSamples = (Math.min(to, duration) * 6 + 124) / 125; // rounded up
    long lastGranule = pages.get(pages.size() - 1).granule;
    int preSkip = o.preSkip();
    long fromGranule = preSkip + fromSamples;
    long toGranule = preSkip + toSamples;
    int clipPreSkip = c.preSkip();
    long start = fromGranule - clipPreSkip; // the original granule of the clip's first sample

    // Pre-roll: at least 80 ms decoded before the first sample played, unless from the start.
    if (fromGranule >= 3840) {
      assertTrue(clipPreSkip >= 3840, at + ": pre-skip " + clipPreSkip);
    } else {
      assertEquals(0, start, at);
    }
    assertTrue(clipPreSkip <= 3840 + 5760 || start == 0, at + ": pre-skip " + clipPreSkip);

    // The packets are the original's from the packet that starts at 'start'.
    int k = -1;
    for (int i = 0; i < o.audio.size(); i++) {
      if (o.audio.get(i).start == start) {
        k = i;
      }
    }
    assertTrue(k >= 0, at + ": no original packet starts at granule " + start);
    for (int i = 0; i < c.audio.size(); i++) {
      assertArrayEquals(o.audio.get(k + i).data, c.audio.get(i).data, at + ": packet " + i);
    }
    OggStreams.Packet last = o.audio.get(k + c.audio.size() - 1);
    assertTrue(last.start + last.samples >= toGranule, at + ": ends too early");
    assertTrue(c.audio.size() == 1 || last.start < toGranule, at + ": runs on past the end");

    // Granules: cumulative output samples on every page; the last trims to the end time.
    long cumulative = 0;
    int next = firstAudioPage; // the first page not yet checked
    for (int i = 0; i < c.audio.size(); i++) {
      OggStreams.Packet p = c.audio.get(i);
      for (; next < p.page; next++) {
        assertEquals(-1, pages.get(next).granule, at + ": page " + next + " ends no packet");
      }
      cumulative += p.samples;
      if (i == c.audio.size() - 1 || c.audio.get(i + 1).page != p.page) {
        long expected = p.page == pages.size() - 1 ? toGranule - start : cumulative;
        assertEquals(expected, pages.get(p.page).granule, at + ": granule of page " + p.page);
        next = p.page + 1;
      }
    }
    assertTrue(lastGranule <= cumulative, at);
    // What plays: from the requested sample to the end time.
    assertEquals(toGranule - fromGranule, lastGranule - clipPreSkip, at + ": samples played");
    return clip;
  }
}
