package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.audit.AuditEvent;
import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.audit.AuditWriteException;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A sink that throws {@link AuditWriteException} stops the key operation it could not record: no
 * header, no key, no plaintext is released, and the caller gets a typed {@link
 * AuditFailedException}.
 */
class FailClosedAuditTest {
  static final LocalKms KMS = TestKeks.newLocalKms("failclosed");
  static final EncryptionContext CTX = EncryptionContext.builder().put("recording-id", "r1").build();

  /** Fails every event from {@code op} on (null: every event), remembering what it was given. */
  static final class FailingSink implements AuditSink {
    final AuditEvent.Operation failFrom;
    final List<AuditEvent.Operation> seen = new ArrayList<>();
    boolean failing;

    FailingSink(AuditEvent.Operation failFrom) {
      this.failFrom = failFrom;
      this.failing = failFrom == null;
    }

    @Override
    public synchronized void record(AuditEvent event) {
      seen.add(event.operation());
      failing |= event.operation() == failFrom;
      if (failing) {
        throw new AuditWriteException("log full", null);
      }
    }
  }

  static byte[] encrypt(AuditSink sink, byte[] plain) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RecordingWriter w = Recordings.builder().wrapWith(KMS).auditSink(sink).build().newWriter(out, CTX)) {
      w.write(plain);
    }
    return out.toByteArray();
  }

  @Test
  void encryptWhoseWrapCannotBeRecordedWritesNothing() {
    for (AuditEvent.Operation op : new AuditEvent.Operation[] {
        AuditEvent.Operation.GENERATE_DEK, AuditEvent.Operation.WRAP}) {
      FailingSink sink = new FailingSink(op);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      AuditFailedException e = assertThrows(AuditFailedException.class,
          () -> Recordings.builder().wrapWith(KMS).auditSink(sink).build().newWriter(out, CTX));
      assertInstanceOf(AuditWriteException.class, e.getCause());
      assertEquals(0, out.size(), "no header written when " + op + " was not recorded");
    }
  }

  @Test
  void decryptWhoseUnwrapCannotBeRecordedReleasesNoPlaintext() throws Exception {
    byte[] plain = "secret words".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] rec = encrypt(AuditSink.none(), plain);
    FailingSink sink = new FailingSink(AuditEvent.Operation.UNWRAP);
    Recordings reader = Recordings.builder().unwrapWith(KMS).auditSink(sink).build();
    AuditFailedException e = assertThrows(AuditFailedException.class,
        () -> reader.newInputStream(new ByteArrayInputStream(rec), ReadOptions.defaults()));
    assertInstanceOf(AuditWriteException.class, e.getCause());
    assertEquals(1, sink.seen.size(), "one attempt, no retry with another key: " + sink.seen);
  }

  @Test
  void shareAndRevokeWhoseEventCannotBeRecordedReturnNoHeader() throws Exception {
    byte[] rec = encrypt(AuditSink.none(), new byte[100]);
    RecordingHeader header = RecordingHeader.read(new ByteArrayInputStream(rec), ReadOptions.defaults());
    int h = header.toByteArray().length;
    byte[] prefix = java.util.Arrays.copyOfRange(rec, h, h + com.getox.crypto.internal.Cobblestone.PREFIX_BYTES);
    LocalKms other = TestKeks.newLocalKms("failclosed-other");
    Recordings failing = Recordings.builder().wrapWith(KMS).auditSink(new FailingSink(null)).build();
    assertThrows(AuditFailedException.class, () -> failing.share(header, prefix, other, ReadOptions.defaults()));
    RecordingHeader shared = Recordings.builder().wrapWith(KMS).auditSink(AuditSink.none()).build()
        .share(header, prefix, other, ReadOptions.defaults());
    assertThrows(AuditFailedException.class, () -> failing.revoke(shared, other.uri()));
  }

  @Test
  void localKmsRotationThatCannotBeRecordedFailsTyped() {
    LocalKms kms = TestKeks.newLocalKms("failclosed-rotate");
    kms.auditTo(new FailingSink(null));
    AuditFailedException e = assertThrows(AuditFailedException.class, kms::rotate);
    assertTrue(e.getMessage().contains("log full"));
  }

  @Test
  void aCachedKeyWhoseUseCannotBeRecordedWritesNothing() throws Exception {
    FailingSink sink = new FailingSink(AuditEvent.Operation.CACHE_HIT);
    Recordings cached = Recordings.builder().wrapWith(KMS).auditSink(sink)
        .dekCache(DekCache.builder().maxRecordings(10).maxBytes(1 << 30).maxAgeMillis(3_600_000).build())
        .build();
    try (RecordingWriter w = cached.newWriter(new ByteArrayOutputStream(), CTX)) {
      w.write(new byte[10]); // a miss: the key is generated, wrapped and cached
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThrows(AuditFailedException.class, () -> cached.newWriter(out, CTX));
    assertEquals(0, out.size());
    assertTrue(sink.seen.contains(AuditEvent.Operation.CACHE_HIT), sink.seen.toString());
  }

  @Test
  void bulkRewrapStopsTouchingRecordingsOnceTheAuditSinkFails(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    LocalKms kms = TestKeks.newLocalKms("failclosed-bulk");
    kms.auditTo(AuditSink.none());
    Recordings writer = Recordings.builder().wrapWith(kms).auditSink(AuditSink.none()).build();
    List<java.io.File> files = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (RecordingWriter w = writer.newWriter(out, CTX)) {
        w.write(new byte[10]);
      }
      files.add(java.nio.file.Files.write(dir.resolve(i + ".oxr"), out.toByteArray()).toFile());
    }
    kms.rotate();
    FailingSink sink = new FailingSink(null);
    Recordings failing = Recordings.builder().wrapWith(kms).auditSink(sink).build();
    BulkRewrap.Report report = BulkRewrap.builder(failing).threads(1).build().run(files);
    assertEquals(3, report.failed().size());
    // The first recording's unwrap (and its failed re-wrap) could not be recorded; then nothing.
    assertEquals(1, java.util.Collections.frequency(sink.seen, AuditEvent.Operation.UNWRAP), sink.seen.toString());
    for (Exception e : report.failed().values()) {
      assertInstanceOf(AuditFailedException.class, e);
    }
  }
}
