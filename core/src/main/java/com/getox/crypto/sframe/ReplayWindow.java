package com.getox.crypto.sframe;

/**
 * An RFC 3711 (section 3.3.2) style sliding replay window over unsigned 64-bit counters: the
 * highest accepted counter and a bitmap of which of the {@code size} counters at and below it have
 * been accepted. {@link #check} never changes state; call {@link #accept} only after the frame has
 * authenticated, so forgeries cannot move the window.
 */
final class ReplayWindow {
  static final int FRESH = 0;
  static final int DUPLICATE = 1;
  static final int TOO_OLD = 2;

  private final int size;
  /** Bit i is set if counter {@code top - i} was accepted. */
  private final long[] bits;
  private boolean any;
  private long top;

  ReplayWindow(int size) {
    this.size = size;
    this.bits = new long[(size + 63) / 64];
  }

  int check(long ctr) {
    if (!any || greater(ctr, top)) {
      return FRESH;
    }
    long behind = top - ctr; // unsigned, top >= ctr
    if (behind < 0 || behind >= size) {
      return TOO_OLD;
    }
    int i = (int) behind;
    return (bits[i >>> 6] >>> (i & 63) & 1) != 0 ? DUPLICATE : FRESH;
  }

  /**
   * Records {@code ctr}, which {@link #check} found fresh. Returns the number of counters skipped
   * if it advances the window (for the first counter: all those below it), or -1 if it fills a
   * gap behind the newest counter (a late frame).
   */
  long accept(long ctr) {
    if (!any || greater(ctr, top)) {
      long skipped = any ? ctr - top - 1 : ctr;
      long shift = any ? ctr - top : size;
      shiftUp(shift < 0 || shift >= size ? size : (int) shift);
      bits[0] |= 1;
      top = ctr;
      any = true;
      return skipped;
    }
    int i = (int) (top - ctr);
    bits[i >>> 6] |= 1L << (i & 63);
    return -1;
  }

  private void shiftUp(int d) {
    if (d >= size) {
      java.util.Arrays.fill(bits, 0);
      return;
    }
    int words = d >>> 6;
    int b = d & 63;
    for (int i = bits.length - 1; i >= 0; i--) {
      int src = i - words;
      long v = 0;
      if (src >= 0) {
        v = bits[src] << b;
        if (b != 0 && src > 0) {
          v |= bits[src - 1] >>> (64 - b);
        }
      }
      bits[i] = v;
    }
    int tail = size & 63; // clear bits past size in the last word
    if (tail != 0) {
      bits[bits.length - 1] &= (1L << tail) - 1;
    }
  }

  /** Unsigned {@code a > b}. */
  static boolean greater(long a, long b) {
    return (a ^ Long.MIN_VALUE) > (b ^ Long.MIN_VALUE);
  }
}
