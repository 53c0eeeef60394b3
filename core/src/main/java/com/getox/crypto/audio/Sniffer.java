package com.getox.crypto.audio;

import com.getox.crypto.SeekableRecording;
import java.io.IOException;
import java.security.GeneralSecurityException;

/**
 * Detects the container from the first bytes and opens its {@link Track}, or refuses what it
 * recognises by name. Refusals name the format only, never quote the recording's bytes.
 */
final class Sniffer {
  /** Enough for every magic number checked here. */
  static final int SNIFF_BYTES = 64;

  private Sniffer() {}

  static Track open(SeekableRecording recording) throws IOException, GeneralSecurityException {
    byte[] head = new byte[SNIFF_BYTES];
    int n = readFully(recording, 0, head, head.length);
    if (n == 0) {
      throw new UnsupportedAudioException("empty recording: no audio");
    }
    if (startsWith(head, n, "RIFF")) {
      if (n >= 12 && !matches(head, 8, "WAVE")) {
        throw new UnsupportedAudioException(riffFormName(head));
      }
      return WavTrack.open(recording);
    }
    if (startsWith(head, n, "OggS")) {
      return OggOpusTrack.open(recording);
    }
    String detected = refusedName(recording, head, n);
    if (detected != null) {
      throw new UnsupportedAudioException(detected + " is not supported: only WAV PCM and Ogg Opus");
    }
    throw new UnsupportedAudioException(
        "not audio: no known audio signature at the start of this " + recording.size() + "-byte recording");
  }

  /** What a RIFF form other than WAVE is (only known forms are named: the bytes are not quoted). */
  private static String riffFormName(byte[] head) {
    if (matches(head, 8, "AVI ")) {
      return "RIFF AVI video, not WAVE audio";
    }
    if (matches(head, 8, "WEBP")) {
      return "RIFF WebP image, not WAVE audio";
    }
    if (matches(head, 8, "RMID")) {
      return "RIFF MIDI, not WAVE audio";
    }
    return "a RIFF file that is not WAVE audio";
  }

  /** A name for a format this layer refuses, or null if nothing is recognised. */
  private static String refusedName(SeekableRecording recording, byte[] head, int n)
      throws IOException, GeneralSecurityException {
    if (startsWith(head, n, "RF64")) {
      return "RF64 (64-bit WAV)";
    }
    if (startsWith(head, n, "BW64")) {
      return "BW64 (64-bit Broadcast Wave)";
    }
    if (startsWith(head, n, "RIFX")) {
      return "RIFX (big-endian WAV)";
    }
    if (startsWith(head, n, "FORM") && n >= 12 && (matches(head, 8, "AIFF") || matches(head, 8, "AIFC"))) {
      return matches(head, 8, "AIFF") ? "AIFF" : "AIFF-C";
    }
    if (startsWith(head, n, "fLaC")) {
      return "FLAC";
    }
    if (n >= 12 && matches(head, 4, "ftyp")) {
      if (matches(head, 8, "M4A ") || matches(head, 8, "M4B ")) {
        return "M4A (MPEG-4 audio, AAC or ALAC)";
      }
      if (matches(head, 8, "3gp") || matches(head, 8, "3g2")) {
        return "3GP (MPEG-4 container, AMR or AAC)";
      }
      if (matches(head, 8, "qt  ")) {
        return "QuickTime MOV";
      }
      return "MP4 (MPEG-4 container)";
    }
    if (n >= 4 && (head[0] & 0xff) == 0x1A && (head[1] & 0xff) == 0x45
        && (head[2] & 0xff) == 0xDF && (head[3] & 0xff) == 0xA3) {
      return contains(head, n, "webm") ? "WebM" : "Matroska (MKV/MKA)";
    }
    if (startsWith(head, n, "#!AMR")) {
      return startsWith(head, n, "#!AMR-WB") ? "AMR-WB" : "AMR";
    }
    if (startsWith(head, n, "caff")) {
      return "Apple CAF";
    }
    if (startsWith(head, n, ".snd")) {
      return "Sun/NeXT AU";
    }
    if (startsWith(head, n, "ID3")) {
      // An ID3v2 tag (syncsafe size at 6..9, footer flag 0x10) usually fronts MP3; look past it.
      long tagBytes = 0;
      for (int i = 6; i < 10; i++) {
        tagBytes = tagBytes << 7 | (head[i] & 0x7f);
      }
      long after = 10 + tagBytes + ((head[5] & 0x10) != 0 ? 10 : 0);
      byte[] next = new byte[4];
      int m = n >= 10 ? readFully(recording, after, next, next.length) : 0;
      if (startsWith(next, m, "fLaC")) {
        return "FLAC (behind an ID3 tag)";
      }
      String frame = mpegName(next, m);
      return frame != null && frame.startsWith("AAC") ? "AAC (ADTS, behind an ID3 tag)" : "MP3 (ID3-tagged)";
    }
    return mpegName(head, n);
  }

  /** AAC in ADTS, or MPEG audio layer I/II/III by a plausible frame header; else null. */
  private static String mpegName(byte[] b, int n) {
    if (n < 4 || (b[0] & 0xff) != 0xFF || (b[1] & 0xE0) != 0xE0) {
      return null;
    }
    int layer = (b[1] >> 1) & 3;
    if ((b[1] & 0xF6) == 0xF0) {
      return "AAC (ADTS)";
    }
    int bitrateIndex = (b[2] >> 4) & 15;
    int rateIndex = (b[2] >> 2) & 3;
    if (layer == 0 || bitrateIndex == 15 || rateIndex == 3 || ((b[1] >> 3) & 3) == 1) {
      return null;
    }
    return layer == 1 ? "MPEG audio layer III (MP3)" : "MPEG audio layer " + (layer == 2 ? "II" : "I");
  }

  /** Reads up to {@code len} bytes at {@code offset} into {@code b}; fewer only at the end. */
  static int readFully(SeekableRecording recording, long offset, byte[] b, int len)
      throws IOException, GeneralSecurityException {
    return readFully(recording, offset, b, 0, len);
  }

  static int readFully(SeekableRecording recording, long offset, byte[] b, int off, int len)
      throws IOException, GeneralSecurityException {
    int n = 0;
    while (n < len) {
      int r = recording.read(offset + n, b, off + n, len - n);
      if (r < 0) {
        break;
      }
      n += r;
    }
    return n;
  }

  static boolean startsWith(byte[] b, int n, String ascii) {
    return n >= ascii.length() && matches(b, 0, ascii);
  }

  /** Whether {@code b} holds {@code ascii} at {@code at} (the caller checked the length). */
  static boolean matches(byte[] b, int at, String ascii) {
    for (int i = 0; i < ascii.length(); i++) {
      if (b[at + i] != (byte) ascii.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean contains(byte[] b, int n, String ascii) {
    for (int at = 0; at + ascii.length() <= n; at++) {
      if (matches(b, at, ascii)) {
        return true;
      }
    }
    return false;
  }
}
