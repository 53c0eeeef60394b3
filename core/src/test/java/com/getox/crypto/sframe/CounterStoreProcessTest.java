package com.getox.crypto.sframe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.Recordings;
import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import com.google.crypto.tink.subtle.Hex;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes on one counter file: while a child JVM's sender holds the store, the parent's
 * open is refused (and the other way round); after the child is killed (SIGKILL, so it never
 * closes anything), the parent's open succeeds and its resumed sender continues above every
 * counter the child used.
 */
@Timeout(120)
class CounterStoreProcessTest {
  @TempDir File dir;

  static Process start(Class<?> main, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(new File(System.getProperty("java.home"), "bin/java").getPath());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    for (String a : args) {
      cmd.add(a);
    }
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  @Test
  void aSecondProcessIsRefusedUntilTheFirstDiesAndNoCounterIsReused() throws Exception {
    File keyset = new File(dir, "keys.json");
    LocalKms kms = LocalKms.create(keyset, KeysetProtection.insecurePlaintext(), "ctr").auditTo(AuditSink.none());
    File counters = new File(dir, "p.ctr");
    Process child = start(CounterStoreChild.class, keyset.getPath(), counters.getPath());
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      byte[] keyPackage = null;
      long maxUsed = -1;
      for (String line; !"holding".equals(line = out.readLine()); ) {
        assertTrue(line != null, "the child ended early");
        if (line.startsWith("package ")) {
          keyPackage = Hex.decode(line.substring(8));
        } else if (line.startsWith("ctr ")) {
          maxUsed = Math.max(maxUsed, Long.parseLong(line.substring(4)));
        }
      }
      assertEquals(5, maxUsed);
      // The child's sender is live: a second sender on the file is refused.
      assertThrows(CounterStoreInUseException.class, () -> CounterStore.file(counters));

      child.destroyForcibly();
      assertTrue(child.waitFor(60, TimeUnit.SECONDS));

      try (CounterStore store = CounterStore.file(counters)) {
        Recordings members = Recordings.builder().wrapWith(kms).auditSink(AuditSink.none()).build();
        SFrameSender resumed =
            SFrameSender.builder(members, "p", store).resume(keyPackage).counterReservation(4)
                .auditSink(AuditSink.none()).build();
        byte[] w = resumed.encrypt(new byte[] {42}, new byte[0]);
        long ctr = SFrameHeader.parse(w).ctr();
        assertTrue(ctr > maxUsed, "resumed at " + ctr + ", the child used up to " + maxUsed);
        assertEquals(8, ctr, "the child's reserved block 4-7 is skipped, never reused");
        SFrameReceiver rx = SFrameReceiver.builder(members, "p").build();
        rx.addKeyPackage(keyPackage);
        assertArrayEquals(new byte[] {42}, rx.decrypt(w, new byte[0]).plaintext());

        // And the other way round: while the parent holds it, a child is refused.
        Process second = start(CounterStoreChild.class, keyset.getPath(), counters.getPath());
        try {
          BufferedReader o = new BufferedReader(new InputStreamReader(second.getInputStream(), StandardCharsets.UTF_8));
          assertEquals("refused", o.readLine());
          assertTrue(second.waitFor(60, TimeUnit.SECONDS));
        } finally {
          second.destroyForcibly();
        }
        resumed.destroy();
      }
    } finally {
      child.destroyForcibly();
    }
  }
}
