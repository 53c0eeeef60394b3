/**
 * The audit trail of key operations: every data-key generation, wrap, unwrap, re-wrap, share,
 * revoke, cache hit or miss, and every local keyset rotation, disable, enable and destroy is
 * reported as one {@link com.getox.crypto.audit.AuditEvent} to an {@link
 * com.getox.crypto.audit.AuditSink}. Events name the KEK, its version and the recording's header
 * id, and carry a keyed digest of the stored encryption context; never context values, unstored
 * entries or key material.
 *
 * <p>By default events go as JSON lines to the SLF4J logger {@code com.getox.crypto.audit} at INFO
 * (the application chooses the SLF4J binding); a sink of your own receives the same events:
 *
 * <pre>{@code
 * AuditEvent.useDeploymentKey(auditKey);           // 32 bytes: digests comparable across processes
 * Recordings recordings = Recordings.builder()
 *     .wrapWith(kek)
 *     .auditSink(event -> siem.send(AuditSink.toJson(event)))
 *     .build();
 * }</pre>
 */
package com.getox.crypto.audit;
