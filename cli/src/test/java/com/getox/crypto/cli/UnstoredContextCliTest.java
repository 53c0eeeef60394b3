package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 section 2 through the CLI: {@code --unstored-context} binds an entry to a recording
 * without writing its value; every command that opens the recording needs the value, {@code
 * inspect} shows only the name, and no output, message or file ever holds the value.
 */
class UnstoredContextCliTest extends CliTestBase {
  /** Distinctive, so that finding it anywhere is a leak and not a coincidence. */
  private static final String SECRET = "u-7f3c9a-secret";
  private static final String WRONG = "u-0b1d2e-wrong";

  @TempDir Path dir;
  private Path keys;
  /** Every run's stdout (text commands only) and stderr, checked for the values at the end. */
  private final List<String> printed = new ArrayList<>();

  @BeforeEach
  void keyset() {
    keys = dir.resolve("keys.json");
    ok("keys", "create", "--keyset", keys.toString(), "--insecure", "--name", "keys");
  }

  @AfterEach
  void noValueWasEverPrinted() {
    for (String p : printed) {
      assertFalse(p.contains(SECRET), p);
      assertFalse(p.contains(WRONG), p);
    }
  }

  /** A run whose stderr (and stdout, if {@code text}) is kept for {@link #noValueWasEverPrinted}. */
  private Result cli(boolean text, String... args) {
    Result r = run(args);
    printed.add(r.stderr);
    if (text) {
      printed.add(r.out());
    }
    return r;
  }

  private Result cliOk(boolean text, String... args) {
    Result r = cli(text, args);
    assertEquals(0, r.code, () -> "exit " + r.code + ": " + r.stderr);
    assertEquals(List.of(), r.errors());
    return r;
  }

  private static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private Path encrypted(byte[] plain) throws Exception {
    Path in = Files.write(dir.resolve("plain.bin"), plain);
    Path rec = dir.resolve("rec.oxr");
    cliOk(true, "encrypt", "--keyset", keys.toString(), "--context", "data-class=Confidential",
        "--unstored-context", "user-id=" + SECRET, in.toString(), rec.toString());
    return rec;
  }

  /** QA: values on the command line are visible in /proc/PID/cmdline; a file keeps them off it. */
  @Test
  void theValuesCanComeFromAFileInsteadOfTheCommandLine() throws Exception {
    byte[] plain = random(5000, 23);
    Path in = Files.write(dir.resolve("plain2.bin"), plain);
    Path values = Files.write(dir.resolve("values.txt"),
        ("user-id=" + SECRET + "\r\n\nteam=t-9\n").getBytes(StandardCharsets.UTF_8));
    Path rec = dir.resolve("rec2.oxr");
    cliOk(true, "encrypt", "--keyset", keys.toString(), "--unstored-context-file", values.toString(),
        in.toString(), rec.toString());
    Path back = dir.resolve("back2.bin");
    cliOk(true, "decrypt", "--keyset", keys.toString(), "--unstored-context-file", values.toString(),
        rec.toString(), back.toString());
    assertArrayEquals(plain, Files.readAllBytes(back));
    // Mixed: one entry from the file, one on the command line.
    Path one = Files.write(dir.resolve("one.txt"), ("user-id=" + SECRET + "\n").getBytes(StandardCharsets.UTF_8));
    Path back2 = dir.resolve("back3.bin");
    cliOk(true, "decrypt", "--keyset", keys.toString(), "--unstored-context-file", one.toString(),
        "--unstored-context", "team=t-9", rec.toString(), back2.toString());
    assertArrayEquals(plain, Files.readAllBytes(back2));
    // A malformed line is a usage error that names its number, not its text.
    Path bad = Files.write(dir.resolve("bad.txt"), (SECRET + "\n").getBytes(StandardCharsets.UTF_8));
    Result r = cli(true, "decrypt", "--keyset", keys.toString(), "--unstored-context-file", bad.toString(),
        rec.toString(), dir.resolve("x.bin").toString());
    assertEquals(OxCrypt.USAGE, r.code, r.stderr);
    assertTrue(r.stderr.contains("line 1"), r.stderr);
  }

