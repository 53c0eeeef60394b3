package com.getox.crypto.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.ConcurrentEditException;
import com.getox.crypto.EncryptionContext;
import com.getox.crypto.NoUsableKeyException;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingHeader;
import com.getox.crypto.RecordingInputStream;
import com.getox.crypto.Recordings;
import com.getox.crypto.SeekableRecording;
import com.getox.crypto.hpke.HpkeRecipient;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** S3Recordings against S3Proxy on loopback, every byte counted by the proxy in front of it. */
class S3RecordingsTest {
  static final String B = LocalS3.BUCKET;
  static final int MIB = 1024 * 1024;
  static final EncryptionContext CTX = EncryptionContext.builder().put("user-id", "u-16").build();

  @TempDir Path dir;
  LocalS3 s3;
  LocalKms kms;
  Recordings recordings;
  S3Recordings store;

  @BeforeEach
  void start() throws Exception {
    s3 = LocalS3.start(dir.resolve("store"));
    File keys = dir.resolve("keys.json").toFile();
    kms = LocalKms.create(keys, KeysetProtection.insecurePlaintext(), "s3-test");
    recordings = Recordings.builder().wrapWith(kms).build();
    store = S3Recordings.builder(s3.client, recordings).partSizeBytes(5 * MIB).build();
  }

  @AfterEach
  void stop() throws Exception {
    s3.close();
  }

  static byte[] audio(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  byte[] upload(String key, byte[] plain, EncryptionContext ctx) throws Exception {
    try (S3RecordingWriter w = store.newWriter(B, key, ctx)) {
      for (int off = 0; off < plain.length; off += 100_000) {
        w.write(plain, off, Math.min(100_000, plain.length - off));
      }
    }
    return plain;
  }

  byte[] readWhole(String key) throws Exception {
    try (RecordingInputStream in = store.newInputStream(B, key, ReadOptions.defaults())) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    }
  }

  /** Body bytes that left the server for {@code key} itself (GET answers' bodies). */
  long bodyBytesDown(String key) {
    long n = 0;
    for (WireProxy.Exchange e : s3.wire.snapshot()) {
      if (e.path().equals("/" + B + "/" + key) && e.method.equals("GET")) {
        n += e.downBodyBytes.get();
      }
    }
    return n;
  }

  /** Requests that sent a body to {@code key} itself (PUT of the object or a part). */
  long uploadsTo(String key) {
    return s3.wire.snapshot().stream()
        .filter(e -> e.method.equals("PUT") && e.path().equals("/" + B + "/" + key))
        .filter(e -> e.header("x-amz-copy-source") == null)
        .count();
  }

  @Test
  void smallRecordingIsOnePutWithTheHeaderInMetadata() throws Exception {
    byte[] plain = upload("small.oxr", audio(300_000, 1), CTX);
    List<WireProxy.Exchange> sent = s3.wire.snapshot();
    assertEquals(1, uploadsTo("small.oxr"), sent.toString());
    assertTrue(sent.stream().noneMatch(e -> e.query().contains("uploads")), sent.toString());
    Map<String, String> meta = s3.client.headObject(r -> r.bucket(B).key("small.oxr")).metadata();
    assertNotNull(meta.get(S3Recordings.HEADER_METADATA_KEY));
    assertNotNull(meta.get(S3Recordings.PREFIX_METADATA_KEY));
    assertFalse(s3.exists("small.oxr" + S3Recordings.SIDECAR_SUFFIX));
    assertArrayEquals(plain, readWhole("small.oxr"));
  }

  @Test
  void largeRecordingIsAMultipartUploadOfFiveMibParts() throws Exception {
    byte[] plain = upload("large.oxr", audio(12 * MIB, 2), CTX);
    List<WireProxy.Exchange> parts =
        s3.wire.snapshot().stream()
            .filter(e -> e.method.equals("PUT") && e.query().contains("partNumber="))
            .collect(java.util.stream.Collectors.toList());
    assertEquals(3, parts.size(), parts.toString()); // 5 + 5 + the rest
    assertTrue(s3.uploadsInProgress().isEmpty());
    assertArrayEquals(plain, readWhole("large.oxr"));
  }

