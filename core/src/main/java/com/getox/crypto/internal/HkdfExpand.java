package com.getox.crypto.internal;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF-Expand (RFC 5869 section 2.3) alone, with no Extract step.
 *
 * <p>Written by hand because Cobblestone-256 uses Expand without Extract, and no dependency core
 * can rely on offers that: the JDK's KDF API arrived in JDK 24 (phones and Java 11 lack it), Tink's
 * {@code Hkdf} always extracts, and Bouncy Castle's {@code HKDFBytesGenerator} is an optional
 * dependency of core. It is a dozen lines over JCA's HMAC and runs the RFC 5869 and Wycheproof
 * HKDF vectors in the tests.
 */
public final class HkdfExpand {
  private HkdfExpand() {}

  /**
   * @param macAlgorithm a JCA HMAC name, such as {@code HmacSHA512}
   * @param prk the pseudorandom key (for Cobblestone, the input key itself)
   * @param length output bytes, at most 255 times the hash length
   */
  public static byte[] expand(String macAlgorithm, byte[] prk, byte[] info, int length)
      throws GeneralSecurityException {
    Mac mac = Mac.getInstance(macAlgorithm);
    if (prk.length == 0) {
      // SecretKeySpec refuses an empty key; HMAC with an empty key equals HMAC with one zero byte.
      prk = new byte[1];
    }
    mac.init(new SecretKeySpec(prk, macAlgorithm));
    int hashLength = mac.getMacLength();
    if (length < 0 || length > 255 * hashLength) {
      throw new GeneralSecurityException("HKDF-Expand length must be 0 to " + 255 * hashLength);
    }
    byte[] out = new byte[length];
    byte[] t = new byte[0];
    int written = 0;
    for (int counter = 1; written < length; counter++) {
      mac.update(t);
      mac.update(info);
      mac.update((byte) counter);
      byte[] next = mac.doFinal();
      Arrays.fill(t, (byte) 0);
      t = next;
      int n = Math.min(hashLength, length - written);
      System.arraycopy(t, 0, out, written, n);
      written += n;
    }
    Arrays.fill(t, (byte) 0);
    return out;
  }
}
