package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.hpke.HpkeRecipient;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI where the defect lies between processes (issue 12): child JVMs race on one keyset, one
 * recipient name and one OUT, and a decrypt killed with SIGKILL mid-write.
 */
class MultiProcessCliTest extends CliTestBase {
  @TempDir Path dir;

  /** Child JVMs started by {@link #children}, released together. */
  private final class Children implements AutoCloseable {
    final List<Process> processes = new ArrayList<>();
    final List<BufferedReader> outs = new ArrayList<>();

    Children(int n, String... args) throws IOException {
      this(java.util.Collections.nCopies(n, List.of(args)));
    }

    /** One child per argument list. */
    Children(List<List<String>> argLists) throws IOException {
      for (int c = 0; c < argLists.size(); c++) {
        List<String> cmd = new ArrayList<>(List.of(
            new File(System.getProperty("java.home"), "bin/java").getPath(),
            "-cp", System.getProperty("java.class.path"), CliChild.class.getName()));
        cmd.addAll(argLists.get(c));
        Process p = new ProcessBuilder(cmd)
            .redirectError(dir.resolve("child-" + c + ".err").toFile())
            .start();
        processes.add(p);
        outs.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
      }
    }

    /** Waits for every child to be ready, then lets them all go at once. */
    void go() throws IOException {
      for (BufferedReader o : outs) {
        assertEquals("ready", o.readLine());
      }
      for (Process p : processes) {
        OutputStream in = p.getOutputStream();
        in.write('\n');
        in.flush();
      }
    }

    /** Each child's exit codes, by round. */
    List<int[]> codes(int rounds) throws Exception {
      List<int[]> all = new ArrayList<>();
      for (int c = 0; c < processes.size(); c++) {
        int[] codes = new int[rounds];
        for (int i = 0; i < rounds; i++) {
          String line = outs.get(c).readLine();
          assertTrue(line != null && line.startsWith("exit " + i + " "),
              () -> "child: " + line + "; stderr: " + stderrOf());
          codes[i] = Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
        }
        assertTrue(processes.get(c).waitFor(120, TimeUnit.SECONDS));
        all.add(codes);
      }
      return all;
    }

    String stderrOf() {
      StringBuilder sb = new StringBuilder();
      for (int c = 0; c < processes.size(); c++) {
        try {
          sb.append(Files.readString(dir.resolve("child-" + c + ".err")));
        } catch (IOException e) {
          sb.append(e);
        }
      }
      return sb.toString();
    }

    @Override
    public void close() {
      processes.forEach(Process::destroyForcibly);
    }
  }

  private static String mode(Path p) throws IOException {
    return OutputFilesTest.mode(p);
  }

  /** NAME.key's private key belongs to NAME.pub's public key. */
  private static void assertPair(Path out) throws Exception {
    Path key = Path.of(out + ".key");
    Path pub = Path.of(out + ".pub");
    assertTrue(Files.exists(key) && Files.exists(pub), "both files of " + out);
    HpkeRecipient priv = HpkeRecipient.fromInsecurePrivateKeyset(Files.readString(key));
    HpkeRecipient pubKey = HpkeRecipient.fromPublicKeyset(Files.readString(pub));
    assertEquals(pubKey.uri(), priv.uri(), "the two files pair up: " + out);
    assertEquals("rw-------", mode(key));
  }

  // ------------------------------------------------------------------ defect 3

  @Test
  @Timeout(120)
  void twoProcessesCreatingOneRecipientLeaveOneWholePair() throws Exception {
    int rounds = 25;
    try (Children c = new Children(2, Integer.toString(rounds), "keys", "create-recipient", "--out",
        dir.resolve("bob{i}").toString())) {
      c.go();
      List<int[]> codes = c.codes(rounds);
      for (int i = 0; i < rounds; i++) {
        int a = codes.get(0)[i];
        int b = codes.get(1)[i];
        assertTrue((a == 0 && b == OxCrypt.USAGE) || (a == OxCrypt.USAGE && b == 0),
            "round " + i + ": exits " + a + " and " + b + "; " + c.stderrOf());
        assertPair(dir.resolve("bob" + i));
      }
    }
  }

  @Test
  @Timeout(120)
  void twoThreadsCreatingOneRecipientLeaveOneWholePair() throws Exception {
    int rounds = 200;
    CyclicBarrier start = new CyclicBarrier(2);
    int[][] codes = new int[2][rounds];
    AtomicReference<Throwable> failed = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      int me = t;
      Thread th = new Thread(() -> {
        try {
          for (int i = 0; i < rounds; i++) {
            start.await(60, TimeUnit.SECONDS);
            codes[me][i] = run("keys", "create-recipient", "--out", dir.resolve("bob" + i).toString()).code;
          }
        } catch (Throwable e) {
          failed.set(e);
        }
      });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    if (failed.get() != null) {
      throw new AssertionError(failed.get());
    }
    for (int i = 0; i < rounds; i++) {
      int a = codes[0][i];
      int b = codes[1][i];
      assertTrue((a == 0 && b == OxCrypt.USAGE) || (a == OxCrypt.USAGE && b == 0),
          "round " + i + ": exits " + a + " and " + b);
      assertPair(dir.resolve("bob" + i));
    }
  }

  // ------------------------------------------------------------------ defect 5, between processes

