package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 through the CLI: {@code encrypt --flush-every} makes what a recorder pipeline sent
 * durable while stdin blocks, so a {@code kill -9} at any moment loses nothing that was flushed;
 * {@code decrypt --recover} returns it, exactly, and {@code resume} goes on from it.
 */
class FlushResumeCliTest extends CliTestBase {
  @TempDir Path dir;
  private Path keys;

  @BeforeEach
  void keyset() {
    keys = dir.resolve("keys.json");
    ok("keys", "create", "--keyset", keys.toString(), "--insecure", "--name", "keys");
  }

  /** {@code decrypt --recover FILE -}, in-process. */
  private Result recover(Path rec, String... extra) {
    String[] args = new String[5 + extra.length];
    args[0] = "decrypt";
    args[1] = "--keyset";
    args[2] = keys.toString();
    args[3] = "--recover";
    System.arraycopy(extra, 0, args, 4, extra.length);
    args[4 + extra.length] = rec.toString();
    String[] all = Arrays.copyOf(args, args.length + 1);
    all[all.length - 1] = "-";
    return run(all);
  }

  private static boolean isPrefix(byte[] prefix, byte[] of) {
    return prefix.length <= of.length && Arrays.equals(prefix, 0, prefix.length, of, 0, prefix.length);
  }

