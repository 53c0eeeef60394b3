package com.getox.crypto.kms.gcp;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.NotMyKeyException;
import com.getox.crypto.kek.WrappedKey;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.kms.v1.DecryptRequest;
import com.google.cloud.kms.v1.DecryptResponse;
import com.google.cloud.kms.v1.EncryptRequest;
import com.google.cloud.kms.v1.EncryptResponse;
import com.google.cloud.kms.v1.ProtectionLevel;
import com.google.protobuf.ByteString;
import com.google.protobuf.Int64Value;
import java.security.GeneralSecurityException;
import java.util.Objects;
import java.util.zip.CRC32C;

/** A {@link Kek} for one Cloud KMS CryptoKey. Made by {@link GcpKms#kek(String)}. */
final class GcpKek implements Kek {
  static final String ALGORITHM = "gcp-kms-symmetric";

  private final GcpKms kms;
  private final String uri;
  private final String keyName;
  private final String versionPrefix;
  private volatile boolean hsm;

  /** The primary version last seen (Encrypt response or GetCryptoKey), and when, or null. */
  private volatile Primary primary;

  private static final class Primary {
    final String version;
    final long seenNanos;

    Primary(String version, long seenNanos) {
      this.version = version;
      this.seenNanos = seenNanos;
    }
  }

