package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.internal.Cobblestone;
import com.getox.crypto.internal.FlushRecords;
import com.getox.crypto.sframe.CountingProvider;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Durable flush, recover and resume (issue 14). Seeded random sequences of writes and flushes,
 * with a crash right after a flush (the file as it is then) or at a random byte of the writes
 * (a simulated disk that stops there).
 */
class FlushResumeTest {
  @TempDir File dir;

  static final EncryptionContext CTX =
      EncryptionContext.builder().put("data-class", "Confidential").putUnstored("user-id", "u-7").build();
  static final ReadOptions READ = ReadOptions.builder().expect("user-id", "u-7").build();

  static java.util.stream.LongStream seeds() {
    return Fixtures.seeds();
  }

  static RecoveryReport recover(Recordings r, byte[] file, ByteArrayOutputStream out) throws Exception {
    return r.recover(new ByteArrayInputStream(file), out, READ);
  }

  static byte[] recovered(Recordings r, byte[] file) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    recover(r, file, out);
    return out.toByteArray();
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void everyFlushSurvivesACrashAndTheClosedRecordingIsAnExactBody(long seed) throws Exception {
    Random r = new Random(seed);
    File f = new File(dir, "r.oxr");
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    int headerBytes;
    try (RecordingWriter w = Fixtures.RECORDINGS.newFileWriter(f, CTX)) {
      headerBytes = w.header().toByteArray().length;
      int ops = 1 + r.nextInt(12);
      for (int i = 0; i < ops; i++) {
        byte[] b = new byte[r.nextInt(4) == 0 ? r.nextInt(40_000) : r.nextInt(3000)];
        r.nextBytes(b);
        w.write(b);
        all.write(b);
        if (r.nextBoolean()) {
          long before = f.length();
          w.flush();
          int partial = all.size() % Cobblestone.CHUNK_PLAINTEXT_BYTES;
          // The process dies now: the file as it is holds everything written.
          byte[] crashed = Files.readAllBytes(f.toPath());
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          RecoveryReport rep = recover(Fixtures.RECORDINGS, crashed, out);
          assertArrayEquals(all.toByteArray(), out.toByteArray(), "seed " + seed + " op " + i);
          assertTrue(rep.truncated());
          assertEquals(partial, rep.flushedBytes());
          if (partial > 0) {
            // A normal read says "not closed", not "tampered".
            assertThrows(
                java.io.IOException.class,
                () -> Streams.readAll(
                    Fixtures.RECORDINGS.newInputStream(new ByteArrayInputStream(crashed), READ)));
            assertTrue(f.length() - before <= partial + FlushRecords.OVERHEAD_BYTES + Cobblestone.CHUNK_CIPHERTEXT_BYTES);
          }
        }
      }
    }
    byte[] closed = Files.readAllBytes(f.toPath());
    assertEquals(headerBytes + Cobblestone.bodyLength(all.size()), closed.length, "no flush record left");
    assertArrayEquals(
        all.toByteArray(),
        Streams.readAll(Fixtures.RECORDINGS.newInputStream(new ByteArrayInputStream(closed), READ)));
    assertEquals("rw-------", RecordingFilesTest.modeOf(f));
  }

  @Test
  void aNormalReadOfAnUnclosedFlushedRecordingSaysItWasNotClosed() throws Exception {
    File f = new File(dir, "open.oxr");
    RecordingWriter w = Fixtures.RECORDINGS.newFileWriter(f, CTX);
    w.write(new byte[40_000]);
    w.flush();
    byte[] crashed = Files.readAllBytes(f.toPath());
    IOException e =
        assertThrows(
            IOException.class,
            () -> Streams.readAll(
                Fixtures.RECORDINGS.newInputStream(new ByteArrayInputStream(crashed), READ)));
    assertTrue(e.getCause() instanceof TruncationException, String.valueOf(e.getCause()));
    w.close();
  }

  @Test
  void damageInTheMiddleIsNotMistakenForACrash() throws Exception {
    File f = new File(dir, "mid.oxr");
    RecordingWriter w = Fixtures.RECORDINGS.newFileWriter(f, CTX);
    w.write(new byte[3 * Cobblestone.CHUNK_PLAINTEXT_BYTES + 100]);
    w.flush();
    byte[] crashed = Files.readAllBytes(f.toPath());
    int chunk1 = w.header().toByteArray().length + Cobblestone.PREFIX_BYTES + Cobblestone.CHUNK_CIPHERTEXT_BYTES;
    crashed[chunk1 + 5] ^= 1;
    assertThrows(
        AuthenticationException.class,
        () -> recover(Fixtures.RECORDINGS, crashed, new ByteArrayOutputStream()));
    w.close();
  }

