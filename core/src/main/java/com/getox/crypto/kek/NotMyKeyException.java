package com.getox.crypto.kek;

import com.getox.crypto.internal.Printable;
import java.security.GeneralSecurityException;

/**
 * Thrown by {@link Kek#unwrap} when a wrapped key was not made by that KEK. It is a signal, not a
 * failure: readers move on to the next KEK and leave it out of {@link
 * com.getox.crypto.NoUsableKeyException#causes()}'s fatal causes.
 *
 * <pre>{@code
 * if (!wrapped.kekUri().equals(uri())) throw new NotMyKeyException(wrapped, uri());
 * }</pre>
 */
public final class NotMyKeyException extends GeneralSecurityException {
  private static final long serialVersionUID = 1L;

  /**
   * The signal with a message of the KEK's choosing.
   *
   * @param message why the wrapped key is not this KEK's (say which URI or account); control
   *     characters are escaped
   */
  public NotMyKeyException(String message) {
    super(Printable.escape(message));
  }

  /**
   * The signal with the standard message naming both URIs.
   *
   * @param wrapped the wrapped key that was refused; not null
   * @param kekUri the URI of the KEK refusing it
   * @throws NullPointerException if {@code wrapped} is null
   */
  public NotMyKeyException(WrappedKey wrapped, String kekUri) {
    super(Printable.escape("wrapped key for " + wrapped.kekUri() + " is not for " + kekUri));
  }
}
