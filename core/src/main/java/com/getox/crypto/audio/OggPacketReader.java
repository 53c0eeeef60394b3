package com.getox.crypto.audio;

import com.getox.crypto.SeekableRecording;
import java.io.IOException;
import java.security.GeneralSecurityException;

/**
 * Reads one logical Ogg Opus stream's audio pages in order from a recording, strictly, and yields
 * its packets with their start granule positions. A page that is missing, fails its CRC, belongs
 * to another stream or is cut short raises an exception: nothing is skipped.
 *
 * <p>Granules: on every page with a granule position (other than an end-of-stream page, whose
 * granule may trim the end), the start of the first packet beginning on the page is that granule
 * minus the durations of the packets that begin and end on it; between such pages the durations
 * from the TOC bytes carry the count forward. A packet continued from a page before the first one
 * read is dropped: its beginning is not in hand.
 */
final class OggPacketReader {
  /** A complete packet. */
  static final class Packet {
    final byte[] data;
    /** Granule position at its first sample. */
    final long start;
    /** Duration in 48 kHz samples. */
    final int samples;

    Packet(byte[] data, long start, int samples) {
      this.data = data;
      this.start = start;
      this.samples = samples;
    }

    long end() {
      return start + samples;
    }
  }

  private final SeekableRecording recording;
  private final int serial;
  private OggPage page;
  private int piece; // next piece on page
  private int[] pieceOffset = new int[0];
  private int[] pieceLength = new int[0];
  private boolean[] pieceEnds = new boolean[0];
  private long[] pieceStart = new long[0];
  private int pieces;

  /** Granule position at the start of the next packet to begin; -1 while unknown. */
  private long cursor = -1;

  private byte[] partial; // the packet begun on an earlier page, or null
  private int partialLength;
  private long partialStart;
  private int partialSamples;
  private boolean partialIsOrphan; // its beginning precedes the first page read

  /** Starts at {@code first}, already read and checked (see {@link #readPage}). */
  OggPacketReader(SeekableRecording recording, OggPage first)
      throws CorruptAudioException {
    this.recording = recording;
    this.serial = first.serial();
    load(first, true);
  }

  /** The page in hand. */
  OggPage page() {
    return page;
  }

  /**
   * The next complete packet, or null after the end-of-stream page.
   *
   * @throws CorruptAudioException on a missing, damaged or cut-short page
   * @throws UnsupportedAudioException on a page of another logical stream
   */
  Packet next() throws IOException, GeneralSecurityException {
    while (true) {
      if (piece == pieces) {
        if (page.eos()) {
          if (partial != null) {
            throw new CorruptAudioException(
                "Ogg end-of-stream page at byte " + page.offset + " ends inside a packet");
          }
          return null;
        }
        OggPage nextPage = readPage(recording, page.end());
        if (nextPage.serial() != serial) {
          throw OggOpusTrack.otherStream(nextPage);
        }
        if (nextPage.sequence() != page.sequence() + 1) {
          throw new CorruptAudioException(
              "Ogg page at byte " + nextPage.offset + " has sequence number "
                  + (nextPage.sequence() & 0xFFFFFFFFL) + " after " + (page.sequence() & 0xFFFFFFFFL)
                  + ": a page is missing");
        }
        load(nextPage, false);
        continue;
      }
      int k = piece++;
      int off = pieceOffset[k];
      int len = pieceLength[k];
      boolean begins = k > 0 || !page.continued();
      if (begins) {
        partial = new byte[Math.max(len, 256)];
        partialLength = 0;
        partialStart = pieceStart[k];
        partialSamples = OpusPackets.samples(page.bytes, off, len);
        partialIsOrphan = false;
      }
      if (partial != null && !partialIsOrphan) {
        if (partialLength + len > partial.length) {
          partial = java.util.Arrays.copyOf(partial, Math.max(partialLength + len, partial.length * 2));
        }
        System.arraycopy(page.bytes, off, partial, partialLength, len);
        partialLength += len;
      }
      if (!pieceEnds[k]) {
        continue; // the packet goes on on the next page
      }
      boolean orphan = partial == null || partialIsOrphan;
      byte[] data = partial == null ? null : java.util.Arrays.copyOf(partial, partialLength);
      long start = partialStart;
      int samples = partialSamples;
      partial = null;
      if (!orphan) {
        return new Packet(data, start, samples);
      }
    }
  }

