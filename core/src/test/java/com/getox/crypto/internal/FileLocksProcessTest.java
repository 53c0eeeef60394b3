package com.getox.crypto.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.ChildJvm;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes, two threads each, two directory locks taken in opposite orders by different
 * threads: no thread waits for itself, yet Linux's fcntl deadlock detection, which sees processes
 * rather than threads, refused the second wait with EDEADLK ("Resource deadlock avoided"). Two
 * JVMs re-wrapping one tree hit it; {@link FileLocks} must wait instead.
 */
class FileLocksProcessTest {
  @TempDir File dir;

  @Test
  @EnabledOnOs(OS.LINUX)
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void threadsOfTwoProcessesWaitingCrosswiseAreNotRefusedAsADeadlock() throws Exception {
    File x = new File(dir, "x");
    File y = new File(dir, "y");
    assertTrue(x.mkdir() && y.mkdir());
    try (ChildJvm p1 = ChildJvm.start(LockChild.class, new File(dir, "p1.err"));
        ChildJvm p2 = ChildJvm.start(LockChild.class, new File(dir, "p2.err"))) {
      p1.send("lock " + x);
      assertEquals("holding " + x, p1.readLine(), p1.stderr());
      p2.send("lock " + y);
      assertEquals("holding " + y, p2.readLine(), p2.stderr());
      p1.send("lock " + y); // another thread of p1 now waits in the kernel for p2's lock on y
      awaitBlockedLock(p1.pid());
      p2.send("lock " + x); // and one of p2 for p1's lock on x: the kernel calls this a deadlock
      // Wait until p2's request is decided: blocked in the kernel, or refused and polling. Before
      // the fix, p2 reported the refusal as an error here.
      while (!p2.ready() && !blocked(p2.pid())) {
        Thread.sleep(5);
      }
      if (p2.ready()) {
        assertEquals("refused", p2.readLine(), p2.stderr());
      }
      p1.send("release " + x);
      assertEquals("holding " + x, p2.readLine(), p2.stderr());
      p2.send("release " + y);
      assertEquals("holding " + y, p1.readLine(), p1.stderr());
      p1.send("release " + y);
      p2.send("release " + x);
    }
  }

  /** Polls /proc/locks until process {@code pid} waits for a lock (bounded by the timeout). */
  private static void awaitBlockedLock(long pid) throws Exception {
    while (!blocked(pid)) {
      Thread.sleep(5);
    }
  }

  /** Whether process {@code pid} waits in the kernel for a lock, per /proc/locks. */
  private static boolean blocked(long pid) throws Exception {
    for (String line : Files.readAllLines(new File("/proc/locks").toPath(), StandardCharsets.UTF_8)) {
      String[] f = line.trim().split("\\s+");
      // "7: -> POSIX  ADVISORY  WRITE 4242 00:2f:1234 0 EOF": a request of 4242, blocked
      if (f.length > 5 && f[1].equals("->") && f[5].equals(Long.toString(pid))) {
        return true;
      }
    }
    return false;
  }
}
