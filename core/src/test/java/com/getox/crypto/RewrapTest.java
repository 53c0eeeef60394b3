package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.internal.Cobblestone;
import com.getox.crypto.local.KeyVersion;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Collections;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewrapTest {
  static final EncryptionContext CTX = EncryptionContext.builder().put("user-id", "u1").build();

  @TempDir File dir;

  static byte[] plaintext(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static void write(Recordings r, File f, byte[] plain) throws Exception {
    write(r, f, plain, CTX);
  }

  static void write(Recordings r, File f, byte[] plain, EncryptionContext ctx) throws Exception {
    try (FileOutputStream out = new FileOutputStream(f);
        RecordingWriter w = r.newWriter(out, ctx)) {
      w.write(plain);
    }
  }

  static byte[] read(Recordings r, File f) throws Exception {
    try (InputStream in = r.newInputStream(new FileInputStream(f), ReadOptions.defaults())) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    }
  }

  static byte[] body(File f) throws Exception {
    byte[] all = Files.readAllBytes(f.toPath());
    int headerBytes = RecordingFiles.readHeader(f, ReadOptions.defaults()).toByteArray().length;
    return Arrays.copyOfRange(all, headerBytes, all.length);
  }

  @Test
  void rotationKeepsOldRecordingsOpenAndRewrapChangesOnlyTheHeader() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("rot");
    Recordings r = Recordings.builder().wrapWith(kms).build();
    File f = new File(dir, "a.oxr");
    byte[] plain = plaintext(40000, 1);
    write(r, f, plain);
    long oldVersion = kms.primary().id();
    KeyVersion next = kms.rotate();
    assertArrayEquals(plain, read(r, f), "old recording opens after rotation");

    byte[] bodyBefore = body(f);
    assertTrue(RecordingFiles.rewrap(r, f, ReadOptions.defaults()));
    assertArrayEquals(bodyBefore, body(f), "re-wrap must not touch the body");
    RecordingHeader h = RecordingFiles.readHeader(f, ReadOptions.defaults());
    assertEquals(Long.toString(next.id()), h.wrappedKeys().get(0).kekVersion());
    assertFalse(RecordingFiles.rewrap(r, f, ReadOptions.defaults()), "second re-wrap is a no-op");

    kms.destroy(oldVersion); // crypto-shred the old version: the re-wrapped recording survives
    assertArrayEquals(plain, read(r, f));
  }

  @Test
  void destroyingTheOnlyVersionShredsTheRecording() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("shred");
    Recordings r = Recordings.builder().wrapWith(kms).build();
    File f = new File(dir, "b.oxr");
    write(r, f, plaintext(100, 2));
    long v = kms.primary().id();
    kms.rotate();
    kms.destroy(v);
    NoUsableKeyException e = assertThrows(NoUsableKeyException.class, () -> read(r, f));
    assertTrue(e.getMessage().contains("destroyed"), e.getMessage());
  }

  @Test
  void dryRunListsTheRecordingsOnlyAVersionCanOpen() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("dry");
    LocalKms other = TestKeks.newLocalKms("dry-other");
    Recordings r = Recordings.builder().wrapWith(kms).build();
    File a = new File(dir, "a.oxr");
    File b = new File(dir, "b.oxr");
    File c = new File(dir, "c.oxr");
    write(r, a, plaintext(10, 1));
    write(r, b, plaintext(10, 2));
    String v1 = Long.toString(kms.primary().id());
    kms.rotate();
    write(r, c, plaintext(10, 3));
    RecordingFiles.share(r, b, other, ReadOptions.defaults());
    assertEquals(
        Collections.singletonList(a),
        RecordingFiles.dependingOnlyOn(Collections.singletonList(dir), kms.uri(), v1, ReadOptions.defaults()));
  }

  @Test
  void shareAddsARecipientAndRevokeRemovesIt() throws Exception {
    LocalKms mine = TestKeks.newLocalKms("mine");
    LocalKms theirs = TestKeks.newLocalKms("theirs");
    Recordings me = Recordings.builder().wrapWith(mine).build();
    Recordings them = Recordings.builder().unwrapWith(theirs).build();
    File f = new File(dir, "c.oxr");
    byte[] plain = plaintext(20000, 3);
    write(me, f, plain);
    assertThrows(NoUsableKeyException.class, () -> read(them, f));
    byte[] bodyBefore = body(f);
    assertTrue(RecordingFiles.share(me, f, theirs, ReadOptions.defaults()));
    assertArrayEquals(bodyBefore, body(f));
    assertArrayEquals(plain, read(them, f));
    assertTrue(RecordingFiles.revoke(me, f, theirs.uri(), ReadOptions.defaults()));
    assertThrows(NoUsableKeyException.class, () -> read(them, f));
    assertArrayEquals(plain, read(me, f));
    assertThrows(
        OxCryptoException.class, () -> RecordingFiles.revoke(me, f, mine.uri(), ReadOptions.defaults()));
  }

  @Test
  void shareRefusesADataKeyThatFailsTheCommitment() throws Exception {
    LocalKms mine = TestKeks.newLocalKms("mine2");
    LocalKms other = TestKeks.newLocalKms("other2");
    Recordings me = Recordings.builder().wrapWith(mine).build();
    File a = new File(dir, "a2.oxr");
    File b = new File(dir, "b2.oxr");
    write(me, a, plaintext(10, 4));
    write(me, b, plaintext(10, 5));
    RecordingHeader ha = RecordingFiles.readHeader(a, ReadOptions.defaults());
    byte[] prefixB = Arrays.copyOfRange(body(b), 0, Cobblestone.PREFIX_BYTES);
    assertThrows(
        AuthenticationException.class,
        () -> me.share(ha, prefixB, other, ReadOptions.defaults()),
        "a body from another recording must not yield a shareable key");
  }

  /**
   * QA finding 3: a re-wrap whose KEKs wrap no key of the recording has nothing of its own to
   * re-wrap; it must fail (no usable key), not report the recording as already current.
   */
  @Test
  void rewrapWithKeksThatWrapNoKeyOfTheRecordingFails() throws Exception {
    LocalKms mine = TestKeks.newLocalKms("owner");
    LocalKms stranger = TestKeks.newLocalKms("stranger");
    Recordings me = Recordings.builder().wrapWith(mine).build();
    Recordings notMine = Recordings.builder().wrapWith(stranger).build();
    File f = new File(dir, "mine.oxr");
    write(me, f, plaintext(3000, 7));
    byte[] before = Files.readAllBytes(f.toPath());
    RecordingHeader h = RecordingFiles.readHeader(f, ReadOptions.defaults());
    byte[] prefix = Arrays.copyOfRange(before, h.toByteArray().length,
        h.toByteArray().length + Cobblestone.PREFIX_BYTES);

    NoUsableKeyException e = assertThrows(NoUsableKeyException.class,
        () -> notMine.rewrap(h, prefix, ReadOptions.defaults()));
    assertTrue(e.getMessage().contains(stranger.uri()), e.getMessage());
    assertThrows(NoUsableKeyException.class, () -> RecordingFiles.rewrap(notMine, f, ReadOptions.defaults()));
    BulkRewrap.Report r = BulkRewrap.builder(notMine).build().run(Collections.singletonList(dir));
    assertEquals(0, r.alreadyCurrent(), r.toString());
    assertTrue(r.failed().get(f) instanceof NoUsableKeyException, r.toString());
    assertArrayEquals(before, Files.readAllBytes(f.toPath()), "left as it was");
    // Its owner still finds it current.
    assertFalse(RecordingFiles.rewrap(me, f, ReadOptions.defaults()));
  }

  @Test
  void bulkRewrapResumesFromItsJournal() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("bulk");
    Recordings r = Recordings.builder().wrapWith(kms).build();
    File tree = new File(dir, "tree");
    File sub = new File(tree, "sub");
    assertTrue(sub.mkdirs());
    for (int i = 0; i < 6; i++) {
      write(r, new File(i % 2 == 0 ? tree : sub, "r" + i + ".oxr"), plaintext(1000 * i, i));
    }
    Files.write(new File(tree, "notes.txt").toPath(), "not a recording".getBytes("UTF-8"));
    // A killed edit's temporary file: it starts like a recording (it is a copy of one), yet it is
    // never counted nor edited, and it goes when its target is next written under the lock.
    File stale = new File(sub, ".r3.oxr.123" + RecordingFiles.TEMP_SUFFIX);
    Files.copy(new File(sub, "r3.oxr").toPath(), stale.toPath());
    kms.rotate();
    File journal = new File(dir, "journal");
    // A first run that only gets through part of the tree (as if killed): process one file.
    BulkRewrap.Report first =
        BulkRewrap.builder(r).journal(journal).build().run(Collections.singletonList(new File(sub, "r1.oxr")));
    assertEquals(1, first.rewrapped());
    BulkRewrap.Report second =
        BulkRewrap.builder(r).journal(journal).threads(2).build().run(Collections.singletonList(tree));
    assertEquals(5, second.rewrapped(), second.toString());
    assertEquals(1, second.resumedSkipped(), second.toString());
    assertTrue(second.failed().isEmpty(), second.toString());
    assertFalse(stale.exists(), "stale temp removed when r3.oxr was replaced");
    BulkRewrap.Report third =
        BulkRewrap.builder(r).threads(2).build().run(Collections.singletonList(tree));
    assertEquals(6, third.alreadyCurrent(), third.toString());
    for (int i = 0; i < 6; i++) {
      File f = new File(i % 2 == 0 ? tree : sub, "r" + i + ".oxr");
      assertArrayEquals(plaintext(1000 * i, i), read(r, f));
    }
  }
}
