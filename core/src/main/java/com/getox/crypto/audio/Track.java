package com.getox.crypto.audio;

import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;

/** One container's index over a recording's plaintext; {@link AudioRecording} validates times first. */
interface Track {
  AudioFormat format();

  long durationMicros();

  /**
   * A playable stream from {@code fromMicros} to {@code toMicros}, both already checked: {@code
   * 0 <= fromMicros < toMicros <= durationMicros()}.
   */
  InputStream openClip(long fromMicros, long toMicros) throws IOException, GeneralSecurityException;
}
