package com.getox.crypto.audio;

import com.getox.crypto.SeekableRecording;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * RIFF WAVE holding integer PCM: format tag 1, or {@code WAVE_FORMAT_EXTENSIBLE} (0xFFFE) with the
 * PCM subformat; 8, 16, 24 or 32 bits, any channel count, any rate up to 1 MHz.
 *
 * <p><b>Data size.</b> A declared {@code data} size of 0, or one that runs past the end of the
 * recording (0xFFFFFFFF, 0x7FFFF000 and the like, as recorders streaming to a pipe write, or a
 * file cut short), is replaced by what the recording holds after the chunk header. A declared size
 * that fits is trusted, since chunks may follow the data. Either way the data ends on a whole
 * frame (a partial last frame is dropped). The RIFF size is ignored.
 *
 * <p><b>Times to frames.</b> A time maps to frame {@code floor(micros * rate / 1_000_000)}, for both
 * ends of a clip, so clips {@code [a, b)} and {@code [b, c)} join without gap or overlap; a clip
 * whose ends fall in one frame holds no frame and is refused ({@link TimeOutOfRangeException});
 * an end at the duration takes every frame to the end. The duration is {@code floor(frames * 1_000_000 / rate)}.
 *
 * <p><b>Clip.</b> A fresh RIFF header (RIFF and data sizes computed), the {@code fmt } chunk copied
 * as it is, and the data chunk: the original's frames, byte for byte, read lazily through {@link
 * SeekableRecording#read} (reading a clip decrypts only the chunks that hold its data). Other
 * chunks ({@code fact}, {@code LIST}, ...) are not copied.
 */
final class WavTrack implements Track {
  /** Format tag (mmreg.h) of integer PCM. */
  static final int PCM = 0x0001;

  /** Format tag of WAVE_FORMAT_EXTENSIBLE: the real tag is the first two bytes of its subformat GUID. */
  static final int EXTENSIBLE = 0xFFFE;

  /** A {@code fmt } chunk larger than this is not a format description. */
  private static final int MAX_FMT_BYTES = 4096;

  /** The 14 bytes after the tag in a {@code KSDATAFORMAT_SUBTYPE_*} GUID of a classic tag. */
  private static final byte[] GUID_SUFFIX = {
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00, 0x38, (byte) 0x9B, 0x71
  };

  /** Up to 1 MHz every frame lasts at least 1 us, so every frame has a time in whole microseconds. */
  static final long MAX_RATE_HZ = 1_000_000;

  /** RIFF sizes are 32-bit unsigned. */
  private static final long MAX_RIFF_SIZE = 0xFFFFFFFFL;

  private final SeekableRecording recording;
  private final byte[] fmtChunk; // the whole chunk: "fmt ", size, body, pad byte if odd
  private final AudioFormat format;
  private final int blockAlign;
  private final long dataOffset;
  private final long frames;

  private WavTrack(
      SeekableRecording recording,
      byte[] fmtChunk,
      AudioFormat format,
      int blockAlign,
      long dataOffset,
      long frames) {
    this.recording = recording;
    this.fmtChunk = fmtChunk;
    this.format = format;
    this.blockAlign = blockAlign;
    this.dataOffset = dataOffset;
    this.frames = frames;
  }

  /**
   * Walks the chunks from the RIFF header to the data chunk's header (reading nothing of the data)
   * and the recording's final chunk (for its authenticated size).
   *
   * @throws CorruptAudioException if the RIFF structure or the PCM format is malformed
   * @throws UnsupportedAudioException if the WAV holds anything but integer PCM
   */
  static WavTrack open(SeekableRecording recording) throws IOException, GeneralSecurityException {
    // The header first, then the size: the final chunk is decrypted once, after the first.
    // (Sniffer has checked "RIFF" and, if present, "WAVE".)
    if (recording.read(11, new byte[1], 0, 1) < 0) {
      throw new CorruptAudioException("WAV: RIFF header cut short (" + recording.size() + " bytes)");
    }
    byte[] chunkHeader = new byte[8];
    byte[] fmtChunk = null;
    long pos = 12;
    while (true) {
      if (Sniffer.readFully(recording, pos, chunkHeader, 8) < 8) {
        throw new CorruptAudioException(
            pos > recording.size()
                ? "WAV: a chunk runs past the end before the data chunk"
                : fmtChunk == null ? "WAV: no fmt chunk" : "WAV: no data chunk");
      }
      long length = u32(chunkHeader, 4);
      long body = pos + 8;
      if (Sniffer.matches(chunkHeader, 0, "fmt ")) {
        if (length < 16 || length > MAX_FMT_BYTES) {
          throw new CorruptAudioException("WAV: fmt chunk of " + length + " bytes");
        }
        int padded = (int) (length + (length & 1));
        fmtChunk = Arrays.copyOf(chunkHeader, 8 + padded);
        if (Sniffer.readFully(recording, body, fmtChunk, 8, (int) length) < length) {
          throw new CorruptAudioException("WAV: fmt chunk runs past the end");
        }
      } else if (Sniffer.matches(chunkHeader, 0, "data")) {
        if (fmtChunk == null) {
          throw new CorruptAudioException("WAV: data chunk before any fmt chunk");
        }
        return withData(recording, fmtChunk, body, length, recording.size());
      }
      pos = body + length + (length & 1);
    }
  }

