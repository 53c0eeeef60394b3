package com.getox.crypto.internal;

import com.getox.crypto.AuthenticationException;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.Provider;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The body of a recording: C2SP chunked encryption (c2sp.org/chunked-encryption) instantiated as
 * Cobblestone-256. AES-256-GCM per 16 KiB chunk, keys derived with HKDF-Expand-SHA-512.
 *
 * <p>Written by hand (over JCA AES-GCM) because no library implements this construction; it runs
 * the Wycheproof c2sp_chunked_encryption vectors in the tests.
 *
 * <p>One instance holds one message's derived AEAD key and base nonce and a {@link Cipher}. Not
 * thread-safe: give each thread its own (see {@link #copy()}).
 */
public final class Cobblestone {
  public static final int KEY_BYTES = 32;
  public static final int SALT_BYTES = 24;
  public static final int COMMITMENT_BYTES = 32;
  public static final int NONCE_BYTES = 12;
  public static final int TAG_BYTES = 16;
  /** salt || commitment. */
  public static final int PREFIX_BYTES = SALT_BYTES + COMMITMENT_BYTES;

  public static final int CHUNK_PLAINTEXT_BYTES = 16384;
  public static final int CHUNK_CIPHERTEXT_BYTES = CHUNK_PLAINTEXT_BYTES + TAG_BYTES;
  /** The spec's limit: chunk indices are below 2^38. */
  public static final long MAX_CHUNKS = 1L << 38;

  private static final byte[] ZEROS = new byte[CHUNK_CIPHERTEXT_BYTES];
  private static final boolean ON_ANDROID = "Dalvik".equals(System.getProperty("java.vm.name"));

  private static final byte[] LABEL =
      "c2sp.org/chunked-encryption@v1+AEAD_AES_256_GCM\0".getBytes(StandardCharsets.US_ASCII);

  private final SecretKeySpec key;
  private final byte[] baseNonce;
  /** The JCA provider for AES-GCM, or null for JCA's choice. */
  private final Provider provider;
  private final byte[] nonce = new byte[NONCE_BYTES];
  private final Cipher cipher;
  /**
   * On a HotSpot JVM, Conscrypt's JNI code gets a copy of every Java array it is given: the whole
   * input array in, and the output array in and back out, on every call, even for a 16 KiB slice
   * of a 1 MiB array (measured 10-25x slower there). Since 2.5 it reads and writes direct buffers
   * in place, so with it chunks go through {@link #directIn} and {@link #directOut} (see {@link
   * #useDirectBuffers}): two memory copies per chunk instead of three JNI copies, or four where a
   * large array's slice was first copied out, whatever the caller's array. Against the copies, in
   * one JVM (benchmarks' {@code AB}): 3-13% faster at 640 B to 1 MiB pieces, 2% slower sealing
   * whole 16 KiB chunks from the caller's array (the JNI calls of the buffer path cost about what
   * one copy does).
   *
   * <p>Not on Android (ART, whose {@code java.vm.name} is Dalvik), with any Conscrypt: ART's JNI
   * pins arrays rather than copying them, and the platform provider's older versions (AndroidOpenSSL,
   * API 24-29) have no direct-buffer path, so the JDK's {@code CipherSpi} would split each chunk
   * into {@code update} calls, the GCM pitfall android-compat's {@code OneShotChunkTest} keeps out.
   * SunJCE and ACCP work on arrays in place.
   */
  private final boolean viaDirectBuffers;
  /** Plaintext (sealing) or ciphertext (opening); allocated at the first chunk. */
  private ByteBuffer directIn;
  /** Ciphertext (sealing) or plaintext (opening). */
  private ByteBuffer directOut;

  private Cobblestone(SecretKeySpec key, byte[] baseNonce, Provider provider)
      throws GeneralSecurityException {
    this.key = key;
    this.baseNonce = baseNonce;
    this.provider = provider;
    this.cipher = newCipher(provider);
    String name = cipher.getProvider().getName();
    this.viaDirectBuffers = name.equals("Conscrypt") && !ON_ANDROID;
  }

  /** AES-GCM from {@code provider}, or from JCA's choice when it is null. */
  public static Cipher newCipher(Provider provider) throws GeneralSecurityException {
    return provider == null
        ? Cipher.getInstance("AES/GCM/NoPadding")
        : Cipher.getInstance("AES/GCM/NoPadding", provider);
  }

  /**
   * Derives a message's keys from the input key, salt and context, and checks {@code commitment}
   * in constant time before returning: a wrong key or context never reaches a chunk.
   *
   * @param provider the JCA provider for AES-GCM, or null for JCA's choice
   * @throws AuthenticationException if the commitment does not match
   */
  public static Cobblestone open(
      byte[] inputKey, byte[] salt, byte[] context, byte[] commitment, Provider provider)
      throws GeneralSecurityException {
    byte[] okm = derive(inputKey, salt, context);
    try {
      byte[] expected = Arrays.copyOfRange(okm, KEY_BYTES + NONCE_BYTES, okm.length);
      if (commitment.length != COMMITMENT_BYTES || !MessageDigest.isEqual(expected, commitment)) {
        throw new AuthenticationException(
            "key commitment mismatch: wrong data key, wrong context, or a body from another"
                + " recording");
      }
      return fromOkm(okm, provider);
    } finally {
      Arrays.fill(okm, (byte) 0);
    }
  }

  /**
   * Derives a new message's keys. Writes {@code salt || commitment} ({@link #PREFIX_BYTES}) into
   * {@code prefixOut}.
   */
  public static Cobblestone seal(
      byte[] inputKey, byte[] salt, byte[] context, byte[] prefixOut, Provider provider)
      throws GeneralSecurityException {
    byte[] okm = derive(inputKey, salt, context);
    try {
      System.arraycopy(salt, 0, prefixOut, 0, SALT_BYTES);
      System.arraycopy(okm, KEY_BYTES + NONCE_BYTES, prefixOut, SALT_BYTES, COMMITMENT_BYTES);
      return fromOkm(okm, provider);
    } finally {
      Arrays.fill(okm, (byte) 0);
    }
  }

  /** Raw mode: a message's AEAD key and base nonce given directly (for conformance tests). */
  public static Cobblestone raw(byte[] aeadKey, byte[] baseNonce) throws GeneralSecurityException {
    if (aeadKey.length != KEY_BYTES || baseNonce.length != NONCE_BYTES) {
      throw new InvalidKeyException("raw mode needs a 32-byte key and a 12-byte base nonce");
    }
    return new Cobblestone(new SecretKeySpec(aeadKey, "AES"), baseNonce.clone(), null);
  }

  /** An independent instance over the same key, for another thread. */
  public Cobblestone copy() throws GeneralSecurityException {
    return new Cobblestone(key, baseNonce, provider);
  }

  private static byte[] derive(byte[] inputKey, byte[] salt, byte[] context)
      throws GeneralSecurityException {
    if (inputKey.length != KEY_BYTES) {
      throw new InvalidKeyException("input key must be 32 bytes, got " + inputKey.length);
    }
    if (salt.length != SALT_BYTES) {
      throw new InvalidKeyException("salt must be 24 bytes, got " + salt.length);
    }
    byte[] info = new byte[LABEL.length + SALT_BYTES + context.length];
    System.arraycopy(LABEL, 0, info, 0, LABEL.length);
    System.arraycopy(salt, 0, info, LABEL.length, SALT_BYTES);
    System.arraycopy(context, 0, info, LABEL.length + SALT_BYTES, context.length);
    return HkdfExpand.expand(
        "HmacSHA512", inputKey, info, KEY_BYTES + NONCE_BYTES + COMMITMENT_BYTES);
  }

  private static Cobblestone fromOkm(byte[] okm, Provider provider)
      throws GeneralSecurityException {
    // SecretKeySpec copies the key; the JDK offers no way to wipe that copy (destroy() is not
    // implemented), so it lives until collected. The okm array we own is wiped by the caller.
    SecretKeySpec key = new SecretKeySpec(okm, 0, KEY_BYTES, "AES");
    return new Cobblestone(
        key, Arrays.copyOfRange(okm, KEY_BYTES, KEY_BYTES + NONCE_BYTES), provider);
  }

  private GCMParameterSpec nonceFor(long index) throws GeneralSecurityException {
    if (index < 0 || index >= MAX_CHUNKS) {
      throw new GeneralSecurityException("chunk index " + index + " is past the 2^38 limit");
    }
    System.arraycopy(baseNonce, 0, nonce, 0, NONCE_BYTES);
    for (int i = 0; i < 8; i++) {
      nonce[NONCE_BYTES - 1 - i] ^= (byte) (index >>> (8 * i));
    }
    return new GCMParameterSpec(TAG_BYTES * 8, nonce);
  }

  /**
   * Seals chunk {@code index} with one {@code init} and one {@code doFinal} (Android's GCM breaks
   * on some versions when {@code update} and {@code doFinal} are split). {@code len} is the chunk's
   * plaintext length: exactly {@link #CHUNK_PLAINTEXT_BYTES} for every chunk but the final one,
   * which is shorter. Returns the ciphertext length, {@code len + 16}.
   */
  public int sealChunk(long index, byte[] in, int off, int len, byte[] out, int outOff)
      throws GeneralSecurityException {
    cipher.init(Cipher.ENCRYPT_MODE, key, nonceFor(index));
    return useDirectBuffers(in, len, out)
        ? doFinalDirect(in, off, len, out, outOff)
        : cipher.doFinal(in, off, len, out, outOff);
  }

  /**
   * Whether this chunk goes through the direct buffers: on Conscrypt, unless it is a short (final)
   * chunk between chunk-sized arrays, as in a message under 16 KiB. There Conscrypt's copies cost
   * no more than the buffers' would, and allocating them (zeroed, and freed only after a garbage
   * collection) would cost more than the message; so a server opening many short messages never
   * allocates them.
   */
  private boolean useDirectBuffers(byte[] in, int len, byte[] out) {
    return viaDirectBuffers
        && (directIn != null
            || len >= CHUNK_PLAINTEXT_BYTES
            || in.length > CHUNK_CIPHERTEXT_BYTES
            || out.length > CHUNK_CIPHERTEXT_BYTES);
  }

  /**
   * {@code doFinal} through {@link #directIn} and {@link #directOut} (see {@link
   * #viaDirectBuffers}). The plaintext staged there stays until the next chunk overwrites it or
   * {@link #wipe()}: wiping it per chunk would cost as much as the copy it saves.
   */
  private int doFinalDirect(byte[] in, int off, int len, byte[] out, int outOff)
      throws GeneralSecurityException {
    if (directIn == null) {
      directIn = ByteBuffer.allocateDirect(CHUNK_CIPHERTEXT_BYTES);
      directOut = ByteBuffer.allocateDirect(CHUNK_CIPHERTEXT_BYTES);
    }
    // Buffer casts: Android 24 lacks ByteBuffer's covariant clear() and flip().
    ((Buffer) directIn).clear();
    directIn.put(in, off, len);
    ((Buffer) directIn).flip();
    ((Buffer) directOut).clear();
    int n = cipher.doFinal(directIn, directOut);
    ((Buffer) directOut).flip();
    directOut.get(out, outOff, n);
    return n;
  }

  /**
   * Zeroes the plaintext this instance staged off the heap (Conscrypt only; a no-op otherwise).
   * Owners call it where they wipe their own buffers, on close; the instance stays usable.
   */
  public void wipe() {
    if (directIn != null) {
      ((Buffer) directIn).clear();
      directIn.put(ZEROS);
      ((Buffer) directOut).clear();
      directOut.put(ZEROS);
    }
  }

  /**
   * Opens chunk {@code index}; {@code len} is its ciphertext length, 16 to 16400. Returns the
   * plaintext length. Callers release {@code out} only when this returns: on failure its contents
   * are undefined.
   *
   * @throws AuthenticationException if the chunk does not authenticate at this index
   */
  public int openChunk(long index, byte[] in, int off, int len, byte[] out, int outOff)
      throws GeneralSecurityException {
    if (len < TAG_BYTES || len > CHUNK_CIPHERTEXT_BYTES) {
      throw new AuthenticationException("chunk " + index + " has an invalid length " + len);
    }
    cipher.init(Cipher.DECRYPT_MODE, key, nonceFor(index));
    try {
      return useDirectBuffers(in, len, out)
          ? doFinalDirect(in, off, len, out, outOff)
          : cipher.doFinal(in, off, len, out, outOff);
    } catch (AEADBadTagException e) {
      throw new AuthenticationException(
          "chunk " + index + " failed authentication (corrupt, reordered or spliced)", e);
    }
  }

  /** Plaintext length of a body of {@code bodyBytes} (prefix included), or -1 if no layout fits. */
  public static long plaintextLength(long bodyBytes) {
    long chunks = bodyBytes - PREFIX_BYTES;
    if (chunks < TAG_BYTES) {
      return -1;
    }
    long full = chunks / CHUNK_CIPHERTEXT_BYTES;
    long rem = chunks % CHUNK_CIPHERTEXT_BYTES;
    if (rem < TAG_BYTES) {
      return -1;
    }
    return full * CHUNK_PLAINTEXT_BYTES + rem - TAG_BYTES;
  }

  /** Body length (prefix included) for {@code plaintextBytes} of plaintext. */
  public static long bodyLength(long plaintextBytes) {
    long full = plaintextBytes / CHUNK_PLAINTEXT_BYTES;
    return PREFIX_BYTES + full * CHUNK_CIPHERTEXT_BYTES + (plaintextBytes - full * CHUNK_PLAINTEXT_BYTES) + TAG_BYTES;
  }
}
