package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the packaged {@code target/oxcrypt.jar} in a child JVM, as a user would (failsafe, after
 * the package phase): the manifest, the shaded dependencies and real process exit codes.
 */
class OxCryptJarIT {
  @TempDir Path dir;

  private record Run(int code, byte[] stdout, String stderr) {}

  private Run java(File stdin, String... args) throws IOException, InterruptedException {
    String jar = System.getProperty("oxcrypt.jar", "target/oxcrypt.jar");
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar));
    cmd.addAll(Arrays.asList(args));
    Path out = Files.createTempFile(dir, "stdout", ".bin");
    Path err = Files.createTempFile(dir, "stderr", ".txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().remove("OXCRYPT_PASSPHRASE");
    if (stdin != null) {
      pb.redirectInput(stdin);
    }
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("oxcrypt did not finish within 120 s: " + cmd);
    }
    return new Run(p.exitValue(), Files.readAllBytes(out), Files.readString(err, StandardCharsets.UTF_8));
  }

  /** The completion script and the man page are generated at build time, in the jar and beside it. */
  @Test
  void completionAndManPageShipInsideAndBesideTheJar() throws Exception {
    Path jar = Path.of(System.getProperty("oxcrypt.jar", "target/oxcrypt.jar"));
    try (java.util.jar.JarFile j = new java.util.jar.JarFile(jar.toFile())) {
      for (String name : List.of(Docs.COMPLETION, Docs.MAN_PAGE)) {
        java.util.jar.JarEntry e = j.getJarEntry("META-INF/oxcrypt/" + name);
        assertTrue(e != null, name + " is not in the jar");
        String inJar = new String(j.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(name.equals(Docs.MAN_PAGE) ? Docs.manPage() : Docs.completion(), inJar, name);
        assertEquals(inJar, Files.readString(jar.resolveSibling(name), StandardCharsets.UTF_8), name);
      }
    }
    Run r = java(null, "generate-completion");
    assertEquals(0, r.code, r.stderr);
    assertTrue(new String(r.stdout, StandardCharsets.UTF_8).contains("complete -F _complete_oxcrypt"));
  }

  @Test
  void helpListsExitCodes() throws Exception {
    Run r = java(null, "--help");
    assertEquals(0, r.code, r.stderr);
    String help = new String(r.stdout, StandardCharsets.UTF_8);
    assertTrue(help.contains("Exit codes"), help);
    assertTrue(help.contains("encrypt") && help.contains("decrypt") && help.contains("inspect"), help);
    assertEquals(0, java(null, "--version").code);
  }

  @Test
  void roundTripThroughPipesAndRealExitCodes() throws Exception {
    String keys = dir.resolve("keys.json").toString();
    Path pass = Files.writeString(dir.resolve("pass.txt"), "it is a secret\n");
    assertEquals(0, java(null, "keys", "create", "--keyset", keys, "--passphrase-file", pass.toString()).code);

    byte[] plain = new byte[100_000];
    new Random(1).nextBytes(plain);
    Path in = Files.write(dir.resolve("plain.bin"), plain);
    Run enc = java(in.toFile(), "encrypt", "--keyset", keys, "--passphrase-file", pass.toString(),
        "--context", "user-id=u-7", "-", "-");
    assertEquals(0, enc.code, enc.stderr);
    Path rec = Files.write(dir.resolve("rec.oxr"), enc.stdout);

    Run dec = java(rec.toFile(), "decrypt", "--keyset", keys, "--passphrase-file", pass.toString(),
        "--expect", "user-id=u-7", "-", "-");
    assertEquals(0, dec.code, dec.stderr);
    assertArrayEquals(plain, dec.stdout);

    byte[] bad = enc.stdout.clone();
    bad[bad.length - 100] ^= 1;
    Path badRec = Files.write(dir.resolve("bad.oxr"), bad);
    Path outFile = dir.resolve("out.bin");
    Run tampered = java(null, "decrypt", "--keyset", keys, "--passphrase-file", pass.toString(),
        badRec.toString(), outFile.toString());
    assertEquals(3, tampered.code, tampered.stderr);
    assertEquals(1, tampered.stderr.lines().count(), tampered.stderr);
    assertFalse(Files.exists(outFile));

    Run usage = java(null, "decrypt", "--bogus");
    assertEquals(2, usage.code, usage.stderr);
    assertEquals(1, usage.stderr.lines().count(), usage.stderr);
  }

  @Test
  void lifecycleCommandsRunFromTheJar() throws Exception {
    String keys = dir.resolve("keys.json").toString();
    assertEquals(0, java(null, "keys", "create", "--keyset", keys, "--insecure").code);
    Path recs = Files.createDirectories(dir.resolve("recs"));
    byte[] plain = new byte[40_000];
    new Random(2).nextBytes(plain);
    Path in = Files.write(dir.resolve("plain.bin"), plain);
    String rec = recs.resolve("talk.oxr").toString();
    assertEquals(0, java(null, "encrypt", "--keyset", keys, in.toString(), rec).code);
    assertEquals(0, java(null, "keys", "rotate", "--keyset", keys).code);
    // --progress: the shaded progress bar library draws on stderr, the report stays on stdout.
    Run rewrap = java(null, "rewrap", "--keyset", keys, "--progress", recs.toString());
    assertEquals(0, rewrap.code, rewrap.stderr);
    assertTrue(rewrap.stderr.contains("1/1"), rewrap.stderr);
    assertTrue(new String(rewrap.stdout, StandardCharsets.UTF_8).contains("re-wrapped              1"));

    String alice = dir.resolve("alice").toString();
    assertEquals(0, java(null, "keys", "create-recipient", "--out", alice).code);
    assertEquals(0, java(null, "share", "--keyset", keys, "--to-public-key", alice + ".pub", rec).code);
    Run dec = java(null, "decrypt", "--identity", alice + ".key", rec, "-");
    assertEquals(0, dec.code, dec.stderr);
    assertArrayEquals(plain, dec.stdout);
  }
}