  /** {@code oxcrypt encrypt --flush-every INTERVAL - OUT} in a child JVM, stdin from the test. */
  private Process child(String interval, Path out, Path stderr, String... extra) throws IOException {
    List<String> cmd = new java.util.ArrayList<>(List.of(
        new File(System.getProperty("java.home"), "bin/java").getPath(),
        "-cp", System.getProperty("java.class.path"), OxCrypt.class.getName(),
        "encrypt", "--keyset", keys.toString(), "--flush-every", interval));
    cmd.addAll(List.of(extra));
    cmd.add("-");
    cmd.add(out.toString());
    return new ProcessBuilder(cmd)
        .redirectError(stderr.toFile())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  /**
   * Polls {@code recover} of {@code rec} until it returns at least {@code n} bytes, each poll's
   * output a prefix of {@code sent} (anything it authenticates is). What a poll sees depends on
   * timing (the file may not exist yet; a read may race a write and fail); only the loop's end does
   * not: the child flushes on its timer while it waits for stdin, so the bytes do arrive. The
   * deadline only turns a child that never flushes into a clear failure before the @Timeout.
   */
  private void awaitRecoverable(Path rec, byte[] sent, int n, Process child, Path stderr, String... extra)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      Result r = recover(rec, extra);
      if (r.code == OxCrypt.RECOVERED_PREFIX || r.code == OxCrypt.OK) {
        assertTrue(isPrefix(r.stdout, sent), "a poll returned bytes that were not sent there");
        if (r.stdout.length >= n) {
          return;
        }
      }
      assertTrue(child.isAlive(), () -> "encrypt ended early: " + read(stderr));
      assertTrue(System.nanoTime() < deadline, () -> "after 120 s, recover still returns fewer than " + n
          + " bytes: the child did not flush what it read while stdin waits; stderr: " + read(stderr));
      Thread.sleep(20); // polling what the file holds; the outcome is decided by what it sees
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static void kill(Process child) throws InterruptedException {
    child.destroyForcibly(); // SIGKILL
    assertTrue(child.waitFor(60, TimeUnit.SECONDS));
  }

  // ------------------------------------------------------------------ the kill test of issue 14

  /**
   * A recorder pipeline: a child {@code encrypt --flush-every 50ms - OUT} fed through a pipe. The
   * test sends N bytes (seeded random, in random pieces), waits until {@code recover} returns at
   * least N, sends a burst more and kills the child with SIGKILL at once, mid-burst. {@code
   * recover} then returns exactly the first M bytes sent, N &lt;= M &lt;= all sent: nothing
   * flushed is lost and nothing unauthenticated appears. Then {@code resume} from stdin appends
   * a tail, and the closed recording decrypts to those M bytes followed by the tail.
   */
  @Test
  @Timeout(300)
  void aRecorderKilledAtAnyMomentKeepsEverythingFlushedAndResumes() throws Exception {
    Random rnd = new Random(0x14_14);
    for (int round = 0; round < 5; round++) {
      int n = 1 + rnd.nextInt(4 * CHUNK);
      int burst = rnd.nextInt(3 * CHUNK);
      byte[] sent = random(n + burst, 100 + round);
      Path rec = dir.resolve("live" + round + ".oxr");
      Path err = dir.resolve("child" + round + ".err");
      Process child = child("50ms", rec, err);
      try {
        OutputStream stdin = child.getOutputStream();
        for (int off = 0; off < n; ) {
          int piece = Math.min(n - off, 1 + rnd.nextInt(8000));
          stdin.write(sent, off, piece);
          stdin.flush();
          off += piece;
        }
        awaitRecoverable(rec, sent, n, child, err);
        stdin.write(sent, n, burst);
        stdin.flush();
      } finally {
        kill(child);
      }
      String where = "round " + round + " (n " + n + ", burst " + burst + "): ";
      Result r = recover(rec);
      assertEquals(OxCrypt.RECOVERED_PREFIX, r.code, () -> where + r.stderr + read(err));
      assertTrue(r.stdout.length >= n, where + "recovered " + r.stdout.length);
      assertTrue(isPrefix(r.stdout, sent), where + "recovered bytes are exactly the bytes sent");
      assertTrue(r.stderr.contains("cut short"), r.stderr);

      // Resume it from stdin, then it is one closed recording: the recovered bytes, then the tail.
      byte[] tail = random(rnd.nextInt(2 * CHUNK), 200 + round);
      Result resumed = run(tail, "resume", "--keyset", keys.toString(), rec.toString());
      assertEquals(0, resumed.code, () -> where + resumed.stderr);
      Result back = run("decrypt", "--keyset", keys.toString(), rec.toString(), "-");
      assertEquals(0, back.code, () -> where + back.stderr);
      assertArrayEquals(concat(r.stdout, tail), back.stdout, where);
    }
    assertEquals(List.of(), OutputFilesTest.temporaries(dir));
  }

  // ------------------------------------------------------------------ resume after kill -9

  /**
   * A recording whose {@code encrypt --flush-every} was killed: {@code recover} says how many
   * bytes came from flushes, {@code resume FILE IN} appends the rest, and the closed recording is
   * the flushed prefix followed by the rest, exactly; resuming it again is exit 8.
   */
  @Test
  @Timeout(300)
  void resumeAfterAKilledEncryptGivesThePrefixThenTheRest() throws Exception {
    int n = 2 * CHUNK + 5000; // two sealed chunks and 5000 bytes only in flush records
    byte[] first = random(n, 31);
    byte[] rest = random(3 * CHUNK + 11, 32);
    Path rec = dir.resolve("talk.oxr");
    Path err = dir.resolve("child.err");
    Process child = child("50ms", rec, err, "--unstored-context", "user-id=u-7");
    try {
      OutputStream stdin = child.getOutputStream();
      stdin.write(first);
      stdin.flush();
      awaitRecoverable(rec, first, n, child, err, "--unstored-context", "user-id=u-7");
    } finally {
      kill(child); // with stdin still open: the writer never closed
    }
    assertFails(OxCrypt.INTEGRITY, run("decrypt", "--keyset", keys.toString(), "--unstored-context",
        "user-id=u-7", rec.toString(), "-"));
    Result r = recover(rec, "--unstored-context", "user-id=u-7");
    assertEquals(OxCrypt.RECOVERED_PREFIX, r.code, r.stderr);
    assertArrayEquals(first, r.stdout);
    assertTrue(r.stderr.contains(n + " bytes: 2 authenticated complete chunks and 5000 flushed bytes"), r.stderr);

    Path restFile = Files.write(dir.resolve("rest.bin"), rest);
    Result missing = assertFails(OxCrypt.INTEGRITY, run("resume", "--keyset", keys.toString(), rec.toString(),
        restFile.toString()));
    assertTrue(missing.stderr.contains("'user-id'"), missing.stderr);
    ok("resume", "--keyset", keys.toString(), "--unstored-context", "user-id=u-7", "--flush-every", "20ms",
        rec.toString(), restFile.toString());
    Result back = run("decrypt", "--keyset", keys.toString(), "--unstored-context", "user-id=u-7", rec.toString(), "-");
    assertEquals(0, back.code, back.stderr);
    assertArrayEquals(concat(first, rest), back.stdout);
    assertEquals("rw-------", OutputFilesTest.mode(rec));

    // Closed now: resume refuses, with its own exit code and one line, and changes nothing.
    byte[] closed = Files.readAllBytes(rec);
    Result again = assertFails(OxCrypt.RECORDING_COMPLETE, run("resume", "--keyset", keys.toString(),
        "--unstored-context", "user-id=u-7", rec.toString(), restFile.toString()));
    assertTrue(again.stderr.contains("closed normally"), again.stderr);
    assertArrayEquals(closed, Files.readAllBytes(rec));
    assertEquals(List.of(), OutputFilesTest.temporaries(dir));
  }

  // ------------------------------------------------------------------ in-process, no kill

  /** An IN that gives {@code bytes} and then fails, as an unplugged microphone. */
  private static final class Failing extends InputStream {
    private final byte[] bytes;
    private int pos;

    Failing(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public int read() {
      throw new UnsupportedOperationException();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (pos >= bytes.length) {
        throw new IOException("microphone unplugged");
      }
      int n = Math.min(len, Math.min(3000, bytes.length - pos));
      System.arraycopy(bytes, pos, b, off, n);
      pos += n;
      return n;
    }
  }

  /**
   * With --flush-every, an IN that fails leaves every byte read recoverable, not only the sealed
   * chunks (the writer is flushed before it is abandoned); resume then completes the recording.
   */
  @Test
  void aFailingInLeavesEverythingReadRecoverableAndResumable() throws Exception {
    byte[] plain = random(2 * CHUNK + 4321, 41);
    Path rec = dir.resolve("cut.oxr");
    assertFails(OxCrypt.IO_ERROR, run(new Failing(plain), "encrypt", "--keyset", keys.toString(),
        "--flush-every", "1m", "-", rec.toString()));
    Result r = recover(rec);
    assertEquals(OxCrypt.RECOVERED_PREFIX, r.code, r.stderr);
    assertArrayEquals(plain, r.stdout);
    assertTrue(r.stderr.contains("4321 flushed bytes"), r.stderr);

    byte[] rest = random(777, 42);
    ok("resume", "--keyset", keys.toString(), rec.toString(), Files.write(dir.resolve("rest.bin"), rest).toString());
    Result back = run("decrypt", "--keyset", keys.toString(), rec.toString(), "-");
    assertEquals(0, back.code, back.stderr);
    assertArrayEquals(concat(plain, rest), back.stdout);
  }

  /** A complete --flush-every run is an ordinary recording, the same as one without it. */
  @Test
  void aCompleteFlushingEncryptIsAnOrdinaryRecording() throws Exception {
    byte[] plain = random(3 * CHUNK + 99, 43);
    Path rec = dir.resolve("whole.oxr");
    Result enc = run(new ByteArrayInputStream(plain), "encrypt", "--keyset", keys.toString(),
        "--flush-every", "1ms", "-", rec.toString());
    assertEquals(0, enc.code, enc.stderr);
    Result back = run("decrypt", "--keyset", keys.toString(), rec.toString(), "-");
    assertEquals(0, back.code, back.stderr);
    assertArrayEquals(plain, back.stdout);
    // Closed: the flush records are gone, the body is the exact chunked layout.
    Result inspect = ok("inspect", rec.toString());
    assertTrue(inspect.out().contains("\"plaintextBytes\" : " + plain.length), inspect.out());
    assertEquals("rw-------", OutputFilesTest.mode(rec));
    assertFails(OxCrypt.RECORDING_COMPLETE, run("resume", "--keyset", keys.toString(), rec.toString(), "-"));
  }

  @Test
  void flushEveryNeedsANewFileAndADuration() throws Exception {
    Path in = Files.write(dir.resolve("in.bin"), random(100, 44));
    Path existing = Files.write(dir.resolve("existing.oxr"), new byte[] {1, 2, 3});
    Result exists = assertFails(OxCrypt.USAGE, run("encrypt", "--keyset", keys.toString(), "--flush-every", "1s",
        in.toString(), existing.toString()));
    assertTrue(exists.stderr.contains("exists"), exists.stderr);
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(existing));
    Result stdout = assertFails(OxCrypt.USAGE, run("encrypt", "--keyset", keys.toString(), "--flush-every", "1s",
        in.toString(), "-"));
    assertEquals(0, stdout.stdout.length);
    for (String bad : new String[] {"5", "0ms", "25h", "-1s", "1.5s", "25000m", ""}) {
      Path out = dir.resolve("new.oxr");
      Result r = assertFails(OxCrypt.USAGE, run("encrypt", "--keyset", keys.toString(), "--flush-every", bad,
          in.toString(), out.toString()));
      assertTrue(r.stderr.contains("--flush-every"), r.stderr);
      assertFalse(Files.exists(out), bad);
    }
    // QA: the range says "to 24 hours", so hours are a unit too.
    assertEquals(java.util.concurrent.TimeUnit.HOURS.toNanos(24), RecordingPump.parseInterval("--flush-every", "24h"));
    assertEquals(java.util.concurrent.TimeUnit.HOURS.toNanos(1), RecordingPump.parseInterval("--flush-every", "1h"));
    // resume: FILE must be a file; an unreadable IN changes nothing.
    assertFails(OxCrypt.IO_ERROR, run("resume", "--keyset", keys.toString(), dir.resolve("nope.oxr").toString()));
    assertFails(OxCrypt.INTEGRITY, run("resume", "--keyset", keys.toString(), existing.toString(), in.toString()));
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(existing));
  }

  @Test
  void theExitCodeIsDocumented() {
    String help = ok("--help").out();
    assertTrue(help.contains("resume: the recording was closed normally"), help);
    assertTrue(ok("resume", "--help").out().contains(OxCrypt.RECORDING_COMPLETE + " FILE was closed normally"));
    assertEquals(OxCrypt.RECORDING_COMPLETE,
        OxCrypt.exitCodeOf(new com.getox.crypto.RecordingCompleteException("closed")));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(a);
    out.writeBytes(b);
    return out.toByteArray();
  }
}
