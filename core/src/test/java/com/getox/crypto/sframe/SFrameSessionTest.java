package com.getox.crypto.sframe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.AuthenticationException;
import com.getox.crypto.ContextMismatchException;
import com.getox.crypto.FormatException;
import com.getox.crypto.NoUsableKeyException;
import com.getox.crypto.OxCryptoException;
import com.getox.crypto.Recordings;
import com.getox.crypto.audit.AuditEvent;
import com.getox.crypto.audit.AuditEvent.Operation;
import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.hpke.HpkeRecipient;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Sender and receivers with key packages, epochs, rotation, counters and every failure type. */
class SFrameSessionTest {
  @TempDir File dir;

  private final List<byte[]> packages = new ArrayList<>();
  private final AtomicLong clock = new AtomicLong(1_000_000);

  private final java.util.Map<String, CounterStore> stores = new java.util.HashMap<>();

  @AfterEach
  void closeStores() throws IOException {
    for (CounterStore s : stores.values()) {
      s.close();
    }
  }

  /** A sender on the session's counter file; the previous one of the session is done with it. */
  private SFrameSender.Builder sender(String session, String... members) throws IOException {
    CounterStore previous = stores.remove(session);
    if (previous != null) {
      previous.close();
    }
    CounterStore store = CounterStore.file(new File(dir, session + ".ctr"));
    stores.put(session, store);
    return SFrameSender.builder(Members.wrappingFor(members), session, store)
        .onKeyPackage(packages::add)
        .clockMillis(clock::get);
  }

  private SFrameReceiver receiver(String session, String member) throws Exception {
    SFrameReceiver r = SFrameReceiver.builder(Members.of(member), session).clockMillis(clock::get).build();
    for (byte[] p : packages) {
      r.addKeyPackage(p);
    }
    return r;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @EnumSource(SFrameSuite.class)
  void framesRoundTripAndMetadataIsAuthenticated(SFrameSuite suite) throws Exception {
    SFrameSender s = sender("s1", "alice", "bob").suite(suite).build();
    assertEquals(1, packages.size(), "build() hands out epoch 0's key package");
    SFrameReceiver bob =
        SFrameReceiver.builder(Members.of("bob"), "s1").suite(suite).build();
    assertEquals(0, bob.addKeyPackage(packages.get(0)));
    byte[] meta = bytes("rtp seq=1");
    byte[] wire = s.encrypt(bytes("hello"), meta);
    assertEquals(1 + 5 + 16, wire.length, "config byte, plaintext, tag");
    assertEquals(SFrameHeader.of(0, 0), SFrameHeader.parse(wire));
    SFrameReceiver.DecryptedFrame f = bob.decrypt(wire, meta);
    assertArrayEquals(bytes("hello"), f.plaintext());
    assertEquals(0, f.epoch());
    assertEquals(0, f.counter());
    assertEquals(0, f.missedBefore());

    byte[] wire2 = s.encrypt(bytes("again"), meta);
    assertThrows(AuthenticationException.class, () -> bob.decrypt(wire2, bytes("rtp seq=2")));
    assertEquals(1, bob.decrypt(wire2, meta).counter(), "a failed attempt does not burn the frame");
  }

  @Test
  void gapsAndLateFramesAreReported() throws Exception {
    SFrameSender s = sender("s2", "bob").build();
    SFrameReceiver bob = receiver("s2", "bob");
    byte[][] w = new byte[6][];
    for (int i = 0; i < w.length; i++) {
      w[i] = s.encrypt(new byte[] {(byte) i}, new byte[0]);
    }
    assertEquals(0, bob.decrypt(w[0], new byte[0]).missedBefore());
    SFrameReceiver.DecryptedFrame f4 = bob.decrypt(w[4], new byte[0]);
    assertEquals(3, f4.missedBefore(), "1, 2, 3 missing");
    assertFalse(f4.isLate());
    SFrameReceiver.DecryptedFrame f2 = bob.decrypt(w[2], new byte[0]);
    assertTrue(f2.isLate());
    assertEquals(0, f2.missedBefore());
    assertEquals(0, bob.decrypt(w[5], new byte[0]).missedBefore());
    assertThrows(ReplayedFrameException.class, () -> bob.decrypt(w[2], new byte[0]));
  }

  @Test
  void scheduledRotationAnnouncesTheKeyThenSwitchesAfterTheGrace() throws Exception {
    SFrameSender s = sender("s3", "alice", "bob").rotateEveryFrames(10).graceFrames(3).build();
    SFrameReceiver bob = receiver("s3", "bob");
    List<Long> kids = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      byte[] w = s.encrypt(new byte[40], new byte[0]);
      kids.add(SFrameHeader.parse(w).kid());
      if (packages.size() > bob.epochs().size()) {
        bob.addKeyPackage(packages.get(packages.size() - 1));
      }
      assertEquals(kids.get(i), bob.decrypt(w, new byte[0]).epoch());
    }
    // epoch 0: frames 0-9 plus 3 grace frames; epoch 1: 10 frames and 3 grace; epoch 2 from then on
    assertEquals(13, kids.stream().filter(k -> k == 0).count());
    assertEquals(13, kids.stream().filter(k -> k == 1).count());
    assertEquals(4, kids.stream().filter(k -> k == 2).count());
    assertEquals(3, packages.size());
    assertEquals(Arrays.asList(0L, 1L, 2L), bob.epochs());
  }

