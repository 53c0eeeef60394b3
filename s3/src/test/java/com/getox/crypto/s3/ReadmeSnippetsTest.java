package com.getox.crypto.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.Recordings;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadmeSnippetsTest {
  @TempDir Path dir;

  @Test
  void theQuickStartRunsAgainstALocalS3() throws Exception {
    try (LocalS3 s3 = LocalS3.start(dir.resolve("store"))) {
      LocalKms kms =
          LocalKms.create(dir.resolve("k.json").toFile(), KeysetProtection.insecurePlaintext(), "q");
      byte[] pcm = new byte[100_000];
      new Random(1).nextBytes(pcm);
      byte[] got =
          ReadmeSnippets.quickStart(
              s3.client,
              Recordings.builder().wrapWith(kms).build(),
              EncryptionContext.builder().put("user-id", "u-7").build(),
              pcm);
      assertArrayEquals(Arrays.copyOfRange(pcm, 16_000, 16_000 + 4096), got);
    }
  }

  /** The README's quick start is the region above, indentation removed. */
  @Test
  void theReadmeShowsTheCompiledQuickStart() throws Exception {
    Path base = Paths.get(System.getProperty("basedir", ".")).toAbsolutePath();
    List<String> src =
        Files.readAllLines(
            base.resolve("src/test/java/com/getox/crypto/s3/ReadmeSnippets.java"),
            StandardCharsets.UTF_8);
    int from = src.indexOf("    // README:s3-quick-start begin");
    int to = src.indexOf("    // README:s3-quick-start end");
    String region =
        src.subList(from + 1, to).stream().map(l -> l.substring(4)).collect(Collectors.joining("\n"));
    String readme = new String(Files.readAllBytes(base.resolve("README.md")), StandardCharsets.UTF_8);
    assertEquals(true, readme.contains("```java\n" + region + "\n```"), "README quick start drifted");
    assertEquals(true, to - from - 1 < 10, "under 10 lines");
  }
}
