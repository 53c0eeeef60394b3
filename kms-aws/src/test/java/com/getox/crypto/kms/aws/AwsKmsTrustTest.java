package com.getox.crypto.kms.aws;

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
import com.getox.crypto.kek.WrappedKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * A recording header is not authenticated: a registry must call KMS only on keys of the partition
 * and accounts its {@link AwsKms.DiscoveryFilter} trusts, and refuse the others with {@link
 * NotMyKeyException} before any request reaches KMS (counted on the server, every HTTP request).
 */
class AwsKmsTrustTest extends KmsTestSupport {
  static final EncryptionContext CTX =
      EncryptionContext.builder().put("recording-id", "rec-42").put("user-id", "u-7").build();

  /** A real key of another account that our account may use: only the filter stops the call. */
  String foreignArn;
  KmsClient stranger;
  String ownArn;

  @BeforeEach
  void keys() {
    stranger = client(REGION, server.newAccount(OTHER_ACCOUNT));
    foreignArn = createKey(stranger);
    server.grant(foreignArn, ACCOUNT);
    ownArn = createKey(kms);
  }

  @Test
  void keyOfAnUntrustedAccountIsRefusedWithoutARequest() throws Exception {
    KekRegistry registry = AwsKms.register(KekRegistry.builder(), TRUSTED, kms).build();
    int before = server.receivedRequests();

    NotMyKeyException e =
        assertThrows(NotMyKeyException.class, () -> registry.resolve(uri(foreignArn)));

    assertTrue(e.getMessage().contains(OTHER_ACCOUNT), e::getMessage);
    assertTrue(e.getMessage().contains("not trusted"), e::getMessage);
    assertEquals(before, server.receivedRequests(), "no request may reach KMS");
    // An alias and a multi-Region key of that account are refused the same way.
    assertThrows(
        NotMyKeyException.class,
        () -> registry.resolve(uri("arn:aws:kms:" + REGION + ":" + OTHER_ACCOUNT + ":alias/x")));
    assertThrows(
        NotMyKeyException.class,
        () -> registry.resolve(uri("arn:aws:kms:" + OTHER_REGION + ":" + OTHER_ACCOUNT + ":key/mrk-1")));
    assertEquals(before, server.receivedRequests());
  }

  @Test
  void craftedHeaderMakesNoCallAndTheTrustedKeyStillOpensTheRecording() throws Exception {
    byte[] audio = new byte[20_000];
    new SecureRandom().nextBytes(audio);
    Kek own = AwsKms.kek(uri(ownArn), kms);
    Kek foreign = AwsKms.kek(uri(foreignArn), stranger);
    // The attacker's key first, so a reader that trusted it would call it first.
    byte[] attackerOnly = encrypt(Recordings.builder().wrapWith(foreign).build(), audio);
    byte[] both = encrypt(Recordings.builder().wrapWith(foreign, own).build(), audio);
    Recordings reader =
        Recordings.builder()
            .unwrapWith(AwsKms.register(KekRegistry.builder(), TRUSTED, kms).build())
            .build();
    int before = server.receivedRequests();
    int decrypts = server.requests("Decrypt");

    NoUsableKeyException e =
        assertThrows(NoUsableKeyException.class, () -> decrypt(reader, attackerOnly));
    assertEquals(List.of(), e.causes(), "an untrusted key is not mine, not a failure");
    assertEquals(before, server.receivedRequests(), "no request may reach KMS");

    assertArrayEquals(audio, decrypt(reader, both));
    assertEquals(decrypts + 1, server.requests("Decrypt"), "one Decrypt, on the trusted key");
  }

  @Test
  void trustedAccountsRoundTrip() throws Exception {
    AwsKms.DiscoveryFilter both = AwsKms.DiscoveryFilter.of("aws", List.of(ACCOUNT, OTHER_ACCOUNT));
    KekRegistry registry = AwsKms.register(KekRegistry.builder(), both, kms).build();
    byte[] dek = randomDek();

    for (String arn : List.of(ownArn, foreignArn)) {
      Kek kek = registry.resolve(uri(arn));
      assertEquals(uri(arn), kek.uri());
      assertArrayEquals(dek, kek.unwrap(kek.wrap(dek, CTX), CTX));
    }
    assertEquals(2, server.requests("Decrypt"));
  }

