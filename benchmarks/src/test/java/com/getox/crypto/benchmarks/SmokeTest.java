package com.getox.crypto.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The smoke gate ({@link Smoke#gate}, at {@link Smoke#GATE}) on synthetic work: SHA-256 over a
 * fixed number of bytes per operation, so that "2x slower" is 2x the work, whatever the machine's
 * speed. Time is the thread's CPU time, nothing asserts wall time, and every assertion has a
 * margin of 20% or more on a median of 15 rounds.
 */
class SmokeTest {
  private static final byte[] DATA = new byte[64 * 1024];
  private static final int ROUNDS = 15;
  private static final long SLICE_NANOS = 5_000_000L;
  private static MessageDigest sha;
  private static volatile long spun;

  @BeforeAll
  static void compile() throws Exception {
    sha = MessageDigest.getInstance("SHA-256");
    long sum = 0;
    for (int i = 0; i < 3_000; i++) { // both sides share this code: compile it first
      sum += work(DATA.length);
    }
    assertTrue(sum != 1); // keep the loop
  }

  private static long work(int bytes) {
    sha.update(DATA, 0, bytes);
    return sha.digest()[0];
  }

  /** One operation: {@code times} digests of {@code bytes}. */
  private static Smoke.Op op(int bytes, int times) {
    return () -> {
      long sum = 0;
      for (int i = 0; i < times; i++) {
        sum += work(bytes);
      }
      return sum;
    };
  }

  private static Smoke.Verdict gate(Smoke.Op ours, Smoke.Op ceiling) throws Exception {
    return Smoke.gate(ours, ceiling, ROUNDS, SLICE_NANOS, Smoke.GATE);
  }

  @Test
  void equalWorkPassesAndReadsAboutOne() throws Exception {
    Smoke.Verdict v = gate(op(DATA.length, 1), op(DATA.length, 1));
    assertTrue(v.ok, () -> "same work: " + v.median);
    assertTrue(v.median < 1 / Smoke.GATE, () -> "same work: " + v.median);
  }

  @Test
  void twoAndThreeTimesTheWorkFailTwice() throws Exception {
    for (int times : new int[] {2, 3}) {
      Smoke.Verdict v = gate(op(DATA.length, times), op(DATA.length, 1));
      assertFalse(v.ok, () -> times + "x the work: " + v.median);
      assertTrue(v.firstMedian < Smoke.GATE, () -> times + "x, first median: " + v.firstMedian);
    }
  }

  /**
   * The reason the gate is 0.65 and not 0.5: ours is up to ~1.07x the ceiling today (60 KiB of
   * work against 64 KiB here), and 2x slower from there reads ~0.53, which 0.5 lets through.
   */
  @Test
  void aTwoTimesRegressionOfACaseFasterThanTheCeilingIsCaught() throws Exception {
    int faster = 60 * 1024;
    Smoke.Verdict today = gate(op(faster, 1), op(DATA.length, 1));
    Smoke.Verdict regressed = gate(op(faster, 2), op(DATA.length, 1));
    assertTrue(today.ok, () -> "today: " + today.median);
    assertFalse(regressed.ok, () -> "2x slower: " + regressed.median);
  }

  /**
   * Busy threads competing for the 2 cores take wall time from the measuring thread but not CPU
   * time: an equal pair still passes and a 2x regression still fails.
   */
  @Test
  void loadFromBusyThreadsNeitherFailsAnEqualPairNorHidesARegression() throws Exception {
    List<Thread> spinners = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Thread t =
          new Thread(
              () -> {
                long x = 1;
                while (!Thread.currentThread().isInterrupted()) {
                  x ^= x << 13;
                  x ^= x >>> 7;
                  x ^= x << 17;
                }
                spun = x; // keep the loop
              },
              "spinner-" + i);
      t.setDaemon(true);
      spinners.add(t);
      t.start();
    }
    try {
      Smoke.Verdict same = gate(op(DATA.length, 1), op(DATA.length, 1));
      Smoke.Verdict slower = gate(op(DATA.length, 2), op(DATA.length, 1));
      assertTrue(same.ok, () -> "same work under load: " + same.median);
      assertFalse(slower.ok, () -> "2x the work under load: " + slower.median);
    } finally {
      for (Thread t : spinners) {
        t.interrupt();
      }
      for (Thread t : spinners) {
        t.join();
      }
    }
  }

  @Test
  void medianIgnoresOutliers() {
    assertEquals(1.0, Smoke.median(new double[] {0.1, 1.0, 1.0, 9.0, 1.0}));
    assertEquals(1.5, Smoke.median(new double[] {2.0, 1.0}));
  }
}
