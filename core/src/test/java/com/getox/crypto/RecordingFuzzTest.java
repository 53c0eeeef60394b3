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
