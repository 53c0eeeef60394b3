package com.getox.crypto;

/**
 * The recording's encryption context does not hold a key and value the reader required with
 * {@link ReadOptions.Builder#expect(String, String)}. Raised before any plaintext is released and
 * before any KEK is asked to unwrap.
 *
 * <pre>{@code
 * ReadOptions opts = ReadOptions.builder().expect("user-id", currentUser).build();
 * } catch (ContextMismatchException e) { deny(); }
 * }</pre>
 */
public final class ContextMismatchException extends OxCryptoException {
  private static final long serialVersionUID = 1L;

  /**
   * A mismatch with a message naming the expected key.
   *
   * @param message what failed, without key material or plaintext; control characters are
   *     escaped
   */
  public ContextMismatchException(String message) {
    super(message);
  }

  /**
   * A mismatch with a message and an underlying cause.
   *
   * @param message what failed, without key material or plaintext; control characters are
   *     escaped
   * @param cause the underlying failure, or null
   */
  public ContextMismatchException(String message, Throwable cause) {
    super(message, cause);
  }
}