  @Test
  void randomFourKibReadsFetchAtMostTwoChunks() throws Exception {
    byte[] plain = upload("seek.oxr", audio(3 * MIB, 3), CTX);
    s3.wire.reset();
    Random r = new Random(4);
    try (SeekableRecording rec = store.openSeekable(B, "seek.oxr", ReadOptions.defaults())) {
      long open = s3.wire.totalBytes();
      assertEquals(56, bodyBytesDown("seek.oxr"), "opening reads the salt and commitment only");
      for (int i = 0; i < 32; i++) {
        s3.wire.reset();
        int offset = r.nextInt(plain.length - 4096);
        byte[] got = new byte[4096];
        assertEquals(4096, rec.read(offset, got, 0, 4096));
        assertArrayEquals(Arrays.copyOfRange(plain, offset, offset + 4096), got);
        assertTrue(bodyBytesDown("seek.oxr") <= 2 * 16400, "at most two chunks");
      }
      assertTrue(open < 4096, "HEAD (header in metadata) + 56 bytes: " + open);
    }
  }

  @Test
  void rewrapAfterRotationMovesNoBodyByte() throws Exception {
    byte[] plain = upload("rot.oxr", audio(6 * MIB, 5), CTX);
    kms.rotate();
    s3.wire.reset();
    assertTrue(store.rewrap(B, "rot.oxr", ReadOptions.defaults()));
    assertEquals(0, bodyBytesDown("rot.oxr"), "no body byte read");
    assertEquals(0, uploadsTo("rot.oxr"), "no body byte written");
    assertTrue(s3.wire.totalBytes() < 8192, "metadata only: " + s3.wire.snapshot());
    RecordingHeader h = store.readHeader(B, "rot.oxr", ReadOptions.defaults());
    assertEquals(Long.toString(kms.primary().id()), h.wrappedKeys().get(0).kekVersion());
    s3.wire.reset();
    try {
      assertFalse(store.rewrap(B, "rot.oxr", ReadOptions.defaults()), "already current");
    } catch (ConcurrentEditException e) {
      throw new AssertionError(s3.wire.snapshot().toString(), e);
    }
    assertArrayEquals(plain, readWhole("rot.oxr"));
  }

  @Test
  void shareAndRevokeAreMetadataOnly() throws Exception {
    byte[] plain = upload("share.oxr", audio(400_000, 6), CTX);
    HpkeRecipient colleague = HpkeRecipient.generate();
    S3Recordings theirs =
        S3Recordings.builder(s3.client, Recordings.builder().unwrapWith(colleague).build()).build();
    s3.wire.reset();
    assertTrue(store.share(B, "share.oxr", colleague, ReadOptions.defaults()));
    assertEquals(0, bodyBytesDown("share.oxr"));
    assertEquals(0, uploadsTo("share.oxr"));
    try (RecordingInputStream in = theirs.newInputStream(B, "share.oxr", ReadOptions.defaults())) {
      assertArrayEquals(plain, in.readAllBytes());
    }
    s3.wire.reset();
    assertTrue(store.revoke(B, "share.oxr", colleague.uri(), ReadOptions.defaults()));
    assertEquals(0, bodyBytesDown("share.oxr"));
    assertThrows(
        NoUsableKeyException.class,
        () -> theirs.newInputStream(B, "share.oxr", ReadOptions.defaults()));
    assertArrayEquals(plain, readWhole("share.oxr"));
  }

  @Test
  void aHeaderTooLargeForMetadataGoesToASidecar() throws Exception {
    EncryptionContext big =
        EncryptionContext.builder()
            .put("user-id", "u-16")
            .put("notes", "x".repeat(1000))
            .put("more", "y".repeat(1000))
            .build();
    byte[] plain = upload("big.oxr", audio(200_000, 7), big);
    Map<String, String> meta = s3.client.headObject(r -> r.bucket(B).key("big.oxr")).metadata();
    assertNull(meta.get(S3Recordings.HEADER_METADATA_KEY));
    assertTrue(s3.exists("big.oxr" + S3Recordings.SIDECAR_SUFFIX));
    assertArrayEquals(plain, readWhole("big.oxr"));
    kms.rotate();
    s3.wire.reset();
    assertTrue(store.rewrap(B, "big.oxr", ReadOptions.defaults()));
    assertEquals(0, bodyBytesDown("big.oxr"));
    assertEquals(0, uploadsTo("big.oxr"));
    HpkeRecipient colleague = HpkeRecipient.generate();
    assertTrue(store.share(B, "big.oxr", colleague, ReadOptions.defaults()));
    S3Recordings theirs =
        S3Recordings.builder(s3.client, Recordings.builder().unwrapWith(colleague).build()).build();
    try (RecordingInputStream in = theirs.newInputStream(B, "big.oxr", ReadOptions.defaults())) {
      assertArrayEquals(plain, in.readAllBytes());
    }
  }

