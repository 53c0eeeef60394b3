package com.getox.crypto.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The one way Ox writes files: modes, symlinks, FIFOs, failures, races and stale temporaries. */
@Timeout(value = 120, unit = TimeUnit.SECONDS) // only catches hangs
class AtomicFileTest {
  @TempDir Path dir;

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  private static AtomicFile.Content bytes(String s) {
    return out -> out.write(s.getBytes(StandardCharsets.UTF_8));
  }

  private List<String> temps() throws IOException {
    List<String> out = new ArrayList<>();
    try (var s = Files.list(dir)) {
      s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(AtomicFile.TEMP_SUFFIX)).forEach(out::add);
    }
    return out;
  }

  @Test
  void newFilesAreOwnerOnlyAndModesAreKeptOrTightened() throws Exception {
    Path a = dir.resolve("a");
    AtomicFile.replace(a.toFile(), AtomicFile.Mode.KEEP, bytes("one"));
    assertEquals("rw-------", mode(a));
    Files.setPosixFilePermissions(a, PosixFilePermissions.fromString("rw-r-----"));
    AtomicFile.replace(a.toFile(), AtomicFile.Mode.KEEP, bytes("two"));
    assertEquals("rw-r-----", mode(a), "an edit keeps the file's mode");
    Files.setPosixFilePermissions(a, PosixFilePermissions.fromString("rw-r--r--"));
    AtomicFile.replace(a.toFile(), AtomicFile.Mode.OWNER_ONLY, bytes("secret"));
    assertEquals("rw-------", mode(a), "secrets are owner-only whatever the old file was");
    assertEquals("secret", Files.readString(a));
    assertEquals(List.of(), temps());
  }

  @Test
  void aSymlinkIsWrittenThroughAndKept() throws Exception {
    Path target = Files.writeString(dir.resolve("target"), "old");
    Path link = Files.createSymbolicLink(dir.resolve("link"), target);
    AtomicFile.replace(link.toFile(), AtomicFile.Mode.OWNER_ONLY, bytes("new"));
    assertTrue(Files.isSymbolicLink(link));
    assertEquals("new", Files.readString(target));
    assertEquals("rw-------", mode(target));
  }

  @Test
  void aDanglingSymlinkCreatesItsTargetAndStays() throws Exception {
    Path link = Files.createSymbolicLink(dir.resolve("link"), Path.of("sub-target"));
    AtomicFile.replace(link.toFile(), AtomicFile.Mode.OWNER_ONLY, bytes("made"));
    assertTrue(Files.isSymbolicLink(link), "the link is kept");
    assertEquals("made", Files.readString(dir.resolve("sub-target")));
  }

  @Test
  void anEditKeepsTheFilesOwnerAndGroup() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
        "only root can give a file away");
    Path a = Files.writeString(dir.resolve("a"), "user's");
    Process chown = new ProcessBuilder("chown", "1234:1234", a.toString()).inheritIO().start();
    assertEquals(0, chown.waitFor());
    Object owner = Files.getAttribute(a, "unix:uid");
    AtomicFile.replace(a.toFile(), AtomicFile.Mode.OWNER_ONLY, bytes("edited by root"));
    assertEquals(owner, Files.getAttribute(a, "unix:uid"));
    assertEquals(1234, Files.getAttribute(a, "unix:gid"));
    assertEquals("rw-------", mode(a));
  }

  @Test
  void everyStaleTemporaryInTheDirectoryIsSweptByAnyWrite() throws Exception {
    // A decrypt killed mid-write leaves plaintext in .plain.bin.<hex>.oxtmp; the next write of any
    // file in that directory removes it.
    Path plaintext = Files.writeString(dir.resolve(".plain.bin.77aa" + AtomicFile.TEMP_SUFFIX), "secret audio");
    AtomicFile.replace(dir.resolve("other").toFile(), AtomicFile.Mode.KEEP, bytes("x"));
    assertFalse(Files.exists(plaintext));
  }

  @Test
  void createInPlaceStreamsIntoTheFileAndKeepsWhatAFailureLeft() throws Exception {
    Path rec = dir.resolve("rec");
    assertThrows(IOException.class, () -> AtomicFile.createInPlace(rec.toFile(), out -> {
      out.write("partial".getBytes(StandardCharsets.UTF_8));
      throw new IOException("microphone unplugged");
    }));
    assertEquals("partial", Files.readString(rec), "a capture's partial file is kept for recovery");
    assertEquals("rw-------", mode(rec));
    assertFalse(AtomicFile.createInPlace(rec.toFile(), bytes("other")), "never over an existing file");
    assertEquals("partial", Files.readString(rec));
    Path refused = dir.resolve("refused");
    assertThrows(IOException.class, () -> AtomicFile.createInPlace(refused.toFile(), out -> {
      throw new IOException("header too large");
    }));
    assertFalse(Files.exists(refused), "a failure before the first byte leaves no file");
  }

  @Test
  void aMissingDirectoryIsNamed() {
    IOException e = assertThrows(IOException.class,
        () -> AtomicFile.replace(dir.resolve("nodir/k.json").toFile(), AtomicFile.Mode.OWNER_ONLY, bytes("x")));
    assertFalse(String.valueOf(e.getMessage()).contains(FileLocks.DIRECTORY_LOCK_NAME), e.getMessage());
  }

  @Test
  void aFifoIsWrittenThroughNotReplaced() throws Exception {
    Path fifo = dir.resolve("fifo");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertEquals(0, mk.waitFor());
    ExecutorService reader = Executors.newSingleThreadExecutor();
    try {
      Future<byte[]> got = reader.submit(() -> Files.readAllBytes(fifo));
      AtomicFile.replace(fifo.toFile(), AtomicFile.Mode.OWNER_ONLY, bytes("through the pipe"));
      assertEquals("through the pipe", new String(got.get(), StandardCharsets.UTF_8));
      assertFalse(Files.isRegularFile(fifo), "still a FIFO");
      assertTrue(Files.exists(fifo));
    } finally {
      reader.shutdownNow();
    }
  }

  @Test
  void aFailedWriteOrCheckLeavesTheTargetUntouched() throws Exception {
    Path a = Files.writeString(dir.resolve("a"), "keep me");
    assertThrows(IOException.class, () -> AtomicFile.replace(a.toFile(), AtomicFile.Mode.KEEP, out -> {
      out.write(1);
      throw new IOException("source failed");
    }));
    assertThrows(IOException.class, () -> AtomicFile.replace(a.toFile(), AtomicFile.Mode.KEEP, bytes("bad"),
        written -> {
          throw new IOException("does not open");
        }));
    assertEquals("keep me", Files.readString(a));
    assertEquals(List.of(), temps());
  }

  @Test
  void createNewNeverReplaces() throws Exception {
    Path a = Files.writeString(dir.resolve("a"), "first");
    assertThrows(java.nio.file.FileAlreadyExistsException.class,
        () -> AtomicFile.createNew(a.toFile(), AtomicFile.Mode.OWNER_ONLY, bytes("second")));
    assertEquals("first", Files.readString(a));
  }

  @Test
  void ofTwoThreadsCreatingOneNameExactlyOneWins() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 50; round++) {
        Path p = dir.resolve("r" + round);
        CyclicBarrier start = new CyclicBarrier(2);
        AtomicInteger wins = new AtomicInteger();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          String content = "writer-" + t;
          fs.add(pool.submit(() -> {
            start.await();
            try {
              AtomicFile.createNew(p.toFile(), AtomicFile.Mode.OWNER_ONLY, bytes(content));
              wins.incrementAndGet();
            } catch (IOException lost) {
              // the other one won
            }
            return null;
          }));
        }
        for (Future<?> f : fs) {
          f.get();
        }
        assertEquals(1, wins.get(), "round " + round);
        assertTrue(Files.readString(p).startsWith("writer-"));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aLongWriteDoesNotHoldUpOtherChangesInTheDirectory() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<?> slow = pool.submit(() -> {
        AtomicFile.replace(dir.resolve("long").toFile(), AtomicFile.Mode.KEEP, out -> {
          out.write(1);
          writing.countDown();
          try {
            finish.await();
          } catch (InterruptedException e) {
            throw new IOException(e);
          }
        });
        return null;
      });
      writing.await();
      // Hangs (and the @Timeout fails the test) if the slow writer held the directory lock.
      AtomicFile.replace(dir.resolve("other").toFile(), AtomicFile.Mode.KEEP, bytes("done"));
      // ...and its live temporary, seen by this thread's sweep, is left alone.
      AtomicFile.replace(dir.resolve("long").toFile(), AtomicFile.Mode.KEEP, bytes("meanwhile"));
      assertEquals(1, temps().size(), "the slow writer's temporary is still there");
      finish.countDown();
      slow.get();
      assertEquals(List.of(), temps());
      assertArrayEquals(new byte[] {1}, Files.readAllBytes(dir.resolve("long")));
    } finally {
      finish.countDown();
      pool.shutdownNow();
    }
  }

  /** Child JVM: locks the file named in args[0] as a live writer would, says LOCKED, waits. */
  public static final class HoldLock {
    public static void main(String[] args) throws Exception {
      try (RandomAccessFile f = new RandomAccessFile(args[0], "rw")) {
        f.getChannel().lock();
        System.out.println("LOCKED");
        System.out.flush();
        System.in.read(); // until the parent closes stdin or kills us
      }
    }
  }

  @Test
  void aTempOfADeadWriterIsRemovedAndALiveOneInAnotherProcessKept() throws Exception {
    Path target = Files.writeString(dir.resolve("keys.json"), "v1");
    Path dead = Files.writeString(dir.resolve(".keys.json.1a2b" + AtomicFile.TEMP_SUFFIX), "v1 and a destroyed v0");
    Path live = Files.writeString(dir.resolve(".keys.json.3c4d" + AtomicFile.TEMP_SUFFIX), "being written");
    Process child = new ProcessBuilder(
            System.getProperty("java.home") + "/bin/java", "-cp", System.getProperty("java.class.path"),
            HoldLock.class.getName(), live.toString())
        .redirectErrorStream(true)
        .start();
    try {
      BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("LOCKED", r.readLine());
      AtomicFile.replace(target.toFile(), AtomicFile.Mode.OWNER_ONLY, bytes("v2"));
      assertFalse(Files.exists(dead), "a temp no process holds is stale");
      assertTrue(Files.exists(live), "a temp another process holds is live");
      child.destroyForcibly().waitFor();
      // The kernel dropped the dead child's lock: the next write sweeps its temp.
      AtomicFile.replace(target.toFile(), AtomicFile.Mode.OWNER_ONLY, bytes("v3"));
      assertFalse(Files.exists(live));
      assertEquals("v3", Files.readString(target));
    } finally {
      child.destroyForcibly();
    }
  }
}
