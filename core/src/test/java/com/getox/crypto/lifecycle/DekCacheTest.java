package com.getox.crypto.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.getox.crypto.DekCache;
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
