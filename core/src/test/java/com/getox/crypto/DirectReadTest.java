package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.internal.Cobblestone;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Reads of 16 KiB or more decrypt straight into the caller's array. A chunk that fails there must
 * leave no plaintext in the caller's array, and the chunks that authenticated before it are still
 * released.
 */
class DirectReadTest {
  private static final int CHUNK = Fixtures.CHUNK;
  private static final byte FILL = 0x55;

  private final byte[] plain = Fixtures.randomBytes(new Random(42), 3 * CHUNK + 100);
  private final EncryptionContext ctx = EncryptionContext.builder().put("user", "u1").build();

  private byte[] recording() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RecordingWriter w = Fixtures.RECORDINGS.newWriter(out, ctx)) {
      w.write(plain);
    }
    return out.toByteArray();
  }

  /** Flips one byte inside chunk {@code index}'s ciphertext. */
  private byte[] tampered(int index) throws Exception {
    byte[] rec = recording();
    int body = rec.length - (int) Cobblestone.bodyLength(plain.length);
    rec[body + Fixtures.PREFIX + index * Fixtures.SEALED + 7] ^= 1;
    return rec;
  }

  private RecordingInputStream open(byte[] rec) throws Exception {
    return Fixtures.RECORDINGS.newInputStream(new ByteArrayInputStream(rec), ReadOptions.defaults());
  }

  @Test
  void failedChunkLeavesNoPlaintextInTheCallersArrayAndEarlierChunksAreReleased() throws Exception {
    byte[] buf = new byte[4 * CHUNK];
    Arrays.fill(buf, FILL);
    try (RecordingInputStream in = open(tampered(1))) {
      assertEquals(CHUNK, in.read(buf, 0, buf.length), "chunk 0 authenticated and is released");
      assertArrayEquals(Arrays.copyOf(plain, CHUNK), Arrays.copyOf(buf, CHUNK));
      assertNoPlaintext(buf, CHUNK, 2 * CHUNK);
      IOException e = assertThrows(IOException.class, () -> in.read(buf, 0, buf.length));
      assertTrue(e.getCause() instanceof AuthenticationException, e.toString());
      IOException again = assertThrows(IOException.class, () -> in.read(buf, 0, 10));
      assertTrue(again.getCause() instanceof AuthenticationException, "the error sticks: " + again);
    }
  }

  @Test
  void failedFirstChunkThrowsAndWipesTheCallersRange() throws Exception {
    byte[] buf = new byte[CHUNK + 5];
    Arrays.fill(buf, FILL);
    try (RecordingInputStream in = open(tampered(0))) {
      IOException e = assertThrows(IOException.class, () -> in.read(buf, 5, CHUNK));
      assertTrue(e.getCause() instanceof AuthenticationException, e.toString());
    }
    for (int i = 0; i < 5; i++) {
      assertEquals(FILL, buf[i], "outside the read's range");
    }
    assertNoPlaintext(buf, 5, buf.length);
  }

  /**
   * The range holds no decrypted bytes: it was wiped (all zero) or never written (all {@link
   * #FILL}: providers that read into the stream's own buffer, such as Conscrypt, never touch it).
   */
  private static void assertNoPlaintext(byte[] buf, int from, int to) {
    byte first = buf[from];
    assertTrue(first == 0 || first == FILL, "byte " + from + " is " + first);
    for (int i = from; i < to; i++) {
      assertEquals(first, buf[i], "byte " + i + ": unauthenticated plaintext left in the caller's array");
    }
  }

  @Test
  void tamperedFinalChunkInRecoveryModeReleasesNothingOfIt() throws Exception {
    byte[] rec = tampered(3);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RecoveryReport report =
        Fixtures.RECORDINGS.recover(new ByteArrayInputStream(rec), out, ReadOptions.defaults());
    assertTrue(report.truncated());
    assertArrayEquals(Arrays.copyOf(plain, 3 * CHUNK), out.toByteArray());
  }

  @Test
  void transferToWritesTheWholeRecordingOrOnlyItsAuthenticatedPrefix() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RecordingInputStream in = open(recording())) {
      in.read(new byte[10]); // part of chunk 0 is already buffered
      out.write(plain, 0, 10);
      assertEquals(plain.length - 10, in.transferTo(out));
    }
    assertArrayEquals(plain, out.toByteArray());

    ByteArrayOutputStream partial = new ByteArrayOutputStream();
    try (RecordingInputStream in = open(tampered(2))) {
      IOException e = assertThrows(IOException.class, () -> in.transferTo(partial));
      assertTrue(e.getCause() instanceof AuthenticationException, e.toString());
    }
    assertArrayEquals(Arrays.copyOf(plain, 2 * CHUNK), partial.toByteArray());
  }

  @Test
  void channelReadsIntoHeapAndDirectBuffers() throws Exception {
    byte[] rec = recording();
    for (boolean direct : new boolean[] {false, true}) {
      ReadableByteChannel ch =
          Fixtures.RECORDINGS.newReadableChannel(
              Channels.newChannel(new ByteArrayInputStream(rec)), ReadOptions.defaults());
      ByteBuffer all = ByteBuffer.allocate(plain.length);
      ByteBuffer buf = direct ? ByteBuffer.allocateDirect(20000) : ByteBuffer.allocate(20000);
      assertEquals(0, ch.read(ByteBuffer.allocate(0)));
      int n;
      while ((n = ch.read(buf)) >= 0) {
        assertTrue(n > 0 || !buf.hasRemaining(), "a read returned 0 with room left");
        buf.flip();
        all.put(buf);
        buf.clear();
      }
      assertArrayEquals(plain, all.array(), direct ? "direct" : "heap");
      ch.close();
      assertThrows(IOException.class, () -> ch.read(ByteBuffer.allocate(1)));
    }
  }
}