  @Test
  void aHeaderThatOutgrowsTheMetadataMovesToTheSidecar() throws Exception {
    byte[] plain = upload("grow.oxr", audio(100_000, 8), CTX);
    for (int i = 0; i < 8; i++) {
      assertTrue(store.share(B, "grow.oxr", HpkeRecipient.generate(), ReadOptions.defaults()));
    }
    Map<String, String> meta = s3.client.headObject(r -> r.bucket(B).key("grow.oxr")).metadata();
    assertNull(meta.get(S3Recordings.HEADER_METADATA_KEY), "moved out");
    assertTrue(s3.exists("grow.oxr" + S3Recordings.SIDECAR_SUFFIX));
    assertEquals(9, store.readHeader(B, "grow.oxr", ReadOptions.defaults()).wrappedKeys().size());
    assertArrayEquals(plain, readWhole("grow.oxr"));
  }

  /** Runs {@code edit} as the other editor, keeping what it threw. */
  static Runnable other(Exception[] thrown, Callable<?> edit) {
    return () -> {
      try {
        edit.call();
      } catch (Exception e) {
        thrown[0] = e;
      }
    };
  }

  @Test
  void aConcurrentMetadataEditIsARetryableConflictAndNeitherIsLost() throws Exception {
    byte[] plain = upload("race.oxr", audio(100_000, 9), CTX);
    HpkeRecipient first = HpkeRecipient.generate();
    HpkeRecipient second = HpkeRecipient.generate();
    Exception[] thrown = new Exception[1];
    // The other edit starts between our HEAD and our conditional copy.
    s3.wire.before(
        e -> e.method.equals("PUT") && e.header("x-amz-copy-source") != null,
        other(thrown, () -> store.share(B, "race.oxr", second, ReadOptions.defaults())));
    assertTrue(store.share(B, "race.oxr", first, ReadOptions.defaults()));
    assertTrue(thrown[0] instanceof ConcurrentEditException, String.valueOf(thrown[0]));
    assertFalse(s3.exists("race.oxr" + S3Recordings.LOCK_SUFFIX), "lock released");
    assertTrue(store.share(B, "race.oxr", second, ReadOptions.defaults()), "a retry succeeds");
    assertEquals(3, store.readHeader(B, "race.oxr", ReadOptions.defaults()).wrappedKeys().size());
    assertArrayEquals(plain, readWhole("race.oxr"));
  }

  @Test
  void aConcurrentSidecarEditIsARetryableConflictAndNeitherIsLost() throws Exception {
    EncryptionContext big =
        EncryptionContext.builder().put("a", "z".repeat(1000)).put("b", "z".repeat(1000)).build();
    upload("race2.oxr", audio(50_000, 10), big);
    HpkeRecipient first = HpkeRecipient.generate();
    HpkeRecipient second = HpkeRecipient.generate();
    Exception[] thrown = new Exception[1];
    s3.wire.before(
        e -> e.method.equals("PUT") && e.path().endsWith(S3Recordings.SIDECAR_SUFFIX),
        other(thrown, () -> store.share(B, "race2.oxr", second, ReadOptions.defaults())));
    assertTrue(store.share(B, "race2.oxr", first, ReadOptions.defaults()));
    assertTrue(thrown[0] instanceof ConcurrentEditException, String.valueOf(thrown[0]));
    assertTrue(store.share(B, "race2.oxr", second, ReadOptions.defaults()));
    assertEquals(3, store.readHeader(B, "race2.oxr", ReadOptions.defaults()).wrappedKeys().size());
  }

  @Test
  void aBodyReplacedDuringAnEditKeepsItsOwnHeader() throws Exception {
    upload("swap.oxr", audio(60_000, 12), CTX);
    byte[] replacement = audio(70_000, 13);
    Exception[] thrown = new Exception[1];
    s3.wire.before(
        e -> e.method.equals("PUT") && e.header("x-amz-copy-source") != null,
        other(thrown, () -> upload("swap.oxr", replacement, CTX)));
    kms.rotate();
    assertThrows(
        ConcurrentEditException.class, () -> store.rewrap(B, "swap.oxr", ReadOptions.defaults()));
    assertEquals(null, thrown[0]);
    assertArrayEquals(replacement, readWhole("swap.oxr"), "the new body with its own header");
  }

