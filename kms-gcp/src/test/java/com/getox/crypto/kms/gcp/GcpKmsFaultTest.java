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
import java.util.concurrent.locks.LockSupport;
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
 *
 * <p>Independent of the machine's speed: calls that must succeed have a 30 s deadline per
 * attempt; a short deadline is used only against {@link Fault#SLOW}, which holds its answer until
 * the client gives up, so it fires on any machine, and where a call must then succeed it has
 * attempts to spare. Server-side call counts are checked against bounds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GcpKmsFaultTest {
  private static final int ATTEMPTS = 3;
  private static final long PATIENT_DEADLINE_MILLIS = 30_000;
  private static final long SHORT_DEADLINE_MILLIS = 1_000;
  /** Attempts for a call that must succeed after a SLOW one under the short deadline. */
  private static final int SPARE_ATTEMPTS = 10;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final EncryptionContext CONTEXT =
      EncryptionContext.builder().put("recording-id", "rec-1").build();

  private CloudKmsFixture kms;
  private String keyName;
  private Kek kek;
  private Kek shortDeadlineKek;
  private Kek shortDeadlineSpareAttemptsKek;
  private byte[] dek;
  private WrappedKey wrapped;

  @BeforeAll
  void start() throws Exception {
    kms = new CloudKmsFixture();
  }

  /**
   * A fresh key for every test, with its own fault queue and call counts on the server: a call of
   * an earlier test (cancelled, or timed out before the server ran it) that reaches the server late
   * lands on that test's key, so it can neither take this test's faults nor change its counts.
   */
  @BeforeEach
  void freshKeyAndOneWrappedKey() throws Exception {
    keyName = kms.newKey();
    String uri = CloudKmsFixture.uri(keyName);
    // A 30 s deadline: a loaded CI machine never misses it on a normal call.
    kek =
        GcpKms.builder(kms.client)
            .maxAttempts(ATTEMPTS)
            .attemptTimeoutMillis(PATIENT_DEADLINE_MILLIS)
            .backoffMillis(5, 20)
            .build()
            .kek(uri);
    // Only the SLOW cases, which wait for the client to give up, use a short deadline.
    shortDeadlineKek =
        GcpKms.builder(kms.client)
            .maxAttempts(ATTEMPTS)
            .attemptTimeoutMillis(SHORT_DEADLINE_MILLIS)
            .backoffMillis(5, 20)
            .build()
            .kek(uri);
    // After one SLOW attempt the call must succeed within the short deadline: on a loaded machine
    // an attempt may miss it, so there are attempts to spare.
    shortDeadlineSpareAttemptsKek =
        GcpKms.builder(kms.client)
            .maxAttempts(SPARE_ATTEMPTS)
            .attemptTimeoutMillis(SHORT_DEADLINE_MILLIS)
            .backoffMillis(5, 20)
            .build()
            .kek(uri);
    dek = new byte[32];
    RANDOM.nextBytes(dek);
    wrapped = kek.wrap(dek, CONTEXT);
  }

  private Kek kekFor(Fault fault) {
    return fault == Fault.SLOW ? shortDeadlineKek : kek;
  }

  /** Asserts that the calls for {@code op} on this test's key grew by {@code min} to {@code max}. */
  private void assertCalls(int min, int max, String op, int before) {
    int calls = calls(op) - before;
    assertTrue(calls >= min && calls <= max, () -> calls + " calls, expected " + min + " to " + max);
  }

  @AfterEach
  void clear() {
    kms.server.clearFaults();
  }

  @AfterAll
  void stop() throws Exception {
    kms.close();
  }

  /** Encrypt ("wrap") or Decrypt ("unwrap") calls the server received on this test's key. */
  private int calls(String op) {
    return kms.server.calls(op.equals("wrap") ? "Encrypt" : "Decrypt", keyName);
  }

  /** Queues {@code fault} for the next {@code times} calls on this test's key. */
  private void inject(Fault fault, int times) {
    kms.server.inject(keyName, fault, times);
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
    inject(fault, 1);
    int before = calls(op);
    boolean slow = fault == Fault.SLOW;
    run(op, slow ? shortDeadlineSpareAttemptsKek : kek);
    assertCalls(2, slow ? SPARE_ATTEMPTS : ATTEMPTS, op, before);
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
    inject(fault, ATTEMPTS);
    int before = calls(op);
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
    // At most one call per attempt. For SLOW no lower bound: on a loaded machine an attempt's
    // deadline can pass before the server has run the call, which it may then run after this line.
    assertCalls(fault == Fault.SLOW ? 0 : ATTEMPTS, ATTEMPTS, op, before);
  }

  @ParameterizedTest(name = "{0} once: retried, and the damaged response is never used")
  @EnumSource(
      value = Fault.class,
      names = {
        "CORRUPT_CIPHERTEXT_CRC", "CORRUPT_CIPHERTEXT", "MISSING_CIPHERTEXT_CRC",
        "UNVERIFIED_PLAINTEXT_CRC", "UNVERIFIED_AAD_CRC", "FOREIGN_VERSION_NAME"
      })
  void encryptIntegrityFaultOnceIsRetried(Fault fault) throws Exception {
    inject(fault, 1);
    int before = calls("wrap");
    run("wrap");
    assertCalls(2, ATTEMPTS, "wrap", before);
  }

  @ParameterizedTest(name = "{0} once: retried, and the damaged plaintext is never returned")
  @EnumSource(
      value = Fault.class,
      names = {"CORRUPT_PLAINTEXT_CRC", "CORRUPT_PLAINTEXT"})
  void decryptIntegrityFaultOnceIsRetried(Fault fault) throws Exception {
    inject(fault, 1);
    int before = calls("unwrap");
    run("unwrap");
    assertCalls(2, ATTEMPTS, "unwrap", before);
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
    inject(fault, ATTEMPTS);
    boolean wrap = fault != Fault.CORRUPT_PLAINTEXT_CRC && fault != Fault.CORRUPT_PLAINTEXT;
    String op = wrap ? "wrap" : "unwrap";
    int before = calls(op);

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
    assertCalls(ATTEMPTS, ATTEMPTS, op, before);
  }

  @ParameterizedTest(name = "request damaged in transit on {0}: retried, then typed")
  @CsvSource({"wrap", "unwrap"})
  void damagedRequestIsRetriedThenAnIntegrityError(String op) throws Exception {
    inject(Fault.CORRUPT_REQUEST, 1);
    int before = calls(op);
    run(op);
    assertCalls(2, ATTEMPTS, op, before);

    inject(Fault.CORRUPT_REQUEST, ATTEMPTS);
    before = calls(op);
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
    assertCalls(ATTEMPTS, ATTEMPTS, op, before);
  }

  @Test
  void transientFaultThenFinalErrorStopsAtTheFinalError() {
    inject(Fault.UNAVAILABLE, 1);
    int before = calls("unwrap");
    EncryptionContext other = EncryptionContext.builder().put("recording-id", "rec-2").build();

    GcpKmsException e = assertThrows(GcpKmsException.class, () -> kek.unwrap(wrapped, other));

    assertEquals(StatusCode.Code.INVALID_ARGUMENT, e.code());
    assertFalse(e.isRetryable());
    assertEquals(before + 2, calls("unwrap"));
  }

  @Test
  void singleAttemptMeansNoRetry() throws Exception {
    Kek once =
        GcpKms.builder(kms.client)
            .maxAttempts(1)
            .attemptTimeoutMillis(PATIENT_DEADLINE_MILLIS)
            .build()
            .kek(kek.uri());
    inject(Fault.UNAVAILABLE, 1);
    int before = calls("unwrap");
    GcpKmsException e = assertThrows(GcpKmsException.class, () -> once.unwrap(wrapped, CONTEXT));
    assertTrue(e.isRetryable());
    assertEquals(before + 1, calls("unwrap"));
    assertArrayEquals(dek, once.unwrap(wrapped, CONTEXT));
  }

  /**
   * An interrupted caller gets a retryable GcpKmsException and keeps its interrupt flag on each
   * of the three paths, each made to happen for certain: already interrupted when it calls (no
   * call is started), the
   * interrupt landing while it waits for an answer (the server holds the call until the client
   * gives up, and the interrupt is sent once the server has it), and the interrupt landing in the
   * backoff between attempts (sent once the caller's stack shows it sleeping there). The code
   * tells which path ran: CANCELLED and "interrupted before calling" for the first, CANCELLED and
   * "interrupted while calling" for the second (the RPC was cancelled), the last attempt's
   * UNAVAILABLE and "interrupted while retrying" for the backoff.
   */
  @Test
  void interruptedBeforeTheCallGetsATypedErrorAndKeepsTheFlag() {
    for (int i = 0; i < 5; i++) {
      kms.server.clearFaults();
      int before = calls("unwrap");
      Thread.currentThread().interrupt();
      try {
        GcpKmsException e = assertThrows(GcpKmsException.class, () -> kek.unwrap(wrapped, CONTEXT));
        assertInterrupted(e, StatusCode.Code.CANCELLED, "interrupted before calling");
        assertCalls(0, 0, "unwrap", before); // an interrupted caller starts no call
      } finally {
        Thread.interrupted();
      }
    }
  }

  @Test
  void interruptWhileWaitingForTheAnswerCancelsTheCall() throws Exception {
    for (int i = 0; i < 5; i++) {
      kms.server.clearFaults();
      kms.server.slowCallsHeld.drainPermits();
      inject(Fault.SLOW, 1);
      Thread caller = Thread.currentThread();
      Thread interrupter =
          new Thread(
              () -> {
                try {
                  if (kms.server.slowCallsHeld.tryAcquire(60, TimeUnit.SECONDS)) {
                    caller.interrupt(); // the server holds the call: the caller is waiting
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      interrupter.start();
      try {
        // kek's deadline is 30 s and SLOW holds the answer for 20 s: only the interrupt ends it.
        GcpKmsException e = assertThrows(GcpKmsException.class, () -> kek.unwrap(wrapped, CONTEXT));
        assertInterrupted(e, StatusCode.Code.CANCELLED, "interrupted while calling");
      } finally {
        joinClearingTheFlag(interrupter);
      }
    }
  }

  @Test
  void interruptDuringTheBackoffEndsTheRetries() throws Exception {
    // A backoff of 30 to 60 s: the interrupt, not the clock, ends it.
    Kek patientBackoff =
        GcpKms.builder(kms.client)
            .maxAttempts(ATTEMPTS)
            .attemptTimeoutMillis(PATIENT_DEADLINE_MILLIS)
            .backoffMillis(60_000, 60_000)
            .build()
            .kek(kek.uri());
    for (int i = 0; i < 3; i++) {
      kms.server.clearFaults();
      inject(Fault.UNAVAILABLE, ATTEMPTS);
      int before = calls("unwrap");
      Thread caller = Thread.currentThread();
      Thread interrupter =
          new Thread(
              () -> {
                long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!sleepingInBackoff(caller) && System.nanoTime() < giveUp) {
                  LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // polls a condition
                }
                caller.interrupt();
              });
      interrupter.start();
      try {
        GcpKmsException e = assertThrows(GcpKmsException.class, () -> patientBackoff.unwrap(wrapped, CONTEXT));
        assertInterrupted(e, StatusCode.Code.UNAVAILABLE, "interrupted while retrying");
        assertCalls(1, 1, "unwrap", before);
      } finally {
        joinClearingTheFlag(interrupter);
      }
    }
  }

  /** Waits for {@code t} to end, then clears this thread's interrupt flag (set by {@code t}). */
  private static void joinClearingTheFlag(Thread t) {
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        // The interrupt the test sent (and Ox kept): clear it, keep waiting.
      }
    }
    Thread.interrupted();
  }

  private static boolean sleepingInBackoff(Thread t) {
    if (t.getState() != Thread.State.TIMED_WAITING) {
      return false;
    }
    for (StackTraceElement f : t.getStackTrace()) {
      if (f.getClassName().equals(GcpKms.class.getName()) && f.getMethodName().equals("sleepBeforeAttempt")) {
        return true;
      }
    }
    return false;
  }

  private static void assertInterrupted(GcpKmsException e, StatusCode.Code code, String path) {
    assertEquals(code, e.code(), e::toString);
    assertTrue(e.getMessage().startsWith(path), () -> "expected the '" + path + "' path: " + e.getMessage());
    assertTrue(e.isRetryable());
    assertFalse(e instanceof GcpKmsIntegrityException);
    assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag is kept");
  }
}
