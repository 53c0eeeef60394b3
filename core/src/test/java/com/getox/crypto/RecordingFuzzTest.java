package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.getox.crypto.internal.Cobblestone;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Tag;

/**
 * Jazzer fuzz tests. In a normal {@code mvn verify} they run in regression mode: each replays the
 * seed inputs under {@code src/test/resources/com/getox/crypto/RecordingFuzzTestInputs/<method>/}
 * (and {@code .cifuzz-corpus/} if present). To fuzz for real, see core/README.md:
 * {@code JAZZER_FUZZ=1 mvn -pl core test -Dtest=RecordingFuzzTest#headerParser}.
 *
 * <p>{@code keysetFile} fuzzes the local keyset file parser ({@code LocalKms.open}).
 */
@Tag("fuzz")
class RecordingFuzzTest {
  static final ReadOptions OPTS = ReadOptions.builder().maxWrappedKeys(64).build();
  /** Fixed raw-mode key and base nonce: the fuzzer explores the chunk reader, not the key. */
  static final byte[] KEY = Arrays.copyOf("ox-crypto fuzz key, not secret!!".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 32);
  static final byte[] NONCE = Arrays.copyOf("fuzz-nonce12".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 12);

  /**
   * The header parser on arbitrary bytes: only OxCryptoException (and IOException from the stream
   * form) may escape; whatever parses re-serializes to exactly the same bytes, and the stream form
   * stops at the header's end.
   */
  @FuzzTest(maxDuration = "5m")
  void headerParser(byte[] data) throws IOException {
    // A parser that rejects everything fails here: a genuine header parses back to its bytes.
    byte[] genuine = Arrays.copyOf(RECORDINGS[data.length % RECORDINGS.length], HEADER_BYTES[data.length % RECORDINGS.length]);
    try {
      assertArrayEquals(genuine, RecordingHeader.parse(genuine, OPTS).toByteArray());
    } catch (OxCryptoException e) {
      throw new AssertionError("a genuine header was rejected", e);
    }
    RecordingHeader parsed = null;
    try {
      parsed = RecordingHeader.parse(data, OPTS);
      assertArrayEquals(data, parsed.toByteArray(), "a parsed header must re-serialize identically");
      assertTrue(parsed.wrappedKeys().size() >= 1);
      parsed.toString();
    } catch (OxCryptoException expected) {
      // typed rejection
    }
    ByteArrayInputStream in = new ByteArrayInputStream(data);
    try {
      RecordingHeader read = RecordingHeader.read(in, OPTS);
      int used = read.toByteArray().length;
      assertEquals(data.length - used, in.available(), "read() must stop at the header's end");
      assertEquals(read, RecordingHeader.parse(Arrays.copyOf(data, used), OPTS));
      if (parsed != null) {
        assertEquals(parsed, read);
      }
    } catch (OxCryptoException expected) {
      // typed rejection
    }
  }

  /**
   * The streaming reader on arbitrary body bytes under a fixed key: it either fails with an
   * IOException whose cause is an OxCryptoException (and keeps failing), or succeeds, and then
   * re-encrypting what it returned reproduces the input exactly. Random access over the same
   * bytes agrees.
   */
  @FuzzTest(maxDuration = "5m")
  void streamingReader(byte[] body) throws Exception {
    validInputRoundTrips(body);
    RecordingInputStream in = C2spBody.openRawStream(KEY, NONCE, new ByteArrayInputStream(body));
    Streams.Drained d = Streams.drain(in, new Random(body.length));
    if (d.failure != null) {
      assertTrue(d.failure.getCause() instanceof OxCryptoException, String.valueOf(d.failure));
      try {
        in.read();
        throw new AssertionError("read after failure succeeded");
      } catch (IOException again) {
        assertTrue(again.getCause() instanceof OxCryptoException, again.toString());
      }
      assertEquals(0, d.bytes.length % Cobblestone.CHUNK_PLAINTEXT_BYTES, "released a partial chunk");
    } else {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (RecordingWriter w = C2spBody.rawWriter(KEY, NONCE, out)) {
        w.write(d.bytes);
      }
      assertArrayEquals(body, out.toByteArray(), "accepted bytes must be exactly the encryption");
    }
    // Random access over the same bytes: the whole read succeeds exactly when the stream did.
    SeekableRecording sr = new SeekableRecording(
        new InMemoryChannel(body), null, Cobblestone.raw(KEY, NONCE), 0);
    try {
      byte[] all = Streams.readToEnd(sr, new Random(body.length));
      assertTrue(d.failure == null, "random access accepted what the stream rejected");
      assertArrayEquals(d.bytes, all);
    } catch (GeneralSecurityException e) {
      assertTrue(e instanceof OxCryptoException, e.toString());
      assertTrue(d.failure != null, "random access rejected what the stream accepted: " + e);
    }
  }

