package com.getox.crypto.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.getox.crypto.SeekableRecording;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An independent reading and writing of Ogg Opus for the tests: a bit-at-a-time CRC, a plain
 * page walk and a TOC table written out from RFC 6716 Table 2, so the production code is checked
 * against a second implementation rather than itself.
 */
final class OggStreams {
  private OggStreams() {}

  /** Encrypts and opens recordings in memory, through {@link AudioFixtures}. */
  static final class Owner {
    /** Encrypts {@code plain} into a recording. */
    byte[] encrypt(byte[] plain) throws IOException, GeneralSecurityException {
      return AudioFixtures.encryptToBytes(plain);
    }

    SeekableRecording open(byte[] recording) throws IOException, GeneralSecurityException {
      return AudioFixtures.open(recording);
    }
  }

  static final class Page {
    int flags;
    long granule;
    int serial;
    int sequence;
    int[] lacing;
    byte[] body;
    int offset;
  }

  static final class Packet {
    byte[] data;
    /** Granule at its first sample, counted from the stream's start granule. */
    long start;
    int samples;
    /** Index of the page it ends on. */
    int page;
  }

  /** Ogg's CRC, a bit at a time (RFC 3533 §6 and libogg's framing.c). */
  static int crc(byte[] b) {
    int crc = 0;
    for (int i = 0; i < b.length; i++) {
      int v = i >= 22 && i < 26 ? 0 : b[i] & 0xFF;
      crc ^= v << 24;
      for (int k = 0; k < 8; k++) {
        crc = crc < 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
      }
    }
    return crc;
  }

  /** Every page, in order; asserts the capture pattern, version and CRC of each. */
  static List<Page> pages(byte[] ogg) {
    List<Page> pages = new ArrayList<>();
    int at = 0;
    while (at < ogg.length) {
      assertEquals("OggS", new String(ogg, at, 4, java.nio.charset.StandardCharsets.ISO_8859_1), "capture at " + at);
      assertEquals(0, ogg[at + 4], "version");
      Page p = new Page();
      p.offset = at;
      p.flags = ogg[at + 5] & 0xFF;
      p.granule = le(ogg, at + 6, 8);
      p.serial = (int) le(ogg, at + 14, 4);
      p.sequence = (int) le(ogg, at + 18, 4);
      int crc = (int) le(ogg, at + 22, 4);
      int n = ogg[at + 26] & 0xFF;
      p.lacing = new int[n];
      int body = 0;
      for (int i = 0; i < n; i++) {
        p.lacing[i] = ogg[at + 27 + i] & 0xFF;
        body += p.lacing[i];
      }
      int len = 27 + n + body;
      p.body = Arrays.copyOfRange(ogg, at + 27 + n, at + len);
      assertEquals(crc, crc(Arrays.copyOfRange(ogg, at, at + len)), "CRC of the page at " + at);
      pages.add(p);
      at += len;
    }
    return pages;
  }

  /** The packets of the pages from {@code firstPage} on (which must not start with a continuation). */
  static List<Packet> packets(List<Page> pages, int firstPage) {
    List<Packet> out = new ArrayList<>();
    ByteArrayOutputStream cur = new ByteArrayOutputStream();
    for (int pi = firstPage; pi < pages.size(); pi++) {
      Page p = pages.get(pi);
      assertEquals(cur.size() > 0 || (p.flags & 1) != 0 && pi > firstPage, (p.flags & 1) != 0, "continued flag on page " + pi);
      int at = 0;
      for (int lace : p.lacing) {
        cur.write(p.body, at, lace);
        at += lace;
        if (lace < 255) {
          Packet k = new Packet();
          k.data = cur.toByteArray();
          k.page = pi;
          out.add(k);
          cur.reset();
        }
      }
    }
    return out;
  }

  /** Frame sizes in 48 kHz samples by TOC configuration, RFC 6716 Table 2. */
  private static final int[] FRAME = {
    480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920, 2880, // SILK NB, MB, WB
    480, 960, 480, 960, // Hybrid SWB, FB
    120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960 // CELT
  };

  static int samples(byte[] packet) {
    int toc = packet[0] & 0xFF;
    int frames = (toc & 3) == 0 ? 1 : (toc & 3) < 3 ? 2 : packet[1] & 0x3F;
    return FRAME[toc >>> 3] * frames;
  }

