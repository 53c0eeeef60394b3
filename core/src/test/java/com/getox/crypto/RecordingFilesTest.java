package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.hpke.HpkeRecipient;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Header edits of recording files in one process: an edit that another edit overtakes, file
 * modes, non-regular files, and the writer's header limits (issue 12, defects 2 and 6).
 */
class RecordingFilesTest {
  @TempDir File dir;

  private static Recordings owner(LocalKms kms) {
    return Recordings.builder().wrapWith(kms).auditSink(AuditSink.none()).build();
  }

  private static Recordings reader(com.getox.crypto.kek.Kek kek) {
    return Recordings.builder().unwrapWith(kek).auditSink(AuditSink.none()).build();
  }

  private static List<File> temps(File dir) {
    List<File> out = new ArrayList<>();
    for (File f : dir.listFiles()) {
      if (f.getName().endsWith(RecordingFiles.TEMP_SUFFIX)) {
        out.add(f);
      }
    }
    return out;
  }

  @Test
  void anEditOvertakenByAnotherStartsOverAndKeepsBoth() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("overtaken");
    Recordings me = owner(kms);
    HpkeRecipient carol = HpkeRecipient.generate();
    HpkeRecipient dave = HpkeRecipient.generate();
    File f = new File(dir, "r.oxr");
    byte[] plain = RewrapTest.plaintext(50_000, 7);
    RewrapTest.write(me, f, plain);
    AtomicInteger applied = new AtomicInteger();
    // Between this edit's read and its write, another edit (as another process would) adds carol:
    // the header grows, so copying the body from the old offset would corrupt the recording.
    assertTrue(
        RecordingFiles.edit(
            f,
            ReadOptions.defaults(),
            (h, prefix) -> {
              if (applied.getAndIncrement() == 0) {
                try {
                  assertTrue(RecordingFiles.share(me, f, carol, ReadOptions.defaults()));
                } catch (java.io.IOException e) {
                  throw new IllegalStateException(e);
                }
              }
              return me.share(h, prefix, dave, ReadOptions.defaults());
            }));
    assertArrayEquals(plain, RewrapTest.read(me, f));
    assertArrayEquals(plain, RewrapTest.read(reader(carol), f), "carol's share survived");
    assertArrayEquals(plain, RewrapTest.read(reader(dave), f), "dave's share was applied");
    assertEquals(2, applied.get(), "the overtaken edit was computed again");
    assertTrue(temps(dir).isEmpty());
  }

  @Test
  void editsOvertakenAgainAndAgainFinishUnderTheLock() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("starved");
    Recordings me = owner(kms);
    File f = new File(dir, "s.oxr");
    byte[] plain = RewrapTest.plaintext(20_000, 8);
    RewrapTest.write(me, f, plain);
    List<HpkeRecipient> others = new ArrayList<>();
    HpkeRecipient last = HpkeRecipient.generate();
    assertTrue(
        RecordingFiles.edit(
            f,
            ReadOptions.defaults(),
            (h, prefix) -> {
              if (others.size() < RecordingFiles.OPTIMISTIC_ATTEMPTS) {
                try {
                  HpkeRecipient o = HpkeRecipient.generate();
                  others.add(o);
                  assertTrue(RecordingFiles.share(me, f, o, ReadOptions.defaults()));
                } catch (java.io.IOException e) {
                  throw new IllegalStateException(e);
                }
              }
              return me.share(h, prefix, last, ReadOptions.defaults());
            }));
    assertEquals(RecordingFiles.OPTIMISTIC_ATTEMPTS, others.size());
    for (HpkeRecipient o : others) {
      assertArrayEquals(plain, RewrapTest.read(reader(o), f));
    }
    assertArrayEquals(plain, RewrapTest.read(reader(last), f));
  }

  @Test
  void aFileChangedUnderTheLockIsRefusedAndLeftOpenable() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("unlocked-writer");
    Recordings me = owner(kms);
    File f = new File(dir, "u.oxr");
    byte[] plain = RewrapTest.plaintext(20_000, 9);
    RewrapTest.write(me, f, plain);
    HpkeRecipient never = HpkeRecipient.generate();
    // Every attempt is overtaken, the last one while this thread holds the lock: what a writer
    // that ignores Ox's lock does. The edit gives up with a typed error and changes nothing.
    assertThrows(
        ConcurrentEditException.class,
        () ->
            RecordingFiles.edit(
                f,
                ReadOptions.defaults(),
                (h, prefix) -> {
                  try {
                    RecordingFiles.share(me, f, HpkeRecipient.generate(), ReadOptions.defaults());
                  } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                  }
                  return me.share(h, prefix, never, ReadOptions.defaults());
                }));
    assertArrayEquals(plain, RewrapTest.read(me, f));
    assertThrows(NoUsableKeyException.class, () -> RewrapTest.read(reader(never), f));
    assertTrue(temps(dir).isEmpty());
  }

  @Test
  void editsKeepTheFileMode() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("modes");
    Recordings me = owner(kms);
    HpkeRecipient bob = HpkeRecipient.generate();
    for (String mode : new String[] {"rw-------", "rw-r-----"}) {
      File f = new File(dir, "m" + mode.hashCode() + ".oxr");
      RewrapTest.write(me, f, RewrapTest.plaintext(1000, 1));
      Files.setPosixFilePermissions(f.toPath(), PosixFilePermissions.fromString(mode));
      assertTrue(RecordingFiles.share(me, f, bob, ReadOptions.defaults()));
      assertEquals(mode, modeOf(f), "after share");
      assertTrue(RecordingFiles.revoke(me, f, bob.uri(), ReadOptions.defaults()));
      assertEquals(mode, modeOf(f), "after revoke");
      kms.rotate();
      assertTrue(RecordingFiles.rewrap(me, f, ReadOptions.defaults()));
      assertEquals(mode, modeOf(f), "after rewrap");
    }
  }

  static String modeOf(File f) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(f.toPath()));
  }

  @Test
  void aSymlinkedRecordingIsEditedThroughTheLink() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("link");
    Recordings me = owner(kms);
    HpkeRecipient bob = HpkeRecipient.generate();
    File f = new File(dir, "target.oxr");
    byte[] plain = RewrapTest.plaintext(3000, 2);
    RewrapTest.write(me, f, plain);
    File link = new File(dir, "link.oxr");
    Files.createSymbolicLink(link.toPath(), f.toPath());
    assertTrue(RecordingFiles.share(me, link, bob, ReadOptions.defaults()));
    assertTrue(Files.isSymbolicLink(link.toPath()), "the link stays a link");
    assertArrayEquals(plain, RewrapTest.read(reader(bob), f));
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aFifoIsRefusedWithoutBlocking() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("fifo");
    Recordings me = owner(kms);
    File fifo = new File(dir, "pipe.oxr");
    Process p = new ProcessBuilder("mkfifo", fifo.getPath()).inheritIO().start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo");
    java.io.IOException e =
        assertThrows(
            java.io.IOException.class,
            () -> RecordingFiles.share(me, fifo, HpkeRecipient.generate(), ReadOptions.defaults()));
    assertFalse(e instanceof ConcurrentEditException);
    assertTrue(Files.isRegularFile(fifo.toPath()) == false && fifo.exists(), "the FIFO stays");
    assertTrue(temps(dir).isEmpty());
  }

  // ---- Defect 6: a writer never produces a header the default reader refuses ----

  /** A context that makes {@code recordings}' headers exactly {@code headerBytes} long. */
  static EncryptionContext contextForHeader(Recordings recordings, int headerBytes)
      throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    int base;
    try (RecordingWriter w = recordings.newWriter(sink, EncryptionContext.empty())) {
      base = w.header().toByteArray().length;
    }
    int left = headerBytes - base; // each entry: key_len(2) key(3) value_len(2) value
    int entries = (left + 7 + EncryptionContext.MAX_VALUE_BYTES - 1) / (7 + EncryptionContext.MAX_VALUE_BYTES);
    int values = left - 7 * entries;
    if (entries > EncryptionContext.MAX_ENTRIES || values < 0) {
      throw new IllegalArgumentException("cannot make a header of " + headerBytes + " bytes");
    }
    EncryptionContext.Builder b = EncryptionContext.builder();
    for (int i = 0; i < entries; i++) {
      int v = Math.min(values, EncryptionContext.MAX_VALUE_BYTES);
      values -= v;
      char[] value = new char[v];
      Arrays.fill(value, 'v');
      b.put(String.format("k%02d", i), new String(value));
    }
    return b.build();
  }

  private static int headerBytesOf(File f) throws Exception {
    return RecordingFiles.readHeader(f, ReadOptions.defaults()).toByteArray().length;
  }

  @Test
  void newWriterWritesTheLargestHeaderTheDefaultReaderOpensAndNotOneByteMore() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("limit");
    Recordings me = owner(kms);
    byte[] plain = RewrapTest.plaintext(5000, 3);
    File ok = new File(dir, "ok.oxr");
    RewrapTest.write(me, ok, plain, contextForHeader(me, ReadOptions.DEFAULT_MAX_HEADER_BYTES));
    assertEquals(ReadOptions.DEFAULT_MAX_HEADER_BYTES, headerBytesOf(ok));
    assertArrayEquals(plain, RewrapTest.read(me, ok));

    EncryptionContext tooBig = contextForHeader(me, ReadOptions.DEFAULT_MAX_HEADER_BYTES + 1);
    for (boolean attached : new boolean[] {true, false}) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThrows(
          HeaderLimitException.class,
          () -> {
            if (attached) {
              me.newWriter(out, tooBig);
            } else {
              me.newDetachedWriter(out, tooBig);
            }
          });
      assertEquals(0, out.size(), "nothing written");
    }
    // The most entries of the longest keys and values the context allows: refused, not written.
    EncryptionContext.Builder huge = EncryptionContext.builder();
    for (int i = 0; i < EncryptionContext.MAX_ENTRIES; i++) {
      char[] k = new char[EncryptionContext.MAX_KEY_BYTES];
      Arrays.fill(k, (char) ('a' + i % 26));
      k[0] = (char) ('A' + i / 26);
      char[] v = new char[EncryptionContext.MAX_VALUE_BYTES];
      Arrays.fill(v, 'x');
      huge.put(new String(k), new String(v));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThrows(HeaderLimitException.class, () -> me.newWriter(out, huge.build()));
    assertEquals(0, out.size());
  }

  @Test
  void shareRefusesToGrowAHeaderPastTheDefaultReadersLimit() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("share-limit");
    LocalKms other = TestKeks.newLocalKms("share-limit-other");
    Recordings me = owner(kms);
    // How many bytes sharing with `other` adds.
    File probe = new File(dir, "probe.oxr");
    RewrapTest.write(me, probe, new byte[1]);
    int before = headerBytesOf(probe);
    RecordingFiles.share(me, probe, other, ReadOptions.defaults());
    int added = headerBytesOf(probe) - before;

    byte[] plain = RewrapTest.plaintext(3000, 4);
    File fits = new File(dir, "fits.oxr");
    RewrapTest.write(me, fits, plain, contextForHeader(me, ReadOptions.DEFAULT_MAX_HEADER_BYTES - added));
    assertTrue(RecordingFiles.share(me, fits, other, ReadOptions.defaults()));
    assertEquals(ReadOptions.DEFAULT_MAX_HEADER_BYTES, headerBytesOf(fits));
    assertArrayEquals(plain, RewrapTest.read(reader(other), fits));

    File over = new File(dir, "over.oxr");
    RewrapTest.write(
        me, over, plain, contextForHeader(me, ReadOptions.DEFAULT_MAX_HEADER_BYTES - added + 1));
    byte[] bytes = Files.readAllBytes(over.toPath());
    // Even a reader allowed larger headers must not make one the default reader refuses.
    ReadOptions lenient = ReadOptions.builder().maxHeaderBytes(1 << 20).maxWrappedKeys(100).build();
    assertThrows(HeaderLimitException.class, () -> RecordingFiles.share(me, over, other, lenient));
    assertArrayEquals(bytes, Files.readAllBytes(over.toPath()), "unchanged");
    assertTrue(temps(dir).isEmpty());
  }

  @Test
  void shareRefusesMoreWrappedKeysThanTheDefaultReaderTakes() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("count-limit");
    Recordings me = owner(kms);
    File f = new File(dir, "count.oxr");
    byte[] plain = RewrapTest.plaintext(100, 5);
    RewrapTest.write(me, f, plain);
    ReadOptions lenient = ReadOptions.builder().maxWrappedKeys(100).build();
    HpkeRecipient lastIn = null;
    for (int i = 1; i < ReadOptions.DEFAULT_MAX_WRAPPED_KEYS; i++) {
      lastIn = HpkeRecipient.generate();
      assertTrue(RecordingFiles.share(me, f, lastIn, lenient));
    }
    assertEquals(
        ReadOptions.DEFAULT_MAX_WRAPPED_KEYS,
        RecordingFiles.readHeader(f, ReadOptions.defaults()).wrappedKeys().size());
    assertArrayEquals(plain, RewrapTest.read(reader(lastIn), f));
    byte[] bytes = Files.readAllBytes(f.toPath());
    assertThrows(
        HeaderLimitException.class,
        () -> RecordingFiles.share(me, f, HpkeRecipient.generate(), lenient));
    assertArrayEquals(bytes, Files.readAllBytes(f.toPath()), "unchanged");
  }

  @Test
  void revokeWithRaisedReadLimitsRepairsAnOversizeHeaderThatAnOlderWriterMade() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("repair");
    LocalKms other = TestKeks.newLocalKms("repair-other");
    Recordings me = owner(kms);
    File f = new File(dir, "big.oxr");
    byte[] plain = RewrapTest.plaintext(3000, 10);
    RewrapTest.write(me, f, plain, contextForHeader(me, ReadOptions.DEFAULT_MAX_HEADER_BYTES - 20));
    // What share did before the writer checked limits: append a wrapped key past the limit.
    byte[] all = Files.readAllBytes(f.toPath());
    RecordingHeader h = RecordingFiles.readHeader(f, ReadOptions.defaults());
    int old = h.toByteArray().length;
    List<WrappedKey> keys = new ArrayList<>(h.wrappedKeys());
    keys.add(other.wrap(new byte[32], h.context()));
    byte[] big = h.withWrappedKeys(keys).toByteArray();
    assertTrue(big.length > ReadOptions.DEFAULT_MAX_HEADER_BYTES);
    try (java.io.FileOutputStream out = new java.io.FileOutputStream(f)) {
      out.write(big);
      out.write(all, old, all.length - old);
    }
    assertThrows(FormatException.class, () -> RewrapTest.read(me, f));
    ReadOptions lenient = ReadOptions.builder().maxHeaderBytes(1 << 20).build();
    assertTrue(RecordingFiles.revoke(me, f, other.uri(), lenient));
    assertArrayEquals(plain, RewrapTest.read(me, f), "opens with the default reader again");
  }

  /** Rotates until the primary version id has {@code digits} digits (ids are random). */
  static void rotateUntil(LocalKms kms, java.util.function.IntPredicate digits) throws Exception {
    for (int i = 0; i < 400; i++) {
      if (digits.test(Long.toString(kms.primary().id()).length())) {
        return;
      }
      kms.rotate();
    }
    throw new AssertionError("no version id with the wanted number of digits in 400 rotations");
  }

  @Test
  void rewrapRefusesAVersionIdThatWouldPushTheHeaderPastTheLimit() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("rewrap-limit");
    Recordings me = owner(kms);
    rotateUntil(kms, d -> d == 9);
    byte[] plain = RewrapTest.plaintext(2000, 6);
    File exact = new File(dir, "exact.oxr");
    File over = new File(dir, "over.oxr");
    RewrapTest.write(me, exact, plain, contextForHeader(me, ReadOptions.DEFAULT_MAX_HEADER_BYTES - 1));
    RewrapTest.write(me, over, plain, contextForHeader(me, ReadOptions.DEFAULT_MAX_HEADER_BYTES));
    assertArrayEquals(plain, RewrapTest.read(me, over));
    kms.rotate();
    rotateUntil(kms, d -> d == 10); // the new version's id is one digit longer
    assertTrue(RecordingFiles.rewrap(me, exact, ReadOptions.defaults()));
    assertEquals(ReadOptions.DEFAULT_MAX_HEADER_BYTES, headerBytesOf(exact));
    assertArrayEquals(plain, RewrapTest.read(me, exact));
    byte[] bytes = Files.readAllBytes(over.toPath());
    assertThrows(
        HeaderLimitException.class, () -> RecordingFiles.rewrap(me, over, ReadOptions.defaults()));
    assertArrayEquals(bytes, Files.readAllBytes(over.toPath()), "unchanged");
    assertArrayEquals(plain, RewrapTest.read(me, over));
    for (WrappedKey w : RecordingFiles.readHeader(exact, ReadOptions.defaults()).wrappedKeys()) {
      assertEquals(Long.toString(kms.primary().id()), w.kekVersion());
    }
  }

  // ---- BulkRewrap: each file once ----

  @Test
  void bulkRewrapCountsEachFileOnceThroughRepeatedPathsAndSymlinkLoops() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("walk");
    Recordings me = owner(kms);
    File tree = new File(dir, "tree");
    int files = 30;
    for (int i = 0; i < files; i++) {
      File sub = new File(tree, "d" + (i % 3));
      sub.mkdirs();
      RewrapTest.write(me, new File(sub, "r" + i + ".oxr"), RewrapTest.plaintext(100 + i, i));
    }
    Files.createSymbolicLink(new File(tree, "d0/loop").toPath(), tree.toPath()); // a loop
    Files.createSymbolicLink(new File(tree, "d1/alias.oxr").toPath(), new File(tree, "d2/r2.oxr").toPath());
    kms.rotate();
    List<File> paths = Arrays.asList(tree, tree, new File(tree, "d1"), new File(tree, "d0/loop/d2"));
    BulkRewrap.Report r = BulkRewrap.builder(me).threads(4).build().run(paths);
    assertEquals(files, r.rewrapped(), r.toString());
    assertEquals(0, r.alreadyCurrent(), r.toString());
    assertTrue(r.failed().isEmpty(), r.toString());
    BulkRewrap.Report again = BulkRewrap.builder(me).threads(4).build().run(paths);
    assertEquals(files, again.alreadyCurrent(), again.toString());
    for (int i = 0; i < files; i++) {
      File f = new File(new File(tree, "d" + (i % 3)), "r" + i + ".oxr");
      assertArrayEquals(RewrapTest.plaintext(100 + i, i), RewrapTest.read(me, f));
    }
    assertEquals(
        files, RecordingFiles.dependingOnlyOn(paths, kms.uri(), Long.toString(kms.primary().id()),
            ReadOptions.defaults()).size());
  }

  /**
   * share's (and revoke's) body-progress hook sees a rising running total that ends at the body's
   * length.
   */
  @Test
  void shareAndRevokeReportTheBodyCopyBlockByBlock() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("progress");
    Recordings me = owner(kms);
    HpkeRecipient carol = HpkeRecipient.generate();
    File f = new File(dir, "r.oxr");
    byte[] plain = RewrapTest.plaintext(300_000, 11); // several 64 KiB blocks of body
    RewrapTest.write(me, f, plain);
    long bodyBytes =
        f.length() - RecordingFiles.readHeader(f, ReadOptions.defaults()).toByteArray().length;
    List<Long> seen = new ArrayList<>();
    assertTrue(RecordingFiles.share(me, f, carol, ReadOptions.defaults(), seen::add));
    assertTrue(seen.size() >= 4, "one call per block: " + seen);
    for (int i = 1; i < seen.size(); i++) {
      assertTrue(seen.get(i) > seen.get(i - 1), "monotone: " + seen);
    }
    assertEquals(bodyBytes, (long) seen.get(seen.size() - 1));
    assertArrayEquals(plain, RewrapTest.read(reader(carol), f));
    seen.clear();
    assertFalse(RecordingFiles.share(me, f, carol, ReadOptions.defaults(), seen::add));
    assertTrue(seen.isEmpty(), "not rewritten, not called");
    HpkeRecipient dave = HpkeRecipient.generate();
    assertTrue(RecordingFiles.share(me, f, dave, ReadOptions.defaults(), null), "null is allowed");
    assertArrayEquals(plain, RewrapTest.read(reader(dave), f));
    seen.clear();
    assertTrue(RecordingFiles.revoke(me, f, carol.uri(), ReadOptions.defaults(), seen::add));
    assertEquals(bodyBytes, (long) seen.get(seen.size() - 1), "revoke reports the same copy");
    assertArrayEquals(plain, RewrapTest.read(me, f));
  }
}
