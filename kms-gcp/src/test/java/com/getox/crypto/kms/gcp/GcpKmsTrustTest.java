package com.getox.crypto.kms.gcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.NoUsableKeyException;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.KekRegistry;
import com.getox.crypto.kek.NotMyKeyException;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.CryptoKey.CryptoKeyPurpose;
import com.google.cloud.kms.v1.KeyRing;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A recording header is not authenticated: a resolver must call Cloud KMS only on keys of the
 * projects or key rings its {@link GcpKms.KeyFilter} trusts, and refuse the others with {@link
 * NotMyKeyException} before any RPC reaches the server (counted on the server, every RPC).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS) // only catches a hang
class GcpKmsTrustTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final EncryptionContext CONTEXT =
      EncryptionContext.builder().put("recording-id", "rec-42").put("user-id", "u-7").build();
  private static final String OWN_PROJECT = "ox-test"; // CloudKmsFixture.LOCATION's

  private CloudKmsFixture kms;
  private GcpKms gcp;
  /** A real, usable key in another project: only the filter stops the call. */
  private String foreignKey;
  private String ownKey;

  @BeforeAll
  void start() throws Exception {
    kms = new CloudKmsFixture();
    gcp = GcpKms.builder(kms.client).maxAttempts(2).attemptTimeoutMillis(30_000).backoffMillis(5, 20).build();
    ownKey = kms.newKey();
    KeyRing ring =
        kms.client.createKeyRing(
            "projects/attacker/locations/europe-west1", "loot", KeyRing.getDefaultInstance());
    foreignKey =
        kms.client
            .createCryptoKey(
                ring.getName(),
                "k",
                CryptoKey.newBuilder().setPurpose(CryptoKeyPurpose.ENCRYPT_DECRYPT).build())
            .getName();
  }

  @AfterAll
  void stop() {
    kms.close();
  }

  @Test
  void keyOfAnUntrustedProjectIsRefusedWithoutACall() throws Exception {
    KekRegistry registry = registry(GcpKms.KeyFilter.projects(OWN_PROJECT));
    int before = kms.server.receivedCalls();

    NotMyKeyException e =
        assertThrows(NotMyKeyException.class, () -> registry.resolve(CloudKmsFixture.uri(foreignKey)));

    assertTrue(e.getMessage().contains("projects/attacker/"), e::getMessage);
    assertTrue(e.getMessage().contains("not trusted"), e::getMessage);
    // A project whose id only starts like a trusted one is another project.
    assertThrows(
        NotMyKeyException.class,
        () -> registry.resolve("gcp-kms://projects/ox-test2/locations/global/keyRings/r/cryptoKeys/k"));
    assertEquals(before, kms.server.receivedCalls(), "no RPC may reach Cloud KMS");
    // Malformed URIs stay an INVALID_ARGUMENT failure, as before.
    assertEquals(
        StatusCode.Code.INVALID_ARGUMENT,
        assertThrows(GcpKmsException.class, () -> registry.resolve("gcp-kms://nonsense")).code());
  }

  @Test
  void craftedHeaderMakesNoCallAndTheTrustedKeyStillOpensTheRecording() throws Exception {
    byte[] audio = new byte[20_000];
    RANDOM.nextBytes(audio);
    Kek own = gcp.kek(CloudKmsFixture.uri(ownKey));
    Kek foreign = gcp.kek(CloudKmsFixture.uri(foreignKey));
    // The attacker's key first, so a reader that trusted it would call it first.
    byte[] attackerOnly = encrypt(Recordings.builder().wrapWith(foreign).build(), audio);
    byte[] both = encrypt(Recordings.builder().wrapWith(foreign, own).build(), audio);
    Recordings reader =
        Recordings.builder().unwrapWith(registry(GcpKms.KeyFilter.projects(OWN_PROJECT))).build();
    int before = kms.server.receivedCalls();
    int ownDecrypts = kms.server.calls("Decrypt", ownKey);

    NoUsableKeyException e =
        assertThrows(NoUsableKeyException.class, () -> decrypt(reader, attackerOnly));
    assertEquals(List.of(), e.causes(), "an untrusted key is not mine, not a failure");
    assertEquals(before, kms.server.receivedCalls(), "no RPC may reach Cloud KMS");

    assertArrayEquals(audio, decrypt(reader, both));
    assertEquals(before + 1, kms.server.receivedCalls(), "one RPC in all");
    assertEquals(ownDecrypts + 1, kms.server.calls("Decrypt", ownKey), "a Decrypt on the trusted key");
  }

  @Test
  void keyRingFilterTrustsOnlyThoseRings() throws Exception {
    String otherRingOfOwnProject = kms.client.createKeyRing(
            CloudKmsFixture.LOCATION, "other-ring", KeyRing.getDefaultInstance()).getName();
    String otherKey = otherRingOfOwnProject + "/cryptoKeys/k";
    KekRegistry registry = registry(GcpKms.KeyFilter.keyRings(kms.keyRing));
    byte[] dek = new byte[32];
    RANDOM.nextBytes(dek);

    Kek kek = registry.resolve(CloudKmsFixture.uri(ownKey));
    assertArrayEquals(dek, kek.unwrap(kek.wrap(dek, CONTEXT), CONTEXT));

    int before = kms.server.receivedCalls();
    assertThrows(NotMyKeyException.class, () -> registry.resolve(CloudKmsFixture.uri(otherKey)));
    assertThrows(NotMyKeyException.class, () -> registry.resolve(CloudKmsFixture.uri(foreignKey)));
    assertEquals(before, kms.server.receivedCalls(), "no RPC may reach Cloud KMS");
  }

  @Test
  void trustedProjectsRoundTrip() throws Exception {
    KekRegistry registry = registry(GcpKms.KeyFilter.projects(OWN_PROJECT, "attacker"));
    byte[] dek = new byte[32];
    RANDOM.nextBytes(dek);
    for (String key : List.of(ownKey, foreignKey)) {
      Kek kek = registry.resolve(CloudKmsFixture.uri(key));
      assertArrayEquals(dek, kek.unwrap(kek.wrap(dek, CONTEXT), CONTEXT));
    }
  }

  @Test
  void filterNeedsValidNames() {
    assertThrows(IllegalArgumentException.class, () -> GcpKms.KeyFilter.projects());
    assertThrows(IllegalArgumentException.class, () -> GcpKms.KeyFilter.projects(List.of()));
    assertThrows(IllegalArgumentException.class, () -> GcpKms.KeyFilter.projects("*"));
    assertThrows(IllegalArgumentException.class, () -> GcpKms.KeyFilter.projects("projects/p"));
    assertThrows(IllegalArgumentException.class, () -> GcpKms.KeyFilter.projects("p/"));
    assertThrows(IllegalArgumentException.class, () -> GcpKms.KeyFilter.keyRings("projects/p"));
    assertThrows(IllegalArgumentException.class, () -> GcpKms.KeyFilter.keyRings("projects/p/locations/l/keyRings/r/"));
    assertThrows(IllegalArgumentException.class, () -> GcpKms.KeyFilter.keyRings());
    assertThrows(NullPointerException.class, () -> gcp.resolver(null));
  }

  private KekRegistry registry(GcpKms.KeyFilter trusted) {
    return KekRegistry.builder().register(GcpKms.SCHEME, gcp.resolver(trusted)).build();
  }

  private static byte[] encrypt(Recordings recordings, byte[] plaintext) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RecordingWriter w = recordings.newWriter(out, CONTEXT)) {
      w.write(plaintext, 0, plaintext.length);
    }
    return out.toByteArray();
  }

  private static byte[] decrypt(Recordings recordings, byte[] recording) throws Exception {
    try (InputStream in = recordings.newInputStream(new ByteArrayInputStream(recording), ReadOptions.defaults())) {
      return in.readAllBytes();
    }
  }
}
