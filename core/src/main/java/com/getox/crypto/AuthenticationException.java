package com.getox.crypto;

/**
 * The ciphertext failed authentication: a chunk's tag, the key commitment, or a chunk in the wrong
 * place (reordered, duplicated, spliced from another recording). Nothing from the failing chunk is
 * ever released.
 *
 * <pre>{@code
 * } catch (AuthenticationException e) { quarantine(file); }
 * }</pre>
 */
public class AuthenticationException extends OxCryptoException {
  private static final long serialVersionUID = 1L;

  /**
   * An authentication failure with a message.
   *
   * @param message what failed, without key material or plaintext; control characters are
   *     escaped
   */
  public AuthenticationException(String message) {
    super(message);
  }

  /**
   * An authentication failure with a message and the exception that revealed it.
   *
   * @param message what failed, without key material or plaintext; control characters are
   *     escaped
   * @param cause the underlying failure, or null
   */
  public AuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }
}
