package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.file.Files;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write that fits in the chunk in progress takes a short path (one copy, nothing sealed). Writes
 * of every size, and mixes of sizes with flushes in between, give exactly the plaintext back, and
 * {@link RecordingWriter#plaintextBytes()} counts every byte.
 */
class WritePiecesTest {
  private static final int CHUNK = Fixtures.CHUNK;
  private final EncryptionContext ctx = EncryptionContext.builder().put("user", "u1").build();

  @TempDir File dir;

  private static byte[] read(byte[] rec) throws Exception {
    try (RecordingInputStream in =
        Fixtures.RECORDINGS.newInputStream(new ByteArrayInputStream(rec), ReadOptions.defaults())) {
      return Streams.readAll(in);
    }
  }

  @Test
  void writesOfEverySizeFromOneByteToThreeChunksAndOneGiveThePlaintext() throws Exception {
    byte[] plain = Fixtures.randomBytes(new Random(21), 3 * CHUNK + 100);
    for (int size = 1; size <= 3 * CHUNK + 1; size += size < 64 ? 1 : 1 + (size % 97)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (RecordingWriter w = Fixtures.RECORDINGS.newWriter(out, ctx)) {
        for (int off = 0; off < plain.length; off += size) {
          w.write(plain, off, Math.min(size, plain.length - off));
          assertEquals(Math.min(off + size, plain.length), w.plaintextBytes());
        }
      }
      assertArrayEquals(plain, read(out.toByteArray()), "writes of " + size);
    }
  }

  @Test
  void mixedWritesWithFlushesRecoverAndReadBack() throws Exception {
    for (long seed = 0; seed < 8; seed++) {
      Random r = new Random(seed);
      byte[] plain = Fixtures.randomBytes(r, 4 * CHUNK + r.nextInt(CHUNK));
      File f = new File(dir, "mixed" + seed + ".oxr");
      RecordingWriter w = Fixtures.RECORDINGS.newFileWriter(f, ctx);
      int off = 0;
      while (off < plain.length) {
        int n = Math.min(plain.length - off, r.nextBoolean() ? 1 + r.nextInt(700) : 1 + r.nextInt(2 * CHUNK));
        w.write(plain, off, n);
        off += n;
        if (r.nextInt(4) == 0) {
          w.flush();
        }
      }
      w.flush();
      byte[] crashed = Files.readAllBytes(f.toPath());
      ByteArrayOutputStream recovered = new ByteArrayOutputStream();
      Fixtures.RECORDINGS.recover(new ByteArrayInputStream(crashed), recovered, ReadOptions.defaults());
      assertArrayEquals(plain, recovered.toByteArray(), "recovered, seed " + seed);
      w.close();
      assertArrayEquals(plain, read(Files.readAllBytes(f.toPath())), "closed, seed " + seed);
    }
  }
}
