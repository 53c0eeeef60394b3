package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's chunk provider: ACCP where it loads, else silently the JDK's; the output is the same. */
class ChunkProviderTest extends CliTestBase {
  private static final String ACCP = "com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider";

  @TempDir Path dir;

  @Test
  void fallsBackToTheJdksProviderWhenAccpCannotLoad() throws Exception {
    ChunkProvider p = ChunkProvider.loadAccp("com.getox.crypto.cli.NoSuchProvider"); // as on another platform
    assertNull(p.provider()); // Recordings keeps JCA's choice
    String jdk = Cipher.getInstance("AES/GCM/NoPadding").getProvider().getName();
    assertTrue(p.description().startsWith(jdk + " ("), p.description());
  }

  @Test
  void preloadingIsOnlyAHeadStartAndNeverFails(@TempDir Path dir) throws Exception {
    Path small = Files.write(dir.resolve("small.bin"), new byte[10]);
    String[][] lines = {{}, {"encrypt"}, {"encrypt", "-", "out"}, {"decrypt", "--keyset"},
        {"encrypt", dir.resolve("missing").toString()}, {"encrypt", small.toString(), "x"},
        {"encrypt", dir.toString()}, {"keys", "create"}, {"encrypt", "\u0000"}};
    for (String[] args : lines) {
      ChunkProvider.preload(args, Map.of()); // no input of 8 MiB: starts nothing, throws nothing
      ChunkProvider.preload(args, Map.of(ChunkProvider.ENV, "jce"));
    }
    // The decision is still of()'s, after parsing: a small input keeps the JDK's provider.
    assertNull(ChunkProvider.of(Map.of(), 10).provider());
  }

  @Test
  void aMissingAccpIsAWarningOnlyWithoutC2() throws Exception {
    assumeTrue(!ChunkProvider.c1Only(), "the tests' JVM runs with C2");
    assertNull(ChunkProvider.loadAccp("com.getox.crypto.cli.NoSuchProvider").warning());
    assertNull(ChunkProvider.of(Map.of(ChunkProvider.ENV, "jce"), -1).warning());

    // A JVM with C1 only (as the launcher starts where ACCP should load) that cannot load ACCP:
    // SunJCE runs without its intrinsics, so a large input gets one warning line; the output is right.
    Path keys = dir.resolve("keys.json");
    ok("keys", "create", "--keyset", keys.toString(), "--insecure");
    byte[] plain = random((int) ChunkProvider.ACCP_MIN_BYTES, 23);
    Path in = Files.write(dir.resolve("big.bin"), plain);
    String[] c1 = {Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-D" + ChunkProvider.ACCP_CLASS_PROPERTY + "=com.getox.crypto.cli.NoSuchProvider",
        "-cp", System.getProperty("java.class.path"), OxCrypt.class.getName()};
    String[] version = child(c1, "--version");
    assertTrue(version[0].contains("jit: C1 only"), version[0]);
    String[] enc = child(c1, "encrypt", "--keyset", keys.toString(), in.toString(), dir.resolve("big.oxr").toString());
    assertTrue(enc[1].contains("oxcrypt: warning: this JVM runs without C2"), enc[1]);
    assertEquals(2, enc[1].lines().count(), enc[1]); // and the plaintext keyset's warning
    ok("decrypt", "--keyset", keys.toString(), dir.resolve("big.oxr").toString(), dir.resolve("back.bin").toString());
    assertArrayEquals(plain, Files.readAllBytes(dir.resolve("back.bin")));
    // A small input never wanted ACCP: no warning.
    Path small = Files.write(dir.resolve("small.bin"), new byte[100]);
    String[] smallEnc = child(c1, "encrypt", "--keyset", keys.toString(), small.toString(), dir.resolve("s.oxr").toString());
    assertEquals(1, smallEnc[1].lines().count(), smallEnc[1]);
  }

  /** Runs {@code java} with {@code args} appended; returns stdout and stderr, after exit 0. */
  private String[] child(String[] jvm, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(jvm));
    cmd.addAll(List.of(args));
    Path out = dir.resolve("child.out");
    Path err = dir.resolve("child.err");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("OXCRYPT_"));
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the child JVM did not finish within 120 s: " + cmd);
    }
    String[] r = {Files.readString(out), Files.readString(err)};
    assertEquals(0, p.exitValue(), r[1]);
    return r;
  }

  @Test
  void aClassThatIsNotAProviderFallsBackToo() {
    assertNull(ChunkProvider.loadAccp(String.class.getName()).provider());
  }

  @Test
  void theEnvironmentCanForceTheJdksProvider() {
    ChunkProvider p = ChunkProvider.of(Map.of(ChunkProvider.ENV, "jce"));
    assertNull(p.provider());
    assertTrue(p.description().contains(ChunkProvider.ENV + "=jce"), p.description());
  }

  @Test
  void versionSaysWhichProviderSealsTheChunks() {
    env.put(ChunkProvider.ENV, "jce");
    String out = ok("--version").out();
    assertTrue(out.startsWith("oxcrypt "), out);
    assertTrue(out.contains("chunk cipher: "), out);
    assertTrue(out.contains(ChunkProvider.ENV + "=jce"), out);
  }

  @Test
  void accpAndTheJdkReadEachOthersRecordings() throws Exception {
    ChunkProvider accp = ChunkProvider.loadAccp(ACCP);
    assumeTrue(accp.provider() != null, "ACCP does not load on this platform: " + accp.description());
    Path keys = dir.resolve("keys.json");
    ok("keys", "create", "--keyset", keys.toString(), "--insecure");
    byte[] plain = random(3 * CHUNK + 17, 19);
    Path in = Files.write(dir.resolve("in.bin"), plain);
    Path byAccp = dir.resolve("accp.oxr");
    Path byJdk = dir.resolve("jdk.oxr");

    env.put(ChunkProvider.ENV, "accp"); // a small file gets SunJCE by default
    ok("encrypt", "--keyset", keys.toString(), in.toString(), byAccp.toString());
    env.put(ChunkProvider.ENV, "jce");
    ok("encrypt", "--keyset", keys.toString(), in.toString(), byJdk.toString());
    ok("decrypt", "--keyset", keys.toString(), byAccp.toString(), dir.resolve("a.bin").toString());
    env.put(ChunkProvider.ENV, "accp");
    ok("decrypt", "--keyset", keys.toString(), byJdk.toString(), dir.resolve("j.bin").toString());

    assertArrayEquals(plain, Files.readAllBytes(dir.resolve("a.bin")));
    assertArrayEquals(plain, Files.readAllBytes(dir.resolve("j.bin")));
    assertEquals(Files.size(byAccp), Files.size(byJdk));
    assertNotNull(ChunkProvider.of(Map.of()).provider());
  }

  @Test
  void aSmallInputIsSealedByTheJdkUnlessAccpIsAskedFor() {
    assumeTrue(ChunkProvider.loadAccp(ACCP).provider() != null, "ACCP does not load on this platform");
    assertNull(ChunkProvider.of(Map.of(), ChunkProvider.ACCP_MIN_BYTES - 1).provider());
    assertNotNull(ChunkProvider.of(Map.of(), ChunkProvider.ACCP_MIN_BYTES).provider());
    assertNotNull(ChunkProvider.of(Map.of(), -1).provider()); // stdin: unknown, maybe large
    assertNotNull(ChunkProvider.of(Map.of(ChunkProvider.ENV, "accp"), 10).provider());
    assertNull(ChunkProvider.of(Map.of(ChunkProvider.ENV, "jce"), -1).provider());
  }
}
