package com.getox.crypto.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.AuthenticationException;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.conscrypt.Conscrypt;
import org.junit.jupiter.api.Test;

/**
 * On Conscrypt a read into an array of up to 4 chunks decrypts straight into it (Conscrypt copies
 * the whole array per call, which for such an array costs no more than our own chunk buffer); a
 * larger array is served through the stream's buffer. Both give the plaintext, and a chunk that
 * fails leaves none of its bytes in the caller's array.
 */
class ConscryptReadTest {
  static final int CHUNK = 16384;
  static final int SEALED = CHUNK + 16;
  static final byte FILL = 0x55;

  @Test
  void readsIntoSmallAndLargeArraysOnConscrypt() throws Exception {
    Recordings r =
        Recordings.builder()
            .wrapWith(Fixtures.newLocalKek())
            .cipherProvider(Conscrypt.newProvider())
            .build();
    int length = 9 * CHUNK + 123;
    byte[] plain = Fixtures.bytes(length, 5);
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (RecordingWriter w = r.newWriter(bos, Fixtures.CONTEXT)) {
      w.write(plain);
    }
    byte[] rec = bos.toByteArray();
    for (int size : new int[] {CHUNK, CHUNK + 1, 2 * CHUNK, 4 * CHUNK, 5 * CHUNK, 1 << 20}) {
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      try (InputStream in = r.newInputStream(new ByteArrayInputStream(rec), ReadOptions.defaults())) {
        byte[] buf = new byte[size];
        int n;
        while ((n = in.read(buf, 0, size)) >= 0) {
          got.write(buf, 0, n);
        }
      }
      assertArrayEquals(plain, got.toByteArray(), "reads of " + size);
    }
    // chunk 2 tampered: chunks 0 and 1 come out, nothing of chunk 2 is left in the array
    int chunk2 = rec.length - (int) (56 + 9L * SEALED + 123 + 16) + 56 + 2 * SEALED;
    rec[chunk2 + 3] ^= 1;
    for (int size : new int[] {CHUNK, 2 * CHUNK, 1 << 20}) {
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[size];
      try (InputStream in = r.newInputStream(new ByteArrayInputStream(rec), ReadOptions.defaults())) {
        IOException e =
            assertThrows(
                IOException.class,
                () -> {
                  while (true) {
                    Arrays.fill(buf, FILL);
                    int n = in.read(buf, 0, size);
                    if (n < 0) {
                      return;
                    }
                    got.write(buf, 0, n);
                  }
                });
        assertTrue(e.getCause() instanceof AuthenticationException, e.toString());
      }
      assertArrayEquals(Arrays.copyOf(plain, 2 * CHUNK), got.toByteArray(), "reads of " + size);
      int leaked = 0;
      for (byte b : buf) {
        leaked += b == 0 || b == FILL ? 0 : 1;
      }
      assertEquals(0, leaked, "plaintext of the failed chunk in the caller's array, reads of " + size);
    }
  }

  /**
   * A recording in memory ({@code newInputStream(byte[], ...)}) is opened chunk by chunk out of
   * the caller's large array, which Conscrypt would copy whole per call: each chunk is copied out
   * first. It gives the plaintext, leaves the array as it was, and still fails on a bad chunk.
   */
  @Test
  void aLargeRecordingInMemoryDecryptsOnConscrypt() throws Exception {
    Recordings r =
        Recordings.builder()
            .wrapWith(Fixtures.newLocalKek())
            .cipherProvider(Conscrypt.newProvider())
            .build();
    int length = 70 * CHUNK + 123;
    byte[] plain = Fixtures.bytes(length, 6);
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (RecordingWriter w = r.newWriter(bos, Fixtures.CONTEXT)) {
      w.write(plain);
    }
    byte[] rec = bos.toByteArray();
    byte[] before = rec.clone();
    for (int size : new int[] {640, CHUNK, 4 * CHUNK, 1 << 20}) {
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      try (InputStream in = r.newInputStream(rec, ReadOptions.defaults())) {
        byte[] buf = new byte[size];
        int n;
        while ((n = in.read(buf, 0, size)) >= 0) {
          got.write(buf, 0, n);
        }
      }
      assertArrayEquals(plain, got.toByteArray(), "reads of " + size);
    }
    assertArrayEquals(before, rec);
    int chunk66 = rec.length - (int) (56 + 70L * SEALED + 123 + 16) + 56 + 66 * SEALED;
    rec[chunk66 + 3] ^= 1;
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    try (InputStream in = r.newInputStream(rec, ReadOptions.defaults())) {
      byte[] buf = new byte[1 << 20];
      IOException e =
          assertThrows(
              IOException.class,
              () -> {
                int n;
                while ((n = in.read(buf, 0, buf.length)) >= 0) {
                  got.write(buf, 0, n);
                }
              });
      assertTrue(e.getCause() instanceof AuthenticationException, e.toString());
    }
    assertArrayEquals(Arrays.copyOf(plain, 66 * CHUNK), got.toByteArray());
  }
}
