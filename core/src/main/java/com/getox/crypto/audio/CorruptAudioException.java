package com.getox.crypto.audio;

/**
 * The audio inside an authenticated recording is malformed: an Ogg page whose CRC does not match,
 * an Ogg stream cut short, a RIFF file without its {@code fmt } or {@code data} chunk. The bytes
 * are what the writer encrypted (the recording authenticated), so the fault lies with the audio
 * encoder or a file that was damaged before it was encrypted.
 *
 * <pre>{@code
 * catch (CorruptAudioException e) { log.warn("recording {} holds damaged audio: {}", id, e.getMessage()); }
 * }</pre>
 */
public final class CorruptAudioException extends AudioException {
  /** Serialization version of this exception class. */
  private static final long serialVersionUID = 1L;

  /**
   * An error with a one-line message that names no audio bytes.
   *
   * @param message what is wrong, with times written {@code m:ss.mmm}
   */
  public CorruptAudioException(String message) {
    super(message);
  }
}
