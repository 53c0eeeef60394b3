package com.getox.crypto.kms.aws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.KmsException;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.KekRegistry;
import com.getox.crypto.kek.NotMyKeyException;
import com.getox.crypto.kek.WrappedKey;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.security.GeneralSecurityException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;

/** KEK-level scenarios, end to end through the real KmsClient and the local KMS server. */
class AwsKmsTest extends KmsTestSupport {
  static final EncryptionContext CTX =
      EncryptionContext.builder().put("recording-id", "rec-42").put("user-id", "u-7").build();

  @Test
  void wrapsWithEncryptAndUnwrapsWithDecrypt() throws Exception {
    String arn = createKey(kms);
    Kek kek = AwsKms.kek(uri(arn), kms);
    byte[] dek = randomDek();

    WrappedKey w = kek.wrap(dek, CTX);

    assertEquals(uri(arn), w.kekUri());
    assertEquals(arn, w.kekVersion());
    assertEquals("aws-kms-symmetric-default", w.algorithm());
    assertTrue(w.wrappedLength() > dek.length + 16);
    assertFalse(indexOf(w.wrappedBytes(), dek) >= 0, "blob must not hold the DEK");
    assertArrayEquals(dek, kek.unwrap(w, CTX));
    assertEquals(1, server.requests("Encrypt"));
    assertEquals(1, server.requests("Decrypt"));
  }

  @Test
  void emptyContextRoundTrips() throws Exception {
    Kek kek = AwsKms.kek(uri(createKey(kms)), kms);
    byte[] dek = randomDek();
    assertArrayEquals(dek, kek.unwrap(kek.wrap(dek, EncryptionContext.empty()), EncryptionContext.empty()));
  }

  @Test
  void contextIsEnforcedByKms() throws Exception {
    Kek kek = AwsKms.kek(uri(createKey(kms)), kms);
    WrappedKey w = kek.wrap(randomDek(), CTX);
    EncryptionContext other = EncryptionContext.builder().put("recording-id", "rec-43").put("user-id", "u-7").build();

    assertKmsError("InvalidCiphertextException", false, () -> kek.unwrap(w, other));
    assertKmsError("InvalidCiphertextException", false, () -> kek.unwrap(w, EncryptionContext.empty()));
  }

  @Test
  void tamperedBlobIsRejected() throws Exception {
    Kek kek = AwsKms.kek(uri(createKey(kms)), kms);
    WrappedKey w = kek.wrap(randomDek(), CTX);
    byte[] blob = w.wrappedBytes();
    blob[blob.length - 1] ^= 1;
    WrappedKey tampered = WrappedKey.create(w.kekUri(), w.kekVersion(), w.algorithm(), blob);

    assertKmsError("InvalidCiphertextException", false, () -> kek.unwrap(tampered, CTX));
  }

  @Test
  void otherKeysAreNotMineWithoutCallingKms() throws Exception {
    String a = createKey(kms);
    String b = createKey(kms);
    Kek kekA = AwsKms.kek(uri(a), kms);
    WrappedKey underB = AwsKms.kek(uri(b), kms).wrap(randomDek(), CTX);
    WrappedKey local = WrappedKey.create("local://team", "1", "tink-aes256-gcm", new byte[48]);
    WrappedKey otherRegion =
        WrappedKey.create(uri(a.replace(REGION, OTHER_REGION)), a, "aws-kms-symmetric-default", new byte[64]);

    int before = server.requests("Decrypt");
    assertThrows(NotMyKeyException.class, () -> kekA.unwrap(underB, CTX));
    assertThrows(NotMyKeyException.class, () -> kekA.unwrap(local, CTX));
    assertThrows(NotMyKeyException.class, () -> kekA.unwrap(otherRegion, CTX));
    assertEquals(before, server.requests("Decrypt"));
  }

