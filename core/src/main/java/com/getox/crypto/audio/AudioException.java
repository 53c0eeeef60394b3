package com.getox.crypto.audio;

import com.getox.crypto.OxCryptoException;

/**
 * Root of the errors the audio layer raises: the recording decrypted and authenticated, but its
 * plaintext is not audio this layer can seek, or a requested time does not fit it.
 *
 * <pre>{@code
 * try {
 *   AudioRecording audio = AudioRecording.open(seekable);
 * } catch (UnsupportedAudioException e) {
 *   // not WAV PCM or Ogg Opus: the message names what was detected
 * } catch (AudioException e) {
 *   // corrupt audio or a time outside the recording
 * }
 * }</pre>
 */
public class AudioException extends OxCryptoException {
  /** Serialization version of this exception class. */
  private static final long serialVersionUID = 1L;

  /**
   * An error with a one-line message that names no audio bytes.
   *
   * @param message what is wrong, with times written {@code m:ss.mmm}
   */
  public AudioException(String message) {
    super(message);
  }

  /**
   * An error with a one-line message and the error that caused it.
   *
   * @param message what is wrong
   * @param cause the underlying error
   */
  public AudioException(String message, Throwable cause) {
    super(message, cause);
  }
}
