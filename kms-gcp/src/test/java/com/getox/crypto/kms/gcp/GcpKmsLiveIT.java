package com.getox.crypto.kms.gcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.KekRegistry;
import com.getox.crypto.kek.NotMyKeyException;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import com.google.api.gax.rpc.StatusCode;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same scenarios against real Cloud KMS. Runs only with {@code mvn verify -Plive} and only when
 * {@code OX_GCP_KMS_KEY_URI} names a symmetric key ({@code
 * gcp-kms://projects/P/locations/L/keyRings/R/cryptoKeys/K}) and Application Default Credentials
 * are available ({@code GOOGLE_APPLICATION_CREDENTIALS} or {@code gcloud auth application-default
 * login}) with roles/cloudkms.cryptoKeyEncrypterDecrypter on the key. Otherwise every test is
 * skipped, and the reason is printed. It never rotates or destroys versions of the real key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GcpKmsLiveIT {
  static final String KEY_ENV = "OX_GCP_KMS_KEY_URI";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final EncryptionContext CONTEXT =
      EncryptionContext.builder().put("recording-id", "live-it").put("user-id", "ci").build();

  private KeyManagementServiceClient client;
  private Kek kek;
  private GcpKms gcp;

  @BeforeAll
  void connect() throws Exception {
    String uri = System.getenv(KEY_ENV);
    skipUnless(uri != null && !uri.isEmpty(), KEY_ENV + " is not set");
    skipUnless(hasCredentials(), "no Application Default Credentials");
    client = KeyManagementServiceClient.create(); // production endpoint, gRPC over TLS
    gcp = GcpKms.builder(client).attemptTimeoutMillis(15_000).build();
    kek = gcp.kek(uri);
  }

  /** {@code projects/P/locations/L/keyRings/R} of a {@code gcp-kms://...cryptoKeys/K} URI. */
  private static String keyRingOf(String uri) {
    String name = uri.substring((GcpKms.SCHEME + "://").length());
    return name.substring(0, name.indexOf("/cryptoKeys/"));
  }

  private static void skipUnless(boolean condition, String why) {
    if (!condition) {
      System.err.println(
          "GcpKmsLiveIT SKIPPED: "
              + why
              + ". Set "
              + KEY_ENV
              + "=gcp-kms://projects/P/locations/L/keyRings/R/cryptoKeys/K and Application Default"
              + " Credentials to run against real Cloud KMS.");
    }
    assumeTrue(condition, "GcpKmsLiveIT skipped: " + why);
  }

  private static boolean hasCredentials() {
    try {
      GoogleCredentials.getApplicationDefault();
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  @AfterAll
  void close() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  void wrapUnwrapAndWrongContext() throws Exception {
    byte[] dek = new byte[32];
    RANDOM.nextBytes(dek);
    WrappedKey w = kek.wrap(dek, CONTEXT);
    assertFalse(w.kekVersion().isEmpty());
    assertArrayEquals(dek, kek.unwrap(w, CONTEXT));

    EncryptionContext other = EncryptionContext.builder().put("recording-id", "other").build();
    GcpKmsException e = assertThrows(GcpKmsException.class, () -> kek.unwrap(w, other));
    assertEquals(StatusCode.Code.INVALID_ARGUMENT, e.code());

    WrappedKey foreign = WrappedKey.create("local://x", "1", "tink-aes256-gcm", w.wrappedBytes());
    assertThrows(NotMyKeyException.class, () -> kek.unwrap(foreign, CONTEXT));
  }

  @Test
  void recordingUnderLocalAndCloudKmsOpensWithEither(@TempDir File dir) throws Exception {
    LocalKms local =
        LocalKms.create(new File(dir, "keys.json"), KeysetProtection.insecurePlaintext(), "live");
    byte[] pcm = new byte[100_000];
    RANDOM.nextBytes(pcm);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RecordingWriter w =
        Recordings.builder().wrapWith(local, kek).build().newWriter(out, CONTEXT)) {
      w.write(pcm, 0, pcm.length);
    }
    byte[] recording = out.toByteArray();

    Recordings viaCloud =
        Recordings.builder()
            .unwrapWith(
                KekRegistry.builder()
                    .register(GcpKms.SCHEME, gcp.resolver(GcpKms.KeyFilter.keyRings(keyRingOf(kek.uri()))))
                    .build())
            .build();
    assertArrayEquals(pcm, read(viaCloud, recording));
    assertArrayEquals(pcm, read(Recordings.builder().unwrapWith(local).build(), recording));
  }

  private static byte[] read(Recordings recordings, byte[] recording) throws Exception {
    try (InputStream in =
        recordings.newInputStream(new ByteArrayInputStream(recording), ReadOptions.defaults())) {
      return in.readAllBytes();
    }
  }
}