  @Test
  void partitionMustMatchToo() throws Exception {
    KekRegistry china =
        AwsKms.register(KekRegistry.builder(), AwsKms.DiscoveryFilter.of("aws-cn", ACCOUNT), kms)
            .build();
    KekRegistry global = AwsKms.register(KekRegistry.builder(), TRUSTED, kms).build();
    int before = server.receivedRequests();

    // Our own account's key, but in the aws partition, for a filter on aws-cn.
    NotMyKeyException e = assertThrows(NotMyKeyException.class, () -> china.resolve(uri(ownArn)));
    assertTrue(e.getMessage().contains("partition aws,"), e::getMessage);
    // The same account in aws-cn, for a filter on aws.
    String cn = "arn:aws-cn:kms:cn-north-1:" + ACCOUNT + ":key/" + ownArn.substring(ownArn.lastIndexOf('/') + 1);
    assertThrows(NotMyKeyException.class, () -> global.resolve(uri(cn)));
    assertEquals(before, server.receivedRequests(), "no request may reach KMS");
  }

  @Test
  void reEncryptRunsOnlyFromTrustedSourceKeys() throws Exception {
    WrappedKey underForeign = AwsKms.kek(uri(foreignArn), stranger).wrap(randomDek(), CTX);
    Kek named = AwsKms.kek(uri(ownArn), kms); // trusts its own partition and account
    Kek resolved = AwsKms.register(KekRegistry.builder(), TRUSTED, kms).build().resolve(uri(ownArn));
    int before = server.receivedRequests();

    assertThrows(NotMyKeyException.class, () -> named.rewrap(underForeign, CTX));
    assertThrows(NotMyKeyException.class, () -> resolved.rewrap(underForeign, CTX));
    assertEquals(before, server.receivedRequests(), "no ReEncrypt from an untrusted key");

    // Trusting the other account allows it.
    AwsKms.DiscoveryFilter both = AwsKms.DiscoveryFilter.of("aws", ACCOUNT, OTHER_ACCOUNT);
    Kek trusting = AwsKms.register(KekRegistry.builder(), both, kms).build().resolve(uri(ownArn));
    assertEquals(uri(ownArn), trusting.rewrap(underForeign, CTX).kekUri());
    assertEquals(1, server.requests("ReEncrypt"));
  }

  @Test
  void filterNeedsAPartitionAndTwelveDigitAccounts() {
    assertThrows(IllegalArgumentException.class, () -> AwsKms.DiscoveryFilter.of("aws"));
    assertThrows(IllegalArgumentException.class, () -> AwsKms.DiscoveryFilter.of("aws", List.of()));
    assertThrows(IllegalArgumentException.class, () -> AwsKms.DiscoveryFilter.of("aws", "12345"));
    assertThrows(IllegalArgumentException.class, () -> AwsKms.DiscoveryFilter.of("aws", "*"));
    assertThrows(IllegalArgumentException.class, () -> AwsKms.DiscoveryFilter.of("gcp", ACCOUNT));
    assertThrows(IllegalArgumentException.class, () -> AwsKms.DiscoveryFilter.of("", ACCOUNT));
    assertThrows(NullPointerException.class, () -> AwsKms.DiscoveryFilter.of(null, ACCOUNT));
    assertThrows(NullPointerException.class, () -> AwsKms.resolver(null, kms));
    AwsKms.DiscoveryFilter f = AwsKms.DiscoveryFilter.of("aws-cn", OTHER_ACCOUNT, ACCOUNT, ACCOUNT);
    assertEquals("aws-cn", f.partition());
    assertEquals(List.of(ACCOUNT, OTHER_ACCOUNT), List.copyOf(f.accountIds()));
    assertEquals(f, AwsKms.DiscoveryFilter.of("aws-cn", ACCOUNT, OTHER_ACCOUNT));
  }

  private static byte[] encrypt(Recordings recordings, byte[] plaintext) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RecordingWriter w = recordings.newWriter(out, CTX)) {
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