  /** Splits a page into packet pieces and works out the start granule of those that begin on it. */
  private void load(OggPage p, boolean first) throws CorruptAudioException {
    if (p.continued() && partial == null && !first) {
      throw new CorruptAudioException(
          "Ogg page at byte " + p.offset + " continues a packet no earlier page began");
    }
    if (!p.continued() && partial != null) {
      throw new CorruptAudioException(
          "Ogg page at byte " + p.offset + " does not continue the packet the page before left open");
    }
    if (first && p.continued()) {
      partial = new byte[0];
      partialLength = 0;
      partialIsOrphan = true;
    }
    int n = p.segments();
    if (pieceOffset.length < n) {
      pieceOffset = new int[n];
      pieceLength = new int[n];
      pieceEnds = new boolean[n];
      pieceStart = new long[n];
    }
    int count = 0;
    int at = p.bodyStart();
    for (int s = 0; s < n; ) {
      int start = at;
      int len = 0;
      boolean ends = false;
      while (s < n) {
        int lace = p.lacing(s++);
        len += lace;
        if (lace < 255) {
          ends = true;
          break;
        }
      }
      pieceOffset[count] = start;
      pieceLength[count] = len;
      pieceEnds[count] = ends;
      count++;
      at += len;
    }
    // Durations of the packets that begin and end here.
    long whole = 0;
    for (int k = 0; k < count; k++) {
      boolean begins = k > 0 || !p.continued();
      if (begins && pieceEnds[k]) {
        whole += OpusPackets.samples(p.bytes, pieceOffset[k], pieceLength[k]);
      }
    }
    long granule = p.granule();
    if (granule != -1 && (!p.eos() || cursor < 0)) {
      long base = granule - whole;
      if (base < 0) {
        if (!p.eos()) {
          throw new CorruptAudioException(
              "Ogg page at byte " + p.offset + " has a granule position smaller than its audio");
        }
        base = 0; // a lone end-of-stream page that trims its end (RFC 7845 §4.5)
      }
      if (partial != null && !partialIsOrphan && partialStart < 0) {
        partialStart = base - partialSamples;
      }
      cursor = base;
    }
    for (int k = 0; k < count; k++) {
      boolean begins = k > 0 || !p.continued();
      if (begins) {
        pieceStart[k] = cursor;
        if (cursor >= 0) {
          cursor += OpusPackets.samples(p.bytes, pieceOffset[k], pieceLength[k]);
        }
      }
    }
    page = p;
    piece = 0;
    pieces = count;
  }

  /**
   * Reads the page that must start at {@code offset}, checking its capture pattern, version and
   * CRC.
   *
   * @throws CorruptAudioException if there is no page there, it fails its CRC, or the recording
   *     ends inside it
   */
  static OggPage readPage(SeekableRecording recording, long offset)
      throws IOException, GeneralSecurityException {
    byte[] head = new byte[OggPage.HEADER_BYTES + 255];
    int n = readFully(recording, offset, head, 0, OggPage.HEADER_BYTES);
    if (n == 0) {
      throw new CorruptAudioException("Ogg stream cut short: it ends at byte " + offset + " without an end-of-stream page");
    }
    if (OggPage.length(head, 0, n) < 0) {
      throw new CorruptAudioException("no Ogg page at byte " + offset + " where one should start");
    }
    if (n < OggPage.HEADER_BYTES) {
      throw cutShort(offset);
    }
    int segments = head[26] & 0xFF;
    if (readFully(recording, offset + OggPage.HEADER_BYTES, head, OggPage.HEADER_BYTES, segments) < segments) {
      throw cutShort(offset);
    }
    int length = OggPage.length(head, 0, OggPage.HEADER_BYTES + segments);
    byte[] b = java.util.Arrays.copyOf(head, length);
    int headerLength = OggPage.HEADER_BYTES + segments;
    if (readFully(recording, offset + headerLength, b, headerLength, length - headerLength)
        < length - headerLength) {
      throw cutShort(offset);
    }
    if (!OggPage.crcMatches(b, 0, length)) {
      throw new CorruptAudioException("Ogg page at byte " + offset + " fails its CRC check");
    }
    return OggPage.of(b, 0, length, offset);
  }

  private static CorruptAudioException cutShort(long offset) {
    return new CorruptAudioException("Ogg stream cut short inside the page at byte " + offset);
  }

  /** Reads up to {@code len} bytes, fewer only at the end of the recording. */
  static int readFully(SeekableRecording recording, long offset, byte[] b, int off, int len)
      throws IOException, GeneralSecurityException {
    int total = 0;
    while (total < len) {
      int r = recording.read(offset + total, b, off + total, len - total);
      if (r < 0) {
        break;
      }
      total += r;
    }
    return total;
  }
}
