package com.getox.crypto.sframe;

import com.getox.crypto.internal.HkdfExpand;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AEAD key and salt of one (base key, KID) pair, and the frame transform of RFC 9605 sections
 * 4.4 and 4.5. Not thread-safe: the caller passes the {@link Cipher} it owns.
 */
final class SFrameKey {
  private static final byte[] KEY_LABEL = "SFrame 1.0 Secret key ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SALT_LABEL = "SFrame 1.0 Secret salt ".getBytes(StandardCharsets.US_ASCII);

  final SFrameSuite suite;
  final long kid;
  private final byte[] keyBytes;
  private final SecretKeySpec key;
  private final byte[] salt;

  private SFrameKey(SFrameSuite suite, long kid, byte[] keyBytes, byte[] salt) {
    this.suite = suite;
    this.kid = kid;
    this.keyBytes = keyBytes;
    this.key = new SecretKeySpec(keyBytes, "AES");
    this.salt = salt;
  }

  /** Derives sframe_key and sframe_salt (RFC 9605 section 4.4.2). */
  static SFrameKey derive(SFrameSuite suite, byte[] baseKey, long kid) throws GeneralSecurityException {
    byte[] secret = extract(suite, baseKey);
    try {
      byte[] k = HkdfExpand.expand(suite.hmacAlgorithm(), secret, label(KEY_LABEL, kid, suite), suite.keyBytes());
      byte[] s = HkdfExpand.expand(suite.hmacAlgorithm(), secret, label(SALT_LABEL, kid, suite), SFrameSuite.NONCE_BYTES);
      return new SFrameKey(suite, kid, k, s);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  /** HKDF-Extract(salt = "", baseKey): an empty salt is HashLen zero bytes (RFC 5869 2.2). */
  static byte[] extract(SFrameSuite suite, byte[] baseKey) throws GeneralSecurityException {
    Mac mac = Mac.getInstance(suite.hmacAlgorithm());
    mac.init(new SecretKeySpec(new byte[mac.getMacLength()], suite.hmacAlgorithm()));
    return mac.doFinal(baseKey);
  }

  static byte[] label(byte[] prefix, long kid, SFrameSuite suite) {
    byte[] l = Arrays.copyOf(prefix, prefix.length + 10);
    SFrameHeader.putBigEndian(kid, l, prefix.length, 8);
    l[prefix.length + 8] = (byte) (suite.id() >>> 8);
    l[prefix.length + 9] = (byte) suite.id();
    return l;
  }

  /** sframe_salt XOR the counter encoded big-endian in Nn bytes (erratum 8321). */
  byte[] nonce(long ctr) {
    byte[] n = salt.clone();
    for (int i = 0; i < 8; i++) {
      n[n.length - 1 - i] ^= (byte) (ctr >>> (8 * i));
    }
    return n;
  }

  /** header || AEAD(key, nonce(ctr), header || metadata, plaintext[off..off+len]). */
  byte[] seal(Cipher cipher, long ctr, byte[] metadata, byte[] plaintext, int off, int len)
      throws GeneralSecurityException {
    SFrameHeader header = SFrameHeader.of(kid, ctr);
    int h = header.encodedLength();
    byte[] out = new byte[h + len + SFrameSuite.TAG_BYTES];
    header.writeTo(out, 0);
    cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(8 * SFrameSuite.TAG_BYTES, nonce(ctr)));
    cipher.updateAAD(out, 0, h);
    cipher.updateAAD(metadata);
    int n = cipher.doFinal(plaintext, off, len, out, h);
    if (n != len + SFrameSuite.TAG_BYTES) {
      throw new GeneralSecurityException("AES-GCM returned " + n + " bytes, expected " + (len + SFrameSuite.TAG_BYTES));
    }
    return out;
  }

  /**
   * Opens {@code frame}, whose first {@code headerLength} bytes are the header of counter {@code
   * ctr}. Throws {@link javax.crypto.AEADBadTagException} if the tag does not verify.
   */
  byte[] open(Cipher cipher, long ctr, byte[] frame, int headerLength, byte[] metadata)
      throws GeneralSecurityException {
    if (frame.length - headerLength < SFrameSuite.TAG_BYTES) {
      // Too short to hold a tag (JCA would throw a ProviderException): run the same work over a
      // zero-padded copy, which cannot authenticate.
      frame = Arrays.copyOf(frame, headerLength + SFrameSuite.TAG_BYTES);
    }
    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(8 * SFrameSuite.TAG_BYTES, nonce(ctr)));
    cipher.updateAAD(frame, 0, headerLength);
    cipher.updateAAD(metadata);
    return cipher.doFinal(frame, headerLength, frame.length - headerLength);
  }

  static Cipher newCipher() throws GeneralSecurityException {
    return Cipher.getInstance("AES/GCM/NoPadding");
  }

  /** Wipes this object's copies (the JCA provider may hold its own until collected). */
  void destroy() {
    Arrays.fill(keyBytes, (byte) 0);
    Arrays.fill(salt, (byte) 0);
  }

  /** A copy of the AEAD key (for comparison and the RFC vectors). */
  byte[] keyBytes() {
    return keyBytes.clone();
  }

  /** A copy of the salt, for the RFC vectors. */
  byte[] saltBytes() {
    return salt.clone();
  }
}
