package com.getox.crypto;

import com.getox.crypto.internal.Printable;
import java.security.GeneralSecurityException;

/**
 * Root of every checked error this SDK raises. Catch it to handle "this recording cannot be
 * opened" as one case; catch a subtype to tell the reasons apart.
 *
 * <pre>{@code
 * try (InputStream in = recordings.newInputStream(file, ReadOptions.defaults())) {
 *   in.transferTo(out);
 * } catch (IOException e) {
 *   if (e.getCause() instanceof OxCryptoException) { ... } // stream adapters wrap, keeping the cause
 * }
 * }</pre>
 *
 * <p>Messages never contain key material or plaintext, and no control characters: values quoted
 * from an unauthenticated header (KEK URIs, versions, context values) could otherwise drive the
 * terminal or forge log lines, so the constructors escape them ({@code \u001b}, {@code \n}).
 */
public class OxCryptoException extends GeneralSecurityException {
  private static final long serialVersionUID = 1L;

  /**
   * An error with a message.
   *
   * @param message what failed, without key material or plaintext; control characters are
   *     escaped
   */
  public OxCryptoException(String message) {
    super(Printable.escape(message));
  }

  /**
   * An error with a message and the exception that caused it.
   *
   * @param message what failed, without key material or plaintext; control characters are
   *     escaped
   * @param cause the underlying failure, or null
   */
  public OxCryptoException(String message, Throwable cause) {
    super(Printable.escape(message), cause);
  }
}
