package com.getox.crypto;

/**
 * A well-formed recording in a format version or algorithm suite this build does not implement.
 *
 * <pre>{@code
 * } catch (UnsupportedFormatException e) { askUserToUpdate(); }
 * }</pre>
 */
public final class UnsupportedFormatException extends FormatException {
  private static final long serialVersionUID = 1L;

  public UnsupportedFormatException(String message) {
    super(message);
  }
}