  @Test
  void timedRotation() throws Exception {
    SFrameSender s = sender("s4", "bob").rotateEveryMillis(60_000).graceFrames(0).build();
    s.encrypt(new byte[1], new byte[0]);
    clock.addAndGet(59_999);
    assertEquals(0, SFrameHeader.parse(s.encrypt(new byte[1], new byte[0])).kid());
    clock.addAndGet(1);
    assertEquals(1, SFrameHeader.parse(s.encrypt(new byte[1], new byte[0])).kid());
    assertEquals(2, packages.size());
  }

  @Test
  void aMemberWhoLeftCannotOpenLaterEpochs() throws Exception {
    SFrameSender s = sender("s5", "alice", "bob", "carol").build();
    SFrameReceiver bob = receiver("s5", "bob");
    SFrameReceiver carol = receiver("s5", "carol");
    byte[] before = s.encrypt(bytes("before"), new byte[0]);
    byte[] lateBefore = s.encrypt(bytes("late"), new byte[0]);
    assertArrayEquals(bytes("before"), carol.decrypt(before, new byte[0]).plaintext());

    s.membersChanged(Members.wrappingFor("alice", "bob"));
    assertEquals(1, s.currentEpoch());
    byte[] newPackage = packages.get(1);
    assertThrows(NoUsableKeyException.class, () -> carol.addKeyPackage(newPackage));
    assertEquals(1, bob.addKeyPackage(newPackage));
    byte[] after = s.encrypt(bytes("after"), new byte[0]);
    UnknownEpochException e =
        assertThrows(UnknownEpochException.class, () -> carol.decrypt(after, new byte[0]));
    assertEquals(1, e.epoch());
    assertArrayEquals(bytes("after"), bob.decrypt(after, new byte[0]).plaintext());
    assertArrayEquals(bytes("late"), bob.decrypt(lateBefore, new byte[0]).plaintext(),
        "late frames of the previous epoch still decrypt");
  }

  @Test
  void receiversKeepABoundedSetOfEpochsAndRetireOldOnes() throws Exception {
    SFrameSender s = sender("s6", "bob").build();
    SFrameReceiver bob =
        SFrameReceiver.builder(Members.of("bob"), "s6").maxEpochs(2).retireAfterMillis(5_000)
            .clockMillis(clock::get).build();
    bob.addKeyPackage(packages.get(0));
    byte[] e0 = s.encrypt(new byte[1], new byte[0]);
    s.membersChanged(Members.wrappingFor("bob"));
    bob.addKeyPackage(packages.get(1));
    byte[] e1 = s.encrypt(new byte[1], new byte[0]);
    byte[] e1b = s.encrypt(new byte[1], new byte[0]);
    bob.decrypt(e1, new byte[0]);
    clock.addAndGet(4_999);
    assertEquals(Arrays.asList(0L, 1L), bob.epochs());
    bob.decrypt(e0, new byte[0]);
    clock.addAndGet(1);
    assertEquals(Arrays.asList(1L), bob.epochs(), "epoch 0 retired 5 s after epoch 1's first frame");
    assertThrows(UnknownEpochException.class, () -> bob.decrypt(e0, new byte[0]));

    s.membersChanged(Members.wrappingFor("bob"));
    s.membersChanged(Members.wrappingFor("bob"));
    bob.addKeyPackage(packages.get(2));
    bob.addKeyPackage(packages.get(3));
    assertEquals(Arrays.asList(2L, 3L), bob.epochs(), "at most 2 held: the oldest is dropped");
    assertThrows(UnknownEpochException.class, () -> bob.decrypt(e1b, new byte[0]));
    assertThrows(OxCryptoException.class, () -> bob.addKeyPackage(packages.get(1)),
        "older than every epoch held");
    bob.addKeyPackage(packages.get(3)); // again: harmless
    bob.destroy();
    assertEquals(0, bob.epochs().size());
  }

