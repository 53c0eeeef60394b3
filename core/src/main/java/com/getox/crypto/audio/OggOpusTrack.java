package com.getox.crypto.audio;

import com.getox.crypto.SeekableRecording;
import com.getox.crypto.internal.Cobblestone;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Ogg Opus (RFC 7845 over RFC 3533; packet durations per RFC 6716 §3.1): one logical stream,
 * indexed at open from its headers, its first audio page and its last complete page.
 *
 * <p>Duration: the last complete page's granule position minus the stream's starting granule and
 * the pre-skip, at 48 kHz. A recording cut short by a crash (no end-of-stream page, a partial page
 * at the end) plays to its last complete page: what follows it is ignored.
 *
 * <p>Seek: bisection on granule positions over the recording's chunks (as libopusfile's
 * op_pcm_seek does over a file), each probe decrypting one 16 KiB chunk and checking the pages
 * that lie wholly in it; the first three probes interpolate granule over bytes, the rest bisect. Then
 * the pages are read in order to the packet that holds the target, 80 ms before the requested
 * time (RFC 7845 §4.6 pre-roll), or the stream's first packet if the request is closer to the
 * start.
 *
 * <p>Clip: the ID header with pre-skip set to the samples from the first output packet to the
 * requested time, the comment header pages, then the audio packets re-paginated from that packet
 * (pages renumbered from 0, fresh CRCs, same serial, granule positions counting output samples
 * including the pre-skip), the last page marked end-of-stream with a granule that trims the end at
 * the requested end time.
 *
 * <p>Refused: other Ogg codecs (Vorbis, FLAC, Speex, Theora, ...), multiplexed streams (a second
 * beginning-of-stream page) and chained streams (another stream after this one), and channel
 * mapping families other than 0, 1 and 255.
 */
final class OggOpusTrack implements Track {
  static final int RATE = 48000;
  /** RFC 7845 §4.6: decode at least 80 ms before the first sample played. */
  static final int PREROLL_SAMPLES = 3840;

  private static final int CHUNK = Cobblestone.CHUNK_PLAINTEXT_BYTES;
  /**
   * Probes placed by interpolating granule over bytes before plain bisection takes over: one or
   * two find the target when the bit rate is steady, and a varying one costs at most these extra.
   */
  private static final int INTERPOLATED_PROBES = 3;
  private static final int CACHED_TAGS_BYTES = 64 * 1024;
  /** Granule positions are unsigned 64-bit; beyond this (about 6 million years) times overflow. */
  private static final long MAX_GRANULE = Long.MAX_VALUE / 125;
  /** Output pages hold about a second of audio, as opusenc writes them. */
  private static final int PAGE_SAMPLES = RATE;

  private final SeekableRecording recording;
  private final AudioFormat format;
  private final int serial;
  private final byte[] idHeader;
  private final int preSkip;
  private final OggPage firstPage;
  private final long audioStart;
  /** The comment header pages, or null when large enough to re-read instead. */
  private final List<OggPage> tagPages;
  private final long startGranule;
  private final OggPage lastPage;
  private final long durationSamples;

  private OggOpusTrack(
      SeekableRecording recording,
      AudioFormat format,
      byte[] idHeader,
      OggPage firstPage,
      long audioStart,
      List<OggPage> tagPages,
      long startGranule,
      OggPage lastPage,
      long durationSamples) {
    this.recording = recording;
    this.format = format;
    this.serial = firstPage.serial();
    this.idHeader = idHeader;
    this.preSkip = (idHeader[10] & 0xFF) | (idHeader[11] & 0xFF) << 8;
    this.firstPage = firstPage;
    this.audioStart = audioStart;
    this.tagPages = tagPages;
    this.startGranule = startGranule;
    this.lastPage = lastPage;
    this.durationSamples = durationSamples;
  }

