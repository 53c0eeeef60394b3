package com.getox.crypto.lifecycle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.BulkRewrap;
import com.getox.crypto.ChildJvm;
import com.getox.crypto.EncryptionContext;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingFiles;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a bulk re-wrap running in another JVM (SIGKILL, no shutdown hooks) at deterministic
 * points: after N files, inside a file's replacement with its temporary file complete before the
 * rename, and after a rename before the journal line. Checks that the kill landed mid-run, that
 * every recording still opens with its plaintext, and that the resumed run skips exactly the files
 * the journal holds and finishes the rest with nothing failed and no temporary file left.
 */
class BulkRewrapKillTest {
  static final EncryptionContext CTX = EncryptionContext.builder().put("user-id", "k").build();
  static final int FILES = 30;

  @TempDir File dir;

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
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
      try (FileOutputStream out = new FileOutputStream(file(tree, i));
          RecordingWriter w = r.newWriter(out, CTX)) {
        w.write(plain[i]);
      }
    }
    // Where each round's kill lands: {mode, files finished before it, step}.
    String[][] kills = {
      {"after-files", "10", null},
      {"in-file", "20", "written"},
      {"in-file", "5", "replaced"},
      {"in-file", "0", "written"},
    };
    for (int round = 0; round < kills.length; round++) {
      String mode = kills[round][0];
      int finished = Integer.parseInt(kills[round][1]);
      String step = kills[round][2];
      String where = "round " + round + " (" + mode + " " + finished + (step == null ? "" : " " + step) + ")";
      kms.rotate();
      LocalKms reader = LocalKms.open(keyset, KeysetProtection.insecurePlaintext()).auditTo(AuditSink.none());
      Recordings current = Recordings.builder().wrapWith(reader).auditSink(AuditSink.none()).build();
      File journal = new File(dir, "journal-" + round);
      List<String> args = new ArrayList<>(Arrays.asList(
          keyset.getPath(), journal.getPath(), tree.getPath(), mode, Integer.toString(finished)));
      if (step != null) {
        args.add(step);
      }
      try (ChildJvm child =
          ChildJvm.start(BulkRewrapChild.class, new File(dir, "child-" + round + ".err"),
              args.toArray(new String[0]))) {
        String line = child.await("at ");
        assertEquals(step == null ? "at after-files" : "at " + step, line, where);
        assertTrue(child.isAlive(), where + ": the kill lands mid-run");
        child.kill();
      }
      assertEquals(finished, journalLines(journal), where + ": files journaled before the kill");
      assertEquals("written".equals(step) ? 1 : 0, temps(tree), where + ": temporary files");

      // Wherever the kill landed, every file opens (old header or new) with its plaintext.
      for (int i = 0; i < FILES; i++) {
        assertArrayEquals(plain[i], read(current, file(tree, i)), where + " file " + i);
      }
      BulkRewrap.Report resumed =
          BulkRewrap.builder(current).journal(journal).threads(2).build()
              .run(Collections.singletonList(tree));
      System.out.println("[kill] " + where + " after the kill: " + resumed);
      assertTrue(resumed.failed().isEmpty(), resumed.toString());
      assertEquals(finished, resumed.resumedSkipped(), where + ": skipped the journaled files; " + resumed);
      int renamedNotJournaled = "replaced".equals(step) ? 1 : 0;
      assertEquals(renamedNotJournaled, resumed.alreadyCurrent(), where + ": " + resumed);
      assertEquals(FILES - finished - renamedNotJournaled, resumed.rewrapped(), where + ": " + resumed);
      assertEquals(0, temps(tree), where + ": no temporary file after the resumed run");
      String version = Long.toString(reader.primary().id());
      for (int i = 0; i < FILES; i++) {
        for (WrappedKey w : RecordingFiles.readHeader(file(tree, i), ReadOptions.defaults()).wrappedKeys()) {
          assertEquals(version, w.kekVersion(), where + " file " + i + " is current");
        }
        assertArrayEquals(plain[i], read(current, file(tree, i)));
      }
    }
  }

  static int journalLines(File journal) throws Exception {
    if (!journal.exists()) {
      return 0;
    }
    return new HashSet<>(Files.readAllLines(journal.toPath(), StandardCharsets.UTF_8)).size();
  }

  static int temps(File dir) {
    int n = 0;
    for (File f : dir.listFiles()) {
      if (f.isDirectory()) {
        n += temps(f);
      } else if (f.getName().endsWith(RecordingFiles.TEMP_SUFFIX)) {
        n++;
      }
    }
    return n;
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