  @Test
  void keyPackagesOfAnotherSessionOrSuiteOrAConflictingKeyAreRefused() throws Exception {
    sender("s7", "bob").build();
    byte[] s7 = packages.get(0);
    SFrameReceiver other = SFrameReceiver.builder(Members.of("bob"), "s8").build();
    assertThrows(ContextMismatchException.class, () -> other.addKeyPackage(s7));
    SFrameReceiver aes128 =
        SFrameReceiver.builder(Members.of("bob"), "s7").suite(SFrameSuite.AES_128_GCM_SHA256_128).build();
    assertThrows(ContextMismatchException.class, () -> aes128.addKeyPackage(s7));

    // a second sender (its own counter store) claiming the same session and epoch 0
    SFrameSender.builder(Members.wrappingFor("bob"), "s7", CounterStore.file(new File(dir, "rogue.ctr")))
        .onKeyPackage(packages::add).build();
    SFrameReceiver r = SFrameReceiver.builder(Members.of("bob"), "s7").build();
    r.addKeyPackage(packages.get(0));
    assertThrows(AuthenticationException.class, () -> r.addKeyPackage(packages.get(1)));
  }

  @Test
  void everyFailureIsTyped() throws Exception {
    SFrameSender s = sender("s9", "bob").build();
    SFrameReceiver bob = receiver("s9", "bob");
    byte[] good = s.encrypt(bytes("x"), new byte[0]);
    assertThrows(FormatException.class, () -> bob.decrypt(new byte[0], new byte[0]));
    assertThrows(FormatException.class, () -> bob.decrypt(SFrameVectors.hex("0805aabb"), new byte[0]));
    byte[] otherEpoch = good.clone();
    otherEpoch[0] = (byte) (0x50 | (otherEpoch[0] & 0x0f)); // kid 5
    assertThrows(UnknownEpochException.class, () -> bob.decrypt(otherEpoch, new byte[0]));
    byte[] flipped = good.clone();
    flipped[flipped.length - 1] ^= 0x40;
    assertThrows(AuthenticationException.class, () -> bob.decrypt(flipped, new byte[0]));
    assertThrows(AuthenticationException.class, () -> bob.decrypt(Arrays.copyOf(good, 10), new byte[0]),
        "shorter than a tag");
    bob.decrypt(good, new byte[0]);
    assertThrows(ReplayedFrameException.class, () -> bob.decrypt(good, new byte[0]));
  }