  @Test
  void blobOfAnotherKeyUnderOurUriIsIncorrectKey() throws Exception {
    String a = createKey(kms);
    String b = createKey(kms);
    WrappedKey underB = AwsKms.kek(uri(b), kms).wrap(randomDek(), CTX);
    // A header that claims key A but carries key B's blob: Decrypt with KeyId=A must refuse it.
    WrappedKey forged = WrappedKey.create(uri(a), a, underB.algorithm(), underB.wrappedBytes());

    assertKmsError("IncorrectKeyException", false, () -> AwsKms.kek(uri(a), kms).unwrap(forged, CTX));
  }

  @Test
  void answerNamingAnotherKeyIsRejected() throws Exception {
    Kek kek = AwsKms.kek(uri(createKey(kms)), kms);
    WrappedKey w = kek.wrap(randomDek(), CTX);

    server.inject(LocalKmsServer.Fault.WRONG_KEY_ID, 1);
    KmsException e = assertThrows(KmsException.class, () -> kek.unwrap(w, CTX));
    assertFalse(e.isRetryable());
    assertTrue(e.getMessage().contains("answered for key"), e.getMessage());

    server.inject(LocalKmsServer.Fault.WRONG_KEY_ID, 1);
    assertThrows(KmsException.class, () -> kek.wrap(randomDek(), CTX));
  }

  @Test
  void rotationKeepsOldBlobsReadableAndReEncryptMovesThemToNewMaterial() throws Exception {
    String arn = createKey(kms);
    kms.enableKeyRotation(b -> b.keyId(arn).rotationPeriodInDays(90));
    assertTrue(kms.getKeyRotationStatus(b -> b.keyId(arn)).keyRotationEnabled());
    Kek kek = AwsKms.kek(uri(arn), kms);
    byte[] dek = randomDek();
    WrappedKey old = kek.wrap(dek, CTX);

    kms.rotateKeyOnDemand(b -> b.keyId(arn));
    WrappedKey fresh = kek.wrap(dek, CTX);
    WrappedKey rewrapped = kek.rewrap(old, CTX);

    assertEquals(0, LocalKmsServer.materialVersion(old.wrappedBytes()));
    assertEquals(1, LocalKmsServer.materialVersion(fresh.wrappedBytes()));
    assertEquals(1, LocalKmsServer.materialVersion(rewrapped.wrappedBytes()));
    assertEquals(old.kekUri(), rewrapped.kekUri());
    assertArrayEquals(dek, kek.unwrap(old, CTX));
    assertArrayEquals(dek, kek.unwrap(fresh, CTX));
    assertArrayEquals(dek, kek.unwrap(rewrapped, CTX));
    assertEquals(1, server.requests("ReEncrypt"));
  }

  @Test
  void disabledKeyFailsFinallyUntilEnabled() throws Exception {
    String arn = createKey(kms);
    Kek kek = AwsKms.kek(uri(arn), kms);
    WrappedKey w = kek.wrap(randomDek(), CTX);

    kms.disableKey(b -> b.keyId(arn));
    assertKmsError("DisabledException", false, () -> kek.unwrap(w, CTX));
    assertKmsError("DisabledException", false, () -> kek.wrap(randomDek(), CTX));

    kms.enableKey(b -> b.keyId(arn));
    kek.unwrap(w, CTX);
  }

  @Test
  void keyPendingDeletionFailsFinally() throws Exception {
    String arn = createKey(kms);
    Kek kek = AwsKms.kek(uri(arn), kms);
    WrappedKey w = kek.wrap(randomDek(), CTX);

    kms.scheduleKeyDeletion(b -> b.keyId(arn).pendingWindowInDays(7));
    assertKmsError("KMSInvalidStateException", false, () -> kek.unwrap(w, CTX));
    assertKmsError("KMSInvalidStateException", false, () -> kek.wrap(randomDek(), CTX));
  }

  @Test
  void missingKeyIsNotFound() {
    String missing = "arn:aws:kms:" + REGION + ":" + ACCOUNT + ":key/00000000-1111-2222-3333-444444444444";
    assertKmsError("NotFoundException", false, () -> AwsKms.kek(uri(missing), kms).wrap(randomDek(), CTX));
  }

