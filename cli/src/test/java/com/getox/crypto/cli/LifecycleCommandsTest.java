package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingFiles;
import com.getox.crypto.RecordingHeader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key-lifecycle commands in-process: rewrap, keys destroy --dry-run/--scan, keys
 * create-recipient, share, revoke, decrypt --identity and inspect's recipients, with their failure
 * paths and exit codes.
 */
class LifecycleCommandsTest extends CliTestBase {

  @TempDir Path dir;
  private Path keys;
  private Path recs;


  @BeforeEach
  void setUp() throws IOException {
    keys = dir.resolve("keys.json");
    recs = Files.createDirectories(dir.resolve("recs"));
  }



  private String primary(Path keyset) {
    return ok("keys", "list", "--keyset", keyset.toString()).out().lines()
        .filter(l -> l.trim().endsWith("yes")).map(l -> l.trim().split("\\s+")[0]).findFirst().orElseThrow();
  }

  /** Encrypts {@code plain} under {@code keys} into {@code out}. */
  private Path encrypt(byte[] plain, Path out) throws IOException {
    Path in = Files.write(dir.resolve("plain-" + out.getFileName() + ".bin"), plain);
    Files.createDirectories(out.getParent());
    ok("encrypt", "--keyset", keys.toString(), "--context", "user-id=u-7", in.toString(), out.toString());
    Files.delete(in);
    return out;
  }

  private byte[] decrypt(Path rec, String... keyArgs) throws IOException {
    Path back = dir.resolve("back.bin");
    Files.deleteIfExists(back);
    List<String> args = new ArrayList<>(List.of("decrypt"));
    args.addAll(Arrays.asList(keyArgs));
    args.add(rec.toString());
    args.add(back.toString());
    ok(args.toArray(new String[0]));
    return Files.readAllBytes(back);
  }

  private static RecordingHeader header(Path rec) throws Exception {
    return RecordingFiles.readHeader(rec.toFile(), ReadOptions.defaults());
  }

  /** Everything after the header: salt, commitment and chunks. */
  private static byte[] body(Path rec) throws Exception {
    byte[] all = Files.readAllBytes(rec);
    return Arrays.copyOfRange(all, header(rec).toByteArray().length, all.length);
  }

  private static List<String> versionsOf(Path rec) throws Exception {
    return header(rec).wrappedKeys().stream().map(w -> w.kekUri() + "#" + w.kekVersion())
        .collect(Collectors.toList());
  }

  /** The value of a report line such as "re-wrapped   3". */
  private static long count(Result r, String label) {
    return r.out().lines().filter(l -> l.startsWith(label + " "))
        .map(l -> Long.parseLong(l.substring(label.length()).trim().split("\\s+")[0]))
        .findFirst().orElseThrow(() -> new AssertionError("no '" + label + "' in " + r.out()));
  }

  /** The indented file lines of a destroy listing. */
  private static List<String> listed(Result r) {
    return r.out().lines().filter(l -> l.startsWith("  ")).map(String::trim).sorted().collect(Collectors.toList());
  }

  private String recipientUri(Result createRecipient) {
    return createRecipient.out().lines().filter(l -> l.startsWith("recipient "))
        .map(l -> l.substring("recipient ".length()).trim()).findFirst().orElseThrow();
  }

  private List<String> inspectRecipients(Path rec) throws IOException {
    JsonNode json = new ObjectMapper().readTree(ok("inspect", rec.toString()).stdout);
    List<String> out = new ArrayList<>();
    json.get("recipients").forEach(n -> out.add(n.asText()));
    List<String> fromKeys = new ArrayList<>();
    json.get("wrappedKeys").forEach(n -> fromKeys.add(n.get("kekUri").asText()));
    assertEquals(fromKeys.stream().distinct().collect(Collectors.toList()), out);
    return out;
  }

  // ---------------------------------------------------------------- rewrap

