package com.getox.crypto.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.Provider;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Flush records (format version 2, docs/FORMAT.md section 2.2): what {@code RecordingWriter.flush()}
 * leaves in an unterminated recording so that the partial chunk survives a crash. Only the final
 * seal of a chunk may use Cobblestone's nonces, so a flush seals the bytes added since the previous
 * flush under its own key, derived from the body's input key with another HKDF label, and a nonce
 * from a per-writer sequence number that never repeats:
 *
 * <pre>
 * flush_key(32) || flush_nonce(12) = HKDF-Expand-SHA-512(IK, "ox.getox.com/flush@v2" || 0x00 || salt || AB, 44)
 * record = length(2) || seq(8) || AES-256-GCM(flush_key, flush_nonce XOR I2OSP(seq, 12),
 *                                              aad = I2OSP(chunk, 8) || I2OSP(offset, 2), bytes)
 * </pre>
 *
 * <p>Written by hand for the same reason as {@link Cobblestone}: no library has it. Not
 * thread-safe; one instance per writer or reader.
 */
public final class FlushRecords {
  /** length(2) || seq(8) before the sealed bytes. */
  public static final int RECORD_HEADER_BYTES = 2 + 8;
  /** Bytes a record adds to the plaintext it carries. */
  public static final int OVERHEAD_BYTES = RECORD_HEADER_BYTES + Cobblestone.TAG_BYTES;
  /** A record carries 1 to 16383 bytes: a whole chunk is sealed as a chunk, never as a record. */
  public static final int MAX_RECORD_PLAINTEXT_BYTES = Cobblestone.CHUNK_PLAINTEXT_BYTES - 1;
  /** Sequence numbers stay below 2^63 (they are signed longs here). */
  private static final byte[] LABEL = "ox.getox.com/flush@v2\0".getBytes(StandardCharsets.US_ASCII);

  private final SecretKeySpec key;
  private final byte[] nonceBase;
  private final Cipher cipher;
  private final byte[] nonce = new byte[Cobblestone.NONCE_BYTES];
  private final byte[] aad = new byte[10];

  private FlushRecords(SecretKeySpec key, byte[] nonceBase, Provider provider)
      throws GeneralSecurityException {
    this.key = key;
    this.nonceBase = nonceBase;
    this.cipher = Cobblestone.newCipher(provider);
  }

  /**
   * Derives a body's flush key from its input key, salt and authenticated bytes.
   *
   * @param provider the JCA provider for AES-GCM (the one the body's chunks use), or null
   */
  public static FlushRecords derive(byte[] inputKey, byte[] salt, byte[] context, Provider provider)
      throws GeneralSecurityException {
    if (inputKey.length != Cobblestone.KEY_BYTES || salt.length != Cobblestone.SALT_BYTES) {
      throw new InvalidKeyException("flush keys need a 32-byte input key and a 24-byte salt");
    }
    byte[] info = new byte[LABEL.length + salt.length + context.length];
    System.arraycopy(LABEL, 0, info, 0, LABEL.length);
    System.arraycopy(salt, 0, info, LABEL.length, salt.length);
    System.arraycopy(context, 0, info, LABEL.length + salt.length, context.length);
    byte[] okm =
        HkdfExpand.expand(
            "HmacSHA512", inputKey, info, Cobblestone.KEY_BYTES + Cobblestone.NONCE_BYTES);
    try {
      return new FlushRecords(
          new SecretKeySpec(okm, 0, Cobblestone.KEY_BYTES, "AES"),
          Arrays.copyOfRange(okm, Cobblestone.KEY_BYTES, okm.length),
          provider);
    } finally {
      Arrays.fill(okm, (byte) 0);
    }
  }

  private void init(int mode, long seq, long chunk, int offset) throws GeneralSecurityException {
    if (seq < 0) {
      throw new GeneralSecurityException("flush sequence number exhausted");
    }
    System.arraycopy(nonceBase, 0, nonce, 0, nonce.length);
    for (int i = 0; i < 8; i++) {
      nonce[nonce.length - 1 - i] ^= (byte) (seq >>> (8 * i));
      aad[7 - i] = (byte) (chunk >>> (8 * i));
    }
    aad[8] = (byte) (offset >>> 8);
    aad[9] = (byte) offset;
    cipher.init(mode, key, new GCMParameterSpec(Cobblestone.TAG_BYTES * 8, nonce));
    cipher.updateAAD(aad);
  }

  /**
   * Seals {@code len} bytes that start at {@code offset} within chunk {@code chunk} as record
   * {@code seq}. Returns the whole record, {@code len + }{@value #OVERHEAD_BYTES} bytes.
   */
  public byte[] seal(long seq, long chunk, int offset, byte[] in, int off, int len)
      throws GeneralSecurityException {
    if (len < 1 || len > MAX_RECORD_PLAINTEXT_BYTES || offset + len > MAX_RECORD_PLAINTEXT_BYTES) {
      throw new IllegalArgumentException("a flush record holds 1 to 16383 bytes of one chunk");
    }
    byte[] record = new byte[len + OVERHEAD_BYTES];
    record[0] = (byte) (len >>> 8);
    record[1] = (byte) len;
    for (int i = 0; i < 8; i++) {
      record[2 + i] = (byte) (seq >>> (56 - 8 * i));
    }
    init(Cipher.ENCRYPT_MODE, seq, chunk, offset);
    cipher.doFinal(in, off, len, record, RECORD_HEADER_BYTES);
    return record;
  }

  /** The plaintext length a record announces in its first two bytes. */
  public static int announcedLength(byte[] header, int off) {
    return ((header[off] & 0xff) << 8) | (header[off + 1] & 0xff);
  }

  /** The sequence number in a record's bytes 2 to 9. */
  public static long sequence(byte[] header, int off) {
    long seq = 0;
    for (int i = 0; i < 8; i++) {
      seq = (seq << 8) | (header[off + 2 + i] & 0xff);
    }
    return seq;
  }

  /**
   * Opens a whole record ({@code record[off..off+len)}) for chunk {@code chunk} at {@code offset}
   * into {@code out}; returns the plaintext length, or -1 if it does not authenticate there (a
   * torn record, one from an earlier chunk, or damage). {@code out} is wiped on failure.
   */
  public int open(long chunk, int offset, byte[] record, int off, int len, byte[] out, int outOff)
      throws GeneralSecurityException {
    if (len < OVERHEAD_BYTES + 1) {
      return -1;
    }
    int n = announcedLength(record, off);
    if (n != len - OVERHEAD_BYTES || n > MAX_RECORD_PLAINTEXT_BYTES - offset) {
      return -1;
    }
    long seq = sequence(record, off);
    if (seq < 0) {
      return -1;
    }
    init(Cipher.DECRYPT_MODE, seq, chunk, offset);
    try {
      return cipher.doFinal(record, off + RECORD_HEADER_BYTES, n + Cobblestone.TAG_BYTES, out, outOff);
    } catch (AEADBadTagException e) {
      Arrays.fill(out, outOff, outOff + n, (byte) 0);
      return -1;
    }
  }
}
