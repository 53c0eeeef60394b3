package com.getox.crypto.examples.ptt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PushToTalkDemoTest {
  @ParameterizedTest(name = "{0} s, seed {1}")
  @CsvSource({"30, 7", "12, 1", "12, 99"})
  void departedMemberDecryptsNothingAfterLeavingAndEveryFrameIsAccountedFor(int seconds, long seed)
      throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PushToTalkDemo.Report r =
        PushToTalkDemo.run(seconds, seed, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String out = bytes.toString(StandardCharsets.UTF_8);
    System.out.println(out);
    assertTrue(r.ok(), out);
    assertEquals(seconds * 50L, r.framesSent());

    PushToTalkDemo.ReceiverCounts bob = r.receiver("bob");
    PushToTalkDemo.ReceiverCounts carol = r.receiver("carol");
    assertEquals(0, carol.afterLeaveDecrypted(), out);
    assertTrue(carol.afterLeaveReceived() > 0, out);
    assertTrue(carol.unknownEpochRejected() > 0, out);
    assertTrue(carol.keyPackagesRefused() >= 1, "the leave rotation's package is not for carol");
    assertTrue(bob.afterLeaveDecrypted() > 0, out);
    assertEquals(0, bob.unknownEpochRejected(), "every key package reached bob before its frames: " + out);
    for (PushToTalkDemo.ReceiverCounts c : r.receivers()) {
      assertEquals(c.received(),
          c.decrypted() + c.replaysRejected() + c.corruptRejected() + c.unknownEpochRejected(), c.name());
      assertTrue(c.lost() > 0 && c.replaysRejected() > 0, c.name() + ": the transport really lost and duplicated");
    }
    // every 10 s a scheduled rotation, and one when carol leaves halfway
    assertEquals(1 + seconds / 2 / 10 + 1 + (seconds - seconds / 2 - 1) / 10, r.epochs().size(), "" + r.epochs());
    assertTrue(out.contains("carol leaves"), out);
    assertTrue(out.contains("OK: every frame"), out);
  }
}
