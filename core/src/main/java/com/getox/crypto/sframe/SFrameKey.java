package com.getox.crypto.sframe;

import com.getox.crypto.internal.HkdfExpand;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
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

  // Package-private for SFrameAeadVectorsTest, which opens arbitrary (key, nonce) pairs: salt = nonce, ctr = 0.
  SFrameKey(SFrameSuite suite, long kid, byte[] keyBytes, byte[] salt) {
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
   * ctr}. Returns the plaintext, or null if the frame does not authenticate.
   *
   * <p>Written by hand over JCA because JCA reports a bad tag only by throwing {@code
   * AEADBadTagException}, and building that exception made a rejected frame 6-10 µs slower than a
   * good one; RFC 9605 asks that failures take the same time. So every frame does the same work
   * and nothing throws: AES-CTR from GCM's first counter block ({@code nonce || 00000002}, NIST SP
   * 800-38D) recovers the candidate plaintext, AES-GCM re-seals it under the same nonce and
   * associated data, and the two tags are compared in constant time. The re-seal reproduces the
   * sender's keystream and ciphertext exactly, so it exposes nothing new. Frames stay far below
   * the 2^32-block point where JCA's 128-bit CTR and GCM's 32-bit counter would differ.
   *
   * @param ciphers the caller's {@link Ciphers}; one call at a time
   */
  byte[] open(Ciphers ciphers, long ctr, byte[] frame, int headerLength, byte[] metadata)
      throws GeneralSecurityException {
    boolean tooShort = frame.length - headerLength < SFrameSuite.TAG_BYTES;
    if (tooShort) {
      // Too short to hold a tag: the same work over a zero-padded copy, refused whatever the
      // compare says (a cut tag that ended in zeros would otherwise be padded back into shape).
      frame = Arrays.copyOf(frame, headerLength + SFrameSuite.TAG_BYTES);
    }
    int len = frame.length - headerLength - SFrameSuite.TAG_BYTES;
    byte[] nonce = nonce(ctr);
    byte[] counter0 = Arrays.copyOf(nonce, 16);
    counter0[15] = 2;
    ciphers.ctr.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(counter0));
    byte[] plaintext = ciphers.ctr.doFinal(frame, headerLength, len);
    // JCA providers refuse two encryptions in a row under one key and nonce (a duplicated frame
    // would be one), so a random throwaway nonce is installed between re-seals.
    ciphers.gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(8 * SFrameSuite.TAG_BYTES, nonce));
    ciphers.gcm.updateAAD(frame, 0, headerLength);
    ciphers.gcm.updateAAD(metadata);
    byte[] resealed = ciphers.gcm.doFinal(plaintext);
    ciphers.gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(8 * SFrameSuite.TAG_BYTES, ciphers.throwaway));
    boolean ok =
        MessageDigest.isEqual(
                Arrays.copyOfRange(resealed, len, resealed.length),
                Arrays.copyOfRange(frame, headerLength + len, frame.length))
            & !tooShort;
    if (!ok) {
      Arrays.fill(plaintext, (byte) 0);
      return null;
    }
    return plaintext;
  }

  /** The JCA objects one receiver reuses for {@link #open}. Not thread-safe. */
  static final class Ciphers {
    final Cipher ctr;
    final Cipher gcm;
    final byte[] throwaway = new byte[SFrameSuite.NONCE_BYTES];

    Ciphers() throws GeneralSecurityException {
      ctr = Cipher.getInstance("AES/CTR/NoPadding");
      gcm = newCipher();
      new java.security.SecureRandom().nextBytes(throwaway);
    }
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
