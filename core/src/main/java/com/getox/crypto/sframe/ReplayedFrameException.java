package com.getox.crypto.sframe;

import com.getox.crypto.OxCryptoException;

/**
 * An authentic frame that the receiver refuses because its counter was already accepted, or is
 * too far behind the newest one to tell (older than the replay window). Discard the frame.
 *
 * <pre>{@code
 * } catch (ReplayedFrameException e) { stats.replays++; }   // duplicates are normal on lossy links
 * }</pre>
 */
public final class ReplayedFrameException extends OxCryptoException {
  private static final long serialVersionUID = 1L;

  /**
   * A refused frame, with a message giving its counter.
   *
   * @param message what failed, without key material or plaintext; control characters are
   *     escaped
   */
  public ReplayedFrameException(String message) {
    super(message);
  }
}
