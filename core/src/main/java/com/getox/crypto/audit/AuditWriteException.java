package com.getox.crypto.audit;

/**
 * Thrown by a fail-closed {@link AuditSink} that could not record an event (its log is on a full
 * disk, its pipeline is down): the key operation the event reports must not proceed. {@link
 * com.getox.crypto.Recordings} and {@link com.getox.crypto.local.LocalKms} turn it into a checked
 * {@link com.getox.crypto.AuditFailedException}: a wrap or unwrap whose event was not recorded
 * releases no key, no plaintext and no header.
 *
 * <pre>{@code
 * AuditSink strict = event -> {
 *   try {
 *     journal.appendAndSync(AuditSink.toJson(event));
 *   } catch (IOException e) {
 *     throw new AuditWriteException("audit journal: " + e.getMessage(), e);
 *   }
 * };
 * }</pre>
 */
public final class AuditWriteException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * A failure to record an event.
   *
   * @param message what could not be written, without key material or plaintext
   * @param cause the underlying failure, or null
   */
  public AuditWriteException(String message, Throwable cause) {
    super(message, cause);
  }
}
