package com.getox.crypto.audit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.getox.crypto.EncryptionContext;
import java.util.Objects;

/**
 * One key operation, as recorded for audit: what was done, with which KEK and version, for which
 * recording, how it ended and how long it took. It carries a keyed digest of the stored encryption
 * context ({@link #digest}), never its values (they may be personal data) and never an unstored
 * entry, and never key material.
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

  /**
   * The key of {@link #digest}: random per process unless {@link #useDeploymentKey} set one. An
   * unkeyed hash of short values (a user id) could be guessed back from the log.
   */
  private static volatile SecretKeySpec digestKey = randomKey();

  private static SecretKeySpec randomKey() {
    byte[] k = new byte[32];
    new java.security.SecureRandom().nextBytes(k);
    try {
      return new SecretKeySpec(k, "HmacSHA256");
    } finally {
      java.util.Arrays.fill(k, (byte) 0);
    }
  }

  /**
   * Keys every later {@link #digest} with {@code key} (32 bytes, a secret of your deployment,
   * kept like a KEK): events of every process that uses the same key then carry the same digest
   * for the same context, so they can be correlated, and nobody without the key can test a guess
   * of a value against the log. Without it, a random per-process key is used. Call it once at
   * startup.
   *
   * <pre>{@code
   * AuditEvent.useDeploymentKey(secrets.get("ox-audit-key"));
   * }</pre>
   */
  public static void useDeploymentKey(byte[] key) {
    if (key == null || key.length != 32) {
      throw new IllegalArgumentException("the audit key must be 32 bytes");
    }
    digestKey = new SecretKeySpec(key, "HmacSHA256");
  }

  /**
   * First 16 bytes of HMAC-SHA-256 over the context's canonical encoding, in hex, under the
   * deployment's audit key ({@link #useDeploymentKey}).
   */
  public static String digest(EncryptionContext context) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(digestKey);
      byte[] d = mac.doFinal(context.canonicalBytes());
      return com.google.crypto.tink.subtle.Hex.encode(java.util.Arrays.copyOf(d, 16));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is missing", e);
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
