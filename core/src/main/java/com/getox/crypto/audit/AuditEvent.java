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
    /** A new data key was generated for a recording (no KEK involved yet). */
    GENERATE_DEK,
    /** A data key was wrapped under a KEK for a new recording. */
    WRAP,
    /** A KEK was asked to unwrap a recording's data key (one event per KEK tried). */
    UNWRAP,
    /** A wrapped key was re-wrapped, for example after its KEK rotated. */
    REWRAP,
    /** A recording's data key was wrapped for another KEK (a new recipient). */
    SHARE,
    /** A KEK's wrapped key was removed from a recording. */
    REVOKE,
    /** A local keyset got a new primary key version. */
    ROTATE,
    /** A local keyset's key version was disabled. */
    DISABLE,
    /** A local keyset's disabled key version was enabled again. */
    ENABLE,
    /**
     * Key material was destroyed: a local keyset's key version, or an SFrame epoch's key when it
     * is retired.
     */
    DESTROY,
    /** A data key came from the {@code DekCache} instead of a KEK. */
    CACHE_HIT,
    /** The {@code DekCache} held no data key for the recording, so a KEK was asked. */
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
   * The event of an operation that started at {@code startNanos} and ends now. For the SDK's own
   * use and for KEK or tool implementations that report their own operations; the event's time
   * is the current wall-clock time.
   *
   * @param operation what was done; not null
   * @param kekUri the KEK's URI, or null where no KEK is involved (for GENERATE_DEK)
   * @param kekVersion the KEK's key version, or null if not known
   * @param headerId the recording's header id in hex, or null if not known yet
   * @param context the recording's encryption context, or null; only its {@linkplain
   *     #digest(EncryptionContext) digest} is kept, so pass the stored entries only
   * @param failure null for success; otherwise only its simple class name is kept (never its
   *     message)
   * @param startNanos {@link System#nanoTime()} when the operation started
   * @return the event
   * @throws NullPointerException if {@code operation} is null
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
   *
   * @param key the 32-byte HMAC-SHA-256 key; copied, so the caller may wipe its array
   * @throws IllegalArgumentException if {@code key} is null or not 32 bytes
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
   *
   * @param context the context to digest; not null
   * @return 32 lowercase hex characters
   * @throws NullPointerException if {@code context} is null
   * @throws IllegalStateException if the JVM has no HmacSHA256
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

  /**
   * What was done.
   *
   * @return the operation, never null
   */
  public Operation operation() {
    return operation;
  }

  /**
   * The KEK involved.
   *
   * @return the KEK's URI, or null where no KEK is involved
   */
  public String kekUri() {
    return kekUri;
  }

  /**
   * The KEK's key version.
   *
   * @return the version as the KEK names it, or null if not known
   */
  public String kekVersion() {
    return kekVersion;
  }

  /**
   * The recording (or SFrame key package) the operation was for.
   *
   * @return its header id in lowercase hex, or null if not known
   */
  public String headerId() {
    return headerId;
  }

  /**
   * The keyed digest of the stored encryption context.
   *
   * @return see {@link #digest(EncryptionContext)}; null if no context applies
   */
  public String contextDigest() {
    return contextDigest;
  }

  /**
   * How the operation ended.
   *
   * @return {@link #OK}, or the simple class name of the error, such as {@code
   *     NotMyKeyException}
   */
  public String outcome() {
    return outcome;
  }

  /**
   * How long the operation took.
   *
   * @return the duration in microseconds, measured with {@link System#nanoTime()}
   */
  public long durationMicros() {
    return durationMicros;
  }

  /**
   * When the operation ended.
   *
   * @return wall-clock time in milliseconds since 1970-01-01T00:00Z
   */
  public long epochMillis() {
    return epochMillis;
  }

  @Override
  public String toString() {
    return operation + " " + kekUri + " v" + kekVersion + " " + headerId + " " + outcome;
  }
}
