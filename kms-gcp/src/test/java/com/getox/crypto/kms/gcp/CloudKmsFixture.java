package com.getox.crypto.kms.gcp;

import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.CryptoKey.CryptoKeyPurpose;
import com.google.cloud.kms.v1.CryptoKeyVersion;
import com.google.cloud.kms.v1.CryptoKeyVersionTemplate;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.cloud.kms.v1.KeyRing;
import com.google.cloud.kms.v1.ProtectionLevel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One in-process Cloud KMS, one real client and one key ring per test class; keys are created
 * through the client's admin calls, as an operator would.
 */
final class CloudKmsFixture implements AutoCloseable {
  static final String LOCATION = "projects/ox-test/locations/europe-west1";
  private static final AtomicInteger RINGS = new AtomicInteger();

  final InProcessCloudKms server;
  final KeyManagementServiceClient client;
  final String keyRing;
  private final AtomicInteger keys = new AtomicInteger();

  CloudKmsFixture() throws Exception {
    server = new InProcessCloudKms();
    client = server.newClient();
    KeyRing ring =
        client.createKeyRing(
            LOCATION, "ring-" + RINGS.incrementAndGet(), KeyRing.getDefaultInstance());
    keyRing = ring.getName();
  }

  /** Creates a software key with one primary version; returns its CryptoKey name. */
  String newKey() {
    return newKey(ProtectionLevel.SOFTWARE);
  }

  String newKey(ProtectionLevel protection) {
    CryptoKey key =
        client.createCryptoKey(
            keyRing,
            "key-" + keys.incrementAndGet(),
            CryptoKey.newBuilder()
                .setPurpose(CryptoKeyPurpose.ENCRYPT_DECRYPT)
                .setVersionTemplate(
                    CryptoKeyVersionTemplate.newBuilder()
                        .setProtectionLevel(protection)
                        .setAlgorithm(
                            CryptoKeyVersion.CryptoKeyVersionAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION))
                .build());
    return key.getName();
  }

  /** CreateCryptoKeyVersion then UpdateCryptoKeyPrimaryVersion; returns the new version id. */
  String rotate(String keyName) {
    CryptoKeyVersion v =
        client.createCryptoKeyVersion(keyName, CryptoKeyVersion.getDefaultInstance());
    String id = v.getName().substring(v.getName().lastIndexOf('/') + 1);
    client.updateCryptoKeyPrimaryVersion(keyName, id);
    return id;
  }

  void destroy(String keyName, String versionId) {
    client.destroyCryptoKeyVersion(keyName + "/cryptoKeyVersions/" + versionId);
  }

  static String uri(String keyName) {
    return GcpKms.SCHEME + "://" + keyName;
  }

  @Override
  public void close() {
    client.close();
    server.close();
  }
}