  /** Header packets and audio packets (start granules from 0) of a whole Ogg Opus file. */
  static final class Parsed {
    List<Page> pages;
    byte[] head;
    byte[] tags;
    List<Packet> audio;
    int serial;

    int preSkip() {
      return (head[10] & 0xFF) | (head[11] & 0xFF) << 8;
    }
  }

  static Parsed parse(byte[] ogg) {
    Parsed r = new Parsed();
    r.pages = pages(ogg);
    r.serial = r.pages.get(0).serial;
    List<Packet> all = packets(r.pages, 0);
    r.head = all.get(0).data;
    r.tags = all.get(1).data;
    r.audio = new ArrayList<>(all.subList(2, all.size()));
    long g = 0;
    for (Packet p : r.audio) {
      p.start = g;
      p.samples = samples(p.data);
      g += p.samples;
    }
    return r;
  }

  /**
   * Writes an Ogg Opus stream: the two headers on their own pages, then the packets in pages of
   * at most {@code bodyBytes} (packets split across pages, as libogg does) or {@code
   * packetsPerPage} packets, granules counted from 0, the last page EOS unless {@code open}.
   */
  static byte[] write(int serial, byte[] head, byte[] tags, List<byte[]> packets, int bodyBytes, int packetsPerPage, boolean open) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int seq = 0;
    rawPage(out, 2, 0, serial, seq++, lace(head.length), head);
    for (int at = 0; ; ) { // the comment header, 255 lacing values a page
      List<Integer> lacing = new ArrayList<>();
      int from = at;
      boolean ends = false;
      while (lacing.size() < 255 && !ends) {
        int seg = Math.min(255, tags.length - at);
        lacing.add(seg);
        at += seg;
        ends = seg < 255;
      }
      rawPage(out, from > 0 ? 1 : 0, 0, serial, seq++, lacing, Arrays.copyOfRange(tags, from, at));
      if (ends) {
        break;
      }
    }
    long granule = 0;
    int i = 0;
    int off = 0;
    while (i < packets.size()) {
      boolean continued = off > 0;
      List<Integer> lacing = new ArrayList<>();
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      long pageGranule = -1;
      int count = 0;
      while (i < packets.size() && lacing.size() < 255 && body.size() < bodyBytes && count < packetsPerPage) {
        byte[] p = packets.get(i);
        int seg = Math.min(255, p.length - off);
        lacing.add(seg);
        body.write(p, off, seg);
        off += seg;
        if (seg < 255) {
          off = 0;
          i++;
          count++;
          granule += samples(p);
          pageGranule = granule;
        }
      }
      int flags = (continued ? 1 : 0) | (i == packets.size() && !open ? 4 : 0);
      rawPage(out, flags, pageGranule, serial, seq++, lacing, body.toByteArray());
    }
    return out.toByteArray();
  }

  private static List<Integer> lace(int length) {
    List<Integer> lacing = new ArrayList<>();
    for (; length >= 255; length -= 255) {
      lacing.add(255);
    }
    lacing.add(length);
    return lacing;
  }

  static void rawPage(ByteArrayOutputStream out, int flags, long granule, int serial, int sequence, List<Integer> lacing, byte[] body) {
    byte[] b = new byte[27 + lacing.size() + body.length];
    b[0] = 'O';
    b[1] = 'g';
    b[2] = 'g';
    b[3] = 'S';
    b[5] = (byte) flags;
    putLe(b, 6, granule, 8);
    putLe(b, 14, serial, 4);
    putLe(b, 18, sequence, 4);
    b[26] = (byte) lacing.size();
    for (int i = 0; i < lacing.size(); i++) {
      b[27 + i] = (byte) (int) lacing.get(i);
    }
    System.arraycopy(body, 0, b, 27 + lacing.size(), body.length);
    putLe(b, 22, crc(b), 4);
    out.write(b, 0, b.length);
  }

  static long le(byte[] b, int off, int n) {
    long v = 0;
    for (int i = n - 1; i >= 0; i--) {
      v = v << 8 | (b[off + i] & 0xFF);
    }
    return v;
  }

  static void putLe(byte[] b, int off, long v, int n) {
    for (int i = 0; i < n; i++) {
      b[off + i] = (byte) (v >>> (8 * i));
    }
  }

  static byte[] readAll(InputStream in) throws IOException {
    return AudioFixtures.readAll(in);
  }

}
