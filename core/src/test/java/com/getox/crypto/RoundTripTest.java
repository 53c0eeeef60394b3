package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.getox.crypto.internal.Cobblestone;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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

  @ParameterizedTest
  @ValueSource(ints = {16384, 32768 + 500})
  void truncationAtEveryChunkBoundaryIsDetected(int size) throws Exception {
    byte[] ct = encrypt(new byte[size]);
    for (int cut = ct.length - 1; cut > ct.length - 40000 && cut > 0; cut -= 4099) {
      byte[] t = java.util.Arrays.copyOf(ct, cut);
      IOException e =
          assertThrows(
              IOException.class,
              () -> readAll(RECORDINGS.newInputStream(new ByteArrayInputStream(t), ReadOptions.defaults())));
      assertEquals(true, e.getCause() instanceof AuthenticationException, e.toString());
    }
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
