package com.getox.crypto.audio;

/**
 * The recording's plaintext is not audio this layer can seek: not audio at all, or a container or
 * codec it detects and refuses (MP3, FLAC, Ogg Vorbis, M4A, WebM, WAV that is not PCM, ...). The
 * message names what was detected.
 *
 * <pre>{@code
 * catch (UnsupportedAudioException e) { System.err.println("cannot seek: " + e.getMessage()); }
 * }</pre>
 */
public final class UnsupportedAudioException extends AudioException {
  /** Serialization version of this exception class. */
  private static final long serialVersionUID = 1L;

  /**
   * An error with a one-line message that names no audio bytes.
   *
   * @param message what is wrong, with times written {@code m:ss.mmm}
   */
  public UnsupportedAudioException(String message) {
    super(message);
  }
}
