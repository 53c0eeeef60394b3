package com.getox.crypto.audio;

/**
 * One Ogg page (RFC 3533 §6): parse, CRC check and build.
 *
 * <p>Hand-written on purpose: no maintained pure-Java Ogg library fits the footprint core keeps
 * for Android (the candidates are unmaintained, pull in javax.sound, or bundle a codec), and a
 * page is a 27-byte header, a lacing table and a body. The CRC is Ogg's CRC-32: polynomial
 * 0x04C11DB7, not reflected, initial value 0, no final XOR, computed over the page with its CRC
 * field set to zero.
 */
final class OggPage {
  static final int HEADER_BYTES = 27;
  /** 27 header bytes, 255 lacing values of 255 bytes each. */
  static final int MAX_BYTES = HEADER_BYTES + 255 + 255 * 255;

  static final int CONTINUED = 0x01;
  static final int BOS = 0x02;
  static final int EOS = 0x04;

  private static final int[] CRC_TABLE = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int r = i << 24;
      for (int k = 0; k < 8; k++) {
        r = (r & 0x80000000) != 0 ? (r << 1) ^ 0x04C11DB7 : r << 1;
      }
      CRC_TABLE[i] = r;
    }
  }

  /** Where the page starts in the recording's plaintext (-1 for a page built here). */
  final long offset;
  /** The whole page: header, lacing values, body. */
  final byte[] bytes;

  private OggPage(long offset, byte[] bytes) {
    this.offset = offset;
    this.bytes = bytes;
  }

  /**
   * The length of the page starting at {@code b[off]}, given {@code avail} bytes there: -1 if it
   * does not start with "OggS" and stream structure version 0, 0 if more bytes are needed to
   * tell, else the page's total length (which may exceed {@code avail}).
   */
  static int length(byte[] b, int off, int avail) {
    int magic = Math.min(avail, 5);
    for (int i = 0; i < magic; i++) {
      if (b[off + i] != "OggS\0".charAt(i)) {
        return -1;
      }
    }
    if (avail < HEADER_BYTES) {
      return 0;
    }
    int segments = b[off + 26] & 0xFF;
    if (avail < HEADER_BYTES + segments) {
      return 0;
    }
    int body = 0;
    for (int i = 0; i < segments; i++) {
      body += b[off + HEADER_BYTES + i] & 0xFF;
    }
    return HEADER_BYTES + segments + body;
  }

  /** Whether the {@code len} bytes at {@code b[off]} hold a page whose CRC field matches. */
  static boolean crcMatches(byte[] b, int off, int len) {
    return crc(b, off, len) == le32(b, off + 22);
  }

  /** A copy of the complete page at {@code b[off]}, of length {@code len} (see {@link #length}). */
  static OggPage of(byte[] b, int off, int len, long offset) {
    byte[] copy = new byte[len];
    System.arraycopy(b, off, copy, 0, len);
    return new OggPage(offset, copy);
  }

  /**
   * A page with a fresh CRC.
   *
   * @param lacing {@code segments} lacing values
   */
  static OggPage build(
      int flags, long granule, int serial, int sequence, byte[] lacing, int segments, byte[] body, int bodyLength) {
    byte[] b = new byte[HEADER_BYTES + segments + bodyLength];
    b[0] = 'O';
    b[1] = 'g';
    b[2] = 'g';
    b[3] = 'S';
    b[5] = (byte) flags;
    for (int i = 0; i < 8; i++) {
      b[6 + i] = (byte) (granule >>> (8 * i));
    }
    putLe32(b, 14, serial);
    putLe32(b, 18, sequence);
    b[26] = (byte) segments;
    System.arraycopy(lacing, 0, b, HEADER_BYTES, segments);
    System.arraycopy(body, 0, b, HEADER_BYTES + segments, bodyLength);
    putLe32(b, 22, crc(b, 0, b.length));
    return new OggPage(-1, b);
  }

  int flags() {
    return bytes[5] & 0xFF;
  }

  boolean continued() {
    return (flags() & CONTINUED) != 0;
  }

  boolean bos() {
    return (flags() & BOS) != 0;
  }

  boolean eos() {
    return (flags() & EOS) != 0;
  }

  /** The granule position; -1 when no packet ends on this page. */
  long granule() {
    long g = 0;
    for (int i = 7; i >= 0; i--) {
      g = (g << 8) | (bytes[6 + i] & 0xFF);
    }
    return g;
  }

  int serial() {
    return le32(bytes, 14);
  }

  int sequence() {
    return le32(bytes, 18);
  }

  int segments() {
    return bytes[26] & 0xFF;
  }

  int lacing(int i) {
    return bytes[HEADER_BYTES + i] & 0xFF;
  }

  int bodyStart() {
    return HEADER_BYTES + segments();
  }

  int length() {
    return bytes.length;
  }

  /** The offset just past this page in the recording. */
  long end() {
    return offset + bytes.length;
  }

  static int crc(byte[] b, int off, int len) {
    int crc = 0;
    for (int i = 0; i < len; i++) {
      int v = i >= 22 && i < 26 ? 0 : b[off + i] & 0xFF; // the CRC field counts as zero
      crc = (crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ v) & 0xFF];
    }
    return crc;
  }

  static int le32(byte[] b, int off) {
    return (b[off] & 0xFF)
        | (b[off + 1] & 0xFF) << 8
        | (b[off + 2] & 0xFF) << 16
        | (b[off + 3] & 0xFF) << 24;
  }

  static void putLe32(byte[] b, int off, int v) {
    for (int i = 0; i < 4; i++) {
      b[off + i] = (byte) (v >>> (8 * i));
    }
  }
}
