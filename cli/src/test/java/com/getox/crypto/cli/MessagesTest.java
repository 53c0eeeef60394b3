package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingHeader;
import com.getox.crypto.kek.WrappedKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the CLI prints: hostile header strings are escaped in every message (issue 12, defect 14),
 * and the smaller findings: {@code --help} of the version commands, the empty-body wording, a
 * tampered context's exit code, repeated {@code --context} keys, and a failing stdout.
 */
class MessagesTest extends CliTestBase {
  @TempDir Path dir;
  private Path keys;

  @BeforeEach
  void setUp() {
    keys = dir.resolve("keys.json");
    ok("keys", "create", "--keyset", keys.toString(), "--insecure");
  }

  private Path encrypt(byte[] plain, String name, String... context) throws IOException {
    Path in = Files.write(dir.resolve(name + ".plain"), plain);
    Path out = dir.resolve(name);
    List<String> args = new ArrayList<>(List.of("encrypt", "--keyset", keys.toString()));
    for (String c : context) {
      args.add("--context");
      args.add(c);
    }
    args.add(in.toString());
    args.add(out.toString());
    ok(args.toArray(new String[0]));
    return out;
  }

  /** Issue 12 leftover: a --passphrase-file that is not there was an I/O error (exit 5). */
  @Test
  void aMissingPassphraseFileIsAUsageError() {
    Path missing = dir.resolve("no-such-pass.txt");
    Result r =
        run("keys", "create", "--keyset", dir.resolve("k2.json").toString(), "--passphrase-file",
            missing.toString());
    assertFails(OxCrypt.USAGE, r);
    assertTrue(r.stderr.contains("no such passphrase file"), r.stderr);
    assertFalse(Files.exists(dir.resolve("k2.json")));
  }

  /** QA: a plaintext keyset in place of a passphrase one was used silently (a downgrade). */
  @Test
  void aPlaintextKeysetIsRefusedWhenAPassphraseFileIsGiven() throws IOException {
    Path pass = Files.write(dir.resolve("pass.txt"), "correct horse\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Path in = Files.write(dir.resolve("m.plain"), new byte[10]);
    Path out = dir.resolve("m.oxr");
    Result r = run("encrypt", "--keyset", keys.toString(), "--passphrase-file", pass.toString(),
        in.toString(), out.toString());
    assertFails(OxCrypt.NO_USABLE_KEY, r);
    assertTrue(r.stderr.contains("plaintext keyset, but --passphrase-file was given"), r.stderr);
    assertFalse(Files.exists(out));
  }

  /** No terminal control character reaches stderr or stdout: only printable text and newlines. */
  static void assertNoControls(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean control = (c < 0x20 && c != '\n') || (c >= 0x7f && c <= 0x9f);
      assertFalse(control, () -> "raw control character in: " + s.replace("\u001b", "<ESC>"));
    }
  }

  private static final String HOSTILE = "a\u001b[2J\u001b]0;pwned\u0007b\rc\u009bd";

  @Test
  void hostileContextValuesAreEscapedInErrors() throws IOException {
    Path rec = encrypt(random(100, 1), "rec.oxr", "user-id=" + HOSTILE);
    Result r = run("decrypt", "--keyset", keys.toString(), "--expect", "user-id=u-7", rec.toString(),
        dir.resolve("back.bin").toString());
    assertFails(OxCrypt.INTEGRITY, r);
    assertNoControls(r.stderr);
    assertTrue(r.stderr.contains("\\u001b[2J"), r.stderr);
    assertTrue(r.stderr.contains("\\u0007") && r.stderr.contains("\\u009b"), r.stderr);
  }

  @Test
  void hostileKekUrisAndVersionsAreEscapedInErrorsAndReports() throws Exception {
    Path rec = encrypt(random(100, 2), "rec.oxr");
    byte[] bytes = Files.readAllBytes(rec);
    RecordingHeader header = RecordingHeader.read(new ByteArrayInputStream(bytes), ReadOptions.defaults());
    int headerBytes = header.toByteArray().length;
    WrappedKey w = header.wrappedKeys().get(0);
    List<WrappedKey> hostile = List.of(
        WrappedKey.create("local://x\u001b[31m\u0007\r", w.kekVersion() + "\u001b[0m", w.algorithm(), w.wrappedBytes()),
        WrappedKey.create(w.kekUri(), w.kekVersion() + "\u001b]0;t\u0007", w.algorithm(), w.wrappedBytes()));
    byte[] newHeader = header.withWrappedKeys(hostile).toByteArray();
    byte[] edited = new byte[newHeader.length + bytes.length - headerBytes];
    System.arraycopy(newHeader, 0, edited, 0, newHeader.length);
    System.arraycopy(bytes, headerBytes, edited, newHeader.length, bytes.length - headerBytes);
    Path bad = Files.write(dir.resolve("bad.oxr"), edited);

    Result r = run("decrypt", "--keyset", keys.toString(), bad.toString(), dir.resolve("back.bin").toString());
    assertNotEquals(0, r.code);
    assertEquals(1, r.errors().size(), r.stderr);
    assertNoControls(r.stderr);
    assertTrue(r.stderr.contains("\\u001b"), r.stderr);

    Result revoke = run("revoke", "--keyset", keys.toString(), "--recipient", "local://nobody", bad.toString());
    assertNotEquals(0, revoke.code);
    assertNoControls(revoke.stderr);

    Path recs = Files.createDirectories(dir.resolve("recs"));
    Files.copy(bad, recs.resolve("bad.oxr"));
    Result rewrap = run("rewrap", "--keyset", keys.toString(), recs.toString());
    assertNotEquals(0, rewrap.code);
    assertNoControls(rewrap.stderr);
    assertNoControls(rewrap.out());

    Result inspect = ok("inspect", bad.toString());
    assertNoControls(inspect.out());
  }

