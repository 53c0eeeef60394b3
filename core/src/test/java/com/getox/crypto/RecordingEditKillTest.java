package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.hpke.HpkeRecipient;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SIGKILL of a JVM at each step of a share, revoke and re-wrap of a recording file (issue 12):
 * with the header computed but nothing written, under the lock before the temporary file, with
 * the temporary file complete before the rename, and after the rename. Afterwards the recording
 * opens for its owner with the old header or the new one, never anything else, its mode is kept,
 * and the next edit leaves no temporary file behind.
 */
class RecordingEditKillTest {
  @TempDir File dir;

  @ParameterizedTest(name = "{0} killed at {1}")
  @CsvSource({
    "share, before", "share, locked", "share, written", "share, replaced",
    "revoke, before", "revoke, locked", "revoke, written", "revoke, replaced",
    "rewrap, before", "rewrap, locked", "rewrap, written", "rewrap, replaced",
  })
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void aKilledEditLeavesTheOldOrTheNewRecordingAndTheNextEditCleansUp(String op, String step)
      throws Exception {
    LocalKms kms =
        LocalKms.create(new File(dir, "keys.json"), KeysetProtection.insecurePlaintext(), "kill")
            .auditTo(AuditSink.none());
    Recordings me = Recordings.builder().wrapWith(kms).auditSink(AuditSink.none()).build();
    HpkeRecipient x = HpkeRecipient.generate();
    File json = new File(dir, "x.json");
    Files.write(json.toPath(), x.insecurePrivateKeysetJson().getBytes(StandardCharsets.UTF_8));
    File recs = new File(dir, "recs");
    assertTrue(recs.mkdir());
    File f = new File(recs, "R.oxr");
    byte[] plain = RewrapTest.plaintext(60_000, 20);
    RewrapTest.write(me, f, plain);
    if (op.equals("revoke")) {
      assertTrue(RecordingFiles.share(me, f, x, ReadOptions.defaults()));
    }
    if (op.equals("rewrap")) {
      kms.rotate();
    }
    Files.setPosixFilePermissions(f.toPath(), PosixFilePermissions.fromString("rw-------"));
    byte[] before = Files.readAllBytes(f.toPath());

    try (ChildJvm child =
        ChildJvm.start(RecordingEditChild.class, new File(dir, "child.err"),
            "step", op, step, kms.file().getPath(), f.getPath(), json.getPath())) {
      assertEquals("at " + step, child.readLine(), child.stderr());
      assertTrue(child.isAlive(), "the kill lands while the edit is at " + step);
      child.kill();
    }

    boolean applied = step.equals("replaced");
    if (!applied) {
      assertArrayEquals(before, Files.readAllBytes(f.toPath()), "the old recording, untouched");
    }
    assertEquals(step.equals("written") ? 1 : 0, temps(recs), "the killed edit's temporary file");
    assertArrayEquals(plain, RewrapTest.read(me, f));
    assertEquals("rw-------", RecordingFilesTest.modeOf(f));
    assertEquals(applied, isDone(op, f, kms, x, plain), "edit applied");

    // The next edit (the same one, run again) finishes the job and removes the temporary file.
    if (op.equals("revoke") && applied) {
      assertThrows(OxCryptoException.class, () -> RecordingFiles.revoke(me, f, x.uri(), ReadOptions.defaults()));
    } else {
      assertEquals(!applied, again(op, me, f, x));
    }
    assertEquals(0, temps(recs), Arrays.toString(recs.list()));
    assertTrue(isDone(op, f, kms, x, plain));
    assertArrayEquals(plain, RewrapTest.read(me, f));
    assertEquals("rw-------", RecordingFilesTest.modeOf(f));
  }

  private static boolean again(String op, Recordings me, File f, HpkeRecipient x) throws Exception {
    switch (op) {
      case "share":
        return RecordingFiles.share(me, f, x, ReadOptions.defaults());
      case "revoke":
        return RecordingFiles.revoke(me, f, x.uri(), ReadOptions.defaults());
      default:
        return RecordingFiles.rewrap(me, f, ReadOptions.defaults());
    }
  }

  /** Whether {@code op} shows in {@code f}: x can open it, x cannot, or every key is current. */
  private static boolean isDone(String op, File f, LocalKms kms, HpkeRecipient x, byte[] plain)
      throws Exception {
    Recordings them = Recordings.builder().unwrapWith(x).auditSink(AuditSink.none()).build();
    switch (op) {
      case "share":
      case "revoke":
        boolean opens;
        try {
          assertArrayEquals(plain, RewrapTest.read(them, f));
          opens = true;
        } catch (NoUsableKeyException e) {
          opens = false;
        }
        return op.equals("share") == opens;
      default:
        String current = Long.toString(kms.primary().id());
        for (WrappedKey w : RecordingFiles.readHeader(f, ReadOptions.defaults()).wrappedKeys()) {
          if (!w.kekVersion().equals(current)) {
            return false;
          }
        }
        return true;
    }
  }

  static int temps(File dir) {
    int n = 0;
    for (String name : dir.list()) {
      if (name.endsWith(RecordingFiles.TEMP_SUFFIX)) {
        n++;
      }
    }
    return n;
  }
}
