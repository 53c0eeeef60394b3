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

  public ContextMismatchException(String message) {
    super(message);
  }

  public ContextMismatchException(String message, Throwable cause) {
    super(message, cause);
  }
}