  @Test
  void countersArePersistedBeforeUseAndSurviveARestart() throws Exception {
    File file = new File(dir, "s10.ctr");
    CounterStore first = CounterStore.file(file);
    SFrameSender s =
        SFrameSender.builder(Members.wrappingFor("alice", "bob"), "s10", first)
            .counterReservation(4).onKeyPackage(packages::add).build();
    for (int i = 0; i < 6; i++) {
      s.encrypt(new byte[1], new byte[0]);
    }
    // While the original sender lives, no second sender can count from its file: it would start
    // at 8, and so would the original's next block (same key, same counters).
    assertThrows(CounterStoreInUseException.class, () -> CounterStore.file(file));
    byte[] keyPackage = s.currentKeyPackage();
    s.destroy();
    first.close();
    try (CounterStore onDisk = CounterStore.file(file)) {
      assertEquals(8, onDisk.load("s10/ctr/0"), "counters 0-7 reserved in two blocks of 4");
      assertEquals(1, onDisk.load("s10/next-epoch"));
    }

    // "restart": a new sender resumes epoch 0 by unwrapping its own key package
    CounterStore second = CounterStore.file(file);
    SFrameSender resumed =
        SFrameSender.builder(Members.wrappingFor("alice", "bob"), "s10", second)
            .resume(keyPackage).counterReservation(4).build();
    assertEquals(0, resumed.currentEpoch());
    byte[] w = resumed.encrypt(bytes("resumed"), new byte[0]);
    assertEquals(SFrameHeader.of(0, 8), SFrameHeader.parse(w), "never reuses counters 6 and 7");
    SFrameReceiver bob = receiver("s10", "bob");
    assertArrayEquals(bytes("resumed"), bob.decrypt(w, new byte[0]).plaintext());
    resumed.destroy();
    second.close();

    // a restart without resume starts a fresh epoch, never epoch 0 again
    SFrameSender fresh;
    try (CounterStore third = CounterStore.file(file)) {
      fresh =
          SFrameSender.builder(Members.wrappingFor("alice", "bob"), "s10", third).build();
      assertEquals(1, fresh.currentEpoch());
    }
    // epoch 0 is no longer the latest: resuming it is refused
    try (CounterStore fourth = CounterStore.file(file)) {
      OxCryptoException e = assertThrows(OxCryptoException.class,
          () -> SFrameSender.builder(Members.wrappingFor("alice", "bob"), "s10", fourth)
              .resume(keyPackage).build());
      assertTrue(e.getMessage().contains("latest epoch (1)"), e.getMessage());
    }
    // and with a lost counter store, nothing can be resumed
    try (CounterStore lost = CounterStore.file(new File(dir, "lost.ctr"))) {
      assertThrows(OxCryptoException.class,
          () -> SFrameSender.builder(Members.wrappingFor("alice", "bob"), "s10", lost)
              .resume(fresh.currentKeyPackage()).build());
    }
  }