  /**
   * The input taken as plaintext: its encryption decrypts back exactly through the stream and
   * random access (a reader that rejects everything fails here on every input), and the same
   * encryption with one bit flipped, at a position the input picks, is rejected by both without a
   * byte of the damaged chunk released.
   */
  private static void validInputRoundTrips(byte[] plain) throws Exception {
    ByteArrayOutputStream enc = new ByteArrayOutputStream();
    try (RecordingWriter w = C2spBody.rawWriter(KEY, NONCE, enc)) {
      w.write(plain);
    }
    byte[] body = enc.toByteArray();
    assertArrayEquals(plain, Streams.readAll(C2spBody.openRawStream(KEY, NONCE, new ByteArrayInputStream(body))));
    assertArrayEquals(plain, Streams.readToEnd(
        new SeekableRecording(new InMemoryChannel(body), null, Cobblestone.raw(KEY, NONCE), 0), new Random(plain.length)));
    int pick = Arrays.hashCode(plain) & Integer.MAX_VALUE;
    int at = pick % body.length;
    body[at] ^= (byte) (1 << (pick >>> 24) % 8);
    Streams.Drained d = Streams.drain(
        C2spBody.openRawStream(KEY, NONCE, new ByteArrayInputStream(body)), new Random(pick));
    assertTrue(d.failure != null && d.failure.getCause() instanceof AuthenticationException, "a flipped bit was accepted");
    int damagedChunk = at / Cobblestone.CHUNK_CIPHERTEXT_BYTES;
    assertTrue(d.bytes.length <= damagedChunk * Cobblestone.CHUNK_PLAINTEXT_BYTES, "released the damaged chunk");
    assertArrayEquals(Arrays.copyOf(plain, d.bytes.length), d.bytes);
    try {
      Streams.readToEnd(new SeekableRecording(new InMemoryChannel(body), null, Cobblestone.raw(KEY, NONCE), 0), new Random(pick));
      throw new AssertionError("random access accepted a flipped bit");
    } catch (AuthenticationException expected) {
      // typed rejection
    }
  }

  /** Genuine recordings (header and body) of lengths around the chunk boundaries, for {@link #recover}. */
  static final byte[][] PLAINTEXTS = new byte[4][];
  static final byte[][] RECORDINGS = new byte[4][];
  static final int[] HEADER_BYTES = new int[4];

