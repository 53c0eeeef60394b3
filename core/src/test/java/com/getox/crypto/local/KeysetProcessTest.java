package com.getox.crypto.local;

import static com.getox.crypto.local.LocalKmsConcurrencyTest.assertNothingInTheDirectoryOpens;
import static com.getox.crypto.local.LocalKmsConcurrencyTest.play;
import static com.getox.crypto.local.LocalKmsConcurrencyTest.record;
import static com.getox.crypto.local.LocalKmsConcurrencyTest.statusOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.NoUsableKeyException;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingInputStream;
import com.getox.crypto.Recordings;
import com.getox.crypto.audit.AuditSink;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyset changes between real processes (child JVMs, {@link KeysetChild}): racing rotations,
 * destroy racing rotate, racing creates, and SIGKILL at every step of rotate and destroy (the
 * child blocks at a named step and is killed there). Afterwards every keyset opens with every
 * committed version, and nothing left in the directory opens a recording of a destroyed version.
 */
@Timeout(120)
class KeysetProcessTest {
  static final String[] ROTATE_STEPS = {"locked", "reread", "committed", "written"};
  static final String[] DESTROY_STEPS = {"locked", "reread", "stale-removed", "written", "committed"};

  @TempDir File dir;

  /** A child JVM, synchronised through its stdin and stdout lines. */
  static final class Child implements AutoCloseable {
    final Process process;
    final BufferedReader out;
    final List<String> lines = new ArrayList<>();

    Child(String... args) throws Exception {
      List<String> cmd = new ArrayList<>(Arrays.asList(
          new File(System.getProperty("java.home"), "bin/java").getPath(),
          "-cp", System.getProperty("java.class.path"), KeysetChild.class.getName()));
      cmd.addAll(Arrays.asList(args));
      process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      expect("ready");
    }

    /** Reads lines until one starts with {@code prefix}; returns it. */
    String expect(String prefix) throws Exception {
      for (String line; (line = out.readLine()) != null; ) {
        lines.add(line);
        if (line.startsWith(prefix)) {
          return line;
        }
      }
      throw new AssertionError("child ended before '" + prefix + "': " + lines);
    }

    void go() throws Exception {
      OutputStream in = process.getOutputStream();
      in.write('\n');
      in.flush();
    }

    void finish() throws Exception {
      expect("done");
      assertTrue(process.waitFor(100, TimeUnit.SECONDS), "child hangs");
      assertEquals(0, process.exitValue(), lines.toString());
    }

    void kill() throws Exception {
      process.destroyForcibly();
      assertTrue(process.waitFor(100, TimeUnit.SECONDS));
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  static String read(LocalKms kms, File rec) throws Exception {
    Recordings r = Recordings.builder().wrapWith(kms).auditSink(AuditSink.none()).build();
    try (RecordingInputStream in = r.newInputStream(new FileInputStream(rec), ReadOptions.defaults())) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      for (int n; (n = in.read(buf)) > 0; ) {
        out.write(buf, 0, n);
      }
      return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }
  }

  static Set<Long> ids(LocalKms kms) {
    Set<Long> out = new HashSet<>();
    for (KeyVersion v : kms.versions()) {
      out.add(v.id());
    }
    return out;
  }

