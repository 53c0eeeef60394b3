package com.getox.crypto;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How to open a recording: the context entries the reader requires, a detached header, and the
 * limits that protect the reader from hostile input. Immutable; {@link Builder#build()} validates.
 *
 * <pre>{@code
 * ReadOptions opts = ReadOptions.builder()
 *     .expect("user-id", currentUser)      // else ContextMismatchException, before any plaintext
 *     .detachedHeader(sidecarBytes)        // when the header is stored apart from the body
 *     .build();
 * }</pre>
 */
public final class ReadOptions {
  /** The default header size limit, in bytes (64 KiB). */
  public static final int DEFAULT_MAX_HEADER_BYTES = 64 * 1024;

  /** The default limit on wrapped keys per header. */
  public static final int DEFAULT_MAX_WRAPPED_KEYS = 16;

  private static final ReadOptions DEFAULTS = builder().build();

  private final Map<String, String> expected;
  private final byte[] detachedHeader;
  private final int maxHeaderBytes;
  private final int maxWrappedKeys;

  private ReadOptions(Builder b) {
    this.expected = Collections.unmodifiableMap(new LinkedHashMap<>(b.expected));
    this.detachedHeader = b.detachedHeader == null ? null : b.detachedHeader.clone();
    this.maxHeaderBytes = b.maxHeaderBytes;
    this.maxWrappedKeys = b.maxWrappedKeys;
  }

  /**
   * No expectations, an attached header, default limits.
   *
   * @return the shared default options
   */
  public static ReadOptions defaults() {
    return DEFAULTS;
  }

  /**
   * A builder starting from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The context entries the recording must hold (it may hold more).
   *
   * @return the expected keys and values, in the order given; unmodifiable
   */
  public Map<String, String> expected() {
    return expected;
  }

  /**
   * The detached header.
   *
   * @return a copy of the header bytes, or null when the header precedes the body
   */
  public byte[] detachedHeader() {
    return detachedHeader == null ? null : detachedHeader.clone();
  }

  /**
   * Headers longer than this are rejected before they are read into memory.
   *
   * @return the limit in bytes
   */
  public int maxHeaderBytes() {
    return maxHeaderBytes;
  }

  /**
   * Headers with more wrapped keys than this are rejected (as AWS ESDK's
   * max-encrypted-data-keys).
   *
   * @return the largest number of wrapped keys accepted
   */
  public int maxWrappedKeys() {
    return maxWrappedKeys;
  }

  /** Checks {@link #expected()} against {@code context}. */
  void checkExpectations(EncryptionContext context) throws ContextMismatchException {
    for (Map.Entry<String, String> e : expected.entrySet()) {
      String actual = context.get(e.getKey());
      if (actual == null) {
        throw new ContextMismatchException(
            "recording's encryption context has no '" + e.getKey() + "' entry");
      }
      if (!actual.equals(e.getValue())) {
        // The stored value is in the file anyway; the expected one is not quoted: it may be personal
        // data the caller keeps out of files (an unstored value).
        throw new ContextMismatchException(
            "recording's encryption context has "
                + e.getKey()
                + "='"
                + actual
                + "', not the value expected");
      }
    }
  }

  /** Builds {@link ReadOptions}. */
  public static final class Builder {
    private final Map<String, String> expected = new LinkedHashMap<>();
    private byte[] detachedHeader;
    private int maxHeaderBytes = DEFAULT_MAX_HEADER_BYTES;
    private int maxWrappedKeys = DEFAULT_MAX_WRAPPED_KEYS;

    private Builder() {}

    /**
     * Requires the recording's context to map {@code key} to {@code value}; otherwise opening
     * fails with a {@link ContextMismatchException} before any KEK is asked. Replaces an earlier
     * expectation for {@code key}.
     *
     * @param key the context key; not null
     * @param value the value it must have; not null. Never quoted in error messages
     * @return this builder
     * @throws NullPointerException if an argument is null
     */
    public Builder expect(String key, String value) {
      expected.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Requires every entry of {@code context}, as {@link #expect} does for each.
     *
     * @param context the entries to require; not null
     * @return this builder
     */
    public Builder expectAll(EncryptionContext context) {
      for (Map.Entry<String, String> e : context.asMap().entrySet()) {
        expect(e.getKey(), e.getValue());
      }
      return this;
    }

    /**
     * The header, stored apart from the body; the input then starts with the body.
     *
     * @param header the header bytes as {@link RecordingHeader#toByteArray()} wrote them; copied
     * @return this builder
     * @throws NullPointerException if {@code header} is null
     */
    public Builder detachedHeader(byte[] header) {
      this.detachedHeader = Objects.requireNonNull(header, "header").clone();
      return this;
    }

    /**
     * Rejects headers longer than this before reading them into memory (default {@value
     * #DEFAULT_MAX_HEADER_BYTES}).
     *
     * @param maxHeaderBytes the limit in bytes, 64 to {@link RecordingHeader#MAX_HEADER_BYTES}
     *     (checked by {@link #build()})
     * @return this builder
     */
    public Builder maxHeaderBytes(int maxHeaderBytes) {
      this.maxHeaderBytes = maxHeaderBytes;
      return this;
    }

    /**
     * Rejects headers with more wrapped keys than this (default {@value
     * #DEFAULT_MAX_WRAPPED_KEYS}).
     *
     * @param maxWrappedKeys the limit, 1 to 65535 (checked by {@link #build()})
     * @return this builder
     */
    public Builder maxWrappedKeys(int maxWrappedKeys) {
      this.maxWrappedKeys = maxWrappedKeys;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options, immutable
     * @throws IllegalArgumentException if a limit is out of range
     */
    public ReadOptions build() {
      if (maxHeaderBytes < 64 || maxHeaderBytes > RecordingHeader.MAX_HEADER_BYTES) {
        throw new IllegalArgumentException(
            "maxHeaderBytes must be 64 to " + RecordingHeader.MAX_HEADER_BYTES);
      }
      if (maxWrappedKeys < 1 || maxWrappedKeys > 0xffff) {
        throw new IllegalArgumentException("maxWrappedKeys must be 1 to 65535");
      }
      return new ReadOptions(this);
    }
  }
}