  @Test
  void otherAccountNeedsAGrant() throws Exception {
    String arn = createKey(kms);
    KmsClient stranger = client(REGION, server.newAccount(OTHER_ACCOUNT));
    Kek theirs = AwsKms.kek(uri(arn), stranger);
    WrappedKey w = AwsKms.kek(uri(arn), kms).wrap(randomDek(), CTX);

    assertKmsError("AccessDeniedException", false, () -> theirs.unwrap(w, CTX));

    server.grant(arn, OTHER_ACCOUNT);
    theirs.unwrap(w, CTX);
  }

  @Test
  void aliasWrapsUnderItsKeyAndOldBlobsSurviveAliasMoves() throws Exception {
    String first = createKey(kms);
    String second = createKey(kms);
    kms.createAlias(b -> b.aliasName("alias/recordings").targetKeyId(first));
    String aliasArn = "arn:aws:kms:" + REGION + ":" + ACCOUNT + ":alias/recordings";
    Kek kek = AwsKms.kek(uri(aliasArn), kms);
    byte[] dek = randomDek();

    WrappedKey w1 = kek.wrap(dek, CTX);
    assertEquals(uri(aliasArn), w1.kekUri());
    assertEquals(first, w1.kekVersion());

    kms.updateAlias(b -> b.aliasName("alias/recordings").targetKeyId(second));
    WrappedKey w2 = kek.wrap(dek, CTX);
    assertEquals(second, w2.kekVersion());
    assertArrayEquals(dek, kek.unwrap(w1, CTX));
    assertArrayEquals(dek, kek.unwrap(w2, CTX));

    // The recorded key must be in the alias's account and Region: a forged one fails before KMS.
    String foreign = first.replace(ACCOUNT, OTHER_ACCOUNT);
    WrappedKey forged = WrappedKey.create(w1.kekUri(), foreign, w1.algorithm(), w1.wrappedBytes());
    int before = server.requests("Decrypt");
    GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> kek.unwrap(forged, CTX));
    assertFalse(e instanceof NotMyKeyException);
    assertEquals(before, server.requests("Decrypt"));
  }

  @Test
  void reEncryptMovesAWrappedKeyBetweenKeysWithoutDecrypt() throws Exception {
    Kek a = AwsKms.kek(uri(createKey(kms)), kms);
    Kek b = AwsKms.kek(uri(createKey(kms)), kms);
    byte[] dek = randomDek();
    WrappedKey underA = a.wrap(dek, CTX);
    int decrypts = server.requests("Decrypt");

    WrappedKey underB = b.rewrap(underA, CTX);

    assertEquals(b.uri(), underB.kekUri());
    assertEquals(decrypts, server.requests("Decrypt"), "the DEK must not leave KMS");
    assertEquals(1, server.requests("ReEncrypt"));
    assertArrayEquals(dek, b.unwrap(underB, CTX));
    assertThrows(NotMyKeyException.class, () -> a.unwrap(underB, CTX));
    assertKmsError("InvalidCiphertextException", false, () -> b.rewrap(underA, EncryptionContext.empty()));
  }

  @Test
  void reEncryptIsNotOfferedAcrossRegionsOrFromOtherKeks() throws Exception {
    KmsClient east = client(OTHER_REGION, credentials);
    WrappedKey underEast = AwsKms.kek(uri(createKey(east)), east).wrap(randomDek(), CTX);
    Kek west = AwsKms.kek(uri(createKey(kms)), kms);
    WrappedKey local = WrappedKey.create("local://team", "1", "tink-aes256-gcm", new byte[48]);

    assertThrows(NotMyKeyException.class, () -> west.rewrap(underEast, CTX));
    assertThrows(NotMyKeyException.class, () -> west.rewrap(local, CTX));
    assertEquals(0, server.requests("ReEncrypt"));
  }

  @Test
  void multiRegionKeysMatchTheirReplicas() throws Exception {
    KmsClient east = client(OTHER_REGION, credentials);
    String eastArn = east.createKey(b -> b.multiRegion(true)).keyMetadata().arn();
    assertTrue(eastArn.contains(":key/mrk-"), eastArn);
    String westArn = east.replicateKey(b -> b.keyId(eastArn).replicaRegion(REGION)).replicaKeyMetadata().arn();
    assertEquals(eastArn.replace(OTHER_REGION, REGION), westArn);
    Kek eastKek = AwsKms.kek(uri(eastArn), east);
    Kek westKek = AwsKms.kek(uri(westArn), kms);
    byte[] dek = randomDek();

    WrappedKey w = eastKek.wrap(dek, CTX);
    int eastDecrypts = server.requests("Decrypt");
    assertArrayEquals(dek, westKek.unwrap(w, CTX), "a replica unwraps in its own Region");
    assertEquals(eastDecrypts + 1, server.requests("Decrypt"));

    // Rotation of the shared material reaches the replica; old blobs still open in both Regions.
    east.rotateKeyOnDemand(b -> b.keyId(eastArn));
    WrappedKey fresh = westKek.wrap(dek, CTX);
    assertArrayEquals(dek, eastKek.unwrap(fresh, CTX));
    assertArrayEquals(dek, eastKek.unwrap(w, CTX));

    // ReEncrypt into another key of the west Region reads the east blob through the replica.
    Kek westOther = AwsKms.kek(uri(createKey(kms)), kms);
    WrappedKey moved = westOther.rewrap(w, CTX);
    assertArrayEquals(dek, westOther.unwrap(moved, CTX));

    // A single-Region key never matches across Regions, even with the same id.
    String single = createKey(east);
    WrappedKey singleW = AwsKms.kek(uri(single), east).wrap(dek, CTX);
    Kek lookalike = AwsKms.kek(uri(single.replace(OTHER_REGION, REGION)), kms);
    assertThrows(NotMyKeyException.class, () -> lookalike.unwrap(singleW, CTX));
  }

  @Test
  void registryResolvesTheSchemeThroughTheClientOfTheRegion() throws Exception {
    KmsClient east = client(OTHER_REGION, credentials);
    String westArn = createKey(kms);
    String eastMrk = east.createKey(b -> b.multiRegion(true)).keyMetadata().arn();
    east.replicateKey(b -> b.keyId(eastMrk).replicaRegion(REGION));
    String eastSingle = createKey(east);
    byte[] dek = randomDek();
    WrappedKey underEastMrk = AwsKms.kek(uri(eastMrk), east).wrap(dek, CTX);

    KekRegistry registry = AwsKms.register(KekRegistry.builder(), TRUSTED, kms).build();

    Kek west = registry.resolve(uri(westArn));
    assertArrayEquals(dek, west.unwrap(west.wrap(dek, CTX), CTX));
    Kek mrk = registry.resolve(uri(eastMrk));
    assertEquals(uri(eastMrk.replace(OTHER_REGION, REGION)), mrk.uri(), "the replica in a Region we reach");
    assertArrayEquals(dek, mrk.unwrap(underEastMrk, CTX));
    assertThrows(GeneralSecurityException.class, () -> registry.resolve(uri(eastSingle)));
    assertThrows(GeneralSecurityException.class, () -> registry.resolve("aws-kms://not-an-arn"));

    KekRegistry both = AwsKms.register(KekRegistry.builder(), TRUSTED, kms, east).build();
    assertEquals(uri(eastSingle), both.resolve(uri(eastSingle)).uri());
    assertThrows(IllegalArgumentException.class, () -> AwsKms.resolver(TRUSTED, kms, kms));
    assertThrows(IllegalArgumentException.class, () -> AwsKms.resolver(TRUSTED));
  }

  @Test
  void generateDataKeyBlobsUnwrapThroughTheKek() throws Exception {
    String arn = createKey(kms);
    GenerateDataKeyResponse r =
        kms.generateDataKey(b -> b.keyId(arn).keySpec(DataKeySpec.AES_256).encryptionContext(CTX.asMap()));
    WrappedKey w =
        WrappedKey.create(uri(arn), r.keyId(), "aws-kms-symmetric-default", r.ciphertextBlob().asByteArray());

    assertArrayEquals(r.plaintext().asByteArray(), AwsKms.kek(uri(arn), kms).unwrap(w, CTX));
    DecryptResponse d =
        kms.decrypt(b -> b.ciphertextBlob(SdkBytes.fromByteArray(w.wrappedBytes())).encryptionContext(CTX.asMap()));
    assertEquals(64, d.keyMaterialId().length());
  }

  @Test
  void urisAndClientsAreValidated() {
    assertThrows(IllegalArgumentException.class, () -> AwsKms.kek("aws-kms://arn:aws:s3:::bucket", kms));
    assertThrows(IllegalArgumentException.class, () -> AwsKms.kek("local://team", kms));
    assertThrows(
        IllegalArgumentException.class,
        () -> AwsKms.kek("aws-kms://arn:aws:kms:" + OTHER_REGION + ":" + ACCOUNT + ":key/abc", kms),
        "the client's Region must match");
    assertEquals(
        "aws-kms://arn:aws-us-gov:kms:us-gov-west-1:" + ACCOUNT + ":alias/a/b_c-d",
        AwsKms.kek(
                "aws-kms://arn:aws-us-gov:kms:us-gov-west-1:" + ACCOUNT + ":alias/a/b_c-d",
                track(AwsKms.clientBuilder().region("us-gov-west-1").credentialsProvider(credentials).build()))
            .uri());

    assertEquals(
        "aws-kms://arn:aws-cn:kms:cn-north-1:" + ACCOUNT + ":key/mrk-0123456789abcdef0123456789abcdef",
        AwsKms.kek(
                "aws-kms://arn:aws-cn:kms:cn-north-1:" + ACCOUNT + ":key/mrk-0123456789abcdef0123456789abcdef",
                track(AwsKms.clientBuilder().region("cn-north-1").credentialsProvider(credentials).build()))
            .uri());
    assertThrows(IllegalArgumentException.class, () -> AwsKms.kek(uri(createKey(kms)), kms).wrap(new byte[0], CTX));
    assertThrows(IllegalArgumentException.class, () -> AwsKms.clientBuilder().build());
    assertThrows(
        IllegalArgumentException.class,
        () -> AwsKms.clientBuilder().region(REGION).endpointOverride(URI.create("http://kms.example.com")).build());
    assertThrows(IllegalArgumentException.class, () -> AwsKms.clientBuilder().region(REGION).maxAttempts(0).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> AwsKms.clientBuilder().region(REGION).callAttemptTimeoutMillis(5_000).callTimeoutMillis(1_000).build());
    assertThrows(IllegalArgumentException.class, () -> AwsKms.clientBuilder().region(REGION).connectTimeoutMillis(0).build());
  }

  @Test
  void oneKekServesManyThreads() throws Exception {
    Kek kek = AwsKms.kek(uri(createKey(kms)), kms);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        results.add(
            pool.submit(
                () -> {
                  byte[] dek = randomDek();
                  return Arrays.equals(dek, kek.unwrap(kek.wrap(dek, CTX), CTX));
                }));
      }
      for (Future<Boolean> r : results) {
        assertTrue(r.get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    // One Decrypt per unwrap at least (no cache in the KEK); a retry on a loaded machine adds one.
    assertTrue(server.requests("Decrypt") >= 16, () -> server.requests("Decrypt") + " Decrypts");
  }

  @Test
  void unknownWrappingAlgorithmFailsClosed() throws Exception {
    String arn = createKey(kms);
    Kek kek = AwsKms.kek(uri(arn), kms);
    WrappedKey w = kek.wrap(randomDek(), CTX);
    WrappedKey odd = WrappedKey.create(w.kekUri(), w.kekVersion(), "aws-kms-rsa-oaep", w.wrappedBytes());

    GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> kek.unwrap(odd, CTX));
    assertFalse(e instanceof NotMyKeyException);
    assertTrue(e.getMessage().contains("unsupported algorithm aws-kms-rsa-oaep"), e.getMessage());
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
