package com.getox.crypto.sframe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ReplayWindow} against a model that keeps every accepted counter: a counter is fresh if
 * none was accepted yet or it is above the highest, too old if it is {@code size} or more below
 * the highest, a duplicate if it was accepted, fresh otherwise; {@code accept} returns the
 * counters skipped (all below the first one, the gap to the new highest), or -1 for a late
 * frame. Counters compare as unsigned 64-bit values.
 */
class ReplayWindowTest {

  /** The obviously correct, slow version. */
  static final class Model {
    final int size;
    final TreeSet<Long> accepted = new TreeSet<>(Long::compareUnsigned);

    Model(int size) {
      this.size = size;
    }

    int check(long ctr) {
      if (accepted.isEmpty() || Long.compareUnsigned(ctr, accepted.last()) > 0) {
        return ReplayWindow.FRESH;
      }
      long behind = accepted.last() - ctr; // unsigned difference, fits: ctr <= top
      if (Long.compareUnsigned(behind, size) >= 0) {
        return ReplayWindow.TOO_OLD;
      }
      return accepted.contains(ctr) ? ReplayWindow.DUPLICATE : ReplayWindow.FRESH;
    }

    long accept(long ctr) {
      long skipped;
      if (accepted.isEmpty()) {
        skipped = ctr;
      } else if (Long.compareUnsigned(ctr, accepted.last()) > 0) {
        skipped = ctr - accepted.last() - 1;
      } else {
        skipped = -1;
      }
      accepted.add(ctr);
      return skipped;
    }
  }

  /**
   * Every sequence of {@code length} counters drawn from a small universe, for window sizes 1 to
   * 4; after each step every counter of the universe is checked. Run at the bottom of the counter
   * space and at the top (where the sign bit is set), and across the signed boundary.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4})
  void exhaustiveOverSmallWindows(int size) {
    long[][] universes = {
      {0, 1, 2, 3, 4, 5, 6},
      {-7, -6, -5, -4, -3, -2, -1}, // 2^64 - 7 .. 2^64 - 1
      {Long.MAX_VALUE - 2, Long.MAX_VALUE - 1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MIN_VALUE + 2},
    };
    int length = 5;
    long sequences = 0;
    for (long[] u : universes) {
      int[] digits = new int[length];
      do {
        run(size, u, digits);
        sequences++;
      } while (increment(digits, u.length));
    }
    assertEquals(2 * (long) Math.pow(7, length) + (long) Math.pow(6, length), sequences);
  }

  /** Long seeded walks over multi-word windows, with jumps of exactly 63, 64, 65, size-1, size, size+1. */
  @ParameterizedTest
  @ValueSource(ints = {63, 64, 65, 128, 130, 200})
  void randomWalksOverMultiWordWindows(int size) {
    for (long seed = 0; seed < 5; seed++) {
      Random r = new Random(seed * 31 + size);
      ReplayWindow w = new ReplayWindow(size);
      Model m = new Model(size);
      long base = r.nextBoolean() ? 0 : Long.MAX_VALUE - 3 * size;
      long top = base;
      int[] jumps = {1, 2, 63, 64, 65, size - 1, size, size + 1, 3 * size};
      for (int step = 0; step < 2000; step++) {
        long ctr;
        int kind = r.nextInt(3);
        if (kind == 0) {
          ctr = top + jumps[r.nextInt(jumps.length)];
        } else {
          ctr = top - r.nextInt(size + 3);
        }
        final long c = ctr;
        final long s0 = seed;
        final int st = step;
        java.util.function.Supplier<String> what = () -> "size " + size + " seed " + s0 + " step " + st + " ctr " + Long.toUnsignedString(c);
        int verdict = m.check(ctr);
        assertEquals(verdict, w.check(ctr), what);
        for (int back = 0; back <= size + 1; back += 1 + r.nextInt(8)) {
          final int b = back;
          assertEquals(m.check(top - back), w.check(top - back), () -> what.get() + " probe " + b);
        }
        if (verdict == ReplayWindow.FRESH) {
          assertEquals(m.accept(ctr), w.accept(ctr), () -> what.get() + " accept");
          if (Long.compareUnsigned(ctr, top) > 0) {
            top = ctr;
          }
        }
      }
    }
  }

  private static void run(int size, long[] u, int[] digits) {
    ReplayWindow w = new ReplayWindow(size);
    Model m = new Model(size);
    StringBuilder trace = new StringBuilder("size " + size + ":");
    for (int d : digits) {
      long ctr = u[d];
      trace.append(' ').append(Long.toUnsignedString(ctr));
      for (long probe : u) {
        final long p = probe;
        assertEquals(m.check(probe), w.check(probe), () -> trace + " check " + Long.toUnsignedString(p));
      }
      if (m.check(ctr) == ReplayWindow.FRESH) {
        assertEquals(m.accept(ctr), w.accept(ctr), () -> trace + " accept");
      }
    }
    for (long probe : u) {
      final long p = probe;
      assertEquals(m.check(probe), w.check(probe), () -> trace + " final check " + Long.toUnsignedString(p));
    }
  }

  private static boolean increment(int[] digits, int base) {
    for (int i = digits.length - 1; i >= 0; i--) {
      if (++digits[i] < base) {
        return true;
      }
      digits[i] = 0;
    }
    return false;
  }
}
