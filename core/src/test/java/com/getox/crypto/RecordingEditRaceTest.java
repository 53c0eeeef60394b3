package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.hpke.HpkeRecipient;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Header edits racing in several JVMs (issue 12, defect 2): shares and revokes of one recording,
 * and bulk re-wraps of one tree (named twice, with a symlink loop) after a rotation that changes
 * the header's length. Before the edits re-read the header under the lock, recordings were left
 * unreadable, shares were lost and re-wraps over-counted.
 */
class RecordingEditRaceTest {
  static final int CHILDREN = 3;
  static final int ROUNDS = 20;

  @TempDir File dir;

  private LocalKms ownerKms() throws Exception {
    return LocalKms.create(new File(dir, "keys.json"), KeysetProtection.insecurePlaintext(), "race")
        .auditTo(AuditSink.none());
  }

  private static Recordings owner(LocalKms kms) {
    return Recordings.builder().wrapWith(kms).auditSink(AuditSink.none()).build();
  }

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void processesSharingAndRevokingOneRecordingLoseNoRecipient() throws Exception {
    LocalKms kms = ownerKms();
    Recordings me = owner(kms);
    File recs = new File(dir, "recs");
    assertTrue(recs.mkdir());
    File f = new File(recs, "R.oxr");
    byte[] plain = RewrapTest.plaintext(100_000, 12);
    RewrapTest.write(me, f, plain);
    Files.setPosixFilePermissions(f.toPath(), PosixFilePermissions.fromString("rw-------"));

    List<ChildJvm> children = new ArrayList<>();
    try {
      for (int i = 0; i < CHILDREN; i++) {
        children.add(
            ChildJvm.start(
                RecordingEditChild.class,
                new File(dir, "child-" + i + ".err"),
                "share-rounds",
                kms.file().getPath(),
                f.getPath(),
                Integer.toString(ROUNDS),
                new File(dir, "child-" + i + ".json").getPath()));
      }
      for (ChildJvm c : children) {
        c.await("ready");
      }
      for (ChildJvm c : children) {
        c.send("go");
      }
      for (ChildJvm c : children) {
        c.await("done");
        assertEquals(0, c.waitFor(), c.stderr());
      }
    } finally {
      for (ChildJvm c : children) {
        c.close();
      }
    }
    assertArrayEquals(plain, RewrapTest.read(me, f), "the owner still opens it");
    for (int i = 0; i < CHILDREN; i++) {
      HpkeRecipient last =
          HpkeRecipient.fromInsecurePrivateKeyset(
              new String(
                  Files.readAllBytes(new File(dir, "child-" + i + ".json").toPath()),
                  StandardCharsets.UTF_8));
      Recordings them = Recordings.builder().unwrapWith(last).auditSink(AuditSink.none()).build();
      assertArrayEquals(plain, RewrapTest.read(them, f), "child " + i + "'s last recipient");
    }
    assertEquals(
        1 + CHILDREN, RecordingFiles.readHeader(f, ReadOptions.defaults()).wrappedKeys().size());
    assertEquals("rw-------", RecordingFilesTest.modeOf(f));
    assertNoTemps(recs);
  }

  static void assertNoTemps(File tree) {
    File[] all = tree.listFiles();
    for (File f : all) {
      assertTrue(!f.getName().endsWith(RecordingFiles.TEMP_SUFFIX), "left over: " + f);
      if (f.isDirectory() && !Files.isSymbolicLink(f.toPath())) {
        assertNoTemps(f);
      }
    }
  }

  static final int FILES = 40;

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void processesRewrappingOneTreeRewrapEachFileOnceAcrossRotationsThatChangeTheHeaderLength()
      throws Exception {
    LocalKms kms = ownerKms();
    Recordings me = owner(kms);
    RecordingFilesTest.rotateUntil(kms, d -> d == 9);
    File tree = new File(dir, "tree");
    for (int i = 0; i < FILES; i++) {
      File sub = new File(tree, "d" + (i % 4));
      sub.mkdirs();
      RewrapTest.write(me, file(tree, i), RewrapTest.plaintext(i * 997, i));
    }
    Files.createSymbolicLink(new File(tree, "d1/loop").toPath(), tree.toPath());
    Files.createSymbolicLink(new File(tree, "d2/up").toPath(), new File(tree, "d3").toPath());

    // Round 0: the new version id is one digit longer; round 1: one digit shorter.
    int[] digits = {10, 9};
    for (int round = 0; round < digits.length; round++) {
      kms.rotate();
      int want = digits[round];
      RecordingFilesTest.rotateUntil(kms, d -> d == want);
      String version = Long.toString(kms.primary().id());
      ChildJvm a =
          ChildJvm.start(RecordingEditChild.class, new File(dir, "a" + round + ".err"),
              "bulk", kms.file().getPath(), "4", tree.getPath(), tree.getPath());
      ChildJvm b =
          ChildJvm.start(RecordingEditChild.class, new File(dir, "b" + round + ".err"),
              "bulk", kms.file().getPath(), "4", tree.getPath());
      long[] ra;
      long[] rb;
      try {
        a.await("ready");
        b.await("ready");
        a.send("go");
        b.send("go");
        ra = report(a.await("report"));
        rb = report(b.await("report"));
        assertEquals(0, a.waitFor(), a.stderr());
        assertEquals(0, b.waitFor(), b.stderr());
      } finally {
        a.close();
        b.close();
      }
      String counts = "round " + round + ": a=" + java.util.Arrays.toString(ra) + " b=" + java.util.Arrays.toString(rb);
      assertEquals(0, ra[3], counts + "\n" + a.stderr());
      assertEquals(0, rb[3], counts + "\n" + b.stderr());
      assertEquals(FILES, ra[0] + ra[1], counts);
      assertEquals(FILES, rb[0] + rb[1], counts);
      assertEquals(FILES, ra[0] + rb[0], "each file re-wrapped by exactly one run; " + counts);
      for (int i = 0; i < FILES; i++) {
        assertArrayEquals(RewrapTest.plaintext(i * 997, i), RewrapTest.read(me, file(tree, i)), counts);
        for (WrappedKey w : RecordingFiles.readHeader(file(tree, i), ReadOptions.defaults()).wrappedKeys()) {
          assertEquals(version, w.kekVersion());
        }
      }
      assertNoTemps(tree);
    }
  }

  static File file(File tree, int i) {
    return new File(new File(tree, "d" + (i % 4)), "r" + i + ".oxr");
  }

  private static long[] report(String line) {
    String[] p = line.split(" ");
    return new long[] {
      Long.parseLong(p[1]), Long.parseLong(p[2]), Long.parseLong(p[3]), Long.parseLong(p[4])
    };
  }
}
