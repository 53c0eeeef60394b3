package com.getox.crypto;

/**
 * {@link Recordings#resume} was asked to go on writing a recording that was closed normally. Its
 * final, short chunk authenticates the recording's length: appending would need a new final
 * chunk, and a reader could no longer tell the closed recording from a cut one. Start a new
 * recording instead.
 *
 * <pre>{@code
 * try {
 *   w = recordings.resume(file, options);
 * } catch (RecordingCompleteException e) {
 *   w = recordings.newFileWriter(nextFile, ctx);
 * }
 * }</pre>
 */
public final class RecordingCompleteException extends OxCryptoException {
  private static final long serialVersionUID = 1L;

  /**
   * A refused resume, with a message naming the recording.
   *
   * @param message what failed, without key material or plaintext; control characters are
   *     escaped
   */
  public RecordingCompleteException(String message) {
    super(message);
  }
}
