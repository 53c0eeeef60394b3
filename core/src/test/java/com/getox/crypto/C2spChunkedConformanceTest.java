package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.internal.Cobblestone;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every vector of Wycheproof's {@code c2sp_chunked_encryption_aes_256_gcm_test.json}
 * (Cobblestone-256) through the three interfaces the C2SP doc describes, at the body layer (the
 * vectors are bare C2SP messages, not Ox recordings; see {@link C2spBody}):
 *
 * <ol>
 *   <li>streaming decryption through {@link RecordingInputStream}, with the PartialPlaintext rule:
 *       it may release the valid prefix described by msgLength/msgSha512 and nothing beyond, then
 *       must fail and keep failing on every later read;
 *   <li>random access through {@link SeekableRecording}: the whole message must read back for
 *       valid vectors and fail for invalid ones; length authentication from the end
 *       ({@link SeekableRecording#size()}) must fail for invalid vectors except ValidFinalChunk;
 *       a range inside the valid prefix may succeed but must then be the prefix;
 *   <li>raw mode: strip the 56-byte prefix, decrypt with aeadKey/baseNonce (same reader), and
 *       re-encrypt through {@link RecordingWriter}: the bytes must be identical. As a bonus, the
 *       injected-salt encryption must reproduce {@code ct} whole.
 * </ol>
 */
class C2spChunkedConformanceTest {
  static final String FILE = "wycheproof/c2sp_chunked_encryption_aes_256_gcm_test.json";

  /** Tallies for one interface. */
  static final class Tally {
    final String name;
    int validPassed;
    int invalidRejected;
    int skipped;
    final List<String> skipReasons = new ArrayList<>();

    Tally(String name) {
      this.name = name;
    }

    void skip(long tcId, String why) {
      skipped++;
      skipReasons.add("tc" + tcId + ": " + why);
    }

    @Override
    public String toString() {
      return name
          + ": valid passed "
          + validPassed
          + ", invalid rejected "
          + invalidRejected
          + ", skipped "
          + skipped;
    }
  }

  @Test
  void everyVectorThroughStreamingRandomAccessAndRawMode() throws Exception {
    Map<String, Object> root = Vectors.json(FILE);
    Tally stream = new Tally("streaming");
    Tally seek = new Tally("random-access");
    Tally raw = new Tally("raw-mode");
    List<String> failures = new ArrayList<>();
    int total = 0;
    int valid = 0;
    int partialReleased = 0;
    int lengthAuthenticatedValidFinalChunk = 0;
    for (Map<String, Object> group : Vectors.list(root.get("testGroups"))) {
      assertEquals("AEAD_AES_256_GCM", group.get("aead"));
      assertEquals("SHA-512", group.get("sha"));
      for (Map<String, Object> t : Vectors.list(group.get("tests"))) {
        total++;
        Vector v = new Vector(t);
        if (v.valid) {
          valid++;
        }
        try {
          partialReleased += streaming(v, stream);
          lengthAuthenticatedValidFinalChunk += randomAccess(v, seek);
          rawMode(v, raw);
        } catch (AssertionError | Exception e) {
          failures.add("tc" + v.tcId + " (" + v.comment + "): " + e);
        }
      }
    }
    System.out.println(
        "[conformance] "
            + FILE
            + ": "
            + total
            + " vectors ("
            + valid
            + " valid, "
            + (total - valid)
            + " invalid); "
            + stream
            + "; "
            + seek
            + "; "
            + raw
            + " (skipped: HeaderFailure vectors carry no aeadKey/baseNonce, raw mode does not"
            + " apply); PartialPlaintext prefixes released by the stream: "
            + partialReleased
            + "; ValidFinalChunk lengths authenticated: "
            + lengthAuthenticatedValidFinalChunk);
    assertTrue(failures.isEmpty(), String.join("\n", failures));
    assertEquals(((Number) root.get("numberOfTests")).intValue(), total, "numberOfTests");
    assertEquals(35, total);
    assertEquals(10, valid);
    for (Tally tally : Arrays.asList(stream, seek)) {
      assertEquals(valid, tally.validPassed, tally.toString());
      assertEquals(total - valid, tally.invalidRejected, tally.toString());
      assertEquals(0, tally.skipped, tally.toString());
    }
    assertEquals(valid, raw.validPassed, raw.toString());
    assertEquals(15, raw.invalidRejected, raw.toString());
    assertEquals(10, raw.skipped, raw.toString());
  }

  static final class Vector {
    final long tcId;
    final String comment;
    final byte[] key;
    final byte[] ctx;
    final byte[] ct;
    final byte[] aeadKey;
    final byte[] baseNonce;
    final long msgLength;
    final byte[] msgSha512;
    final boolean valid;
    final List<String> flags;

    Vector(Map<String, Object> t) {
      tcId = (Long) t.get("tcId");
      comment = (String) t.get("comment");
      key = Vectors.hex(t.get("key"));
      ctx = Vectors.hex(t.get("ctx"));
      ct = Vectors.inflate(Vectors.hex(t.get("ct")));
      aeadKey = t.containsKey("aeadKey") ? Vectors.hex(t.get("aeadKey")) : null;
      baseNonce = t.containsKey("baseNonce") ? Vectors.hex(t.get("baseNonce")) : null;
      msgLength = t.containsKey("msgLength") ? (Long) t.get("msgLength") : -1;
      msgSha512 = t.containsKey("msgSha512") ? Vectors.hex(t.get("msgSha512")) : null;
      String result = (String) t.get("result");
      if (!result.equals("valid") && !result.equals("invalid")) {
        throw new IllegalStateException("tc" + tcId + ": unexpected result " + result);
      }
      valid = result.equals("valid");
      flags = Vectors.strings(t.get("flags"));
      if (valid || has("PartialPlaintext")) {
        assertTrue(msgLength >= 0 && msgSha512 != null, "tc" + tcId + " lacks msgLength/msgSha512");
      }
    }

    boolean has(String flag) {
      return flags.contains(flag);
    }

    /** True if {@code got} is exactly the message (or valid prefix) the vector describes. */
    boolean isDescribedMessage(byte[] got) throws GeneralSecurityException {
      return got.length == msgLength
          && MessageDigest.isEqual(msgSha512, MessageDigest.getInstance("SHA-512").digest(got));
    }
  }

  /** Returns 1 if an invalid vector's valid prefix was released before the failure. */
  static int streaming(Vector v, Tally tally) throws Exception {
    RecordingInputStream in;
    try {
      in = C2spBody.openStream(v.key, v.ctx, new ByteArrayInputStream(v.ct));
    } catch (GeneralSecurityException e) {
      assertTrue(!v.valid, "valid vector rejected at open: " + e);
      tally.invalidRejected++;
      return 0;
    }
    assertTrue(!v.has("HeaderFailure"), "HeaderFailure vector got past the commitment check");
    return drainStream(v, in, tally);
  }

  static int drainStream(Vector v, RecordingInputStream in, Tally tally) throws Exception {
    Streams.Drained d = Streams.drain(in, new Random(v.tcId));
    if (v.valid) {
      assertTrue(d.failure == null, "valid vector failed: " + d.failure);
      assertTrue(v.isDescribedMessage(d.bytes), "valid vector decrypted to the wrong message");
      tally.validPassed++;
      return 0;
    }
    assertTrue(d.failure != null, "invalid vector decrypted to " + d.bytes.length + " bytes");
    assertTrue(
        d.failure.getCause() instanceof OxCryptoException,
        "stream failure's cause is not an OxCryptoException: " + d.failure);
    // Must keep failing: every later read, of any size, throws again (never -1, never data).
    for (int len : new int[] {1, 0, 100, 16384}) {
      byte[] b = new byte[Math.max(len, 1)];
      try {
        int n = in.read(b, 0, len);
        throw new AssertionError("read(" + len + ") after failure returned " + n);
      } catch (IOException expected) {
        assertTrue(expected.getCause() instanceof OxCryptoException, expected.toString());
      }
    }
    int released = 0;
    if (d.bytes.length > 0) {
      assertTrue(
          v.has("PartialPlaintext"),
          "released " + d.bytes.length + " bytes of a vector with no valid prefix");
      assertTrue(
          v.isDescribedMessage(d.bytes),
          "released " + d.bytes.length + " bytes, not the " + v.msgLength + "-byte valid prefix");
      released = 1;
    }
    tally.invalidRejected++;
    return released;
  }

  /** Returns 1 if a ValidFinalChunk vector's length authenticated. */
  static int randomAccess(Vector v, Tally tally) throws Exception {
    SeekableRecording rec;
    try {
      rec = C2spBody.openSeekable(v.key, v.ctx, new InMemoryChannel(v.ct));
    } catch (GeneralSecurityException e) {
      assertTrue(!v.valid, "valid vector rejected at open: " + e);
      tally.invalidRejected++;
      return 0;
    }
    assertTrue(!v.has("HeaderFailure"), "HeaderFailure vector got past the commitment check");
    Random random = new Random(v.tcId);
    if (v.valid) {
      assertEquals(v.msgLength, rec.size(), "authenticated length");
      byte[] all = Streams.readRandomly(rec, (int) v.msgLength, random);
      assertTrue(v.isDescribedMessage(all), "random-access read gave the wrong message");
      assertEquals(-1, rec.read(v.msgLength, new byte[1], 0, 1));
      // A fresh instance reading backwards from the end, length first, must agree.
      SeekableRecording again = C2spBody.openSeekable(v.key, v.ctx, new InMemoryChannel(v.ct));
      long size = again.size();
      byte[] back = new byte[(int) size];
      for (long end = size; end > 0; ) {
        int n = (int) Math.min(end, 1 + random.nextInt(20000));
        assertEquals(n, again.read(end - n, back, (int) (end - n), n));
        end -= n;
      }
      assertTrue(v.isDescribedMessage(back), "backwards read gave the wrong message");
      tally.validPassed++;
      return 0;
    }
    int lengthOk = 0;
    // 1. Length authentication from the end.
    try {
      long size = rec.size();
      assertTrue(
          v.has("ValidFinalChunk"), "length of an invalid vector authenticated as " + size);
      lengthOk = 1;
    } catch (GeneralSecurityException expected) {
      // required unless ValidFinalChunk
    }
    // 2. Reading the whole message must fail (fresh instance: no cached state), and keep failing.
    SeekableRecording fresh = C2spBody.openSeekable(v.key, v.ctx, new InMemoryChannel(v.ct));
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        byte[] got = Streams.readToEnd(fresh, random);
        throw new AssertionError("whole-message random-access read of an invalid vector gave "
            + got.length + " bytes");
      } catch (GeneralSecurityException expected) {
        assertTrue(expected instanceof OxCryptoException, expected.toString());
      }
    }
    // 3. A range inside the valid prefix may succeed, and must then be exactly that prefix.
    if (v.has("PartialPlaintext") && v.msgLength > 0) {
      SeekableRecording p = C2spBody.openSeekable(v.key, v.ctx, new InMemoryChannel(v.ct));
      byte[] prefix = new byte[(int) v.msgLength];
      try {
        int off = 0;
        while (off < prefix.length) {
          int n = p.read(off, prefix, off, prefix.length - off);
          assertTrue(n > 0, "short read inside the valid prefix");
          off += n;
        }
        assertTrue(v.isDescribedMessage(prefix), "valid-prefix range read gave other bytes");
      } catch (GeneralSecurityException allowed) {
        // Failing is also allowed.
      }
    }
    tally.invalidRejected++;
    return lengthOk;
  }

  static void rawMode(Vector v, Tally tally) throws Exception {
    if (v.has("HeaderFailure")) {
      assertTrue(v.aeadKey == null && v.baseNonce == null, "HeaderFailure vector with raw keys");
      tally.skip(v.tcId, "HeaderFailure: raw mode does not apply");
      return;
    }
    byte[] chunks = Arrays.copyOfRange(v.ct, Cobblestone.PREFIX_BYTES, v.ct.length);
    RecordingInputStream in =
        C2spBody.openRawStream(v.aeadKey, v.baseNonce, new ByteArrayInputStream(chunks));
    Tally inner = new Tally("raw-decrypt");
    drainStream(v, in, inner);
    if (!v.valid) {
      tally.invalidRejected++;
      return;
    }
    byte[] message = Streams.drain(
        C2spBody.openRawStream(v.aeadKey, v.baseNonce, new ByteArrayInputStream(chunks)),
        new Random(v.tcId)).bytes;
    // Raw encryption is deterministic: same key and nonce, same bytes, in any write chunking.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RecordingWriter w = C2spBody.rawWriter(v.aeadKey, v.baseNonce, out)) {
      Streams.writeInRandomPieces(w, message, new Random(v.tcId * 31));
    }
    assertTrue(Arrays.equals(chunks, out.toByteArray()), "raw re-encryption differs");
    // With the vector's salt injected, the whole ciphertext (salt, commitment, chunks) matches.
    ByteArrayOutputStream full = new ByteArrayOutputStream();
    byte[] salt = Arrays.copyOf(v.ct, Cobblestone.SALT_BYTES);
    try (RecordingWriter w = C2spBody.sealWithSalt(v.key, salt, v.ctx, full)) {
      w.write(message);
    }
    assertTrue(Arrays.equals(v.ct, full.toByteArray()), "salt-injected re-encryption differs");
    tally.validPassed++;
  }

  @Test
  void vectorsDirectoryIsFoundAndFailsLoudlyOtherwise() {
    assertTrue(Vectors.dir().getPath().replace('\\', '/').endsWith("shared/vectors"));
    String old = System.getProperty("ox.vectors.dir");
    System.setProperty("ox.vectors.dir", "/nonexistent/vectors");
    try {
      IllegalStateException e =
          org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, Vectors::dir);
      assertTrue(e.getMessage().contains("not a directory"));
    } finally {
      if (old == null) {
        System.clearProperty("ox.vectors.dir");
      } else {
        System.setProperty("ox.vectors.dir", old);
      }
    }
  }
}
