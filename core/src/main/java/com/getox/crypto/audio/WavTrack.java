package com.getox.crypto.audio;

import com.getox.crypto.SeekableRecording;
import java.io.IOException;
import java.security.GeneralSecurityException;

/** WAV: placeholder until its implementation lands. */
final class WavTrack {
  private WavTrack() {}

  static Track open(SeekableRecording recording) throws IOException, GeneralSecurityException {
    throw new UnsupportedAudioException("WAV is not supported yet");
  }
}
