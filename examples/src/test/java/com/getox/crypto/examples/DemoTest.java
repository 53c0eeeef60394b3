package com.getox.crypto.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTest {
  @TempDir Path dir;

  @Test
  void demoPassesEveryCheckAndSaysWhatItDid() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code = Demo.run(dir, 12, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, out);
    assertTrue(out.contains("OK: every check passed"), out);
    assertTrue(out.contains("INSECURE plaintext keyset"), out);
    assertTrue(out.contains("3 of 24 chunks decrypted"), out); // 1 s at 10 s spans chunks 19 to 21
    assertTrue(out.contains("x real time to encrypt") && out.contains("not a throughput benchmark"), out);
    assertTrue(out.contains("rejected: chunk 7 failed authentication"), out);
    assertTrue(Files.size(dir.resolve("recording.oxr")) > 12 * 32_000);
    assertTrue(Files.readString(dir.resolve("demo-keyset.json")).contains("INSECURE"));
  }

  @Test
  void temporaryDirectoryIsRemovedAfterwards() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    assertEquals(0, Demo.runIn(null, 11, new PrintStream(bytes, true, StandardCharsets.UTF_8)));
    String out = bytes.toString(StandardCharsets.UTF_8);
    String line = out.lines().filter(l -> l.startsWith("work dir: ")).findFirst().orElseThrow();
    assertTrue(!Files.exists(Path.of(line.substring("work dir: ".length()))), line);
  }

  @Test
  void tooShortForTheRandomReadIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> Demo.run(dir, 5, System.out));
  }

  @Test
  void synthesisIsDeterministicSpeechLikeAndNotSilent() {
    byte[] a = SpeechSynth.generate(3, 1);
    assertEquals(3 * 32_000, a.length);
    assertTrue(java.util.Arrays.equals(a, SpeechSynth.generate(3, 1)));
    int loud = 0;
    int quiet = 0;
    for (int i = 0; i + 1 < a.length; i += 2) {
      int s = Math.abs((short) ((a[i] & 0xff) | (a[i + 1] << 8)));
      if (s > 3000) {
        loud++;
      } else if (s < 300) {
        quiet++;
      }
    }
    // Speech: voiced stretches and pauses both present.
    assertTrue(loud > a.length / 2 / 50, "loud samples: " + loud);
    assertTrue(quiet > a.length / 2 / 10, "quiet samples: " + quiet);
  }
}
