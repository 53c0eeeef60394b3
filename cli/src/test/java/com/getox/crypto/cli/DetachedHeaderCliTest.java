package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: {@code encrypt --detached-header} writes the body and a sidecar header apart; {@code
 * decrypt} reads them (whole, by range, as a clip, recovering); {@code rewrap}, {@code share} and
 * {@code revoke} edit the sidecar alone, reading at most the body's first 56 bytes and never
 * writing it; {@code inspect} describes a header alone.
 */
class DetachedHeaderCliTest extends CliTestBase {
  /** As JsonOutputTest: one document on stdout, nothing after it. */
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  @TempDir Path dir;
  private String keys;
  private byte[] plain;
  private Path header;
  private Path body;

  @BeforeEach
  void setUp() throws Exception {
    keys = dir.resolve("keys.json").toString();
    ok("keys", "create", "--keyset", keys, "--insecure", "--name", "keys");
    plain = random(3 * CHUNK + 100, 16);
    header = dir.resolve("talk.oxh");
    body = dir.resolve("talk.body");
    Path in = Files.write(dir.resolve("talk.pcm"), plain);
    JsonNode j = json(ok("encrypt", "--json", "--keyset", keys, "--context", "user-id=u-16",
        "--detached-header", header.toString(), in.toString(), body.toString()));
    assertEquals(header.toString(), j.get("detachedHeader").asText(), j::toString);
    assertEquals(Files.size(header), j.get("headerBytes").asLong(), j::toString);
  }

  private static JsonNode json(Result r) throws Exception {
    JsonNode j = JSON.readTree(r.stdout);
    assertEquals(r.code, j.get("exitCode").asInt(), j::toString);
    return j;
  }

  private Result fails(int code, String... args) {
    return assertFails(code, run(args));
  }

  private byte[] decrypt(String... args) throws Exception {
    Path out = dir.resolve("out.bin");
    Files.deleteIfExists(out);
    List<String> a = new ArrayList<>(List.of("decrypt"));
    a.addAll(Arrays.asList(args));
    a.add(out.toString());
    ok(a.toArray(new String[0]));
    return Files.readAllBytes(out);
  }

  /** A file holding the body's first 56 bytes alone: an edit that needs more would fail on it. */
  private Path bodyPrefixOnly() throws Exception {
    return Files.write(dir.resolve("prefix.body"), Arrays.copyOf(Files.readAllBytes(body), 56));
  }

  private void assertBodyUntouched(byte[] bytes, FileTime mtime) throws Exception {
    assertArrayEquals(bytes, Files.readAllBytes(body), "body bytes unchanged");
    assertEquals(mtime, Files.getLastModifiedTime(body), "body not rewritten");
  }

  @Test
  void roundTripWholeAndFromStdin() throws Exception {
    byte[] h = Files.readAllBytes(header);
    RecordingHeader parsed = RecordingHeader.parse(h, ReadOptions.defaults());
    assertEquals("u-16", parsed.context().stored().asMap().get("user-id"));
    assertFalse(new String(Files.readAllBytes(body), 0, 4, java.nio.charset.StandardCharsets.ISO_8859_1)
        .equals(new String(h, 0, 4, java.nio.charset.StandardCharsets.ISO_8859_1)), "body alone");

    assertArrayEquals(plain, decrypt("--keyset", keys, "--expect", "user-id=u-16",
        "--detached-header", header.toString(), body.toString()));
    Result r = run(Files.readAllBytes(body), "decrypt", "--keyset", keys, "--detached-header",
        header.toString(), "-", "-");
    assertEquals(0, r.code, r.stderr);
    assertArrayEquals(plain, r.stdout);
    JsonNode j = json(ok("decrypt", "--json", "--keyset", keys, "--detached-header",
        header.toString(), body.toString(), dir.resolve("j.bin").toString()));
    assertEquals(header.toString(), j.get("detachedHeader").asText(), j::toString);
    assertEquals(plain.length, j.get("plaintextBytes").asLong(), j::toString);

    // Without its header the body is not a recording.
    fails(OxCrypt.INTEGRITY, "decrypt", "--keyset", keys, body.toString(), dir.resolve("x").toString());
  }

