package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
      ChunkProvider.preload(args, Map.of()); // no input of 16 MiB: starts nothing, throws nothing
      ChunkProvider.preload(args, Map.of(ChunkProvider.ENV, "jce"));
    }
    // The decision is still of()'s, after parsing: a small input keeps the JDK's provider.
    assertNull(ChunkProvider.of(Map.of(), 10).provider());
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
