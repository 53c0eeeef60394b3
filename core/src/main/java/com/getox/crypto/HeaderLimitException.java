package com.getox.crypto;

/**
 * A write refused because the header it would produce exceeds what the default reader accepts
 * (too many bytes or wrapped keys): a new recording with too large an encryption context, or a
 * share to one recipient too many. Nothing was written; the recording, if any, is unchanged. Not
 * an integrity failure: the input is fine, the request is too big.
 *
 * <pre>{@code
 * try {
 *   RecordingFiles.share(recordings, file, colleagueKek, ReadOptions.defaults());
 * } catch (HeaderLimitException e) {
 *   // revoke someone first, or share with a group key instead
 * }
 * }</pre>
 */
public final class HeaderLimitException extends FormatException {
  private static final long serialVersionUID = 1L;

  /**
   * A refused write, with a message naming the limit and the size the header would have had.
   *
   * @param message what failed, without key material or plaintext; control characters are
   *     escaped
   */
  public HeaderLimitException(String message) {
    super(message);
  }
}
