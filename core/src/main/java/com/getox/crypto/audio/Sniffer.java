package com.getox.crypto.audio;

import com.getox.crypto.SeekableRecording;
import java.io.IOException;
import java.security.GeneralSecurityException;

/** Detects the container from the first bytes and opens its {@link Track}. */
final class Sniffer {
  /** Enough for every magic number checked here. */
  static final int SNIFF_BYTES = 64;

  private Sniffer() {}

  static Track open(SeekableRecording recording) throws IOException, GeneralSecurityException {
    byte[] head = new byte[SNIFF_BYTES];
    int n = 0;
    while (n < head.length) {
      int r = recording.read(n, head, n, head.length - n);
      if (r < 0) {
        break;
      }
      n += r;
    }
    if (startsWith(head, n, "RIFF")) {
      return WavTrack.open(recording);
    }
    if (startsWith(head, n, "OggS")) {
      return OggOpusTrack.open(recording);
    }
    throw new UnsupportedAudioException("not audio");
  }

  static boolean startsWith(byte[] b, int n, String ascii) {
    if (n < ascii.length()) {
      return false;
    }
    for (int i = 0; i < ascii.length(); i++) {
      if (b[i] != (byte) ascii.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
