package com.getox.crypto.kms.gcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.kms.gcp.InProcessCloudKms.Fault;
import com.google.api.gax.rpc.StatusCode;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every injected fault ends in a successful retry or in the right typed error, within bounded
 * attempts; the class-level timeout turns a hang into a failure.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GcpKmsFaultTest {
  private static final int ATTEMPTS = 3;
  private static final long SHORT_DEADLINE_MILLIS = 1_500;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final EncryptionContext CONTEXT =
      EncryptionContext.builder().put("recording-id", "rec-1").build();

  private CloudKmsFixture kms;
  private Kek kek;
  private Kek shortDeadlineKek;
  private byte[] dek;
  private WrappedKey wrapped;

  @BeforeAll
  void start() throws Exception {
    kms = new CloudKmsFixture();
    String uri = CloudKmsFixture.uri(kms.newKey());
    // The default 10 s deadline: a loaded CI machine never misses it on a normal call.
    kek = GcpKms.builder(kms.client).maxAttempts(ATTEMPTS).backoffMillis(5, 20).build().kek(uri);
    // Only the SLOW cases, which wait for the client to give up, use a short deadline.
    shortDeadlineKek =
        GcpKms.builder(kms.client)
            .maxAttempts(ATTEMPTS)
            .attemptTimeoutMillis(SHORT_DEADLINE_MILLIS)
            .backoffMillis(5, 20)
            .build()
            .kek(uri);
  }

  private Kek kekFor(Fault fault) {
    return fault == Fault.SLOW ? shortDeadlineKek : kek;
  }

  @BeforeEach
  void wrapOne() throws Exception {
    dek = new byte[32];
    RANDOM.nextBytes(dek);
    wrapped = kek.wrap(dek, CONTEXT);
  }

  @AfterEach
  void clear() {
    kms.server.clearFaults();
  }

  @AfterAll
  void stop() throws Exception {
    kms.close();
  }

  private AtomicInteger calls(String op) {
    return op.equals("wrap") ? kms.server.encryptCalls : kms.server.decryptCalls;
  }

  /** Runs {@code op} and, for a wrap, checks that the result really unwraps to a fresh DEK. */
  private void run(String op) throws Exception {
    run(op, kek);
  }

  private void run(String op, Kek k) throws Exception {
    if (op.equals("wrap")) {
      byte[] fresh = new byte[32];
      RANDOM.nextBytes(fresh);
      WrappedKey w = k.wrap(fresh, CONTEXT);
      kms.server.clearFaults();
      assertArrayEquals(fresh, kek.unwrap(w, CONTEXT));
    } else {
      assertArrayEquals(dek, k.unwrap(wrapped, CONTEXT));
    }
  }

  @ParameterizedTest(name = "{0} once on {1}: retried, then succeeds")
  @CsvSource({
    "UNAVAILABLE, wrap", "UNAVAILABLE, unwrap",
    "RESOURCE_EXHAUSTED, wrap", "RESOURCE_EXHAUSTED, unwrap",
    "SLOW, wrap", "SLOW, unwrap",
  })
  void transientFaultOnceIsRetried(Fault fault, String op) throws Exception {
    kms.server.inject(fault, 1);
    int before = calls(op).get();
    run(op, kekFor(fault));
    assertEquals(before + 2, calls(op).get());
  }

  @ParameterizedTest(name = "{0} on every attempt of {1}: retryable {2}")
  @CsvSource({
    "UNAVAILABLE, wrap, UNAVAILABLE", "UNAVAILABLE, unwrap, UNAVAILABLE",
    "RESOURCE_EXHAUSTED, wrap, RESOURCE_EXHAUSTED",
        "RESOURCE_EXHAUSTED, unwrap, RESOURCE_EXHAUSTED",
    "SLOW, wrap, DEADLINE_EXCEEDED", "SLOW, unwrap, DEADLINE_EXCEEDED",
  })
  void persistentTransientFaultEndsRetryableAfterBoundedAttempts(
      Fault fault, String op, StatusCode.Code expected) {
    kms.server.inject(fault, ATTEMPTS);
    int before = calls(op).get();
    Kek k = kekFor(fault);

    GcpKmsException e =
        assertThrows(
            GcpKmsException.class,
            () -> {
              if (op.equals("wrap")) {
                k.wrap(dek, CONTEXT);
              } else {
                k.unwrap(wrapped, CONTEXT);
              }
            });

    assertEquals(expected, e.code());
    assertTrue(e.isRetryable());
    assertFalse(e instanceof GcpKmsIntegrityException);
    assertTrue(e.getMessage().contains("after " + ATTEMPTS + " attempts"), e.getMessage());
    assertEquals(before + ATTEMPTS, calls(op).get());
  }

  @ParameterizedTest(name = "{0} once: retried, and the damaged response is never used")
  @EnumSource(
      value = Fault.class,
      names = {
        "CORRUPT_CIPHERTEXT_CRC", "CORRUPT_CIPHERTEXT", "MISSING_CIPHERTEXT_CRC",
        "UNVERIFIED_PLAINTEXT_CRC", "UNVERIFIED_AAD_CRC", "FOREIGN_VERSION_NAME"
      })
  void encryptIntegrityFaultOnceIsRetried(Fault fault) throws Exception {
    kms.server.inject(fault, 1);
    int before = kms.server.encryptCalls.get();
    run("wrap");
    assertEquals(before + 2, kms.server.encryptCalls.get());
  }

  @ParameterizedTest(name = "{0} once: retried, and the damaged plaintext is never returned")
  @EnumSource(
      value = Fault.class,
      names = {"CORRUPT_PLAINTEXT_CRC", "CORRUPT_PLAINTEXT"})
  void decryptIntegrityFaultOnceIsRetried(Fault fault) throws Exception {
    kms.server.inject(fault, 1);
    int before = kms.server.decryptCalls.get();
    run("unwrap");
    assertEquals(before + 2, kms.server.decryptCalls.get());
  }

  @ParameterizedTest(name = "{0} on every attempt: GcpKmsIntegrityException")
  @EnumSource(
      value = Fault.class,
      names = {
        "CORRUPT_CIPHERTEXT_CRC", "CORRUPT_CIPHERTEXT", "MISSING_CIPHERTEXT_CRC",
        "UNVERIFIED_PLAINTEXT_CRC", "UNVERIFIED_AAD_CRC", "FOREIGN_VERSION_NAME",
        "CORRUPT_PLAINTEXT_CRC", "CORRUPT_PLAINTEXT"
      })
  void persistentIntegrityFaultIsATypedIntegrityError(Fault fault) {
    kms.server.inject(fault, ATTEMPTS);
    boolean wrap = fault != Fault.CORRUPT_PLAINTEXT_CRC && fault != Fault.CORRUPT_PLAINTEXT;
    AtomicInteger counter = wrap ? kms.server.encryptCalls : kms.server.decryptCalls;
    int before = counter.get();

    GcpKmsIntegrityException e =
        assertThrows(
            GcpKmsIntegrityException.class,
            () -> {
              if (wrap) {
                kek.wrap(dek, CONTEXT);
              } else {
                kek.unwrap(wrapped, CONTEXT);
              }
            });

    assertEquals(StatusCode.Code.DATA_LOSS, e.code());
    assertFalse(e.isRetryable());
    assertTrue(e.getMessage().contains("on all " + ATTEMPTS + " attempts"), e.getMessage());
    assertEquals(before + ATTEMPTS, counter.get());
  }

  @ParameterizedTest(name = "request damaged in transit on {0}: retried, then typed")
  @CsvSource({"wrap", "unwrap"})
  void damagedRequestIsRetriedThenAnIntegrityError(String op) throws Exception {
    kms.server.inject(Fault.CORRUPT_REQUEST, 1);
    int before = calls(op).get();
    run(op);
    assertEquals(before + 2, calls(op).get());

    kms.server.inject(Fault.CORRUPT_REQUEST, ATTEMPTS);
    before = calls(op).get();
    GcpKmsIntegrityException e =
        assertThrows(
            GcpKmsIntegrityException.class,
            () -> {
              if (op.equals("wrap")) {
                kek.wrap(dek, CONTEXT);
              } else {
                kek.unwrap(wrapped, CONTEXT);
              }
            });
    assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    assertEquals(before + ATTEMPTS, calls(op).get());
  }

  @Test
  void transientFaultThenFinalErrorStopsAtTheFinalError() {
    kms.server.inject(Fault.UNAVAILABLE, 1);
    int before = kms.server.decryptCalls.get();
    EncryptionContext other = EncryptionContext.builder().put("recording-id", "rec-2").build();

    GcpKmsException e = assertThrows(GcpKmsException.class, () -> kek.unwrap(wrapped, other));

    assertEquals(StatusCode.Code.INVALID_ARGUMENT, e.code());
    assertFalse(e.isRetryable());
    assertEquals(before + 2, kms.server.decryptCalls.get());
  }

  @Test
  void singleAttemptMeansNoRetry() throws Exception {
    Kek once = GcpKms.builder(kms.client).maxAttempts(1).build().kek(kek.uri());
    kms.server.inject(Fault.UNAVAILABLE, 1);
    int before = kms.server.decryptCalls.get();
    GcpKmsException e = assertThrows(GcpKmsException.class, () -> once.unwrap(wrapped, CONTEXT));
    assertTrue(e.isRetryable());
    assertEquals(before + 1, kms.server.decryptCalls.get());
    assertArrayEquals(dek, once.unwrap(wrapped, CONTEXT));
  }

  /**
   * An interrupted caller gets a retryable GcpKmsException and keeps its interrupt flag, whether
   * the interrupt lands while gax waits for the call or during the backoff sleep.
   */
  @Test
  void interruptedCallerGetsATypedErrorAndKeepsTheFlag() {
    for (int i = 0; i < 20; i++) {
      kms.server.clearFaults();
      kms.server.inject(Fault.UNAVAILABLE, ATTEMPTS);
      Thread.currentThread().interrupt();
      try {
        GcpKmsException e = assertThrows(GcpKmsException.class, () -> kek.unwrap(wrapped, CONTEXT));
        assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
        assertTrue(e.isRetryable());
        assertTrue(Thread.currentThread().isInterrupted());
      } finally {
        Thread.interrupted();
      }
    }
  }
}
