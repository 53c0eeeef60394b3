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
  private static final long serialVersionUID = 1L;

  public AudioException(String message) {
    super(message);
  }

  public AudioException(String message, Throwable cause) {
    super(message, cause);
  }
}
