package com.getox.crypto;

/**
 * The bytes are not a well-formed recording header: wrong magic, a length past a configured
 * limit, a field that runs past its end, a context that is not canonical. Raised before anything
 * of the size the header claims is allocated.
 *
 * <pre>{@code
 * } catch (FormatException e) { log.warn("not a recording: {}", e.getMessage()); }
 * }</pre>
 */
public class FormatException extends OxCryptoException {
  private static final long serialVersionUID = 1L;

  /**
   * A malformed header, with a message saying which field is wrong and where.
   *
   * @param message what failed, without key material or plaintext; control characters are
   *     escaped
   */
  public FormatException(String message) {
    super(message);
  }
}