  @Test
  void aStaleLockIsBrokenOnlyAfterTheTimeout() throws Exception {
    upload("stale.oxr", audio(10_000, 14), CTX);
    s3.client.putObject(
        r -> r.bucket(B).key("stale.oxr" + S3Recordings.LOCK_SUFFIX),
        software.amazon.awssdk.core.sync.RequestBody.fromString("crashed editor"));
    kms.rotate();
    assertThrows(
        ConcurrentEditException.class, () -> store.rewrap(B, "stale.oxr", ReadOptions.defaults()));
    S3Recordings impatient =
        S3Recordings.builder(s3.client, recordings).lockTimeoutMillis(0).build();
    assertTrue(impatient.rewrap(B, "stale.oxr", ReadOptions.defaults()));
    assertFalse(s3.exists("stale.oxr" + S3Recordings.LOCK_SUFFIX));
  }

  @Test
  void abortLeavesNoObjectAndNoParts() throws Exception {
    S3RecordingWriter w = store.newWriter(B, "abandoned.oxr", CTX);
    w.write(audio(11 * MIB, 11));
    assertEquals(1, s3.uploadsInProgress().size(), "parts were sent while recording");
    w.abort();
    assertTrue(s3.uploadsInProgress().isEmpty(), "no orphan upload");
    assertFalse(s3.exists("abandoned.oxr"));
  }

  /** 16-bit mono PCM WAV at 16 kHz: a 44-byte header, then {@code seconds} of samples. */
  static byte[] wav(int seconds) {
    int data = seconds * 32_000;
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(44 + data).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + data);
    b.put("WAVEfmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16);
    b.putShort((short) 1).putShort((short) 1).putInt(16_000).putInt(32_000);
    b.putShort((short) 2).putShort((short) 16);
    b.put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(data);
    byte[] pcm = audio(data, 22);
    b.put(pcm);
    return b.array();
  }

  @Test
  void seekByTimeWorksOverAnObject() throws Exception {
    byte[] wav = upload("talk.wav.oxr", wav(60), CTX);
    s3.wire.reset();
    try (SeekableRecording rec = store.openSeekable(B, "talk.wav.oxr", ReadOptions.defaults())) {
      com.getox.crypto.audio.AudioRecording audio = com.getox.crypto.audio.AudioRecording.open(rec);
      assertEquals(60_000_000L, audio.durationMicros());
      byte[] clip;
      try (java.io.InputStream in = audio.openClip(30_000_000L, 30_500_000L)) {
        clip = in.readAllBytes();
      }
      byte[] want = Arrays.copyOfRange(wav, 44 + 30 * 32_000, 44 + 30 * 32_000 + 16_000);
      assertArrayEquals(want, Arrays.copyOfRange(clip, clip.length - 16_000, clip.length));
    }
    // Header chunk, final chunk (the length), and the 0.5 s clip: a few chunks of 117, not all.
    assertTrue(bodyBytesDown("talk.wav.oxr") <= 6 * 16_400, "" + bodyBytesDown("talk.wav.oxr"));
  }

  static boolean isPart(WireProxy.Exchange e) {
    return e.method.equals("PUT") && e.query().contains("partNumber=");
  }

  @Test
  void slowDownAndServerErrorsAreRetried() throws Exception {
    s3.wire.failWith(S3RecordingsTest::isPart, 2, 503, "SlowDown");
    s3.wire.failWith(e -> e.method.equals("GET") && e.header("Range") != null, 1, 500, "InternalError");
    byte[] plain = upload("retried.oxr", audio(11 * MIB, 15), CTX);
    try (SeekableRecording rec = store.openSeekable(B, "retried.oxr", ReadOptions.defaults())) {
      byte[] got = new byte[4096];
      assertEquals(4096, rec.read(5_000_000, got, 0, 4096));
      assertArrayEquals(Arrays.copyOfRange(plain, 5_000_000, 5_004_096), got);
    }
    long faulted = s3.wire.snapshot().stream().filter(e -> e.faulted).count();
    assertEquals(3, faulted, "each injected fault was met once and retried");
    assertTrue(s3.uploadsInProgress().isEmpty());
    assertArrayEquals(plain, readWhole("retried.oxr"));
  }

  @Test
  void aPartThatKeepsFailingAbortsTheUploadAndLeavesNoParts() throws Exception {
    s3.wire.failWith(e -> isPart(e) && e.query().contains("partNumber=2"), 100, 500, "InternalError");
    S3RecordingWriter w = store.newWriter(B, "failed.oxr", CTX);
    ObjectStoreException e =
        assertThrows(ObjectStoreException.class, () -> w.write(audio(12 * MIB, 16)));
    assertTrue(e.isRetryable());
    assertEquals(500, e.statusCode());
    w.close(); // the failed write aborted the writer: closing it stores nothing
    assertTrue(s3.uploadsInProgress().isEmpty(), "aborted: no orphan parts");
    assertFalse(s3.exists("failed.oxr"));
  }

