package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.internal.Cobblestone;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RoundTripTest {
  static final LocalKms KMS = TestKeks.newLocalKms("roundtrip");
  static final Recordings RECORDINGS = Recordings.builder().wrapWith(KMS).build();
  static final EncryptionContext CTX =
      EncryptionContext.builder().put("recording-id", "r1").put("user-id", "u1").build();

  static byte[] encrypt(byte[] plain) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RecordingWriter w = RECORDINGS.newWriter(out, CTX)) {
      w.write(plain);
    }
    return out.toByteArray();
  }

  static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[7000];
    int n;
    while ((n = in.read(buf)) > 0) {
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 16383, 16384, 16385, 32768, 32768 + 500})
  void boundarySizesRoundTripSequentiallyAndByRandomAccess(int size) throws Exception {
    byte[] plain = new byte[size];
    new Random(size).nextBytes(plain);
    byte[] ct = encrypt(plain);
    int headerBytes = RecordingHeader.read(new ByteArrayInputStream(ct), ReadOptions.defaults())
        .toByteArray().length;
    assertEquals(headerBytes + Cobblestone.bodyLength(size), ct.length);
    try (RecordingInputStream in =
        RECORDINGS.newInputStream(new ByteArrayInputStream(ct), ReadOptions.defaults())) {
      assertArrayEquals(plain, readAll(in));
      assertEquals(CTX, in.header().context());
    }
    try (SeekableRecording r =
        RECORDINGS.openSeekable(new InMemoryChannel(ct), ReadOptions.defaults())) {
      assertEquals(size, r.size());
      byte[] got = new byte[size];
      int off = 0;
      while (off < size) {
        int n = r.read(off, got, off, Math.min(5000, size - off));
        off += n;
      }
      assertArrayEquals(plain, got);
      assertEquals(-1, r.read(size, new byte[1], 0, 1));
    }
  }

  /**
   * Cuts the recording at every chunk boundary, at the end of the header and of the key prefix,
   * and one byte either side of each: reading fails typed, and what the stream released before
   * failing is exactly a prefix of the plaintext made of whole chunks that were complete before
   * the cut (so each of them authenticated).
   */
  @ParameterizedTest
  @ValueSource(ints = {0, 100, 16384, 32768 + 500, 3 * 16384})
  void truncationAtEveryChunkBoundaryIsDetected(int size) throws Exception {
    byte[] plain = new byte[size];
    new Random(size).nextBytes(plain);
    byte[] ct = encrypt(plain);
    int header = RecordingHeader.read(new ByteArrayInputStream(ct), ReadOptions.defaults()).toByteArray().length;
    int body = header + Cobblestone.PREFIX_BYTES;
    java.util.TreeSet<Integer> cuts = new java.util.TreeSet<>();
    java.util.List<Integer> boundaries = new java.util.ArrayList<>(java.util.Arrays.asList(header, body));
    for (int b = body + Cobblestone.CHUNK_CIPHERTEXT_BYTES; b <= ct.length; b += Cobblestone.CHUNK_CIPHERTEXT_BYTES) {
      boundaries.add(b);
    }
    boundaries.add(ct.length);
    for (int b : boundaries) {
      for (int cut = b - 1; cut <= b + 1; cut++) {
        if (cut > 0 && cut < ct.length) {
          cuts.add(cut);
        }
      }
    }
    int chunkBoundaryCuts = 0;
    for (int cut : cuts) {
      byte[] t = java.util.Arrays.copyOf(ct, cut);
      String what = "size " + size + ", cut at " + cut + " of " + ct.length;
      Streams.Drained d;
      try {
        d = Streams.drain(RECORDINGS.newInputStream(new ByteArrayInputStream(t), ReadOptions.defaults()), new Random(cut));
      } catch (GeneralSecurityException | IOException e) {
        assertTrue(cut < body, what + ": only a cut header or key prefix may fail at open: " + e);
        assertTrue(e instanceof OxCryptoException || e.getCause() instanceof OxCryptoException, what + ": " + e);
        continue;
      }
      assertTrue(d.failure != null, what + ": a truncated recording read to the end");
      assertTrue(d.failure.getCause() instanceof AuthenticationException, what + ": " + d.failure);
      int complete = cut < body ? 0 : (cut - body) / Cobblestone.CHUNK_CIPHERTEXT_BYTES;
      assertTrue(d.bytes.length <= complete * Cobblestone.CHUNK_PLAINTEXT_BYTES,
          what + ": released " + d.bytes.length + " bytes, more than the " + complete + " complete chunks");
      assertEquals(0, d.bytes.length % Cobblestone.CHUNK_PLAINTEXT_BYTES, what + ": released a partial chunk");
      assertArrayEquals(java.util.Arrays.copyOf(plain, d.bytes.length), d.bytes, what + ": released bytes are not the plaintext");
      if (cut > body && (cut - body) % Cobblestone.CHUNK_CIPHERTEXT_BYTES == 0) {
        chunkBoundaryCuts++;
      }
    }
    // Every full chunk of a multi-chunk recording gave one cut exactly at its end.
    assertEquals(size / Cobblestone.CHUNK_PLAINTEXT_BYTES, chunkBoundaryCuts, "cuts exactly at chunk boundaries");
  }

  @org.junit.jupiter.api.Test
  void anAbortedWriterLeavesATruncatedRecordingNotAShorterCompleteOne() throws Exception {
    byte[] plain = new byte[40_000];
    new Random(9).nextBytes(plain);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RecordingWriter w = RECORDINGS.newWriter(out, CTX);
    w.write(plain);
    w.abort();
    w.close(); // a later close (try-with-resources) must not seal it
    byte[] ct = out.toByteArray();
    IOException e =
        assertThrows(
            IOException.class,
            () -> readAll(RECORDINGS.newInputStream(new ByteArrayInputStream(ct), ReadOptions.defaults())));
    assertEquals(true, e.getCause() instanceof TruncationException, e.toString());
    ByteArrayOutputStream recovered = new ByteArrayOutputStream();
    RecoveryReport report =
        RECORDINGS.recover(new ByteArrayInputStream(ct), recovered, ReadOptions.defaults());
    assertEquals(true, report.truncated());
    assertArrayEquals(java.util.Arrays.copyOf(plain, 32768), recovered.toByteArray());
  }
}
