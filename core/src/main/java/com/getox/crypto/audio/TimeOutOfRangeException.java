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
  private static final long serialVersionUID = 1L;

  public TimeOutOfRangeException(String message) {
    super(message);
  }
}
