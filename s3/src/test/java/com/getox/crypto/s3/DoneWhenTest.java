package com.getox.crypto.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.NoUsableKeyException;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingInputStream;
import com.getox.crypto.Recordings;
import com.getox.crypto.SeekableRecording;
import com.getox.crypto.hpke.HpkeRecipient;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's "done when": a 200 MiB recording uploaded while it is produced, read back whole and by
 * random 4 KiB ranges with the bytes on the wire counted, re-wrapped after a KEK rotation with zero
 * body bytes transferred, shared and revoked, all against S3Proxy on loopback.
 */
class DoneWhenTest {
  static final int MIB = 1024 * 1024;
  static final long TOTAL = 200L * MIB;
  static final int BLOCK = 64 * 1024;
  static final int CHUNK_ON_WIRE = 16_400;
  static final String KEY = "calls/2026/12/07/long-call.oxr";

  @TempDir Path dir;

  /** The plaintext's bytes at {@code offset}: a function of the offset, so nothing is kept. */
  static void audioAt(long offset, byte[] b, int off, int len) {
    for (int i = 0; i < len; i++) {
      long p = offset + i;
      b[off + i] = (byte) (p * 31 + (p >>> 11) * 7 + (p >>> 19));
    }
  }

  long bodyBytesDown(LocalS3 s3) {
    return s3.wire.snapshot().stream()
        .filter(e -> e.method.equals("GET") && e.path().endsWith(KEY))
        .mapToLong(e -> e.downBodyBytes.get())
        .sum();
  }

  long bodyBytesUp(LocalS3 s3) {
    return s3.wire.snapshot().stream()
        .filter(e -> e.method.equals("PUT") && e.path().endsWith(KEY))
        .filter(e -> e.header("x-amz-copy-source") == null)
        .mapToLong(e -> e.upBytes.get())
        .sum();
  }

  @Test
  void twoHundredMibUploadedWhileProducedReadRewrappedSharedRevoked() throws Exception {
    try (LocalS3 s3 = LocalS3.start(dir.resolve("store"))) {
      LocalKms kms =
          LocalKms.create(
              dir.resolve("keys.json").toFile(), KeysetProtection.insecurePlaintext(), "done");
      Recordings recordings = Recordings.builder().wrapWith(kms).build();
      S3Recordings store = S3Recordings.builder(s3.client, recordings).build(); // 8 MiB parts
      String b = LocalS3.BUCKET;
      EncryptionContext ctx = EncryptionContext.builder().put("call-id", "c-200").build();

      // 1. Upload while producing: parts are on the server long before the end.
      MessageDigest written = MessageDigest.getInstance("SHA-256");
      byte[] block = new byte[BLOCK];
      int partsMidway = -1;
      try (S3RecordingWriter w = store.newWriter(b, KEY, ctx)) {
        for (long off = 0; off < TOTAL; off += BLOCK) {
          audioAt(off, block, 0, BLOCK);
          written.update(block);
          w.write(block);
          if (off == TOTAL / 2) {
            String id = s3.uploadsInProgress().get(0).uploadId();
            partsMidway = s3.client.listParts(r -> r.bucket(b).key(KEY).uploadId(id)).parts().size();
          }
        }
      }
      assertTrue(partsMidway >= 12, "half-way, " + partsMidway + " parts were already stored");
      assertTrue(s3.uploadsInProgress().isEmpty(), "no upload left open");
      long bodyBytes = s3.client.headObject(r -> r.bucket(b).key(KEY)).contentLength();
      long uploaded = s3.wire.totalBytes();
      System.out.printf("upload: %d plaintext bytes, body %d, on the wire %d%n", TOTAL, bodyBytes, uploaded);

      // 2. Whole read: the body crosses the wire once.
      s3.wire.reset();
      MessageDigest read = MessageDigest.getInstance("SHA-256");
      long n = 0;
      try (RecordingInputStream in = store.newInputStream(b, KEY, ReadOptions.defaults())) {
        int k;
        while ((k = in.read(block)) > 0) {
          read.update(block, 0, k);
          n += k;
        }
      }
      assertEquals(TOTAL, n);
      assertArrayEquals(written.digest(), read.digest());
      assertEquals(bodyBytes, bodyBytesDown(s3), "the body once, nothing more");
      System.out.printf("whole read: on the wire %d%n", s3.wire.totalBytes());

      // 3. Random 4 KiB ranges: at most two chunks each, plus the header once at open.
      Random r = new Random(200);
      byte[] got = new byte[4096];
      byte[] want = new byte[4096];
      s3.wire.reset();
      try (SeekableRecording rec = store.openSeekable(b, KEY, ReadOptions.defaults())) {
        long open = s3.wire.totalBytes();
        System.out.printf("seekable open (HEAD + 56 bytes): on the wire %d%n", open);
        long maxRead = 0;
        long maxBody = 0;
        for (int i = 0; i < 100; i++) {
          s3.wire.reset();
          long off = (long) (r.nextDouble() * (TOTAL - 4096));
          assertEquals(4096, rec.read(off, got, 0, 4096));
          audioAt(off, want, 0, 4096);
          assertArrayEquals(want, got, "range at " + off);
          maxBody = Math.max(maxBody, bodyBytesDown(s3));
          maxRead = Math.max(maxRead, s3.wire.totalBytes());
        }
        assertTrue(maxBody <= 2 * CHUNK_ON_WIRE, "body bytes for one 4 KiB read: " + maxBody);
        System.out.printf(
            "random 4 KiB read: at most %d body bytes, %d bytes on the wire%n", maxBody, maxRead);
      }

      // 4. Re-wrap after a KEK rotation: zero body bytes either way.
      kms.rotate();
      s3.wire.reset();
      assertTrue(store.rewrap(b, KEY, ReadOptions.defaults()));
      assertEquals(0, bodyBytesDown(s3), "no body byte downloaded");
      assertEquals(0, bodyBytesUp(s3), "no body byte uploaded");
      System.out.printf("re-wrap: %d bytes on the wire, 0 body bytes%n", s3.wire.totalBytes());
      assertEquals(
          Long.toString(kms.primary().id()),
          store.readHeader(b, KEY, ReadOptions.defaults()).wrappedKeys().get(0).kekVersion());

      // 5. Share with a colleague, who reads a range; revoke, and they cannot open it.
      HpkeRecipient colleague = HpkeRecipient.generate();
      s3.wire.reset();
      assertTrue(store.share(b, KEY, colleague, ReadOptions.defaults()));
      assertEquals(0, bodyBytesDown(s3) + bodyBytesUp(s3));
      S3Recordings theirs =
          S3Recordings.builder(s3.client, Recordings.builder().unwrapWith(colleague).build())
              .build();
      try (SeekableRecording rec = theirs.openSeekable(b, KEY, ReadOptions.defaults())) {
        assertEquals(4096, rec.read(123_456_789L, got, 0, 4096));
        audioAt(123_456_789L, want, 0, 4096);
        assertArrayEquals(want, got);
      }
      s3.wire.reset();
      assertTrue(store.revoke(b, KEY, colleague.uri(), ReadOptions.defaults()));
      assertEquals(0, bodyBytesDown(s3) + bodyBytesUp(s3));
      assertThrows(
          NoUsableKeyException.class, () -> theirs.openSeekable(b, KEY, ReadOptions.defaults()));
      try (SeekableRecording rec = store.openSeekable(b, KEY, ReadOptions.defaults())) {
        assertEquals(TOTAL, rec.size());
      }
    }
  }
}
