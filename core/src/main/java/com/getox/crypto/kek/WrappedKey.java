package com.getox.crypto.kek;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A data key wrapped by one KEK, as it is stored in a recording header: the KEK's URI, the KEK
 * version that wrapped it, the wrapping algorithm and the opaque wrapped bytes.
 *
 * <pre>{@code
 * WrappedKey w = WrappedKey.create("local://team-keys", "1842051372", "tink-aes256-gcm", bytes);
 * }</pre>
 *
 * <p>Limits, checked by {@link #create}: URI 1 to {@value #MAX_URI_BYTES} UTF-8 bytes, version and
 * algorithm at most {@value #MAX_LABEL_BYTES}, wrapped bytes 1 to {@value #MAX_WRAPPED_BYTES}
 * (AWS KMS ciphertext blobs reach 6144 bytes).
 */
public final class WrappedKey {
  /** Largest KEK URI, in UTF-8 bytes. */
  public static final int MAX_URI_BYTES = 2048;

  /** Largest KEK version or wrapping algorithm name, in UTF-8 bytes. */
  public static final int MAX_LABEL_BYTES = 255;

  /** Largest wrapped key, in bytes. */
  public static final int MAX_WRAPPED_BYTES = 8192;

  /**
   * What a wrapped key opens (format version 2). The owners' KEKs wrap the {@linkplain #DATA_KEY
   * data key}, which a cache may reuse for several recordings; a recipient that a recording was
   * shared with gets its {@linkplain #RECORDING_KEY recording key}, derived from the data key and
   * the header id, which opens that recording and no other.
   */
  public enum Scope {
    /** The data key: wrapped with the recording's context as associated data. */
    DATA_KEY,
    /**
     * This recording's key: wrapped with the context plus {@code oxcrypt:recording-id = <header
     * id hex>} as associated data, so the entry opens nothing when copied into another header.
     */
    RECORDING_KEY
  }

  private final String kekUri;
  private final String kekVersion;
  private final String algorithm;
  private final byte[] wrapped;
  private final Scope scope;

  private WrappedKey(
      String kekUri, String kekVersion, String algorithm, byte[] wrapped, Scope scope) {
    this.kekUri = kekUri;
    this.kekVersion = kekVersion;
    this.algorithm = algorithm;
    this.wrapped = wrapped;
    this.scope = scope;
  }

  /**
   * A wrapped data key ({@link Scope#DATA_KEY}). For KEK implementations.
   *
   * @param kekUri the URI of the KEK that wrapped it, 1 to {@value #MAX_URI_BYTES} UTF-8 bytes
   * @param kekVersion the KEK version that wrapped it, at most {@value #MAX_LABEL_BYTES} UTF-8
   *     bytes; "" if the KEK has no visible versions
   * @param algorithm the wrapping algorithm, 1 to {@value #MAX_LABEL_BYTES} UTF-8 bytes
   * @param wrappedBytes the wrapped key, 1 to {@value #MAX_WRAPPED_BYTES} bytes; copied
   * @return the wrapped key
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if a field is outside its limits
   */
  public static WrappedKey create(
      String kekUri, String kekVersion, String algorithm, byte[] wrappedBytes) {
    check("KEK URI", kekUri, 1, MAX_URI_BYTES);
    check("KEK version", kekVersion, 0, MAX_LABEL_BYTES);
    check("wrapping algorithm", algorithm, 1, MAX_LABEL_BYTES);
    Objects.requireNonNull(wrappedBytes, "wrappedBytes");
    if (wrappedBytes.length < 1 || wrappedBytes.length > MAX_WRAPPED_BYTES) {
      throw new IllegalArgumentException(
          "wrapped key must be 1 to " + MAX_WRAPPED_BYTES + " bytes, got " + wrappedBytes.length);
    }
    return new WrappedKey(kekUri, kekVersion, algorithm, wrappedBytes.clone(), Scope.DATA_KEY);
  }

  /**
   * What this wrapped key opens.
   *
   * @return {@link Scope#DATA_KEY} unless {@link #withScope} said otherwise
   */
  public Scope scope() {
    return scope;
  }

  /**
   * The same wrapped bytes, marked as opening {@code scope}.
   *
   * @param scope what the wrapped bytes open; not null
   * @return this object if its scope is already {@code scope}, else a copy with that scope
   * @throws NullPointerException if {@code scope} is null
   */
  public WrappedKey withScope(Scope scope) {
    return scope == this.scope
        ? this
        : new WrappedKey(kekUri, kekVersion, algorithm, wrapped, Objects.requireNonNull(scope));
  }

  private static void check(String what, String s, int min, int max) {
    Objects.requireNonNull(s, what);
    int n = s.getBytes(StandardCharsets.UTF_8).length;
    if (n < min || n > max) {
      throw new IllegalArgumentException(what + " must be " + min + " to " + max + " UTF-8 bytes");
    }
  }

  /**
   * The URI of the KEK that wrapped the data key.
   *
   * @return the KEK URI, never null
   */
  public String kekUri() {
    return kekUri;
  }

  /**
   * The KEK version that wrapped it.
   *
   * @return a keyset key id or a KMS key version, or "" if unknown; never null
   */
  public String kekVersion() {
    return kekVersion;
  }

  /**
   * The wrapping algorithm.
   *
   * @return the name, such as {@code tink-aes256-gcm} or {@code aws-kms-symmetric-default}
   */
  public String algorithm() {
    return algorithm;
  }

  /**
   * The wrapped bytes. They are ciphertext, not a secret.
   *
   * @return a copy of the wrapped bytes
   */
  public byte[] wrappedBytes() {
    return wrapped.clone();
  }

  /**
   * The length of the wrapped bytes, without copying them.
   *
   * @return the number of wrapped bytes, 1 to {@value #MAX_WRAPPED_BYTES}
   */
  public int wrappedLength() {
    return wrapped.length;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof WrappedKey)) {
      return false;
    }
    WrappedKey w = (WrappedKey) o;
    return kekUri.equals(w.kekUri)
        && kekVersion.equals(w.kekVersion)
        && algorithm.equals(w.algorithm)
        && scope == w.scope
        && Arrays.equals(wrapped, w.wrapped);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kekUri, kekVersion, algorithm, scope, Arrays.hashCode(wrapped));
  }

  @Override
  public String toString() {
    return "WrappedKey{"
        + kekUri
        + " v"
        + kekVersion
        + " "
        + algorithm
        + " "
        + wrapped.length
        + "B"
        + (scope == Scope.RECORDING_KEY ? " recording-key" : "")
        + "}";
  }
}
