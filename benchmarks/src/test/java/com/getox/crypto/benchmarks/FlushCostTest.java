package com.getox.crypto.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's target for a durable flush, counted by {@link FlushCost} (no timing): at most one
 * AES-GCM seal per flush, whichever provider it goes through, and under 100 bytes written per
 * flush beyond the plaintext it newly covers (where Linux gives the per-thread byte counts). Also
 * that the counting sees real flushes: a copy of the file taken after the last flush recovers
 * exactly what was written, and the closed recording is as long as one never flushed.
 */
class FlushCostTest {
  @Test
  void aFlushCostsAtMostOneSealAndUnder100Bytes(@TempDir Path dir) throws Exception {
    FlushCost.Result r = FlushCost.measure(600, 64 << 10, false, dir);
    String row = FlushCost.row(r);
    assertEquals(110, r.flushes, row);
    assertTrue(r.maxSealsPerFlush <= 1, row);
    assertEquals(r.flushes - r.emptyFlushes, r.sealsDefault + r.sealsProvider, row);
    assertTrue(r.recoveredExactly, row);
    assertEquals(r.written, r.recovered, row);
    assertEquals(0, r.closedLengthDiff, row);
    if (ThreadIo.available()) {
      assertTrue(r.maxOverhead < 100 && r.minOverhead > 0, row);
      assertEquals(r.twinWchar, r.writesWchar, row); // the chunks are written as without flushes
    }
  }
}
