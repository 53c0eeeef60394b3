package com.getox.crypto;

/**
 * A key management service failed to wrap or unwrap: unreachable, throttled, key disabled,
 * access denied. {@link #isRetryable()} says whether the same call may succeed later; KEK
 * implementations have already retried within their own bounds before raising a retryable one.
 *
 * <pre>{@code
 * } catch (KmsException e) { if (e.isRetryable()) scheduleRetry(); else alert(e.getMessage()); }
 * }</pre>
 */
public class KmsException extends OxCryptoException {
  private static final long serialVersionUID = 1L;
  /** Whether a later call may succeed. */
  private final boolean retryable;

  /**
   * A KMS failure without an underlying exception. For KEK implementations.
   *
   * @param message what failed, naming the key and operation, never key material; control
   *     characters are escaped
   * @param retryable true only if the same call may succeed later (throttling, timeouts, 5xx)
   *     and the KEK has already used up its own retries
   */
  public KmsException(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  /**
   * A KMS failure caused by another exception (for example the KMS client's). For KEK
   * implementations.
   *
   * @param message what failed, naming the key and operation, never key material; control
   *     characters are escaped
   * @param retryable true only if the same call may succeed later (throttling, timeouts, 5xx)
   *     and the KEK has already used up its own retries
   * @param cause the underlying failure, or null
   */
  public KmsException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  /**
   * Whether the failure is transient.
   *
   * @return true if the failure is transient (throttling, timeouts, 5xx) and a later call may
   *     succeed; false if retrying cannot help (key disabled or missing, access denied, bad
   *     ciphertext)
   */
  public boolean isRetryable() {
    return retryable;
  }
}
