package com.getox.crypto.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.getox.crypto.DekCache;
import com.getox.crypto.NoUsableKeyException;
import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.WrappedKey;
import java.security.GeneralSecurityException;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import com.getox.crypto.EncryptionContext;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingHeader;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.TestKeks;
import com.getox.crypto.audit.AuditEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DekCacheTest {
  static final EncryptionContext USER_A =
      EncryptionContext.builder().put("user-id", "a").put("data-class", "Restricted").build();
  static final EncryptionContext USER_B =
      EncryptionContext.builder().put("user-id", "b").put("data-class", "Restricted").build();

  final CountingKek kek = new CountingKek(TestKeks.newLocalKms("cache"));
  final AtomicLong clock = new AtomicLong();
  final List<AuditEvent> events = new ArrayList<>();

  Recordings recordings(DekCache cache) {
    return Recordings.builder()
        .wrapWith(kek)
        .dekCache(cache)
        .auditSink(
            e -> {
              synchronized (events) {
                events.add(e);
              }
            })
        .build();
  }

  DekCache cache(long maxAgeMillis, long maxRecordings, long maxBytes) {
    return DekCache.builder()
        .maxAgeMillis(maxAgeMillis)
        .maxRecordings(maxRecordings)
        .maxBytes(maxBytes)
        .nanoClock(clock::get)
        .servesReaders(true)
        .build();
  }

  static byte[] record(Recordings r, EncryptionContext ctx, int bytes) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RecordingWriter w = r.newWriter(out, ctx)) {
      w.write(new byte[bytes]);
    }
    return out.toByteArray();
  }

  static RecordingHeader header(byte[] rec) throws Exception {
    return RecordingHeader.read(new ByteArrayInputStream(rec), ReadOptions.defaults());
  }

  long count(AuditEvent.Operation op) {
    return events.stream().filter(e -> e.operation() == op).count();
  }

  @Test
  void aHitMakesNoKmsCallAndEveryRecordingStillOpens() throws Exception {
    Recordings r = recordings(cache(60_000, 100, 1 << 30));
    List<byte[]> recs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      recs.add(record(r, USER_A, 1000 + i));
    }
    assertEquals(1, kek.wraps.get(), "one KMS wrap for ten recordings");
    assertEquals(9, count(AuditEvent.Operation.CACHE_HIT));
    assertEquals(1, count(AuditEvent.Operation.CACHE_MISS));
    assertEquals(
        header(recs.get(0)).wrappedKeys(), header(recs.get(9)).wrappedKeys(), "same wrapped DEK");
    assertNotEquals(header(recs.get(0)).headerIdHex(), header(recs.get(9)).headerIdHex());
    for (byte[] rec : recs) {
      try (InputStream in = r.newInputStream(new ByteArrayInputStream(rec), ReadOptions.defaults())) {
        while (in.read() >= 0) {}
      }
    }
  }

  @Test
  void partitionsNeverShareAKeyAcrossUsers() throws Exception {
    Recordings r = recordings(cache(60_000, 100, 1 << 30));
    byte[] a = record(r, USER_A, 10);
    byte[] b = record(r, USER_B, 10);
    assertEquals(2, kek.wraps.get());
    assertNotEquals(header(a).wrappedKeys(), header(b).wrappedKeys());
  }

  @Test
  void eachLimitRetiresTheKey() throws Exception {
    DekCache byCount = cache(60_000, 3, 1 << 30);
    Recordings r = recordings(byCount);
    for (int i = 0; i < 7; i++) {
      record(r, USER_A, 10);
    }
    assertEquals(3, kek.wraps.get(), "3 recordings per key: keys for 1-3, 4-6, 7");

    kek.wraps.set(0);
    Recordings byBytes = recordings(cache(60_000, 100, 25_000));
    for (int i = 0; i < 4; i++) {
      record(byBytes, USER_A, 10_000); // the key retires once 25 000 bytes are used
    }
    assertEquals(2, kek.wraps.get());

    kek.wraps.set(0);
    Recordings byAge = recordings(cache(1_000, 100, 1 << 30));
    record(byAge, USER_A, 10);
    clock.addAndGet(999_000_000L);
    record(byAge, USER_A, 10);
    assertEquals(1, kek.wraps.get());
    clock.addAndGet(2_000_000L);
    record(byAge, USER_A, 10);
    assertEquals(2, kek.wraps.get(), "past max age a new key is generated");
  }

  static void readAll(Recordings r, byte[] rec) throws Exception {
    try (InputStream in = r.newInputStream(new ByteArrayInputStream(rec), ReadOptions.defaults())) {
      in.readAllBytes();
    }
  }

  @Test
  void readersHitTooOncePerDataKey() throws Exception {
    Recordings writer = recordings(cache(60_000, 100, 1 << 30));
    List<byte[]> recs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      recs.add(record(writer, USER_A, 100 + i));
    }
    for (byte[] rec : recs) {
      readAll(writer, rec);
    }
    assertEquals(0, kek.unwraps.get(), "the writer's own cache knows the key it wrapped");

    Recordings reader = recordings(cache(60_000, 100, 1 << 30)); // another process's cache
    events.clear();
    for (byte[] rec : recs) {
      readAll(reader, rec);
    }
    assertEquals(1, kek.unwraps.get(), "one KMS unwrap for ten recordings sharing a data key");
    assertEquals(9, count(AuditEvent.Operation.CACHE_HIT), "every hit is audited");
    assertEquals(1, count(AuditEvent.Operation.UNWRAP));
  }

  @Test
  void aReadersHitStillChecksTheCommitmentAndAges() throws Exception {
    DekCache c = cache(1_000, 100, 1 << 30);
    Recordings r = recordings(c);
    byte[] one = record(r, USER_A, 100);
    byte[] two = record(r, USER_A, 100);
    // The same cached data key, but the body of one recording under the header of the other:
    // the cached key fails the commitment, the KMS is asked, and the splice is still refused.
    int headerBytes = header(one).toByteArray().length;
    byte[] spliced = one.clone();
    System.arraycopy(two, headerBytes, spliced, headerBytes, two.length - headerBytes);
    assertThrows(com.getox.crypto.AuthenticationException.class, () -> {
      try {
        readAll(r, spliced);
      } catch (java.io.IOException e) {
        throw e.getCause();
      }
    });
    assertEquals(1, kek.unwraps.get(), "the failed hit fell back to the KMS");

    readAll(r, one);
    assertEquals(1, kek.unwraps.get());
    clock.addAndGet(1_001_000_000L);
    readAll(r, one);
    assertEquals(2, kek.unwraps.get(), "past max age a reader asks the KMS again");
    c.clear();
    readAll(r, one);
    assertEquals(3, kek.unwraps.get(), "after clear() a reader asks the KMS again");
  }

  @Test
  void readersAreServedOnlyWhenAskedFor() throws Exception {
    DekCache writersOnly =
        DekCache.builder().maxAgeMillis(60_000).maxRecordings(100).maxBytes(1 << 30).build();
    Recordings r = recordings(writersOnly);
    byte[] rec = record(r, USER_A, 100);
    readAll(r, rec);
    readAll(r, rec);
    assertEquals(2, kek.unwraps.get(), "by default every open asks the KMS");
  }

  @Test
  void aPolicyThatForbidsCachingForTheClassKeepsReadersOnTheKms() throws Exception {
    DekCache c = cache(60_000, 100, 1 << 30);
    byte[] rec = record(recordings(c), USER_A, 100); // USER_A is Restricted
    com.getox.crypto.ClassificationPolicy noCaching =
        com.getox.crypto.ClassificationPolicy.builder()
            .rule("Restricted", com.getox.crypto.ClassificationPolicy.Rule.builder().build())
            .build();
    Recordings strict = Recordings.builder().wrapWith(kek).dekCache(c).policy(noCaching).build();
    readAll(strict, rec);
    assertEquals(1, kek.unwraps.get(), "Restricted forbids caching: the reader asked the KMS");
    readAll(recordings(c), rec);
    assertEquals(1, kek.unwraps.get(), "without the policy the same cache serves the reader");
  }

  @Test
  void aRotationRetiresTheCachedKeySoADestroyedVersionNeverWrapsAgain() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("shred").auditTo(AuditSink.none());
    Recordings r =
        Recordings.builder().wrapWith(kms).dekCache(cache(60_000, 100, 1 << 30))
            .auditSink(AuditSink.none()).build();
    long v1 = kms.primary().id();
    byte[] before = record(r, USER_A, 100);
    assertEquals(Long.toString(v1), header(before).wrappedKeys().get(0).kekVersion());
    long v2 = kms.rotate().id();
    kms.destroy(v1);
    byte[] after = record(r, USER_A, 100);
    assertEquals(Long.toString(v2), header(after).wrappedKeys().get(0).kekVersion(),
        "the cached key wrapped under v1 is not handed out after the rotation");
    // It opens for a reader that knows only the keyset file (no cache).
    LocalKms reader = LocalKms.open(kms.file(), KeysetProtection.insecurePlaintext());
    readAll(Recordings.builder().wrapWith(reader).auditSink(AuditSink.none()).build(), after);
    assertThrows(NoUsableKeyException.class,
        () -> readAll(Recordings.builder().wrapWith(reader).auditSink(AuditSink.none()).build(), before));
  }

  @Test
  void anyKekThatStopsCallingAKeyCurrentGetsANewDataKey() throws Exception {
    AtomicBoolean current = new AtomicBoolean(true);
    CountingKek counting = new CountingKek(TestKeks.newLocalKms("generic"));
    Kek kek = new Kek() {
      @Override
      public String uri() {
        return counting.uri();
      }

      @Override
      public WrappedKey wrap(byte[] dek, EncryptionContext c) throws GeneralSecurityException {
        return counting.wrap(dek, c);
      }

      @Override
      public byte[] unwrap(WrappedKey w, EncryptionContext c) throws GeneralSecurityException {
        return counting.unwrap(w, c);
      }

      @Override
      public boolean isCurrent(WrappedKey wrapped) {
        return current.get() && counting.isCurrent(wrapped);
      }
    };
    Recordings r =
        Recordings.builder().wrapWith(kek).dekCache(cache(60_000, 100, 1 << 30))
            .auditSink(AuditSink.none()).build();
    record(r, USER_A, 10);
    record(r, USER_A, 10);
    assertEquals(1, counting.wraps.get());
    current.set(false);
    record(r, USER_A, 10);
    assertEquals(2, counting.wraps.get(), "a key its KEK no longer calls current is not reused");
  }

  @Test
  void aCacheWithoutLimitsIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> DekCache.builder().maxRecordings(5).build());
  }

  @Test
  void clearEmptiesTheCache() throws Exception {
    DekCache c = cache(60_000, 100, 1 << 30);
    Recordings r = recordings(c);
    record(r, USER_A, 10);
    assertEquals(1, c.size());
    c.clear();
    assertEquals(0, c.size());
    record(r, USER_A, 10);
    assertEquals(2, kek.wraps.get());
  }
}