  @Test
  void randomAccessAndRecoverOverADetachedBody() throws Exception {
    assertArrayEquals(Arrays.copyOfRange(plain, CHUNK - 10, CHUNK + 5000), decrypt("--keyset", keys,
        "--detached-header", header.toString(), "--offset", Integer.toString(CHUNK - 10),
        "--length", "5010", body.toString()));

    // A body cut after its first chunk: --recover salvages that chunk (exit 7).
    byte[] whole = Files.readAllBytes(body);
    Path cut = Files.write(dir.resolve("cut.body"), Arrays.copyOf(whole, 56 + CHUNK + 16 + 100));
    Path out = dir.resolve("salvaged.bin");
    Result r = run("decrypt", "--keyset", keys, "--detached-header", header.toString(), "--recover",
        cut.toString(), out.toString());
    assertEquals(OxCrypt.RECOVERED_PREFIX, r.code, r.stderr);
    assertArrayEquals(Arrays.copyOf(plain, CHUNK), Files.readAllBytes(out));
  }

  @Test
  void aClipOfADetachedWavBodyEqualsTheAttachedOnesClip() throws Exception {
    Path wav = AudioClipCliTest.FIXTURES.resolve("speech-16k-mono-16bit.wav");
    Path h = dir.resolve("speech.oxh");
    Path b = dir.resolve("speech.body");
    Path attached = dir.resolve("speech.oxr");
    ok("encrypt", "--keyset", keys, "--detached-header", h.toString(), wav.toString(), b.toString());
    ok("encrypt", "--keyset", keys, wav.toString(), attached.toString());
    Path clip = dir.resolve("clip.wav");
    Path expected = dir.resolve("expected.wav");
    ok("decrypt", "--keyset", keys, "--detached-header", h.toString(), "--from", "1.5", "--to", "0:03",
        b.toString(), clip.toString());
    ok("decrypt", "--keyset", keys, "--from", "1.5", "--to", "0:03", attached.toString(), expected.toString());
    assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(clip));
  }

  @Test
  void inspectDescribesAHeaderAlone() throws Exception {
    JsonNode j = JSON.readTree(ok("inspect", header.toString()).stdout);
    assertTrue(j.get("detachedHeader").asBoolean(), j::toString);
    assertTrue(j.get("layout").asText().startsWith("detached header"), j::toString);
    assertTrue(j.get("bodyBytes").isNull(), j::toString);
    assertEquals(Files.size(header), j.get("headerBytes").asLong());
    assertEquals("local://keys", j.get("recipients").get(0).asText());
    JsonNode withKey = json(ok("inspect", "--json", "--keyset", keys, header.toString()));
    assertTrue(withKey.get("audio").isNull(), withKey::toString);
  }

  @Test
  void rewrapAfterRotationEditsOnlyTheHeaderAndReadsAtMost56BodyBytes() throws Exception {
    byte[] bodyBytes = Files.readAllBytes(body);
    FileTime mtime = Files.getLastModifiedTime(body);
    byte[] before = Files.readAllBytes(header);

    JsonNode current = json(ok("rewrap", "--json", "--keyset", keys, "--detached-header", header.toString()));
    assertEquals(1, current.get("alreadyCurrent").asInt(), current::toString);
    assertEquals(0, current.get("bodyBytesRead").asInt(), "nothing to unwrap: no body needed");

    ok("keys", "rotate", "--keyset", keys);
    // The key must be unwrapped now: without --body, a usage error naming it; nothing changes.
    Result missing = fails(OxCrypt.USAGE, "rewrap", "--keyset", keys, "--detached-header", header.toString());
    assertTrue(missing.stderr.contains("--body"), missing.stderr);
    assertArrayEquals(before, Files.readAllBytes(header));

    // A body file holding only the first 56 bytes is enough: nothing past them is needed.
    Path prefix = bodyPrefixOnly();
    JsonNode j = json(ok("rewrap", "--json", "--keyset", keys, "--detached-header", header.toString(),
        "--body", prefix.toString()));
    assertEquals(1, j.get("rewrapped").asInt(), j::toString);
    assertEquals(56, j.get("bodyBytesRead").asInt(), j::toString);
    assertEquals(prefix.toString(), j.get("body").asText(), j::toString);
    assertFalse(Arrays.equals(before, Files.readAllBytes(header)), "header rewritten");
    assertBodyUntouched(bodyBytes, mtime);

    // Only the new version can open it now: disable the old one.
    String old = RecordingHeader.parse(before, ReadOptions.defaults()).wrappedKeys().get(0).kekVersion();
    ok("keys", "disable", "--keyset", keys, "--key-version", old);
    assertArrayEquals(plain, decrypt("--keyset", keys, "--detached-header", header.toString(), body.toString()));
    assertBodyUntouched(bodyBytes, mtime);
  }

  @Test
  void shareWithAnotherKeysetThenRevoke() throws Exception {
    byte[] bodyBytes = Files.readAllBytes(body);
    FileTime mtime = Files.getLastModifiedTime(body);
    String team = dir.resolve("team.json").toString();
    ok("keys", "create", "--keyset", team, "--insecure", "--name", "team");
    fails(OxCrypt.NO_USABLE_KEY, "decrypt", "--keyset", team, "--detached-header", header.toString(),
        body.toString(), dir.resolve("no.bin").toString());

    Result missing = fails(OxCrypt.USAGE, "share", "--keyset", keys, "--to-keyset", team,
        "--detached-header", header.toString());
    assertTrue(missing.stderr.contains("--body"), missing.stderr);

    JsonNode j = json(ok("share", "--json", "--keyset", keys, "--to-keyset", team,
        "--detached-header", header.toString(), "--body", body.toString()));
    assertTrue(j.get("changed").asBoolean(), j::toString);
    assertEquals("local://team", j.get("recipient").asText());
    assertEquals(56, j.get("bodyBytesRead").asInt(), j::toString);
    assertBodyUntouched(bodyBytes, mtime);
    assertArrayEquals(plain, decrypt("--keyset", team, "--detached-header", header.toString(), body.toString()));

    // Sharing again changes nothing (the team keyset, already listed, is checked on 56 bytes).
    assertFalse(json(ok("share", "--json", "--keyset", keys, "--to-keyset", team,
        "--detached-header", header.toString(), "--body", body.toString())).get("changed").asBoolean());

    // Revoke reads no body byte.
    JsonNode r = json(ok("revoke", "--json", "--keyset", keys, "--recipient", "local://team",
        "--detached-header", header.toString()));
    assertEquals(0, r.get("bodyBytesRead").asInt(), r::toString);
    assertTrue(r.get("body").isNull(), r::toString);
    fails(OxCrypt.NO_USABLE_KEY, "decrypt", "--keyset", team, "--detached-header", header.toString(),
        body.toString(), dir.resolve("no.bin").toString());
    assertArrayEquals(plain, decrypt("--keyset", keys, "--detached-header", header.toString(), body.toString()));
    assertBodyUntouched(bodyBytes, mtime);
  }

  /** QA finding 3: a keyset with no key in the header cannot re-wrap it: exit 4, not "already current". */
  @Test
  void rewrapWithAKeysetThatHasNoKeyInTheHeaderFails() throws Exception {
    String team = dir.resolve("team.json").toString();
    ok("keys", "create", "--keyset", team, "--insecure", "--name", "team");
    byte[] before = Files.readAllBytes(header);
    Result r = fails(OxCrypt.NO_USABLE_KEY, "rewrap", "--keyset", team, "--detached-header",
        header.toString(), "--body", body.toString());
    assertFalse(r.out().contains("already current"), r.out());
    assertArrayEquals(before, Files.readAllBytes(header), "unchanged");
  }

  @Test
  void aBodyThatIsNotTheHeadersIsAnIntegrityFailure() throws Exception {
    Path other = dir.resolve("other.body");
    ok("encrypt", "--keyset", keys, "--detached-header", dir.resolve("other.oxh").toString(),
        Files.write(dir.resolve("other.pcm"), random(1000, 3)).toString(), other.toString());
    byte[] before = Files.readAllBytes(header);
    Path pub = dir.resolve("alice.pub");
    ok("keys", "create-recipient", "--out", dir.resolve("alice").toString());
    Result r = fails(OxCrypt.INTEGRITY, "share", "--keyset", keys, "--to-public-key", pub.toString(),
        "--detached-header", header.toString(), "--body", other.toString());
    assertTrue(r.stderr.contains("integrity failure"), r.stderr);
    assertArrayEquals(before, Files.readAllBytes(header), "unchanged");
    fails(OxCrypt.INTEGRITY, "decrypt", "--keyset", keys, "--detached-header", header.toString(),
        other.toString(), dir.resolve("no.bin").toString());
    assertFalse(Files.exists(dir.resolve("no.bin")));
    // A recording file is not a detached header.
    Path attached = dir.resolve("a.oxr");
    ok("encrypt", "--keyset", keys, dir.resolve("other.pcm").toString(), attached.toString());
    fails(OxCrypt.INTEGRITY, "rewrap", "--keyset", keys, "--detached-header", attached.toString());
  }

  @Test
  void usageErrors() throws Exception {
    String h = header.toString();
    fails(OxCrypt.USAGE, "share", "--keyset", keys, "--to-keyset", keys, "--detached-header", h,
        body.toString());
    fails(OxCrypt.USAGE, "rewrap", "--keyset", keys);
    fails(OxCrypt.USAGE, "rewrap", "--keyset", keys, "--detached-header", h, dir.toString());
    fails(OxCrypt.USAGE, "revoke", "--keyset", keys, "--recipient", "local://x", "--body", body.toString(),
        dir.resolve("x.oxr").toString());
    fails(OxCrypt.USAGE, "encrypt", "--keyset", keys, "--flush-every", "1s", "--detached-header",
        dir.resolve("n.oxh").toString(), body.toString(), dir.resolve("n.body").toString());
  }

  @Test
  void aFailedEncryptLeavesNeitherBodyNorHeader() throws Exception {
    Path h = dir.resolve("new.oxh");
    Path b = dir.resolve("new.body");
    Path notReadable = Files.createDirectories(dir.resolve("a-directory"));
    fails(OxCrypt.IO_ERROR, "encrypt", "--keyset", keys, "--detached-header", h.toString(),
        notReadable.toString(), b.toString());
    assertFalse(Files.exists(h));
    assertFalse(Files.exists(b));
  }

  @Test
  void anInputFailingMidwayLeavesTheOldBodyAndHeader() throws Exception {
    Path h = Files.write(dir.resolve("old.oxh"), new byte[] {1, 2, 3});
    Path b = Files.write(dir.resolve("old.body"), new byte[] {4, 5, 6});
    java.io.InputStream failing = new java.io.InputStream() {
      private int left = 2 * CHUNK + 7;

      @Override
      public int read() throws java.io.IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws java.io.IOException {
        if (left == 0) {
          throw new java.io.IOException("microphone unplugged");
        }
        int n = Math.min(len, left);
        left -= n;
        return n; // zeros
      }
    };
    Result r = run(failing, "encrypt", "--keyset", keys, "--detached-header", h.toString(), "-",
        b.toString());
    assertFails(OxCrypt.IO_ERROR, r);
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(h), "no header for a partial body");
    assertArrayEquals(new byte[] {4, 5, 6}, Files.readAllBytes(b), "no partial body");
    try (java.util.stream.Stream<Path> left = Files.list(dir)) {
      assertFalse(left.anyMatch(p -> p.toString().endsWith(".oxtmp")), "no temporary left");
    }
  }

  /**
   * QA finding 1: a header that cannot be written (its directory missing, or a directory in its
   * place) must not cost the existing recording: the old body and header are left as they were,
   * and still decrypt. The header's temporary file is made before OUT is touched.
   */
  @Test
  void aHeaderThatCannotBeWrittenLeavesTheExistingBodyAndHeader() throws Exception {
    byte[] bodyBefore = Files.readAllBytes(body);
    byte[] headerBefore = Files.readAllBytes(header);
    Path in = Files.write(dir.resolve("other.pcm"), random(1000, 9));
    Path aDirectory = Files.createDirectories(dir.resolve("hdir"));
    for (Path h : List.of(dir.resolve("missing").resolve("talk.oxh"), aDirectory)) {
      Result r = fails(OxCrypt.IO_ERROR, "encrypt", "--keyset", keys, "--detached-header", h.toString(),
          in.toString(), body.toString());
      assertArrayEquals(bodyBefore, Files.readAllBytes(body), "old body kept for " + h);
      assertArrayEquals(headerBefore, Files.readAllBytes(header), "old header kept");
      assertTrue(r.stderr.contains(h.toString()), r.stderr);
      assertTrue(r.stderr.contains("left as they were"), r.stderr);
      assertArrayEquals(plain, decrypt("--keyset", keys, "--detached-header", header.toString(),
          body.toString()));
      // A new OUT is not left behind either.
      fails(OxCrypt.IO_ERROR, "encrypt", "--keyset", keys, "--detached-header", h.toString(),
          in.toString(), dir.resolve("new.body").toString());
      assertFalse(Files.exists(dir.resolve("new.body")));
    }
    assertTrue(Files.isDirectory(aDirectory));
    try (java.util.stream.Stream<Path> left = Files.list(dir)) {
      assertFalse(left.anyMatch(p -> p.toString().endsWith(".oxtmp")), "no temporary left");
    }
  }

  /** QA finding 9: a header alone given as the recording gets a hint to --detached-header, not "truncated". */
  @Test
  void decryptingAHeaderAlonePointsToDetachedHeader() throws Exception {
    Path out = dir.resolve("x.wav");
    for (List<String> extra : List.of(List.<String>of(), List.of("--offset", "0"), List.of("--from", "0"),
        List.of("--recover"))) {
      List<String> a = new ArrayList<>(List.of("decrypt", "--keyset", keys));
      a.addAll(extra);
      a.addAll(List.of(header.toString(), out.toString()));
      Result r = fails(OxCrypt.INTEGRITY, a.toArray(new String[0]));
      assertTrue(r.stderr.contains("--detached-header " + header), extra + ": " + r.stderr);
      assertFalse(Files.exists(out), extra.toString());
    }
  }

  @Test
  void concurrentSharesOfOneHeaderAreBothKept() throws Exception {
    ok("keys", "create-recipient", "--out", dir.resolve("alice").toString());
    ok("keys", "create-recipient", "--out", dir.resolve("bob").toString());
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Result>> runs = new ArrayList<>();
      for (String who : List.of("alice", "bob")) {
        runs.add(pool.submit(() -> run("share", "--keyset", keys, "--to-public-key",
            dir.resolve(who + ".pub").toString(), "--detached-header", header.toString(),
            "--body", body.toString())));
      }
      for (Future<Result> f : runs) {
        Result r = f.get();
        assertEquals(0, r.code, r.stderr);
      }
    } finally {
      pool.shutdown();
    }
    assertEquals(3, RecordingHeader.parse(Files.readAllBytes(header), ReadOptions.defaults())
        .wrappedKeys().size(), "neither share lost");
    for (String who : List.of("alice", "bob")) {
      assertArrayEquals(plain, decrypt("--identity", dir.resolve(who + ".key").toString(),
          "--detached-header", header.toString(), body.toString()));
    }
  }
}
