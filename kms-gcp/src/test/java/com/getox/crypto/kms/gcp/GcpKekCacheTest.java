package com.getox.crypto.kms.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.WrappedKey;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The primary-version cache of {@link GcpKek#isCurrent} under a clock the test moves: the version
 * an Encrypt or GetCryptoKey showed is trusted for exactly {@code primaryVersionCacheMillis}
 * (the boundary included in the refresh), then asked again; the clock is never read as wall time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GcpKekCacheTest {
  static final EncryptionContext CONTEXT = EncryptionContext.builder().put("user-id", "u").build();
  static final long CACHE_MILLIS = 60_000;
  static final long CACHE_NANOS = TimeUnit.MILLISECONDS.toNanos(CACHE_MILLIS);

  private CloudKmsFixture kms;

  @BeforeAll
  void start() throws Exception {
    kms = new CloudKmsFixture();
  }

  @AfterAll
  void stop() {
    kms.close();
  }

  @Test
  void aPrimaryVersionIsTrustedForExactlyTheCachePeriod() throws Exception {
    // Start near the top of the long range: the age is computed as a difference, so the cache
    // must also work when the clock wraps.
    AtomicLong clock = new AtomicLong(Long.MAX_VALUE - CACHE_NANOS / 2);
    GcpKms gcp = GcpKms.builder(kms.client).primaryVersionCacheMillis(CACHE_MILLIS).nanoClock(clock::get).build();
    String key = kms.newKey();
    Kek kek = gcp.kek(CloudKmsFixture.uri(key));
    WrappedKey v1 = kek.wrap(new byte[32], CONTEXT); // Encrypt shows primary 1 at time t0
    assertEquals("1", v1.kekVersion());
    kms.rotate(key); // now 2 is primary; the KEK does not know yet

    clock.addAndGet(CACHE_NANOS - 1);
    assertTrue(kek.isCurrent(v1), "within the cache period the KEK trusts what it saw");
    clock.addAndGet(1);
    assertFalse(kek.isCurrent(v1), "at the end of the period it asks GetCryptoKey again");

    // What GetCryptoKey showed (2, at t1) is in turn trusted for the period, then refreshed.
    kms.rotate(key); // 3
    WrappedKey v2 = WrappedKey.create(v1.kekUri(), "2", v1.algorithm(), v1.wrappedBytes());
    clock.addAndGet(CACHE_NANOS - 1);
    assertTrue(kek.isCurrent(v2));
    clock.addAndGet(1);
    assertFalse(kek.isCurrent(v2));
    WrappedKey v3 = WrappedKey.create(v1.kekUri(), "3", v1.algorithm(), v1.wrappedBytes());
    assertTrue(kek.isCurrent(v3));
  }

  @Test
  void aZeroPeriodAsksEveryTimeAndAStoppedClockNeverExpires() throws Exception {
    AtomicLong clock = new AtomicLong(0);
    String key = kms.newKey();
    String uri = CloudKmsFixture.uri(key);
    Kek never = GcpKms.builder(kms.client).primaryVersionCacheMillis(0).nanoClock(clock::get).build().kek(uri);
    Kek frozen = GcpKms.builder(kms.client).primaryVersionCacheMillis(CACHE_MILLIS).nanoClock(clock::get).build().kek(uri);
    WrappedKey v1 = frozen.wrap(new byte[32], CONTEXT);
    assertTrue(never.isCurrent(v1));
    kms.rotate(key);
    assertFalse(never.isCurrent(v1), "no cache: the rotation shows at once, same clock reading");
    assertTrue(frozen.isCurrent(v1), "the clock has not moved: still cached");
    clock.addAndGet(TimeUnit.DAYS.toNanos(1));
    assertFalse(frozen.isCurrent(v1));
  }
}
