package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

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
}
