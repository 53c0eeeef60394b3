package com.getox.crypto.kms.aws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.KmsException;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.kms.aws.LocalKmsServer.Fault;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Every injected fault ends in a successful SDK retry (when it stops before the attempts run out)
 * or a typed, retryable {@link KmsException} after exactly the bounded number of attempts. Each
 * case runs under a hang guard.
 */
class FaultInjectionTest extends KmsTestSupport {
  static final int MAX_ATTEMPTS = 3;
  static final Duration HANG_GUARD = Duration.ofSeconds(60);
  static final EncryptionContext CTX = EncryptionContext.builder().put("recording-id", "rec-9").build();

  KmsClient fast;
  Kek kek;
  byte[] dek;
  WrappedKey wrapped;

  @BeforeEach
  void setUp() throws Exception {
    fast =
        track(
            AwsKms.clientBuilder()
                .region(REGION)
                .endpointOverride(server.endpoint())
                .credentialsProvider(credentials)
                .connectTimeoutMillis(1_000)
                .callAttemptTimeoutMillis(500)
                .callTimeoutMillis(15_000)
                .maxAttempts(MAX_ATTEMPTS)
                .build());
    kek = AwsKms.kek(uri(createKey(kms)), fast);
    dek = randomDek();
    wrapped = kek.wrap(dek, CTX);
    server.slowMillis(2_500);
  }

  @ParameterizedTest(name = "{0} twice, then served: the SDK retries")
  @CsvSource({
    "THROTTLE", "INTERNAL_ERROR", "DEPENDENCY_TIMEOUT", "KEY_UNAVAILABLE", "BAD_GATEWAY_HTML",
    "SLOW", "DROP_CONNECTION", "MALFORMED_BODY"
  })
  void transientFaultIsRetried(Fault fault) {
    int before = server.requests("Decrypt");
    server.inject(fault, MAX_ATTEMPTS - 1);

    byte[] got = assertTimeoutPreemptively(HANG_GUARD, () -> kek.unwrap(wrapped, CTX));

    assertArrayEquals(dek, got);
    assertTrue(server.requests("Decrypt") - before >= MAX_ATTEMPTS, "each fault cost an attempt");
  }

  @ParameterizedTest(name = "{0} on every attempt: retryable KmsException naming {1}")
  @CsvSource({
    "THROTTLE, ThrottlingException",
    "INTERNAL_ERROR, KMSInternalException",
    "DEPENDENCY_TIMEOUT, DependencyTimeoutException",
    "KEY_UNAVAILABLE, KeyUnavailableException",
    "BAD_GATEWAY_HTML, 502",
    "SLOW, timeout",
    "DROP_CONNECTION, Unexpected end of file",
    "MALFORMED_BODY, Unable to unmarshall"
  })
  void persistentFaultEndsAsRetryableErrorAfterBoundedAttempts(Fault fault, String expected) {
    int before = server.requests("Decrypt");
    server.inject(fault, 100);

    KmsException e =
        assertTimeoutPreemptively(HANG_GUARD, () -> assertThrows(KmsException.class, () -> kek.unwrap(wrapped, CTX)));

    assertTrue(e.isRetryable(), e::toString);
    assertTrue(e.getMessage().contains(expected), e::getMessage);
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertFalse(String.valueOf(t.getMessage()).contains(LocalKmsServer.MALFORMED_PLAINTEXT_BASE64), "no unwrapped bytes in messages");
    }
    int attempts = server.requests("Decrypt") - before;
    // The JDK resends a POST once on a dropped connection, so DROP_CONNECTION may double.
    int most = fault == Fault.DROP_CONNECTION ? 2 * MAX_ATTEMPTS : MAX_ATTEMPTS;
    assertTrue(attempts >= MAX_ATTEMPTS && attempts <= most, () -> attempts + " attempts for " + fault);

    server.clearFaults();
    assertArrayEquals(dek, assertTimeoutPreemptively(HANG_GUARD, () -> kek.unwrap(wrapped, CTX)), "client recovers");
  }

  @Test
  void wrapIsRetriedLikeUnwrap() throws Exception {
    server.inject(Fault.THROTTLE, 1);
    server.inject(Fault.DROP_CONNECTION, 1);
    WrappedKey w = assertTimeoutPreemptively(HANG_GUARD, () -> kek.wrap(dek, CTX));
    assertArrayEquals(dek, kek.unwrap(w, CTX));
  }

  @Test
  void callTimeoutBoundsTheWholeCall() {
    KmsClient impatient =
        track(
            AwsKms.clientBuilder()
                .region(REGION)
                .endpointOverride(server.endpoint())
                .credentialsProvider(credentials)
                .callAttemptTimeoutMillis(800)
                .callTimeoutMillis(1_000)
                .maxAttempts(10)
                .build());
    Kek slow = AwsKms.kek(kek.uri(), impatient);
    server.inject(Fault.SLOW, 100);

    KmsException e =
        assertTimeoutPreemptively(HANG_GUARD, () -> assertThrows(KmsException.class, () -> slow.unwrap(wrapped, CTX)));

    assertTrue(e.isRetryable());
    assertTrue(e.getMessage().contains("timeout"), e::getMessage);
    assertTrue(server.requests("Decrypt") < 10, "the call timeout ended the retries");
  }

  @Test
  void refusedConnectionIsRetryable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    KmsClient nowhere =
        track(
            AwsKms.clientBuilder()
                .region(REGION)
                .endpointOverride(URI.create("http://127.0.0.1:" + port))
                .credentialsProvider(credentials)
                .maxAttempts(2)
                .build());
    KmsException e =
        assertTimeoutPreemptively(
            HANG_GUARD,
            () -> assertThrows(KmsException.class, () -> AwsKms.kek(kek.uri(), nowhere).unwrap(wrapped, CTX)));
    assertTrue(e.isRetryable(), e::toString);
  }

  @Test
  void finalErrorsAreNotRetried() {
    int before = server.requests("Decrypt");
    assertTimeoutPreemptively(
        HANG_GUARD,
        () -> assertKmsError("InvalidCiphertextException", false, () -> kek.unwrap(wrapped, EncryptionContext.empty())));
    assertEquals(1, server.requests("Decrypt") - before);
  }
}
