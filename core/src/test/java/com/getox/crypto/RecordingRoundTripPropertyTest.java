package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.internal.Cobblestone;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Property: any plaintext from 0 to several chunks, written in any chunking (byte[] slices, single
 * bytes, heap and direct ByteBuffers, through the OutputStream or the WritableByteChannel writer),
 * reads back identically through the InputStream, the ReadableByteChannel and SeekableRecording
 * (random ranges in random order, from the end, past the end). Seeded: a failure names its seed;
 * replay it with {@code -Dox.seed=S}.
 */
class RecordingRoundTripPropertyTest {

  static LongStream seeds() {
    return Fixtures.seeds();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void anyLengthInAnyChunkingRoundTripsThroughEveryReader(long seed) throws Exception {
    roundTrip(seed, -1);
  }

  /** The boundary examples, each in a random chunking. */
  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 1, 16383, 16384, 16385, 32768, 32768 + 500})
  void boundaryLengthsRoundTripThroughEveryReader(int length) throws Exception {
    roundTrip(length * 31L + 7, length);
  }

  static void roundTrip(long seed, int fixedLength) throws Exception {
    String s = "seed " + seed + ": ";
    Random r = new Random(seed);
    int length = fixedLength >= 0 ? fixedLength : Fixtures.plaintextLength(r);
    EncryptionContext ctx = Fixtures.randomContext(r);
    byte[] plain = Fixtures.randomBytes(r, length);

    // Write through the OutputStream or the channel sink, in random pieces.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean viaChannel = r.nextBoolean();
    RecordingWriter w =
        viaChannel
            ? Fixtures.RECORDINGS.newWriter(Channels.newChannel(out), ctx)
            : Fixtures.RECORDINGS.newWriter(out, ctx);
    try {
      Streams.writeInRandomPieces(w, plain, r);
      assertEquals(length, w.plaintextBytes(), s + "plaintextBytes");
      assertEquals(ctx, w.header().context(), s);
    } finally {
      w.close();
    }
    w.close(); // idempotent
    assertTrue(!w.isOpen(), s);
    byte[] rec = out.toByteArray();
    int headerBytes = w.header().toByteArray().length;
    assertEquals(headerBytes + Cobblestone.bodyLength(length), rec.length, s + "ciphertext length");
    assertEquals(length, Cobblestone.plaintextLength(rec.length - headerBytes), s);

    // 1. InputStream, random read sizes.
    try (RecordingInputStream in =
        Fixtures.RECORDINGS.newInputStream(new ByteArrayInputStream(rec), ReadOptions.defaults())) {
      Streams.Drained d = Streams.drain(in, r);
      assertNull(d.failure, s + "stream failed: " + d.failure);
      assertArrayEquals(plain, d.bytes, s + "stream plaintext (length " + length + ")");
      assertEquals(-1, in.read(), s + "EOF must stay EOF");
      assertEquals(ctx, in.header().context(), s);
    }

    // 2. ReadableByteChannel with heap and direct buffers, from a channel source.
    ReadableByteChannel ch =
        Fixtures.RECORDINGS.newReadableChannel(
            Channels.newChannel(new ByteArrayInputStream(rec)), ReadOptions.defaults());
    Streams.Drained dc = Streams.drain(ch, r);
    assertNull(dc.failure, s + "channel failed: " + dc.failure);
    assertArrayEquals(plain, dc.bytes, s + "channel plaintext");
    ch.close();

    // 3. Random access: size, random ranges in random order, then random single reads.
    try (SeekableRecording sr =
        Fixtures.RECORDINGS.openSeekable(new InMemoryChannel(rec), ReadOptions.defaults())) {
      if (r.nextBoolean()) {
        assertEquals(length, sr.size(), s + "size");
      }
      assertArrayEquals(plain, Streams.readRandomly(sr, length, r), s + "random-access plaintext");
      for (int i = 0; i < 30; i++) {
        long offset = r.nextInt(length + 20000);
        int len = r.nextInt(3) == 0 ? 0 : 1 + r.nextInt(40000);
        byte[] b = new byte[len + 5];
        int n = sr.read(offset, b, 5, len);
        if (offset >= length) {
          assertEquals(-1, n, s + "read at " + offset + " past end " + length);
        } else if (len == 0) {
          assertEquals(0, n, s);
        } else {
          int expect = (int) Math.min(len, length - offset);
          assertEquals(expect, n, s + "read(" + offset + ", " + len + ")");
          assertArrayEquals(
              Arrays.copyOfRange(plain, (int) offset, (int) offset + n),
              Arrays.copyOfRange(b, 5, 5 + n),
              s + "read(" + offset + ", " + len + ")");
        }
      }
      ByteBuffer direct = ByteBuffer.allocateDirect(Math.min(length, 1000));
      int n = sr.read(0, direct);
      assertEquals(length == 0 ? -1 : direct.capacity(), n, s);
      assertEquals(length, sr.size(), s + "size");
      assertTrue(sr.chunksDecrypted() >= 1, s);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void detachedHeaderRoundTrips(long seed) throws Exception {
    String s = "seed " + seed + ": ";
    Random r = new Random(seed);
    int length = Fixtures.plaintextLength(r);
    EncryptionContext ctx = Fixtures.randomContext(r);
    byte[] plain = Fixtures.randomBytes(r, length);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] header;
    try (RecordingWriter w = Fixtures.RECORDINGS.newDetachedWriter(body, ctx)) {
      Streams.writeInRandomPieces(w, plain, r);
      header = w.header().toByteArray();
    }
    byte[] b = body.toByteArray();
    assertEquals(Cobblestone.bodyLength(length), b.length, s + "a detached body holds no header");
    ReadOptions opts = ReadOptions.builder().detachedHeader(header).expectAll(ctx).build();
    try (RecordingInputStream in = Fixtures.RECORDINGS.newInputStream(new ByteArrayInputStream(b), opts)) {
      assertArrayEquals(plain, Streams.readAll(in), s);
    }
    try (SeekableRecording sr = Fixtures.RECORDINGS.openSeekable(new InMemoryChannel(b), opts)) {
      assertEquals(length, sr.size(), s);
      assertArrayEquals(plain, Streams.readRandomly(sr, length, r), s);
    }
    ByteArrayOutputStream recovered = new ByteArrayOutputStream();
    RecoveryReport report =
        Fixtures.RECORDINGS.recover(new ByteArrayInputStream(b), recovered, opts);
    assertTrue(!report.truncated(), s + report);
    assertArrayEquals(plain, recovered.toByteArray(), s);
  }
}