  @Test
  void aFailedCompletionLeavesNoObjectAndNoParts() throws Exception {
    s3.wire.failWith(
        e -> e.method.equals("POST") && e.query().contains("uploadId="), 100, 500, "InternalError");
    S3RecordingWriter w = store.newWriter(B, "uncompleted.oxr", CTX);
    w.write(audio(6 * MIB, 17));
    assertThrows(ObjectStoreException.class, w::close);
    assertTrue(s3.uploadsInProgress().isEmpty());
    assertFalse(s3.exists("uncompleted.oxr"));
  }

  @Test
  void aCompletionWhoseAnswerIsLostStillCounts() throws Exception {
    s3.wire.loseAnswer(
        e -> e.method.equals("POST") && e.query().contains("uploadId="), 500, "InternalError");
    byte[] plain = upload("lost.oxr", audio(6 * MIB, 23), CTX);
    assertTrue(s3.wire.snapshot().stream().anyMatch(e -> e.faulted), "the fault was met");
    assertTrue(s3.uploadsInProgress().isEmpty());
    assertArrayEquals(plain, readWhole("lost.oxr"));
  }

  @Test
  void aConnectionResetMidDownloadIsResumedWithARange() throws Exception {
    byte[] plain = upload("reset.oxr", audio(4 * MIB, 18), CTX);
    s3.wire.resetAfter(e -> e.method.equals("GET") && e.header("Range") == null, 1, MIB + 123);
    assertArrayEquals(plain, readWhole("reset.oxr"));
    List<WireProxy.Exchange> gets =
        s3.wire.snapshot().stream()
            .filter(e -> e.method.equals("GET"))
            .collect(java.util.stream.Collectors.toList());
    assertTrue(gets.get(0).faulted, gets.toString());
    assertTrue(gets.stream().anyMatch(e -> String.valueOf(e.header("Range")).matches("bytes=\\d+-")), gets.toString());
  }

  @Test
  void aConnectionResetInARangedReadIsRetried() throws Exception {
    byte[] plain = upload("reset2.oxr", audio(1 * MIB, 19), CTX);
    s3.wire.resetAfter(
        e -> e.method.equals("GET") && e.header("Range") != null
            && !e.header("Range").equals("bytes=0-55"),
        1, 5000);
    try (SeekableRecording rec = store.openSeekable(B, "reset2.oxr", ReadOptions.defaults())) {
      byte[] got = new byte[4096];
      assertEquals(4096, rec.read(600_000, got, 0, 4096));
      assertArrayEquals(Arrays.copyOfRange(plain, 600_000, 604_096), got);
    }
    assertTrue(s3.wire.snapshot().stream().anyMatch(e -> e.faulted));
  }

  @Test
  void resetsBeyondTheLimitFailTheReadNeverShortenIt() throws Exception {
    upload("cut.oxr", audio(2 * MIB, 20), CTX);
    s3.wire.resetAfter(e -> e.method.equals("GET"), 100, 70_000);
    IOException e = assertThrows(IOException.class, () -> readWhole("cut.oxr"));
    assertNotNull(e);
  }

  @Test
  void aPreconditionFailureOnTheCopyIsAConflictThatChangesNothing() throws Exception {
    upload("pre.oxr", audio(10_000, 21), CTX);
    RecordingHeader before = store.readHeader(B, "pre.oxr", ReadOptions.defaults());
    kms.rotate();
    s3.wire.failWith(
        e -> e.method.equals("PUT") && e.header("x-amz-copy-source") != null, 1, 412,
        "PreconditionFailed");
    assertThrows(
        ConcurrentEditException.class, () -> store.rewrap(B, "pre.oxr", ReadOptions.defaults()));
    assertArrayEquals(
        before.toByteArray(),
        store.readHeader(B, "pre.oxr", ReadOptions.defaults()).toByteArray(),
        "unchanged");
    assertFalse(s3.exists("pre.oxr" + S3Recordings.LOCK_SUFFIX), "lock released");
    assertTrue(store.rewrap(B, "pre.oxr", ReadOptions.defaults()), "a retry succeeds");
  }

  @Test
  void plainHttpOffLoopbackIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            S3Recordings.clientBuilder()
                .region("us-east-1")
                .endpointOverride(java.net.URI.create("http://s3.example.com"))
                .build());
    assertThrows(
        IllegalArgumentException.class,
        () -> S3Recordings.builder(s3.client, recordings).partSizeBytes(5 * MIB - 1).build());
  }

}
