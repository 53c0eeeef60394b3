package com.getox.crypto.s3;

import java.io.IOException;

/**
 * An object store call failed: the store said no (access denied, no such bucket or key), or it
 * kept failing after the client's retries (503 SlowDown, 500, connection resets). {@link
 * #isRetryable()} says whether the same call may succeed later. Nothing half-written is left
 * visible: a failed upload is aborted, a failed edit changed nothing.
 *
 * <pre>{@code
 * try {
 *   s3r.rewrap("recordings", "2026/12/talk.oxr", ReadOptions.defaults());
 * } catch (ObjectStoreException e) {
 *   if (e.isRetryable()) scheduleRetry(); else alert(e.getMessage());
 * }
 * }</pre>
 *
 * <p>A concurrent edit of the same recording is a {@link com.getox.crypto.ConcurrentEditException}
 * instead, always retryable.
 */
public final class ObjectStoreException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Whether a later call may succeed. */
  private final boolean retryable;

  /** The HTTP status of the store's answer, or 0 if none came. */
  private final int statusCode;

  ObjectStoreException(String message, int statusCode, boolean retryable, Throwable cause) {
    super(message, cause);
    this.statusCode = statusCode;
    this.retryable = retryable;
  }

  /**
   * Whether the failure is transient.
   *
   * @return true for throttling, 5xx answers and network failures; false when retrying cannot
   *     help (access denied, no such key)
   */
  public boolean isRetryable() {
    return retryable;
  }

  /**
   * The HTTP status the store answered with.
   *
   * @return the status code, such as 403 or 503, or 0 if no answer came (a network failure)
   */
  public int statusCode() {
    return statusCode;
  }
}
