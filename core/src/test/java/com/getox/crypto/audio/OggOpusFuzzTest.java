package com.getox.crypto.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.getox.crypto.SeekableRecording;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jazzer target for the Ogg Opus reader: the page parser, the header checks, the bisection and
 * the clip writer. Under plain {@code mvn verify} it replays {@code
 * src/test/resources/com/getox/crypto/audio/OggOpusFuzzTestInputs/oggOpus/} in core's {@code
 * fuzz-regression} execution; {@code fuzz/run.sh OggOpusFuzzTest#oggOpus 5} fuzzes it (see
 * core/README.md). The seeded cases below feed it random inputs on every build.
 */
@Tag("fuzz")
class OggOpusFuzzTest {
  private static final OggStreams.Owner OWNER;
  /** The ID and comment header pages of the mono speech fixture. */
  private static final byte[] HEADERS;
  private static final int SERIAL;

  static { // not @BeforeAll: fuzz/run.sh's standalone driver calls the method directly
    try {
      OWNER = new OggStreams.Owner();
      byte[] mono = OggOpusTrackTest.fixture(OggOpusTrackTest.MONO);
      List<OggStreams.Page> pages = OggStreams.pages(mono);
      HEADERS = Arrays.copyOf(mono, pages.get(2).offset);
      SERIAL = pages.get(0).serial;
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * An Ogg stream the input shapes: the fixture's genuine headers (or raw bytes), then pages whose
   * flags, granules, serial, sequence, lacing and bodies it chooses, CRCs right unless it says
   * otherwise, maybe cut short. Opening and clipping fail only with an AudioException (or an
   * IOException caused by one); a clip read to its end is Ogg with valid CRCs, pages numbered from
   * 0, BOS first and EOS last.
   */
  @FuzzTest(maxDuration = "5m")
  void oggOpus(byte[] data) throws Exception {
    Cursor in = new Cursor(data);
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    if (in.bit()) {
      plain.write(HEADERS);
    } else {
      plain.write(in.bytes(in.upTo(300)));
    }
    int pages = in.upTo(12);
    long granule = 0;
    boolean open = false; // a packet continues onto the next page
    int openSamples = 0;
    for (int i = 0; i < pages; i++) {
      int flags = in.bit() && in.bit() ? in.upTo(7) : (open ? 1 : 0) | (i == pages - 1 ? 4 : 0);
      int s = in.bit() && in.bit() && in.bit() ? in.upTo(3) : SERIAL;
      int sequence = in.bit() && in.bit() && in.bit() ? in.upTo(20) : 2 + i;
      List<Integer> lacing = new ArrayList<>();
      for (int n = in.upTo(30); lacing.size() < n; ) {
        lacing.add(in.bit() && in.bit() ? 255 : in.upTo(254));
      }
      int body = 0;
      for (int lace : lacing) {
        body += lace;
      }
      byte[] b = Arrays.copyOf(in.bytes(body), body);
      // Mostly valid TOC bytes (codes 0 to 2), and a granule that counts them, unless told not to.
      int at = 0;
      boolean starts = !open;
      for (int lace : lacing) {
        if (starts && lace > 0) {
          if (!(in.bit() && in.bit())) {
            b[at] = (byte) (in.upTo(31) << 3 | in.upTo(2));
          }
          openSamples = OggStreams.samples(new byte[] {b[at], b[Math.min(at + 1, b.length - 1)]});
        }
        at += lace;
        starts = lace < 255;
        if (lace < 255) {
          granule += openSamples;
          openSamples = 0;
        }
      }
      open = !lacing.isEmpty() && lacing.get(lacing.size() - 1) == 255;
      long g = in.bit() && in.bit() ? in.upTo(100_000) - 1 : lacing.isEmpty() || open && countEnds(lacing) == 0 ? -1 : granule;
      int pageAt = plain.size();
      OggStreams.rawPage(plain, flags, g, s, sequence, lacing, b);
      if (in.bit() && in.bit() && in.bit()) {
        byte[] whole = plain.toByteArray();
        whole[pageAt + in.upTo(whole.length - pageAt - 1)] ^= 1 + in.upTo(254);
        plain.reset();
        plain.write(whole);
      }
    }
    byte[] bytes = plain.toByteArray();
    if (in.bit() && in.bit() && bytes.length > 0) {
      bytes = Arrays.copyOf(bytes, in.upTo(bytes.length));
    }
    check(bytes, in.upTo(Integer.MAX_VALUE), in.upTo(Integer.MAX_VALUE));
  }

  private static int countEnds(List<Integer> lacing) {
    int n = 0;
    for (int lace : lacing) {
      n += lace < 255 ? 1 : 0;
    }
    return n;
  }

  static void check(byte[] plain, long a, long b) throws Exception {
    try (SeekableRecording rec = OWNER.open(OWNER.encrypt(plain))) {
      AudioRecording audio;
      try {
        audio = AudioRecording.open(rec);
      } catch (AudioException typed) {
        return;
      }
      long d = audio.durationMicros();
      assertTrue(d >= 0);
      if (d == 0) {
        return;
      }
      long from = a * 997 % d;
      long to = from + 1 + b * 991 % (d + 1_000_000);
      byte[] clip;
      try (InputStream c = audio.openClip(from, to)) {
        clip = OggStreams.readAll(c);
      } catch (AudioException typed) {
        return;
      } catch (IOException e) {
        assertInstanceOf(AudioException.class, e.getCause(), e.toString());
        return;
      }
      List<OggStreams.Page> pages = OggStreams.pages(clip);
      for (int i = 0; i < pages.size(); i++) {
        assertEquals(i, pages.get(i).sequence);
        assertEquals(i == 0, (pages.get(i).flags & 2) != 0);
        assertEquals(i == pages.size() - 1, (pages.get(i).flags & 4) != 0);
      }
    }
  }

  static List<Long> seeds() {
    List<Long> s = new ArrayList<>();
    for (long i = 0; i < 100; i++) {
      s.add(i);
    }
    return s;
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void seeded(long seed) throws Exception {
    byte[] data = new byte[new Random(seed).nextInt(4000)];
    new Random(seed ^ 0x0995).nextBytes(data);
    oggOpus(data);
  }

  /** Reads choices from the input; past its end every choice is 0. */
  static final class Cursor {
    private final byte[] data;
    private int at;

    Cursor(byte[] data) {
      this.data = data;
    }

    private int next() {
      return at < data.length ? data[at++] & 0xFF : 0;
    }

    boolean bit() {
      return (next() & 1) == 1;
    }

    /** 0 to {@code max} inclusive. */
    int upTo(int max) {
      long v = (long) next() << 24 | next() << 16 | next() << 8 | next();
      return (int) (v % ((long) max + 1));
    }

    byte[] bytes(int n) {
      int m = Math.max(0, Math.min(n, data.length - at));
      byte[] b = Arrays.copyOfRange(data, at, at + m);
      at += m;
      return b;
    }
  }
}
