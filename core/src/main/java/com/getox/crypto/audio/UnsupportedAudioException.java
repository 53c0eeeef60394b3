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
  private static final long serialVersionUID = 1L;

  public UnsupportedAudioException(String message) {
    super(message);
  }
}
