package com.getox.crypto.internal;

import com.getox.crypto.AuditFailedException;
import com.getox.crypto.audit.AuditEvent;
import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.audit.AuditWriteException;

/**
 * Records an event, failing closed: a sink's {@link AuditWriteException} becomes a checked {@link
 * AuditFailedException}, which the caller lets stop the key operation (after wiping its keys).
 *
 * <pre>{@code
 * Audit.record(audit, AuditEvent.of(Operation.UNWRAP, uri, version, headerHex, logged, null, t));
 * }</pre>
 */
public final class Audit {
  private Audit() {}

  /**
   * Sends {@code event} to {@code sink}.
   *
   * @param sink where events go
   * @param event the event
   * @throws AuditFailedException if the sink threw {@link AuditWriteException}
   */
  public static void record(AuditSink sink, AuditEvent event) throws AuditFailedException {
    try {
      sink.record(event);
    } catch (AuditWriteException e) {
      throw new AuditFailedException(e);
    }
  }
}
