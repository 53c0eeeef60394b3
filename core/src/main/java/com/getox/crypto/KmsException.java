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
  private final boolean retryable;

  public KmsException(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  public KmsException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  /** True if the failure is transient (throttling, timeouts, 5xx) and a later call may succeed. */
  public boolean isRetryable() {
    return retryable;
  }
}
