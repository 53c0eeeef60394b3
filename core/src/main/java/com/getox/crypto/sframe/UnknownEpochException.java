package com.getox.crypto.sframe;

import com.getox.crypto.OxCryptoException;

/**
 * The frame's KID names an epoch the receiver holds no key for: its key package has not arrived
 * yet, it has aged out, or it was never wrapped for this receiver (a member who left). Discard the
 * frame; if it keeps happening, ask for the current key package.
 *
 * <pre>{@code
 * } catch (UnknownEpochException e) { requestKeyPackage(e.epoch()); }
 * }</pre>
 */
public final class UnknownEpochException extends OxCryptoException {
  private static final long serialVersionUID = 1L;

  /** The epoch the frame names, unsigned. */
  private final long epoch;

  /**
   * A frame of an unknown epoch.
   *
   * @param message what is missing; control characters are escaped
   * @param epoch the epoch the frame's KID names, as an unsigned 64-bit number
   */
  public UnknownEpochException(String message, long epoch) {
    super(message);
    this.epoch = epoch;
  }

  /**
   * The epoch the frame names.
   *
   * @return the epoch, an unsigned 64-bit number (compare with {@link Long#compareUnsigned})
   */
  public long epoch() {
    return epoch;
  }
}