  @Test
  void theValueBindsTheRecordingAndIsNeverWrittenOrPrinted() throws Exception {
    byte[] plain = random(2 * CHUNK + 777, 21);
    Path rec = encrypted(plain);
    byte[] file = Files.readAllBytes(rec);
    assertFalse(contains(file, SECRET.getBytes(StandardCharsets.UTF_8)), "the value is not in the file");
    assertTrue(contains(file, "user-id".getBytes(StandardCharsets.UTF_8)), "its name is");

    // inspect: the name and the format version, not the value.
    Result inspect = cliOk(true, "inspect", rec.toString());
    JsonNode json = new ObjectMapper().readTree(inspect.out());
    assertEquals(2, json.get("formatVersion").asInt());
    assertEquals(List.of("user-id"), List.of(json.get("unstoredContext").get(0).asText()));
    assertEquals(1, json.get("unstoredContext").size());
    assertFalse(json.get("context").has("user-id"), inspect.out());
    assertEquals("Confidential", json.get("context").get("data-class").asText());

    // Without the value: exit 3, one line naming the entry and the option.
    Result missing = assertFails(OxCrypt.INTEGRITY,
        cli(true, "decrypt", "--keyset", keys.toString(), rec.toString(), "-"));
    assertEquals(0, missing.stdout.length, "no plaintext before the context is checked");
    assertTrue(missing.stderr.contains("'user-id'"), missing.stderr);
    assertTrue(missing.stderr.contains("--unstored-context user-id=VALUE"), missing.stderr);

    // A wrong value: exit 3 as well, and neither value is printed (checked after each test).
    Result wrong = assertFails(OxCrypt.INTEGRITY, cli(true, "decrypt", "--keyset", keys.toString(),
        "--unstored-context", "user-id=" + WRONG, rec.toString(), "-"));
    assertEquals(0, wrong.stdout.length);
    assertTrue(wrong.stderr.contains("user-id"), wrong.stderr);

    // The right value opens it, to stdout and to a file, and in recover mode.
    Result back = run("decrypt", "--keyset", keys.toString(), "--unstored-context", "user-id=" + SECRET,
        rec.toString(), "-");
    printed.add(back.stderr);
    assertEquals(0, back.code, back.stderr);
    assertArrayEquals(plain, back.stdout);
    Path out = dir.resolve("back.bin");
    cliOk(false, "decrypt", "--keyset", keys.toString(), "--expect", "data-class=Confidential",
        "--unstored-context", "user-id=" + SECRET, rec.toString(), out.toString());
    assertArrayEquals(plain, Files.readAllBytes(out));
    Result recovered = run("decrypt", "--keyset", keys.toString(), "--recover", "--unstored-context",
        "user-id=" + SECRET, rec.toString(), "-");
    printed.add(recovered.stderr);
    assertEquals(0, recovered.code, recovered.stderr);
    assertArrayEquals(plain, recovered.stdout);
    assertFails(OxCrypt.INTEGRITY,
        cli(true, "decrypt", "--keyset", keys.toString(), "--recover", rec.toString(), "-"));
  }

  @Test
  void aValueGivenForAnEntryTheRecordingStoresIsNotPrintedEither() throws Exception {
    Path rec = encrypted(random(100, 22));
    // data-class is stored as Confidential: the SDK's mismatch message quotes the expected value.
    Result r = assertFails(OxCrypt.INTEGRITY, cli(true, "decrypt", "--keyset", keys.toString(),
        "--unstored-context", "user-id=" + SECRET, "--unstored-context", "data-class=" + WRONG,
        rec.toString(), "-"));
    assertTrue(r.stderr.contains("data-class"), r.stderr);
    // A parse error quotes the arguments: masked too.
    assertFails(OxCrypt.USAGE, cli(true, "inspect", "--unstored-context", "user-id=" + SECRET, rec.toString()));
    assertFails(OxCrypt.USAGE, cli(true, "decrypt", "--keyset", keys.toString(),
        "--unstored-context=user-id=" + SECRET, "--bogus", rec.toString(), "-"));
  }

