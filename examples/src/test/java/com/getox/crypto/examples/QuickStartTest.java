package com.getox.crypto.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickStartTest {
  @TempDir Path dir;

  @Test
  void theReadmesQuickStartRunsTwiceInOneDirectory() throws Exception {
    char[] pass = "correct horse battery staple".toCharArray();
    byte[] pcm = QuickStart.tone(12 * 32_000);
    File keys = dir.resolve("keys.json").toFile();
    assertFalse(keys.exists());

    byte[][] first = QuickStart.run(dir.toFile(), pass, pcm); // creates the keyset
    assertTrue(keys.exists());
    assertArrayEquals(pcm, first[0]);
    assertArrayEquals(Arrays.copyOfRange(pcm, 320_000, 352_000), first[1]);

    byte[][] second = QuickStart.run(dir.toFile(), pass, pcm); // opens it: no "already exists"
    assertArrayEquals(pcm, second[0]);
    assertArrayEquals(Arrays.copyOfRange(pcm, 320_000, 352_000), second[1]);
  }
}
