package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progress bars: when they are drawn (a terminal and a large input, never a pipe; --quiet and
 * --no-progress off, --progress on) and that encrypt, decrypt, rewrap, destroy --scan and share
 * draw one on stderr.
 */
class ProgressTest extends CliTestBase {
  @TempDir Path dir;

  /** The decision, for a run parsed from {@code args} with or without a terminal. */
  private static boolean wants(boolean terminal, boolean large, String... args) {
    OxCrypt root = new OxCrypt(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), java.util.Map.of(), terminal);
    OxCrypt.commandLine(root, OxCrypt.commandNamedIn(args)).parseArgs(args);
    return root.wantsProgress(large);
  }

  @Test
  void drawnOnATerminalForLargeInputsOnly() {
    assertTrue(wants(true, true, "inspect", "x"));
    assertFalse(wants(true, false, "inspect", "x"), "small input");
    assertFalse(wants(false, true, "inspect", "x"), "a pipe");
    assertFalse(wants(true, true, "--quiet", "inspect", "x"));
    assertFalse(wants(true, true, "inspect", "-q", "x"));
    assertFalse(wants(true, true, "inspect", "--no-progress", "x"));
    assertTrue(wants(false, false, "inspect", "--progress", "x"), "forced");
    assertFalse(wants(false, false, "--progress", "--quiet", "inspect", "x"), "--quiet wins");
    assertTrue(OxCrypt.PROGRESS_MIN_BYTES >= 1 << 20);
  }

  @Test
  void encryptDecryptResumeAndRewrapDrawOnStderrWhenAsked() throws Exception {
    String k = dir.resolve("keys.json").toString();
    ok("keys", "create", "--keyset", k, "--insecure");
    Path in = Files.write(dir.resolve("talk.pcm"), random(3 * CHUNK, 3));
    Path rec = dir.resolve("talk.oxr");
    for (List<String> cmd : List.of(
        List.of("encrypt", "--keyset", k, "--progress", in.toString(), rec.toString()),
        List.of("decrypt", "--keyset", k, "--progress", rec.toString(), dir.resolve("b").toString()),
        List.of("rewrap", "--keyset", k, "--progress", dir.toString()))) {
      Result r = run(cmd.toArray(new String[0]));
      assertEquals(0, r.code, r.stderr);
      assertTrue(r.stderr.contains(cmd.get(0) + " 100%"), cmd + ": " + r.stderr);
      Result quiet = ok(replace(cmd, "--progress", "--quiet"));
      assertFalse(quiet.stderr.contains("%"), cmd + " --quiet: " + quiet.stderr); // no bar
    }
  }

  /** destroy --scan with a bar lists the same recordings as without one. */
  @Test
  void destroyScanDrawsAndFindsTheSameRecordings() throws Exception {
    String k = dir.resolve("keys.json").toString();
    ok("keys", "create", "--keyset", k, "--insecure");
    String old = null;
    for (String line : ok("keys", "list", "--keyset", k).out().split("\n")) {
      old = line.endsWith("yes") ? line.split("\\s+")[0] : old;
    }
    Path recs = Files.createDirectories(dir.resolve("recs").resolve("2026"));
    Path in = Files.write(dir.resolve("talk.pcm"), random(100, 4));
    for (String name : List.of("a.oxr", "b.oxr")) {
      ok("encrypt", "--keyset", k, in.toString(), recs.resolve(name).toString());
    }
    Files.createSymbolicLink(dir.resolve("recs").resolve("link.oxr"), recs.resolve("a.oxr"));
    Files.writeString(recs.resolve("notes.txt"), "not a recording");
    ok("keys", "rotate", "--keyset", k);
    String scan = dir.resolve("recs").toString();
    Result plain = ok("keys", "destroy", "--keyset", k, "--key-version", old, "--dry-run", "--scan", scan, scan);
    Result bar = run("keys", "destroy", "--keyset", k, "--key-version", old, "--dry-run", "--progress",
        "--scan", scan, scan);
    assertEquals(0, bar.code, bar.stderr);
    assertTrue(bar.stderr.contains("destroy --scan 100%"), bar.stderr);
    assertEquals(plain.out(), bar.out());
    assertTrue(plain.out().contains("2 scanned recordings"), plain.out());
    Result missing = run("keys", "destroy", "--keyset", k, "--key-version", old, "--dry-run", "--progress",
        "--scan", dir.resolve("nope").toString());
    assertEquals(OxCrypt.IO_ERROR, missing.code, missing.stderr);
  }

  /**
   * share and revoke --progress draw the body copy; the shared file opens for the recipient, and
   * the revoked one for the keyset, either way.
   */
  @Test
  void shareAndRevokeDrawTheBodyCopyAndEditTheSame() throws Exception {
    String k = dir.resolve("keys.json").toString();
    ok("keys", "create", "--keyset", k, "--insecure");
    Path alice = dir.resolve("alice");
    ok("keys", "create-recipient", "--out", alice.toString());
    byte[] plain = random(20 * CHUNK, 5); // several 64 KiB blocks of body
    Path in = Files.write(dir.resolve("talk.pcm"), plain);
    for (String flag : List.of("--progress", "--quiet", "--no-progress")) {
      Path rec = dir.resolve("talk" + flag + ".oxr");
      ok("encrypt", "--keyset", k, "--quiet", in.toString(), rec.toString());
      Result r = run("share", "--keyset", k, flag, "--to-public-key", alice + ".pub", rec.toString());
      assertEquals(0, r.code, r.stderr);
      if (flag.equals("--progress")) {
        assertTrue(r.stderr.contains("share 100%"), r.stderr);
      } else {
        assertFalse(r.stderr.contains("%"), flag + ": " + r.stderr); // no bar
      }
      assertTrue(r.out().contains("shared " + rec), r.out());
      Path back = dir.resolve("back" + flag);
      ok("decrypt", "--identity", alice + ".key", "--quiet", rec.toString(), back.toString());
      assertArrayEquals(plain, Files.readAllBytes(back), flag);
      // revoke copies the body the same way.
      String uri = r.out().split(" with ")[1].split(" ")[0];
      Result revoked = run("revoke", "--keyset", k, flag, "--recipient", uri, rec.toString());
      assertEquals(0, revoked.code, revoked.stderr);
      assertEquals(flag.equals("--progress"), revoked.stderr.contains("revoke 100%"), revoked.stderr);
      ok("decrypt", "--keyset", k, "--quiet", rec.toString(), back.toString() + ".k");
      assertArrayEquals(plain, Files.readAllBytes(Path.of(back + ".k")), flag);
    }
  }

  private static String[] replace(List<String> cmd, String from, String to) {
    return cmd.stream().map(a -> a.equals(from) ? to : a).toArray(String[]::new);
  }
}
