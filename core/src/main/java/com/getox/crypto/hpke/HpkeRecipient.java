package com.getox.crypto.hpke;

import com.getox.crypto.AuthenticationException;
import com.getox.crypto.EncryptionContext;
import com.getox.crypto.UnsupportedFormatException;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.NotMyKeyException;
import com.getox.crypto.kek.WrappedKey;
import com.google.crypto.tink.HybridDecrypt;
import com.google.crypto.tink.HybridEncrypt;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.hybrid.HpkeParameters;
import com.google.crypto.tink.hybrid.HpkePublicKey;
import com.google.crypto.tink.hybrid.HybridConfig;
import com.google.crypto.tink.subtle.Hex;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * A person or device that recordings can be shared with by public key: HPKE (RFC 9180) with
 * DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and AES-256-GCM, through Tink's hybrid encryption. Anyone
 * with the public key can wrap a data key for the recipient; only the private key unwraps it.
 *
 * <pre>{@code
 * HpkeRecipient alice = HpkeRecipient.generate();                 // on Alice's device
 * String pub = alice.publicKeysetJson();                          // send to Bob
 * HpkeRecipient toAlice = HpkeRecipient.fromPublicKeyset(pub);    // Bob
 * RecordingFiles.share(recordings, file, toAlice, ReadOptions.defaults());
 * Recordings mine = Recordings.builder().unwrapWith(alice).build(); // Alice opens it
 * }</pre>
 *
 * <p>The URI is {@code hpke://x25519/} followed by the first 16 bytes of SHA-256 of the public
 * key, in hex: the recipient's id in headers. The encryption context's canonical bytes are HPKE's
 * context info, so unwrapping under another context fails.
 */
public final class HpkeRecipient implements Kek {
  /** The URI scheme of HPKE recipients: {@code hpke://x25519/ID}. */
  public static final String SCHEME = "hpke";

  /** The wrapping algorithm recorded in each {@link WrappedKey} this KEK makes. */
  public static final String ALGORITHM = "hpke-x25519-hkdf-sha256-aes256gcm";

  private static final HpkeParameters PARAMETERS;

  static {
    try {
      HybridConfig.register();
      PARAMETERS =
          HpkeParameters.builder()
              .setKemId(HpkeParameters.KemId.DHKEM_X25519_HKDF_SHA256)
              .setKdfId(HpkeParameters.KdfId.HKDF_SHA256)
              .setAeadId(HpkeParameters.AeadId.AES_256_GCM)
              .setVariant(HpkeParameters.Variant.NO_PREFIX)
              .build();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final KeysetHandle publicHandle;
  private final KeysetHandle privateHandle; // null for a public-key-only recipient
  private final HybridEncrypt encrypter;
  private final HybridDecrypt decrypter;
  private final String uri;

  private HpkeRecipient(KeysetHandle publicHandle, KeysetHandle privateHandle)
      throws GeneralSecurityException {
    if (publicHandle.size() != 1
        || !(publicHandle.getPrimary().getKey() instanceof HpkePublicKey)
        || !PARAMETERS.equals(publicHandle.getPrimary().getKey().getParameters())) {
      throw new UnsupportedFormatException(
          "a recipient key must be one HPKE X25519/HKDF-SHA256/AES-256-GCM key without prefix");
    }
    this.publicHandle = publicHandle;
    this.privateHandle = privateHandle;
    this.encrypter = publicHandle.getPrimitive(RegistryConfiguration.get(), HybridEncrypt.class);
    this.decrypter =
        privateHandle == null
            ? null
            : privateHandle.getPrimitive(RegistryConfiguration.get(), HybridDecrypt.class);
    byte[] pub =
        ((HpkePublicKey) publicHandle.getPrimary().getKey()).getPublicKeyBytes().toByteArray();
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(pub);
    this.uri = SCHEME + "://x25519/" + Hex.encode(Arrays.copyOf(digest, 16));
  }

  /**
   * A new key pair, from the platform's secure random source.
   *
   * @return a recipient holding a new private key and its public key
   * @throws GeneralSecurityException if Tink cannot generate an X25519 key here
   */
  public static HpkeRecipient generate() throws GeneralSecurityException {
    KeysetHandle priv = KeysetHandle.generateNew(PARAMETERS);
    return new HpkeRecipient(priv.getPublicKeysetHandle(), priv);
  }

  /**
   * A recipient known by its public key only: can wrap (share to), cannot unwrap.
   *
   * @param json the public keyset as {@link #publicKeysetJson()} wrote it
   * @return a recipient without a private key; its {@link #unwrap} raises {@link
   *     NotMyKeyException}
   * @throws GeneralSecurityException if {@code json} is not a Tink public keyset ({@link
   *     UnsupportedFormatException} if it is not exactly one HPKE X25519/HKDF-SHA256/AES-256-GCM
   *     key without prefix)
   */
  public static HpkeRecipient fromPublicKeyset(String json) throws GeneralSecurityException {
    return new HpkeRecipient(TinkJsonProtoKeysetFormat.parseKeysetWithoutSecret(json), null);
  }

  /**
   * A recipient with its private key, from {@link #insecurePrivateKeysetJson()}. Keep that file
   * as safe as a plaintext keyset.
   *
   * @param json the private keyset as {@link #insecurePrivateKeysetJson()} wrote it
   * @return a recipient that can wrap and unwrap
   * @throws GeneralSecurityException if {@code json} is not a Tink keyset with a private key
   *     ({@link UnsupportedFormatException} if it is not exactly one HPKE
   *     X25519/HKDF-SHA256/AES-256-GCM key without prefix)
   */
  public static HpkeRecipient fromInsecurePrivateKeyset(String json)
      throws GeneralSecurityException {
    KeysetHandle priv = TinkJsonProtoKeysetFormat.parseKeyset(json, InsecureSecretKeyAccess.get());
    return new HpkeRecipient(priv.getPublicKeysetHandle(), priv);
  }

  /**
   * The public key, as Tink JSON: safe to share.
   *
   * @return the public keyset, for {@link #fromPublicKeyset(String)}
   * @throws GeneralSecurityException if Tink cannot serialize the keyset
   */
  public String publicKeysetJson() throws GeneralSecurityException {
    return TinkJsonProtoKeysetFormat.serializeKeysetWithoutSecret(publicHandle);
  }

  /**
   * The private key in the clear, as Tink JSON. INSECURE: whoever has it opens what was shared.
   *
   * @return the private keyset, for {@link #fromInsecurePrivateKeyset(String)}
   * @throws GeneralSecurityException if this recipient has no private key (see {@link
   *     #hasPrivateKey()}), or Tink cannot serialize the keyset
   */
  public String insecurePrivateKeysetJson() throws GeneralSecurityException {
    if (privateHandle == null) {
      throw new GeneralSecurityException("this recipient has no private key");
    }
    return TinkJsonProtoKeysetFormat.serializeKeyset(privateHandle, InsecureSecretKeyAccess.get());
  }

  /**
   * Whether this recipient can unwrap.
   *
   * @return true if it holds the private key, false if it was made from the public key only
   */
  public boolean hasPrivateKey() {
    return privateHandle != null;
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public WrappedKey wrap(byte[] dek, EncryptionContext context) throws GeneralSecurityException {
    return WrappedKey.create(uri, "", ALGORITHM, encrypter.encrypt(dek, context.canonicalBytes()));
  }

  @Override
  public byte[] unwrap(WrappedKey wrapped, EncryptionContext context)
      throws GeneralSecurityException {
    if (!wrapped.kekUri().equals(uri)) {
      throw new NotMyKeyException(wrapped, uri);
    }
    if (decrypter == null) {
      throw new NotMyKeyException("recipient " + uri + " is known by its public key only");
    }
    if (!ALGORITHM.equals(wrapped.algorithm())) {
      throw new UnsupportedFormatException("wrapping algorithm " + wrapped.algorithm() + " is not " + ALGORITHM);
    }
    try {
      return decrypter.decrypt(wrapped.wrappedBytes(), context.canonicalBytes());
    } catch (GeneralSecurityException e) {
      throw new AuthenticationException(
          "wrapped data key for " + uri + " failed authentication (tampered, or another context)");
    }
  }

  @Override
  public String toString() {
    return "HpkeRecipient{" + uri + (privateHandle != null ? ", with private key" : "") + "}";
  }
}
