package com.getox.crypto.audio;

import com.getox.crypto.SeekableRecording;
import java.io.IOException;
import java.security.GeneralSecurityException;

/** Detects the container from the first bytes and opens its {@link Track}. */
final class Sniffer {
  private Sniffer() {}

  static Track open(SeekableRecording recording) throws IOException, GeneralSecurityException {
    // WAV (helper h-wav) and Ogg Opus (helper h-ogg) plug in here.
    throw new UnsupportedAudioException("not audio");
  }
}
