package com.getox.crypto.sframe;

/**
 * The RFC 9605 cipher suites this package implements: the two AES-GCM ones.
 *
 * <pre>{@code
 * SFrameSender sender = SFrameSender.builder(recordings, "ptt-9", store)
 *     .suite(SFrameSuite.AES_256_GCM_SHA512_128)   // the default
 *     .build();
 * }</pre>
 *
 * <p>The AES-CTR + HMAC suites (0x0001 to 0x0003) are not implemented: their short tags suit
 * bandwidth-starved links, and Ox sends each frame with a full 16-byte tag.
 */
public enum SFrameSuite {
  /** 0x0004: AES-128-GCM, HKDF-SHA256, 16-byte tag. */
  AES_128_GCM_SHA256_128(0x0004, 16, "HmacSHA256"),
  /** 0x0005: AES-256-GCM, HKDF-SHA512, 16-byte tag. Ox's default. */
  AES_256_GCM_SHA512_128(0x0005, 32, "HmacSHA512");

  /** Nonce length (Nn) of both suites. */
  static final int NONCE_BYTES = 12;
  /** Tag length (Nt) of both suites. */
  static final int TAG_BYTES = 16;

  private final int id;
  private final int keyBytes;
  private final String hmac;

  SFrameSuite(int id, int keyBytes, String hmac) {
    this.id = id;
    this.keyBytes = keyBytes;
    this.hmac = hmac;
  }

  /**
   * The IANA cipher suite identifier (RFC 9605 section 8.1).
   *
   * @return the identifier, for example 0x0005
   */
  public int id() {
    return id;
  }

  /**
   * Nk: the AEAD key length.
   *
   * @return the key length in bytes: 16 or 32
   */
  public int keyBytes() {
    return keyBytes;
  }

  /**
   * Nt: the bytes each frame grows by, besides its header.
   *
   * @return the tag length in bytes: 16 for both suites
   */
  public int tagBytes() {
    return TAG_BYTES;
  }

  /** The JCA HMAC name of the suite's hash, for HKDF. */
  String hmacAlgorithm() {
    return hmac;
  }

  /**
   * The suite with identifier {@code id}.
   *
   * @param id an IANA SFrame cipher suite identifier
   * @return the suite, or null if this package does not implement it
   */
  public static SFrameSuite forId(int id) {
    for (SFrameSuite s : values()) {
      if (s.id == id) {
        return s;
      }
    }
    return null;
  }

  /** {@code 0x0005} style, as written into key package contexts. */
  String hexId() {
    return String.format("0x%04x", id);
  }
}
