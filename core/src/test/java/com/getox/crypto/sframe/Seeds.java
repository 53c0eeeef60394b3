package com.getox.crypto.sframe;

import java.util.SplittableRandom;
import java.util.stream.LongStream;

/**
 * Seeds for the property tests, the same on every run so a failure replays: 8 seeds drawn from a
 * fixed base. Each case's name is its seed ("seed N", in the failure report), and the tests put it
 * in their assertion messages.
 *
 * <ul>
 *   <li>{@code -Dsframe.seed=N} runs the one case N (to replay a failure);
 *   <li>{@code -Dsframe.seeds.base=B} draws the 8 seeds from base B instead, {@code
 *       -Dsframe.seeds.base=random} from a fresh base (printed) to explore new cases.
 * </ul>
 */
final class Seeds {
  /** The fixed default base: CI always runs the same cases. */
  static final long DEFAULT_BASE = 0x0A5F_2026_5EED_0001L;

  private Seeds() {}

  static LongStream seeds() {
    String one = System.getProperty("sframe.seed");
    if (one != null) {
      return LongStream.of(Long.parseLong(one.trim()));
    }
    long b = base(System.getProperty("sframe.seeds.base"));
    System.out.println("sframe property seeds from base " + b + " (replay one with -Dsframe.seed=N)");
    SplittableRandom r = new SplittableRandom(b);
    return LongStream.generate(r::nextLong).limit(8);
  }

  static long base(String property) {
    if (property == null || property.isBlank()) {
      return DEFAULT_BASE;
    }
    if (property.trim().equals("random")) {
      return new java.security.SecureRandom().nextLong();
    }
    return Long.parseLong(property.trim());
  }
}
