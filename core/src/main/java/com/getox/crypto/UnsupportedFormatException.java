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

  /**
   * An unsupported version or suite, with a message naming it.
   *
   * @param message what failed, without key material or plaintext; control characters are
   *     escaped
   */
  public UnsupportedFormatException(String message) {
    super(message);
  }
}