  @Test
  void aFileNameWithControlsIsEscapedToo() throws IOException {
    Result r = run("decrypt", "--keyset", keys.toString(), dir.resolve("no\u001b[1msuch").toString(),
        dir.resolve("out").toString());
    assertFails(OxCrypt.IO_ERROR, r);
    assertNoControls(r.stderr);
  }

  // ------------------------------------------------------------------ smaller findings

  @Test
  void versionCommandsShowTheirHelp() {
    for (String cmd : new String[] {"destroy", "disable", "enable"}) {
      Result r = ok("keys", cmd, "--help");
      assertTrue(r.out().contains("--key-version"), r.out());
      if (cmd.equals("destroy")) {
        assertTrue(r.out().contains("--scan") && r.out().contains("--dry-run"), r.out());
      }
    }
  }

  @Test
  void anEmptyBodyIsNamedAsSuch() throws IOException {
    Path rec = encrypt(new byte[0], "rec.oxr");
    byte[] bytes = Files.readAllBytes(rec);
    Path cut = Files.write(dir.resolve("cut.oxr"), Arrays.copyOf(bytes, bytes.length - 16)); // no chunk at all
    Result r = run("decrypt", "--keyset", keys.toString(), cut.toString(), dir.resolve("back.bin").toString());
    assertFails(OxCrypt.INTEGRITY, r);
    assertFalse(r.stderr.contains("chunk -1"), r.stderr);
    assertTrue(r.stderr.contains("no chunk"), r.stderr);
  }

  @Test
  void aTamperedContextIsAnIntegrityFailure() throws IOException {
    Path rec = encrypt(random(100, 3), "rec.oxr", "user-id=u-7");
    byte[] bytes = Files.readAllBytes(rec);
    byte[] needle = "u-7".getBytes(StandardCharsets.UTF_8);
    int at = indexOf(bytes, needle);
    assertTrue(at > 0);
    bytes[at + 2] = '8'; // user-id=u-8: the wrapped key no longer authenticates
    Path bad = Files.write(dir.resolve("bad.oxr"), bytes);
    Result r = run("decrypt", "--keyset", keys.toString(), bad.toString(), dir.resolve("back.bin").toString());
    assertFails(OxCrypt.INTEGRITY, r);
    assertTrue(r.stderr.contains("integrity"), r.stderr);
    // A keyset that does not know the key at all is still "no usable key".
    Path other = dir.resolve("other.json");
    ok("keys", "create", "--keyset", other.toString(), "--insecure", "--name", "other");
    assertFails(OxCrypt.NO_USABLE_KEY, run("decrypt", "--keyset", other.toString(), rec.toString(), "-"));
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void aRepeatedContextKeyIsAUsageError() throws IOException {
    Path in = Files.write(dir.resolve("in.bin"), random(10, 4));
    Path out = dir.resolve("out.oxr");
    assertFails(OxCrypt.USAGE, run("encrypt", "--keyset", keys.toString(), "--context", "k=a", "--context", "k=b",
        in.toString(), out.toString()));
    assertFalse(Files.exists(out));
    Path rec = encrypt(random(10, 5), "rec.oxr", "k=a");
    assertFails(OxCrypt.USAGE, run("decrypt", "--keyset", keys.toString(), "--expect", "k=b", "--expect", "k=a",
        rec.toString(), "-"));
  }

  @Test
  void aStdoutThatFailsIsAnError() {
    OutputStream broken = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("Broken pipe");
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        throw new IOException("Broken pipe");
      }
    };
    for (String[] args : new String[][] {
        {"keys", "list", "--keyset", keys.toString()},
        {"keys", "rotate", "--keyset", keys.toString()},
        {"inspect", "--help"}}) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = OxCrypt.run(args, new ByteArrayInputStream(new byte[0]), broken,
          new PrintStream(err, true, StandardCharsets.UTF_8), env);
      assertEquals(OxCrypt.IO_ERROR, code, Arrays.toString(args) + ": " + err);
      assertTrue(err.toString(StandardCharsets.UTF_8).contains("standard output"), err.toString());
    }
  }
}
