package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, "done when": a recorder JVM flushing after every piece of audio is killed with SIGKILL
 * at a random moment, many rounds; recover always returns at least everything it had reported
 * flushed, byte for byte, and nothing else but the stream's next bytes. The kill lands wherever the
 * child is (mid-write, mid-flush, mid-chunk); no assertion depends on timing.
 */
class FlushKillTest {
  static final int ROUNDS = 8;

  @TempDir File dir;

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void recoverReturnsEverythingFlushedBeforeAKill() throws Exception {
    File keyset = new File(dir, "keys.json");
    LocalKms kms =
        LocalKms.create(keyset, KeysetProtection.insecurePlaintext(), "flush").auditTo(AuditSink.none());
    Recordings r = Recordings.builder().wrapWith(kms).auditSink(AuditSink.none()).build();
    Random rounds = new Random(20261207L);
    for (int round = 0; round < ROUNDS; round++) {
      long seed = rounds.nextLong();
      int waitFor = 1 + rounds.nextInt(120); // flush reports to see before the kill
      File f = new File(dir, "rec" + round + ".oxr");
      long reported = 0;
      try (ChildJvm c =
          ChildJvm.start(
              FlushChild.class,
              new File(dir, "child" + round + ".err"),
              keyset.getPath(),
              f.getPath(),
              Long.toString(seed))) {
        for (int i = 0; i < waitFor; i++) {
          reported = Long.parseLong(c.await("flushed ").substring("flushed ".length()));
        }
        c.kill();
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (FileInputStream in = new FileInputStream(f)) {
        RecoveryReport rep = r.recover(in, out, FlushResumeTest.READ);
        assertTrue(rep.truncated(), rep.toString());
      }
      byte[] got = out.toByteArray();
      String where = "round " + round + " seed " + seed + ": reported " + reported + ", recovered " + got.length;
      assertTrue(got.length >= reported, where);
      assertArrayEquals(expected(seed, got.length), got, where);
    }
  }

  /** The first {@code n} bytes the child writes for {@code seed}. */
  static byte[] expected(long seed, int n) {
    FlushChild.Stream s = new FlushChild.Stream(seed);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    while (all.size() < n) {
      byte[] b = s.next();
      all.write(b, 0, b.length);
    }
    return Arrays.copyOf(all.toByteArray(), n);
  }
}