  static Track open(SeekableRecording recording) throws IOException, GeneralSecurityException {
    OggPage first = OggPacketReader.readPage(recording, 0);
    int bodyLength = first.length() - first.bodyStart();
    String codec = codecOf(first.bytes, first.bodyStart(), bodyLength);
    if (codec != null) {
      throw new UnsupportedAudioException("Ogg " + codec + ": only Ogg Opus is supported");
    }
    if (!first.bos() || first.continued()) {
      throw new CorruptAudioException("the Ogg page holding OpusHead is not a beginning-of-stream page");
    }
    if (first.segments() == 0 || first.lacing(first.segments() - 1) == 255) {
      throw new CorruptAudioException("the OpusHead packet does not end on the first page");
    }
    for (int s = 0; s < first.segments() - 1; s++) {
      if (first.lacing(s) < 255) {
        throw new CorruptAudioException("the first Ogg page holds more than the OpusHead packet");
      }
    }
    byte[] id = Arrays.copyOfRange(first.bytes, first.bodyStart(), first.length());
    AudioFormat format = parseIdHeader(id);

    // The comment header: from the second page, possibly over several, ending its last page.
    List<OggPage> tags = new ArrayList<>();
    byte[] tagsStart = null;
    OggPage p = first;
    while (true) {
      OggPage q = OggPacketReader.readPage(recording, p.end());
      checkNext(p, q);
      if (q.continued() != !tags.isEmpty()) {
        throw new CorruptAudioException("the OpusTags packet does not start on the second Ogg page");
      }
      if (tags.isEmpty()) {
        tagsStart = Arrays.copyOfRange(q.bytes, q.bodyStart(), Math.min(q.length(), q.bodyStart() + 8));
      }
      tags.add(q);
      p = q;
      int end = -1;
      for (int s = 0; s < q.segments(); s++) {
        if (q.lacing(s) < 255) {
          end = s;
          break;
        }
      }
      if (end >= 0) {
        if (end != q.segments() - 1) {
          throw new CorruptAudioException("audio shares the Ogg page that ends the OpusTags packet");
        }
        break;
      }
      if (q.eos()) {
        throw new CorruptAudioException("the Ogg stream ends inside the OpusTags packet");
      }
    }
    if (!new String(tagsStart, StandardCharsets.ISO_8859_1).equals("OpusTags")) {
      throw new CorruptAudioException("the second Opus header is not OpusTags");
    }
    long audioStart = p.end();
    long tagBytes = audioStart - first.end();
    List<OggPage> cachedTags = tagBytes <= CACHED_TAGS_BYTES ? tags : null;

    // The first audio packet gives the starting granule; read it now, while chunk 0 is cached.
    long startGranule = -1;
    CorruptAudioException early = null;
    if (!p.eos()) {
      try {
        OggPage a = OggPacketReader.readPage(recording, audioStart);
        checkNext(p, a);
        OggPacketReader.Packet packet = new OggPacketReader(recording, a).next();
        startGranule = packet == null ? -1 : packet.start;
      } catch (CorruptAudioException e) {
        early = e; // a stream cut short right after its headers has no audio: see below
      }
    }

    OggPage last = findLastPage(recording, first.serial());
    long duration = 0;
    if (last != null && last.offset >= audioStart) {
      if (early != null) {
        throw early;
      }
      if (startGranule < 0) {
        throw new CorruptAudioException("the first Ogg Opus audio page has no granule position");
      }
      if (last.granule() < startGranule || last.granule() > MAX_GRANULE) {
        throw new CorruptAudioException(
            "the last Ogg page's granule position (at byte " + last.offset + ") is out of range");
      }
      duration = Math.max(0, last.granule() - startGranule - (((id[10] & 0xFF) | (id[11] & 0xFF) << 8)));
    } else {
      last = null; // headers only: no audio
    }
    return new OggOpusTrack(recording, format, id, first, audioStart, cachedTags, Math.max(0, startGranule), last, duration);
  }

  @Override
  public AudioFormat format() {
    return format;
  }

  @Override
  public long durationMicros() {
    return durationSamples * 125 / 6; // * 1e6 / 48000
  }