  @Test
  @Timeout(120)
  void twoProcessesEncryptingToOneOutLeaveOneWholeRecording() throws Exception {
    Path keys = dir.resolve("keys.json");
    ok("keys", "create", "--keyset", keys.toString(), "--insecure");
    byte[] a = random(300_000, 1);
    byte[] b = random(300_001, 2);
    Path inA = Files.write(dir.resolve("a.bin"), a);
    Path inB = Files.write(dir.resolve("b.bin"), b);
    int rounds = 10;
    List<int[]> codes;
    String out = dir.resolve("out{i}.oxr").toString();
    try (Children c = new Children(List.of(
        List.of(Integer.toString(rounds), "encrypt", "--keyset", keys.toString(), inA.toString(), out),
        List.of(Integer.toString(rounds), "encrypt", "--keyset", keys.toString(), inB.toString(), out)))) {
      c.go();
      codes = c.codes(rounds);
    }
    for (int i = 0; i < rounds; i++) {
      assertEquals(0, codes.get(0)[i]);
      assertEquals(0, codes.get(1)[i]);
      Result r = run("decrypt", "--keyset", keys.toString(), dir.resolve("out" + i + ".oxr").toString(), "-");
      assertEquals(0, r.code, "round " + i + ": " + r.stderr);
      assertTrue(Arrays.equals(a, r.stdout) || Arrays.equals(b, r.stdout), "round " + i + ": one whole input");
    }
    assertEquals(List.of(), OutputFilesTest.temporaries(dir));
  }

  // ------------------------------------------------------------------ defect 1, through the CLI

  /** Two processes rotating one keyset: every rotation is kept (LocalKms locks and re-reads). */
  @Test
  @Timeout(120)
  void twoProcessesRotatingOneKeysetKeepEveryVersion() throws Exception {
    Path keys = dir.resolve("keys.json");
    ok("keys", "create", "--keyset", keys.toString(), "--insecure");
    int rounds = 8;
    try (Children c = new Children(2, Integer.toString(rounds), "keys", "rotate", "--keyset", keys.toString())) {
      c.go();
      for (int[] codes : c.codes(rounds)) {
        for (int code : codes) {
          assertEquals(0, code, c.stderrOf());
        }
      }
    }
    long versions = ok("keys", "list", "--keyset", keys.toString()).out().lines()
        .filter(l -> l.matches("\\d+\\s+.*")).count();
    assertEquals(1 + 2 * rounds, versions, "every rotation of both processes is in the keyset");
    assertEquals("rw-------", mode(keys));
  }

  // ------------------------------------------------------------------ a closed stdout

  @Test
  @Timeout(120)
  void aListingToAClosedStdoutFails() throws Exception {
    Path keys = dir.resolve("keys.json");
    ok("keys", "create", "--keyset", keys.toString(), "--insecure");
    try (Children c = new Children(1, "1:stdout", "keys", "list", "--keyset", keys.toString())) {
      assertEquals("ready", c.outs.get(0).readLine());
      c.outs.get(0).close(); // the pipe's only reader: the child's next write to stdout fails
      OutputStream go = c.processes.get(0).getOutputStream();
      go.write('\n');
      go.flush();
      assertTrue(c.processes.get(0).waitFor(120, TimeUnit.SECONDS));
      String err = c.stderrOf();
      assertTrue(err.contains("exit 0 " + OxCrypt.IO_ERROR), err);
      assertTrue(err.contains("cannot write to standard output"), err);
    }
  }

  // ------------------------------------------------------------------ kill -9 during decrypt

  @Test
  @Timeout(120)
  void aDecryptKilledMidWriteLeavesATempThatTheNextDecryptRemoves() throws Exception {
    Path keys = dir.resolve("keys.json");
    ok("keys", "create", "--keyset", keys.toString(), "--insecure");
    byte[] plain = random(20 * CHUNK, 3);
    Path in = Files.write(dir.resolve("plain.bin"), plain);
    Path rec = dir.resolve("rec.oxr");
    ok("encrypt", "--keyset", keys.toString(), in.toString(), rec.toString());
    Files.delete(in);
    byte[] bytes = Files.readAllBytes(rec);
    // Twelve full chunks: more than one 64 KiB read of the decrypting copy loop.
    int firstChunks = bytes.length - (plain.length + 21 * 16) + 12 * (CHUNK + 16);
    Path outDir = Files.createDirectories(dir.resolve("out"));
    Path out = outDir.resolve("plain.bin");

    Process child = new ProcessBuilder(
        new File(System.getProperty("java.home"), "bin/java").getPath(),
        "-cp", System.getProperty("java.class.path"), OxCrypt.class.getName(),
        "decrypt", "--keyset", keys.toString(), "-", out.toString())
        .redirectError(dir.resolve("decrypt.err").toFile())
        .redirectOutput(dir.resolve("decrypt.out").toFile())
        .start();
    try {
      OutputStream stdin = child.getOutputStream();
      stdin.write(bytes, 0, firstChunks); // authenticated chunks, then the child waits for more
      stdin.flush();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(100);
      while (!hasPlaintextTemp(outDir)) {
        assertTrue(child.isAlive(), () -> "decrypt ended early: " + read(dir.resolve("decrypt.err")));
        assertTrue(System.nanoTime() < deadline, "no temporary file appeared");
        Thread.sleep(20); // polling the directory, not timing: the loop ends on what it sees
      }
    } finally {
      child.destroyForcibly();
      child.waitFor(60, TimeUnit.SECONDS);
    }
    assertTrue(hasPlaintextTemp(outDir), "SIGKILL left the hidden plaintext temporary");
    assertTrue(Files.notExists(out), "OUT itself never appeared");

    ok("decrypt", "--keyset", keys.toString(), rec.toString(), out.toString());
    assertArrayEquals(plain, Files.readAllBytes(out));
    assertEquals(List.of(), OutputFilesTest.temporaries(outDir), "the next decrypt removed the stale temporary");
  }

  private static boolean hasPlaintextTemp(Path d) throws IOException {
    for (String name : OutputFilesTest.temporaries(d)) {
      if (name.startsWith(".plain.bin.") && Files.size(d.resolve(name)) > 0) {
        return true;
      }
    }
    return false;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
