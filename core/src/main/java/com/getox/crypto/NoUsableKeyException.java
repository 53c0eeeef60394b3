package com.getox.crypto;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * None of the reader's KEKs could unwrap any of the recording's wrapped data keys. {@link
 * #causes()} holds one entry per attempt that failed (also attached as suppressed exceptions), so
 * "wrong key", "KMS unreachable" and "key disabled" can be told apart.
 *
 * <pre>{@code
 * } catch (NoUsableKeyException e) {
 *   for (Exception cause : e.causes()) log.warn("unwrap failed: {}", cause.getMessage());
 * }
 * }</pre>
 */
public final class NoUsableKeyException extends OxCryptoException {
  private static final long serialVersionUID = 1L;
  /** The failed unwrap attempts, in order; unmodifiable. */
  private final List<Exception> causes;

  /**
   * The failure of a whole unwrap, after every KEK was tried. The first cause becomes {@link
   * #getCause()}, the others suppressed exceptions, and every cause's message is appended to
   * {@code message}.
   *
   * @param message what could not be opened; control characters are escaped
   * @param causes the failed attempts in the order they were tried, possibly empty; copied
   * @throws NullPointerException if {@code causes} is null
   */
  public NoUsableKeyException(String message, List<? extends Exception> causes) {
    super(message + describe(causes), causes.isEmpty() ? null : causes.get(0));
    this.causes = Collections.unmodifiableList(new ArrayList<>(causes));
    for (int i = 1; i < causes.size(); i++) {
      addSuppressed(causes.get(i));
    }
  }

  /**
   * Every failed unwrap attempt.
   *
   * @return the failures in the order they were tried, unmodifiable; empty if no KEK matched at
   *     all
   */
  public List<Exception> causes() {
    return causes;
  }

  private static String describe(List<? extends Exception> causes) {
    if (causes.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder(" (");
    for (int i = 0; i < causes.size(); i++) {
      if (i > 0) {
        sb.append("; ");
      }
      sb.append(causes.get(i).getMessage());
    }
    return sb.append(')').toString();
  }
}
