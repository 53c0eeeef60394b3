package com.getox.crypto.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.AuthenticationException;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Cobblestone's limits and layout arithmetic, which the readers trust. */
class CobblestoneTest {
  static final int SEALED = Cobblestone.CHUNK_CIPHERTEXT_BYTES;

  @Test
  void layoutArithmeticMatchesTheSpecForEveryBodyLength() {
    // Every body length up to four chunks: a valid layout exists exactly when the chunk bytes end
    // in a final chunk of 16..16399 bytes, and then the two functions are inverse.
    for (long body = 0; body < Cobblestone.PREFIX_BYTES + 4L * SEALED + 100; body++) {
      long chunks = body - Cobblestone.PREFIX_BYTES;
      long rem = chunks < 0 ? -1 : chunks % SEALED;
      boolean valid = chunks >= 16 && rem >= 16;
      long plain = Cobblestone.plaintextLength(body);
      assertEquals(valid, plain >= 0, "body length " + body);
      if (valid) {
        assertEquals(body, Cobblestone.bodyLength(plain), "body length " + body);
        assertTrue(plain % Cobblestone.CHUNK_PLAINTEXT_BYTES == rem - 16, "final chunk is short");
      }
    }
    assertEquals(56 + 16, Cobblestone.bodyLength(0), "an empty message is one empty chunk");
    assertEquals(56 + SEALED + 16, Cobblestone.bodyLength(16384), "a full chunk then an empty one");
  }

  @Test
  void chunkIndicesStopAtTwoToThe38() throws Exception {
    Cobblestone c = Cobblestone.raw(new byte[32], new byte[12]);
    byte[] out = new byte[32];
    c.sealChunk(Cobblestone.MAX_CHUNKS - 1, new byte[3], 0, 3, out, 0);
    byte[] plain = new byte[3];
    assertEquals(3, c.openChunk(Cobblestone.MAX_CHUNKS - 1, out, 0, 19, plain, 0));
    assertThrows(GeneralSecurityException.class, () -> c.sealChunk(Cobblestone.MAX_CHUNKS, new byte[3], 0, 3, out, 0));
    assertThrows(GeneralSecurityException.class, () -> c.sealChunk(-1, new byte[3], 0, 3, out, 0));
    assertThrows(GeneralSecurityException.class, () -> c.openChunk(Cobblestone.MAX_CHUNKS, out, 0, 19, plain, 0));
  }

  @Test
  void openChunkRefusesImpossibleLengthsAndOtherIndices() throws Exception {
    Cobblestone c = Cobblestone.raw(new byte[32], new byte[12]);
    byte[] sealed = new byte[SEALED + 1];
    byte[] msg = new byte[Cobblestone.CHUNK_PLAINTEXT_BYTES];
    new Random(1).nextBytes(msg);
    assertEquals(SEALED, c.sealChunk(5, msg, 0, msg.length, sealed, 0));
    byte[] out = new byte[SEALED + 1];
    assertEquals(msg.length, c.openChunk(5, sealed, 0, SEALED, out, 0));
    assertThrows(AuthenticationException.class, () -> c.openChunk(5, sealed, 0, SEALED + 1, out, 0));
    assertThrows(AuthenticationException.class, () -> c.openChunk(5, sealed, 0, 15, out, 0));
    assertThrows(AuthenticationException.class, () -> c.openChunk(4, sealed, 0, SEALED, out, 0));
    assertThrows(AuthenticationException.class, () -> c.openChunk(6, sealed, 0, SEALED, out, 0));
    assertThrows(AuthenticationException.class, () -> c.openChunk(5 + (1L << 32), sealed, 0, SEALED, out, 0));
  }

  @Test
  void openChecksTheCommitmentAndKeySizes() throws Exception {
    byte[] key = new byte[32];
    byte[] salt = new byte[24];
    byte[] ctx = {1, 2, 3};
    byte[] prefix = new byte[56];
    Cobblestone sealer = Cobblestone.seal(key, salt, ctx, prefix, null);
    byte[] commitment = java.util.Arrays.copyOfRange(prefix, 24, 56);
    Cobblestone opener = Cobblestone.open(key, salt, ctx, commitment, null);
    byte[] out = new byte[16 + 4];
    sealer.sealChunk(0, new byte[] {9, 8, 7, 6}, 0, 4, out, 0);
    byte[] plain = new byte[4];
    opener.openChunk(0, out, 0, out.length, plain, 0);
    assertArrayEquals(new byte[] {9, 8, 7, 6}, plain);
    assertThrows(AuthenticationException.class, () -> Cobblestone.open(key, salt, new byte[] {1, 2}, commitment, null));
    assertThrows(AuthenticationException.class, () -> Cobblestone.open(key, salt, ctx, java.util.Arrays.copyOf(commitment, 31), null));
    assertThrows(InvalidKeyException.class, () -> Cobblestone.open(new byte[31], salt, ctx, commitment, null));
    assertThrows(InvalidKeyException.class, () -> Cobblestone.open(key, new byte[23], ctx, commitment, null));
    assertThrows(InvalidKeyException.class, () -> Cobblestone.raw(new byte[16], new byte[12]));
  }
}