  @Test
  void usageErrors() throws Exception {
    Path in = Files.write(dir.resolve("plain.bin"), random(10, 23));
    // One KEY both stored and unstored.
    Result both = assertFails(OxCrypt.USAGE, cli(true, "encrypt", "--keyset", keys.toString(), "--context",
        "user-id=u-1", "--unstored-context", "user-id=" + SECRET, in.toString(), dir.resolve("a.oxr").toString()));
    assertTrue(both.stderr.contains("'user-id'"), both.stderr);
    assertFalse(Files.exists(dir.resolve("a.oxr")));
    assertFails(OxCrypt.USAGE, cli(true, "encrypt", "--keyset", keys.toString(), "--unstored-context",
        "no-equals-sign", in.toString(), dir.resolve("a.oxr").toString()));
    // The SDK's own entries.
    assertFails(OxCrypt.USAGE, cli(true, "encrypt", "--keyset", keys.toString(), "--unstored-context",
        "oxcrypt:recording-id=" + SECRET, in.toString(), dir.resolve("b.oxr").toString()));
    Path rec = encrypted(random(10, 24));
    assertFails(OxCrypt.USAGE, cli(true, "decrypt", "--keyset", keys.toString(), "--expect", "user-id=" + SECRET,
        "--unstored-context", "user-id=" + SECRET, rec.toString(), "-"));
  }

  @Test
  void shareRewrapAndRevokeNeedTheValueToo() throws Exception {
    byte[] plain = random(CHUNK + 5, 25);
    Path rec = encrypted(plain);
    String unstored = "user-id=" + SECRET;
    cliOk(true, "keys", "create-recipient", "--out", dir.resolve("alice").toString());
    String alice = com.getox.crypto.hpke.HpkeRecipient.fromPublicKeyset(
        Files.readString(dir.resolve("alice.pub"))).uri();

    Result noShare = assertFails(OxCrypt.INTEGRITY, cli(true, "share", "--keyset", keys.toString(),
        "--to-public-key", dir.resolve("alice.pub").toString(), rec.toString()));
    assertTrue(noShare.stderr.contains("'user-id'"), noShare.stderr);
    cliOk(true, "share", "--keyset", keys.toString(), "--unstored-context", unstored, "--to-public-key",
        dir.resolve("alice.pub").toString(), rec.toString());
    // The recipient needs the value as well: the share is bound to it.
    assertFails(OxCrypt.INTEGRITY, cli(true, "decrypt", "--identity", dir.resolve("alice.key").toString(),
        rec.toString(), "-"));
    Result asAlice = run("decrypt", "--identity", dir.resolve("alice.key").toString(), "--unstored-context",
        unstored, rec.toString(), "-");
    printed.add(asAlice.stderr);
    assertEquals(0, asAlice.code, asAlice.stderr);
    assertArrayEquals(plain, asAlice.stdout);

    cliOk(true, "keys", "rotate", "--keyset", keys.toString());
    Result noRewrap = assertFails(OxCrypt.INTEGRITY, cli(true, "rewrap", "--keyset", keys.toString(), rec.toString()));
    assertTrue(noRewrap.out().contains(rec + ": context mismatch: ")
        && noRewrap.out().contains("--unstored-context user-id=VALUE"), noRewrap.out());
    Result rewrap = cliOk(true, "rewrap", "--keyset", keys.toString(), "--unstored-context", unstored, rec.toString());
    assertTrue(rewrap.out().matches("(?s).*re-wrapped +1\n.*"), rewrap.out());

    assertFails(OxCrypt.INTEGRITY, cli(true, "revoke", "--keyset", keys.toString(), "--recipient", alice,
        rec.toString()));
    cliOk(true, "revoke", "--keyset", keys.toString(), "--unstored-context", unstored, "--recipient", alice,
        rec.toString());
    assertFails(OxCrypt.NO_USABLE_KEY, cli(true, "decrypt", "--identity", dir.resolve("alice.key").toString(),
        "--unstored-context", unstored, rec.toString(), "-"));
    Result owner = run("decrypt", "--keyset", keys.toString(), "--unstored-context", unstored, rec.toString(), "-");
    printed.add(owner.stderr);
    assertEquals(0, owner.code, owner.stderr);
    assertArrayEquals(plain, owner.stdout);
    assertFalse(contains(Files.readAllBytes(rec), SECRET.getBytes(StandardCharsets.UTF_8)));
  }
}
