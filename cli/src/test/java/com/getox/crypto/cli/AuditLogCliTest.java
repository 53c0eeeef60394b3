package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --audit-log FILE}: the SDK's audit events as JSON lines, appended, owner-only. */
class AuditLogCliTest extends CliTestBase {
  @TempDir Path dir;
  private Path keys;
  private Path audit;
  private String k;
  private String a;

  @BeforeEach
  void setUp() {
    keys = dir.resolve("keys.json");
    audit = dir.resolve("audit.jsonl");
    k = keys.toString();
    a = audit.toString();
    ok("keys", "create", "--keyset", k, "--insecure", "--name", "keys");
  }

  private List<JsonNode> events() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(audit, StandardCharsets.UTF_8)) {
      out.add(new ObjectMapper().readTree(line)); // every line is one JSON object
    }
    return out;
  }

  private List<String> ops() throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode e : events()) {
      out.add(e.get("op").asText());
    }
    return out;
  }

  @Test
  void everyKeyOperationIsAppendedAsAJsonLine() throws Exception {
    byte[] plain = random(CHUNK + 5, 1);
    Path in = Files.write(dir.resolve("talk.pcm"), plain);
    Path rec = dir.resolve("talk.oxr");
    // the option goes before or after the subcommand
    ok("--audit-log", a, "encrypt", "--keyset", k, in.toString(), rec.toString());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(audit)));
    List<String> afterEncrypt = ops();
    assertTrue(afterEncrypt.contains("WRAP") || afterEncrypt.contains("GENERATE_DEK"), afterEncrypt.toString());

    ok("decrypt", "--audit-log", a, "--keyset", k, rec.toString(), dir.resolve("back.pcm").toString());
    ok("keys", "rotate", "--keyset", k, "--audit-log", a);
    ok("rewrap", "--keyset", k, "--audit-log", a, rec.toString());
    ok("keys", "create-recipient", "--out", dir.resolve("alice").toString());
    ok("share", "--keyset", k, "--audit-log", a, "--to-public-key", dir.resolve("alice.pub").toString(),
        rec.toString());
    List<String> all = ops();
    assertEquals(afterEncrypt, all.subList(0, afterEncrypt.size()), "appended, never rewritten");
    for (String op : List.of("UNWRAP", "ROTATE", "REWRAP", "SHARE")) {
      assertTrue(all.contains(op), op + " missing from " + all);
    }
    for (JsonNode e : events()) {
      assertEquals("ok", e.get("outcome").asText(), e.toString());
      String kek = e.has("kek") ? e.get("kek").asText() : "local://keys (GENERATE_DEK names none)";
      assertTrue(kek.startsWith("local://keys") || kek.startsWith("hpke://"), e.toString());
    }
    String text = Files.readString(audit);
    assertFalse(text.contains("\"key\"") || text.contains("value"), text); // key material never
  }

  @Test
  void withTheDeploymentKeyTheSameContextHasTheSameDigestInEveryRun() throws Exception {
    Path key = Files.writeString(dir.resolve("audit.key"), "ab".repeat(32) + "\n");
    Path in = Files.write(dir.resolve("p"), random(100, 4));
    for (String name : List.of("a.oxr", "b.oxr")) {
      ok("encrypt", "--audit-log", a, "--audit-key-file", key.toString(), "--keyset", k,
          "--context", "user-id=u-7", in.toString(), dir.resolve(name).toString());
    }
    List<String> digests = new ArrayList<>();
    for (JsonNode e : events()) {
      if (e.get("op").asText().equals("WRAP")) {
        digests.add(e.get("contextHmac").asText());
      }
    }
    assertEquals(2, digests.size(), digests.toString());
    assertEquals(digests.get(0), digests.get(1));
    Path bad = Files.writeString(dir.resolve("bad.key"), "not hex");
    assertFails(OxCrypt.USAGE, run("encrypt", "--audit-log", a, "--audit-key-file", bad.toString(),
        "--keyset", k, in.toString(), dir.resolve("c.oxr").toString()));
  }

  @Test
  void aFailedOperationIsAuditedWithItsOutcome() throws Exception {
    Path rec = dir.resolve("talk.oxr");
    ok("encrypt", "--keyset", k, Files.write(dir.resolve("p"), random(100, 2)).toString(), rec.toString());
    Path other = dir.resolve("other.json");
    ok("keys", "create", "--keyset", other.toString(), "--insecure", "--name", "other");
    assertFails(OxCrypt.NO_USABLE_KEY, run("decrypt", "--audit-log", a, "--keyset", other.toString(),
        rec.toString(), dir.resolve("x").toString()));
    // Either the KEK was never asked (it does not know the wrapped key) or its failure is recorded.
    for (JsonNode e : events()) {
      assertFalse("ok".equals(e.get("outcome").asText()) && "UNWRAP".equals(e.get("op").asText()), e.toString());
    }
  }

  @Test
  void anAuditLogThatCannotBeWrittenFailsTheCommandBeforeAnyKeyOperation() throws Exception {
    Path notAFile = Files.createDirectories(dir.resolve("audit-dir"));
    Path rec = dir.resolve("talk.oxr");
    Result r = run("--audit-log", notAFile.toString(), "encrypt", "--keyset", k,
        Files.write(dir.resolve("p"), random(100, 3)).toString(), rec.toString());
    assertFails(OxCrypt.IO_ERROR, r);
    assertTrue(Files.notExists(rec), "nothing may be encrypted without its audit record");
  }

  /**
   * QA finding 2: a log that fails on write (a full disk) must stop the key operation whose event
   * it could not record: no plaintext on stdout or in OUT (as a whole file or a --from clip), an
   * existing OUT unchanged, exit 5 with one line.
   */
  @Test
  void anEventThatCannotBeWrittenStopsItsKeyOperation() throws Exception {
    Path wav = Files.copy(AudioClipCliTest.FIXTURES.resolve("speech-8k-mono-8bit.wav"), dir.resolve("in.wav"));
    Path rec = dir.resolve("in.oxr");
    ok("encrypt", "--keyset", k, wav.toString(), rec.toString());
    byte[] old = "old contents".getBytes(StandardCharsets.UTF_8);
    Path out = Files.write(dir.resolve("out.wav"), old);
    Path oldRec = Files.write(dir.resolve("old.oxr"), old);
    List<String> before;
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      before = s.map(p -> p.getFileName().toString()).sorted().collect(java.util.stream.Collectors.toList());
    }
    AuditLog.failWritesForTest = new java.io.IOException("No space left on device");
    try {
      for (String[] args : List.of(
          new String[] {"decrypt", "--keyset", k, rec.toString(), out.toString()},
          new String[] {"decrypt", "--keyset", k, "--from", "1", rec.toString(), out.toString()},
          new String[] {"decrypt", "--keyset", k, rec.toString(), dir.resolve("new.wav").toString()},
          new String[] {"decrypt", "--keyset", k, rec.toString(), "-"},
          new String[] {"--json", "decrypt", "--keyset", k, rec.toString(), out.toString()},
          new String[] {"encrypt", "--keyset", k, wav.toString(), oldRec.toString()},
          new String[] {"encrypt", "--keyset", k, wav.toString(), "-"})) {
        List<String> argv = new ArrayList<>(List.of("--audit-log", a));
        argv.addAll(List.of(args));
        Result r = assertFails(OxCrypt.IO_ERROR, run(argv.toArray(new String[0])));
        String what = String.join(" ", args);
        assertTrue(r.errors().get(0).contains("audit log"), what + ": " + r.stderr);
        if (args[0].equals("--json")) {
          assertEquals(5, new ObjectMapper().readTree(r.stdout).get("exitCode").asInt(), r.out());
        } else {
          assertEquals(0, r.stdout.length, what + ": nothing on stdout");
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(old, Files.readAllBytes(out), what);
        org.junit.jupiter.api.Assertions.assertArrayEquals(old, Files.readAllBytes(oldRec), what);
        List<String> after;
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
          after = s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("audit.jsonl"))
              .sorted().collect(java.util.stream.Collectors.toList());
        }
        assertEquals(before, after, what + ": no file made or left behind");
      }
    } finally {
      AuditLog.failWritesForTest = null;
    }
  }
}