  /**
   * QA: the last sealed chunk damaged, while its own old flush records still sit in the next slot
   * and the next chunk's records behind that. Recover took the stale records for a cut (and
   * resume then dropped 16,000 authentic bytes with exit 0); the next chunk's records show the
   * writer had sealed this chunk, so it is damage.
   */
  @Test
  void aDamagedLastSealedChunkWithStaleRecordsBehindItIsDamageNotACut() throws Exception {
    File f = new File(dir, "stale.oxr");
    RecordingWriter w = Fixtures.RECORDINGS.newFileWriter(f, CTX);
    byte[] piece = new byte[1000];
    for (int i = 0; i < 3 * Cobblestone.CHUNK_PLAINTEXT_BYTES / 1000 + 5; i++) {
      w.write(piece);
      w.flush();
    }
    byte[] crashed = Files.readAllBytes(f.toPath());
    int chunk2 =
        w.header().toByteArray().length + Cobblestone.PREFIX_BYTES + 2 * Cobblestone.CHUNK_CIPHERTEXT_BYTES;
    crashed[chunk2 + 100] ^= 1;
    AuthenticationException e =
        assertThrows(
            AuthenticationException.class,
            () -> recover(Fixtures.RECORDINGS, crashed, new ByteArrayOutputStream()));
    assertTrue(e.getMessage().contains("damaged"), e.getMessage());
    w.abort();
    Files.write(f.toPath(), crashed);
    assertThrows(AuthenticationException.class, () -> Fixtures.RECORDINGS.resume(f, READ));
    assertArrayEquals(crashed, Files.readAllBytes(f.toPath()), "a refused resume changes nothing");
  }

  /** QA: two resumes at once both succeeded and one's input was lost. One writer per recording. */
  @Test
  void aRecordingWithALiveWriterCannotBeResumed() throws Exception {
    File f = new File(dir, "live.oxr");
    RecordingWriter w = Fixtures.RECORDINGS.newFileWriter(f, CTX);
    w.write(new byte[5000]);
    w.flush();
    byte[] before = Files.readAllBytes(f.toPath());
    assertThrows(ConcurrentEditException.class, () -> Fixtures.RECORDINGS.resume(f, READ));
    assertArrayEquals(before, Files.readAllBytes(f.toPath()));
    w.write(new byte[100]); // the live writer is unharmed (not flushed: lost below)
    w.abort(); // its process "dies": the claim goes with it
    RecordingWriter again = Fixtures.RECORDINGS.resume(f, READ);
    assertThrows(ConcurrentEditException.class, () -> Fixtures.RECORDINGS.resume(f, READ));
    again.write(new byte[7]);
    again.close();
    assertEquals(5007, Streams.readAll(Fixtures.RECORDINGS.newInputStream(new java.io.FileInputStream(f), READ)).length);
  }

  @Test
  void resumeGoesOnFromTheFlushedBytesAndRefusesAClosedRecording() throws Exception {
    File f = new File(dir, "resume.oxr");
    byte[] first = FormatV2Test.plain(50_000, 7);
    byte[] lost = FormatV2Test.plain(500, 8);
    byte[] second = FormatV2Test.plain(20_000, 9);
    RecordingWriter w = Fixtures.RECORDINGS.newFileWriter(f, CTX);
    w.write(first);
    w.flush();
    w.write(lost); // written, not flushed: a crash may lose it
    byte[] crashed = Files.readAllBytes(f.toPath());
    w.abort();
    Files.write(f.toPath(), crashed);
    try (RecordingWriter again = Fixtures.RECORDINGS.resume(f, READ)) {
      again.write(second);
    }
    byte[] out = Streams.readAll(Fixtures.RECORDINGS.newInputStream(new java.io.FileInputStream(f), READ));
    byte[] want = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, want, first.length, second.length);
    assertArrayEquals(want, out);
    RecordingCompleteException e =
        assertThrows(RecordingCompleteException.class, () -> Fixtures.RECORDINGS.resume(f, READ));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    assertArrayEquals(want, Streams.readAll(Fixtures.RECORDINGS.newInputStream(new java.io.FileInputStream(f), READ)));

