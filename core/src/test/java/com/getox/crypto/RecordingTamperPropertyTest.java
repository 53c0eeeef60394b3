package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.getox.crypto.Fixtures.Sample;
import com.getox.crypto.internal.Cobblestone;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties of a tampered recording: every single-bit flip in the header and body, truncation at
 * every chunk boundary and inside chunks, reordered, duplicated and dropped chunks, trailing data,
 * a body spliced under another recording's header, the wrong KEK and the wrong context are each
 * rejected with the right typed error; and the reader never hands out a byte that was not
 * authenticated: when the first bad chunk is k, what the stream released before failing is exactly
 * the plaintext of chunks 0..k-1. Seeded; a failure names its seed ({@code -Dox.seed=S} replays it).
 */
class RecordingTamperPropertyTest {

  static LongStream seeds() {
    return Fixtures.seeds();
  }

  /**
   * Header flips cost one open per bit (~1,500 per recording): these seeds flip every header bit
   * and every salt/commitment bit; the others sample the salt/commitment.
   */
  static LongStream headerSeeds() {
    return Fixtures.seeds().limit(6);
  }

  /** What reading a recording through the InputStream produced. */
  static final class Outcome {
    GeneralSecurityException atOpen;
    IOException atRead;
    byte[] released = new byte[0];

    boolean failed() {
      return atOpen != null || atRead != null;
    }

    /** The typed security error, wherever it surfaced. */
    Throwable error() {
      return atOpen != null ? atOpen : atRead == null ? null : atRead.getCause();
    }

    @Override
    public String toString() {
      return "open: " + atOpen + ", read: " + atRead + ", released " + released.length + " bytes";
    }
  }

  static Outcome stream(Recordings recordings, byte[] rec, ReadOptions opts, Random r, String s) {
    Outcome o = new Outcome();
    RecordingInputStream in;
    try {
      in = recordings.newInputStream(new ByteArrayInputStream(rec), opts);
    } catch (GeneralSecurityException e) {
      o.atOpen = e;
      return o;
    } catch (IOException | RuntimeException e) {
      throw new AssertionError(s + "open threw a non-security exception: " + e, e);
    }
    Streams.Drained d;
    try {
      d = Streams.drain(in, r);
    } catch (RuntimeException e) {
      throw new AssertionError(s + "read threw a non-security exception: " + e, e);
    }
    o.released = d.bytes;
    o.atRead = d.failure;
    if (d.failure != null) {
      assertTrue(
          d.failure.getCause() instanceof OxCryptoException,
          s + "stream failed without an OxCryptoException cause: " + d.failure);
      try {
        int n = in.read(new byte[100], 0, 100);
        fail(s + "read after a failure returned " + n + " instead of failing again");
      } catch (IOException again) {
        assertTrue(again.getCause() instanceof OxCryptoException, s + again);
      }
    }
    return o;
  }

  static Outcome stream(byte[] rec, Random r, String s) {
    return stream(Fixtures.RECORDINGS, rec, ReadOptions.defaults(), r, s);
  }

  /** The stream failed with an AuthenticationException (or subtype) and released exactly {@code prefix}. */
  static void assertRejected(String s, Outcome o, byte[] prefix) {
    assertTrue(o.failed(), s + "tampered recording was accepted (" + o + ")");
    assertTrue(o.error() instanceof AuthenticationException, s + "wrong error type: " + o);
    assertArrayEquals(prefix, o.released, s + "released bytes are not the authenticated prefix: " + o);
  }

  /** Random access must fail to read the whole recording (open, size or read). */
  static void assertSeekableRejects(String s, byte[] rec, Random r) {
    try (SeekableRecording sr = Fixtures.RECORDINGS.openSeekable(new InMemoryChannel(rec), ReadOptions.defaults())) {
      byte[] all = Streams.readToEnd(sr, r);
      fail(s + "random access read a tampered recording whole (" + all.length + " bytes)");
    } catch (GeneralSecurityException e) {
      assertTrue(e instanceof OxCryptoException, s + e);
    } catch (IOException | RuntimeException e) {
      throw new AssertionError(s + "random access threw a non-security exception: " + e, e);
    }
  }