  @Test
  void rotateThenRewrapADirectoryChangesOnlyHeaders() throws Exception {
    ok("keys", "create", "--keyset", keys.toString(), "--insecure", "--name", "keys");
    String v1 = primary(keys);
    Map<Path, byte[]> plain = new HashMap<>();
    plain.put(recs.resolve("a.oxr"), random(3 * CHUNK + 17, 1));
    plain.put(recs.resolve("sub/b.oxr"), random(0, 2));
    plain.put(recs.resolve("sub/deeper/c.oxr"), random(CHUNK, 3));
    Map<Path, byte[]> bodies = new HashMap<>();
    for (Map.Entry<Path, byte[]> e : plain.entrySet()) {
      encrypt(e.getValue(), e.getKey());
      bodies.put(e.getKey(), body(e.getKey()));
      assertEquals(List.of("local://keys#" + v1), versionsOf(e.getKey()));
    }
    Path notes = Files.writeString(recs.resolve("notes.txt"), "not a recording");
    // Left by runs killed before their rename: never counted or opened, and removed when a.oxr is
    // replaced (under the directory lock no live writer can own one, however fresh).
    Path stale = Files.write(recs.resolve(".a.oxr.123" + RecordingFiles.TEMP_SUFFIX), new byte[] {1, 2, 3});
    Path fresh = Files.write(recs.resolve(".a.oxr.456" + RecordingFiles.TEMP_SUFFIX), new byte[] {1, 2, 3});

    ok("keys", "rotate", "--keyset", keys.toString());
    String v2 = primary(keys);
    assertNotEquals(v1, v2);

    Result r = ok("rewrap", "--keyset", keys.toString(), "--threads", "2", recs.toString());
    assertEquals(3, count(r, "re-wrapped"));
    assertEquals(0, count(r, "already current"));
    assertEquals(0, count(r, "failed"));
    assertFalse(r.stderr.contains("rewrap"), "no progress bar unless asked or on a terminal: " + r.stderr);
    for (Map.Entry<Path, byte[]> e : plain.entrySet()) {
      assertEquals(List.of("local://keys#" + v2), versionsOf(e.getKey()));
      assertArrayEquals(bodies.get(e.getKey()), body(e.getKey()), "body bytes must not change");
      assertArrayEquals(e.getValue(), decrypt(e.getKey(), "--keyset", keys.toString(), "--expect", "user-id=u-7"));
    }
    assertEquals("not a recording", Files.readString(notes));
    assertFalse(Files.exists(stale));
    assertFalse(Files.exists(fresh));

    // The old version is no longer needed: nothing depends on it, destroy it, every file still opens.
    Result dry = ok("keys", "destroy", "--dry-run", "--scan", recs.toString(), "--keyset", keys.toString(),
        "--key-version", v1);
    assertTrue(dry.out().contains("would make no scanned recording unreadable."), dry.out());
    assertEquals(List.of(), listed(dry));
    ok("keys", "destroy", "--keyset", keys.toString(), "--key-version", v1);
    for (Map.Entry<Path, byte[]> e : plain.entrySet()) {
      assertArrayEquals(e.getValue(), decrypt(e.getKey(), "--keyset", keys.toString()));
    }

    Result again = ok("rewrap", "--keyset", keys.toString(), recs.toString());
    assertEquals(0, count(again, "re-wrapped"));
    assertEquals(3, count(again, "already current"));
  }

  @Test
  void rewrapResumesFromItsJournal() throws Exception {
    ok("keys", "create", "--keyset", keys.toString(), "--insecure", "--name", "keys");
    for (String name : List.of("a.oxr", "b.oxr", "c.oxr")) {
      encrypt(random(5000, name.hashCode()), recs.resolve(name));
    }
    ok("keys", "rotate", "--keyset", keys.toString());
    String v2 = primary(keys);
    Path journal = dir.resolve("rewrap.journal");
    // A first run that got through a.oxr only (as if killed right after it).
    Result first = ok("rewrap", "--keyset", keys.toString(), "--journal", journal.toString(),
        recs.resolve("a.oxr").toString());
    assertEquals(1, count(first, "re-wrapped"));
    byte[] aAfterFirst = Files.readAllBytes(recs.resolve("a.oxr"));

    Result resumed = ok("rewrap", "--keyset", keys.toString(), "--journal", journal.toString(), recs.toString());
    assertEquals(1, count(resumed, "done by an earlier run"));
    assertEquals(2, count(resumed, "re-wrapped"));
    assertEquals(0, count(resumed, "already current"));
    assertArrayEquals(aAfterFirst, Files.readAllBytes(recs.resolve("a.oxr")), "a.oxr is not touched again");
    for (String name : List.of("a.oxr", "b.oxr", "c.oxr")) {
      assertEquals(List.of("local://keys#" + v2), versionsOf(recs.resolve(name)));
    }
    Result third = ok("rewrap", "--keyset", keys.toString(), "--journal", journal.toString(), recs.toString());
    assertEquals(3, count(third, "done by an earlier run"));
  }

  @Test
  void rewrapReportsFailuresWithTheirExitClass() throws Exception {
    ok("keys", "create", "--keyset", keys.toString(), "--insecure", "--name", "keys");
    String v1 = primary(keys);
    Path good = encrypt(random(3000, 4), recs.resolve("a-good.oxr"));
    Path cut = encrypt(random(3000, 5), recs.resolve("b-cut.oxr"));
    byte[] cutBytes = Files.readAllBytes(cut);
    // The header survives, the body's salt and commitment do not: an integrity failure.
    Files.write(cut, Arrays.copyOf(cutBytes, header(cut).toByteArray().length + 10));
    ok("keys", "rotate", "--keyset", keys.toString());

    Result r = assertFails(OxCrypt.INTEGRITY, run("rewrap", "--keyset", keys.toString(), recs.toString()));
    assertEquals(1, count(r, "re-wrapped"));
    assertEquals(1, count(r, "failed"));
    assertTrue(r.out().contains("  " + cut + ": integrity failure: "), r.out());
    assertTrue(r.stderr.contains("1 recording could not be re-wrapped"), r.stderr);
    assertFalse(versionsOf(good).contains("local://keys#" + v1));

    // A recording only a destroyed version wrapped: no usable key.
    Files.delete(cut);
    Path orphan = encrypt(random(3000, 6), recs.resolve("c-orphan.oxr"));
    ok("keys", "rotate", "--keyset", keys.toString());
    ok("rewrap", "--keyset", keys.toString(), good.toString()); // good moves on, the orphan does not
    String v2 = versionsOf(orphan).get(0).split("#")[1];
    ok("keys", "destroy", "--keyset", keys.toString(), "--key-version", v2);
    Result gone = assertFails(OxCrypt.NO_USABLE_KEY, run("rewrap", "--keyset", keys.toString(), recs.toString()));
    assertEquals(1, count(gone, "already current"));
    assertEquals(1, count(gone, "failed"));
    assertTrue(gone.out().contains(orphan + ": no usable key: ") && gone.out().contains("destroyed"),
        gone.out());

    assertFails(OxCrypt.USAGE, run("rewrap", "--keyset", keys.toString(), "--threads", "0", recs.toString()));
    assertFails(OxCrypt.USAGE, run("rewrap", "--keyset", keys.toString()));
    assertFails(OxCrypt.IO_ERROR, run("rewrap", "--keyset", keys.toString(), dir.resolve("nope").toString()));
  }