  GcpKek(GcpKms kms, String uri, String keyName, boolean hsm) {
    this.kms = kms;
    this.uri = uri;
    this.keyName = keyName;
    this.versionPrefix = keyName + "/cryptoKeyVersions/";
    this.hsm = hsm;
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public WrappedKey wrap(byte[] dek, EncryptionContext context) throws GeneralSecurityException {
    Objects.requireNonNull(dek, "dek");
    byte[] aad = context.canonicalBytes();
    if (dek.length == 0) {
      throw new IllegalArgumentException("the data key is empty");
    }
    checkLimits("Encrypt", dek.length, aad.length);
    EncryptRequest request =
        EncryptRequest.newBuilder()
            .setName(keyName)
            .setPlaintext(ByteString.copyFrom(dek))
            .setPlaintextCrc32C(crc32c(dek))
            .setAdditionalAuthenticatedData(ByteString.copyFrom(aad))
            .setAdditionalAuthenticatedDataCrc32C(crc32c(aad))
            .build();
    EncryptResponse response =
        kms.call(
            "Encrypt",
            keyName,
            () -> GcpKms.await(kms.client().encryptCallable().futureCall(request, kms.callContext())),
            this::checkEncrypt);
    noteProtectionLevel(response.getProtectionLevel());
    String version = response.getName().substring(versionPrefix.length());
    primary = new Primary(version, kms.nanoTime());
    return WrappedKey.create(uri, version, ALGORITHM, response.getCiphertext().toByteArray());
  }

  @Override
  public byte[] unwrap(WrappedKey wrapped, EncryptionContext context)
      throws GeneralSecurityException {
    if (!uri.equals(wrapped.kekUri()) || !ALGORITHM.equals(wrapped.algorithm())) {
      throw new NotMyKeyException(wrapped, uri);
    }
    byte[] ciphertext = wrapped.wrappedBytes();
    byte[] aad = context.canonicalBytes();
    checkLimits("Decrypt", 0, aad.length);
    DecryptRequest request =
        DecryptRequest.newBuilder()
            .setName(keyName)
            .setCiphertext(ByteString.copyFrom(ciphertext))
            .setCiphertextCrc32C(crc32c(ciphertext))
            .setAdditionalAuthenticatedData(ByteString.copyFrom(aad))
            .setAdditionalAuthenticatedDataCrc32C(crc32c(aad))
            .build();
    DecryptResponse response =
        kms.call(
            "Decrypt",
            keyName,
            () -> GcpKms.await(kms.client().decryptCallable().futureCall(request, kms.callContext())),
            GcpKek::checkDecrypt);
    noteProtectionLevel(response.getProtectionLevel());
    notePrimary(wrapped.kekVersion(), response.getUsedPrimary());
    return response.getPlaintext().toByteArray();
  }

  /**
   * True if {@code wrapped} is this KEK's and was made by the key's primary version, so {@link
   * com.getox.crypto.Recordings#rewrap} leaves it alone. The primary version is learned from
   * Encrypt responses and from {@code GetCryptoKey} (which needs {@code cloudkms.cryptoKeys.get},
   * e.g. roles/cloudkms.viewer), and trusted for {@link GcpKms.Builder#primaryVersionCacheMillis}.
   * Decrypt responses ({@code usedPrimary}) confirm or invalidate it. When it cannot be learned the
   * answer is false: re-wrapping then goes through Encrypt, which names the primary version, so at
   * most one re-wrap per cache period is spent learning it.
   */
  @Override
  public boolean isCurrent(WrappedKey wrapped) {
    if (!uri.equals(wrapped.kekUri()) || !ALGORITHM.equals(wrapped.algorithm())) {
      return false;
    }
    Primary p = primary;
    long now = kms.nanoTime();
    if (p == null || now - p.seenNanos >= kms.primaryVersionCacheNanos()) {
      String version = kms.primaryVersion(keyName);
      if (version == null || !version.startsWith(versionPrefix)) {
        return false;
      }
      p = new Primary(version.substring(versionPrefix.length()), now);
      primary = p;
    }
    return p.version.equals(wrapped.kekVersion());
  }

  /** Decrypt says whether the ciphertext's version is the primary one: keep the cache honest. */
  private void notePrimary(String version, boolean usedPrimary) {
    Primary p = primary;
    if (usedPrimary && version.matches("[0-9]{1,20}")) {
      primary = new Primary(version, kms.nanoTime());
    } else if (!usedPrimary && p != null && p.version.equals(version)) {
      primary = null; // rotated since we looked
    }
  }

  private void checkLimits(String op, int plaintextBytes, int aadBytes) throws GcpKmsException {
    String problem = null;
    if (plaintextBytes > GcpKms.MAX_BYTES) {
      problem =
          "the data key is "
              + plaintextBytes
              + " bytes; Cloud KMS takes at most "
              + GcpKms.MAX_BYTES;
    } else if (aadBytes > GcpKms.MAX_BYTES) {
      problem =
          "the encryption context encodes to "
              + aadBytes
              + " bytes of additional authenticated data; Cloud KMS takes at most "
              + GcpKms.MAX_BYTES;
    } else if (hsm && plaintextBytes + aadBytes > GcpKms.MAX_HSM_COMBINED_BYTES) {
      problem =
          "plaintext plus encryption context come to "
              + (plaintextBytes + aadBytes)
              + " bytes; an HSM key takes at most "
              + GcpKms.MAX_HSM_COMBINED_BYTES
              + " together (use a smaller encryption context)";
    }
    if (problem != null) {
      throw new GcpKmsException(
          "Cloud KMS " + op + " on " + keyName + " not attempted: " + problem,
          StatusCode.Code.INVALID_ARGUMENT,
          false,
          null);
    }
  }

  private void noteProtectionLevel(ProtectionLevel level) {
    if (level == ProtectionLevel.HSM) {
      hsm = true;
    }
  }

  /** Null if the Encrypt response passes Google's recommended integrity checks. */
  private String checkEncrypt(EncryptResponse r) {
    if (!r.getVerifiedPlaintextCrc32C()) {
      return "Cloud KMS did not verify the plaintext CRC32C (request damaged in transit?)";
    }
    if (!r.getVerifiedAdditionalAuthenticatedDataCrc32C()) {
      return "Cloud KMS did not verify the additional authenticated data CRC32C";
    }
    if (!r.hasCiphertextCrc32C()
        || r.getCiphertextCrc32C().getValue() != crc32c(r.getCiphertext()).getValue()) {
      return "ciphertextCrc32c is missing or does not match the ciphertext"
          + " (response damaged in transit?)";
    }
    String version =
        r.getName().startsWith(versionPrefix) ? r.getName().substring(versionPrefix.length()) : "";
    if (!version.matches("[0-9]{1,20}")) {
      return "the response names a key version outside this key: " + r.getName();
    }
    return null;
  }

  /** Null if the Decrypt response passes Google's recommended integrity checks. */
  private static String checkDecrypt(DecryptResponse r) {
    if (!r.hasPlaintextCrc32C()) {
      return "the response has no plaintextCrc32c";
    }
    if (r.getPlaintextCrc32C().getValue() != crc32c(r.getPlaintext()).getValue()) {
      return "the plaintext does not match its plaintextCrc32c (response damaged in transit?)";
    }
    return null;
  }

  static Int64Value crc32c(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length);
    return Int64Value.of(crc.getValue());
  }

  static Int64Value crc32c(ByteString bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes.asReadOnlyByteBuffer());
    return Int64Value.of(crc.getValue());
  }

  @Override
  public String toString() {
    return "GcpKek{" + uri + "}";
  }
}
