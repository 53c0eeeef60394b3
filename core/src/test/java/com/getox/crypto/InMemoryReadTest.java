package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.internal.Cobblestone;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Recordings#newInputStream(byte[], ReadOptions)} decrypts a recording in memory in place:
 * the same plaintext, the same errors after the same authenticated prefix, and the same opening
 * errors as {@link Recordings#newInputStream(InputStream, ReadOptions)} over the same bytes; and
 * it never writes into the caller's array.
 */
class InMemoryReadTest {
  private static final int CHUNK = Fixtures.CHUNK;
  /** 1 byte, 640, one chunk, 1 MiB; -1 for transferTo. */
  private static final int[] READ_SIZES = {1, 640, CHUNK, 1 << 20, -1};

  @TempDir File dir;

  private final EncryptionContext ctx = EncryptionContext.builder().put("user", "u1").build();

  /** What reading a stream to its end gave: the bytes released, then the failure if any. */
  private static final class Outcome {
    final byte[] plain;
    final IOException failure;

    Outcome(byte[] plain, IOException failure) {
      this.plain = plain;
      this.failure = failure;
    }
  }

  /**
   * Reads all of {@code in} in reads of {@code size} (-1: transferTo), checking that no read
   * leaves unauthenticated plaintext in the array, and that a failure sticks.
   */
  private static Outcome readAll(RecordingInputStream in, int size) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[Math.max(size, 0) + 3];
    Arrays.fill(buf, Fixtures.FILL);
    try {
      if (size < 0) {
        in.transferTo(got);
      } else if (size == 1) {
        int b;
        while ((b = in.read()) >= 0) {
          got.write(b);
        }
      } else {
        while (true) {
          Arrays.fill(buf, Fixtures.FILL);
          int n = in.read(buf, 3, size);
          if (n < 0) {
            break;
          }
          assertTrue(n > 0 && n <= size, "read " + n + " of " + size);
          got.write(buf, 3, n);
          Fixtures.assertNoPlaintext(buf, 3 + n, buf.length);
        }
      }
      return new Outcome(got.toByteArray(), null);
    } catch (IOException e) {
      Fixtures.assertNoPlaintext(buf, 0, buf.length);
      IOException again = assertThrows(IOException.class, () -> in.read(new byte[CHUNK], 0, CHUNK));
      assertEquals(e.getCause().getClass(), again.getCause().getClass(), "sticks");
      return new Outcome(got.toByteArray(), e);
    }
  }

  private static Outcome fromStream(byte[] rec, ReadOptions options, int size) throws Exception {
    try (RecordingInputStream in =
        Fixtures.RECORDINGS.newInputStream(new ByteArrayInputStream(rec), options)) {
      return readAll(in, size);
    }
  }

  /** Reads {@code rec} from memory, checks the array is unchanged, and returns the outcome. */
  private static Outcome fromMemory(byte[] rec, ReadOptions options, int size) throws Exception {
    byte[] before = rec.clone();
    Outcome o;
    try (RecordingInputStream in = Fixtures.RECORDINGS.newInputStream(rec, options)) {
      o = readAll(in, size);
    }
    assertArrayEquals(before, rec, "the caller's array was written to");
    return o;
  }

  /** Both versions release the same bytes and fail the same way; returns the in-memory outcome. */
  private static Outcome sameAsStream(byte[] rec, ReadOptions options, int size) throws Exception {
    Outcome stream = fromStream(rec, options, size);
    Outcome memory = fromMemory(rec, options, size);
    assertArrayEquals(stream.plain, memory.plain, "reads of " + size);
    if (stream.failure == null) {
      assertNull(memory.failure, "reads of " + size);
    } else {
      assertNotNull(memory.failure, "reads of " + size + ": " + stream.failure);
      assertEquals(stream.failure.getCause().getClass(), memory.failure.getCause().getClass());
      assertEquals(stream.failure.getMessage(), memory.failure.getMessage());
    }
    return memory;
  }

  @Test
  void givesThePlaintextOfEveryLengthInReadsOfEverySize() throws Exception {
    int[] lengths = {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 77, 70 * CHUNK + 3};
    for (int i = 0; i < lengths.length; i++) {
      byte[] plain = Fixtures.randomBytes(new Random(100 + i), lengths[i]);
      byte[] rec = Fixtures.recording(ctx, plain);
      for (int size : READ_SIZES) {
        Outcome o = sameAsStream(rec, ReadOptions.defaults(), size);
        assertNull(o.failure, "length " + lengths[i] + ", reads of " + size);
        assertArrayEquals(plain, o.plain, "length " + lengths[i] + ", reads of " + size);
      }
    }
  }

  @Test
  void mixedReadSizesGiveThePlaintext() throws Exception {
    for (long seed = 0; seed < 8; seed++) {
      Random r = new Random(seed);
      byte[] plain = Fixtures.randomBytes(r, r.nextInt(9 * CHUNK));
      byte[] rec = Fixtures.recording(ctx, plain);
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      try (RecordingInputStream in = Fixtures.RECORDINGS.newInputStream(rec, ReadOptions.defaults())) {
        byte[] buf = new byte[3 * CHUNK + 10];
        int n;
        do {
          int size = r.nextBoolean() ? 1 + r.nextInt(700) : CHUNK * (1 + r.nextInt(3)) + r.nextInt(3);
          int off = r.nextInt(buf.length - size + 1);
          n = in.read(buf, off, size);
          if (n > 0) {
            got.write(buf, off, n);
          }
        } while (n >= 0);
      }
      assertArrayEquals(plain, got.toByteArray(), "seed " + seed);
    }
  }

  @Test
  void aFlippedBitFailsAfterReleasingOnlyTheChunksBeforeIt() throws Exception {
    int length = 70 * CHUNK + 500;
    byte[] plain = Fixtures.randomBytes(new Random(7), length);
    for (int bad : new int[] {0, 1, 64, 70}) {
      byte[] rec = Fixtures.recording(ctx, plain);
      rec[Fixtures.chunkAt(rec, length, bad) + 9] ^= 1;
      for (int size : READ_SIZES) {
        Outcome o = sameAsStream(rec, ReadOptions.defaults(), size);
        assertNotNull(o.failure, "chunk " + bad + ", reads of " + size);
        assertTrue(o.failure.getCause() instanceof AuthenticationException, o.failure.toString());
        assertArrayEquals(Arrays.copyOf(plain, bad * CHUNK), o.plain, "chunk " + bad);
      }
    }
  }

  @Test
  void truncationAndTrailingDataAreErrors() throws Exception {
    int length = 3 * CHUNK + 10;
    byte[] plain = Fixtures.randomBytes(new Random(8), length);
    byte[] rec = Fixtures.recording(ctx, plain);
    byte[] atBoundary = Arrays.copyOf(rec, Fixtures.chunkAt(rec, length, 3)); // no final chunk
    byte[] noChunk = Arrays.copyOf(rec, Fixtures.chunkAt(rec, length, 0)); // the prefix only
    byte[] inside = Arrays.copyOf(rec, rec.length - 3);
    byte[] trailing = Arrays.copyOf(rec, rec.length + 1);
    byte[] trailingChunk = Arrays.copyOf(rec, rec.length + Fixtures.SEALED);
    for (int size : READ_SIZES) {
      Outcome cut = sameAsStream(atBoundary, ReadOptions.defaults(), size);
      assertTrue(cut.failure.getCause() instanceof TruncationException, cut.failure.toString());
      assertArrayEquals(Arrays.copyOf(plain, 3 * CHUNK), cut.plain);
      Outcome empty = sameAsStream(noChunk, ReadOptions.defaults(), size);
      assertTrue(empty.failure.getCause() instanceof TruncationException, empty.failure.toString());
      assertEquals(0, empty.plain.length);
      for (byte[] bad : new byte[][] {inside, trailing, trailingChunk}) {
        Outcome o = sameAsStream(bad, ReadOptions.defaults(), size);
        assertTrue(o.failure.getCause() instanceof GeneralSecurityException, o.failure.toString());
        assertArrayEquals(Arrays.copyOf(plain, 3 * CHUNK), o.plain);
      }
    }
  }

  @Test
  void aDetachedHeaderReadsTheArrayAsTheBody() throws Exception {
    int length = 2 * CHUNK + 5;
    byte[] plain = Fixtures.randomBytes(new Random(9), length);
    byte[] rec = Fixtures.recording(ctx, plain);
    int bodyStart = rec.length - (int) Cobblestone.bodyLength(length);
    byte[] header = Arrays.copyOf(rec, bodyStart);
    byte[] body = Arrays.copyOfRange(rec, bodyStart, rec.length);
    ReadOptions detached = ReadOptions.builder().detachedHeader(header).build();
    for (int size : READ_SIZES) {
      Outcome o = sameAsStream(body, detached, size);
      assertNull(o.failure);
      assertArrayEquals(plain, o.plain);
    }
    // the whole recording is not a body
    assertThrows(AuthenticationException.class, () -> Fixtures.RECORDINGS.newInputStream(rec, detached));
  }

  @Test
  void anUnclosedVersion2RecordingFailsAsTheStreamVersionDoes() throws Exception {
    File f = new File(dir, "open.oxr");
    byte[] plain = Fixtures.randomBytes(new Random(10), 5 * CHUNK + 333);
    RecordingWriter w = Fixtures.RECORDINGS.newFileWriter(f, ctx);
    try {
      w.write(plain);
      w.flush();
      byte[] crashed = Files.readAllBytes(f.toPath());
      for (int size : READ_SIZES) {
        Outcome o = sameAsStream(crashed, ReadOptions.defaults(), size);
        assertTrue(o.failure.getCause() instanceof TruncationException, o.failure.toString());
        assertArrayEquals(Arrays.copyOf(plain, 5 * CHUNK), o.plain);
      }
    } finally {
      w.close();
    }
  }

  @Test
  void headerErrorsAreThrownAsTheStreamVersionThrowsThem() throws Exception {
    byte[] rec = Fixtures.recording(ctx, Fixtures.randomBytes(new Random(11), 100));
    int bodyStart = rec.length - (int) Cobblestone.bodyLength(100);
    byte[] badMagic = rec.clone();
    badMagic[0] ^= 1;
    byte[] badCommitment = rec.clone();
    badCommitment[bodyStart + Cobblestone.SALT_BYTES + 1] ^= 1;
    byte[][] bad = {
      new byte[0],
      Arrays.copyOf(rec, 5), // inside the preamble
      Arrays.copyOf(rec, bodyStart - 1), // inside the header
      Arrays.copyOf(rec, bodyStart + 10), // inside the salt and commitment
      badMagic,
      badCommitment,
    };
    for (int i = 0; i < bad.length; i++) {
      byte[] b = bad[i];
      GeneralSecurityException stream =
          assertThrows(
              GeneralSecurityException.class,
              () -> Fixtures.RECORDINGS.newInputStream(new ByteArrayInputStream(b), ReadOptions.defaults()));
      GeneralSecurityException memory =
          assertThrows(
              GeneralSecurityException.class,
              () -> Fixtures.RECORDINGS.newInputStream(b, ReadOptions.defaults()));
      assertEquals(stream.getClass(), memory.getClass(), "case " + i);
      assertEquals(stream.getMessage(), memory.getMessage(), "case " + i);
    }
    assertThrows(
        TruncationException.class, () -> Fixtures.RECORDINGS.newInputStream(new byte[0], ReadOptions.defaults()));
    // expectations and keys are checked before it returns, as for a stream
    ReadOptions wrongUser = ReadOptions.builder().expect("user", "u2").build();
    assertThrows(ContextMismatchException.class, () -> Fixtures.RECORDINGS.newInputStream(rec, wrongUser));
    Recordings stranger = Fixtures.readerWith(Fixtures.OTHER_KMS);
    assertThrows(NoUsableKeyException.class, () -> stranger.newInputStream(rec, ReadOptions.defaults()));
  }

  @Test
  void closingLeavesTheCallersArrayAlone() throws Exception {
    byte[] plain = Fixtures.randomBytes(new Random(12), 3 * CHUNK);
    byte[] rec = Fixtures.recording(ctx, plain);
    byte[] before = rec.clone();
    RecordingInputStream in = Fixtures.RECORDINGS.newInputStream(rec, ReadOptions.defaults());
    assertEquals(100, in.read(new byte[100]));
    in.close();
    assertArrayEquals(before, rec);
    assertThrows(IOException.class, () -> in.read(new byte[1]));
  }
}
