package com.getox.crypto.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.FormatException;
import com.getox.crypto.NoUsableKeyException;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingHeader;
import com.getox.crypto.RecordingInputStream;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.audit.AuditSink;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyset changes from several instances (threads) on one file, stale copies and destroy, file
 * modes, and hostile Argon2id costs. {@link KeysetProcessTest} does the same across processes.
 */
@Timeout(120)
class LocalKmsConcurrencyTest {
  static final EncryptionContext CTX = EncryptionContext.builder().put("user-id", "u").build();

  @TempDir Path dir;

  @AfterEach
  void noHook() {
    LocalKms.testHook = null;
  }

  static KeysetProtection plain() {
    return KeysetProtection.insecurePlaintext();
  }

  static byte[] record(LocalKms kms, String text) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RecordingWriter w = recordings(kms).newWriter(out, CTX)) {
      w.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  static Recordings recordings(LocalKms kms) {
    return Recordings.builder().wrapWith(kms).auditSink(AuditSink.none()).build();
  }

  static String play(LocalKms kms, byte[] rec) throws Exception {
    try (RecordingInputStream in =
        recordings(kms).newInputStream(new ByteArrayInputStream(rec), ReadOptions.defaults())) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      for (int n; (n = in.read(buf)) > 0; ) {
        out.write(buf, 0, n);
      }
      return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }
  }

  static String versionOf(byte[] rec) throws Exception {
    return RecordingHeader.read(new ByteArrayInputStream(rec), ReadOptions.defaults())
        .wrappedKeys().get(0).kekVersion();
  }

  static String mode(File f) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(f.toPath()));
  }

  static KeyVersion.Status statusOf(LocalKms kms, long id) {
    for (KeyVersion v : kms.versions()) {
      if (v.id() == id) {
        return v.status();
      }
    }
    return null;
  }

  @Test
  void instancesRacingRotateEachAddTheirVersion() throws Exception {
    File file = dir.resolve("k.json").toFile();
    LocalKms.create(file, plain(), "k");
    int threads = 4;
    int rotations = 5;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<byte[]>>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        final int id = t;
        done.add(pool.submit(() -> {
          LocalKms kms = LocalKms.open(file, plain()).auditTo(AuditSink.none());
          start.await();
          List<byte[]> recs = new ArrayList<>();
          for (int i = 0; i < rotations; i++) {
            kms.rotate();
            recs.add(record(kms, id + "/" + i));
          }
          return recs;
        }));
      }
      start.countDown();
      List<List<byte[]>> made = new ArrayList<>();
      for (Future<List<byte[]>> f : done) {
        made.add(f.get(60, TimeUnit.SECONDS));
      }
      LocalKms after = LocalKms.open(file, plain());
      assertEquals(1 + threads * rotations, after.versions().size(), after.versions().toString());
      for (int t = 0; t < threads; t++) {
        List<byte[]> recs = made.get(t);
        for (int i = 0; i < rotations; i++) {
          assertEquals(t + "/" + i, play(after, recs.get(i)));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void destroyRacingRotateNeverBringsTheVersionBack() throws Exception {
    File file = dir.resolve("k.json").toFile();
    LocalKms kms = LocalKms.create(file, plain(), "k").auditTo(AuditSink.none());
    long v1 = kms.primary().id();
    byte[] r1 = record(kms, "shred me");
    kms.rotate();
    // Both instances read the file before either changes it: the old code wrote back what it read.
    LocalKms rotator = LocalKms.open(file, plain()).auditTo(AuditSink.none());
    LocalKms destroyer = LocalKms.open(file, plain()).auditTo(AuditSink.none());
    destroyer.destroy(v1);
    rotator.rotate();
    LocalKms after = LocalKms.open(file, plain());
    assertEquals(KeyVersion.Status.DESTROYED, statusOf(after, v1));
    assertEquals(KeyVersion.Status.DESTROYED, statusOf(rotator, v1), "the rotator re-read the file");
    assertEquals(3, after.versions().size(), "v1 (destroyed), v2, and the rotator's v3");
    assertThrows(NoUsableKeyException.class, () -> play(after, r1));
    assertThrows(NoUsableKeyException.class, () -> play(rotator, r1));
    assertThrows(NoUsableKeyException.class, () -> play(kms, r1));

    // And with real threads, many rounds.
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 10; round++) {
        LocalKms a = LocalKms.open(file, plain()).auditTo(AuditSink.none());
        LocalKms b = LocalKms.open(file, plain()).auditTo(AuditSink.none());
        long old = a.primary().id();
        byte[] rec = record(a, "round " + round);
        a.rotate();
        CountDownLatch start = new CountDownLatch(1);
        Future<?> d = pool.submit((Callable<Void>) () -> {
          start.await();
          a.destroy(old);
          return null;
        });
        Future<?> r = pool.submit((Callable<Void>) () -> {
          start.await();
          b.rotate();
          return null;
        });
        start.countDown();
        d.get(60, TimeUnit.SECONDS);
        r.get(60, TimeUnit.SECONDS);
        LocalKms now = LocalKms.open(file, plain());
        assertEquals(KeyVersion.Status.DESTROYED, statusOf(now, old), "round " + round);
        assertThrows(NoUsableKeyException.class, () -> play(now, rec));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void racingCreatesOneWinsTheOtherChangesNothing() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 10; round++) {
        File file = dir.resolve("c" + round + ".json").toFile();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<LocalKms>> f = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          f.add(pool.submit(() -> {
            start.await();
            try {
              return LocalKms.create(file, plain(), "c").auditTo(AuditSink.none());
            } catch (IOException e) {
              return null;
            }
          }));
        }
        start.countDown();
        LocalKms a = f.get(0).get(60, TimeUnit.SECONDS);
        LocalKms b = f.get(1).get(60, TimeUnit.SECONDS);
        assertTrue(a == null ^ b == null, "exactly one create succeeds, round " + round);
        LocalKms winner = a != null ? a : b;
        byte[] rec = record(winner, "winner");
        assertEquals("winner", play(LocalKms.open(file, plain()), rec), "the winner's keyset is the file");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anInstanceOpensRecordingsMadeUnderVersionsRotatedElsewhere() throws Exception {
    File file = dir.resolve("k.json").toFile();
    LocalKms.create(file, plain(), "k");
    LocalKms stale = LocalKms.open(file, plain()).auditTo(AuditSink.none());
    LocalKms other = LocalKms.open(file, plain()).auditTo(AuditSink.none());
    other.rotate();
    byte[] rec = record(other, "newer");
    assertEquals("newer", play(stale, rec), "the unknown version made it re-read the file");
  }

  @Test
  void aStaleInstanceDoesNotWrapUnderAVersionDestroyedElsewhere() throws Exception {
    File file = dir.resolve("k.json").toFile();
    LocalKms kms = LocalKms.create(file, plain(), "k").auditTo(AuditSink.none());
    long v1 = kms.primary().id();
    record(kms, "warm");
    LocalKms admin = LocalKms.open(file, plain()).auditTo(AuditSink.none());
    admin.rotate();
    admin.destroy(v1);
    byte[] rec = record(kms, "after the admin destroyed v1");
    assertNotEquals(Long.toString(v1), versionOf(rec));
    assertEquals("after the admin destroyed v1", play(LocalKms.open(file, plain()), rec));
  }

  @Test
  void keysetsAreOwnerOnlyAfterEveryChange() throws Exception {
    for (KeysetProtection p :
        new KeysetProtection[] {plain(), KeysetChild.protection("pw")}) {
      File file = dir.resolve(p.kind() + ".json").toFile();
      List<String> tempModes = new ArrayList<>();
      LocalKms.testHook = step -> {
        if (step.equals("written")) {
          for (File f : file.getParentFile().listFiles()) {
            if (f.getName().endsWith(".oxtmp")) {
              try {
                tempModes.add(mode(f));
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            }
          }
        }
      };
      LocalKms kms = LocalKms.create(file, p, "m").auditTo(AuditSink.none());
      assertEquals("rw-------", mode(file), "create " + p);
      long v1 = kms.primary().id();
      Files.setPosixFilePermissions(file.toPath(), PosixFilePermissions.fromString("rw-r--r--"));
      kms.rotate();
      assertEquals("rw-------", mode(file), "rotate " + p);
      Files.setPosixFilePermissions(file.toPath(), PosixFilePermissions.fromString("rw-r--r--"));
      kms.disable(v1);
      assertEquals("rw-------", mode(file), "disable " + p);
      Files.setPosixFilePermissions(file.toPath(), PosixFilePermissions.fromString("rw-rw-rw-"));
      kms.enable(v1);
      assertEquals("rw-------", mode(file), "enable " + p);
      Files.setPosixFilePermissions(file.toPath(), PosixFilePermissions.fromString("rw-r--r--"));
      kms.destroy(v1);
      assertEquals("rw-------", mode(file), "destroy " + p);
      assertEquals(4, tempModes.size(), tempModes.toString());
      for (String m : tempModes) {
        assertEquals("rw-------", m, "temporary files are owner-only too");
      }
      LocalKms.testHook = null;
    }
  }

  @Test
  void destroyRemovesStaleCopiesAndSaysHowMany() throws Exception {
    File file = dir.resolve("k.json").toFile();
    LocalKms kms = LocalKms.create(file, plain(), "k").auditTo(AuditSink.none());
    long v1 = kms.primary().id();
    byte[] r1 = record(kms, "shred me");
    kms.rotate();
    // What a writer killed after writing its temporary file leaves (this release's name and the
    // name older releases used), each holding v1; and an unrelated file that must stay.
    Files.copy(file.toPath(), dir.resolve(".k.json.1f2e3d4c5b6a.oxtmp"));
    Files.copy(file.toPath(), dir.resolve(".k.json.8812345678901234.tmp"));
    Files.write(dir.resolve("k.json.notes.txt"), "keep".getBytes(StandardCharsets.UTF_8));
    assertEquals("shred me", play(LocalKms.open(dir.resolve(".k.json.1f2e3d4c5b6a.oxtmp").toFile(), plain()), r1));

    assertEquals(2, kms.destroy(v1));
    assertTrue(Files.exists(dir.resolve("k.json.notes.txt")));
    assertNothingInTheDirectoryOpens(dir.toFile(), r1);
    kms.rotate();
    assertEquals(0, kms.destroy(otherThanPrimary(kms)), "no stale copies left, none counted");
  }

  private static long otherThanPrimary(LocalKms kms) {
    for (KeyVersion v : kms.versions()) {
      if (!v.isPrimary() && v.status() != KeyVersion.Status.DESTROYED) {
        return v.id();
      }
    }
    throw new AssertionError(kms.versions());
  }

  /** Every file in {@code dir} (keysets, temporaries, anything) fails to open {@code rec}. */
  static void assertNothingInTheDirectoryOpens(File dir, byte[] rec) throws Exception {
    for (File f : dir.listFiles()) {
      if (!f.isFile() || f.length() == 0) {
        continue;
      }
      LocalKms k;
      try {
        k = LocalKms.open(f, plain());
      } catch (Exception e) {
        continue; // not a keyset
      }
      final LocalKms candidate = k;
      assertThrows(NoUsableKeyException.class, () -> play(candidate, rec), f.getName() + " still opens it");
    }
  }

  @Test
  void hostileArgon2CostFailsBeforeAnyDerivation() throws Exception {
    File file = dir.resolve("pp.json").toFile();
    LocalKms.create(file, KeysetChild.protection("pw"), "pp");
    String json = new String(Files.readAllBytes(file.toPath()), StandardCharsets.UTF_8);
    String[][] hostile = {
      {"1048576", "64", "1"}, // the issue's: minutes and 1.5 GB before "wrong passphrase"
      {"262145", "2", "1"},
      {"19456", "17", "1"},
      {"19456", "2", "9"},
      {"262144", "5", "1"}, // each within bounds, the product over 1 GiB
    };
    for (String[] h : hostile) {
      String bad = json.replaceFirst("\"memoryKiB\" : \\d+", "\"memoryKiB\" : " + h[0])
          .replaceFirst("\"iterations\" : \\d+", "\"iterations\" : " + h[1])
          .replaceFirst("\"parallelism\" : \\d+", "\"parallelism\" : " + h[2]);
      assertNotEquals(json, bad);
      File f = dir.resolve("hostile.json").toFile();
      Files.write(f.toPath(), bad.getBytes(StandardCharsets.UTF_8));
      assertThrows(FormatException.class, () -> LocalKms.open(f, KeysetChild.protection("pw")), String.join(",", h));
      assertThrows(FormatException.class, () -> LocalKms.protectionOf(f));
    }
    // The ceiling itself is accepted, and it is well above the defaults.
    KeysetProtection.passphrase("pw".toCharArray(), 262144, 4, 8);
    KeysetProtection.passphrase("pw".toCharArray(), 65536, 16, 4);
    assertThrows(IllegalArgumentException.class, () -> KeysetProtection.passphrase("pw".toCharArray(), 262144, 5, 4));
    assertTrue((long) Argon2id.MAX_MEMORY_KIB_TIMES_ITERATIONS
        >= 5L * KeysetProtection.DEFAULT_ARGON2_MEMORY_KIB * KeysetProtection.DEFAULT_ARGON2_ITERATIONS);
  }
}
