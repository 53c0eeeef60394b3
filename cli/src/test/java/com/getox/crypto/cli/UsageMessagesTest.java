package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mistyped commands and options: one line, with picocli's closest suggestion. */
class UsageMessagesTest extends CliTestBase {

  private String error(String... args) {
    Result r = assertFails(OxCrypt.USAGE, run(args));
    return r.errors().get(0);
  }

  @Test
  void aMistypedCommandGetsDidYouMean() {
    assertEquals("oxcrypt: unknown command 'encrpyt': did you mean encrypt? (see 'oxcrypt help')",
        error("encrpyt", "a", "b"));
    assertEquals("oxcrypt: unknown command 'rotat': did you mean rotate? (see 'oxcrypt keys --help')",
        error("keys", "rotat"));
  }

  @Test
  void aMistypedOptionGetsDidYouMean() {
    assertEquals("oxcrypt: unknown option '--offest': did you mean --offset? (see 'oxcrypt decrypt --help')",
        error("decrypt", "--offest", "3", "a", "b"));
  }

  @Test
  void nothingCloseIsSaidPlainly() {
    assertEquals("oxcrypt: unknown command 'zzzzzzzz' (see 'oxcrypt help')", error("zzzzzzzz"));
    assertEquals("oxcrypt: unknown argument 'c' (see 'oxcrypt encrypt --help')",
        error("encrypt", "a", "b", "c"));
  }

  /** The README walkthrough's step 2 once failed with "no such file: recordings/talk.oxr". */
  @Test
  void aMissingOutputDirectoryIsNamed(@TempDir Path dir) throws Exception {
    String k = dir.resolve("keys.json").toString();
    ok("keys", "create", "--keyset", k, "--insecure");
    Path in = Files.write(dir.resolve("talk.pcm"), random(100, 1));
    Path missing = dir.resolve("recordings");
    for (String[] args : new String[][] {
        {"encrypt", "--keyset", k, in.toString(), missing.resolve("talk.oxr").toString()},
        {"encrypt", "--keyset", k, "--flush-every", "1s", in.toString(), missing.resolve("talk.oxr").toString()},
        {"encrypt", "--keyset", k, missing.resolve("in.pcm").toString(), dir.resolve("x.oxr").toString()}}) {
      Result r = assertFails(OxCrypt.IO_ERROR, run(args));
      assertTrue(r.errors().get(0).startsWith("oxcrypt: no such directory: " + missing + " (for "),
          r.stderr);
    }
    assertTrue(Files.notExists(missing));
  }

  @Test
  void contextMessagesSayOptionOnce() {
    for (String[] args : new String[][] {
        {"encrypt", "--keyset", "k", "--context"},
        {"encrypt", "--keyset", "k", "--context", "novalue", "a", "b"},
        {"decrypt", "--keyset", "k", "--expect", "novalue", "a", "b"}}) {
      String e = error(args);
      assertFalse(e.contains("option option"), e);
    }
  }

  /**
   * QA finding 5: {@code --audit-log ''} was "internal error: ArrayIndexOutOfBoundsException"
   * (exit 1). An empty path, for any option or argument, is a usage error naming it.
   */
  @Test
  void anEmptyPathIsAUsageError(@TempDir Path dir) throws Exception {
    String k = dir.resolve("keys.json").toString();
    ok("keys", "create", "--keyset", k, "--insecure", "--name", "keys");
    String in = Files.write(dir.resolve("talk.pcm"), random(100, 1)).toString();
    String rec = dir.resolve("talk.oxr").toString();
    ok("encrypt", "--keyset", k, in, rec);
    String out = dir.resolve("back.pcm").toString();
    for (String[] args : new String[][] {
        {"--audit-log", "", "encrypt", "--keyset", k, in, dir.resolve("x.oxr").toString()},
        {"--json", "--audit-log", "", "keys", "rotate", "--keyset", k},
        {"--audit-key-file", "", "--audit-log", dir.resolve("a.jsonl").toString(), "encrypt", "--keyset", k, in,
            dir.resolve("x.oxr").toString()},
        {"encrypt", "--keyset", "", in, dir.resolve("x.oxr").toString()},
        {"encrypt", "--keyset", k, "--detached-header", "", in, dir.resolve("x.oxr").toString()},
        {"encrypt", "--keyset", k, "--unstored-context-file", "", in, dir.resolve("x.oxr").toString()},
        {"encrypt", "--keyset", k, "", dir.resolve("x.oxr").toString()},
        {"encrypt", "--keyset", k, in, ""},
        {"decrypt", "--keyset", k, "", out},
        {"decrypt", "--keyset", k, rec, ""},
        {"decrypt", "--keyset", k, "--passphrase-file", "", rec, out},
        {"decrypt", "--identity", "", rec, out},
        {"decrypt", "--keyset", k, "--detached-header", "", rec, out},
        {"inspect", ""},
        {"inspect", "--keyset", "", rec},
        {"keys", "create", "--keyset", "", "--insecure"},
        {"keys", "list", "--keyset", ""},
        {"keys", "create-recipient", "--out", ""},
        {"rewrap", "--keyset", k, ""},
        {"rewrap", "--keyset", k, "--journal", "", rec},
        {"share", "--keyset", k, "--to-public-key", "", rec},
        {"share", "--keyset", k, "--to-keyset", "", rec},
        {"share", "--keyset", k, "--to-public-key", dir.resolve("p.pub").toString(), ""},
        {"revoke", "--keyset", k, "--recipient", "local://x", ""},
        {"resume", "--keyset", k, "", in},
        {"resume", "--keyset", k, rec, ""}}) {
      Result r = run(args);
      String what = String.join(" ", args);
      assertEquals(OxCrypt.USAGE, r.code, what + ": " + r.stderr);
      assertFails(OxCrypt.USAGE, r);
      assertFalse(r.stderr.contains("internal error") || r.stderr.contains("Exception"), what + ": " + r.stderr);
    }
    assertTrue(Files.notExists(dir.resolve("x.oxr")));
    String m = error("--audit-log", "", "encrypt", "--keyset", k, in, dir.resolve("x.oxr").toString());
    assertTrue(m.contains("'--audit-log': an empty path"), m);
    m = error("decrypt", "--keyset", k, rec, "");
    assertTrue(m.contains("(OUT): an empty path"), m);
  }
}