  private static WavTrack withData(
      SeekableRecording recording, byte[] fmtChunk, long dataOffset, long declared, long size)
      throws GeneralSecurityException {
    int tag = u16(fmtChunk, 8);
    int channels = u16(fmtChunk, 10);
    long rate = u32(fmtChunk, 12);
    int blockAlign = u16(fmtChunk, 20);
    int bits = u16(fmtChunk, 22);
    if (tag == EXTENSIBLE) {
      // cbSize 22: valid bits, channel mask, subformat GUID whose first two bytes are a tag
      if (u32(fmtChunk, 4) < 40 || u16(fmtChunk, 24) < 22) {
        throw new CorruptAudioException("WAV: WAVE_FORMAT_EXTENSIBLE fmt chunk too short");
      }
      if (!Arrays.equals(Arrays.copyOfRange(fmtChunk, 34, 48), GUID_SUFFIX)) {
        throw new UnsupportedAudioException("WAV with an unknown WAVE_FORMAT_EXTENSIBLE subformat");
      }
      tag = u16(fmtChunk, 32);
    }
    if (tag != PCM) {
      throw new UnsupportedAudioException(
          "WAV with " + codecName(tag) + ": only integer PCM is supported");
    }
    if (channels == 0) {
      throw new CorruptAudioException("WAV: 0 channels");
    }
    if (rate == 0) {
      throw new CorruptAudioException("WAV: sample rate 0 Hz");
    }
    if (rate > MAX_RATE_HZ) {
      throw new UnsupportedAudioException(
          "WAV at " + rate + " Hz: above 1 MHz a time in microseconds cannot address every frame");
    }
    if (bits != 8 && bits != 16 && bits != 24 && bits != 32) {
      throw new UnsupportedAudioException(
          "WAV PCM with " + bits + "-bit samples: 8, 16, 24 or 32 are supported");
    }
    if (blockAlign == 0 || blockAlign != channels * (bits / 8)) {
      throw new CorruptAudioException(
          "WAV: block align " + blockAlign + ", not " + channels * (bits / 8)
              + " (" + channels + " x " + bits + "-bit)");
    }
    long available = size - dataOffset;
    long dataBytes = declared == 0 || declared > available ? available : declared;
    AudioFormat format = AudioFormat.wav((int) rate, channels, bits);
    return new WavTrack(recording, fmtChunk, format, blockAlign, dataOffset, dataBytes / blockAlign);
  }

  /** What a WAV format tag holds, for refusals: its name where the tag is common, and its number. */
  static String codecName(int tag) {
    String number = String.format(java.util.Locale.ROOT, "format tag 0x%04X", tag);
    String name = knownCodec(tag);
    return name == null ? number : name + " (" + number + ")";
  }

  private static String knownCodec(int tag) {
    switch (tag) {
      case 0x0002:
        return "Microsoft ADPCM";
      case 0x0003:
        return "IEEE float";
      case 0x0006:
        return "A-law";
      case 0x0007:
        return "mu-law";
      case 0x0011:
        return "IMA ADPCM";
      case 0x0031:
        return "GSM 6.10";
      case 0x0050:
        return "MPEG";
      case 0x0055:
        return "MPEG layer 3 (MP3)";
      case 0x00FF:
      case 0x1610:
        return "AAC";
      case 0x0161:
      case 0x0162:
      case 0x0163:
        return "Windows Media Audio";
      case 0xF1AC:
        return "FLAC";
      default:
        return null;
    }
  }

  @Override
  public AudioFormat format() {
    return format;
  }

  @Override
  public long durationMicros() {
    return microsOf(frames);
  }

