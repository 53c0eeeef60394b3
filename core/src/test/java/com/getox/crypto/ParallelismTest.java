package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.audit.AuditEvent;
import com.getox.crypto.internal.Cobblestone;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Recordings#encrypt} and {@link Recordings#decrypt} on several threads. */
class ParallelismTest {
  static final LocalKms KMS = TestKeks.newLocalKms("parallel");
  static final Recordings RECORDINGS = Recordings.builder().wrapWith(KMS).build();
  static final EncryptionContext CTX =
      EncryptionContext.builder().put("recording-id", "r1").build();
  static final int CHUNK = Cobblestone.CHUNK_PLAINTEXT_BYTES;
  static final int SEALED = Cobblestone.CHUNK_CIPHERTEXT_BYTES;
  static final int[] SIZES = {0, 1, 16383, 16384, 16385, 3 * (1 << 20) + 7, 5 * 16384, 7 * 16384 + 1};

  @TempDir File dir;

  @AfterEach
  void noThreadLeftBehind() {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      assertFalse(t.getName().startsWith("oxcrypt-parallel-"), "left running: " + t.getName());
    }
    assertFalse(Thread.interrupted(), "the test left its thread interrupted");
  }

  /** Every thread count, with the default batch and with batches of 1 and 3 chunks. */
  static List<Parallelism> parallelisms() {
    List<Parallelism> all = new ArrayList<>();
    for (int threads = 1; threads <= 4; threads++) {
      all.add(Parallelism.threads(threads));
      all.add(Parallelism.threads(threads).withBatchChunks(1));
      all.add(Parallelism.threads(threads).withBatchChunks(3));
    }
    return all;
  }

  static byte[] plain(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** A wrap of the same key under the same context is made once: two writers' headers match. */
  static final class SameWrapKek implements Kek {
    final Kek real;
    final Map<String, WrappedKey> made = new HashMap<>();

    SameWrapKek(Kek real) {
      this.real = real;
    }

    @Override
    public String uri() {
      return real.uri();
    }

    @Override
    public synchronized WrappedKey wrap(byte[] dek, EncryptionContext context)
        throws GeneralSecurityException {
      String id = Arrays.toString(dek) + Arrays.toString(context.canonicalBytes());
      WrappedKey w = made.get(id);
      if (w == null) {
        w = real.wrap(dek, context);
        made.put(id, w);
      }
      return w;
    }

    @Override
    public byte[] unwrap(WrappedKey wrapped, EncryptionContext context)
        throws GeneralSecurityException {
      return real.unwrap(wrapped, context);
    }
  }

  static final SameWrapKek SAME_WRAP = new SameWrapKek(KMS);

  static Recordings seeded(String seed, List<AuditEvent> audit) {
    return Recordings.builder()
        .wrapWith(SAME_WRAP)
        .secureRandom(new RecordingVectors.SeededRandom(seed))
        .auditSink(audit::add)
        .build();
  }

  static byte[] sequential(Recordings r, byte[] plain) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RecordingWriter w = r.newWriter(out, CTX)) {
      w.write(plain);
    }
    return out.toByteArray();
  }

  static byte[] parallel(Recordings r, byte[] plain, Parallelism p) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    r.encrypt(new Source(plain, p.threads()), Channels.newChannel(out), CTX, p);
    return out.toByteArray();
  }

  /** A source that returns reads of random sizes, as pipes and sockets do. */
  static class Source implements ReadableByteChannel {
    final byte[] data;
    final Random random;
    int pos;
    int reads;

    Source(byte[] data, long seed) {
      this.data = data;
      this.random = new Random(seed);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      reads++;
      if (pos == data.length) {
        return -1;
      }
      int n = Math.min(dst.remaining(), Math.min(data.length - pos, 1 + random.nextInt(70000)));
      dst.put(data, pos, n);
      pos += n;
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }

  /** A sink that fails at its {@code failAt}-th write. */
  static final class FailingSink implements WritableByteChannel {
    final ByteArrayOutputStream got = new ByteArrayOutputStream();
    final int failAt;
    int writes;
    final IOException failure = new IOException("disk full");

    FailingSink(int failAt) {
      this.failAt = failAt;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      if (++writes == failAt) {
        throw failure;
      }
      int n = src.remaining();
      byte[] b = new byte[n];
      src.get(b);
      got.write(b, 0, n);
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }

  // ---------------------------------------------------------------------------------------------
  // The same bytes

  @Test
  void encryptWritesTheSameBytesAsTheSequentialWriterWithTheSameAuditTrail() throws Exception {
    Random random = new Random(19);
    List<Integer> sizes = new ArrayList<>();
    for (int s : SIZES) {
      sizes.add(s);
    }
    for (int i = 0; i < 3; i++) {
      sizes.add(random.nextInt(2 << 20));
    }
    for (int size : sizes) {
      byte[] plain = plain(size, size);
      for (Parallelism p : parallelisms()) {
        List<AuditEvent> seqAudit = new ArrayList<>();
        List<AuditEvent> parAudit = new ArrayList<>();
        byte[] expected = sequential(seeded("same-" + size, seqAudit), plain);
        byte[] got = parallel(seeded("same-" + size, parAudit), plain, p);
        assertArrayEquals(expected, got, size + " bytes, " + p + ", " + p.batchChunks());
        assertEquals(operations(seqAudit), operations(parAudit));
      }
    }
  }

  static List<AuditEvent.Operation> operations(List<AuditEvent> events) {
    List<AuditEvent.Operation> ops = new ArrayList<>();
    for (AuditEvent e : events) {
      ops.add(e.operation());
    }
    return ops;
  }

  @Test
  void aSeededWriterMakesDifferentBytesUnderAnotherSeed() throws Exception {
    // The seam above is real: the salt and data key come from the seeded random.
    byte[] plain = plain(50_000, 1);
    assertFalse(
        Arrays.equals(
            parallel(seeded("a", new ArrayList<>()), plain, Parallelism.threads(2)),
            parallel(seeded("b", new ArrayList<>()), plain, Parallelism.threads(2))));
  }

  // ---------------------------------------------------------------------------------------------
  // Round trips

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 16383, 16384, 16385, 5 * 16384, 3 * (1 << 20) + 7})
  void sequentialAndParallelRoundTripBothWays(int size) throws Exception {
    byte[] plain = plain(size, 100 + size);
    byte[] bySequential = sequential(RECORDINGS, plain);
    for (Parallelism p : parallelisms()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      long n =
          RECORDINGS.decrypt(
              new Source(bySequential, 7), Channels.newChannel(out), ReadOptions.defaults(), p);
      assertEquals(size, n);
      assertArrayEquals(plain, out.toByteArray(), p.toString());

      byte[] byParallel = parallel(RECORDINGS, plain, p);
      try (RecordingInputStream in =
          RECORDINGS.newInputStream(new ByteArrayInputStream(byParallel), ReadOptions.defaults())) {
        assertArrayEquals(plain, Streams.readAll(in), p.toString());
      }
    }
  }

  @Test
  void aDetachedHeaderAndExpectedContextWorkAsForTheReader() throws Exception {
    byte[] plain = plain(200_000, 3);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    RecordingHeader header;
    try (RecordingWriter w = RECORDINGS.newDetachedWriter(body, CTX)) {
      w.write(plain);
      header = w.header();
    }
    ReadOptions ok =
        ReadOptions.builder().detachedHeader(header.toByteArray()).expect("recording-id", "r1").build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RECORDINGS.decrypt(
        new Source(body.toByteArray(), 1), Channels.newChannel(out), ok, Parallelism.threads(2).withBatchChunks(2));
    assertArrayEquals(plain, out.toByteArray());

    ReadOptions wrong = ReadOptions.builder().expect("recording-id", "r2").build();
    ByteArrayOutputStream none = new ByteArrayOutputStream();
    assertThrows(
        ContextMismatchException.class,
        () -> RECORDINGS.decrypt(
            new Source(sequential(RECORDINGS, plain), 1), Channels.newChannel(none), wrong, Parallelism.threads(2)));
    assertEquals(0, none.size());
  }

  @Test
  void aCallersPoolIsUsedAndLeftRunningAndARejectingOneIsDoneWithout() throws Exception {
    byte[] plain = plain(2 << 20, 5);
    ExecutorService pool = Executors.newFixedThreadPool(1);
    try {
      for (int i = 0; i < 3; i++) {
        byte[] ct = parallel(RECORDINGS, plain, Parallelism.threads(3, pool).withBatchChunks(4));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RECORDINGS.decrypt(new Source(ct, i), Channels.newChannel(out), ReadOptions.defaults(),
            Parallelism.threads(4, pool).withBatchChunks(4));
        assertArrayEquals(plain, out.toByteArray());
      }
      assertFalse(pool.isShutdown());
    } finally {
      pool.shutdown();
      assertTrue(pool.awaitTermination(1, TimeUnit.MINUTES));
    }
    byte[] ct = parallel(RECORDINGS, plain, Parallelism.threads(2, pool)); // rejects every task
    try (RecordingInputStream in =
        RECORDINGS.newInputStream(new ByteArrayInputStream(ct), ReadOptions.defaults())) {
      assertArrayEquals(plain, Streams.readAll(in));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Failing closed, exactly as the sequential reader

  /** What the sequential reader released and how it failed. */
  static final class Outcome {
    final byte[] released;
    final Throwable failure;

    Outcome(byte[] released, Throwable failure) {
      this.released = released;
      this.failure = failure;
    }
  }

  static Outcome sequentialRead(byte[] recording) {
    return sequentialRead(recording, RECORDINGS);
  }

  static Outcome sequentialRead(byte[] recording, Recordings recordings) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RecordingInputStream in =
        recordings.newInputStream(new ByteArrayInputStream(recording), ReadOptions.defaults())) {
      byte[] buf = new byte[CHUNK];
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
      }
      return new Outcome(out.toByteArray(), null);
    } catch (IOException e) {
      return new Outcome(out.toByteArray(), e.getCause() instanceof GeneralSecurityException ? e.getCause() : e);
    } catch (GeneralSecurityException e) {
      return new Outcome(out.toByteArray(), e);
    }
  }

  static void assertSameOutcome(byte[] recording, String what) {
    Outcome expected = sequentialRead(recording);
    assertNotNull(expected.failure, what + ": the sequential reader accepts it");
    for (Parallelism p : parallelisms()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Throwable got = null;
      try {
        RECORDINGS.decrypt(new Source(recording, 3), Channels.newChannel(out), ReadOptions.defaults(), p);
      } catch (IOException | GeneralSecurityException e) {
        got = e;
      }
      String where = what + ", " + p + ", batch " + p.batchChunks();
      assertNotNull(got, where + ": accepted");
      assertSame(expected.failure.getClass(), got.getClass(), where + ": " + got);
      assertEquals(expected.failure.getMessage(), got.getMessage(), where);
      assertArrayEquals(expected.released, out.toByteArray(), where + ": released");
    }
  }

  static int bodyStart(byte[] recording) throws Exception {
    return RecordingHeader.read(new ByteArrayInputStream(recording), ReadOptions.defaults())
            .toByteArray().length
        + Cobblestone.PREFIX_BYTES;
  }

  @Test
  void tamperingTruncationReorderingAndTrailingDataFailAsForTheSequentialReader() throws Exception {
    byte[] plain = plain(10 * CHUNK + 123, 9);
    byte[] ct = sequential(RECORDINGS, plain);
    int body = bodyStart(ct);

    for (int chunk : new int[] {0, 1, 4, 9, 10}) {
      byte[] t = ct.clone();
      t[body + chunk * SEALED + 77] ^= 1;
      assertSameOutcome(t, "bit flip in chunk " + chunk);
    }
    for (int chunks : new int[] {0, 1, 5, 10}) {
      assertSameOutcome(Arrays.copyOf(ct, body + chunks * SEALED), "cut after " + chunks + " chunks");
    }
    assertSameOutcome(Arrays.copyOf(ct, ct.length - 1), "cut inside the final chunk");
    assertSameOutcome(Arrays.copyOf(ct, body + 3 * SEALED + 8), "cut inside chunk 3 (< 16 bytes)");
    assertSameOutcome(Arrays.copyOf(ct, body + 3 * SEALED + 500), "cut inside chunk 3");

    byte[] swapped = ct.clone();
    System.arraycopy(ct, body + 2 * SEALED, swapped, body + 5 * SEALED, SEALED);
    System.arraycopy(ct, body + 5 * SEALED, swapped, body + 2 * SEALED, SEALED);
    assertSameOutcome(swapped, "chunks 2 and 5 swapped");

    byte[] dropped = new byte[ct.length - SEALED];
    System.arraycopy(ct, 0, dropped, 0, body + 3 * SEALED);
    System.arraycopy(ct, body + 4 * SEALED, dropped, body + 3 * SEALED, ct.length - body - 4 * SEALED);
    assertSameOutcome(dropped, "chunk 3 dropped");

    for (int extra : new int[] {1, 16, SEALED, 3 * SEALED + 5}) {
      byte[] trailing = Arrays.copyOf(ct, ct.length + extra);
      assertSameOutcome(trailing, extra + " trailing bytes");
    }
    byte[] twice = Arrays.copyOf(ct, ct.length + ct.length - body);
    System.arraycopy(ct, body, twice, ct.length, ct.length - body);
    assertSameOutcome(twice, "the body twice");
  }

  @Test
  void anUnclosedFlushedFileFailsAsNotClosedAndDamageAsDamage() throws Exception {
    File f = new File(dir, "open.oxr");
    RecordingWriter w = RECORDINGS.newFileWriter(f, CTX);
    w.write(plain(7 * CHUNK + 1000, 4));
    w.flush();
    byte[] crashed = Files.readAllBytes(f.toPath());
    assertSameOutcome(crashed, "an unclosed flushed file");
    byte[] damaged = crashed.clone();
    damaged[bodyStart(crashed) + 2 * SEALED + 9] ^= 1;
    assertSameOutcome(damaged, "an unclosed flushed file, damaged");
    w.close();
  }

  @Test
  void aRandomTamperingFailsAsForTheSequentialReader() throws Exception {
    Random random = new Random(77);
    byte[] ct = sequential(RECORDINGS, plain(6 * CHUNK + 9000, 77));
    int body = bodyStart(ct);
    for (int i = 0; i < 6; i++) {
      byte[] t = ct.clone();
      t[body + random.nextInt(ct.length - body)] ^= (byte) (1 + random.nextInt(255));
      assertSameOutcome(t, "random flip " + i);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Failures: thrown, nothing sealed after them, no thread left

  @Test
  void aFailingSinkStopsEncryptAndTheRecordingReadsAsTruncated() throws Exception {
    byte[] plain = plain(40 * CHUNK, 8);
    for (int t = 1; t <= 4; t++) {
      final int threads = t;
      FailingSink sink = new FailingSink(3);
      IOException e =
          assertThrows(
              IOException.class,
              () -> RECORDINGS.encrypt(new Source(plain, 1), sink, CTX, Parallelism.threads(threads).withBatchChunks(2)));
      assertSame(sink.failure, e);
      Outcome read = sequentialRead(sink.got.toByteArray());
      assertTrue(read.failure instanceof TruncationException, String.valueOf(read.failure));
    }
  }

  @Test
  void aFailingSinkStopsDecrypt() throws Exception {
    byte[] plain = plain(40 * CHUNK, 8);
    byte[] ct = sequential(RECORDINGS, plain);
    for (int t = 1; t <= 4; t++) {
      final int threads = t;
      FailingSink sink = new FailingSink(4);
      IOException e =
          assertThrows(
              IOException.class,
              () -> RECORDINGS.decrypt(new Source(ct, 1), sink, ReadOptions.defaults(), Parallelism.threads(threads).withBatchChunks(2)));
      assertSame(sink.failure, e);
      assertArrayEquals(Arrays.copyOf(plain, 3 * 2 * CHUNK), sink.got.toByteArray());
    }
  }

  /**
   * A helper thread's read fails. The caller's first write of a batch waits until a helper has
   * read (it does not hold the read turn then), so the failure is a helper's whatever the
   * scheduling.
   */
  @Test
  void aHelpersFailureIsThrownByTheCallerAndStopsEveryone() throws Exception {
    byte[] plain = plain(64 * CHUNK, 2);
    final Thread caller = Thread.currentThread();
    final CountDownLatch helperRead = new CountDownLatch(1);
    final IOException boom = new IOException("source failed");
    Source src =
        new Source(plain, 4) {
          @Override
          public int read(ByteBuffer dst) throws IOException {
            if (Thread.currentThread() != caller) {
              helperRead.countDown();
              throw boom;
            }
            return super.read(dst);
          }
        };
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    WritableByteChannel sink =
        new WritableByteChannel() {
          int writes;

          @Override
          public int write(ByteBuffer b) throws IOException {
            if (++writes == 3) { // header, prefix, then the first batch
              try {
                assertTrue(helperRead.await(1, TimeUnit.MINUTES));
              } catch (InterruptedException e) {
                throw new InterruptedIOException();
              }
            }
            int n = b.remaining();
            byte[] a = new byte[n];
            b.get(a);
            out.write(a, 0, n);
            return n;
          }

          @Override
          public boolean isOpen() {
            return true;
          }

          @Override
          public void close() {}
        };
    IOException e =
        assertThrows(
            IOException.class,
            () -> RECORDINGS.encrypt(src, sink, CTX, Parallelism.threads(2).withBatchChunks(1)));
    assertSame(boom, e);
    assertTrue(sequentialRead(out.toByteArray()).failure instanceof TruncationException);
  }

  @Test
  void anInterruptedCallerStopsWithInterruptedIoExceptionAndStaysInterrupted() throws Exception {
    byte[] plain = plain(20 * CHUNK, 6);
    byte[] ct = sequential(RECORDINGS, plain);
    for (int threads = 1; threads <= 3; threads++) {
      Parallelism p = Parallelism.threads(threads).withBatchChunks(2);
      // Not Channels.newChannel: a JDK channel closes itself when its thread is interrupted.
      FailingSink out = new FailingSink(-1);
      Thread.currentThread().interrupt();
      assertThrows(InterruptedIOException.class,
          () -> RECORDINGS.encrypt(new Source(plain, 1), out, CTX, p));
      assertTrue(Thread.interrupted(), "the interrupt is kept");
      assertTrue(sequentialRead(out.got.toByteArray()).failure instanceof TruncationException);

      FailingSink plainOut = new FailingSink(-1);
      Thread.currentThread().interrupt();
      assertThrows(InterruptedIOException.class,
          () -> RECORDINGS.decrypt(new Source(ct, 1), plainOut, ReadOptions.defaults(), p));
      assertTrue(Thread.interrupted(), "the interrupt is kept");
      assertEquals(0, plainOut.got.size());
    }
  }

  @Test
  void anUnreadableSourceFailsBeforeAnythingIsWrittenOrWrapped() {
    List<AuditEvent> audit = new ArrayList<>();
    Recordings r = Recordings.builder().wrapWith(KMS).auditSink(audit::add).build();
    ReadableByteChannel broken =
        new Source(new byte[0], 1) {
          @Override
          public int read(ByteBuffer dst) throws IOException {
            throw new IOException("is a directory");
          }
        };
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThrows(IOException.class,
        () -> r.encrypt(broken, Channels.newChannel(out), CTX, Parallelism.threads(2)));
    assertEquals(0, out.size());
    assertEquals(0, audit.size());
  }

  @Test
  void recordingFilesEncryptAndDecryptReplaceOutOnlyWhenComplete() throws Exception {
    byte[] plain = plain(3 * (1 << 20) + 11, 12);
    File in = new File(dir, "talk.pcm");
    Files.write(in.toPath(), plain);
    File rec = new File(dir, "talk.oxr");
    RecordingHeader h = RecordingFiles.encrypt(RECORDINGS, in, rec, CTX, Parallelism.threads(2));
    assertEquals(CTX, h.context());
    assertEquals("rw-------", mode(rec));
    assertNull(sequentialRead(Files.readAllBytes(rec.toPath())).failure);
    assertArrayEquals(plain, sequentialRead(Files.readAllBytes(rec.toPath())).released);

    File out = new File(dir, "out.pcm");
    Files.write(out.toPath(), new byte[] {42});
    Files.setPosixFilePermissions(out.toPath(), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    assertEquals(plain.length, RecordingFiles.decrypt(RECORDINGS, rec, out, ReadOptions.defaults(), Parallelism.threads(3)));
    assertArrayEquals(plain, Files.readAllBytes(out.toPath()));
    assertEquals("rw-------", mode(out), "plaintext is owner-only");

    byte[] bad = Files.readAllBytes(rec.toPath());
    bad[bad.length - 20_000] ^= 1;
    Files.write(rec.toPath(), bad);
    Files.write(out.toPath(), new byte[] {42});
    assertThrows(AuthenticationException.class,
        () -> RecordingFiles.decrypt(RECORDINGS, rec, out, ReadOptions.defaults(), Parallelism.threads(2)));
    assertArrayEquals(new byte[] {42}, Files.readAllBytes(out.toPath()), "a failed decrypt leaves out as it was");
    Files.write(rec.toPath(), Arrays.copyOf(bad, bad.length - 20_000));
    assertThrows(GeneralSecurityException.class,
        () -> RecordingFiles.decrypt(RECORDINGS, rec, out, ReadOptions.defaults(), Parallelism.threads(2)));
    assertArrayEquals(new byte[] {42}, Files.readAllBytes(out.toPath()));

    File missing = new File(dir, "missing.pcm");
    assertThrows(IOException.class, () -> RecordingFiles.encrypt(RECORDINGS, missing, rec, CTX, Parallelism.threads(2)));
    for (String name : dir.list()) {
      assertFalse(name.endsWith(RecordingFiles.TEMP_SUFFIX), "left behind: " + name);
    }
  }

  static String mode(File f) throws IOException {
    return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f.toPath()));
  }

  /** A cached data key is charged every byte, so it retires after the same recordings. */
  @Test
  void aDekCacheIsChargedAsByTheSequentialWriter() throws Exception {
    List<List<AuditEvent.Operation>> runs = new ArrayList<>();
    for (boolean parallel : new boolean[] {false, true}) {
      List<AuditEvent> audit = new ArrayList<>();
      DekCache cache =
          DekCache.builder().maxAgeMillis(3_600_000L).maxRecordings(100).maxBytes(1 << 20).build();
      Recordings r = Recordings.builder().wrapWith(KMS).dekCache(cache).auditSink(audit::add).build();
      for (int size : new int[] {100, 2 << 20, 100, 100}) {
        byte[] plain = plain(size, size);
        byte[] ct = parallel ? parallel(r, plain, Parallelism.threads(2)) : sequential(r, plain);
        assertArrayEquals(plain, sequentialRead(ct, r).released);
      }
      runs.add(operations(audit));
    }
    assertEquals(runs.get(0), runs.get(1));
    assertEquals(2, java.util.Collections.frequency(runs.get(1), AuditEvent.Operation.GENERATE_DEK),
        "the key that sealed 2 MiB retires: " + runs.get(1));
  }

  @Test
  void oneThreadOrOneBatchStartsNoThread() throws Exception {
    final int[] tasks = {0};
    java.util.concurrent.Executor counting =
        r -> {
          tasks[0]++;
          r.run(); // late and on the caller's thread: it must find nothing left to do
        };
    for (int size : new int[] {0, 100, (1 << 20) - 1}) {
      byte[] plain = plain(size, size);
      byte[] ct = parallel(RECORDINGS, plain, Parallelism.threads(4, counting));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      RECORDINGS.decrypt(new Source(ct, 1), Channels.newChannel(out), ReadOptions.defaults(),
          Parallelism.threads(4, counting));
      assertArrayEquals(plain, out.toByteArray());
    }
    assertEquals(0, tasks[0], "a blob shorter than a batch runs on the caller alone");
    // More than a batch: 3 tasks, which a direct executor runs inside execute(); they must not
    // wait there for the caller's first batch (a deadlock before the fix).
    byte[] plain = plain(3 * (1 << 20) + 1, 3);
    byte[] ct = parallel(RECORDINGS, plain, Parallelism.threads(4, counting));
    assertEquals(3, tasks[0]);
    assertArrayEquals(plain, sequentialRead(ct).released);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RECORDINGS.decrypt(new Source(ct, 1), Channels.newChannel(out), ReadOptions.defaults(),
        Parallelism.threads(2, counting));
    assertArrayEquals(plain, out.toByteArray());
    assertEquals(4, tasks[0]);
  }

  /** The second task fails to start after the first started: the call goes on without it. */
  @Test
  void anExecutorThatThrowsAfterStartingATaskLeavesTheCallToFewerThreads() throws Exception {
    final int[] calls = {0};
    final List<Thread> threads = new ArrayList<>();
    java.util.concurrent.Executor flaky =
        r -> {
          if (++calls[0] > 1) {
            throw new IllegalStateException("pool broken");
          }
          Thread t = new Thread(r);
          threads.add(t);
          t.start();
        };
    byte[] plain = plain(3 * (1 << 20) + 9, 21);
    byte[] ct = parallel(RECORDINGS, plain, Parallelism.threads(4, flaky).withBatchChunks(2));
    assertArrayEquals(plain, sequentialRead(ct).released);
    assertEquals(2, calls[0]);
    for (Thread t : threads) {
      t.join();
    }
  }

  @Test
  void parallelismIsChecked() {
    assertThrows(IllegalArgumentException.class, () -> Parallelism.threads(0));
    assertThrows(IllegalArgumentException.class, () -> Parallelism.threads(Parallelism.MAX_THREADS + 1));
    assertThrows(NullPointerException.class, () -> Parallelism.threads(2, null));
    assertTrue(Parallelism.availableProcessors().threads() >= 1);
  }
}
