package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --json}: every command prints exactly one JSON document on stdout, success or failure. */
class JsonOutputTest extends CliTestBase {
  private static final ObjectMapper STRICT =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  @TempDir Path dir;
  private String k;
  private byte[] plain;
  private Path plainFile;

  @BeforeEach
  void setUp() throws Exception {
    k = dir.resolve("keys.json").toString();
    plain = random(2 * CHUNK + 3, 7);
    plainFile = Files.write(dir.resolve("talk.pcm"), plain);
  }

  /** Runs with --json; asserts the exit code and one JSON document naming the command. */
  private JsonNode json(int code, String command, String... args) throws Exception {
    List<String> a = new ArrayList<>(Arrays.asList(args));
    a.add("--json");
    Result r = run(a.toArray(new String[0]));
    assertEquals(code, r.code, () -> "stderr: " + r.stderr + " stdout: " + r.out());
    JsonNode j = STRICT.readTree(r.stdout); // one document, nothing after it
    assertEquals(command, j.path("command").asText(null), j::toString);
    assertEquals(code, j.get("exitCode").asInt());
    assertEquals(code == 0, j.get("ok").asBoolean());
    assertEquals(code != 0 && code != OxCrypt.RECOVERED_PREFIX, j.has("error"), j::toString);
    return j;
  }

  private JsonNode json(String command, String... args) throws Exception {
    return json(0, command, args);
  }

  @Test
  void keysCommands() throws Exception {
    JsonNode c = json("keys create", "keys", "create", "--keyset", k, "--insecure", "--name", "keys");
    assertEquals("local://keys", c.get("kek").asText());
    assertEquals("INSECURE_PLAINTEXT", c.get("protection").asText());
    String v1 = c.get("versions").get(0).get("version").asText();
    JsonNode r = json("keys rotate", "keys", "rotate", "--keyset", k);
    assertEquals(2, r.get("versions").size());
    assertEquals(2, json("keys list", "keys", "list", "--keyset", k).get("versions").size());
    JsonNode d = json("keys disable", "keys", "disable", "--keyset", k, "--key-version", v1);
    assertEquals("DISABLED", statusOf(d, v1), d::toString);
    json("keys enable", "keys", "enable", "--keyset", k, "--key-version", v1);

    Path recs = Files.createDirectories(dir.resolve("recs"));
    Path rec = recs.resolve("old.oxr");
    ok("encrypt", "--keyset", k, plainFile.toString(), rec.toString());
    // the recording is under the new primary: rotate again so it is the old version's alone
    String v2 = null;
    for (JsonNode n : r.get("versions")) {
      v2 = n.get("primary").asBoolean() ? n.get("version").asText() : v2;
    }
    json("keys rotate", "keys", "rotate", "--keyset", k);
    JsonNode dry = json("keys destroy", "keys", "destroy", "--keyset", k, "--key-version", v2,
        "--dry-run", "--scan", recs.toString());
    assertEquals(List.of(rec.toString()), texts(dry.get("wouldShred")));
    JsonNode real = json("keys destroy", "keys", "destroy", "--keyset", k, "--key-version", v2,
        "--scan", recs.toString());
    assertEquals(List.of(rec.toString()), texts(real.get("shredded")));
    assertEquals("DESTROYED", statusOf(real, v2), real::toString);

    JsonNode rcpt = json("keys create-recipient", "keys", "create-recipient", "--out",
        dir.resolve("alice").toString());
    assertTrue(rcpt.get("recipient").asText().startsWith("hpke://x25519/"), rcpt.toString());
    assertEquals(dir.resolve("alice.pub").toString(), rcpt.get("publicKey").asText());
  }

