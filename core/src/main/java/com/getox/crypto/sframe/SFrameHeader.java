package com.getox.crypto.sframe;

import com.getox.crypto.FormatException;

/**
 * An RFC 9605 SFrame header: the key id (KID) and counter (CTR) that start every frame, both
 * unsigned 64-bit values held in a Java {@code long} (read them with {@link Long#toHexString} or
 * {@code Long.toUnsignedString}; {@code -1L} is 2<sup>64</sup>&minus;1).
 *
 * <pre>{@code
 * SFrameHeader h = SFrameHeader.parse(frameBytes);    // routes a frame before decryption
 * long epoch = h.kid();                                 // Ox: the KID names the key epoch
 * byte[] wire = SFrameHeader.of(0x123, 0x4567).toByteArray();   // 99 01 23 45 67
 * }</pre>
 *
 * <p>Encoding (RFC 9605 section 4.3): a config byte {@code X(1) K(3) Y(1) C(3)}. A value below 8
 * is carried in the config byte itself (X or Y = 0); otherwise X or Y is 1, K or C is its length
 * minus one, and the value follows as minimal big-endian bytes, KID first. The parser rejects
 * non-minimal encodings, so every (KID, CTR) has exactly one header. Nothing in a header is
 * authenticated until the frame's tag is checked.
 */
public final class SFrameHeader {
  /** The longest header: a config byte and two 8-byte values. */
  public static final int MAX_BYTES = 17;

  private final long kid;
  private final long ctr;

  private SFrameHeader(long kid, long ctr) {
    this.kid = kid;
    this.ctr = ctr;
  }

  /**
   * A header for {@code kid} and {@code ctr}.
   *
   * @param kid the key id, unsigned 64-bit
   * @param ctr the counter, unsigned 64-bit
   * @return the header
   */
  public static SFrameHeader of(long kid, long ctr) {
    return new SFrameHeader(kid, ctr);
  }

  /**
   * The key id (KID).
   *
   * @return the KID, unsigned 64-bit; in Ox, the key epoch
   */
  public long kid() {
    return kid;
  }

  /**
   * The counter (CTR).
   *
   * @return the CTR, unsigned 64-bit
   */
  public long ctr() {
    return ctr;
  }

  /**
   * The encoded length.
   *
   * @return the length in bytes, 1 to {@value #MAX_BYTES}
   */
  public int encodedLength() {
    return 1 + extraBytes(kid) + extraBytes(ctr);
  }

  /**
   * The encoded header.
   *
   * @return a new array of {@link #encodedLength()} bytes, in the minimal encoding
   */
  public byte[] toByteArray() {
    byte[] out = new byte[encodedLength()];
    writeTo(out, 0);
    return out;
  }

  /** Writes the header at {@code out[off]} and returns its length. */
  int writeTo(byte[] out, int off) {
    int kidLen = extraBytes(kid);
    int ctrLen = extraBytes(ctr);
    int config = kidLen == 0 ? (int) kid << 4 : 0x80 | (kidLen - 1) << 4;
    config |= ctrLen == 0 ? (int) ctr : 0x08 | (ctrLen - 1);
    out[off] = (byte) config;
    putBigEndian(kid, out, off + 1, kidLen);
    putBigEndian(ctr, out, off + 1 + kidLen, ctrLen);
    return 1 + kidLen + ctrLen;
  }

  /**
   * Parses the header at the start of {@code frame}.
   *
   * @param frame a whole frame, or at least its header; not null
   * @return the header (not authenticated until the frame's tag is checked)
   * @throws FormatException if the bytes end before the header does or a value is not minimally
   *     encoded
   */
  public static SFrameHeader parse(byte[] frame) throws FormatException {
    return parse(frame, 0, frame.length);
  }

  /**
   * Parses the header at {@code frame[off]}, reading at most {@code len} bytes.
   *
   * @param frame the bytes holding the frame; not null
   * @param off where the header starts
   * @param len how many bytes from {@code off} belong to the frame
   * @return the header (not authenticated until the frame's tag is checked)
   * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not lie within {@code
   *     frame}
   * @throws FormatException if the bytes end before the header does or a value is not minimally
   *     encoded
   */
  public static SFrameHeader parse(byte[] frame, int off, int len) throws FormatException {
    if (off < 0 || len < 0 || off > frame.length - len) {
      throw new IndexOutOfBoundsException("off " + off + ", len " + len + ", " + frame.length);
    }
    if (len < 1) {
      throw new FormatException("SFrame frame is empty");
    }
    int config = frame[off] & 0xff;
    int pos = off + 1;
    int end = off + len;
    long kid;
    if ((config & 0x80) == 0) {
      kid = (config >>> 4) & 0x07;
    } else {
      int n = ((config >>> 4) & 0x07) + 1;
      kid = readMinimal(frame, pos, end, n, "KID");
      pos += n;
    }
    long ctr;
    if ((config & 0x08) == 0) {
      ctr = config & 0x07;
    } else {
      int n = (config & 0x07) + 1;
      ctr = readMinimal(frame, pos, end, n, "CTR");
    }
    return new SFrameHeader(kid, ctr);
  }

  private static long readMinimal(byte[] b, int pos, int end, int n, String what)
      throws FormatException {
    if (end - pos < n) {
      throw new FormatException("SFrame header ends inside its " + n + "-byte " + what);
    }
    long v = 0;
    for (int i = 0; i < n; i++) {
      v = v << 8 | (b[pos + i] & 0xff);
    }
    if (extraBytes(v) != n) {
      throw new FormatException("SFrame header's " + what + " is not minimally encoded");
    }
    return v;
  }

  /** Bytes after the config byte that {@code v} takes: 0 if it fits in 3 bits. */
  static int extraBytes(long v) {
    if (v >= 0 && v < 8) {
      return 0;
    }
    return (64 - Long.numberOfLeadingZeros(v) + 7) / 8;
  }

  static void putBigEndian(long v, byte[] out, int off, int n) {
    for (int i = n - 1; i >= 0; i--) {
      out[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SFrameHeader && ((SFrameHeader) o).kid == kid && ((SFrameHeader) o).ctr == ctr;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(kid) * 31 + Long.hashCode(ctr);
  }

  @Override
  public String toString() {
    return "SFrameHeader{kid=0x" + Long.toHexString(kid) + ", ctr=0x" + Long.toHexString(ctr) + "}";
  }
}