  /**
   * QA finding 3: a keyset with no key in the recording has nothing to re-wrap there; that is a
   * failure (exit 4, not "already current"), for a file and in a directory, and the file is kept.
   */
  @Test
  void rewrapWithAKeysetThatHasNoKeyInTheRecordingFails() throws Exception {
    ok("keys", "create", "--keyset", keys.toString(), "--insecure", "--name", "keys");
    Path other = dir.resolve("other.json");
    ok("keys", "create", "--keyset", other.toString(), "--insecure", "--name", "other");
    Path rec = encrypt(random(2000, 8), recs.resolve("r.oxr"));
    byte[] before = Files.readAllBytes(rec);

    Result bulk = assertFails(OxCrypt.NO_USABLE_KEY, run("rewrap", "--keyset", other.toString(), recs.toString()));
    assertEquals(0, count(bulk, "already current"), bulk.out());
    assertEquals(1, count(bulk, "failed"), bulk.out());
    assertTrue(bulk.out().contains("local://keys"), bulk.out());
    Result one = assertFails(OxCrypt.NO_USABLE_KEY, run("rewrap", "--keyset", other.toString(), rec.toString()));
    assertEquals(0, count(one, "already current"), one.out());
    JsonNode j = new ObjectMapper().readTree(assertFails(OxCrypt.NO_USABLE_KEY,
        run("rewrap", "--json", "--keyset", other.toString(), recs.toString())).stdout);
    assertEquals(0, j.get("alreadyCurrent").asInt(), j::toString);
    assertEquals(rec.toString(), j.get("failed").get(0).get("file").asText(), j::toString);
    assertArrayEquals(before, Files.readAllBytes(rec), "left as it was");
    // Its own keyset still finds it current.
    assertEquals(1, count(ok("rewrap", "--keyset", keys.toString(), recs.toString()), "already current"));
  }

  /**
   * QA finding 8: a failure line names the file as the user gave it (not its absolute path) and
   * says what is wrong in the CLI's words, without Java class names; a sidecar header in a
   * directory is pointed to --detached-header, not called truncated.
   */
  @Test
  void rewrapFailureLinesNameTheFileAsGivenWithoutClassNames() throws Exception {
    ok("keys", "create", "--keyset", keys.toString(), "--insecure", "--name", "keys");
    Path other = dir.resolve("other.json");
    ok("keys", "create", "--keyset", other.toString(), "--insecure", "--name", "other");
    Path rec = encrypt(random(2000, 9), recs.resolve("s.oxr"));
    Path in = Files.write(dir.resolve("t.pcm"), random(2000, 10));
    ok("encrypt", "--keyset", keys.toString(), "--detached-header", recs.resolve("t.oxh").toString(),
        in.toString(), dir.resolve("t.body").toString());
    String given = Path.of("").toAbsolutePath().relativize(recs.toAbsolutePath()).toString();
    String absolute = recs.toAbsolutePath().toString();
    String canonical = recs.toRealPath().toString();

    Result sidecar = assertFails(OxCrypt.INTEGRITY, run("rewrap", "--keyset", keys.toString(), given));
    Result foreign = assertFails(OxCrypt.NO_USABLE_KEY,
        run("rewrap", "--keyset", other.toString(), Path.of(given, "s.oxr").toString()));
    assertTrue(sidecar.out().contains("  " + Path.of(given, "t.oxh") + ": "), sidecar.out());
    assertTrue(sidecar.out().contains("--detached-header"), sidecar.out());
    assertTrue(foreign.out().contains("  " + Path.of(given, "s.oxr") + ": no usable key: "), foreign.out());
    for (Result r : List.of(sidecar, foreign)) {
      for (String text : List.of(r.out(), r.stderr)) {
        assertFalse(text.contains("Exception"), text);
        String rest = text.replace(given, "GIVEN"); // the relative name ends like the absolute one
        assertFalse(rest.contains(absolute) || rest.contains(canonical), text);
      }
    }
    assertTrue(Files.exists(rec));
  }

  @Test
  void rewrapDrawsAProgressBarOnlyWhenAsked() throws Exception {
    ok("keys", "create", "--keyset", keys.toString(), "--insecure", "--name", "keys");
    for (int i = 0; i < 4; i++) {
      encrypt(random(100, i), recs.resolve("r" + i + ".oxr"));
    }
    ok("keys", "rotate", "--keyset", keys.toString());
    Result r = run("rewrap", "--keyset", keys.toString(), "--progress", recs.toString());
    assertEquals(0, r.code, r.stderr);
    assertTrue(r.stderr.contains("rewrap") && r.stderr.contains("4/4"), r.stderr);
    assertFalse(r.out().contains("rewrap "), "the bar goes to stderr only: " + r.out());
    assertEquals(4, count(r, "re-wrapped"));
    Result quiet = ok("rewrap", "--keyset", keys.toString(), "--no-progress", recs.toString());
    assertFalse(quiet.stderr.contains("4/4"), quiet.stderr);
    Result empty = ok("rewrap", "--keyset", keys.toString(), Files.createDirectories(dir.resolve("empty")).toString());
    assertTrue(empty.stderr.contains("no recordings found"), empty.stderr);
  }

