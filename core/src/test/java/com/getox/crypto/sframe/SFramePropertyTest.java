package com.getox.crypto.sframe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import com.getox.crypto.NoUsableKeyException;
import com.getox.crypto.OxCryptoException;
import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random cases (each prints its seed; replay with {@code -Dsframe.seed=N}): permutations
 * within the window decrypt, replays are rejected, bit flips are rejected, a removed member
 * cannot open later epochs, and the replay window agrees with a set-based model.
 */
class SFramePropertyTest {
  private static final String SEEDS = "com.getox.crypto.sframe.Seeds#seeds";

  @TempDir File dir;

  private final List<byte[]> packages = new ArrayList<>();

  private SFrameSender sender(String session, SplittableRandom r, String... members) throws Exception {
    return SFrameSender.builder(
            Members.wrappingFor(members), session, CounterStore.file(new File(dir, session + ".ctr")))
        .suite(r.nextBoolean() ? SFrameSuite.AES_256_GCM_SHA512_128 : SFrameSuite.AES_128_GCM_SHA256_128)
        .onKeyPackage(packages::add)
        .build();
  }

  private SFrameReceiver receiver(SFrameSender s, String session, String member, int window) throws Exception {
    SFrameReceiver r =
        SFrameReceiver.builder(Members.of(member), session).suite(s.suite()).replayWindowFrames(window).build();
    for (byte[] p : packages) {
      r.addKeyPackage(p);
    }
    return r;
  }

