package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code encrypt} and {@code decrypt} of a regular file run on several threads ({@code
 * --threads}, default one per processor): what they write is what the one-thread stdin path
 * reads, and the reverse; failures, OUT handling and the bar are as before.
 */
class ParallelCliTest extends CliTestBase {
  @TempDir Path dir;
  private String keys;
  private byte[] plain;
  private Path in;

  @BeforeEach
  void setUp() throws IOException {
    keys = dir.resolve("keys.json").toString();
    ok("keys", "create", "--keyset", keys, "--insecure");
    plain = random(3 * (1 << 20) + 5, 19); // several 1 MiB batches and a short final chunk
    in = Files.write(dir.resolve("talk.pcm"), plain);
  }

  @Test
  void aFileEncryptedOnThreadsDecryptsFromStdinAndTheReverse() throws Exception {
    for (List<String> threads : List.of(List.<String>of(), List.of("--threads", "1"),
        List.of("--threads", "2"), List.of("--threads", "4"))) {
      Path rec = dir.resolve("par" + threads.size() + threads.hashCode() + ".oxr");
      ok(args("encrypt", threads, in.toString(), rec.toString()));
      assertEquals("rw-------", OutputFilesTest.mode(rec));
      byte[] recording = Files.readAllBytes(rec);
      // The one-thread streaming reader accepts it...
      Result read = run(recording, "decrypt", "--keyset", keys, "-", "-");
      assertEquals(0, read.code, read.stderr);
      assertArrayEquals(plain, read.stdout, threads.toString());

      // ...and a recording streamed from stdin on one thread decrypts on several.
      Result streamed = run(plain, "encrypt", "--keyset", keys, "-", "-");
      assertEquals(0, streamed.code, streamed.stderr);
      Path srec = Files.write(dir.resolve("streamed.oxr"), streamed.stdout);
      Path back = dir.resolve("back.pcm");
      ok(args("decrypt", threads, srec.toString(), back.toString()));
      assertArrayEquals(plain, Files.readAllBytes(back), threads.toString());
      assertEquals("rw-------", OutputFilesTest.mode(back));
      ok(args("decrypt", threads, rec.toString(), back.toString())); // replaces it
      assertArrayEquals(plain, Files.readAllBytes(back));
      Result toStdout = ok(args("decrypt", threads, rec.toString(), "-"));
      assertArrayEquals(plain, toStdout.stdout);
    }
  }

  private String[] args(String command, List<String> threads, String from, String to) {
    List<String> a = new java.util.ArrayList<>(List.of(command, "--keyset", keys));
    a.addAll(threads);
    a.add(from);
    a.add(to);
    return a.toArray(new String[0]);
  }

  @Test
  void anExistingOutIsReplacedAndEncryptToStdoutMatchesTheFile() throws Exception {
    Path rec = Files.write(dir.resolve("old.oxr"), new byte[] {1, 2, 3});
    ok("encrypt", "--keyset", keys, "--threads", "3", in.toString(), rec.toString());
    assertArrayEquals(plain, run(Files.readAllBytes(rec), "decrypt", "--keyset", keys, "-", "-").stdout);
    Result out = ok("encrypt", "--keyset", keys, "--threads", "3", in.toString(), "-");
    assertArrayEquals(plain, run(out.stdout, "decrypt", "--keyset", keys, "-", "-").stdout);
    assertEquals(List.of(), OutputFilesTest.temporaries(dir));
  }

  @Test
  void damageAndCutsFailWithExit3AndLeaveOutUntouched() throws Exception {
    Path rec = dir.resolve("talk.oxr");
    ok("encrypt", "--keyset", keys, in.toString(), rec.toString());
    byte[] good = Files.readAllBytes(rec);
    Path out = Files.write(dir.resolve("out.pcm"), new byte[] {42});
    byte[] flipped = good.clone();
    flipped[good.length / 2] ^= 1;
    for (byte[] bad : List.of(flipped, Arrays.copyOf(good, good.length - 1),
        Arrays.copyOf(good, good.length - 5000 - 16), Arrays.copyOf(good, good.length + 1))) {
      Path b = Files.write(dir.resolve("bad.oxr"), bad);
      for (String t : List.of("1", "2")) {
        Result r = assertFails(OxCrypt.INTEGRITY, run("decrypt", "--keyset", keys, "--threads", t,
            b.toString(), out.toString()));
        assertTrue(r.stderr.contains("authentication") || r.stderr.contains("truncated"), r.stderr);
        assertArrayEquals(new byte[] {42}, Files.readAllBytes(out), "a failed decrypt must not touch OUT");
      }
    }
    assertEquals(List.of(), OutputFilesTest.temporaries(dir));
  }

  @Test
  void threadsWhereItCannotApplyIsAUsageError() throws Exception {
    Path rec = dir.resolve("talk.oxr");
    ok("encrypt", "--keyset", keys, in.toString(), rec.toString());
    String o = dir.resolve("x").toString();
    assertFails(OxCrypt.USAGE, run(plain, "encrypt", "--keyset", keys, "--threads", "2", "-", o));
    assertFails(OxCrypt.USAGE, run("encrypt", "--keyset", keys, "--threads", "0", in.toString(), o));
    assertFails(OxCrypt.USAGE, run("encrypt", "--keyset", keys, "--threads", "257", in.toString(), o));
    assertFails(OxCrypt.USAGE, run("encrypt", "--keyset", keys, "--threads", "2", "--flush-every", "1s",
        in.toString(), o));
    assertFails(OxCrypt.USAGE, run("decrypt", "--keyset", keys, "--threads", "2", "--recover",
        rec.toString(), o));
    assertFails(OxCrypt.USAGE, run("decrypt", "--keyset", keys, "--threads", "2", "--offset", "5",
        rec.toString(), o));
    assertFalse(Files.exists(Path.of(o)));
  }

  @Test
  void theBarStillDrawsOnThreads() throws Exception {
    Path rec = dir.resolve("talk.oxr");
    Result e = run("encrypt", "--keyset", keys, "--threads", "2", "--progress", in.toString(), rec.toString());
    assertEquals(0, e.code, e.stderr);
    assertTrue(e.stderr.contains("encrypt 100%"), e.stderr);
    Result d = run("decrypt", "--keyset", keys, "--threads", "2", "--progress", rec.toString(),
        dir.resolve("b").toString());
    assertEquals(0, d.code, d.stderr);
    assertTrue(d.stderr.contains("decrypt 100%"), d.stderr);
  }
}
