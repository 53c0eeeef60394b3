package com.getox.crypto.kms.aws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.KmsException;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.kms.aws.LocalKmsServer.Fault;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Every injected fault ends in a successful SDK retry (when it stops before the attempts run out)
 * or a typed, retryable {@link KmsException} after a bounded number of attempts. Each case runs
 * under a hang guard.
 *
 * <p>Nothing here depends on the machine's speed: calls that must succeed have generous timeouts
 * (30 s per attempt); the only short timeouts are on a server that never answers ({@link
 * Fault#HANG}), where they fire however slow the machine is. Errors are checked by type (the SDK
 * exception under the {@link KmsException}, its AWS error code or HTTP status, a timeout or I/O
 * exception in the cause chain), never by the wording of a JDK or SDK message; attempts are
 * checked against bounds, since a retry on a loaded machine adds one.
 */
class FaultInjectionTest extends KmsTestSupport {
  static final int MAX_ATTEMPTS = 3;
  /** Only catches a hang: every call here ends long before. */
  static final Duration HANG_GUARD = Duration.ofSeconds(150);
  /** Per-attempt timeout against {@link Fault#HANG}: it fires whatever the machine's speed. */
  static final long HANG_ATTEMPT_MILLIS = 500;
  static final EncryptionContext CTX = EncryptionContext.builder().put("recording-id", "rec-9").build();

  /** Generous timeouts: for calls that must succeed, and faults that answer. */
  Kek kek;
  byte[] dek;
  WrappedKey wrapped;

  @BeforeEach
  void setUp() throws Exception {
    kek = AwsKms.kek(uri(createKey(kms)), patient(MAX_ATTEMPTS));
    dek = randomDek();
    wrapped = kek.wrap(dek, CTX);
  }

  private KmsClient patient(int maxAttempts) {
    return track(
        AwsKms.clientBuilder()
            .region(REGION)
            .endpointOverride(server.endpoint())
            .credentialsProvider(credentials)
            .connectTimeoutMillis(10_000)
            .callAttemptTimeoutMillis(30_000)
            .callTimeoutMillis(100_000)
            .maxAttempts(maxAttempts)
            .build());
  }

  /** A short attempt timeout, for {@link Fault#HANG} only. */
  private Kek impatient(int maxAttempts, long callTimeoutMillis) {
    KmsClient c =
        track(
            AwsKms.clientBuilder()
                .region(REGION)
                .endpointOverride(server.endpoint())
                .credentialsProvider(credentials)
                .connectTimeoutMillis(10_000)
                .callAttemptTimeoutMillis(HANG_ATTEMPT_MILLIS)
                .callTimeoutMillis(callTimeoutMillis)
                .maxAttempts(maxAttempts)
                .build());
    return AwsKms.kek(kek.uri(), c);
  }

  @ParameterizedTest(name = "{0} twice, then served: the SDK retries")
  @EnumSource(
      value = Fault.class,
      names = {
        "THROTTLE", "INTERNAL_ERROR", "DEPENDENCY_TIMEOUT", "KEY_UNAVAILABLE", "BAD_GATEWAY_HTML",
        "DROP_CONNECTION", "MALFORMED_BODY"
      })
  void transientFaultIsRetried(Fault fault) {
    int before = server.requests("Decrypt");
    server.inject(fault, MAX_ATTEMPTS - 1);

    byte[] got = assertTimeoutPreemptively(HANG_GUARD, () -> kek.unwrap(wrapped, CTX));

    assertArrayEquals(dek, got);
    assertTrue(server.requests("Decrypt") - before >= MAX_ATTEMPTS, "each fault cost an attempt");
  }

  @Test
  void hangingAttemptsTimeOutAndTheRetrySucceeds() {
    // Up to 10 attempts: the served one must fit in the short attempt timeout, and on a loaded
    // machine it may not the first time; the two HANGs always cost their attempts.
    Kek k = impatient(10, 100_000);
    int before = server.requests("Decrypt");
    server.inject(Fault.HANG, 2);

    byte[] got = assertTimeoutPreemptively(HANG_GUARD, () -> k.unwrap(wrapped, CTX));

    assertArrayEquals(dek, got);
    int attempts = server.requests("Decrypt") - before;
    assertTrue(attempts >= 3 && attempts <= 10, () -> attempts + " attempts");
  }

  @ParameterizedTest(name = "{0} on every attempt: retryable KmsException, cause {1}")
  @CsvSource({
    "THROTTLE, ThrottlingException",
    "INTERNAL_ERROR, KMSInternalException",
    "DEPENDENCY_TIMEOUT, DependencyTimeoutException",
    "KEY_UNAVAILABLE, KeyUnavailableException",
    "BAD_GATEWAY_HTML, HTTP 502",
    "DROP_CONNECTION, I/O error",
    "MALFORMED_BODY, unreadable answer",
  })
  void persistentFaultEndsAsRetryableErrorAfterBoundedAttempts(Fault fault, String expected) {
    int before = server.requests("Decrypt");
    server.inject(fault, 100);

    KmsException e =
        assertTimeoutPreemptively(HANG_GUARD, () -> assertThrows(KmsException.class, () -> kek.unwrap(wrapped, CTX)));

    assertTrue(e.isRetryable(), e::toString);
    AwsServiceException service = cause(e, AwsServiceException.class);
    switch (fault) {
      case BAD_GATEWAY_HTML:
        assertNotNull(service, e::toString);
        assertEquals(502, service.statusCode(), e::toString);
        break;
      case DROP_CONNECTION:
        assertNull(service, e::toString);
        assertNotNull(cause(e, SdkClientException.class), e::toString);
        assertNotNull(cause(e, IOException.class), e::toString);
        break;
      case MALFORMED_BODY:
        // An HTTP 200 whose JSON breaks off: a client-side failure to read the answer.
        assertNull(service, e::toString);
        assertNotNull(cause(e, SdkClientException.class), e::toString);
        assertNull(cause(e, SocketTimeoutException.class), e::toString);
        break;
      default:
        assertNotNull(service, e::toString);
        assertEquals(expected, service.awsErrorDetails().errorCode(), e::toString);
        assertTrue(e.getMessage().contains(expected), "Ox's message names the AWS error code: " + e.getMessage());
    }
    assertNoPlaintextInMessages(e);
    int attempts = server.requests("Decrypt") - before;
    // The JDK resends a POST once on a dropped connection, so DROP_CONNECTION may double.
    int most = fault == Fault.DROP_CONNECTION ? 2 * MAX_ATTEMPTS : MAX_ATTEMPTS;
    assertTrue(attempts >= MAX_ATTEMPTS && attempts <= most, () -> attempts + " attempts for " + fault);

    server.clearFaults();
    assertArrayEquals(dek, assertTimeoutPreemptively(HANG_GUARD, () -> kek.unwrap(wrapped, CTX)), "client recovers");
  }

  @Test
  void persistentHangEndsAsRetryableTimeoutAfterBoundedAttempts() {
    Kek k = impatient(MAX_ATTEMPTS, 100_000);
    int before = server.requests("Decrypt");
    server.inject(Fault.HANG, 100);

    KmsException e =
        assertTimeoutPreemptively(
            HANG_GUARD,
            () -> {
              KmsException thrown = assertThrows(KmsException.class, () -> k.unwrap(wrapped, CTX));
              assertFalse(Thread.currentThread().isInterrupted(), "a timeout is not an interrupt of the caller");
              return thrown;
            });

    assertTrue(e.isRetryable(), e::toString);
    assertTrue(
        cause(e, ApiCallAttemptTimeoutException.class) != null
            || cause(e, ApiCallTimeoutException.class) != null
            || cause(e, SocketTimeoutException.class) != null,
        () -> "a timeout in the causes of " + e);
    assertNull(cause(e, AwsServiceException.class), e::toString);
    // At most one request per attempt. (No lower bound: on a loaded machine an attempt can time out
    // before the server has read its request, which it may then read after this line.)
    int requests = server.requests("Decrypt") - before;
    assertTrue(requests <= MAX_ATTEMPTS, () -> requests + " requests");

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
    // Ten attempts of 500 ms cannot fit in a 1 s call: the call timeout ends the retries, on any
    // machine, since every attempt against HANG lasts its whole attempt timeout.
    Kek slow = impatient(10, 1_000);
    int before = server.requests("Decrypt");
    server.inject(Fault.HANG, 100);

    KmsException e =
        assertTimeoutPreemptively(HANG_GUARD, () -> assertThrows(KmsException.class, () -> slow.unwrap(wrapped, CTX)));

    assertTrue(e.isRetryable());
    assertNotNull(cause(e, ApiCallTimeoutException.class), e::toString);
    assertTrue(server.requests("Decrypt") - before < 10, "the call timeout ended the retries");
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
    assertNull(cause(e, AwsServiceException.class), e::toString);
  }

  @Test
  void finalErrorsAreNotRetried() {
    int before = server.requests("Decrypt");
    assertTimeoutPreemptively(
        HANG_GUARD,
        () -> assertKmsError("InvalidCiphertextException", false, () -> kek.unwrap(wrapped, EncryptionContext.empty())));
    // With 30 s attempts nothing times out: the one request is the only attempt.
    assertEquals(1, server.requests("Decrypt") - before);
  }

  private static void assertNoPlaintextInMessages(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertFalse(
          String.valueOf(t.getMessage()).contains(LocalKmsServer.MALFORMED_PLAINTEXT_BASE64), "no unwrapped bytes in messages");
      for (Throwable s : t.getSuppressed()) {
        assertFalse(
            String.valueOf(s.getMessage()).contains(LocalKmsServer.MALFORMED_PLAINTEXT_BASE64), "no unwrapped bytes in messages");
      }
    }
  }
}