  private static byte[] randomBytes(SplittableRandom r, int max) {
    byte[] b = new byte[r.nextInt(max + 1)];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) r.nextInt(256);
    }
    return b;
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource(SEEDS)
  void anyPermutationWithinTheWindowDecrypts(long seed) throws Exception {
    System.out.println("anyPermutationWithinTheWindowDecrypts seed=" + seed);
    SplittableRandom r = new SplittableRandom(seed);
    int window = 1 + r.nextInt(200);
    int n = 50 + r.nextInt(400);
    SFrameSender s = sender("perm", r, "bob");
    SFrameReceiver bob = receiver(s, "perm", "bob", window);
    byte[][] pt = new byte[n][];
    byte[][] meta = new byte[n][];
    byte[][] wire = new byte[n][];
    for (int i = 0; i < n; i++) {
      pt[i] = randomBytes(r, 64);
      meta[i] = randomBytes(r, 12);
      wire[i] = s.encrypt(pt[i], meta[i]);
    }
    // shuffle within consecutive blocks of `window` counters: every frame then arrives while it is
    // less than `window` behind the newest one; drop some frames and duplicate others
    List<Integer> order = new ArrayList<>();
    Random shuffler = new Random(r.nextLong());
    for (int start = 0; start < n; start += window) {
      List<Integer> block = new ArrayList<>();
      for (int i = start; i < Math.min(n, start + window); i++) {
        block.add(i);
      }
      Collections.shuffle(block, shuffler);
      order.addAll(block);
    }
    Set<Integer> dropped = new HashSet<>();
    int duplicates = 0;
    long missed = 0;
    long late = 0;
    Set<Integer> seen = new HashSet<>();
    for (int i : order) {
      if (r.nextInt(10) == 0) {
        dropped.add(i);
        continue;
      }
      SFrameReceiver.DecryptedFrame f = bob.decrypt(wire[i], meta[i]);
      assertArrayEquals(pt[i], f.plaintext(), "seed " + seed + " frame " + i);
      assertEquals(i, f.counter());
      missed += f.missedBefore();
      late += f.isLate() ? 1 : 0;
      seen.add(i);
      if (r.nextInt(8) == 0) {
        duplicates++;
        assertThrows(ReplayedFrameException.class, () -> bob.decrypt(wire[i], meta[i]), "seed " + seed);
      }
    }
    int newest = Collections.max(seen);
    long droppedBelowNewest = dropped.stream().filter(i -> i < newest).count();
    assertEquals(droppedBelowNewest, missed - late,
        "seed " + seed + ": gaps reported minus gaps filled = frames never received");
    System.out.printf("  window %d, %d frames, %d dropped, %d duplicates rejected%n",
        window, n, dropped.size(), duplicates);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource(SEEDS)
  void anyReplayIsRejected(long seed) throws Exception {
    System.out.println("anyReplayIsRejected seed=" + seed);
    SplittableRandom r = new SplittableRandom(seed);
    int window = 1 + r.nextInt(130);
    SFrameSender s = sender("replay", r, "bob");
    SFrameReceiver bob = receiver(s, "replay", "bob", window);
    List<byte[]> accepted = new ArrayList<>();
    List<byte[]> withheld = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      byte[] w = s.encrypt(randomBytes(r, 40), new byte[0]);
      if (r.nextInt(4) == 0) {
        withheld.add(w);
      } else {
        bob.decrypt(w, new byte[0]);
        accepted.add(w);
      }
      if (!accepted.isEmpty() && r.nextInt(3) == 0) {
        byte[] again = accepted.get(r.nextInt(accepted.size()));
        assertThrows(ReplayedFrameException.class, () -> bob.decrypt(again, new byte[0]), "seed " + seed);
      }
    }
    for (byte[] a : accepted) {
      assertThrows(ReplayedFrameException.class, () -> bob.decrypt(a, new byte[0]), "seed " + seed);
    }
    // withheld frames far behind the newest are also refused (too old to tell); recent ones decrypt
    long newest = SFrameHeader.parse(accepted.get(accepted.size() - 1)).ctr();
    for (byte[] w : withheld) {
      long ctr = SFrameHeader.parse(w).ctr();
      if (ctr > newest || newest - ctr < window) {
        bob.decrypt(w, new byte[0]);
        newest = Math.max(newest, ctr);
      } else {
        assertThrows(ReplayedFrameException.class, () -> bob.decrypt(w, new byte[0]), "seed " + seed);
      }
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource(SEEDS)
  void anyBitFlipIsRejected(long seed) throws Exception {
    System.out.println("anyBitFlipIsRejected seed=" + seed);
    SplittableRandom r = new SplittableRandom(seed);
    SFrameSender s = sender("flip", r, "bob");
    SFrameReceiver bob = receiver(s, "flip", "bob", 64);
    for (int i = 0; i < 40; i++) {
      byte[] pt = randomBytes(r, 200);
      byte[] meta = randomBytes(r, 16);
      byte[] w = s.encrypt(pt, meta);
      for (int k = 0; k < 20; k++) {
        byte[] w2 = w.clone();
        byte[] m2 = meta.clone();
        boolean inMeta = m2.length > 0 && r.nextInt(5) == 0;
        byte[] target = inMeta ? m2 : w2;
        int bit = r.nextInt(target.length * 8);
        target[bit / 8] ^= (byte) (1 << (bit % 8));
        try {
          bob.decrypt(w2, m2);
          fail("seed " + seed + ": a flipped bit " + bit + (inMeta ? " of the metadata" : " of the frame") + " decrypted");
        } catch (OxCryptoException expected) {
          // FormatException, UnknownEpochException or AuthenticationException
        }
      }
      // the rejected copies did not move the window: the genuine frame still decrypts
      assertArrayEquals(pt, bob.decrypt(w, meta).plaintext(), "seed " + seed);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource(SEEDS)
  void aRemovedMemberCannotOpenLaterEpochs(long seed) throws Exception {
    System.out.println("aRemovedMemberCannotOpenLaterEpochs seed=" + seed);
    SplittableRandom r = new SplittableRandom(seed);
    List<String> members = Members.names(2 + r.nextInt(4));
    SFrameSender s = sender("leave", r, members.toArray(new String[0]));
    List<SFrameReceiver> receivers = new ArrayList<>();
    for (String m : members) {
      receivers.add(receiver(s, "leave", m, 64));
    }
    int leaver = r.nextInt(members.size());
    SFrameReceiver gone = receivers.get(leaver);
    byte[] before = s.encrypt(new byte[] {1}, new byte[0]);
    gone.decrypt(before, new byte[0]);
    List<String> remaining = new ArrayList<>(members);
    remaining.remove(leaver);
    s.membersChanged(Members.wrappingFor(remaining));
    int rotations = r.nextInt(3);
    for (int k = 0; k < rotations; k++) {
      s.membersChanged(Members.wrappingFor(remaining));
    }
    for (byte[] p : packages.subList(1, packages.size())) {
      assertThrows(NoUsableKeyException.class, () -> gone.addKeyPackage(p), "seed " + seed);
      for (int i = 0; i < receivers.size(); i++) {
        if (i != leaver) {
          receivers.get(i).addKeyPackage(p);
        }
      }
    }
    for (int i = 0; i < 20; i++) {
      byte[] w = s.encrypt(randomBytes(r, 64), new byte[0]);
      assertThrows(UnknownEpochException.class, () -> gone.decrypt(w, new byte[0]), "seed " + seed);
      for (int j = 0; j < receivers.size(); j++) {
        if (j != leaver) {
          assertEquals(1 + rotations, receivers.get(j).decrypt(w, new byte[0]).epoch());
        }
      }
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource(SEEDS)
  void theReplayWindowAgreesWithASetModel(long seed) {
    System.out.println("theReplayWindowAgreesWithASetModel seed=" + seed);
    SplittableRandom r = new SplittableRandom(seed);
    int size = 1 + r.nextInt(300);
    ReplayWindow w = new ReplayWindow(size);
    Set<Long> accepted = new HashSet<>();
    // start anywhere, including just below 2^64, so unsigned comparisons are exercised
    long base = r.nextBoolean() ? 0 : -1L - 5_000 - r.nextInt(1000);
    long top = 0;
    boolean any = false;
    for (int i = 0; i < 5_000; i++) {
      long ctr = base + r.nextInt(any ? 4_000 : 100);
      boolean fresh = !accepted.contains(ctr)
          && (!any || ReplayWindow.greater(ctr, top) || ReplayWindow.greater(size, top - ctr));
      int verdict = w.check(ctr);
      assertEquals(fresh, verdict == ReplayWindow.FRESH, "seed " + seed + " ctr " + Long.toHexString(ctr));
      if (fresh) {
        w.accept(ctr);
        accepted.add(ctr);
        if (!any || ReplayWindow.greater(ctr, top)) {
          top = ctr;
        }
        any = true;
      } else if (accepted.contains(ctr) && ReplayWindow.greater(size, top - ctr)) {
        assertEquals(ReplayWindow.DUPLICATE, verdict);
      }
      base += r.nextInt(3);
    }
  }
}