  @Test
  void recordingCommands() throws Exception {
    ok("keys", "create", "--keyset", k, "--insecure", "--name", "keys");
    Path rec = dir.resolve("talk.oxr");
    JsonNode e = json("encrypt", "encrypt", "--keyset", k, plainFile.toString(), rec.toString());
    assertEquals(plain.length, e.get("plaintextBytes").asLong());
    assertEquals(List.of("local://keys"), texts(e.get("wrappedUnder")));

    JsonNode d = json("decrypt", "decrypt", "--keyset", k, rec.toString(), dir.resolve("b").toString());
    assertEquals(plain.length, d.get("plaintextBytes").asLong());
    JsonNode part = json("decrypt", "decrypt", "--keyset", k, "--offset", "10", "--length", "100",
        rec.toString(), dir.resolve("c").toString());
    assertEquals(100, part.get("plaintextBytes").asLong());
    JsonNode rec0 = json("decrypt", "decrypt", "--keyset", k, "--recover", rec.toString(),
        dir.resolve("d").toString());
    assertTrue(rec0.get("complete").asBoolean());

    JsonNode i = json("inspect", "inspect", rec.toString());
    assertEquals(List.of("local://keys"), texts(i.get("recipients")));

    ok("keys", "create-recipient", "--out", dir.resolve("bob").toString());
    JsonNode s = json("share", "share", "--keyset", k, "--to-public-key", dir.resolve("bob.pub").toString(),
        rec.toString());
    assertTrue(s.get("changed").asBoolean());
    String bob = s.get("recipient").asText();
    JsonNode v = json("revoke", "revoke", "--keyset", k, "--recipient", bob, rec.toString());
    assertEquals(bob, v.get("recipient").asText());

    ok("keys", "rotate", "--keyset", k);
    JsonNode w = json("rewrap", "rewrap", "--keyset", k, rec.toString());
    assertEquals(1, w.get("rewrapped").asInt());
    assertEquals(0, w.get("failed").size());

    Path live = dir.resolve("live.oxr");
    Files.write(live, Arrays.copyOf(Files.readAllBytes(rec), (int) Files.size(rec) - 30)); // cut short
    JsonNode cut = json(OxCrypt.RECOVERED_PREFIX, "decrypt", "decrypt", "--keyset", k, "--recover",
        live.toString(), dir.resolve("e").toString());
    assertFalse(cut.get("complete").asBoolean());
  }

  @Test
  void resumeAndDemo() throws Exception {
    ok("keys", "create", "--keyset", k, "--insecure", "--name", "keys");
    Path live = dir.resolve("live.oxr");
    ok("encrypt", "--keyset", k, "--flush-every", "1h", plainFile.toString(), live.toString());
    // a closed recording cannot be resumed: the document says so
    JsonNode closed = json(OxCrypt.RECORDING_COMPLETE, "resume", "resume", "--keyset", k, live.toString(),
        plainFile.toString());
    assertTrue(closed.get("error").asText().contains("closed normally"), closed.toString());

    JsonNode demo = json("demo", "demo", "--seconds", "11");
    assertTrue(demo.get("checksPassed").asBoolean());
    assertTrue(demo.get("report").toString().contains("every check passed"), demo.toString());
  }

  @Test
  void failuresAreDocumentsTooAndStdoutIsNotShared() throws Exception {
    JsonNode missing = json(OxCrypt.IO_ERROR, "keys list", "keys", "list", "--keyset", k);
    assertTrue(missing.get("error").asText().contains("not found"), missing.toString());
    ok("keys", "create", "--keyset", k, "--insecure", "--name", "keys");
    json(OxCrypt.USAGE, "encrypt", "encrypt", "--keyset", k, plainFile.toString(), "-");
    json(OxCrypt.USAGE, "decrypt", "decrypt", "--keyset", k, "x.oxr", "-");
  }

  @Test
  void helpAndVersionStayText() throws Exception {
    Result r = run("encrypt", "--help", "--json");
    assertEquals(0, r.code);
    assertTrue(r.out().startsWith("Usage: oxcrypt encrypt"), r.out());
    assertFalse(r.out().contains("\"exitCode\""), r.out());
  }

  private static String statusOf(JsonNode listing, String version) {
    String status = null;
    for (JsonNode n : listing.get("versions")) {
      status = n.get("version").asText().equals(version) ? n.get("status").asText() : status;
    }
    return status;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