  static {
    int[] lengths = {0, 100, Cobblestone.CHUNK_PLAINTEXT_BYTES, Cobblestone.CHUNK_PLAINTEXT_BYTES + 100};
    try {
      for (int i = 0; i < lengths.length; i++) {
        PLAINTEXTS[i] = new byte[lengths[i]];
        new Random(i).nextBytes(PLAINTEXTS[i]);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RecordingWriter w = Fixtures.RECORDINGS.newWriter(out, EncryptionContext.builder().put("fuzz", "" + i).build())) {
          w.write(PLAINTEXTS[i]);
        }
        RECORDINGS[i] = out.toByteArray();
        HEADER_BYTES[i] = RecordingHeader.read(new ByteArrayInputStream(RECORDINGS[i]), ReadOptions.defaults()).toByteArray().length;
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Crash recovery on a genuine recording cut anywhere, with bits the fuzzer flips, or on raw
   * bytes. Recovery fails typed, or writes exactly a chunk-aligned prefix of the genuine plaintext
   * (never a byte from at or after a flipped chunk); an untouched cut recording recovers every
   * complete chunk, and the whole one recovers in full and says it is not truncated.
   */
  @FuzzTest(maxDuration = "5m")
  void recover(FuzzedDataProvider data) throws Exception {
    int which = data.consumeInt(0, RECORDINGS.length);
    byte[] input;
    int firstFlip = Integer.MAX_VALUE;
    int hdr = 0;
    byte[] plain = null;
    if (which == RECORDINGS.length) {
      input = data.consumeRemainingAsBytes();
    } else {
      plain = PLAINTEXTS[which];
      hdr = HEADER_BYTES[which];
      input = Arrays.copyOf(RECORDINGS[which], data.consumeInt(0, RECORDINGS[which].length));
      while (data.remainingBytes() >= 5 && input.length > 0) {
        int at = data.consumeInt(0, input.length - 1);
        byte mask = data.consumeByte();
        input[at] ^= mask;
      }
      for (int i = 0; i < input.length && firstFlip == Integer.MAX_VALUE; i++) {
        if (input[i] != RECORDINGS[which][i]) {
          firstFlip = i; // two flips of one byte may cancel: compare, do not count
        }
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RecoveryReport report;
    try {
      report = Fixtures.RECORDINGS.recover(new ByteArrayInputStream(input), out, OPTS);
    } catch (GeneralSecurityException e) {
      assertTrue(e instanceof OxCryptoException, e.toString());
      assertEquals(0, out.size(), "failed after releasing bytes");
      if (plain != null && firstFlip == Integer.MAX_VALUE) {
        // An untouched prefix fails only if it does not reach the end of the key prefix.
        assertTrue(input.length < hdr + Cobblestone.PREFIX_BYTES, "an untouched prefix must recover: " + e);
      }
      return;
    } catch (IOException e) {
      throw new AssertionError("recover threw an untyped IOException", e);
    }
    byte[] got = out.toByteArray();
    assertEquals(report.plaintextBytes(), got.length);
    if (plain == null) {
      // Raw bytes recover only if the fuzzer rebuilt a genuine prefix.
      boolean prefixOfSome = false;
      for (byte[] p : PLAINTEXTS) {
        prefixOfSome |= got.length <= p.length && Arrays.equals(got, Arrays.copyOf(p, got.length));
      }
      assertTrue(prefixOfSome, "recovered bytes that no genuine recording holds");
      return;
    }
    assertTrue(got.length <= plain.length && Arrays.equals(got, Arrays.copyOf(plain, got.length)),
        "recovered bytes that are not the plaintext");
    assertTrue(got.length == plain.length || got.length % Cobblestone.CHUNK_PLAINTEXT_BYTES == 0, "a partial chunk");
    if (firstFlip != Integer.MAX_VALUE) {
      int intact = firstFlip < hdr + Cobblestone.PREFIX_BYTES
          ? 0 : (firstFlip - hdr - Cobblestone.PREFIX_BYTES) / Cobblestone.CHUNK_CIPHERTEXT_BYTES;
      if (firstFlip >= hdr + Cobblestone.PREFIX_BYTES) {
        assertTrue(got.length <= intact * Cobblestone.CHUNK_PLAINTEXT_BYTES, "released a flipped chunk: which=" + which + " len=" + input.length + " flip=" + firstFlip + " hdr=" + hdr + " got=" + got.length + " " + report);
      }
      return;
    }
    boolean whole = input.length == RECORDINGS[which].length;
    assertEquals(!whole, report.truncated(), "truncated()");
    long complete = Math.max(0, input.length - hdr - Cobblestone.PREFIX_BYTES) / Cobblestone.CHUNK_CIPHERTEXT_BYTES;
    int expected = whole ? plain.length : (int) Math.min(plain.length, complete * Cobblestone.CHUNK_PLAINTEXT_BYTES);
    assertEquals(expected, got.length, "an untouched cut recording recovers every complete chunk");
    assertEquals(whole ? plain.length / Cobblestone.CHUNK_PLAINTEXT_BYTES + 1 : complete, report.chunks(), "chunks()");
  }

  /** An unterminated version 2 recording: full chunks, then flush records of the chunk in progress. */
  static final byte[] FLUSHED_PLAIN = new byte[Cobblestone.CHUNK_PLAINTEXT_BYTES + 3000];
  static final byte[] FLUSHED;
  /** The file length at which each flush was complete, and the plaintext it then held. */
  static final long[][] FLUSH_POINTS;

  static {
    new Random(7).nextBytes(FLUSHED_PLAIN);
    try {
      java.io.File dir = java.nio.file.Files.createTempDirectory("ox-fuzz").toFile();
      java.io.File f = new java.io.File(dir, "flushed.oxr");
      int[] cuts = {1000, 9000, Cobblestone.CHUNK_PLAINTEXT_BYTES + 1, Cobblestone.CHUNK_PLAINTEXT_BYTES + 1200, FLUSHED_PLAIN.length};
      FLUSH_POINTS = new long[cuts.length][];
      RecordingWriter w = Fixtures.RECORDINGS.newFileWriter(f, EncryptionContext.builder().put("fuzz", "flushed").build());
      int at = 0;
      for (int i = 0; i < cuts.length; i++) {
        w.write(FLUSHED_PLAIN, at, cuts[i] - at);
        at = cuts[i];
        w.flush();
        FLUSH_POINTS[i] = new long[] {f.length(), at};
      }
      FLUSHED = java.nio.file.Files.readAllBytes(f.toPath());
      w.abort();
      if (!f.delete() || !dir.delete()) {
        throw new IOException("cannot delete " + f);
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Recovery of an unterminated, flushed recording cut anywhere, with bits flipped anywhere
   * (flush records included). It fails typed or releases a prefix of the plaintext, never another
   * byte; untouched and cut after a flush completed, it recovers at least what that flush held.
   */
  @FuzzTest(maxDuration = "5m")
  void recoverFlushed(FuzzedDataProvider data) throws Exception {
    byte[] input = Arrays.copyOf(FLUSHED, data.consumeInt(0, FLUSHED.length));
    boolean touched = false;
    while (data.remainingBytes() >= 5 && input.length > 0) {
      int at = data.consumeInt(0, input.length - 1);
      byte mask = data.consumeByte();
      input[at] ^= mask;
      touched |= mask != 0;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      Fixtures.RECORDINGS.recover(new ByteArrayInputStream(input), out, OPTS);
    } catch (GeneralSecurityException e) {
      assertTrue(e instanceof OxCryptoException, e.toString());
      return;
    } catch (IOException e) {
      throw new AssertionError("recover threw an untyped IOException", e);
    }
    byte[] got = out.toByteArray();
    assertTrue(
        got.length <= FLUSHED_PLAIN.length && Arrays.equals(got, Arrays.copyOf(FLUSHED_PLAIN, got.length)),
        "recovered bytes that are not the plaintext");
    if (!touched && Arrays.equals(input, Arrays.copyOf(FLUSHED, input.length))) {
      for (long[] p : FLUSH_POINTS) {
        if (input.length >= p[0]) {
          assertTrue(got.length >= p[1], "lost flushed bytes: cut " + input.length + " got " + got.length);
        }
      }
    }
  }

  /**
   * The local keyset file parser (Jackson streaming plus Tink's JSON keyset format) on arbitrary
   * bytes: it opens, or fails with an IOException or a GeneralSecurityException, never a runtime
   * exception. What opens must wrap and unwrap.
   */
  @FuzzTest(maxDuration = "5m")
  void keysetFile(byte[] data) throws Exception {
    java.io.File f = java.io.File.createTempFile("fuzz-keyset", ".json");
    try {
      java.nio.file.Files.write(f.toPath(), data);
      com.getox.crypto.local.LocalKms kms;
      try {
        kms = com.getox.crypto.local.LocalKms.open(f, com.getox.crypto.local.KeysetProtection.insecurePlaintext());
      } catch (IOException | GeneralSecurityException expected) {
        return;
      }
      EncryptionContext ctx = EncryptionContext.builder().put("k", "v").build();
      try {
        com.getox.crypto.kek.WrappedKey w = kms.wrap(KEY, ctx);
        assertArrayEquals(KEY, kms.unwrap(w, ctx));
      } catch (GeneralSecurityException acceptable) {
        // e.g. a keyset whose primary is not usable
      }
      kms.versions();
      kms.toString();
    } finally {
      if (!f.delete()) {
        f.deleteOnExit();
      }
    }
  }

  /**
   * Any chunking round-trips: plaintext written in fuzzer-chosen pieces (byte[] slices, single
   * bytes, heap and direct buffers, flushes) yields the same bytes as one write, and decrypts back.
   */
  @FuzzTest(maxDuration = "5m")
  void anyChunkingRoundTrips(FuzzedDataProvider data) throws Exception {
    int length = data.consumeInt(0, 3 * Cobblestone.CHUNK_PLAINTEXT_BYTES + 100);
    byte[] plain = new byte[length];
    new Random(data.consumeLong()).nextBytes(plain);
    ByteArrayOutputStream pieces = new ByteArrayOutputStream();
    try (RecordingWriter w = C2spBody.rawWriter(KEY, NONCE, pieces)) {
      int off = 0;
      while (off < length) {
        int n = data.remainingBytes() > 0
            ? data.consumeInt(0, Math.min(length - off, 2 * Cobblestone.CHUNK_PLAINTEXT_BYTES))
            : length - off;
        switch (data.remainingBytes() > 0 ? data.consumeInt(0, 4) : 3) {
          case 0:
            if (n > 0) {
              w.write(plain[off]);
              n = 1;
            }
            break;
          case 1:
            w.write(ByteBuffer.wrap(Arrays.copyOfRange(plain, off, off + n)));
            break;
          case 2:
            {
              ByteBuffer b = ByteBuffer.allocateDirect(n);
              b.put(plain, off, n);
              b.flip();
              w.write(b);
              break;
            }
          case 3:
            w.write(plain, off, n);
            break;
          default:
            w.write(plain, off, n);
            w.flush();
        }
        off += n;
      }
      assertEquals(length, w.plaintextBytes());
    }
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    try (RecordingWriter w = C2spBody.rawWriter(KEY, NONCE, whole)) {
      w.write(plain);
    }
    assertArrayEquals(whole.toByteArray(), pieces.toByteArray(), "chunking changed the ciphertext");
    assertEquals(Cobblestone.bodyLength(length) - Cobblestone.PREFIX_BYTES, pieces.size());
    RecordingInputStream in = C2spBody.openRawStream(KEY, NONCE, new ByteArrayInputStream(pieces.toByteArray()));
    assertArrayEquals(plain, Streams.readAll(in));
  }
}