  @Test
  void childrenRacingRotateLoseNoVersionAndEveryRecordingOpens() throws Exception {
    File file = new File(dir, "k.json");
    File recs = new File(dir, "recs");
    assertTrue(recs.mkdir());
    KeysetProtection pw = KeysetChild.protection("pw");
    LocalKms.create(file, pw, "race");
    LocalKms stale = LocalKms.open(file, pw).auditTo(AuditSink.none()); // opened before any child
    int children = 3;
    int rotations = 5;
    List<Child> running = new ArrayList<>();
    try {
      for (int c = 0; c < children; c++) {
        running.add(new Child("rotate", file.getPath(), "pw", "" + rotations, recs.getPath(), "c" + c));
      }
      for (Child c : running) {
        c.go();
      }
      for (Child c : running) {
        c.finish();
      }
    } finally {
      running.forEach(Child::close);
    }
    LocalKms after = LocalKms.open(file, pw);
    assertEquals(1 + children * rotations, after.versions().size(), after.versions().toString());
    assertEquals("rw-------", LocalKmsConcurrencyTest.mode(file));
    for (int c = 0; c < children; c++) {
      for (int i = 0; i < rotations; i++) {
        String expected = new String(KeysetChild.plaintext("c" + c, i), StandardCharsets.UTF_8);
        File rec = new File(recs, "c" + c + "-" + i + ".oxr");
        assertEquals(expected, read(after, rec));
        assertEquals(expected, read(stale, rec), "an instance opened before the rotations re-reads");
      }
    }
  }

  @Test
  void destroyRacingRotateInOtherProcessesNeverComesBack() throws Exception {
    File file = new File(dir, "k.json");
    File recs = new File(dir, "recs");
    assertTrue(recs.mkdir());
    LocalKms kms = LocalKms.create(file, LocalKmsConcurrencyTest.plain(), "race").auditTo(AuditSink.none());
    int expectedVersions = 1;
    for (int round = 0; round < 2; round++) {
      long old = kms.primary().id();
      byte[] doomed = record(kms, "round " + round);
      kms.rotate();
      expectedVersions++;
      List<Child> running = new ArrayList<>();
      try {
        running.add(new Child("rotate", file.getPath(), "plain", "3", recs.getPath(), "a" + round));
        running.add(new Child("destroy", file.getPath(), "plain", Long.toString(old)));
        running.add(new Child("rotate", file.getPath(), "plain", "3", recs.getPath(), "b" + round));
        for (Child c : running) {
          c.go();
        }
        for (Child c : running) {
          c.finish();
        }
      } finally {
        running.forEach(Child::close);
      }
      expectedVersions += 6;
      LocalKms after = LocalKms.open(file, LocalKmsConcurrencyTest.plain());
      assertEquals(expectedVersions, after.versions().size(), after.versions().toString());
      assertEquals(KeyVersion.Status.DESTROYED, statusOf(after, old), "round " + round);
      assertThrows(NoUsableKeyException.class, () -> play(after, doomed));
      assertThrows(NoUsableKeyException.class, () -> play(kms, doomed), "the parent's instance re-read the file");
      assertNothingInTheDirectoryOpens(dir, doomed);
      for (String tag : new String[] {"a" + round, "b" + round}) {
        for (int i = 0; i < 3; i++) {
          assertEquals(new String(KeysetChild.plaintext(tag, i), StandardCharsets.UTF_8),
              read(after, new File(recs, tag + "-" + i + ".oxr")));
        }
      }
    }
  }

  @Test
  void childrenRacingCreateOneWinsAndItsKeysetIsIntact() throws Exception {
    for (int round = 0; round < 2; round++) {
      File file = new File(dir, "new" + round + ".json");
      List<Child> running = new ArrayList<>();
      try {
        running.add(new Child("create", file.getPath(), "plain"));
        running.add(new Child("create", file.getPath(), "plain"));
        for (Child c : running) {
          c.go();
        }
        for (Child c : running) {
          c.finish();
        }
      } finally {
        running.forEach(Child::close);
      }
      int created = 0;
      int refused = 0;
      for (Child c : running) {
        created += c.lines.contains("created") ? 1 : 0;
        refused += c.lines.contains("refused") ? 1 : 0;
      }
      assertEquals(1, created, "round " + round);
      assertEquals(1, refused, "round " + round);
      LocalKms won = LocalKms.open(file, LocalKmsConcurrencyTest.plain());
      assertEquals(1, won.versions().size());
      assertEquals("race", won.name());
      assertEquals("winner", play(won, record(won, "winner")));
      assertEquals("rw-------", LocalKmsConcurrencyTest.mode(file));
    }
  }

