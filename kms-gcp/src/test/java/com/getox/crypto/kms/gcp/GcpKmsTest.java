package com.getox.crypto.kms.gcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.KmsException;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.KekRegistry;
import com.getox.crypto.kek.NotMyKeyException;
import com.getox.crypto.kek.WrappedKey;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.kms.v1.EncryptRequest;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.cloud.kms.v1.KeyManagementServiceSettings;
import com.google.cloud.kms.v1.ProtectionLevel;
import com.google.protobuf.ByteString;
import com.google.protobuf.Int64Value;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** KEK behaviour against the in-process Cloud KMS, through the real client. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS) // only catches a hang
class GcpKmsTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final EncryptionContext CONTEXT =
      EncryptionContext.builder().put("recording-id", "rec-42").put("user-id", "u-7").build();

  private CloudKmsFixture kms;
  private GcpKms gcp;

  @BeforeAll
  void start() throws Exception {
    kms = new CloudKmsFixture();
    gcp = GcpKms.builder(kms.client).maxAttempts(3).attemptTimeoutMillis(30_000).backoffMillis(5, 20).build();
  }

  @AfterAll
  void stop() throws Exception {
    kms.close();
  }

  private static byte[] dek() {
    byte[] dek = new byte[32];
    RANDOM.nextBytes(dek);
    return dek;
  }

  @Test
  void wrapThenUnwrapRoundTripsAndRecordsTheVersion() throws Exception {
    String key = kms.newKey();
    Kek kek = gcp.kek(CloudKmsFixture.uri(key));
    byte[] dek = dek();

    WrappedKey w = kek.wrap(dek, CONTEXT);

    assertEquals(CloudKmsFixture.uri(key), w.kekUri());
    assertEquals("1", w.kekVersion());
    assertEquals("gcp-kms-symmetric", w.algorithm());
    assertFalse(contains(w.wrappedBytes(), dek), "the wrapped key must not contain the DEK");
    assertArrayEquals(dek, kek.unwrap(w, CONTEXT));
    assertArrayEquals(dek, kek.unwrap(w, EncryptionContext.of(CONTEXT.asMap())));
  }

  @Test
  void emptyContextStillBindsAsAad() throws Exception {
    Kek kek = gcp.kek(CloudKmsFixture.uri(kms.newKey()));
    byte[] dek = dek();
    WrappedKey w = kek.wrap(dek, EncryptionContext.empty());
    assertArrayEquals(dek, kek.unwrap(w, EncryptionContext.empty()));
    assertEquals(
        StatusCode.Code.INVALID_ARGUMENT,
        assertThrows(GcpKmsException.class, () -> kek.unwrap(w, CONTEXT)).code());
  }

  @Test
  void wrongContextIsInvalidArgumentWithoutRetry() throws Exception {
    Kek kek = gcp.kek(CloudKmsFixture.uri(kms.newKey()));
    WrappedKey w = kek.wrap(dek(), CONTEXT);
    EncryptionContext other =
        EncryptionContext.builder().put("recording-id", "rec-43").put("user-id", "u-7").build();
    int before = kms.server.decryptCalls.get();

    GcpKmsException e = assertThrows(GcpKmsException.class, () -> kek.unwrap(w, other));

    assertEquals(StatusCode.Code.INVALID_ARGUMENT, e.code());
    assertFalse(e.isRetryable());
    assertTrue(e.getMessage().contains("encryption context"), e.getMessage());
    assertEquals(before + 1, kms.server.decryptCalls.get(), "a final error is not retried");
  }

  @Test
  void rotationWrapsUnderTheNewPrimaryAndOldWrappedKeysStillUnwrap() throws Exception {
    String key = kms.newKey();
    Kek kek = gcp.kek(CloudKmsFixture.uri(key));
    byte[] oldDek = dek();
    WrappedKey old = kek.wrap(oldDek, CONTEXT);

    assertEquals("2", kms.rotate(key));
    byte[] newDek = dek();
    WrappedKey fresh = kek.wrap(newDek, CONTEXT);

    assertEquals("1", old.kekVersion());
    assertEquals("2", fresh.kekVersion());
    assertArrayEquals(oldDek, kek.unwrap(old, CONTEXT));
    assertArrayEquals(newDek, kek.unwrap(fresh, CONTEXT));
  }

  @Test
  void isCurrentFollowsThePrimaryVersion() throws Exception {
    String key = kms.newKey();
    String uri = CloudKmsFixture.uri(key);
    Kek cached = gcp.kek(uri);
    WrappedKey v1 = cached.wrap(dek(), CONTEXT);
    assertTrue(cached.isCurrent(v1));

    kms.rotate(key);

    // A fresh KEK asks GetCryptoKey; a KEK that saw v1 moments ago trusts that for its cache time.
    assertFalse(gcp.kek(uri).isCurrent(v1));
    assertTrue(cached.isCurrent(v1));
    Kek uncached =
        GcpKms.builder(kms.client).attemptTimeoutMillis(30_000).primaryVersionCacheMillis(0).build().kek(uri);
    assertFalse(uncached.isCurrent(v1));
    WrappedKey v2 = cached.wrap(dek(), CONTEXT); // an Encrypt response names the new primary
    assertTrue(cached.isCurrent(v2));
    assertFalse(cached.isCurrent(v1));
    assertTrue(uncached.isCurrent(v2));
    Kek stale = gcp.kek(uri);
    stale.wrap(dek(), CONTEXT); // caches v2
    kms.rotate(key); // v3
    assertTrue(stale.isCurrent(v2), "still within the cache period");
    stale.unwrap(v2, CONTEXT); // Decrypt says usedPrimary=false: the cache is dropped
    assertFalse(stale.isCurrent(v2));
    WrappedKey v3 = stale.wrap(dek(), CONTEXT);
    assertEquals("3", v3.kekVersion());
    assertTrue(stale.isCurrent(v3));
    assertFalse(gcp.kek(CloudKmsFixture.uri(kms.newKey())).isCurrent(v2), "another key's");

    // Without permission to read the key, versions count as not current until an Encrypt shows.
    kms.server.denyGetCryptoKey = true;
    try {
      Kek blind = gcp.kek(uri);
      assertFalse(blind.isCurrent(v3));
      blind.wrap(dek(), CONTEXT);
      assertTrue(blind.isCurrent(v3));
      Kek blind2 = gcp.kek(uri);
      blind2.unwrap(v3, CONTEXT); // Decrypt says usedPrimary=true
      assertTrue(blind2.isCurrent(v3));
    } finally {
      kms.server.denyGetCryptoKey = false;
    }
  }

  @Test
  void destroyedVersionIsFailedPrecondition() throws Exception {
    String key = kms.newKey();
    Kek kek = gcp.kek(CloudKmsFixture.uri(key));
    WrappedKey old = kek.wrap(dek(), CONTEXT);
    kms.rotate(key);
    byte[] newDek = dek();
    WrappedKey fresh = kek.wrap(newDek, CONTEXT);

    kms.destroy(key, "1");

    GcpKmsException e = assertThrows(GcpKmsException.class, () -> kek.unwrap(old, CONTEXT));
    assertEquals(StatusCode.Code.FAILED_PRECONDITION, e.code());
    assertFalse(e.isRetryable());
    assertTrue(e.getMessage().contains("not enabled"), e.getMessage());
    assertArrayEquals(newDek, kek.unwrap(fresh, CONTEXT));

    kms.destroy(key, "2");
    GcpKmsException wrap = assertThrows(GcpKmsException.class, () -> kek.wrap(dek(), CONTEXT));
    assertEquals(StatusCode.Code.FAILED_PRECONDITION, wrap.code());
  }

  @Test
  void wrappedKeyOfAnotherKekIsNotMineAndMakesNoCall() throws Exception {
    Kek a = gcp.kek(CloudKmsFixture.uri(kms.newKey()));
    Kek b = gcp.kek(CloudKmsFixture.uri(kms.newKey()));
    WrappedKey w = a.wrap(dek(), CONTEXT);
    WrappedKey local = WrappedKey.create("local://team", "7", "tink-aes256-gcm", new byte[48]);
    WrappedKey otherAlgorithm =
        WrappedKey.create(a.uri(), w.kekVersion(), "something-else", w.wrappedBytes());
    int before = kms.server.decryptCalls.get();

    assertThrows(NotMyKeyException.class, () -> b.unwrap(w, CONTEXT));
    assertThrows(NotMyKeyException.class, () -> a.unwrap(local, CONTEXT));
    assertThrows(NotMyKeyException.class, () -> a.unwrap(otherAlgorithm, CONTEXT));
    assertThrows(NotMyKeyException.class, () -> b.rewrap(w, CONTEXT));
    assertEquals(before, kms.server.decryptCalls.get());
  }

  @Test
  void ciphertextRelabelledForAnotherKeyOrTamperedIsInvalidArgument() throws Exception {
    Kek a = gcp.kek(CloudKmsFixture.uri(kms.newKey()));
    Kek b = gcp.kek(CloudKmsFixture.uri(kms.newKey()));
    WrappedKey w = a.wrap(dek(), CONTEXT);
    WrappedKey relabelled =
        WrappedKey.create(b.uri(), w.kekVersion(), w.algorithm(), w.wrappedBytes());
    byte[] bytes = w.wrappedBytes();
    bytes[bytes.length / 2] ^= 0x40;
    WrappedKey tampered = WrappedKey.create(a.uri(), w.kekVersion(), w.algorithm(), bytes);

    assertEquals(
        StatusCode.Code.INVALID_ARGUMENT,
        assertThrows(GcpKmsException.class, () -> b.unwrap(relabelled, CONTEXT)).code());
    assertEquals(
        StatusCode.Code.INVALID_ARGUMENT,
        assertThrows(GcpKmsException.class, () -> a.unwrap(tampered, CONTEXT)).code());
  }

  @Test
  void permissionDeniedAndNotFoundAreFinal() throws Exception {
    String key = kms.newKey();
    Kek kek = gcp.kek(CloudKmsFixture.uri(key));
    WrappedKey w = kek.wrap(dek(), CONTEXT);
    kms.server.denyAccess(key);

    GcpKmsException denied = assertThrows(GcpKmsException.class, () -> kek.unwrap(w, CONTEXT));
    assertEquals(StatusCode.Code.PERMISSION_DENIED, denied.code());
    assertFalse(denied.isRetryable());
    assertTrue(denied.getMessage().contains("cryptoKeyEncrypterDecrypter"), denied.getMessage());
    assertTrue(denied instanceof KmsException);

    Kek missing = gcp.kek(CloudKmsFixture.uri(kms.keyRing + "/cryptoKeys/no-such-key"));
    GcpKmsException notFound =
        assertThrows(GcpKmsException.class, () -> missing.wrap(dek(), CONTEXT));
    assertEquals(StatusCode.Code.NOT_FOUND, notFound.code());
    assertFalse(notFound.isRetryable());
  }

  @Test
  void oversizedContextIsRefusedBeforeTheCall() throws Exception {
    Kek kek = gcp.kek(CloudKmsFixture.uri(kms.newKey()));
    EncryptionContext huge = contextOf(64); // 66,000 canonical bytes > 64 KiB
    assertTrue(huge.canonicalBytes().length > GcpKms.MAX_BYTES);
    WrappedKey w = kek.wrap(dek(), CONTEXT);
    int encrypts = kms.server.encryptCalls.get();
    int decrypts = kms.server.decryptCalls.get();

    GcpKmsException e = assertThrows(GcpKmsException.class, () -> kek.wrap(dek(), huge));
    assertEquals(StatusCode.Code.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("not attempted"), e.getMessage());
    assertThrows(GcpKmsException.class, () -> kek.unwrap(w, huge));
    assertThrows(GcpKmsException.class, () -> kek.wrap(new byte[GcpKms.MAX_BYTES + 1], CONTEXT));
    assertEquals(encrypts, kms.server.encryptCalls.get());
    assertEquals(decrypts, kms.server.decryptCalls.get());
  }

  @Test
  void hsmCombinedLimitIsCheckedBeforeTheCallOnceKnown() throws Exception {
    String key = kms.newKey(ProtectionLevel.HSM);
    EncryptionContext big = contextOf(8); // 8,250 canonical bytes: over 8 KiB with a DEK
    int before = kms.server.encryptCalls.get();

    // Not yet known to be HSM: Cloud KMS itself refuses it.
    Kek unknown = gcp.kek(CloudKmsFixture.uri(key));
    assertEquals(
        StatusCode.Code.INVALID_ARGUMENT,
        assertThrows(GcpKmsException.class, () -> unknown.wrap(dek(), big)).code());
    assertEquals(before + 1, kms.server.encryptCalls.get());

    // Learned from a response: refused locally.
    Kek learned = gcp.kek(CloudKmsFixture.uri(key));
    learned.wrap(dek(), CONTEXT);
    int afterLearning = kms.server.encryptCalls.get();
    GcpKmsException e = assertThrows(GcpKmsException.class, () -> learned.wrap(dek(), big));
    assertTrue(e.getMessage().contains("HSM"), e.getMessage());
    assertEquals(afterLearning, kms.server.encryptCalls.get());

    // Declared up front: refused locally before any call.
    Kek declared =
        GcpKms.builder(kms.client).attemptTimeoutMillis(30_000).hsmKeys(true).build().kek(CloudKmsFixture.uri(key));
    assertThrows(GcpKmsException.class, () -> declared.wrap(dek(), big));
    assertEquals(afterLearning, kms.server.encryptCalls.get());
  }

  @Test
  void uriMustNameACryptoKey() {
    String key = CloudKmsFixture.LOCATION + "/keyRings/r/cryptoKeys/k";
    assertEquals("gcp-kms://" + key, gcp.kek("gcp-kms://" + key).uri());
    for (String bad :
        new String[] {
          key,
          "gcp-kms://" + key + "/cryptoKeyVersions/1",
          "aws-kms://" + key,
          "gcp-kms://projects/p/locations/l/keyRings/r",
          "gcp-kms://projects/p/locations/l/keyRings/r/cryptoKeys/k?x=1",
          "gcp-kms://projects/P/locations/l/keyRings/r/cryptoKeys/k/",
          "gcp-kms://projects/p/locations/l/keyRings/../cryptoKeys/k",
        }) {
      assertThrows(IllegalArgumentException.class, () -> gcp.kek(bad), bad);
    }
  }

  @Test
  void registryResolvesTheSchemeExplicitly() throws Exception {
    String uri = CloudKmsFixture.uri(kms.newKey());
    KekRegistry registry = KekRegistry.builder().register(GcpKms.SCHEME, gcp.resolver(GcpKms.KeyFilter.projects("ox-test"))).build();

    Kek kek = registry.resolve(uri);
    byte[] dek = dek();
    assertArrayEquals(dek, kek.unwrap(kek.wrap(dek, CONTEXT), CONTEXT));
    assertSame(kek, registry.resolve(uri));
    assertEquals(
        StatusCode.Code.INVALID_ARGUMENT,
        assertThrows(GcpKmsException.class, () -> registry.resolve("gcp-kms://nonsense")).code());
    assertThrows(NotMyKeyException.class, () -> KekRegistry.builder().build().resolve(uri));
  }

  @Test
  void builderValidatesBoundsAndTransport() throws Exception {
    assertThrows(
        IllegalArgumentException.class, () -> GcpKms.builder(kms.client).maxAttempts(0).build());
    assertThrows(
        IllegalArgumentException.class, () -> GcpKms.builder(kms.client).maxAttempts(11).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> GcpKms.builder(kms.client).attemptTimeoutMillis(0).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> GcpKms.builder(kms.client).backoffMillis(50, 10).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> GcpKms.builder(kms.client).primaryVersionCacheMillis(-1).build());
    try (KeyManagementServiceClient http =
        KeyManagementServiceClient.create(
            KeyManagementServiceSettings.newHttpJsonBuilder()
                .setCredentialsProvider(NoCredentialsProvider.create())
                .build())) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> GcpKms.create(http));
      assertTrue(e.getMessage().contains("gRPC"), e.getMessage());
    }
  }

  @Test
  void concurrentWrapsAndUnwrapsAgree() throws Exception {
    Kek kek = gcp.kek(CloudKmsFixture.uri(kms.newKey()));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        results.add(
            pool.submit(
                () -> {
                  byte[] dek = dek();
                  return java.util.Arrays.equals(dek, kek.unwrap(kek.wrap(dek, CONTEXT), CONTEXT));
                }));
      }
      for (Future<Boolean> f : results) {
        assertTrue(f.get(20, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** The in-process server really verifies request checksums, as Cloud KMS does. */
  @Test
  void serverRejectsARequestWhoseChecksumDoesNotMatch() {
    String key = kms.newKey();
    byte[] plaintext = "thirty-two bytes of key material".getBytes(StandardCharsets.UTF_8);
    EncryptRequest bad =
        EncryptRequest.newBuilder()
            .setName(key)
            .setPlaintext(ByteString.copyFrom(plaintext))
            .setPlaintextCrc32C(Int64Value.of(InProcessCloudKms.crc(plaintext).getValue() ^ 1))
            .build();
    ApiException e = assertThrows(ApiException.class, () -> kms.client.encrypt(bad));
    assertEquals(StatusCode.Code.INVALID_ARGUMENT, e.getStatusCode().getCode());
    assertNotEquals(
        0,
        kms.client.encrypt(bad.toBuilder().clearPlaintextCrc32C().build()).getCiphertext().size());
  }

  private static EncryptionContext contextOf(int entries) {
    EncryptionContext.Builder b = EncryptionContext.builder();
    String value = "x".repeat(EncryptionContext.MAX_VALUE_BYTES);
    for (int i = 0; i < entries; i++) {
      b.put(String.format("k%02d", i), value);
    }
    return b.build();
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
