package com.getox.crypto.lifecycle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.BulkRewrap;
import com.getox.crypto.EncryptionContext;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingFiles;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a bulk re-wrap running in another JVM at random moments (SIGKILL, no shutdown hooks), then
 * checks that every recording still opens, and that resuming from the journal finishes the job
 * with nothing lost and nothing failed.
 */
class BulkRewrapKillTest {
  static final EncryptionContext CTX = EncryptionContext.builder().put("user-id", "k").build();
  static final int FILES = 60;

  @TempDir File dir;

  @Test
  void aKilledRunResumesAndNoRecordingIsEverBroken() throws Exception {
    File keyset = new File(dir, "keys.json");
    LocalKms kms =
        LocalKms.create(keyset, KeysetProtection.insecurePlaintext(), "kill").auditTo(AuditSink.none());
    Recordings r = Recordings.builder().wrapWith(kms).auditSink(AuditSink.none()).build();
    File tree = new File(dir, "tree");
    byte[][] plain = new byte[FILES][];
    Random rnd = new Random(2026);
    for (int i = 0; i < FILES; i++) {
      File sub = new File(tree, "d" + (i % 4));
      sub.mkdirs();
      plain[i] = new byte[rnd.nextInt(70_000)];
      rnd.nextBytes(plain[i]);
      try (RecordingWriter w = r.newWriter(new FileOutputStream(file(tree, i)), CTX)) {
        w.write(plain[i]);
      }
    }
    for (int round = 0; round < 3; round++) {
      kms.rotate();
      LocalKms reader = LocalKms.open(keyset, KeysetProtection.insecurePlaintext()).auditTo(AuditSink.none());
      Recordings current = Recordings.builder().wrapWith(reader).auditSink(AuditSink.none()).build();
      File journal = new File(dir, "journal-" + round);
      Process child =
          new ProcessBuilder(
                  new File(System.getProperty("java.home"), "bin/java").getPath(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  BulkRewrapChild.class.getName(),
                  keyset.getPath(),
                  journal.getPath(),
                  tree.getPath())
              .redirectErrorStream(true)
              .start();
      BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("started", out.readLine(), "child JVM re-wrapped its first file");
      Thread.sleep(rnd.nextInt(120));
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));

      // Whatever the moment of the kill, every file opens (old header or new) with its plaintext.
      for (int i = 0; i < FILES; i++) {
        assertArrayEquals(plain[i], read(current, file(tree, i)), "round " + round + " file " + i);
      }
      BulkRewrap.Report resumed =
          BulkRewrap.builder(current).journal(journal).threads(2).build()
              .run(Collections.singletonList(tree));
      System.out.println("[kill] round " + round + " after the kill: " + resumed);
      assertTrue(resumed.failed().isEmpty(), resumed.toString());
      assertEquals(
          FILES, resumed.rewrapped() + resumed.alreadyCurrent() + resumed.resumedSkipped(), resumed.toString());
      String version = Long.toString(reader.primary().id());
      for (int i = 0; i < FILES; i++) {
        for (WrappedKey w : RecordingFiles.readHeader(file(tree, i), ReadOptions.defaults()).wrappedKeys()) {
          assertEquals(version, w.kekVersion(), "round " + round + " file " + i + " is current");
        }
        assertArrayEquals(plain[i], read(current, file(tree, i)));
      }
    }
  }

  static File file(File tree, int i) {
    return new File(new File(tree, "d" + (i % 4)), "r" + i + ".oxr");
  }

  static byte[] read(Recordings r, File f) throws Exception {
    try (InputStream in = r.newInputStream(new FileInputStream(f), ReadOptions.defaults())) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    }
  }
}