  @Override
  public InputStream openClip(long fromMicros, long toMicros) throws IOException, GeneralSecurityException {
    long fromSamples = fromMicros * 6 / 125; // floor(from * 48000 / 1e6)
    long toSamples = Math.min(durationSamples, (toMicros * 6 + 124) / 125); // rounded up
    long base = startGranule + preSkip;
    long fromGranule = base + fromSamples;
    long toGranule = base + toSamples;
    long target = Math.max(startGranule, fromGranule - PREROLL_SAMPLES);
    Start start = seek(target);
    long clipPreSkip = fromGranule - start.packet.start;
    if (start.packet.start > target || clipPreSkip > 0xFFFF) {
      throw new CorruptAudioException(
          "Ogg granule positions do not match the packets near " + Times.format(fromMicros));
    }
    byte[] id = idHeader.clone();
    id[10] = (byte) clipPreSkip;
    id[11] = (byte) (clipPreSkip >>> 8);
    return new Clip(start.reader, start.packet, toGranule - start.packet.start, id);
  }

  private static final class Start {
    final OggPacketReader reader;
    final OggPacketReader.Packet packet;

    Start(OggPacketReader reader, OggPacketReader.Packet packet) {
      this.reader = reader;
      this.packet = packet;
    }
  }

  /**
   * Finds the packet holding granule {@code target}: bisects over chunks for the last page whose
   * granule is below it, then reads forward from that page.
   */
  private Start seek(long target) throws IOException, GeneralSecurityException {
    OggPage lo = null; // the last page known to end before target; null: the stream's start
    long loEnd = audioStart;
    long loGranule = startGranule;
    long hiOffset = lastPage.offset; // every page from here on ends at or after target
    long hiGranule = lastPage.granule();
    int guesses = INTERPOLATED_PROBES;
    while (hiOffset > loEnd) {
      long a = loEnd / CHUNK;
      long b = (hiOffset - 1) / CHUNK;
      if (b - a <= 1) {
        break; // reading forward costs at most these chunks
      }
      long c;
      if (guesses-- > 0 && hiGranule > loGranule) {
        double f = (double) (target - loGranule) / (hiGranule - loGranule);
        c = (loEnd + (long) (f * (hiOffset - loEnd))) / CHUNK;
        c = Math.max(a + 1, Math.min(b - 1, c));
      } else {
        c = (a + b) >>> 1;
      }
      List<OggPage> pages = pagesFrom(c * CHUNK, hiOffset);
      if (pages.isEmpty()) {
        hiOffset = c * CHUNK;
      }
      for (int k = 0; k < pages.size(); k++) {
        OggPage q = pages.get(k);
        if (q.granule() < target) {
          lo = q;
          loEnd = q.end();
          loGranule = q.granule();
        } else {
          // No page starts between the probe and the first page found.
          hiOffset = k == 0 ? c * CHUNK : q.offset;
          hiGranule = q.granule();
          break;
        }
      }
    }
    OggPacketReader reader =
        new OggPacketReader(recording, lo != null ? lo : OggPacketReader.readPage(recording, audioStart));
    for (OggPacketReader.Packet p; (p = reader.next()) != null; ) {
      if (p.start < 0) {
        throw new CorruptAudioException("Ogg page at byte " + reader.page().offset + " lacks a granule position");
      }
      if (p.end() > target) {
        return new Start(reader, p);
      }
    }
    throw new CorruptAudioException("the Ogg stream ends before its last page's granule position");
  }

