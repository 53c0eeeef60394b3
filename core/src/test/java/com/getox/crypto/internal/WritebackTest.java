package com.getox.crypto.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.SyncFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Early syncs while a file is written: they happen, never block the writer, and fail the write. */
@Timeout(value = 120, unit = TimeUnit.SECONDS) // only catches hangs
class WritebackTest {
  @TempDir Path dir;

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(19).nextBytes(b);
    return b;
  }

  @Test
  void syncsAsItGoesAndTheFinalSyncComesLast() throws Exception {
    Path f = dir.resolve("f");
    byte[] data = random(10_000);
    AtomicInteger syncs = new AtomicInteger();
    try (FileOutputStream out = new FileOutputStream(f.toFile())) {
      Writeback w =
          new Writeback(
              out,
              1000,
              fd -> {
                syncs.incrementAndGet();
                fd.sync();
              });
      w.write(data, 0, 4000); // one threshold passed: an early sync starts
      w.finish(); // waits for it, then the final one
      assertEquals(2, syncs.get());
      w.write(data, 4000, data.length - 4000);
      w.close(); // the content may close it: the file stays open
      w.finish();
      assertEquals(4, syncs.get(), "one early sync per write past a threshold, then the final");
    }
    assertArrayEquals(data, Files.readAllBytes(f));
  }

  @Test
  void aSlowSyncNeverHoldsUpTheWriterAndIsNotDoubled() throws Exception {
    Path f = dir.resolve("f");
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger started = new AtomicInteger();
    try (FileOutputStream out = new FileOutputStream(f.toFile())) {
      Writeback w =
          new Writeback(
              out,
              100,
              fd -> {
                started.incrementAndGet();
                try {
                  release.await(); // the disk is slow
                } catch (InterruptedException e) {
                  throw new IOException(e);
                }
              });
      byte[] piece = random(150);
      for (int i = 0; i < 50; i++) {
        w.write(piece, 0, piece.length); // every write passes a threshold; none waits
      }
      assertEquals(50 * 150, Files.size(f), "all written while the first sync still runs");
      release.countDown();
      w.finish();
      assertEquals(2, started.get(), "the first early sync (the others skipped), then the final");
    }
  }

  @Test
  void aFailedEarlySyncFailsTheWriteEvenIfTheFinalSyncSucceeds() throws Exception {
    Path f = dir.resolve("f");
    SyncFailedException eio = new SyncFailedException("EIO");
    AtomicInteger calls = new AtomicInteger();
    try (FileOutputStream out = new FileOutputStream(f.toFile())) {
      Writeback w =
          new Writeback(
              out,
              10,
              fd -> {
                if (calls.incrementAndGet() == 1) {
                  throw eio; // the kernel may have dropped the pages: a later fsync can succeed
                }
              });
      w.write(random(20), 0, 20);
      IOException e = assertThrows(IOException.class, w::finish);
      assertSame(eio, e.getCause());
      assertThrows(IOException.class, w::finish, "the failure sticks");
    }
  }

  @Test
  void largeContentThroughAtomicFileArrivesWhole() throws Exception {
    // Past EVERY_BYTES, so early syncs run on the real file descriptor.
    Path f = dir.resolve("big");
    byte[] block = random(1 << 20);
    int blocks = (int) (Writeback.EVERY_BYTES / block.length) * 2 + 3;
    AtomicFile.replace(
        f.toFile(),
        AtomicFile.Mode.KEEP,
        out -> {
          for (int i = 0; i < blocks; i++) {
            block[0] = (byte) i;
            out.write(block);
          }
        });
    assertEquals((long) blocks * block.length, Files.size(f));
    byte[] back = Files.readAllBytes(f);
    for (int i = 0; i < blocks; i++) {
      assertEquals((byte) i, back[i * block.length]);
    }
  }
}