  @Test
  void aSecondLiveStoreOnOneFileIsRefusedInAnyThread() throws Exception {
    File file = new File(dir, "one.ctr");
    CounterStore a = CounterStore.file(file);
    a.store("x", 5);
    assertThrows(CounterStoreInUseException.class, () -> CounterStore.file(file));
    java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      java.util.concurrent.Future<?> f = other.submit(() -> CounterStore.file(file));
      java.util.concurrent.ExecutionException e =
          assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(60, java.util.concurrent.TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof CounterStoreInUseException, e.toString());
      // closed from another thread than the one that opened it
      other.submit(() -> {
        a.close();
        return null;
      }).get(60, java.util.concurrent.TimeUnit.SECONDS);
    } finally {
      other.shutdownNow();
    }
    assertThrows(IOException.class, () -> a.store("x", 6), "a closed store writes nothing");
    try (CounterStore b = CounterStore.file(file)) {
      assertEquals(5, b.load("x"));
    }
    // a symlink to the file names the same store
    java.nio.file.Path link = new File(dir, "link.ctr").toPath();
    java.nio.file.Files.createSymbolicLink(link, file.toPath());
    try (CounterStore b = CounterStore.file(file)) {
      assertThrows(CounterStoreInUseException.class, () -> CounterStore.file(link.toFile()));
    }
  }

  @Test
  void retiredEpochCountersArePrunedFromTheStore() throws Exception {
    File file = new File(dir, "s17.ctr");
    SFrameSender s = SFrameSender.builder(Members.wrappingFor("bob"), "s17", CounterStore.file(file))
        .rotateEveryFrames(3).graceFrames(1).build();
    for (int i = 0; i < 20; i++) {
      s.encrypt(new byte[1], new byte[0]);
    }
    assertEquals(4, s.currentEpoch());
    java.util.Properties p = new java.util.Properties();
    try (java.io.FileInputStream in = new java.io.FileInputStream(file)) {
      p.load(in);
    }
    assertEquals(new java.util.TreeSet<>(Arrays.asList("s17/ctr/4", "s17/next-epoch")), p.stringPropertyNames());
  }

  @Test
  void theSenderRefusesToWrapTheCounter() throws Exception {
    File file = new File(dir, "s11.ctr");
    try (CounterStore setUp = CounterStore.file(file)) {
      setUp.store("s11/ctr/0", 0xFFFF_FFFF_FFFF_FFFDL);
    }
    CounterStore store = CounterStore.file(file);
    SFrameSender s =
        SFrameSender.builder(Members.wrappingFor("bob"), "s11", store)
            .onKeyPackage(packages::add).build();
    SFrameReceiver bob = receiver("s11", "bob");
    byte[] a = s.encrypt(bytes("a"), new byte[0]);
    byte[] b = s.encrypt(bytes("b"), new byte[0]);
    assertEquals(0xFFFF_FFFF_FFFF_FFFDL, SFrameHeader.parse(a).ctr());
    assertEquals(0xFFFF_FFFF_FFFF_FFFEL, SFrameHeader.parse(b).ctr());
    assertThrows(CounterExhaustedException.class, () -> s.encrypt(bytes("c"), new byte[0]));
    assertThrows(CounterExhaustedException.class, () -> s.encrypt(bytes("c"), new byte[0]));
    assertEquals(-1L, store.load("s11/ctr/0"));
    // the receiver's window works at the top of the unsigned range
    assertEquals(0xFFFF_FFFF_FFFF_FFFEL, bob.decrypt(b, new byte[0]).counter());
    assertTrue(bob.decrypt(a, new byte[0]).isLate());
    assertThrows(ReplayedFrameException.class, () -> bob.decrypt(b, new byte[0]));
    s.membersChanged(Members.wrappingFor("bob"));
    assertEquals(SFrameHeader.of(1, 0), SFrameHeader.parse(s.encrypt(bytes("c"), new byte[0])));
  }

  @Test
  void aCounterStoreFailureEncryptsNothing() throws Exception {
    boolean[] fail = {false};
    CounterStore flaky = new CounterStore() {
      final CounterStore real = CounterStore.file(new File(dir, "flaky.ctr"));

      @Override
      public long load(String name) throws IOException {
        return real.load(name);
      }

      @Override
      public void store(String name, long value) throws IOException {
        if (fail[0]) {
          throw new IOException("disk full");
        }
        real.store(name, value);
      }
    };
    SFrameSender s = SFrameSender.builder(Members.wrappingFor("bob"), "s12", flaky)
        .counterReservation(2).onKeyPackage(packages::add).build();
    s.encrypt(new byte[1], new byte[0]);
    s.encrypt(new byte[1], new byte[0]);
    fail[0] = true;
    assertThrows(IOException.class, () -> s.encrypt(new byte[1], new byte[0]));
    fail[0] = false;
    assertEquals(2, SFrameHeader.parse(s.encrypt(new byte[1], new byte[0])).ctr());
  }

  @Test
  void fileCounterStoreIsStrict() throws Exception {
    File f = new File(dir, "bad.ctr");
    try (FileOutputStream out = new FileOutputStream(f)) {
      out.write(bytes("s/ctr/0=12xz\n"));
    }
    assertThrows(IOException.class, () -> CounterStore.file(f));
    try (FileOutputStream out = new FileOutputStream(f)) {
      out.write(bytes("s/ctr/0=10000000000000000\n"));
    }
    assertThrows(IOException.class, () -> CounterStore.file(f), "more than 64 bits");

    // a crash after a temporary file was written but before the rename leaves the old file
    File g = new File(dir, "g.ctr");
    try (CounterStore store = CounterStore.file(g)) {
      store.store("x", 0xFFFF_FFFF_FFFF_FFF0L);
    }
    try (FileOutputStream out = new FileOutputStream(new File(dir, ".g.ctr.123.tmp"))) {
      out.write(bytes("x=fffffffffffffff8\n"));
    }
    try (CounterStore store = CounterStore.file(g)) {
      assertEquals(0xFFFF_FFFF_FFFF_FFF0L, store.load("x"));
    }
    try (CounterStore none = CounterStore.file(new File(dir, "none.ctr"))) {
      assertEquals(0, none.load("x"));
      assertFalse(new File(dir, "none.ctr").exists(), "opening a missing store reads 0 and creates no file");
    }
  }

  @Test
  void buildersValidate() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> sender("v", "bob").graceFrames(10).rotateEveryFrames(10).build());
    assertThrows(IllegalArgumentException.class, () -> sender("v", "bob").rotateEveryMillis(0).build());
    assertThrows(IllegalArgumentException.class, () -> sender("", "bob").build());
    assertThrows(IllegalArgumentException.class,
        () -> SFrameReceiver.builder(Members.of("bob"), "v").replayWindowFrames(0).build());
    assertThrows(IllegalArgumentException.class,
        () -> SFrameReceiver.builder(Members.of("bob"), "v").maxEpochs(17).build());
  }

  @Test
  void keyPackagesCreatedOpenedAndRetiredAreAudited() throws Exception {
    List<AuditEvent> sent = new ArrayList<>();
    List<AuditEvent> got = new ArrayList<>();
    SFrameSender s =
        SFrameSender.builder(
                Recordings.builder().wrapWith(Members.kek("alice"), Members.kek("bob")).auditSink(sent::add).build(),
                "s15", CounterStore.file(new File(dir, "s15.ctr")))
            .auditSink(sent::add).onKeyPackage(packages::add).build();
    SFrameReceiver bob =
        SFrameReceiver.builder(Recordings.builder().unwrapWith(Members.kek("bob")).auditSink(got::add).build(), "s15")
            .auditSink(got::add).clockMillis(clock::get).retireAfterMillis(0).build();
    bob.addKeyPackage(packages.get(0));
    String epoch0 = Recordings.builder().unwrapWith(Members.kek("bob")).auditSink(AuditSink.none()).build()
        .openKeyPackage(packages.get(0), com.getox.crypto.ReadOptions.defaults()).header().headerIdHex();
    assertEquals(Arrays.asList(Operation.GENERATE_DEK, Operation.WRAP, Operation.WRAP), ops(sent));
    assertEquals(Arrays.asList(Operation.UNWRAP), ops(got));

    s.membersChanged(Members.wrappingFor("bob"));
    AuditEvent retired = sent.get(3);
    assertEquals(Operation.DESTROY, retired.operation());
    assertEquals(epoch0, retired.headerId(), "names epoch 0's key package");
    assertEquals(AuditEvent.digest(s.context(0)), retired.contextDigest());

    bob.addKeyPackage(packages.get(1));
    bob.decrypt(s.encrypt(new byte[1], new byte[0]), new byte[0]); // epoch 1 in use: epoch 0 retires
    bob.epochs();
    assertEquals(Operation.DESTROY, got.get(got.size() - 1).operation());
    assertEquals(epoch0, got.get(got.size() - 1).headerId());
    assertEquals(Arrays.asList(1L), bob.epochs());
  }

  private static List<Operation> ops(List<AuditEvent> events) {
    List<Operation> out = new ArrayList<>();
    for (AuditEvent e : events) {
      out.add(e.operation());
    }
    return out;
  }

  @Test
  void aMemberKnownOnlyByPublicKeyReceivesEpochKeys() throws Exception {
    HpkeRecipient dave = HpkeRecipient.generate(); // on dave's device
    HpkeRecipient toDave = HpkeRecipient.fromPublicKeyset(dave.publicKeysetJson()); // at the sender
    SFrameSender s =
        SFrameSender.builder(Recordings.builder().wrapWith(Members.kek("alice"), toDave).build(), "s16",
                CounterStore.file(new File(dir, "s16.ctr")))
            .onKeyPackage(packages::add).build();
    SFrameReceiver daveRx = SFrameReceiver.builder(Recordings.builder().unwrapWith(dave).build(), "s16").build();
    daveRx.addKeyPackage(packages.get(0));
    assertArrayEquals(bytes("hi dave"), daveRx.decrypt(s.encrypt(bytes("hi dave"), new byte[0]), new byte[0]).plaintext());
    s.membersChanged(Members.wrappingFor("alice"));
    assertThrows(NoUsableKeyException.class, () -> daveRx.addKeyPackage(packages.get(1)));
  }

  @Test
  void aDestroyedSenderRefuses() throws Exception {
    SFrameSender s = sender("s14", "bob").build();
    s.encrypt(new byte[1], new byte[0]);
    s.destroy();
    assertThrows(IllegalStateException.class, () -> s.encrypt(new byte[1], new byte[0]));
    assertThrows(IllegalStateException.class, () -> s.membersChanged(Members.wrappingFor("bob")));
  }

  @Test
  void toStringsHoldNoSecrets() throws Exception {
    SFrameSender s = sender("s13", "bob").build();
    SFrameReceiver bob = receiver("s13", "bob");
    SFrameReceiver.DecryptedFrame f = bob.decrypt(s.encrypt(bytes("secret words"), new byte[0]), new byte[0]);
    assertFalse(f.toString().contains("secret"));
    assertEquals("SFrameSender{session=s13, suite=AES_256_GCM_SHA512_128}", s.toString());
  }
}