  /**
   * The pages with a granule position that start at or after {@code from} and before {@code
   * limit}: those wholly in {@code from}'s chunk, else the first found reading on. A capture
   * pattern whose page fails its CRC is not a page (it occurs in packet data) and is passed over.
   */
  private List<OggPage> pagesFrom(long from, long limit) throws IOException, GeneralSecurityException {
    List<OggPage> pages = new ArrayList<>();
    Window w = new Window(recording, from, recording.size());
    w.has((from / CHUNK + 1) * CHUNK, true, from);
    for (long at = from; at < limit; at++) {
      boolean readOn = pages.isEmpty(); // past the chunk only until a page is found
      if (!w.has(at + 1, readOn, at)) {
        break;
      }
      if (w.byteAt(at) != 'O') {
        continue;
      }
      w.has(at + OggPage.HEADER_BYTES + 255, readOn, at);
      int len = OggPage.length(w.buf, w.index(at), (int) (w.end() - at));
      if (len <= 0) {
        continue; // not a page, or the chunk ends in its header
      }
      if (!w.has(at + len, readOn, at)) {
        continue;
      }
      if (OggPage.crcMatches(w.buf, w.index(at), len)) {
        OggPage q = OggPage.of(w.buf, w.index(at), len, at);
        if (q.serial() != serial) {
          throw otherStream(q);
        }
        if (q.granule() != -1) {
          pages.add(q);
        }
        at += len - 1;
      }
    }
    return pages;
  }

  /** Plaintext from {@code base} on, read a chunk at a time as needed. */
  private static final class Window {
    private final SeekableRecording recording;
    private final long size;
    long base;
    byte[] buf = new byte[0];
    int n;

    Window(SeekableRecording recording, long base, long size) {
      this.recording = recording;
      this.base = base;
      this.size = size;
    }

    long end() {
      return base + n;
    }

    int index(long at) {
      return (int) (at - base);
    }

    byte byteAt(long at) {
      return buf[index(at)];
    }

    /**
     * Whether the window reaches {@code upTo} (or the recording's end), reading up to the chunk
     * boundary past it if {@code mayRead}; bytes before {@code keepFrom} may be dropped.
     */
    boolean has(long upTo, boolean mayRead, long keepFrom) throws IOException, GeneralSecurityException {
      if (upTo <= end()) {
        return true;
      }
      if (!mayRead || end() >= size) {
        return false;
      }
      long readTo = Math.min(size, Math.max(upTo, (end() / CHUNK + 1) * CHUNK));
      int keep = (int) (end() - keepFrom);
      byte[] next = new byte[(int) (readTo - keepFrom)];
      System.arraycopy(buf, index(keepFrom), next, 0, keep);
      int r = OggPacketReader.readFully(recording, end(), next, keep, next.length - keep);
      buf = next;
      base = keepFrom;
      n = keep + r;
      return upTo <= end();
    }
  }

  /** The lazily generated clip: ID header page, comment pages, audio pages. */
  private final class Clip extends InputStream {
    private final OggPacketReader reader;
    private final long endSamples; // output granule of the end time
    private final byte[] id;
    private OggPacketReader.Packet pending;
    private int pendingOffset;
    private long written; // output samples in the pages emitted
    private int sequence;
    private int tagsRead; // comment pages emitted
    private long tagsNext = firstPage.end();
    private boolean done;
    private GeneralSecurityException failure; // once met, every later read throws it again
    private byte[] page = new byte[0];
    private int pos;
    private final byte[] lacing = new byte[255];
    private int segments;
    private byte[] body = new byte[8192];
    private int bodyLength;

