package com.getox.crypto.local;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeyStatus;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadWrapper;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmKeyManager;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.subtle.AesGcmJce;
import com.google.crypto.tink.util.SecretBytes;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * Tink, for what changes or writes a keyset: new versions and the file's keyset JSON. A holder
 * class, so a process that only opens a keyset and wraps never loads Tink's registry, gson or
 * protobuf (see {@link AesGcmKeyset} for why). Every keyset made here is read back through
 * {@link AesGcmKeyset#fromProto}, the same gate as a keyset read from a file.
 */
final class TinkKeysets {
  static {
    try {
      // Only AES-GCM, not all of AeadConfig: it roughly halves Tink's share of a cold start.
      AesGcmKeyManager.register(true);
      AeadWrapper.register();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private TinkKeysets() {}

  /** A keyset of one new AES-256-GCM version. */
  static AesGcmKeyset create() throws GeneralSecurityException {
    return fromHandle(KeysetHandle.newBuilder().addEntry(newPrimary()).build());
  }

  /** {@code keyset} plus a new version, made the primary. */
  static AesGcmKeyset rotate(AesGcmKeyset keyset) throws GeneralSecurityException {
    return fromHandle(KeysetHandle.newBuilder(toHandle(keyset)).addEntry(newPrimary()).build());
  }

  /** Tink's JSON keyset, in the clear. */
  static String json(AesGcmKeyset keyset) throws GeneralSecurityException {
    return TinkJsonProtoKeysetFormat.serializeKeyset(toHandle(keyset), InsecureSecretKeyAccess.get());
  }

  /**
   * The {@code encryptedKeyset} of Tink's encrypted keyset: {@code iv(12) || ciphertext ||
   * tag(16)}, AES-256-GCM (Tink's AesGcmJce, no prefix) under {@code key} with {@code ad}, of the
   * binary Keyset proto; what Tink's serializeEncryptedKeyset puts in its JSON, without the
   * unauthenticated keysetInfo beside it.
   */
  static byte[] encryptedKeyset(AesGcmKeyset keyset, byte[] key, byte[] ad)
      throws GeneralSecurityException {
    byte[] proto =
        TinkProtoKeysetFormat.serializeKeyset(toHandle(keyset), InsecureSecretKeyAccess.get());
    try {
      return new AesGcmJce(key).encrypt(proto, ad);
    } finally {
      Arrays.fill(proto, (byte) 0);
    }
  }

  private static KeysetHandle.Builder.Entry newPrimary() throws GeneralSecurityException {
    return KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
        .withRandomId()
        .makePrimary();
  }

  private static AesGcmKeyset fromHandle(KeysetHandle handle) throws GeneralSecurityException {
    byte[] proto = TinkProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get());
    try {
      return AesGcmKeyset.fromProto(proto);
    } finally {
      Arrays.fill(proto, (byte) 0);
    }
  }

  static KeysetHandle toHandle(AesGcmKeyset keyset) throws GeneralSecurityException {
    KeysetHandle.Builder b = KeysetHandle.newBuilder();
    for (AesGcmKeyset.Version v : keyset.versions()) {
      byte[] bytes = v.key.getEncoded();
      try {
        AesGcmKey key =
            AesGcmKey.builder()
                .setParameters(PredefinedAeadParameters.AES256_GCM)
                .setKeyBytes(SecretBytes.copyFrom(bytes, InsecureSecretKeyAccess.get()))
                .setIdRequirement((int) v.id)
                .build();
        KeysetHandle.Builder.Entry e =
            KeysetHandle.importKey(key)
                .withFixedId((int) v.id)
                .setStatus(v.enabled ? KeyStatus.ENABLED : KeyStatus.DISABLED);
        if (v == keyset.primary()) {
          e.makePrimary();
        }
        b.addEntry(e);
      } finally {
        Arrays.fill(bytes, (byte) 0);
      }
    }
    return b.build();
  }
}
