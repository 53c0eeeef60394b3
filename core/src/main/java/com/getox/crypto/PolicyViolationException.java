package com.getox.crypto;

/**
 * Encrypting would break the {@link ClassificationPolicy}: a Confidential recording under a
 * plaintext keyset, a missing escrow KEK, data-key caching beyond the class's limits. Raised
 * before any key is generated.
 *
 * <pre>{@code
 * } catch (PolicyViolationException e) { showAdminError(e.getMessage()); }
 * }</pre>
 */
public final class PolicyViolationException extends OxCryptoException {
  private static final long serialVersionUID = 1L;

  /**
   * A policy violation, with a message naming the class and the rule broken.
   *
   * @param message what failed, without key material or plaintext; control characters are
   *     escaped
   */
  public PolicyViolationException(String message) {
    super(message);
  }
}
