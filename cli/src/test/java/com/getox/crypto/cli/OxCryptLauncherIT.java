package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher script {@code cli/oxcrypt} (failsafe, after the package phase) with bash: it makes
 * its class-data-sharing archive owner-only, uses it, and runs the command whatever state the
 * archive is in (missing, truncated, garbage, half renamed) or with CDS off.
 */
class OxCryptLauncherIT {
  @TempDir Path dir;

  private record Run(int code, String stdout, String stderr) {}

  private Path cache() {
    return dir.resolve("cache");
  }

  private Run launch(Map<String, String> extraEnv, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("bash", Path.of("oxcrypt").toAbsolutePath().toString()));
    cmd.addAll(Arrays.asList(args));
    Path out = dir.resolve("stdout.txt");
    Path err = dir.resolve("stderr.txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("OXCRYPT_"));
    env.put("OXCRYPT_JAR", Path.of(System.getProperty("oxcrypt.jar", "target/oxcrypt.jar")).toAbsolutePath().toString());
    env.put("OXCRYPT_CDS_DIR", cache().toString());
    env.put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    env.putAll(extraEnv);
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the launcher did not finish within 120 s: " + cmd);
    }
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  private static void assertVersion(Run r) {
    assertEquals(0, r.code, r.stderr);
    assertTrue(r.stdout.startsWith("oxcrypt "), r.stdout);
    assertEquals(3, r.stdout.lines().count(), r.stdout); // nothing from the JVM on stdout
    assertEquals("", r.stderr);
  }

  private Path archive() throws IOException {
    try (Stream<Path> files = Files.list(cache())) {
      List<Path> archives = files.filter(f -> f.toString().endsWith(".jsa")).toList();
      assertEquals(1, archives.size(), archives::toString);
      return archives.get(0);
    }
  }

  @Test
  void makesAnOwnerOnlyArchiveAndUsesIt() throws Exception {
    assertVersion(launch(Map.of("OXCRYPT_CDS", "wait"), "--version"));
    Path jsa = archive();
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache())));
    assertEquals(Long.toString(Files.size(jsa)), Files.readString(Path.of(jsa + ".size")));
    try (Stream<Path> files = Files.list(cache())) { // the training's directory and temporaries are gone
      assertEquals(List.of(jsa.getFileName() + "", jsa.getFileName() + ".size"),
          files.map(f -> f.getFileName().toString()).sorted().toList());
    }
    assertVersion(launch(Map.of(), "--version"));

    // A real command through the archive: a round trip.
    byte[] plain = CliTestBase.random(50_000, 3);
    Files.write(dir.resolve("in.bin"), plain);
    assertEquals(0, launch(Map.of(), "keys", "create", "--keyset", "k.json", "--insecure").code);
    assertEquals(0, launch(Map.of(), "encrypt", "--keyset", "k.json", "in.bin", "a.oxr").code);
    assertEquals(0, launch(Map.of(), "decrypt", "--keyset", "k.json", "a.oxr", "out.bin").code);
    assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out.bin")));
  }

  @Test
  void aTruncatedArchiveIsNotUsedButMadeAgain() throws Exception {
    assertVersion(launch(Map.of("OXCRYPT_CDS", "wait"), "--version"));
    Path jsa = archive();
    byte[] head = Arrays.copyOf(Files.readAllBytes(jsa), 1000);
    jsa.toFile().setWritable(true);
    Files.write(jsa, head); // JDK 17 would crash mapping it
    assertVersion(launch(Map.of("OXCRYPT_CDS", "wait"), "--version"));
    Path again = archive();
    assertTrue(Files.size(again) > head.length);
    assertEquals(Long.toString(Files.size(again)), Files.readString(Path.of(again + ".size")));
  }

  @Test
  void garbageOfTheRecordedSizeIsRefusedByTheJvmAndTheCommandRuns() throws Exception {
    assertVersion(launch(Map.of("OXCRYPT_CDS", "wait"), "--version"));
    Path jsa = archive();
    byte[] garbage = new byte[(int) Files.size(jsa)];
    new java.util.Random(7).nextBytes(garbage);
    jsa.toFile().setWritable(true);
    Files.write(jsa, garbage);
    assertVersion(launch(Map.of(), "--version"));
  }

  @Test
  void anArchiveWithoutItsSizeIsLeftAloneAndTheCommandRuns() throws Exception {
    assertVersion(launch(Map.of("OXCRYPT_CDS", "wait"), "--version"));
    Path jsa = archive();
    Files.delete(Path.of(jsa + ".size")); // as while another run renames it into place
    assertVersion(launch(Map.of(), "--version"));
    assertTrue(Files.exists(jsa));
  }

  @Test
  void offNeverMakesOne() throws Exception {
    assertVersion(launch(Map.of("OXCRYPT_CDS", "off"), "--version"));
    assertFalse(Files.exists(cache()));
  }

  /** The JVM's TieredStopAtLevel as the launcher set it, from -XX:+PrintFlagsFinal on stdout. */
  private int tieredStopAtLevel(Map<String, String> env, String... args) throws Exception {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("OXCRYPT_JAVA_OPTS", (env.getOrDefault("OXCRYPT_JAVA_OPTS", "") + " -XX:+PrintFlagsFinal").trim());
    all.put("OXCRYPT_CDS", "off");
    Run r = launch(all, args);
    return r.stdout.lines().filter(l -> l.matches("\\s*intx TieredStopAtLevel\\s*=.*"))
        .map(l -> Integer.parseInt(l.replaceAll(".*=\\s*(\\d+).*", "$1")))
        .findFirst().orElseThrow(() -> new AssertionError(r.stdout + r.stderr));
  }

  @Test
  void c1OnlyWhereAccpCarriesAesGcmButNotForSunJceOrAPassphrase() throws Exception {
    boolean accpPlatform = System.getProperty("os.name").equals("Linux")
        && System.getProperty("os.arch").equals("amd64");
    assertEquals(accpPlatform ? 1 : 4, tieredStopAtLevel(Map.of(), "--version"));
    Run version = launch(Map.of("OXCRYPT_CDS", "off"), "--version");
    assertVersion(version);
    assertTrue(version.stdout.contains(accpPlatform ? "jit: C1 only" : "jit: C1 and C2"), version.stdout);
    // SunJCE carries large inputs: it needs C2's AES-GCM intrinsics.
    assertEquals(4, tieredStopAtLevel(Map.of("OXCRYPT_CIPHER_PROVIDER", "jce"), "--version"));
    // Argon2id is Java code: faster with C2.
    assertEquals(4, tieredStopAtLevel(Map.of("OXCRYPT_PASSPHRASE", "x"), "--version"));
    Files.writeString(dir.resolve("pw.txt"), "correct horse\n");
    assertEquals(4, tieredStopAtLevel(Map.of(), "keys", "create", "--keyset", "p.json", "--passphrase-file", "pw.txt"));
    assertEquals(4, tieredStopAtLevel(Map.of(), "keys", "create", "--keyset", "q.json", "--passphrase-file=pw.txt"));
    // The user's options come later, so they win.
    assertEquals(4, tieredStopAtLevel(Map.of("OXCRYPT_JAVA_OPTS", "-XX:TieredStopAtLevel=4"), "--version"));
  }

  @Test
  void aMissingJarIsOneLineOnStderr() throws Exception {
    Run r = launch(Map.of("OXCRYPT_JAR", dir.resolve("none.jar").toString()), "--version");
    assertEquals(1, r.code);
    assertTrue(r.stderr.startsWith("oxcrypt: "), r.stderr);
    assertEquals(1, r.stderr.lines().count(), r.stderr);
  }
}
