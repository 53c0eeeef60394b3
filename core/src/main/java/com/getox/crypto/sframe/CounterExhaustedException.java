package com.getox.crypto.sframe;

import com.getox.crypto.OxCryptoException;

/**
 * The sender refuses to encrypt because the next counter would wrap around 2<sup>64</sup> (or the
 * epoch number would), which would reuse a nonce. Rotation every N frames keeps this from
 * happening; seeing it means the counter store was tampered with or rotation is disabled.
 *
 * <pre>{@code
 * } catch (CounterExhaustedException e) { sender.rotate(); }
 * }</pre>
 */
public final class CounterExhaustedException extends OxCryptoException {
  private static final long serialVersionUID = 1L;

  /**
   * A refused encryption, with a message naming the exhausted counter or epoch.
   *
   * @param message what failed, without key material or plaintext; control characters are
   *     escaped
   */
  public CounterExhaustedException(String message) {
    super(message);
  }
}
