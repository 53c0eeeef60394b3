package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file OUT of every command goes through {@code AtomicFile}: a failure leaves OUT untouched,
 * plaintext and keys are owner-only, FIFOs and symlinks are written through, and {@code --recover}
 * says when it returned only a prefix (issue 12, defects 5, 7, 8 and 12).
 */
class OutputFilesTest extends CliTestBase {
  @TempDir Path dir;
  private Path keys;

  @BeforeEach
  void setUp() {
    keys = dir.resolve("keys.json");
    ok("keys", "create", "--keyset", keys.toString(), "--insecure");
  }

  private Path encrypt(byte[] plain, String name) throws IOException {
    Path in = Files.write(dir.resolve(name + ".plain"), plain);
    Path out = dir.resolve(name);
    ok("encrypt", "--keyset", keys.toString(), in.toString(), out.toString());
    Files.delete(in);
    return out;
  }

  static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  /** Hidden temporaries (anything but the directory lock) left in {@code d}. */
  static List<String> temporaries(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(".") && !n.equals(".oxcrypt.lock"))
          .sorted()
          .collect(Collectors.toList());
    }
  }

  // ------------------------------------------------------------------ defect 5

  @Test
  void aFailedEncryptLeavesAnExistingOutUntouched() throws IOException {
    Path keep = encrypt(random(200_000, 1), "keep.oxr");
    byte[] before = Files.readAllBytes(keep);
    Path someDir = Files.createDirectories(dir.resolve("somedir"));
    Result r = run("encrypt", "--keyset", keys.toString(), someDir.toString(), keep.toString());
    assertNotEquals(0, r.code, r.stderr);
    assertArrayEquals(before, Files.readAllBytes(keep), "a failed encrypt must not touch OUT");
    assertEquals(List.of(), temporaries(dir));
    // A missing keyset and a bad context fail before OUT is touched, too.
    assertNotEquals(0, run("encrypt", "--keyset", dir.resolve("nope.json").toString(),
        keep.toString() + ".x", keep.toString()).code);
    assertArrayEquals(before, Files.readAllBytes(keep));
  }

  @Test
  void aFailedDecryptLeavesAnExistingOutUntouched() throws IOException {
    byte[] plain = random(5 * CHUNK, 2);
    Path rec = encrypt(plain, "rec.oxr");
    byte[] bytes = Files.readAllBytes(rec);
    bytes[bytes.length - 100] ^= 1; // the last chunk is corrupt: four chunks authenticate first
    Path bad = Files.write(dir.resolve("bad.oxr"), bytes);
    Path out = Files.write(dir.resolve("out.bin"), "precious".getBytes());
    for (String[] extra : new String[][] {{}, {"--recover"}}) {
      String[] args = Stream.concat(Stream.of("decrypt", "--keyset", keys.toString()),
          Stream.concat(Arrays.stream(extra), Stream.of(bad.toString(), out.toString()))).toArray(String[]::new);
      assertFails(OxCrypt.INTEGRITY, run(args));
      assertEquals("precious", new String(Files.readAllBytes(out), java.nio.charset.StandardCharsets.ISO_8859_1),
          Arrays.toString(extra));
    }
    assertEquals(List.of(), temporaries(dir));
  }

  // ------------------------------------------------------------------ defect 7

  /** Issue 12 leftover: rewrap of a FIFO named explicitly said "no recordings found", exit 0. */
  @Test
  @Timeout(120)
  void rewrapOfANamedFifoIsAUsageError() throws Exception {
    Path fifo = dir.resolve("named-fifo");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertEquals(0, mk.waitFor());
    Result r = run("rewrap", "--keyset", keys.toString(), fifo.toString());
    assertFails(OxCrypt.USAGE, r);
    assertTrue(r.stderr.contains("not a recording or a directory"), r.stderr);
  }

  @Test
  @Timeout(120)
  void decryptWritesThroughAFifoInsteadOfReplacingIt() throws Exception {
    byte[] plain = random(3 * CHUNK + 99, 3);
    Path rec = encrypt(plain, "rec.oxr");
    Path fifo = dir.resolve("fifo");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertEquals(0, mk.waitFor());
    // Opened read-write, a FIFO never blocks on open (Linux): the reader needs no writer yet.
    try (FileChannel reader = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      Thread drain = new Thread(() -> {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        try {
          while (got.size() < plain.length) {
            buf.clear();
            int n = reader.read(buf);
            if (n < 0) {
              return;
            }
            got.write(buf.array(), 0, n);
          }
        } catch (IOException e) {
          // closed by the test below
        }
      });
      drain.setDaemon(true);
      drain.start();
      ok("decrypt", "--keyset", keys.toString(), rec.toString(), fifo.toString());
      PosixFileAttributes a = Files.readAttributes(fifo, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      assertTrue(a.isOther(), "OUT is still the FIFO, not a regular file");
      drain.join(TimeUnit.SECONDS.toMillis(60));
      assertArrayEquals(plain, got.toByteArray());
    }
    assertEquals(List.of(), temporaries(dir));
  }

  @Test
  void decryptThroughASymlinkWritesItsTargetAndKeepsTheLink() throws IOException {
    byte[] plain = random(CHUNK + 5, 4);
    Path rec = encrypt(plain, "rec.oxr");
    Path sub = Files.createDirectories(dir.resolve("sub"));
    Path target = Files.write(sub.resolve("target.bin"), "old".getBytes());
    Path link = Files.createSymbolicLink(dir.resolve("link.bin"), target);
    ok("decrypt", "--keyset", keys.toString(), rec.toString(), link.toString());
    assertTrue(Files.isSymbolicLink(link), "the link stays a link");
    assertEquals(target, Files.readSymbolicLink(link));
    assertArrayEquals(plain, Files.readAllBytes(target));
    assertEquals("rw-------", mode(target));
    assertEquals(List.of(), temporaries(dir));
    assertEquals(List.of(), temporaries(sub));
  }

  // ------------------------------------------------------------------ defect 8

  @Test
  void plaintextKeysAndKeysetsAreOwnerOnlyAndEditsKeepTheRecordingsMode() throws IOException {
    assertEquals("rw-------", mode(keys), "an --insecure keyset");
    env.put("OXCRYPT_PASSPHRASE", "pw");
    Path secure = dir.resolve("secure.json");
    ok("keys", "create", "--keyset", secure.toString());
    assertEquals("rw-------", mode(secure));
    Files.setPosixFilePermissions(secure, PosixFilePermissions.fromString("rw-------"));
    ok("keys", "rotate", "--keyset", secure.toString());
    assertEquals("rw-------", mode(secure), "rotate keeps a keyset owner-only");
    env.clear();

    byte[] plain = random(2 * CHUNK + 3, 5);
    Path rec = encrypt(plain, "rec.oxr");
    Path back = dir.resolve("back.bin");
    ok("decrypt", "--keyset", keys.toString(), rec.toString(), back.toString());
    assertEquals("rw-------", mode(back));
    // An existing world-readable OUT becomes owner-only once it holds plaintext.
    Files.setPosixFilePermissions(back, PosixFilePermissions.fromString("rw-r--r--"));
    ok("decrypt", "--keyset", keys.toString(), rec.toString(), back.toString());
    assertEquals("rw-------", mode(back));
    Path slice = dir.resolve("slice.bin");
    ok("decrypt", "--keyset", keys.toString(), "--offset", "100", "--length", "5000", rec.toString(), slice.toString());
    assertEquals("rw-------", mode(slice));
    assertArrayEquals(Arrays.copyOfRange(plain, 100, 5100), Files.readAllBytes(slice));
    Path recovered = dir.resolve("recovered.bin");
    ok("decrypt", "--keyset", keys.toString(), "--recover", rec.toString(), recovered.toString());
    assertEquals("rw-------", mode(recovered));
    assertArrayEquals(plain, Files.readAllBytes(recovered));

    ok("keys", "create-recipient", "--out", dir.resolve("bob").toString());
    assertEquals("rw-------", mode(dir.resolve("bob.key")));

    // Header edits keep the recording's own mode.
    Files.setPosixFilePermissions(rec, PosixFilePermissions.fromString("rw-r-----"));
    ok("share", "--keyset", keys.toString(), "--to-public-key", dir.resolve("bob.pub").toString(), rec.toString());
    assertEquals("rw-r-----", mode(rec));
    // Re-encrypting over an existing recording keeps its mode too.
    Path in = Files.write(dir.resolve("again.bin"), plain);
    ok("encrypt", "--keyset", keys.toString(), in.toString(), rec.toString());
    assertEquals("rw-r-----", mode(rec));
    assertEquals(List.of(), temporaries(dir));
  }

  // ------------------------------------------------------------------ defect 12

  @Test
  void recoverOfACutRecordingHasItsOwnExitCode() throws IOException {
    byte[] plain = random(4 * CHUNK + 1234, 6);
    Path rec = encrypt(plain, "rec.oxr");
    byte[] bytes = Files.readAllBytes(rec);
    int body = bytes.length - (plain.length + 5 * 16) ; // header, salt and commitment
    Path cut = Files.write(dir.resolve("cut.oxr"), Arrays.copyOf(bytes, body + 2 * (CHUNK + 16) + 700));
    Path out = dir.resolve("salvaged.bin");
    Result r = run("decrypt", "--keyset", keys.toString(), "--recover", cut.toString(), out.toString());
    assertEquals(OxCrypt.RECOVERED_PREFIX, r.code, r.stderr);
    assertEquals(List.of(), r.errors(), "a recovered prefix is a warning, not an error");
    assertTrue(r.stderr.contains("cut short"), r.stderr);
    assertArrayEquals(Arrays.copyOf(plain, 2 * CHUNK), Files.readAllBytes(out));
    assertEquals("rw-------", mode(out));
    // To stdout: the same prefix, the same exit code.
    Result toStdout = run("decrypt", "--keyset", keys.toString(), "--recover", cut.toString(), "-");
    assertEquals(OxCrypt.RECOVERED_PREFIX, toStdout.code, toStdout.stderr);
    assertArrayEquals(Arrays.copyOf(plain, 2 * CHUNK), toStdout.stdout);
    // A complete recording: 0.
    Result whole = run("decrypt", "--keyset", keys.toString(), "--recover", rec.toString(), out.toString());
    assertEquals(OxCrypt.OK, whole.code, whole.stderr);
    assertArrayEquals(plain, Files.readAllBytes(out));
    assertEquals(List.of(), temporaries(dir));
  }
}