  /** The frame that holds time {@code micros}: {@code floor(micros * rate / 1e6)}, without overflow. */
  long frameAt(long micros) {
    long rate = format.sampleRateHz();
    return micros / 1_000_000 * rate + micros % 1_000_000 * rate / 1_000_000;
  }

  private long microsOf(long frame) {
    long rate = format.sampleRateHz();
    return frame / rate * 1_000_000 + frame % rate * 1_000_000 / rate;
  }

  @Override
  public InputStream openClip(long fromMicros, long toMicros) throws TimeOutOfRangeException {
    long first = frameAt(fromMicros);
    long end = toMicros >= durationMicros() ? frames : frameAt(toMicros);
    if (end <= first) {
      throw new TimeOutOfRangeException("from " + Times.format(fromMicros) + " to "
          + Times.format(toMicros) + " holds no sample frame: both fall in the frame of "
          + String.format(java.util.Locale.ROOT, "%.1f", 1_000_000.0 / format.sampleRateHz()) + " µs at "
          + Times.format(fromMicros));
    }
    long dataBytes = (end - first) * blockAlign;
    long pad = dataBytes & 1;
    long riffSize = 4 + fmtChunk.length + 8 + dataBytes + pad;
    if (riffSize > MAX_RIFF_SIZE) {
      throw new TimeOutOfRangeException(
          "a WAV clip holds at most 4 GiB: " + Times.format(fromMicros) + " to "
              + Times.format(toMicros) + " is longer");
    }
    byte[] header = new byte[12 + fmtChunk.length + 8];
    ascii(header, 0, "RIFF");
    putU32(header, 4, riffSize);
    ascii(header, 8, "WAVE");
    System.arraycopy(fmtChunk, 0, header, 12, fmtChunk.length);
    ascii(header, 12 + fmtChunk.length, "data");
    putU32(header, 16 + fmtChunk.length, dataBytes);
    return new Clip(recording, header, dataOffset + first * blockAlign, dataBytes, (int) pad);
  }

  /** The clip: header from memory, then data read lazily through the authenticated recording. */
  private static final class Clip extends InputStream {
    private final SeekableRecording recording;
    private final byte[] header;
    private final long dataStart;
    private final long total; // header + data + pad
    private final long dataEnd; // position in the clip after the data
    private long position;
    private boolean closed;

    Clip(SeekableRecording recording, byte[] header, long dataStart, long dataBytes, int pad) {
      this.recording = recording;
      this.header = header;
      this.dataStart = dataStart;
      this.dataEnd = header.length + dataBytes;
      this.total = dataEnd + pad;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (off < 0 || len < 0 || len > b.length - off) {
        throw new IndexOutOfBoundsException("off " + off + ", len " + len + ", array " + b.length);
      }
      if (closed) {
        throw new IOException("clip stream closed");
      }
      if (len == 0) {
        return 0;
      }
      if (position >= total) {
        return -1;
      }
      int n;
      if (position < header.length) {
        n = (int) Math.min(len, header.length - position);
        System.arraycopy(header, (int) position, b, off, n);
      } else if (position < dataEnd) {
        n = (int) Math.min(len, dataEnd - position);
        try {
          n = recording.read(dataStart + position - header.length, b, off, n);
        } catch (GeneralSecurityException e) {
          throw new IOException(e.getMessage(), e);
        }
        if (n <= 0) {
          // size() authenticated the length at open, so this is a recording changed under us
          throw new IOException(
              "WAV clip", new CorruptAudioException("WAV: recording ended inside the clip's data"));
        }
      } else {
        n = 1;
        b[off] = 0; // RIFF pad byte after odd-sized data
      }
      position += n;
      return n;
    }

    /** Skips without reading: skipped data is never decrypted. */
    @Override
    public long skip(long n) throws IOException {
      if (closed) {
        throw new IOException("clip stream closed");
      }
      long k = Math.max(0, Math.min(n, total - position));
      position += k;
      return k;
    }

    @Override
    public int available() {
      return closed || position >= header.length ? 0 : (int) (header.length - position);
    }

    /** Closes this stream only; the recording stays open. */
    @Override
    public void close() {
      closed = true;
    }
  }

  static int u16(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
  }

  static long u32(byte[] b, int at) {
    return ((long) u16(b, at + 2) << 16) | u16(b, at);
  }

  private static void putU32(byte[] b, int at, long v) {
    for (int i = 0; i < 4; i++) {
      b[at + i] = (byte) (v >>> (8 * i));
    }
  }

  private static void ascii(byte[] b, int at, String s) {
    for (int i = 0; i < s.length(); i++) {
      b[at + i] = (byte) s.charAt(i);
    }
  }
}