  // ---------------------------------------------------------------- destroy --dry-run --scan

  /** Issue 12 defect 6 and the QA pass: a header over the reader's limit is a usage error, nothing written. */
  @Test
  void aContextTooLargeForAHeaderIsRefusedBeforeWriting() throws Exception {
    ok("keys", "create", "--keyset", keys.toString(), "--insecure");
    Path in = Files.write(dir.resolve("in.bin"), random(1000, 9));
    List<String> args = new java.util.ArrayList<>(List.of("encrypt", "--keyset", keys.toString()));
    for (int i = 0; i < 64; i++) {
      args.add("--context");
      args.add(String.format("%03d", i) + "k".repeat(252) + "=" + "v".repeat(1024));
    }
    Path out = recs.resolve("big.oxr");
    args.add(in.toString());
    args.add(out.toString());
    Result r = assertFails(OxCrypt.USAGE, run(args.toArray(new String[0])));
    assertTrue(r.stderr.contains("header limit"), r.stderr);
    assertFalse(Files.exists(out));
    // An IN that cannot be read at all (a directory) leaves no new OUT either.
    assertFails(OxCrypt.IO_ERROR, run("encrypt", "--keyset", keys.toString(), recs.toString(), out.toString()));
    assertFalse(Files.exists(out));
  }

