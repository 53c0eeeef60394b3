package com.getox.crypto.android;

import com.getox.crypto.AuthenticationException;
import com.getox.crypto.EncryptionContext;
import com.getox.crypto.KmsException;
import com.getox.crypto.OxCryptoException;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.NotMyKeyException;
import com.getox.crypto.kek.WrappedKey;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * A KEK whose AES-256 key lives in the Android Keystore ({@code android-keystore://ALIAS}): the
 * key material never enters the app's memory (and stays in secure hardware where the device has
 * it); wrapping and unwrapping a recording's data key are Keystore operations.
 *
 * <pre>{@code
 * // once, at first launch (android.security.keystore; see the module README for options such as
 * // user authentication):
 * KeyGenerator g = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, "AndroidKeyStore");
 * g.init(new KeyGenParameterSpec.Builder("recordings",
 *         KeyProperties.PURPOSE_ENCRYPT | KeyProperties.PURPOSE_DECRYPT)
 *     .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
 *     .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
 *     .setKeySize(256)
 *     .build());
 * g.generateKey();
 *
 * // then, every time:
 * Kek kek = AndroidKeystoreKek.create("recordings");           // android-keystore://recordings
 * Recordings recordings = Recordings.builder().wrapWith(kek).build();
 * }</pre>
 *
 * <p>Wrapping is AES-GCM with the recording's {@linkplain EncryptionContext#canonicalBytes()
 * canonical encryption context} as associated data, so a wrapped key only unwraps under the same
 * context. The Keystore chooses the 12-byte IV itself (it refuses caller IVs for encryption); the
 * wrapped bytes are {@code IV(12) || ciphertext(32) || tag(16)}, algorithm {@value #ALGORITHM}.
 * Each call is one {@code init}, one {@code updateAAD} and one {@code doFinal}.
 *
 * <p>Errors: a wrapped key of another KEK throws {@link NotMyKeyException}; a missing alias or a
 * key of the wrong kind throws a non-retryable {@link KmsException}; a tampered wrapped key or a
 * different context throws {@link AuthenticationException}. Keystore exceptions thrown by {@code
 * Cipher.init} reach the caller unchanged, so an app can catch {@code
 * android.security.keystore.UserNotAuthenticatedException} (prompt the user, then retry) and
 * {@code KeyPermanentlyInvalidatedException} (the key is gone for good: recordings wrapped only
 * under it cannot be opened, which is why you may also wrap under a second, recoverable KEK).
 *
 * <p>Thread-safe. Holds no key bytes: only the alias and the {@link KeyStore}.
 */
public final class AndroidKeystoreKek implements Kek {
  /** URI scheme of this KEK. */
  public static final String URI_PREFIX = "android-keystore://";
  /** The wrapping algorithm recorded in each {@link WrappedKey}. */
  public static final String ALGORITHM = "android-keystore-aes-gcm";
  /** JCA name of the Android Keystore's {@link KeyStore} type. */
  public static final String KEYSTORE_TYPE = "AndroidKeyStore";

  static final int IV_BYTES = 12;
  static final int TAG_BITS = 128;
  static final int DEK_BYTES = 32;
  static final int WRAPPED_BYTES = IV_BYTES + DEK_BYTES + TAG_BITS / 8;

  private final String alias;
  private final String uri;
  private final KeyStore keyStore;
  private final char[] password;

  private AndroidKeystoreKek(String alias, KeyStore keyStore, char[] password) {
    this.alias = alias;
    this.uri = URI_PREFIX + alias;
    this.keyStore = keyStore;
    this.password = password;
  }

  /**
   * The KEK for the Android Keystore key under {@code alias}. Loads the {@code AndroidKeyStore}
   * {@link KeyStore}; the key itself is looked up on each operation, so a key created (or deleted)
   * later is seen.
   *
   * @param alias the Keystore alias of an existing AES key, 1 to 255 characters; the KEK's URI is
   *     {@code android-keystore://alias}
   * @return the KEK; no key is read until the first {@link #wrap} or {@link #unwrap}
   * @throws NullPointerException if {@code alias} is null
   * @throws IllegalArgumentException if {@code alias} is empty or longer than 255 characters
   * @throws KmsException if there is no Android Keystore here (not an Android device)
   */
  public static AndroidKeystoreKek create(String alias) throws GeneralSecurityException {
    checkAlias(alias);
    KeyStore ks;
    try {
      ks = KeyStore.getInstance(KEYSTORE_TYPE);
      ks.load(null);
    } catch (IOException | GeneralSecurityException e) {
      throw new KmsException("the Android Keystore is not available on this platform", false, e);
    }
    return new AndroidKeystoreKek(alias, ks, null);
  }

  /**
   * The same KEK over any loaded {@link KeyStore} holding an AES {@link SecretKey} under {@code
   * alias}: the seam the JVM tests use (a PKCS12 keystore) to run exactly the code a phone runs.
   */
  static AndroidKeystoreKek create(String alias, KeyStore keyStore, char[] password) {
    checkAlias(alias);
    return new AndroidKeystoreKek(
        alias,
        Objects.requireNonNull(keyStore, "keyStore"),
        password == null ? null : password.clone());
  }

  private static void checkAlias(String alias) {
    Objects.requireNonNull(alias, "alias");
    if (alias.isEmpty() || alias.length() > 255) {
      throw new IllegalArgumentException("Keystore alias must be 1 to 255 characters");
    }
  }

  /**
   * The Keystore alias of the key.
   *
   * @return the alias given to {@link #create(String)}, never null
   */
  public String alias() {
    return alias;
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public WrappedKey wrap(byte[] dek, EncryptionContext context) throws GeneralSecurityException {
    Objects.requireNonNull(context, "context");
    if (dek == null || dek.length != DEK_BYTES) {
      throw new IllegalArgumentException("data key must be " + DEK_BYTES + " bytes");
    }
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    // No IV: the Android Keystore generates it (and rejects a caller-provided one).
    cipher.init(Cipher.ENCRYPT_MODE, key());
    byte[] iv = cipher.getIV();
    if (iv == null || iv.length != IV_BYTES) {
      throw new OxCryptoException(
          "the keystore's AES-GCM chose a " + (iv == null ? 0 : iv.length) + "-byte IV, not 12");
    }
    cipher.updateAAD(context.canonicalBytes());
    byte[] out = new byte[WRAPPED_BYTES];
    System.arraycopy(iv, 0, out, 0, IV_BYTES);
    int n = cipher.doFinal(dek, 0, dek.length, out, IV_BYTES);
    if (n != WRAPPED_BYTES - IV_BYTES) {
      throw new OxCryptoException("unexpected AES-GCM output length " + n);
    }
    return WrappedKey.create(uri, "", ALGORITHM, out);
  }

  @Override
  public byte[] unwrap(WrappedKey wrapped, EncryptionContext context)
      throws GeneralSecurityException {
    Objects.requireNonNull(context, "context");
    if (!wrapped.kekUri().equals(uri)) {
      throw new NotMyKeyException(wrapped, uri);
    }
    if (!wrapped.algorithm().equals(ALGORITHM)) {
      throw new OxCryptoException(
          "wrapped key for " + uri + " uses unknown algorithm " + wrapped.algorithm());
    }
    byte[] bytes = wrapped.wrappedBytes();
    if (bytes.length != WRAPPED_BYTES) {
      throw new AuthenticationException(
          "wrapped key for " + uri + " has " + bytes.length + " bytes, expected " + WRAPPED_BYTES);
    }
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.DECRYPT_MODE, key(), new GCMParameterSpec(TAG_BITS, bytes, 0, IV_BYTES));
    cipher.updateAAD(context.canonicalBytes());
    byte[] dek = new byte[DEK_BYTES];
    int n;
    try {
      n = cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES, dek, 0);
    } catch (AEADBadTagException e) {
      Arrays.fill(dek, (byte) 0);
      throw new AuthenticationException(
          "wrapped key for " + uri + " failed authentication (tampered, or another context)", e);
    }
    if (n != DEK_BYTES) {
      Arrays.fill(dek, (byte) 0);
      throw new OxCryptoException("unexpected unwrapped length " + n);
    }
    return dek;
  }

  private SecretKey key() throws GeneralSecurityException {
    Key key;
    synchronized (keyStore) {
      key = keyStore.getKey(alias, password);
    }
    if (key == null) {
      throw new KmsException("no key under alias '" + alias + "' in the keystore", false);
    }
    if (!(key instanceof SecretKey) || !"AES".equalsIgnoreCase(key.getAlgorithm())) {
      throw new KmsException(
          "key under alias '" + alias + "' is a " + key.getAlgorithm() + " key, not AES", false);
    }
    return (SecretKey) key;
  }

  @Override
  public String toString() {
    return "AndroidKeystoreKek{" + uri + "}";
  }
}
