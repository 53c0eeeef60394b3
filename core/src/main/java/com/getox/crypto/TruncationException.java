package com.getox.crypto;

/**
 * The ciphertext's length is wrong: the recording was cut short (missing its short final chunk,
 * or ending inside a chunk or the header) or carries trailing data after its final chunk.
 *
 * <p>A recording whose writer died before {@code close()} fails with this error; {@link
 * Recordings#recover} returns its authenticated complete chunks.
 *
 * <pre>{@code
 * } catch (TruncationException e) { RecoveryReport r = recordings.recover(in, out, options); }
 * }</pre>
 */
public final class TruncationException extends AuthenticationException {
  private static final long serialVersionUID = 1L;

  /**
   * A length failure, with a message saying where the ciphertext ends or what follows it.
   *
   * @param message what failed, without key material or plaintext; control characters are
   *     escaped
   */
  public TruncationException(String message) {
    super(message);
  }
}