  @Test
  void killedAtEveryStepOfRotateNothingCommittedIsLost() throws Exception {
    File file = new File(dir, "k.json");
    File recs = new File(dir, "recs");
    assertTrue(recs.mkdir());
    LocalKms kms = LocalKms.create(file, LocalKmsConcurrencyTest.plain(), "kill").auditTo(AuditSink.none());
    long v1 = kms.primary().id();
    byte[] r1 = record(kms, "made under v1");
    kms.rotate();
    List<byte[]> made = new ArrayList<>();
    for (String step : ROTATE_STEPS) {
      Set<Long> before = ids(LocalKms.open(file, LocalKmsConcurrencyTest.plain()));
      try (Child c = new Child("rotate", file.getPath(), "plain", "1", recs.getPath(), step, step)) {
        c.go();
        c.expect("at " + step);
        c.kill();
      }
      LocalKms after = LocalKms.open(file, LocalKmsConcurrencyTest.plain());
      Set<Long> now = ids(after);
      assertTrue(now.containsAll(before), step + ": " + before + " -> " + now);
      assertEquals(before.size() + (step.equals("committed") ? 1 : 0), now.size(), step);
      assertEquals("rw-------", LocalKmsConcurrencyTest.mode(file));
      assertEquals("made under v1", play(after, r1), step);
      for (byte[] m : made) {
        play(after, m);
      }
      made.add(record(after, "after " + step));
    }
    // The last kill (after the temporary file was written) left a full copy of the keyset.
    File[] temps = dir.listFiles((d, n) -> n.startsWith(".k.json.") && n.endsWith(".oxtmp"));
    assertEquals(1, temps.length, Arrays.toString(dir.list()));
    assertEquals("made under v1", play(LocalKms.open(temps[0], LocalKmsConcurrencyTest.plain()), r1));

    assertEquals(1, kms.destroy(v1), "destroy deleted the stale copy and said so");
    assertNothingInTheDirectoryOpens(dir, r1);
    LocalKms after = LocalKms.open(file, LocalKmsConcurrencyTest.plain());
    for (byte[] m : made) {
      play(after, m);
    }
  }

  @Test
  void killedAtEveryStepOfDestroyTheVersionIsEitherWholeOrGoneEverywhere() throws Exception {
    File file = new File(dir, "k.json");
    LocalKms kms = LocalKms.create(file, LocalKmsConcurrencyTest.plain(), "kill").auditTo(AuditSink.none());
    long v1 = kms.primary().id();
    byte[] r1 = record(kms, "made under v1");
    kms.rotate();
    byte[] r2 = record(kms, "made under v2");
    // A copy that an earlier crashed write left behind, holding v1.
    Files.copy(file.toPath(), new File(dir, ".k.json.0123456789abcdef.oxtmp").toPath());
    for (String step : DESTROY_STEPS) {
      try (Child c = new Child("destroy", file.getPath(), "plain", Long.toString(v1), step)) {
        c.go();
        c.expect("at " + step);
        c.kill();
      }
      LocalKms after = LocalKms.open(file, LocalKmsConcurrencyTest.plain());
      assertEquals(2, after.versions().size(), step);
      assertEquals("made under v2", play(after, r2), step);
      assertEquals("rw-------", LocalKmsConcurrencyTest.mode(file));
      if (step.equals("committed")) {
        assertEquals(KeyVersion.Status.DESTROYED, statusOf(after, v1));
        assertNothingInTheDirectoryOpens(dir, r1);
      } else {
        assertEquals(KeyVersion.Status.ENABLED, statusOf(after, v1), step + ": not committed, not lost");
        assertEquals("made under v1", play(after, r1), step);
      }
    }
    assertNotNull(kms.versions());
    assertThrows(NoUsableKeyException.class, () -> play(kms, r1), "the parent's instance re-read the file");
  }
}