  static Sample sample(Random r, int minChunks) throws Exception {
    int length = Fixtures.plaintextLength(r);
    if (length / Fixtures.CHUNK + 1 < minChunks) {
      length = (minChunks - 1) * Fixtures.CHUNK + r.nextInt(3 * Fixtures.CHUNK);
    }
    return Fixtures.encrypt(Fixtures.RECORDINGS, r, length, Fixtures.randomContext(r));
  }

  static byte[] flip(byte[] b, long bit) {
    byte[] c = b.clone();
    c[(int) (bit / 8)] ^= (byte) (1 << (bit % 8));
    return c;
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void everyBodyBitFlipIsRejectedAndNothingUnauthenticatedIsReleased(long seed) throws Exception {
    Random r = new Random(seed);
    Sample x = sample(r, 1);
    // Every bit of the salt and the commitment (for the first seeds; a sample for the others):
    // rejected at open, before any chunk.
    boolean everyBit = headerSeeds().anyMatch(h -> h == seed);
    for (long bit = x.bodyStart() * 8L; bit < x.chunkStart(0) * 8L; bit += everyBit ? 1 : 1 + r.nextInt(16)) {
      String s = "seed " + seed + ", prefix bit " + (bit - x.bodyStart() * 8L) + ": ";
      Outcome o = stream(flip(x.recording, bit), r, s);
      assertNotNull(o.atOpen, s + "a flipped salt/commitment got past open: " + o);
      assertEquals(AuthenticationException.class, o.atOpen.getClass(), s + o);
    }
    // A random sample of chunk bits (tag and ciphertext): the stream releases chunks < k only.
    long chunkBits = (x.recording.length - x.chunkStart(0)) * 8L;
    for (int i = 0; i < 48; i++) {
      long bit = x.chunkStart(0) * 8L + (long) (r.nextDouble() * chunkBits);
      int k = (int) ((bit / 8 - x.chunkStart(0)) / Fixtures.SEALED);
      String s = "seed " + seed + ", body bit " + bit + " (chunk " + k + " of " + x.chunks() + "): ";
      byte[] tampered = flip(x.recording, bit);
      Outcome o = stream(tampered, r, s);
      assertNull(o.atOpen, s + o);
      assertRejected(s, o, x.prefixOfChunks(k));
      assertEquals(AuthenticationException.class, o.error().getClass(), s + "a flip is not a truncation");
      if (i % 6 == 0) {
        assertSeekableRejects(s, tampered, r);
        // The tampered chunk never reads by random access; the others still do.
        try (SeekableRecording sr =
            Fixtures.RECORDINGS.openSeekable(new InMemoryChannel(tampered), ReadOptions.defaults())) {
          long at = (long) k * Fixtures.CHUNK;
          assertThrows(AuthenticationException.class, () -> sr.read(at, new byte[10], 0, 10), s);
          if (k > 0) {
            byte[] b = new byte[10];
            assertEquals(10, sr.read(0, b, 0, 10), s);
            assertArrayEquals(Arrays.copyOf(x.plaintext, 10), b, s);
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("headerSeeds")
  void everyHeaderBitFlipIsRejectedWithATypedError(long seed) throws Exception {
    Random r = new Random(seed);
    Sample x = sample(r, 1);
    Map<String, Integer> seen = new TreeMap<>();
    for (long bit = 0; bit < x.headerBytes * 8L; bit++) {
      String s = "seed " + seed + ", header bit " + bit + " (byte " + bit / 8 + " of " + x.headerBytes + "): ";
      Outcome o = stream(flip(x.recording, bit), r, s);
      assertTrue(o.failed(), s + "a header flip was accepted");
      assertTrue(o.error() instanceof OxCryptoException, s + "not an OxCryptoException: " + o);
      assertEquals(0, o.released.length, s + "plaintext released under a tampered header");
      seen.merge(o.error().getClass().getSimpleName(), 1, Integer::sum);
    }
    System.out.println("[tamper] seed " + seed + ": " + x.headerBytes * 8 + " header bit flips -> " + seen);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void truncationAnywhereIsRejectedAndRecoveryKeepsTheCompleteChunks(long seed) throws Exception {
    Random r = new Random(seed);
    Sample x = sample(r, 1);
    List<Integer> cuts = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      cuts.add(r.nextInt(x.chunkStart(0) + 1)); // inside the header, salt or commitment
    }
    for (int j = 0; j < x.chunks(); j++) {
      for (int d : new int[] {0, 1, 15, 16, 17, Fixtures.SEALED - 1}) {
        cuts.add(x.chunkStart(j) + d);
      }
      cuts.add(x.chunkStart(j) + r.nextInt(Fixtures.SEALED));
    }
    cuts.add(x.recording.length - 1);
    for (int cut : cuts) {
      if (cut < 0 || cut >= x.recording.length) {
        continue;
      }
      String s = "seed " + seed + ", cut at " + cut + " of " + x.recording.length + ": ";
      byte[] t = Arrays.copyOf(x.recording, cut);
      Outcome o = stream(t, r, s);
      if (cut < x.chunkStart(0)) {
        assertNotNull(o.atOpen, s + o);
        assertTrue(o.atOpen instanceof TruncationException, s + o);
        assertThrows(TruncationException.class,
            () -> Fixtures.RECORDINGS.recover(new ByteArrayInputStream(t), new ByteArrayOutputStream(), ReadOptions.defaults()), s);
        continue;
      }
      int complete = (cut - x.chunkStart(0)) / Fixtures.SEALED;
      assertRejected(s, o, x.prefixOfChunks(complete));
      assertSeekableRejects(s, t, r);
      // Recovery returns every complete chunk and says the recording was cut short.
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      RecoveryReport report = Fixtures.RECORDINGS.recover(new ByteArrayInputStream(t), out, ReadOptions.defaults());
      assertTrue(report.truncated(), s + report);
      assertArrayEquals(x.prefixOfChunks(complete), out.toByteArray(), s + report);
      assertEquals(complete, report.chunks(), s + report);
      assertEquals(out.size(), report.plaintextBytes(), s + report);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void reorderedDuplicatedAndDroppedChunksAreRejected(long seed) throws Exception {
    Random r = new Random(seed);
    Sample x = sample(r, 2 + r.nextInt(3));
    int n = x.chunks();
    for (int op = 0; op < 8; op++) {
      List<byte[]> chunks = chunksOf(x);
      String what;
      int i = r.nextInt(n);
      int j = r.nextInt(n);
      switch (op % 4) {
        case 0:
          if (i == j) {
            j = (i + 1) % n;
          }
          byte[] tmp = chunks.get(i);
          chunks.set(i, chunks.get(j));
          chunks.set(j, tmp);
          what = "swap chunks " + i + " and " + j;
          break;
        case 1:
          chunks.add(j, chunks.get(i));
          what = "duplicate chunk " + i + " at " + j;
          break;
        case 2:
          chunks.remove(i);
          what = "drop chunk " + i;
          break;
        default:
          chunks.add(chunks.remove(i));
          what = "move chunk " + i + " to the end";
      }
      byte[] tampered = assemble(x, chunks);
      String s = "seed " + seed + ", " + n + " chunks, " + what + ": ";
      if (Arrays.equals(tampered, x.recording)) {
        continue; // moving the final chunk to the end changes nothing
      }
      Outcome o = stream(tampered, r, s);
      assertNull(o.atOpen, s + o);
      assertRejected(s, o, x.prefixOfChunks(unchangedLeadingFullChunks(x, tampered)));
      assertSeekableRejects(s, tampered, r);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void trailingDataIsRejected(long seed) throws Exception {
    Random r = new Random(seed);
    Sample x = sample(r, 1);
    List<byte[]> chunks = chunksOf(x);
    // A validly sealed chunk at the next index, made with the recording's own data key.
    RecordingHeader header = RecordingHeader.read(new ByteArrayInputStream(x.recording), ReadOptions.defaults());
    byte[] dek = Recordings.inputKey(header, Fixtures.KMS.unwrap(header.wrappedKeys().get(0), x.context),
        header.wrappedKeys().get(0).scope());
    byte[] prefix = Arrays.copyOfRange(x.recording, x.bodyStart(), x.chunkStart(0));
    Cobblestone c = Cobblestone.open(dek, Arrays.copyOf(prefix, 24), header.authenticatedBytes(x.context),
        Arrays.copyOfRange(prefix, 24, 56), null);
    Arrays.fill(dek, (byte) 0);
    byte[] extraPlain = Fixtures.randomBytes(r, r.nextInt(100));
    byte[] extra = new byte[extraPlain.length + 16];
    c.sealChunk(x.chunks(), extraPlain, 0, extraPlain.length, extra, 0);
    byte[][] tails = {
      Fixtures.randomBytes(r, 1 + r.nextInt(40)),
      Fixtures.randomBytes(r, 1 + r.nextInt(40000)),
      chunks.get(chunks.size() - 1),
      chunks.get(0),
      extra,
      new byte[Fixtures.SEALED],
    };
    for (int t = 0; t < tails.length; t++) {
      String s = "seed " + seed + ", trailing case " + t + " (" + tails[t].length + " bytes): ";
      byte[] tampered = Arrays.copyOf(x.recording, x.recording.length + tails[t].length);
      System.arraycopy(tails[t], 0, tampered, x.recording.length, tails[t].length);
      Outcome o = stream(tampered, r, s);
      assertRejected(s, o, x.prefixOfChunks(x.chunks() - 1));
      assertSeekableRejects(s, tampered, r);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void aBodySplicedUnderAnotherHeaderIsRejected(long seed) throws Exception {
    Random r = new Random(seed);
    EncryptionContext ctx = Fixtures.randomContext(r);
    Sample a = Fixtures.encrypt(Fixtures.RECORDINGS, r, Fixtures.plaintextLength(r), ctx);
    Sample b = Fixtures.encrypt(Fixtures.RECORDINGS, r, Fixtures.plaintextLength(r), ctx);
    String s = "seed " + seed + ": ";
    byte[] spliced = concat(a.header(), b.body());
    Outcome o = stream(spliced, r, s);
    assertNotNull(o.atOpen, s + o);
    assertEquals(AuthenticationException.class, o.atOpen.getClass(), s + o);
    assertSeekableRejects(s, spliced, r);
    // Detached: A's header given back with B's body.
    ReadOptions detached = ReadOptions.builder().detachedHeader(a.header()).build();
    Outcome od = stream(Fixtures.RECORDINGS, b.body(), detached, r, s);
    assertEquals(AuthenticationException.class, od.atOpen.getClass(), s + od);
    // A's header and prefix with B's chunks: the first chunk already fails.
    byte[] chunkSplice = concat(Arrays.copyOf(a.recording, a.chunkStart(0)),
        Arrays.copyOfRange(b.recording, b.chunkStart(0), b.recording.length));
    Outcome oc = stream(chunkSplice, r, s);
    assertRejected(s + "chunks of B under A's prefix: ", oc, new byte[0]);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void theWrongKekIsNoUsableKey(long seed) throws Exception {
    Random r = new Random(seed);
    Sample x = sample(r, 1);
    String s = "seed " + seed + ": ";
    // Another KEK (another URI): nobody claims the wrapped key.
    Outcome o = stream(Fixtures.readerWith(Fixtures.OTHER_KMS), x.recording, ReadOptions.defaults(), r, s);
    assertTrue(o.atOpen instanceof NoUsableKeyException, s + o);
    // Same URI, other keyset: it tries, fails, and the cause is kept.
    Outcome o2 = stream(Fixtures.readerWith(Fixtures.IMPOSTOR_KMS), x.recording, ReadOptions.defaults(), r, s);
    assertTrue(o2.atOpen instanceof NoUsableKeyException, s + o2);
    assertEquals(1, ((NoUsableKeyException) o2.atOpen).causes().size(), s + o2);
    Exception cause = ((NoUsableKeyException) o2.atOpen).causes().get(0);
    assertTrue(cause instanceof KmsException && !((KmsException) cause).isRetryable(), s + cause);
    assertThrows(NoUsableKeyException.class,
        () -> Fixtures.readerWith(Fixtures.OTHER_KMS).openSeekable(new InMemoryChannel(x.recording), ReadOptions.defaults()), s);
    assertThrows(NoUsableKeyException.class,
        () -> Fixtures.readerWith(Fixtures.IMPOSTOR_KMS).recover(new ByteArrayInputStream(x.recording), new ByteArrayOutputStream(), ReadOptions.defaults()), s);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void aContextMismatchFailsBeforeAnyUnwrapOrPlaintext(long seed) throws Exception {
    Random r = new Random(seed);
    Sample x = sample(r, 1);
    String s = "seed " + seed + ": ";
    Fixtures.CountingKek counting = new Fixtures.CountingKek(Fixtures.KMS);
    Recordings reader = Fixtures.readerWith(counting);
    String id = x.context.get("recording-id");
    ReadOptions[] wrong = {
      ReadOptions.builder().expect("recording-id", id + "x").build(),
      ReadOptions.builder().expect("user-id", "u-" + r.nextInt()).build(),
      ReadOptions.builder().expect("recording-id", id).expect("data-class", "phi").build(),
    };
    for (ReadOptions opts : wrong) {
      Outcome o = stream(reader, x.recording, opts, r, s);
      assertTrue(o.atOpen instanceof ContextMismatchException, s + o);
      assertEquals(0, o.released.length, s);
      assertThrows(ContextMismatchException.class,
          () -> reader.newReadableChannel(Channels.newChannel(new ByteArrayInputStream(x.recording)), opts), s);
      assertThrows(ContextMismatchException.class,
          () -> reader.openSeekable(new InMemoryChannel(x.recording), opts), s);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThrows(ContextMismatchException.class,
          () -> reader.recover(new ByteArrayInputStream(x.recording), out, opts), s);
      assertEquals(0, out.size(), s);
    }
    assertEquals(0, counting.unwraps.get(), s + "a KEK was asked to unwrap despite the mismatch");
    // Control: the right expectation opens.
    Outcome ok = stream(reader, x.recording, ReadOptions.builder().expectAll(x.context).build(), r, s);
    assertNull(ok.atOpen, s + ok);
    assertNull(ok.atRead, s + ok);
    assertArrayEquals(x.plaintext, ok.released, s);
  }

  static List<byte[]> chunksOf(Sample x) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < x.chunks(); i++) {
      int from = x.chunkStart(i);
      out.add(Arrays.copyOfRange(x.recording, from, Math.min(x.recording.length, from + Fixtures.SEALED)));
    }
    return out;
  }

  static byte[] assemble(Sample x, List<byte[]> chunks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(x.recording, 0, x.chunkStart(0));
    for (byte[] c : chunks) {
      out.write(c, 0, c.length);
    }
    return out.toByteArray();
  }

  /**
   * The oracle for "never releases an unauthenticated byte": the number of leading 16400-byte
   * windows identical to the original's full (non-final) chunks. Only those can authenticate.
   */
  static int unchangedLeadingFullChunks(Sample x, byte[] tampered) {
    int k = 0;
    while (k < x.chunks() - 1) {
      int from = x.chunkStart(k);
      int to = from + Fixtures.SEALED;
      if (to > tampered.length
          || !Arrays.equals(Arrays.copyOfRange(tampered, from, to), Arrays.copyOfRange(x.recording, from, to))) {
        break;
      }
      k++;
    }
    return k;
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
