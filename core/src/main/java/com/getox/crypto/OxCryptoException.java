package com.getox.crypto;

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
 * <p>Messages never contain key material or plaintext.
 */
public class OxCryptoException extends GeneralSecurityException {
  private static final long serialVersionUID = 1L;

  public OxCryptoException(String message) {
    super(message);
  }

  public OxCryptoException(String message, Throwable cause) {
    super(message, cause);
  }
}
