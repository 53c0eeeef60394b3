package com.getox.crypto.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

/**
 * The smoke gate's arithmetic on synthetic work: the ratio is ours' speed over the ceiling's
 * (3x the work reads as about 0.33, well below the 0.5 gate; the same work as about 1), and the
 * median ignores outlying rounds. Margins are 2x or more and time is the thread's CPU time.
 */
class SmokeTest {
  private static final byte[] DATA = new byte[64 * 1024];

  private static long hash(int times) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    long sum = 0;
    for (int i = 0; i < times; i++) {
      sum += sha.digest(DATA)[0];
    }
    return sum;
  }

  @Test
  void ratioIsOursSpeedOverTheCeilingsAndTheGateCatchesA3xRegression() throws Exception {
    hash(2_000); // both ops share this code: compile it first
    double same = Smoke.median(Smoke.interleave(() -> hash(1), () -> hash(1), 9, 5_000_000L));
    double slower = Smoke.median(Smoke.interleave(() -> hash(3), () -> hash(1), 9, 5_000_000L));
    assertTrue(same > 0.6 && same < 1.6, () -> "same work: " + same);
    assertTrue(slower < 0.5, () -> "3x the work: " + slower);
  }

  @Test
  void medianIgnoresOutliers() {
    assertEquals(1.0, Smoke.median(new double[] {0.1, 1.0, 1.0, 9.0, 1.0}));
    assertEquals(1.5, Smoke.median(new double[] {2.0, 1.0}));
  }
}
