package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * What start-up does: picocli gets only the command a run names (all of them for help, an unknown
 * command, or arguments picocli reads from a file), with the same messages either way.
 */
class StartupPathTest extends CliTestBase {
  private static String named(String... args) {
    return OxCrypt.commandNamedIn(args);
  }

  @Test
  void theNamedCommandAlone() {
    assertEquals("encrypt", named("encrypt", "--keyset", "k.json", "a", "b"));
    assertEquals("keys", named("-q", "--json", "keys", "list"));
    assertEquals("decrypt", named("--audit-log", "encrypt", "decrypt", "x", "y")); // a value, not a command
    assertEquals("decrypt", named("--audit-log=a.log", "--audit-key-file", "k", "decrypt"));
  }

  @Test
  void everyCommandWhenNoneOrAnUnknownOneIsNamed() {
    assertNull(named());
    assertNull(named("--help"));
    assertNull(named("help", "encrypt"));
    assertNull(named("generate-completion"));
    assertNull(named("encrpyt", "a", "b"));
    assertNull(named("@args.txt"));
    assertNull(named("--", "encrypt"));
  }

  @Test
  void messagesAreTheSameWithOneCommand() {
    Result typo = assertFails(OxCrypt.USAGE, run("encrpyt", "a", "b"));
    assertTrue(typo.stderr.contains("did you mean encrypt?"), typo.stderr);
    Result option = assertFails(OxCrypt.USAGE, run("encrypt", "--no-such-option", "a", "b"));
    assertTrue(option.stderr.contains("'oxcrypt encrypt --help'"), option.stderr);
    String help = ok("--help").out();
    for (String command : new String[] {"keys", "encrypt", "decrypt", "inspect", "resume", "rewrap",
        "share", "revoke", "demo", "help"}) {
      assertTrue(help.contains("\n  " + command + " "), command + " in " + help);
    }
    assertTrue(ok("encrypt", "--help").out().contains("oxcrypt encrypt"));
  }
}
