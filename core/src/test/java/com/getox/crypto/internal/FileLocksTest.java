package com.getox.crypto.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lock file's creation. Creating a file opens and closes it, and on POSIX that close drops
 * every lock this process holds on the file: when one thread created a directory's lock file while
 * another thread of the same JVM had just opened and locked it, the second thread went on "holding"
 * a lock the kernel no longer had, and another process took it too. Two JVMs re-wrapping one fresh
 * tree each re-wrapped the same file (RecordingEditRaceTest, about one run in six).
 */
class FileLocksTest {
  @TempDir File dir;

  @AfterEach
  void clearSeam() {
    FileLocks.created = null;
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void noOtherThreadTakesALockFileWhileThisJvmIsCreatingIt() throws Exception {
    File target = new File(dir, "keys.json");
    File lockFile = new File(dir, FileLocks.DIRECTORY_LOCK_NAME);
    AtomicInteger creations = new AtomicInteger();
    AtomicReference<Object> otherThread = new AtomicReference<>();
    FileLocks.created =
        () -> {
          creations.incrementAndGet();
          try {
            // Another thread asks while the creator is between creating and locking the file.
            otherThread.set(
                CompletableFuture.supplyAsync(
                        () -> {
                          try {
                            FileLocks.Held h = FileLocks.tryLock(lockFile);
                            if (h != null) {
                              h.close();
                            }
                            return h == null ? "refused" : "taken";
                          } catch (Exception e) {
                            return e;
                          }
                        })
                    .get());
          } catch (InterruptedException | ExecutionException e) {
            otherThread.set(e);
          }
        };
    try (FileLocks.Held held = FileLocks.lockDirectoryOf(target)) {
      assertEquals(1, creations.get(), "the lock file was created by the locking thread");
      assertEquals("refused", otherThread.get());
      assertTrue(heldByThisProcess(lockFile), "the kernel holds our lock on " + lockFile);
    }
    try (FileLocks.Held again = FileLocks.lockDirectoryOf(target)) {
      assertEquals(1, creations.get(), "an existing lock file is not created again");
      assertTrue(heldByThisProcess(lockFile));
    }
    assertTrue(new File(dir, FileLocks.DIRECTORY_LOCK_NAME).isFile());
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void threadsRacingToCreateAndLockFreshDirectoriesAlwaysHoldTheKernelLock() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      for (int i = 0; i < 200; i++) {
        File d = new File(dir, "d" + i);
        assertTrue(d.mkdir());
        File lockFile = new File(d, FileLocks.DIRECTORY_LOCK_NAME);
        CompletableFuture<?>[] racers = new CompletableFuture<?>[3];
        for (int t = 0; t < racers.length; t++) {
          racers[t] =
              CompletableFuture.runAsync(
                  () -> {
                    try (FileLocks.Held h = FileLocks.lockDirectoryOf(new File(d, "x"))) {
                      if (!heldByThisProcess(lockFile)) {
                        throw new AssertionError("holding " + lockFile + " without the kernel lock");
                      }
                    } catch (Exception e) {
                      throw new RuntimeException(e);
                    }
                  },
                  pool);
        }
        CompletableFuture.allOf(racers).get(); // before the fix: failed within a few directories
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Whether /proc/locks lists a POSIX lock of this process on {@code f}'s inode. */
  static boolean heldByThisProcess(File f) throws Exception {
    if (!new File("/proc/locks").isFile()) {
      return true; // not Linux: nothing to look at
    }
    Object key = Files.readAttributes(f.toPath(), BasicFileAttributes.class).fileKey();
    // fileKey() prints "(dev=803,ino=1234)"; /proc/locks has "08:03:1234" style device:inode.
    String ino = key.toString().replaceAll(".*ino=(\\d+).*", "$1");
    String pid = Long.toString(ProcessHandle.current().pid());
    for (String line : Files.readAllLines(new File("/proc/locks").toPath(), StandardCharsets.UTF_8)) {
      String[] p = line.trim().split("\\s+");
      if (p.length > 6 && p[1].equals("POSIX") && p[4].equals(pid) && p[5].endsWith(":" + ino)) {
        return true;
      }
    }
    return false;
  }
}
