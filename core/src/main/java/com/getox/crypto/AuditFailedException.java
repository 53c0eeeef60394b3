package com.getox.crypto;

import com.getox.crypto.audit.AuditWriteException;

/**
 * The audit sink could not record a key operation (it threw {@link AuditWriteException}), so the
 * operation was stopped: no data key or plaintext was released and no header was produced. The
 * cause is the sink's exception.
 *
 * <pre>{@code
 * } catch (AuditFailedException e) { alertOps("audit trail down: " + e.getMessage()); }
 * }</pre>
 *
 * <p>A {@link com.getox.crypto.local.LocalKms} lifecycle change (rotate, disable, enable,
 * destroy) is recorded once the keyset file has been replaced: this exception then reports that
 * the change was made but not recorded.
 */
public final class AuditFailedException extends OxCryptoException {
  private static final long serialVersionUID = 1L;

  /**
   * A key operation stopped because its event could not be recorded.
   *
   * @param cause what the sink threw; not null
   */
  public AuditFailedException(AuditWriteException cause) {
    super("the audit event could not be recorded: " + cause.getMessage(), cause);
  }
}
