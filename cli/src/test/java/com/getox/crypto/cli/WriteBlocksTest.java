package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file OUT is written in large blocks when IN is a regular file, and chunk by chunk otherwise;
 * either way all of it reaches the file, also what was written before a failure.
 */
class WriteBlocksTest extends CliTestBase {
  @TempDir Path dir;

  @AfterEach
  void clear() {
    CliPaths.inIsAFile(false);
  }

  @Test
  void aRegularFileInRoundTripsThroughBlocks() throws Exception {
    Path keys = dir.resolve("keys.json");
    ok("keys", "create", "--keyset", keys.toString(), "--insecure");
    byte[] plain = random(CliPaths.WRITE_BLOCK_BYTES * 2 + 12_345, 5); // several blocks and a tail
    Path in = Files.write(dir.resolve("in.bin"), plain);
    Path rec = dir.resolve("rec.oxr");
    ok("encrypt", "--keyset", keys.toString(), in.toString(), rec.toString());
    ok("decrypt", "--keyset", keys.toString(), rec.toString(), dir.resolve("out.bin").toString());
    assertArrayEquals(plain, Files.readAllBytes(dir.resolve("out.bin")));
    // The same recording from stdin (chunk by chunk) has the same length.
    Path fromStdin = dir.resolve("stdin.oxr");
    Result r = run(plain, "encrypt", "--keyset", keys.toString(), "-", fromStdin.toString());
    assertEquals(0, r.code, r.stderr);
    assertEquals(Files.size(rec), Files.size(fromStdin));
  }

  @Test
  void whatWasWrittenBeforeAFailureReachesAnInPlaceFile() throws Exception {
    CliPaths.inIsAFile(true);
    byte[] written = random(1000, 9);
    Path out = dir.resolve("partial.oxr");
    IOException e = assertThrows(IOException.class, () -> CliPaths.createInPlace(out.toFile(), sink -> {
      assertTrue(sink instanceof BufferedOutputStream);
      sink.write(written);
      throw new IOException("IN failed");
    }));
    assertEquals("IN failed", e.getMessage());
    assertArrayEquals(written, Files.readAllBytes(out));
  }

  @Test
  void aContentThatClosesItsStreamLosesNothing() throws Exception {
    CliPaths.inIsAFile(true);
    byte[] data = random(3000, 11);
    Path out = dir.resolve("closed.bin");
    assertTrue(CliPaths.createInPlace(out.toFile(), sink -> {
      sink.write(data);
      sink.close();
    }));
    assertArrayEquals(data, Files.readAllBytes(out));
  }

  @Test
  void afterARunChunksAreWrittenAsSoonAsSealedAgain() throws Exception {
    ok("--version");
    Path out = dir.resolve("direct.bin");
    boolean[] buffered = {true};
    assertTrue(CliPaths.createInPlace(out.toFile(), sink -> {
      buffered[0] = sink instanceof BufferedOutputStream;
      sink.write(new byte[] {1, 2, 3});
    }));
    assertFalse(buffered[0]);
    assertEquals(3, Files.size(out));
    assertTrue(Arrays.equals(new byte[] {1, 2, 3}, Files.readAllBytes(out)));
  }
}
