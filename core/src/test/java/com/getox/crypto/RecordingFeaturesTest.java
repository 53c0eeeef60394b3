package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.Fixtures.Sample;
import com.getox.crypto.kek.KekRegistry;
import com.getox.crypto.kek.WrappedKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Crash recovery, detached headers, the header limits that protect a reader before it allocates,
 * and recordings wrapped for several KEKs.
 */
class RecordingFeaturesTest {

  static LongStream seeds() {
    return Fixtures.seeds();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void recoveryReturnsEveryCompleteChunkOfAnUnclosedRecording(long seed) throws Exception {
    String s = "seed " + seed + ": ";
    Random r = new Random(seed);
    byte[] plain = Fixtures.randomBytes(r, Fixtures.plaintextLength(r));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RecordingWriter w = Fixtures.RECORDINGS.newWriter(out, Fixtures.randomContext(r));
    Streams.writeInRandomPieces(w, plain, r);
    w.flush(); // the process dies here: close() never runs
    byte[] onDisk = out.toByteArray();
    int complete = plain.length / Fixtures.CHUNK;
    byte[] expected = Arrays.copyOf(plain, complete * Fixtures.CHUNK);
    // A torn write of the next chunk may also have reached the disk.
    byte[] torn = r.nextBoolean() ? new byte[0] : Fixtures.randomBytes(r, 1 + r.nextInt(Fixtures.SEALED - 1));
    byte[] crashed = RecordingTamperPropertyTest.concat(onDisk, torn);

    IOException e = assertThrows(IOException.class, () -> Streams.readAll(
        Fixtures.RECORDINGS.newInputStream(new ByteArrayInputStream(crashed), ReadOptions.defaults())), s);
    assertTrue(e.getCause() instanceof AuthenticationException, s + e);
    if (torn.length < 16) {
      assertTrue(e.getCause() instanceof TruncationException, s + e);
    }

    ByteArrayOutputStream recovered = new ByteArrayOutputStream();
    RecoveryReport report = Fixtures.RECORDINGS.recover(new ByteArrayInputStream(crashed), recovered, ReadOptions.defaults());
    assertTrue(report.truncated(), s + report);
    assertEquals(complete, report.chunks(), s + report);
    assertEquals(expected.length, report.plaintextBytes(), s + report);
    assertArrayEquals(expected, recovered.toByteArray(), s + report);

    // Once closed, the same recording is complete and recovery says so.
    w.close();
    byte[] closed = out.toByteArray();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    RecoveryReport full = Fixtures.RECORDINGS.recover(new ByteArrayInputStream(closed), all, ReadOptions.defaults());
    assertFalse(full.truncated(), s + full);
    assertEquals(plain.length / Fixtures.CHUNK + 1, full.chunks(), s + full);
    assertArrayEquals(plain, all.toByteArray(), s + full);
  }

  @Test
  void aWriterWhoseSinkFailsKeepsFailingAndWhatReachedTheDiskRecovers() throws Exception {
    Random r = new Random(23);
    byte[] plain = Fixtures.randomBytes(r, 5 * Fixtures.CHUNK);
    ByteArrayOutputStream disk = new ByteArrayOutputStream();
    final int budget = 400 + 3 * Fixtures.SEALED + 5000; // header, prefix, 3 chunks, a torn 4th
    java.io.OutputStream failing = new java.io.OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        int n = Math.min(len, budget - disk.size());
        disk.write(b, off, Math.max(n, 0));
        if (n < len) {
          throw new IOException("disk full");
        }
      }
    };
    RecordingWriter w = Fixtures.RECORDINGS.newWriter(failing, Fixtures.randomContext(r));
    IOException first = assertThrows(IOException.class, () -> w.write(plain));
    assertEquals("disk full", first.getMessage());
    IOException again = assertThrows(IOException.class, () -> w.write(new byte[1]));
    assertTrue(again.getMessage().contains("disk full"), again.getMessage());
    assertThrows(IOException.class, w::flush);
    w.close(); // does not seal a final chunk after a failure
    assertThrows(IOException.class, () -> w.write(new byte[1]), "closed");
    byte[] onDisk = disk.toByteArray();
    ByteArrayOutputStream recovered = new ByteArrayOutputStream();
    RecoveryReport report = Fixtures.RECORDINGS.recover(new ByteArrayInputStream(onDisk), recovered, ReadOptions.defaults());
    assertTrue(report.truncated(), report.toString());
    int headerBytes = w.header().toByteArray().length;
    int complete = (onDisk.length - headerBytes - Fixtures.PREFIX) / Fixtures.SEALED;
    assertTrue(complete >= 3, "chunks on disk: " + complete);
    assertArrayEquals(Arrays.copyOf(plain, complete * Fixtures.CHUNK), recovered.toByteArray(), report.toString());
    IOException e = assertThrows(IOException.class, () -> Streams.readAll(
        Fixtures.RECORDINGS.newInputStream(new ByteArrayInputStream(onDisk), ReadOptions.defaults())));
    assertTrue(e.getCause() instanceof AuthenticationException, e.toString());
  }

  @Test
  void recoveryStillFailsOnCorruptionBeforeTheEnd() throws Exception {
    Random r = new Random(7);
    Sample x = Fixtures.encrypt(Fixtures.RECORDINGS, r, 3 * Fixtures.CHUNK + 10, Fixtures.randomContext(r));
    byte[] bad = x.recording.clone();
    bad[x.chunkStart(1) + 100] ^= 1;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AuthenticationException e = assertThrows(AuthenticationException.class,
        () -> Fixtures.RECORDINGS.recover(new ByteArrayInputStream(bad), out, ReadOptions.defaults()));
    assertFalse(e instanceof TruncationException, e.toString());
    assertArrayEquals(x.prefixOfChunks(1), out.toByteArray(), "only chunk 0 authenticated");
  }

  @Test
  void detachedHeaderMustBeTheRightOne() throws Exception {
    Random r = new Random(11);
    EncryptionContext ctx = Fixtures.randomContext(r);
    byte[] plain = Fixtures.randomBytes(r, 40000);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] header;
    try (RecordingWriter w = Fixtures.RECORDINGS.newDetachedWriter(body, ctx)) {
      w.write(plain);
      header = w.header().toByteArray();
    }
    byte[] b = body.toByteArray();
    // Its own header opens it; another recording's header (same KEK, same context) does not.
    Sample other = Fixtures.encrypt(Fixtures.RECORDINGS, r, 10, ctx);
    ReadOptions wrong = ReadOptions.builder().detachedHeader(other.header()).build();
    assertThrows(AuthenticationException.class,
        () -> Fixtures.RECORDINGS.newInputStream(new ByteArrayInputStream(b), wrong));
    assertThrows(AuthenticationException.class,
        () -> Fixtures.RECORDINGS.openSeekable(new InMemoryChannel(b), wrong));
    // An attached recording read as if its header were detached: the header bytes are not a body.
    byte[] attached = RecordingTamperPropertyTest.concat(header, b);
    ReadOptions right = ReadOptions.builder().detachedHeader(header).build();
    assertThrows(AuthenticationException.class,
        () -> Fixtures.RECORDINGS.newInputStream(new ByteArrayInputStream(attached), right));
    // A detached header with trailing bytes, or cut short, is not a header.
    assertThrows(FormatException.class, () -> RecordingHeader.parse(Arrays.copyOf(header, header.length + 1), ReadOptions.defaults()));
    assertThrows(OxCryptoException.class, () -> RecordingHeader.parse(Arrays.copyOf(header, header.length - 1), ReadOptions.defaults()));
    assertThrows(TruncationException.class, () -> RecordingHeader.parse(Arrays.copyOf(header, 5), ReadOptions.defaults()));
    try (RecordingInputStream in = Fixtures.RECORDINGS.newInputStream(new ByteArrayInputStream(b), right)) {
      assertArrayEquals(plain, Streams.readAll(in));
    }
  }

  /** Counts the bytes a parser pulled from its input. */
  static final class CountingInput extends FilterInputStream {
    long consumed;

    CountingInput(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      consumed += b < 0 ? 0 : 1;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      consumed += Math.max(n, 0);
      return n;
    }
  }

  static byte[] preamble(long total) {
    ByteBuffer b = ByteBuffer.allocate(9);
    b.put(new byte[] {'O', 'X', 'R', 'C', 1});
    b.putInt((int) total);
    return b.array();
  }

  @Test
  void anOversizedHeaderLengthIsRejectedBeforeAllocation() throws Exception {
    for (long total : new long[] {0xffffffffL, 0x7fffffffL, RecordingHeader.MAX_HEADER_BYTES + 1L,
        ReadOptions.DEFAULT_MAX_HEADER_BYTES + 1L}) {
      // Only the 9-byte preamble exists: a reader that trusted the length would allocate (up to
      // 4 GiB) and then block or fail on the missing bytes instead.
      CountingInput in = new CountingInput(new ByteArrayInputStream(preamble(total)));
      FormatException e = assertThrows(FormatException.class, () -> RecordingHeader.read(in, ReadOptions.defaults()));
      assertTrue(e.getMessage().contains("over the limit"), e.getMessage());
      assertEquals(9, in.consumed, "read past the preamble for length " + total);
      byte[] bytes = preamble(total);
      assertThrows(FormatException.class, () -> RecordingHeader.parse(bytes, ReadOptions.defaults()));
      assertThrows(FormatException.class, () -> Fixtures.RECORDINGS.newInputStream(
          new ByteArrayInputStream(bytes), ReadOptions.defaults()));
    }
    // The reader's own, lower limit applies too.
    Random r = new Random(3);
    Sample x = Fixtures.encrypt(Fixtures.RECORDINGS, r, 100, Fixtures.randomContext(r));
    ReadOptions small = ReadOptions.builder().maxHeaderBytes(x.headerBytes - 1).build();
    CountingInput in = new CountingInput(new ByteArrayInputStream(x.recording));
    assertThrows(FormatException.class, () -> Fixtures.RECORDINGS.newInputStream(in, small));
    assertEquals(9, in.consumed);
    ReadOptions exact = ReadOptions.builder().maxHeaderBytes(Math.max(64, x.headerBytes)).build();
    assertArrayEquals(x.plaintext, Streams.readAll(
        Fixtures.RECORDINGS.newInputStream(new ByteArrayInputStream(x.recording), exact)));
    assertThrows(IllegalArgumentException.class, () -> ReadOptions.builder().maxHeaderBytes(RecordingHeader.MAX_HEADER_BYTES + 1).build());
  }

  @Test
  void tooManyWrappedKeysAreRejectedBeforeAllocation() throws Exception {
    Random r = new Random(5);
    Sample x = Fixtures.encrypt(Fixtures.RECORDINGS, r, 5000, Fixtures.randomContext(r));
    RecordingHeader h = RecordingHeader.parse(x.header(), ReadOptions.defaults());
    List<WrappedKey> many = new ArrayList<>(Collections.nCopies(ReadOptions.DEFAULT_MAX_WRAPPED_KEYS + 1, h.wrappedKeys().get(0)));
    byte[] big = h.withWrappedKeys(many).toByteArray();
    FormatException e = assertThrows(FormatException.class, () -> RecordingHeader.parse(big, ReadOptions.defaults()));
    assertTrue(e.getMessage().contains("wrapped keys"), e.getMessage());
    byte[] rec = RecordingTamperPropertyTest.concat(big, x.body());
    assertThrows(FormatException.class, () -> Fixtures.RECORDINGS.newInputStream(new ByteArrayInputStream(rec), ReadOptions.defaults()));
    // A reader that allows 17 opens it: the wrapped-key list is outside the body's context.
    ReadOptions allow = ReadOptions.builder().maxWrappedKeys(many.size()).build();
    assertArrayEquals(x.plaintext, Streams.readAll(Fixtures.RECORDINGS.newInputStream(new ByteArrayInputStream(rec), allow)));
    ReadOptions one = ReadOptions.builder().maxWrappedKeys(1).build();
    assertThrows(FormatException.class, () -> RecordingHeader.parse(h.withWrappedKeys(many.subList(0, 2)).toByteArray(), one));

    // A count of 65535 with no keys behind it: rejected on the count, not after 65535 allocations.
    byte[] hb = x.header();
    int countAt = countOffset(hb);
    assertEquals(1, ((hb[countAt] & 0xff) << 8) | (hb[countAt + 1] & 0xff));
    byte[] forged = Arrays.copyOf(hb, countAt + 2);
    forged[countAt] = (byte) 0xff;
    forged[countAt + 1] = (byte) 0xff;
    ByteBuffer.wrap(forged, 5, 4).putInt(forged.length);
    FormatException e2 = assertThrows(FormatException.class, () -> RecordingHeader.parse(forged, ReadOptions.defaults()));
    assertTrue(e2.getMessage().contains("65535"), e2.getMessage());
    assertThrows(FormatException.class, () -> RecordingHeader.parse(forged,
        ReadOptions.builder().maxWrappedKeys(0xffff).build()));
  }

  /** Offset of the wrapped-key count: preamble, suite, header id, then the canonical context. */
  static int countOffset(byte[] header) {
    int p = 9 + 2 + RecordingHeader.HEADER_ID_BYTES;
    int entries = ((header[p] & 0xff) << 8) | (header[p + 1] & 0xff);
    p += 2;
    for (int i = 0; i < 2 * entries; i++) {
      p += 2 + (((header[p] & 0xff) << 8) | (header[p + 1] & 0xff));
    }
    if (header[4] != RecordingHeader.FORMAT_VERSION_1) { // version 2: the unstored names
      int names = ((header[p] & 0xff) << 8) | (header[p + 1] & 0xff);
      p += 2;
      for (int i = 0; i < names; i++) {
        p += 2 + (((header[p] & 0xff) << 8) | (header[p + 1] & 0xff));
      }
    }
    return p;
  }

  @Test
  void aRecordingWrappedForTwoKeksOpensWithEither() throws Exception {
    Recordings both = Recordings.builder().wrapWith(Fixtures.KMS, Fixtures.OTHER_KMS)
        .auditSink(com.getox.crypto.audit.AuditSink.none()).build();
    Random r = new Random(13);
    Sample x = Fixtures.encrypt(both, r, 20000, Fixtures.randomContext(r));
    RecordingHeader h = RecordingHeader.parse(x.header(), ReadOptions.defaults());
    assertEquals(2, h.wrappedKeys().size());
    assertEquals(Fixtures.KMS.uri(), h.wrappedKeys().get(0).kekUri());
    assertEquals(Fixtures.OTHER_KMS.uri(), h.wrappedKeys().get(1).kekUri());
    for (Recordings reader : Arrays.asList(
        Fixtures.readerWith(Fixtures.KMS),
        Fixtures.readerWith(Fixtures.OTHER_KMS),
        Recordings.builder().unwrapWith(KekRegistry.builder().register(Fixtures.OTHER_KMS).build())
            .auditSink(com.getox.crypto.audit.AuditSink.none()).build(),
        Fixtures.readerWith(Fixtures.IMPOSTOR_KMS, Fixtures.OTHER_KMS))) {
      assertArrayEquals(x.plaintext, Streams.readAll(reader.newInputStream(new ByteArrayInputStream(x.recording), ReadOptions.defaults())));
      try (SeekableRecording sr = reader.openSeekable(new InMemoryChannel(x.recording), ReadOptions.defaults())) {
        assertEquals(x.plaintext.length, sr.size());
      }
    }
    NoUsableKeyException e = assertThrows(NoUsableKeyException.class,
        () -> Fixtures.readerWith(Fixtures.IMPOSTOR_KMS).newInputStream(new ByteArrayInputStream(x.recording), ReadOptions.defaults()));
    assertEquals(1, e.causes().size(), e.toString());
    assertTrue(e.getMessage().contains(Fixtures.OTHER_KMS.uri()), e.getMessage());
    // Two readers' worth of wrong keys: one exception carries every cause.
    NoUsableKeyException both2 = assertThrows(NoUsableKeyException.class,
        () -> Fixtures.readerWith(Fixtures.IMPOSTOR_KMS, TestKeks.newLocalKms("other"))
            .newInputStream(new ByteArrayInputStream(x.recording), ReadOptions.defaults()));
    assertEquals(2, both2.causes().size(), both2.toString());
    assertEquals(1, both2.getSuppressed().length, both2.toString());
    assertTrue(both2.causes().get(0) instanceof KmsException, both2.toString());
  }

  @Test
  void aHeaderThatWrapsADifferentKeyForOneRecipientIsCaughtByTheCommitment() throws Exception {
    Recordings both = Recordings.builder().wrapWith(Fixtures.KMS, Fixtures.OTHER_KMS)
        .auditSink(com.getox.crypto.audit.AuditSink.none()).build();
    Random r = new Random(17);
    Sample x = Fixtures.encrypt(both, r, 1000, Fixtures.randomContext(r));
    RecordingHeader h = RecordingHeader.parse(x.header(), ReadOptions.defaults());
    // The attacker holds OTHER_KMS's share and gives KMS's reader a wrap of some other key.
    WrappedKey lie = Fixtures.KMS.wrap(Fixtures.randomBytes(r, 32), x.context);
    byte[] forged = RecordingTamperPropertyTest.concat(
        h.withWrappedKeys(Arrays.asList(lie, h.wrappedKeys().get(1))).toByteArray(), x.body());
    assertThrows(AuthenticationException.class,
        () -> Fixtures.readerWith(Fixtures.KMS).newInputStream(new ByteArrayInputStream(forged), ReadOptions.defaults()));
    // A reader holding both skips the lie (it fails the commitment) and opens with the honest wrap.
    assertArrayEquals(x.plaintext, Streams.readAll(Fixtures.readerWith(Fixtures.KMS, Fixtures.OTHER_KMS)
        .newInputStream(new ByteArrayInputStream(forged), ReadOptions.defaults())));
  }

  @Test
  void keyMaterialNeverAppearsInToStringOrMessages() throws Exception {
    Random r = new Random(19);
    Sample x = Fixtures.encrypt(Fixtures.RECORDINGS, r, 100, Fixtures.randomContext(r));
    RecordingHeader h = RecordingHeader.parse(x.header(), ReadOptions.defaults());
    WrappedKey w = h.wrappedKeys().get(0);
    byte[] dek = Fixtures.KMS.unwrap(w, x.context);
    List<String> texts = new ArrayList<>(Arrays.asList(h.toString(), w.toString(), Fixtures.KMS.toString(),
        new RecoveryReport(1, 1, false, 0).toString()));
    byte[] bad = x.recording.clone();
    bad[x.chunkStart(0)] ^= 1;
    IOException e = assertThrows(IOException.class, () -> Streams.readAll(
        Fixtures.RECORDINGS.newInputStream(new ByteArrayInputStream(bad), ReadOptions.defaults())));
    texts.add(String.valueOf(e.getMessage()));
    texts.add(String.valueOf(e.getCause().getMessage()));
    for (String t : texts) {
      Secrets.assertNoneOf(t, dek, "DEK");
      Secrets.assertNoneOf(t, w.wrappedBytes(), "wrapped bytes");
      for (byte[] kek : Secrets.rawKeysOf(Fixtures.KMS.file())) {
        Secrets.assertNoneOf(t, kek, "KEK");
      }
    }
    assertTrue(w.toString().contains(w.kekUri()));
  }
}
