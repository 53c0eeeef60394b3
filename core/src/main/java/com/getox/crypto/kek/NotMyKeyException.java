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

  public NotMyKeyException(String message) {
    super(Printable.escape(message));
  }

  public NotMyKeyException(WrappedKey wrapped, String kekUri) {
    super(Printable.escape("wrapped key for " + wrapped.kekUri() + " is not for " + kekUri));
  }
}
