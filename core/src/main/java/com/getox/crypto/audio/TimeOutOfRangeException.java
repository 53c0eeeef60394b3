package com.getox.crypto.audio;

/**
 * A requested time does not fit the recording: negative, at or past its end, or an end that is
 * not after the start. Times in messages are written {@code m:ss.mmm}.
 *
 * <pre>{@code
 * catch (TimeOutOfRangeException e) { ui.showError(e.getMessage()); } // "from 2:10.000 is past the end (1:59.480)"
 * }</pre>
 */
public final class TimeOutOfRangeException extends AudioException {
  /** Serialization version of this exception class. */
  private static final long serialVersionUID = 1L;

  /**
   * An error with a one-line message that names no audio bytes.
   *
   * @param message what is wrong, with times written {@code m:ss.mmm}
   */
  public TimeOutOfRangeException(String message) {
    super(message);
  }
}
