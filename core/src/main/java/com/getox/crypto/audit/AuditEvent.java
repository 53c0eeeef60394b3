package com.getox.crypto.audit;

import com.getox.crypto.EncryptionContext;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * One key operation, as recorded for audit: what was done, with which KEK and version, for which
 * recording, how it ended and how long it took. It carries a digest of the encryption context,
 * never its values (they may be personal data), and never key material.
 *
 * <pre>{@code
 * AuditSink sink = event -> auditQueue.add(event.operation() + " " + event.kekUri() + " " + event.outcome());
 * }</pre>
 */
public final class AuditEvent {
  /** The key operations that are audited. */
  public enum Operation {
    GENERATE_DEK,
    WRAP,
    UNWRAP,
    REWRAP,
    SHARE,
    REVOKE,
    ROTATE,
    DISABLE,
    ENABLE,
    DESTROY,
    CACHE_HIT,
    CACHE_MISS
  }

  /** The outcome of a successful operation. */
  public static final String OK = "ok";

  private final Operation operation;
  private final String kekUri;
  private final String kekVersion;
  private final String headerId;
  private final String contextDigest;
  private final String outcome;
  private final long durationMicros;
  private final long epochMillis;

  private AuditEvent(
      Operation operation,
      String kekUri,
      String kekVersion,
      String headerId,
      String contextDigest,
      String outcome,
      long durationMicros,
      long epochMillis) {
    this.operation = operation;
    this.kekUri = kekUri;
    this.kekVersion = kekVersion;
    this.headerId = headerId;
    this.contextDigest = contextDigest;
    this.outcome = outcome;
    this.durationMicros = durationMicros;
    this.epochMillis = epochMillis;
  }

  /**
   * @param kekUri may be null (for GENERATE_DEK)
   * @param kekVersion may be null
   * @param headerId the recording's header id in hex, or null if not known yet
   * @param context may be null
   * @param failure null for success; otherwise only its class name is kept
   */
  public static AuditEvent of(
      Operation operation,
      String kekUri,
      String kekVersion,
      String headerId,
      EncryptionContext context,
      Throwable failure,
      long startNanos) {
    return new AuditEvent(
        Objects.requireNonNull(operation, "operation"),
        kekUri,
        kekVersion,
        headerId,
        context == null ? null : digest(context),
        failure == null ? OK : failure.getClass().getSimpleName(),
        (System.nanoTime() - startNanos) / 1000,
        System.currentTimeMillis());
  }

  /** First 16 bytes of SHA-256 over the context's canonical encoding, in hex. */
  public static String digest(EncryptionContext context) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(context.canonicalBytes());
      return com.google.crypto.tink.subtle.Hex.encode(java.util.Arrays.copyOf(d, 16));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing", e);
    }
  }

  public Operation operation() {
    return operation;
  }

  /** The KEK URI, or null. */
  public String kekUri() {
    return kekUri;
  }

  /** The KEK version, or null. */
  public String kekVersion() {
    return kekVersion;
  }

  /** The recording's header id (hex), or null. */
  public String headerId() {
    return headerId;
  }

  /** See {@link #digest(EncryptionContext)}; null if no context applies. */
  public String contextDigest() {
    return contextDigest;
  }

  /** {@link #OK}, or the simple class name of the error. */
  public String outcome() {
    return outcome;
  }

  public long durationMicros() {
    return durationMicros;
  }

  public long epochMillis() {
    return epochMillis;
  }

  @Override
  public String toString() {
    return operation + " " + kekUri + " v" + kekVersion + " " + headerId + " " + outcome;
  }
}