    Clip(OggPacketReader reader, OggPacketReader.Packet first, long endSamples, byte[] id) {
      this.reader = reader;
      this.pending = first;
      this.endSamples = endSamples;
      this.id = id;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      while (pos == page.length) {
        if (failure != null) {
          throw new IOException(failure.getMessage(), failure);
        }
        if (done) {
          return -1;
        }
        try {
          page = nextPage();
        } catch (GeneralSecurityException e) {
          failure = e;
          throw new IOException(e.getMessage(), e);
        }
        pos = 0;
      }
      int n = Math.min(len, page.length - pos);
      System.arraycopy(page, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public int available() {
      return page.length - pos;
    }

    private byte[] nextPage() throws IOException, GeneralSecurityException {
      if (sequence == 0) {
        segments = 0;
        laceOn(id.length);
        return OggPage.build(OggPage.BOS, 0, serial, sequence++, lacing, segments, id, id.length).bytes;
      }
      if (tagsNext < audioStart) { // the comment header pages, renumbered
        OggPage t;
        if (tagPages != null) {
          t = tagPages.get(tagsRead++);
        } else {
          t = OggPacketReader.readPage(recording, tagsNext);
          if (t.serial() != serial) {
            throw otherStream(t);
          }
        }
        tagsNext = t.end();
        byte[] copy = t.bytes.clone();
        OggPage.putLe32(copy, 18, sequence++);
        OggPage.putLe32(copy, 22, OggPage.crc(copy, 0, copy.length));
        return copy;
      }
      return audioPage();
    }

    /** Appends the lacing values of a packet (or the rest of one) of {@code remaining} bytes. */
    private void laceOn(int remaining) {
      while (remaining >= 255) {
        lacing[segments++] = (byte) 255;
        remaining -= 255;
      }
      lacing[segments++] = (byte) remaining;
    }

    private void append(byte[] data, int off, int len) {
      if (bodyLength + len > body.length) {
        body = Arrays.copyOf(body, Math.max(bodyLength + len, body.length * 2));
      }
      System.arraycopy(data, off, body, bodyLength, len);
      bodyLength += len;
    }

    /** Packs packets into the next page; the last one gets EOS and the end-trimming granule. */
    private byte[] audioPage() throws IOException, GeneralSecurityException {
      segments = 0;
      bodyLength = 0;
      int flags = pendingOffset > 0 ? OggPage.CONTINUED : 0;
      long granule = -1;
      long pageSamples = 0;
      while (true) {
        int remaining = pending.data.length - pendingOffset;
        int need = remaining / 255 + 1;
        if (segments > 0 && (segments + need > 255 || pageSamples >= PAGE_SAMPLES)) {
          break; // the packet starts the next page
        }
        if (segments + need > 255) { // a packet larger than a page: fill this one with a part
          int take = (255 - segments) * 255;
          while (segments < 255) {
            lacing[segments++] = (byte) 255;
          }
          append(pending.data, pendingOffset, take);
          pendingOffset += take;
          break;
        }
        laceOn(remaining);
        append(pending.data, pendingOffset, remaining);
        pendingOffset = 0;
        written += pending.samples;
        pageSamples += pending.samples;
        granule = written;
        if (written >= endSamples) {
          granule = endSamples;
          flags |= OggPage.EOS;
          done = true;
          break;
        }
        pending = reader.next();
        if (pending == null) {
          flags |= OggPage.EOS;
          done = true;
          break;
        }
      }
      return OggPage.build(flags, granule, serial, sequence++, lacing, segments, body, bodyLength).bytes;
    }
  }

  /** An Ogg page of another logical stream: multiplexed or chained Ogg, which this layer refuses. */
  static UnsupportedAudioException otherStream(OggPage q) {
    String serial = String.format(Locale.ROOT, "%08x", q.serial());
    if (q.bos()) {
      String codec = codecOf(q.bytes, q.bodyStart(), q.length() - q.bodyStart());
      return new UnsupportedAudioException(
          "multiplexed or chained Ogg: a second logical stream (serial " + serial + ", "
              + (codec == null ? "Opus" : codec) + ") at byte " + q.offset
              + "; only a single Ogg Opus stream is supported");
    }
    return new UnsupportedAudioException(
        "multiplexed or chained Ogg: a page of another logical stream (serial " + serial + ") at byte "
            + q.offset + "; only a single Ogg Opus stream is supported");
  }

  /** Null for Opus, else the name of the codec whose ID header starts {@code b[off..]}. */
  static String codecOf(byte[] b, int off, int len) {
    String s = new String(b, off, Math.min(len, 8), StandardCharsets.ISO_8859_1);
    if (s.startsWith("OpusHead")) {
      return null;
    }
    if (s.startsWith("\u0001vorbis")) {
      return "Vorbis";
    }
    if (s.startsWith("\u007fFLAC")) {
      return "FLAC";
    }
    if (s.startsWith("Speex   ")) {
      return "Speex";
    }
    if (s.startsWith("\u0080theora")) {
      return "Theora";
    }
    if (s.startsWith("fishead")) {
      return "Skeleton (a multiplexed file)";
    }
    return "with an unknown codec";
  }

  /** Checks the ID header (RFC 7845 §5.1) and returns the format it declares. */
  private static AudioFormat parseIdHeader(byte[] h) throws AudioException {
    if (h.length < 19) {
      throw new CorruptAudioException("OpusHead is " + h.length + " bytes, under 19");
    }
    int version = h[8] & 0xFF;
    if (version >>> 4 != 0) {
      throw new UnsupportedAudioException("OpusHead version " + version + " (only major version 0 is defined)");
    }
    int channels = h[9] & 0xFF;
    if (channels == 0) {
      throw new CorruptAudioException("OpusHead declares 0 channels");
    }
    int inputRate = OggPage.le32(h, 12);
    int family = h[18] & 0xFF;
    if (family == 0) {
      if (channels > 2) {
        throw new CorruptAudioException("OpusHead mapping family 0 with " + channels + " channels");
      }
    } else if (family == 1 || family == 255) {
      if (family == 1 && channels > 8) {
        throw new CorruptAudioException("OpusHead mapping family 1 with " + channels + " channels");
      }
      if (h.length < 21 + channels) {
        throw new CorruptAudioException("OpusHead lacks its channel mapping table");
      }
      int streams = h[19] & 0xFF;
      int coupled = h[20] & 0xFF;
      if (streams == 0 || coupled > streams || streams + coupled > 255) {
        throw new CorruptAudioException(
            "OpusHead declares " + streams + " streams, " + coupled + " coupled");
      }
      for (int c = 0; c < channels; c++) {
        int m = h[21 + c] & 0xFF;
        if (m != 255 && m >= streams + coupled) {
          throw new CorruptAudioException("OpusHead maps channel " + c + " to missing stream " + m);
        }
      }
    } else {
      throw new UnsupportedAudioException("Opus channel mapping family " + family);
    }
    return AudioFormat.oggOpus(inputRate < 0 ? 0 : inputRate, channels);
  }

  private static void checkNext(OggPage p, OggPage q) throws AudioException {
    if (q.serial() != p.serial()) {
      throw otherStream(q);
    }
    if (q.sequence() != p.sequence() + 1) {
      throw new CorruptAudioException("Ogg page at byte " + q.offset + " is out of sequence: a page is missing");
    }
  }

  /**
   * The last page of the stream with a granule position, scanning back from the end one chunk at
   * a time: a partial page at the end (a recording cut short) fails its CRC and is passed over.
   * Null if none.
   */
  private static OggPage findLastPage(SeekableRecording recording, int serial)
      throws IOException, GeneralSecurityException {
    long size = recording.size();
    if (size == 0) {
      return null;
    }
    long base = (size - 1) / CHUNK * CHUNK;
    byte[] buf = new byte[(int) (size - base)];
    OggPacketReader.readFully(recording, base, buf, 0, buf.length);
    int scanFrom = buf.length; // candidates start before this index
    while (true) {
      for (int i = scanFrom - 1; i >= 0; i--) {
        if (buf[i] != 'O') {
          continue;
        }
        int len = OggPage.length(buf, i, buf.length - i);
        if (len > 0 && i + len <= buf.length && OggPage.crcMatches(buf, i, len)) {
          OggPage q = OggPage.of(buf, i, len, base + i);
          if (q.serial() != serial) {
            throw otherStream(q);
          }
          if (q.granule() != -1) {
            return q;
          }
        }
      }
      if (base == 0) {
        return null;
      }
      // Prepend the chunk before; keep what a page starting in it could reach.
      int keep = Math.min(buf.length, OggPage.MAX_BYTES);
      byte[] more = new byte[CHUNK + keep];
      base -= CHUNK;
      OggPacketReader.readFully(recording, base, more, 0, CHUNK);
      System.arraycopy(buf, 0, more, CHUNK, keep);
      buf = more;
      scanFrom = CHUNK;
    }
  }
}
