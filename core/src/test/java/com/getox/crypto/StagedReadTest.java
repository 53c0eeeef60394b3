package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read of several chunks takes their ciphertext out of the source in one go (the stream stages
 * up to 64 chunks) and opens each from there. Reads of every size, in any mix, over sources that
 * return short reads, give exactly the plaintext; a chunk that fails still releases only the
 * chunks before it and none of its own bytes, and truncation, trailing data and unclosed
 * recordings are still errors.
 */
class StagedReadTest {
  private static final int CHUNK = Fixtures.CHUNK;

  @TempDir File dir;

  private final EncryptionContext ctx = EncryptionContext.builder().put("user", "u1").build();

  private static RecordingInputStream open(InputStream in) throws Exception {
    return Fixtures.RECORDINGS.newInputStream(in, ReadOptions.defaults());
  }

  /** Returns at most {@code max} bytes per read, at random (seeded): a socket or a pipe. */
  private static InputStream trickle(byte[] rec, long seed, int max) {
    Random r = new Random(seed);
    return new FilterInputStream(new ByteArrayInputStream(rec)) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return super.read(b, off, Math.min(len, 1 + r.nextInt(max)));
      }
    };
  }

  /** Reads everything in reads of {@code size}, each at a varying offset of a larger array. */
  private static byte[] readInReadsOf(RecordingInputStream in, int size) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[size + 7];
    int round = 0;
    int n;
    while ((n = in.read(buf, round % 8, size)) >= 0) {
      assertTrue(n > 0 && n <= size, "read " + n + " of " + size);
      all.write(buf, round % 8, n);
      round++;
    }
    return all.toByteArray();
  }

  @Test
  void readsOfEverySizeFromOneByteToThreeChunksAndOneGiveThePlaintext() throws Exception {
    byte[] plain = Fixtures.randomBytes(new Random(19), 3 * CHUNK + 100);
    byte[] rec = Fixtures.recording(ctx, plain);
    for (int size = 1; size <= 3 * CHUNK + 1; size += size < 64 ? 1 : 1 + (size % 61)) {
      try (RecordingInputStream in = open(new ByteArrayInputStream(rec))) {
        assertArrayEquals(plain, readInReadsOf(in, size), "reads of " + size);
      }
    }
    // and exactly every size around the chunk multiples, where the paths switch
    for (int k = 1; k <= 3; k++) {
      for (int size = k * CHUNK - 40; size <= k * CHUNK + 40; size++) {
        try (RecordingInputStream in = open(new ByteArrayInputStream(rec))) {
          assertArrayEquals(plain, readInReadsOf(in, size), "reads of " + size);
        }
      }
    }
  }

  @Test
  void mixedReadSizesOverShortReadingSourcesGiveThePlaintext() throws Exception {
    for (long seed = 0; seed < 24; seed++) {
      Random r = new Random(seed);
      int length = new int[] {0, 1, CHUNK, 5 * CHUNK, 70 * CHUNK + 3, 9 * CHUNK - 1}[(int) (seed % 6)];
      byte[] plain = Fixtures.randomBytes(r, length);
      byte[] rec = Fixtures.recording(ctx, plain);
      int max = new int[] {1 + r.nextInt(100), 1 + r.nextInt(40_000), Integer.MAX_VALUE}[r.nextInt(3)];
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      try (RecordingInputStream in = open(trickle(rec, seed, max))) {
        byte[] buf = new byte[(1 << 20) + 100];
        while (true) {
          int size;
          switch (r.nextInt(4)) {
            case 0:
              size = 1 + r.nextInt(700);
              break;
            case 1:
              size = CHUNK * (1 + r.nextInt(3)) + r.nextInt(3) - 1;
              break;
            case 2:
              size = 1 + r.nextInt(5 * CHUNK + 1);
              break;
            default:
              size = (1 << 20) + r.nextInt(100);
          }
          int off = r.nextInt(buf.length - size + 1);
          int n = in.read(buf, off, size);
          if (n < 0) {
            break;
          }
          got.write(buf, off, n);
        }
      }
      assertArrayEquals(plain, got.toByteArray(), "seed " + seed + ", max read " + max);
    }
  }

  @Test
  void aFailedChunkInsideALargeReadReleasesOnlyTheChunksBeforeIt() throws Exception {
    int length = 70 * CHUNK + 500; // more than one 64-chunk stage
    byte[] plain = Fixtures.randomBytes(new Random(7), length);
    for (int bad : new int[] {0, 1, 40, 63, 64, 65, 70}) {
      byte[] rec = Fixtures.recording(ctx, plain);
      rec[Fixtures.chunkAt(rec, length, bad) + 9] ^= 1;
      for (int max : new int[] {Integer.MAX_VALUE, 5000}) {
        byte[] buf = new byte[1 << 20];
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (RecordingInputStream in = open(trickle(rec, bad, max))) {
          IOException e =
              assertThrows(
                  IOException.class,
                  () -> {
                    while (true) {
                      Arrays.fill(buf, Fixtures.FILL);
                      int n = in.read(buf, 0, buf.length);
                      if (n < 0) {
                        return;
                      }
                      got.write(buf, 0, n);
                      Fixtures.assertNoPlaintext(buf, n, buf.length);
                    }
                  });
          assertTrue(e.getCause() instanceof AuthenticationException, e.toString());
          Fixtures.assertNoPlaintext(buf, 0, buf.length);
          IOException again = assertThrows(IOException.class, () -> in.read(buf, 0, 1));
          assertTrue(again.getCause() instanceof AuthenticationException, "sticks: " + again);
        }
        assertArrayEquals(Arrays.copyOf(plain, bad * CHUNK), got.toByteArray(), "chunk " + bad);
      }
    }
  }

  @Test
  void truncationAndTrailingDataAreStillErrorsForLargeReads() throws Exception {
    int length = 66 * CHUNK + 10;
    byte[] plain = Fixtures.randomBytes(new Random(8), length);
    byte[] rec = Fixtures.recording(ctx, plain);
    byte[] atBoundary = Arrays.copyOf(rec, Fixtures.chunkAt(rec, length, 66)); // no final chunk
    byte[] inside = Arrays.copyOf(rec, rec.length - 3);
    byte[] trailing = Arrays.copyOf(rec, rec.length + 1);
    for (byte[] bad : new byte[][] {atBoundary, inside, trailing}) {
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[1 << 20];
      try (RecordingInputStream in = open(new ByteArrayInputStream(bad))) {
        IOException e =
            assertThrows(
                IOException.class,
                () -> {
                  int n;
                  while ((n = in.read(buf, 0, buf.length)) >= 0) {
                    got.write(buf, 0, n);
                  }
                });
        assertTrue(e.getCause() instanceof java.security.GeneralSecurityException, e.toString());
      }
      assertArrayEquals(Arrays.copyOf(plain, 66 * CHUNK), got.toByteArray());
    }
  }

  @Test
  void anUnclosedRecordingReadInLargeReadsSaysSoAndRecoverStillFindsItsFlushedBytes()
      throws Exception {
    File f = new File(dir, "open.oxr");
    byte[] plain = Fixtures.randomBytes(new Random(9), 5 * CHUNK + 333);
    RecordingWriter w = Fixtures.RECORDINGS.newFileWriter(f, ctx);
    w.write(plain);
    w.flush();
    byte[] crashed = Files.readAllBytes(f.toPath());
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    try (RecordingInputStream in = open(new ByteArrayInputStream(crashed))) {
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
      assertTrue(e.getCause() instanceof TruncationException, String.valueOf(e.getCause()));
    }
    assertArrayEquals(Arrays.copyOf(plain, 5 * CHUNK), got.toByteArray());
    ByteArrayOutputStream recovered = new ByteArrayOutputStream();
    RecoveryReport report =
        Fixtures.RECORDINGS.recover(new ByteArrayInputStream(crashed), recovered, ReadOptions.defaults());
    assertTrue(report.truncated());
    assertArrayEquals(plain, recovered.toByteArray());
    w.close();
  }

  @Test
  void seekableReadsOfAnySizeAtAnyOffsetGiveThePlaintext() throws Exception {
    byte[] plain = Fixtures.randomBytes(new Random(10), 9 * CHUNK + 77);
    byte[] rec = Fixtures.recording(ctx, plain);
    Random r = new Random(11);
    try (SeekableRecording s =
        Fixtures.RECORDINGS.openSeekable(new InMemoryChannel(rec), ReadOptions.defaults())) {
      for (int i = 0; i < 400; i++) {
        long offset = r.nextBoolean() ? (long) r.nextInt(10) * CHUNK : r.nextInt(plain.length + 1);
        int len = r.nextBoolean() ? r.nextInt(4 * CHUNK + 2) : r.nextInt(700);
        byte[] buf = new byte[len + 9];
        int off = r.nextInt(10);
        int n = s.read(offset, buf, off, len);
        if (offset >= plain.length) {
          assertEquals(-1, n);
          continue;
        }
        int expected = (int) Math.min(len, plain.length - offset);
        assertEquals(expected, n, "read " + len + " at " + offset);
        assertArrayEquals(
            Arrays.copyOfRange(plain, (int) offset, (int) offset + n),
            Arrays.copyOfRange(buf, off, off + n),
            "read " + len + " at " + offset);
      }
      assertEquals(plain.length, s.size());
    }
  }

  @Test
  void aSeekableReadOfWholeChunksThatFailsLeavesNoPlaintextOfTheFailedChunk() throws Exception {
    int length = 6 * CHUNK + 5;
    byte[] plain = Fixtures.randomBytes(new Random(12), length);
    byte[] rec = Fixtures.recording(ctx, plain);
    rec[Fixtures.chunkAt(rec, length, 3) + 100] ^= 1;
    try (SeekableRecording s =
        Fixtures.RECORDINGS.openSeekable(new InMemoryChannel(rec), ReadOptions.defaults())) {
      byte[] buf = new byte[5 * CHUNK];
      Arrays.fill(buf, Fixtures.FILL);
      assertThrows(AuthenticationException.class, () -> s.read(CHUNK, buf, 0, buf.length));
      assertArrayEquals(Arrays.copyOfRange(plain, CHUNK, 3 * CHUNK), Arrays.copyOf(buf, 2 * CHUNK));
      Fixtures.assertNoPlaintext(buf, 2 * CHUNK, buf.length);
      // the chunks around it still read, in whole chunks and in part
      byte[] two = new byte[2 * CHUNK];
      assertEquals(2 * CHUNK, s.read(CHUNK, two, 0, two.length));
      assertArrayEquals(Arrays.copyOfRange(plain, CHUNK, 3 * CHUNK), two);
      assertEquals(CHUNK + 5, s.read(5L * CHUNK, two, 0, two.length));
      assertArrayEquals(Arrays.copyOfRange(plain, 5 * CHUNK, length), Arrays.copyOf(two, CHUNK + 5));
      assertThrows(AuthenticationException.class, () -> s.read(3L * CHUNK + 1, two, 0, 10));
    }
  }
}