    Recordings v1 = Recordings.builder().wrapWith(Fixtures.KMS).auditSink(AuditSink.none()).writeVersion1().build();
    File old = new File(dir, "v1.oxr");
    Files.write(old.toPath(), Arrays.copyOf(FormatV2Test.encrypt(v1, EncryptionContext.empty(), first), 20_000));
    assertThrows(UnsupportedFormatException.class, () -> Fixtures.RECORDINGS.resume(old, ReadOptions.defaults()));
  }

  /**
   * A chunk that had flush records is forced to the disk before later records or the next chunk
   * can overwrite them, once the writer was asked to sync: otherwise a power loss could take bytes
   * a sync() had confirmed.
   */
  @Test
  void afterASyncAFilledChunkReachesTheDiskBeforeItsRecordsCanBeOverwritten() throws Exception {
    Disk disk = new Disk(new byte[0], Long.MAX_VALUE);
    RecordingWriter w = Fixtures.RECORDINGS.newWriter(disk, CTX);
    w.write(new byte[100]);
    w.sync();
    assertEquals(1, disk.syncs);
    w.write(new byte[Cobblestone.CHUNK_PLAINTEXT_BYTES]); // fills chunk 0 (flushed in part)
    assertEquals(2, disk.syncs);
    w.write(new byte[Cobblestone.CHUNK_PLAINTEXT_BYTES]); // chunk 1 had no records: no force
    assertEquals(2, disk.syncs);
    w.close();
  }

  /** A disk that takes {@code budget} more bytes and then fails mid-write, like a killed process. */
  static final class Disk extends RecordingWriter.Sink {
    byte[] image;
    long budget;
    int syncs;

    @Override
    void sync() {
      syncs++;
    }

    Disk(byte[] image, long budget) {
      this.image = image;
      this.budget = budget;
    }

    @Override
    void write(long pos, byte[] b, int off, int len) throws IOException {
      int n = (int) Math.min(len, budget);
      if (pos + n > image.length) {
        image = Arrays.copyOf(image, (int) (pos + n));
      }
      System.arraycopy(b, off, image, (int) pos, n);
      budget -= n;
      if (n < len) {
        throw new IOException("crashed");
      }
    }

    @Override
    void flush() {}

    @Override
    boolean positional() {
      return true;
    }

    @Override
    void truncate(long size) throws IOException {
      if (budget <= 0) {
        throw new IOException("crashed");
      }
      image = Arrays.copyOf(image, (int) Math.min(size, image.length));
    }

    @Override
    void close() {}
  }

  /**
   * Issue 14, requirement 3: whatever the sequence of writes, flushes, crashes at a random byte and
   * resumes, no AES-GCM key and nonce pair is ever sealed twice. Every seal of every session
   * (chunks, flush records, the re-seal of a resume) goes through a provider that logs it.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void noKeyAndNonceIsEverSealedTwiceAcrossCrashesAndResumes(long seed) throws Exception {
    Random r = new Random(seed);
    CountingProvider seals = new CountingProvider();
    Recordings rec =
        Recordings.builder().wrapWith(Fixtures.KMS).auditSink(AuditSink.none()).cipherProvider(seals).build();
    File f = new File(dir, "n" + seed + ".oxr");
    byte[] expected = new byte[0]; // what the recording must hold: recovered, then written
    int sessions = 2 + r.nextInt(4);
    for (int s = 0; s < sessions; s++) {
      boolean last = s == sessions - 1;
      Disk disk;
      RecordingWriter w;
      if (s == 0) {
        disk = new Disk(new byte[0], Long.MAX_VALUE);
        w = rec.newWriter(disk, CTX);
      } else {
        w = rec.resume(f, READ);
        disk = new Disk(Files.readAllBytes(f.toPath()), Long.MAX_VALUE);
        w.moveTo(disk);
      }
      ByteArrayOutputStream written = new ByteArrayOutputStream();
      written.write(expected);
      long flushed = expected.length;
      disk.budget = last ? Long.MAX_VALUE : 1 + r.nextInt(60_000);
      try {
        int ops = 1 + r.nextInt(15);
        for (int i = 0; i < ops; i++) {
          byte[] b = new byte[r.nextInt(5) == 0 ? r.nextInt(30_000) : r.nextInt(2000)];
          r.nextBytes(b);
          written.write(b); // first: a write that crashes may have put some of it on disk
          w.write(b);
          if (r.nextBoolean()) {
            w.flush();
            flushed = written.size();
          }
        }
        if (last) {
          w.close();
        }
      } catch (IOException crashed) {
        // The process died mid-write: the disk holds what it holds.
      }
      Files.write(f.toPath(), disk.image);
      byte[] all = written.toByteArray();
      if (last) {
        assertArrayEquals(all, Streams.readAll(rec.newInputStream(new java.io.FileInputStream(f), READ)));
        expected = all;
      } else {
        byte[] got = recovered(rec, disk.image);
        assertTrue(got.length >= flushed, "seed " + seed + ": lost flushed bytes");
        assertArrayEquals(Arrays.copyOf(all, got.length), got, "seed " + seed + ": not a prefix");
        expected = got;
      }
    }
    Set<String> unique = new HashSet<>();
    for (String pair : seals.gcmSeals) {
      assertTrue(unique.add(pair), "seed " + seed + ": a key and nonce sealed twice");
    }
    assertTrue(!seals.gcmSeals.isEmpty());
  }
}
