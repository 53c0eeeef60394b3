package com.getox.crypto.internal;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * A JVM that takes and releases directory locks on command, each on its own thread, for {@link
 * FileLocksProcessTest}. Stdin: {@code lock DIR} or {@code release DIR}; stdout: {@code holding
 * DIR} once it holds, {@code error DIR CLASS} if locking failed, {@code refused} when the kernel
 * refused a blocking wait and the lock fell back to polling.
 */
public final class LockChild {
  private LockChild() {}

  public static void main(String[] args) throws Exception {
    Map<String, CountDownLatch> releases = new ConcurrentHashMap<>();
    FileLocks.refusedWait = () -> say("refused");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] cmd = line.split(" ", 2);
      String dir = cmd[1];
      if (cmd[0].equals("lock")) {
        CountDownLatch release = new CountDownLatch(1);
        releases.put(dir, release);
        new Thread(
                () -> {
                  try (FileLocks.Held held = FileLocks.lockDirectoryOf(new File(dir, "x"))) {
                    say("holding " + dir);
                    release.await();
                  } catch (Exception e) {
                    say("error " + dir + " " + e.getClass().getName());
                  }
                })
            .start();
      } else {
        releases.remove(dir).countDown();
      }
    }
  }

  static void say(String s) {
    synchronized (System.out) {
      System.out.println(s);
      System.out.flush();
    }
  }
}
