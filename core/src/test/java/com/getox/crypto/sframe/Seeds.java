package com.getox.crypto.sframe;

import java.util.SplittableRandom;
import java.util.stream.LongStream;

/**
 * Seeds for the property tests: {@code -Dsframe.seed=N} replays one case; otherwise 8 seeds drawn
 * from {@code -Dsframe.seeds.base} (default: a fresh one each run, printed so a failure can be
 * replayed).
 */
final class Seeds {
  private Seeds() {}

  static LongStream seeds() {
    String one = System.getProperty("sframe.seed");
    if (one != null) {
      return LongStream.of(Long.parseLong(one));
    }
    String base = System.getProperty("sframe.seeds.base");
    long b = base != null ? Long.parseLong(base) : System.nanoTime();
    System.out.println("sframe property seeds from base " + b + " (replay one with -Dsframe.seed=N)");
    SplittableRandom r = new SplittableRandom(b);
    return LongStream.generate(r::nextLong).limit(8);
  }
}
