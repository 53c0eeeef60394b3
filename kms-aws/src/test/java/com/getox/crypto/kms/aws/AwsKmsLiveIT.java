package com.getox.crypto.kms.aws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.KmsException;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.KekRegistry;
import com.getox.crypto.kek.NotMyKeyException;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The non-destructive scenarios against real AWS KMS ({@code mvn verify -pl kms-aws -Plive}).
 * Needs {@code OX_AWS_KMS_KEY_ARN} (a symmetric key or alias ARN the credentials may Encrypt,
 * Decrypt and ReEncrypt with) and credentials for the SDK's default chain; otherwise every test
 * is skipped and the reason printed. It never creates, rotates, disables or deletes keys.
 */
class AwsKmsLiveIT {
  static final EncryptionContext CTX =
      EncryptionContext.builder().put("recording-id", "ox-live-test").put("purpose", "ci").build();

  static KmsClient kms;
  static Kek kek;
  static AwsKms.DiscoveryFilter trusted;

  @BeforeAll
  static void connect() {
    String arn = System.getenv("OX_AWS_KMS_KEY_ARN");
    skipUnless(arn != null && !arn.isBlank(), "OX_AWS_KMS_KEY_ARN is not set");
    KeyArn key = KeyArn.parseArn(arn.trim());
    skipUnless(key != null, "OX_AWS_KMS_KEY_ARN is not a KMS key or alias ARN: " + arn);
    try (DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build()) {
      chain.resolveCredentials();
    } catch (RuntimeException e) {
      skipUnless(false, "no AWS credentials in the default chain (" + e.getMessage() + ")");
    }
    kms = AwsKms.clientBuilder().region(key.region).build();
    kek = AwsKms.kek(key.uri(), kms);
    trusted = AwsKms.DiscoveryFilter.of(key.partition, key.account);
  }

  private static void skipUnless(boolean ok, String why) {
    if (!ok) {
      System.out.println("[kms-aws live] SKIPPED: " + why);
    }
    Assumptions.assumeTrue(ok, "kms-aws live tests skipped: " + why);
  }

  @AfterAll
  static void close() {
    if (kms != null) {
      kms.close();
    }
  }

  @Test
  void wrapUnwrapAndContextEnforcement() throws Exception {
    byte[] dek = new byte[32];
    new SecureRandom().nextBytes(dek);
    WrappedKey w = kek.wrap(dek, CTX);
    assertArrayEquals(dek, kek.unwrap(w, CTX));
    KmsException e =
        assertThrows(KmsException.class, () -> kek.unwrap(w, EncryptionContext.empty()));
    assertFalse(e.isRetryable());
    assertTrue(e.getMessage().contains("InvalidCiphertextException"), e.getMessage());
    WrappedKey foreign =
        WrappedKey.create(kek.uri() + "0", w.kekVersion(), w.algorithm(), w.wrappedBytes());
    assertThrows(NotMyKeyException.class, () -> kek.unwrap(foreign, CTX));
  }

  @Test
  void reEncryptToTheSameKey() throws Exception {
    byte[] dek = new byte[32];
    new SecureRandom().nextBytes(dek);
    WrappedKey rewrapped = kek.rewrap(kek.wrap(dek, CTX), CTX);
    assertEquals(kek.uri(), rewrapped.kekUri());
    assertArrayEquals(dek, kek.unwrap(rewrapped, CTX));
  }

  @Test
  void recordingUnderLocalAndAwsOpensWithEither(@TempDir Path dir) throws Exception {
    LocalKms local =
        LocalKms.create(dir.resolve("k.json").toFile(), KeysetProtection.insecurePlaintext(), "live");
    byte[] audio = new byte[40_000];
    new SecureRandom().nextBytes(audio);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RecordingWriter w = Recordings.builder().wrapWith(local, kek).build().newWriter(out, CTX)) {
      w.write(audio, 0, audio.length);
    }
    byte[] recording = out.toByteArray();
    KekRegistry aws = AwsKms.register(KekRegistry.builder(), trusted, kms).build();
    for (Recordings reader :
        new Recordings[] {
          Recordings.builder().unwrapWith(local).build(),
          Recordings.builder().unwrapWith(aws).build()
        }) {
      try (InputStream in =
          reader.newInputStream(new ByteArrayInputStream(recording), ReadOptions.defaults())) {
        assertArrayEquals(audio, in.readAllBytes());
      }
    }
  }
}