  /** Issue 12 defect 9 through the CLI: destroy deletes, and says it deleted, a killed rotate's copy. */
  @Test
  void destroyDeletesAndReportsStaleCopiesOfTheKeyset() throws Exception {
    ok("keys", "create", "--keyset", keys.toString(), "--insecure");
    String v1 = primary(keys);
    Path a = encrypt(random(2000, 1), recs.resolve("a.oxr"));
    ok("keys", "rotate", "--keyset", keys.toString());
    // What a later change killed before its rename leaves: a copy of the keyset with every version.
    Path stale = Files.write(dir.resolve(".keys.json.5e1f" + RecordingFiles.TEMP_SUFFIX), Files.readAllBytes(keys));
    Result r = ok("keys", "destroy", "--keyset", keys.toString(), "--key-version", v1);
    assertTrue(r.out().contains("also deleted 1 stale copy"), r.out());
    assertFalse(Files.exists(stale));
    try (var files = Files.list(dir)) {
      assertEquals(List.of(), files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(RecordingFiles.TEMP_SUFFIX)).collect(java.util.stream.Collectors.toList()));
    }
    assertFails(OxCrypt.NO_USABLE_KEY, run("decrypt", "--keyset", keys.toString(), a.toString(),
        dir.resolve("a.pcm").toString()));
  }

  @Test
  void destroyDryRunListsExactlyTheRecordingsOnlyThatVersionOpens() throws Exception {
    ok("keys", "create", "--keyset", keys.toString(), "--insecure", "--name", "keys");
    String v1 = primary(keys);
    Path a = encrypt(random(2000, 1), recs.resolve("a.oxr"));
    Path b = encrypt(random(2000, 2), recs.resolve("x/b.oxr"));
    Path d = encrypt(random(2000, 3), recs.resolve("x/y/d.oxr"));
    Path alice = dir.resolve("alice");
    ok("keys", "create-recipient", "--out", alice.toString());
    ok("share", "--keyset", keys.toString(), "--to-public-key", alice + ".pub", b.toString()); // alice keeps b
    ok("keys", "rotate", "--keyset", keys.toString());
    Path c = encrypt(random(2000, 4), recs.resolve("c.oxr")); // under the new version
    Files.writeString(recs.resolve("readme.txt"), "not a recording");
    byte[] keysetBefore = Files.readAllBytes(keys);

    Result dry = ok("keys", "destroy", "--dry-run", "--scan", recs.toString(), "--keyset", keys.toString(),
        "--key-version", v1);
    assertEquals(List.of(a.toString(), d.toString()).stream().sorted().collect(Collectors.toList()), listed(dry));
    assertTrue(dry.out().contains("nothing was destroyed"), dry.out());
    assertArrayEquals(keysetBefore, Files.readAllBytes(keys), "a dry run leaves the keyset alone");
    assertArrayEquals(random(2000, 1), decrypt(a, "--keyset", keys.toString()));

    // Several scan paths; a file given directly.
    Result two = ok("keys", "destroy", "--dry-run", "--scan", a.toString(), c.toString(), "--keyset",
        keys.toString(), "--key-version", v1);
    assertEquals(List.of(a.toString()), listed(two));

    assertFails(OxCrypt.USAGE, run("keys", "destroy", "--dry-run", "--keyset", keys.toString(), "--key-version", v1));
    assertFails(OxCrypt.IO_ERROR, run("keys", "destroy", "--scan", dir.resolve("nope").toString(),
        "--keyset", keys.toString(), "--key-version", v1));
    assertArrayEquals(keysetBefore, Files.readAllBytes(keys), "a failed scan destroys nothing");

    Result real = ok("keys", "destroy", "--scan", recs.toString(), "--keyset", keys.toString(), "--key-version", v1);
    assertTrue(real.out().contains("2 scanned recordings can no longer be opened"), real.out());
    assertEquals(List.of(a.toString(), d.toString()).stream().sorted().collect(Collectors.toList()), listed(real));
    assertFails(OxCrypt.NO_USABLE_KEY, run("decrypt", "--keyset", keys.toString(), a.toString(),
        dir.resolve("a.bin").toString()));
    assertArrayEquals(random(2000, 2), decrypt(b, "--identity", alice + ".key"), "a shared copy survives");
    assertArrayEquals(random(2000, 4), decrypt(c, "--keyset", keys.toString()));
    assertFails(OxCrypt.USAGE, run("keys", "destroy", "--keyset", keys.toString(), "--key-version", v1)); // again
    assertFails(OxCrypt.USAGE, run("keys", "destroy", "--dry-run", "--scan", recs.toString(), "--keyset",
        keys.toString(), "--key-version", primary(keys)));
  }

  // ---------------------------------------------------------------- recipients, share, revoke

  @Test
  void createRecipientShareAndDecryptWithTheIdentity() throws Exception {
    ok("keys", "create", "--keyset", keys.toString(), "--insecure", "--name", "keys");
    byte[] plain = random(2 * CHUNK + 99, 9);
    Path rec = encrypt(plain, recs.resolve("talk.oxr"));
    Path alice = dir.resolve("alice");
    Result created = ok("keys", "create-recipient", "--out", alice.toString());
    String aliceUri = recipientUri(created);
    assertTrue(aliceUri.matches("hpke://x25519/[0-9a-f]{32}"), aliceUri);
    assertTrue(created.stderr.contains("INSECURE") && created.stderr.contains("alice.key"), created.stderr);
    Path pub = Path.of(alice + ".pub");
    Path key = Path.of(alice + ".key");
    assertFalse(Files.readString(pub).contains("ASYMMETRIC_PRIVATE"));
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    }
    assertFails(OxCrypt.USAGE, run("keys", "create-recipient", "--out", alice.toString())); // exists

    byte[] bodyBefore = body(rec);
    Result shared = ok("share", "--keyset", keys.toString(), "--to-public-key", pub.toString(), rec.toString());
    assertTrue(shared.out().contains(aliceUri), shared.out());
    assertArrayEquals(bodyBefore, body(rec), "share changes only the header");
    assertEquals(List.of("local://keys", aliceUri), inspectRecipients(rec));
    assertArrayEquals(plain, decrypt(rec, "--identity", key.toString(), "--expect", "user-id=u-7"));
    assertArrayEquals(plain, decrypt(rec, "--identity", key.toString(), "--keyset", keys.toString()));
    assertArrayEquals(plain, decrypt(rec, "--keyset", keys.toString()));

    // Again, and again named by --to-kek: nothing changes.
    byte[] after = Files.readAllBytes(rec);
    Result again = ok("share", "--keyset", keys.toString(), "--to-kek", aliceUri, "--to-public-key",
        pub.toString(), rec.toString());
    assertTrue(again.out().contains("already shared"), again.out());
    assertArrayEquals(after, Files.readAllBytes(rec));

    // Someone else's identity cannot open it.
    Path bob = dir.resolve("bob");
    ok("keys", "create-recipient", "--out", bob.toString());
    assertFails(OxCrypt.NO_USABLE_KEY, run("decrypt", "--identity", bob + ".key", rec.toString(),
        dir.resolve("bob.bin").toString()));
    assertFalse(Files.exists(dir.resolve("bob.bin")));
  }

  @Test
  void revokeThenTheIdentityNoLongerOpens() throws Exception {
    ok("keys", "create", "--keyset", keys.toString(), "--insecure", "--name", "keys");
    byte[] plain = random(40_000, 10);
    Path rec = encrypt(plain, recs.resolve("talk.oxr"));
    Path alice = dir.resolve("alice");
    String aliceUri = recipientUri(ok("keys", "create-recipient", "--out", alice.toString()));
    ok("share", "--keyset", keys.toString(), "--to-public-key", alice + ".pub", rec.toString());
    byte[] bodyBefore = body(rec);

    Result revoked = ok("revoke", "--keyset", keys.toString(), "--recipient", aliceUri, rec.toString());
    assertTrue(revoked.out().contains("cannot take"), revoked.out());
    assertArrayEquals(bodyBefore, body(rec), "revoke changes only the header");
    assertEquals(List.of("local://keys"), inspectRecipients(rec));
    Path back = dir.resolve("alice.bin");
    Result denied = assertFails(OxCrypt.NO_USABLE_KEY,
        run("decrypt", "--identity", alice + ".key", rec.toString(), back.toString()));
    assertTrue(denied.stderr.contains("no usable key"), denied.stderr);
    assertFalse(Files.exists(back));
    assertArrayEquals(plain, decrypt(rec, "--keyset", keys.toString()));

    byte[] now = Files.readAllBytes(rec);
    assertFails(OxCrypt.USAGE, run("revoke", "--keyset", keys.toString(), "--recipient", aliceUri, rec.toString()));
    assertFails(OxCrypt.USAGE, run("revoke", "--keyset", keys.toString(), "--recipient", "local://keys",
        rec.toString()));
    // A keyset that cannot open the recording may not edit it.
    Path other = dir.resolve("other.json");
    ok("keys", "create", "--keyset", other.toString(), "--insecure");
    ok("share", "--keyset", keys.toString(), "--to-public-key", alice + ".pub", rec.toString());
    byte[] sharedAgain = Files.readAllBytes(rec);
    assertFails(OxCrypt.NO_USABLE_KEY, run("revoke", "--keyset", other.toString(), "--recipient", aliceUri,
        rec.toString()));
    assertArrayEquals(sharedAgain, Files.readAllBytes(rec));
    assertNotEquals(now.length, sharedAgain.length);
    assertFails(OxCrypt.USAGE, run("revoke", "--keyset", keys.toString(), rec.toString())); // no --recipient
    assertFails(OxCrypt.IO_ERROR, run("revoke", "--keyset", keys.toString(), "--recipient", aliceUri,
        dir.resolve("nope.oxr").toString()));
  }

  @Test
  void shareWithAnotherKeysetThenDecryptWithIt() throws Exception {
    ok("keys", "create", "--keyset", keys.toString(), "--insecure", "--name", "keys");
    byte[] plain = random(20_000, 11);
    Path rec = encrypt(plain, recs.resolve("talk.oxr"));
    Path team = dir.resolve("team.json");
    Path pass = Files.writeString(dir.resolve("team-pass.txt"), "team secret\n");
    ok("keys", "create", "--keyset", team.toString(), "--passphrase-file", pass.toString(), "--name", "team");
    Path back = dir.resolve("team.bin");
    assertFails(OxCrypt.NO_USABLE_KEY, run("decrypt", "--keyset", team.toString(), "--passphrase-file",
        pass.toString(), rec.toString(), back.toString()));

    byte[] bodyBefore = body(rec);
    // --to-kek names it, and must match the keyset file given with it.
    assertFails(OxCrypt.USAGE, run("share", "--keyset", keys.toString(), "--to-kek", "local://someone-else",
        "--to-keyset", team.toString(), "--to-passphrase-file", pass.toString(), rec.toString()));
    ok("share", "--keyset", keys.toString(), "--to-kek", "local://team", "--to-keyset", team.toString(),
        "--to-passphrase-file", pass.toString(), rec.toString());
    assertArrayEquals(bodyBefore, body(rec));
    assertEquals(List.of("local://keys", "local://team"), inspectRecipients(rec));
    assertArrayEquals(plain, decrypt(rec, "--keyset", team.toString(), "--passphrase-file", pass.toString()));

    // The team's passphrase may also come from the environment.
    Path rec2 = encrypt(plain, recs.resolve("talk2.oxr"));
    env.put(KeysetOptions.PASSPHRASE_ENV, "team secret");
    ok("share", "--keyset", keys.toString(), "--to-keyset", team.toString(), rec2.toString());
    assertArrayEquals(plain, decrypt(rec2, "--keyset", team.toString()));
    env.remove(KeysetOptions.PASSPHRASE_ENV);
    Result noPass = assertFails(OxCrypt.USAGE, run("share", "--keyset", keys.toString(), "--to-keyset",
        team.toString(), rec.toString()));
    assertTrue(noPass.stderr.contains("recipient keyset"), noPass.stderr);
  }

  /** The KEK URI that 'keys list' shows. */
  private String kekOf(Path keyset) {
    return ok("keys", "list", "--keyset", keyset.toString()).out().lines()
        .filter(l -> l.startsWith("kek ")).map(l -> l.substring(4).trim()).findFirst().orElseThrow();
  }

  @Test
  void keysetsWithTheSameFileNameGetDistinctKeksAndSharingBetweenThemWorks() throws Exception {
    Path a = Files.createDirectories(dir.resolve("a")).resolve("keys.json");
    Path b = Files.createDirectories(dir.resolve("b")).resolve("keys.json");
    ok("keys", "create", "--keyset", a.toString(), "--insecure");
    ok("keys", "create", "--keyset", b.toString(), "--insecure");
    String uriA = kekOf(a);
    assertTrue(uriA.matches("local://keys-[0-9a-f]{8}"), uriA);
    assertNotEquals(uriA, kekOf(b));
    byte[] plain = random(30_000, 21);
    Path in = Files.write(dir.resolve("in.bin"), plain);
    Path rec = recs.resolve("r.oxr");
    ok("encrypt", "--keyset", a.toString(), in.toString(), rec.toString());
    Result shared = ok("share", "--keyset", a.toString(), "--to-keyset", b.toString(), rec.toString());
    assertTrue(shared.out().startsWith("shared "), shared.out());
    assertArrayEquals(plain, decrypt(rec, "--keyset", b.toString()));

    // Two different keysets given the same name explicitly: a share to the second is refused, not
    // reported as "already shared".
    Path c = Files.createDirectories(dir.resolve("c")).resolve("team.json");
    Path d = Files.createDirectories(dir.resolve("d")).resolve("team.json");
    ok("keys", "create", "--keyset", c.toString(), "--insecure", "--name", "team");
    ok("keys", "create", "--keyset", d.toString(), "--insecure", "--name", "team");
    ok("share", "--keyset", a.toString(), "--to-keyset", c.toString(), rec.toString());
    byte[] before = Files.readAllBytes(rec);
    Result twin = assertFails(OxCrypt.NO_USABLE_KEY,
        run("share", "--keyset", a.toString(), "--to-keyset", d.toString(), rec.toString()));
    assertTrue(twin.stderr.contains("same KEK URI"), twin.stderr);
    assertArrayEquals(before, Files.readAllBytes(rec), "nothing changed");
    // Sharing again with the keyset that really has it is still "already shared".
    Result again = ok("share", "--keyset", a.toString(), "--to-keyset", c.toString(), rec.toString());
    assertTrue(again.out().contains("already shared"), again.out());
  }

  @Test
  void shareAndIdentityUsageErrors() throws Exception {
    ok("keys", "create", "--keyset", keys.toString(), "--insecure", "--name", "keys");
    Path rec = encrypt(random(1000, 12), recs.resolve("talk.oxr"));
    Path alice = dir.resolve("alice");
    ok("keys", "create-recipient", "--out", alice.toString());
    String k = keys.toString();
    String r = rec.toString();
    byte[] before = Files.readAllBytes(rec);

    // A cloud KMS recipient is named by --to-kek alone (CloudKekCliTest shares with one).
    Result aws = assertFails(OxCrypt.USAGE, run("share", "--keyset", k, "--to-kek",
        "aws-kms://arn:aws:kms:eu-west-1:111122223333:key/abc", "--to-public-key", "x.pub", r));
    assertTrue(aws.stderr.contains("names the recipient on its own"), aws.stderr);
    Result gcp = assertFails(OxCrypt.USAGE, run("share", "--keyset", k, "--to-kek",
        "gcp-kms://projects/p/locations/l/keyRings/r/cryptoKeys/k", "--to-keyset", k, r));
    assertTrue(gcp.stderr.contains("names the recipient on its own"), gcp.stderr);
    assertFails(OxCrypt.USAGE, run("share", "--keyset", k, "--to-kek", "local://team", r)); // no keyset file
    assertFails(OxCrypt.USAGE, run("share", "--keyset", k, "--to-kek", "hpke://x25519/00", r)); // no .pub
    assertFails(OxCrypt.USAGE, run("share", "--keyset", k, "--to-kek", "ftp://x", r));
    assertFails(OxCrypt.USAGE, run("share", "--keyset", k, r)); // no recipient
    assertFails(OxCrypt.USAGE, run("share", "--keyset", k, "--to-keyset", k, "--to-public-key", alice + ".pub", r));
    assertFails(OxCrypt.USAGE, run("share", "--keyset", k, "--to-kek", "hpke://x25519/00",
        "--to-public-key", alice + ".pub", r)); // does not match the file
    Result wrongFile = assertFails(OxCrypt.NO_USABLE_KEY,
        run("share", "--keyset", k, "--to-public-key", alice + ".key", r));
    assertTrue(wrongFile.stderr.contains(".pub"), wrongFile.stderr);
    assertFalse(wrongFile.stderr.contains("privateKey") || wrongFile.stderr.contains("value"), wrongFile.stderr);
    assertFails(OxCrypt.IO_ERROR, run("share", "--keyset", k, "--to-public-key", dir.resolve("nobody.pub").toString(), r));
    assertFails(OxCrypt.INTEGRITY, run("share", "--keyset", k, "--to-public-key", alice + ".pub",
        Files.writeString(dir.resolve("plain.txt"), "not a recording at all").toString()));
    assertArrayEquals(before, Files.readAllBytes(rec), "no failed share touched IN");

    String out = dir.resolve("out.bin").toString();
    assertFails(OxCrypt.USAGE, run("decrypt", r, out)); // neither --keyset nor --identity
    assertFails(OxCrypt.USAGE, run("decrypt", "--identity", alice + ".key", "--passphrase-file", k, r, out));
    Result pubAsIdentity = assertFails(OxCrypt.NO_USABLE_KEY, run("decrypt", "--identity", alice + ".pub", r, out));
    assertTrue(pubAsIdentity.stderr.contains(".key file"), pubAsIdentity.stderr);
    assertFails(OxCrypt.NO_USABLE_KEY, run("decrypt", "--identity", k, r, out)); // a keyset, not an identity
    assertFails(OxCrypt.IO_ERROR, run("decrypt", "--identity", dir.resolve("nobody.key").toString(), r, out));
    assertFalse(Files.exists(Path.of(out)));
  }

  @Test
  void anIdentityReadableByOthersIsWarnedAbout() throws Exception {
    if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return;
    }
    ok("keys", "create", "--keyset", keys.toString(), "--insecure", "--name", "keys");
    Path rec = encrypt(random(100, 13), recs.resolve("talk.oxr"));
    Path alice = dir.resolve("alice");
    ok("keys", "create-recipient", "--out", alice.toString());
    ok("share", "--keyset", keys.toString(), "--to-public-key", alice + ".pub", rec.toString());
    Path key = Path.of(alice + ".key");
    Path back = dir.resolve("back.bin");
    assertFalse(ok("decrypt", "--identity", key.toString(), rec.toString(), back.toString()).stderr.contains("chmod"));
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    Result r = ok("decrypt", "--identity", key.toString(), rec.toString(), back.toString());
    assertTrue(r.stderr.contains("chmod 600"), r.stderr);
  }

  // ---------------------------------------------------------------- encrypt's failure path

  @Test
  void encryptThatFailsMidwayLeavesARecoverableNewFileAndKeepsAnExistingOne() throws Exception {
    ok("keys", "create", "--keyset", keys.toString(), "--insecure", "--name", "keys");
    byte[] plain = random(2 * CHUNK + 5000, 14);
    class Failing extends InputStream {
      int pos;

      @Override
      public int read() {
        throw new UnsupportedOperationException();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (pos >= plain.length) {
          throw new IOException("microphone unplugged");
        }
        int n = Math.min(len, Math.min(4096, plain.length - pos));
        System.arraycopy(plain, pos, b, off, n);
        pos += n;
        return n;
      }
    }
    // To a new file: written in place, so the truncated recording stays where --recover finds it.
    Path rec = recs.resolve("cut.oxr");
    assertFails(OxCrypt.IO_ERROR, run(new Failing(), "encrypt", "--keyset", keys.toString(), "-", rec.toString()));
    Path partial = dir.resolve("partial.bin");
    assertEquals(OxCrypt.RECOVERED_PREFIX,
        run("decrypt", "--keyset", keys.toString(), "--recover", rec.toString(), partial.toString()).code);
    assertArrayEquals(Arrays.copyOf(plain, 2 * CHUNK), Files.readAllBytes(partial));
    // Over an existing file: replaced only by a complete recording, so a failed run keeps it.
    byte[] before = Files.readAllBytes(rec);
    assertFails(OxCrypt.IO_ERROR, run(new Failing(), "encrypt", "--keyset", keys.toString(), "-", rec.toString()));
    assertArrayEquals(before, Files.readAllBytes(rec));
    assertEquals(List.of(".oxcrypt.lock", "cut.oxr"), Arrays.stream(recs.toFile().list()).sorted().collect(java.util.stream.Collectors.toList()));
    Files.delete(rec);
    // To stdout: streamed, and left unsealed (truncated), which --recover salvages.
    Result streamed = assertFails(OxCrypt.IO_ERROR, run(new Failing(), "encrypt", "--keyset", keys.toString(), "-", "-"));
    Files.write(rec, streamed.stdout);
    Path back = dir.resolve("back.bin");
    assertFails(OxCrypt.INTEGRITY, run("decrypt", "--keyset", keys.toString(), rec.toString(), back.toString()));
    Result recovered = run("decrypt", "--keyset", keys.toString(), "--recover", rec.toString(), back.toString());
    assertEquals(OxCrypt.RECOVERED_PREFIX, recovered.code, recovered.stderr);
    assertTrue(recovered.stderr.contains("cut short"), recovered.stderr);
    assertArrayEquals(Arrays.copyOf(plain, 2 * CHUNK), Files.readAllBytes(back));
  }

  // ---------------------------------------------------------------- exit classes of failures

  @Test
  void failuresMapToTheExitCodeScheme() {
    assertEquals(OxCrypt.INTEGRITY, OxCrypt.exitCodeOf(new com.getox.crypto.TruncationException("cut")));
    assertEquals(OxCrypt.INTEGRITY, OxCrypt.exitCodeOf(new com.getox.crypto.UnsupportedFormatException("v9")));
    assertEquals(OxCrypt.INTEGRITY, OxCrypt.exitCodeOf(new com.getox.crypto.ContextMismatchException("x")));
    assertEquals(OxCrypt.NO_USABLE_KEY,
        OxCrypt.exitCodeOf(new com.getox.crypto.NoUsableKeyException("none", java.util.Collections.emptyList())));
    // Every KEK that knew the key failed to authenticate it: a tampered header, not a missing key.
    assertEquals(OxCrypt.INTEGRITY, OxCrypt.exitCodeOf(new com.getox.crypto.NoUsableKeyException("none",
        List.of(new com.getox.crypto.AuthenticationException("bad tag")))));
    assertEquals(OxCrypt.NO_USABLE_KEY, OxCrypt.exitCodeOf(new com.getox.crypto.NoUsableKeyException("none",
        List.of(new com.getox.crypto.AuthenticationException("bad tag"),
            new com.getox.crypto.KmsException("version 7 is disabled", false)))));
    assertEquals(OxCrypt.IO_ERROR, OxCrypt.exitCodeOf(new java.nio.file.AccessDeniedException("/x")));
    // The loser of two racing 'keys create' gets what 'keys create' on an existing file gets.
    assertEquals(OxCrypt.USAGE, OxCrypt.exitCodeOf(new java.nio.file.FileAlreadyExistsException("k.json")));
    assertEquals(OxCrypt.USAGE, OxCrypt.exitCodeOf(new com.getox.crypto.HeaderLimitException("too big")));
    assertEquals(OxCrypt.IO_ERROR, OxCrypt.exitCodeOf(new java.io.IOException("disk full")));
    assertEquals(OxCrypt.CRYPTO_ERROR, OxCrypt.exitCodeOf(new com.getox.crypto.KmsException("throttled", true)));
    assertEquals(OxCrypt.INTERNAL_ERROR, OxCrypt.exitCodeOf(new NullPointerException()));
  }
}
