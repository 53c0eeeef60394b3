package com.getox.crypto.audio;

import com.getox.crypto.SeekableRecording;
import java.io.IOException;
import java.security.GeneralSecurityException;

/** Ogg Opus: placeholder until its implementation lands. */
final class OggOpusTrack {
  private OggOpusTrack() {}

  static Track open(SeekableRecording recording) throws IOException, GeneralSecurityException {
    throw new UnsupportedAudioException("Ogg Opus is not supported yet");
  }
}
