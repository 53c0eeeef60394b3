package com.getox.crypto.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.AuthenticationException;
import com.getox.crypto.Parallelism;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingInputStream;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.SeekableRecording;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.conscrypt.Conscrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * On Conscrypt, which copies a whole Java array across JNI per call, chunks go through two direct
 * buffers of the cipher's ({@code Cobblestone}), whatever the caller's array: reads of any size,
 * a recording in memory and parallel sealing and opening give the plaintext; a chunk that fails
 * leaves none of its bytes in the caller's array; the plaintext staged off the heap is wiped when
 * the writer or reader closes; and a message under one chunk never allocates the buffers.
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

  private static Recordings conscrypt() throws Exception {
    return Recordings.builder()
        .wrapWith(Fixtures.newLocalKek())
        .cipherProvider(Conscrypt.newProvider())
        .build();
  }

  /** The {@code Cobblestone} inside a writer or reader (its private field {@code cipher}). */
  private static Object cipherOf(Object writerOrReader) throws Exception {
    Field f = writerOrReader.getClass().getDeclaredField("cipher");
    f.setAccessible(true);
    return f.get(writerOrReader);
  }

  /** One of its direct buffers' contents, or null if it never allocated them. */
  private static byte[] directBuffer(Object cipher, String name) throws Exception {
    Field f = cipher.getClass().getDeclaredField(name);
    f.setAccessible(true);
    ByteBuffer b = (ByteBuffer) f.get(cipher);
    if (b == null) {
      return null;
    }
    assertTrue(b.isDirect());
    byte[] all = new byte[b.capacity()];
    b.duplicate().clear().get(all);
    return all;
  }

  private static boolean allZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  @Test
  void thePlaintextStagedOffTheHeapIsWipedWhenTheWriterAndTheReadersClose(@TempDir Path tmp)
      throws Exception {
    Recordings r = conscrypt();
    byte[] plain = Fixtures.bytes(3 * CHUNK + 5, 7);
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    RecordingWriter w = r.newWriter(bos, Fixtures.CONTEXT);
    w.write(plain);
    Object sealing = cipherOf(w);
    assertFalse(allZero(directBuffer(sealing, "directIn")), "a sealed chunk's plaintext is staged");
    w.close();
    assertTrue(allZero(directBuffer(sealing, "directIn")), "writer closed: staged plaintext wiped");

    RecordingInputStream in = r.newInputStream(bos.toByteArray(), ReadOptions.defaults());
    byte[] got = new byte[plain.length];
    int n = 0;
    while (n < got.length) {
      n += in.read(got, n, Math.min(640, got.length - n));
    }
    assertArrayEquals(plain, got);
    Object opening = cipherOf(in);
    assertFalse(allZero(directBuffer(opening, "directOut")), "an opened chunk's plaintext is staged");
    in.close();
    assertTrue(allZero(directBuffer(opening, "directOut")), "reader closed: staged plaintext wiped");

    Path file = tmp.resolve("r.ox");
    Files.write(file, bos.toByteArray());
    SeekableRecording seekable =
        r.openSeekable(FileChannel.open(file, StandardOpenOption.READ), ReadOptions.defaults());
    ByteBuffer some = ByteBuffer.allocate(100);
    seekable.read(CHUNK + 10, some);
    assertArrayEquals(Arrays.copyOfRange(plain, CHUNK + 10, CHUNK + 110), some.array());
    Object random = cipherOf(seekable);
    assertFalse(allZero(directBuffer(random, "directOut")), "an opened chunk's plaintext is staged");
    seekable.close();
    assertTrue(allZero(directBuffer(random, "directOut")), "seekable closed: staged plaintext wiped");
  }

  /**
   * Seeded random round trips between Conscrypt (direct buffers) and SunJCE (arrays), both ways:
   * random lengths around chunk boundaries, random write and read sizes, read from a stream or
   * from memory. Every case gives the plaintext back.
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void randomRoundTripsAgreeWithSunJce(long seed) throws Exception {
    Random random = new Random(seed);
    LocalKms kek = Fixtures.newLocalKek();
    Recordings conscrypt =
        Recordings.builder().wrapWith(kek).cipherProvider(Conscrypt.newProvider()).build();
    Recordings sunJce = Recordings.builder().wrapWith(kek).build();
    for (int round = 0; round < 6; round++) {
      int chunks = random.nextInt(6);
      int length = Math.max(0, chunks * CHUNK + random.nextInt(64) - 32);
      byte[] plain = Fixtures.bytes(length, random.nextLong());
      boolean conscryptWrites = random.nextBoolean();
      Recordings writer = conscryptWrites ? conscrypt : sunJce;
      Recordings reader = conscryptWrites ? sunJce : conscrypt;
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      try (RecordingWriter w = writer.newWriter(bos, Fixtures.CONTEXT)) {
        for (int at = 0; at < length; ) {
          int n = Math.min(length - at, 1 + random.nextInt(3 * CHUNK));
          w.write(plain, at, n);
          at += n;
        }
      }
      byte[] rec = bos.toByteArray();
      boolean fromMemory = random.nextBoolean();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      try (InputStream in =
          fromMemory
              ? reader.newInputStream(rec, ReadOptions.defaults())
              : reader.newInputStream(new ByteArrayInputStream(rec), ReadOptions.defaults())) {
        byte[] buf = new byte[1 + random.nextInt(3 * CHUNK)];
        int n;
        while ((n = in.read(buf, 0, 1 + random.nextInt(buf.length))) >= 0) {
          got.write(buf, 0, n);
        }
      }
      assertArrayEquals(
          plain,
          got.toByteArray(),
          "seed " + seed + " round " + round + ": " + length + " bytes, "
              + (conscryptWrites ? "Conscrypt wrote" : "SunJCE wrote")
              + (fromMemory ? ", read from memory" : ", read from a stream"));
    }
  }

  @Test
  void aMessageUnderOneChunkNeverAllocatesTheDirectBuffers() throws Exception {
    Recordings r = conscrypt();
    byte[] plain = Fixtures.bytes(1000, 8);
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    RecordingWriter w = r.newWriter(bos, Fixtures.CONTEXT);
    w.write(plain);
    w.close();
    assertNull(directBuffer(cipherOf(w), "directIn"));
    try (RecordingInputStream in = r.newInputStream(bos.toByteArray(), ReadOptions.defaults())) {
      assertArrayEquals(plain, in.readAllBytes());
      assertNull(directBuffer(cipherOf(in), "directIn"));
    }
  }

  @Test
  void sealsAndOpensInParallelOnConscrypt() throws Exception {
    LocalKms kek = Fixtures.newLocalKek();
    Recordings r = Recordings.builder().wrapWith(kek).cipherProvider(Conscrypt.newProvider()).build();
    Recordings sunJce = Recordings.builder().wrapWith(kek).build();
    byte[] plain = Fixtures.bytes(200 * CHUNK + 77, 9);
    ByteArrayOutputStream sealed = new ByteArrayOutputStream();
    r.encrypt(
        Channels.newChannel(new ByteArrayInputStream(plain)),
        Channels.newChannel(sealed),
        Fixtures.CONTEXT,
        Parallelism.threads(2));
    byte[] rec = sealed.toByteArray();
    ByteArrayOutputStream opened = new ByteArrayOutputStream();
    r.decrypt(
        Channels.newChannel(new ByteArrayInputStream(rec)),
        Channels.newChannel(opened),
        ReadOptions.defaults(),
        Parallelism.threads(2));
    assertArrayEquals(plain, opened.toByteArray());
    try (InputStream in = sunJce.newInputStream(rec, ReadOptions.defaults())) {
      assertArrayEquals(plain, in.readAllBytes(), "what Conscrypt sealed, SunJCE opens");
    }
    int chunk190 = rec.length - (int) (56 + 200L * SEALED + 77 + 16) + 56 + 190 * SEALED;
    rec[chunk190 + 3] ^= 1;
    ByteArrayOutputStream partial = new ByteArrayOutputStream();
    Exception e =
        assertThrows(
            Exception.class,
            () ->
                r.decrypt(
                    Channels.newChannel(new ByteArrayInputStream(rec)),
                    Channels.newChannel(partial),
                    ReadOptions.defaults(),
                    Parallelism.threads(2)));
    assertTrue(
        e instanceof AuthenticationException || e.getCause() instanceof AuthenticationException,
        e.toString());
    byte[] released = partial.toByteArray();
    assertTrue(released.length <= 190 * CHUNK, "nothing of chunk 190 or after is released");
    assertArrayEquals(Arrays.copyOf(plain, released.length), released);
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
