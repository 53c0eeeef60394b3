package com.getox.crypto;

import com.getox.crypto.internal.Cobblestone;
import com.getox.crypto.internal.FlushRecords;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * Decrypts a recording sequentially. Returned by {@link Recordings#newInputStream}, which has
 * already checked the header, the expected context and the key commitment.
 *
 * <pre>{@code
 * try (RecordingInputStream in = recordings.newInputStream(new FileInputStream(f), ReadOptions.defaults())) {
 *   play(in);
 * } // IOException whose cause is an OxCryptoException on any tampering or truncation
 * }</pre>
 *
 * <p>Reads of 16 KiB or more that start on a chunk boundary decrypt straight into the caller's
 * array, without a copy. A read of several chunks takes their ciphertext out of the source in one
 * source read (up to 64 chunks, 1 MiB; the stream keeps a buffer of that size from then on), but
 * waits for no more than the next chunk, as a read of one chunk does.
 *
 * <p>Each 16 KiB chunk is released only after its tag verifies at its position. The stream may
 * release the authenticated prefix of a recording that turns out to be truncated or corrupt, and
 * then fails; once failed it keeps failing with the same error. It ends only after the short final
 * chunk authenticates, so truncation at a chunk boundary and trailing data are errors, not EOF.
 */
public final class RecordingInputStream extends InputStream {
  private static final int SEALED = Cobblestone.CHUNK_CIPHERTEXT_BYTES;
  /** The most chunks of ciphertext staged at once: 1 MiB of plaintext. */
  private static final int MAX_STAGE_CHUNKS = 64;

  private final InputStream source;
  private final RecordingHeader header;
  private final Cobblestone cipher;
  private final boolean recover;
  /** Version 2: opens the flush records an unterminated recording ends with; else null. */
  private final FlushRecords flush;
  private long flushedBytes;
  /**
   * Ciphertext read from {@link #source} and not yet opened: {@code [stagePos, stageEnd)}. One
   * chunk long, grown to as many chunks as a large read asks for (up to {@link
   * #MAX_STAGE_CHUNKS}), so that such a read takes the ciphertext out of the source in one long
   * copy rather than one per chunk (a long copy costs less per byte: 6% of a 1 MiB read on JDK
   * 17, 11% on JDK 25, measured). Each chunk is opened straight from here. For a recording in
   * memory ({@link Recordings#newInputStream(byte[], ReadOptions)}) it is the caller's array
   * itself, never written to.
   */
  private byte[] stage;
  private int stagePos;
  private int stageEnd;
  private boolean sourceEnded;
  private final byte[] plain = new byte[Cobblestone.CHUNK_PLAINTEXT_BYTES];
  private int plainPos;
  private int plainLen;
  private long chunkIndex;
  private boolean done;
  private boolean truncated;
  private boolean closed;
  private IOException failure;

  RecordingInputStream(
      InputStream source,
      RecordingHeader header,
      Cobblestone cipher,
      FlushRecords flush,
      boolean recover) {
    this(source, header, cipher, flush, recover, new byte[SEALED], 0, 0, false);
  }

  /**
   * For {@link Recordings#newInputStream(byte[], ReadOptions)}: reads the chunks in place from
   * {@code recording}, starting at {@code chunksStart}, without copying them. The caller's array
   * becomes the stage, already holding everything the "source" will ever give ({@link
   * #sourceEnded}): {@link #stageChunk} then only reports what is staged and never reaches its
   * branches that move or grow the stage, so nothing writes into the caller's array; {@link
   * #rest()} only reads it and {@link #close()} does not wipe the stage.
   */
  RecordingInputStream(
      byte[] recording,
      int chunksStart,
      RecordingHeader header,
      Cobblestone cipher,
      FlushRecords flush) {
    this(
        new java.io.ByteArrayInputStream(new byte[0]),
        header, cipher, flush, false, recording, chunksStart, recording.length, true);
  }

  private RecordingInputStream(
      InputStream source,
      RecordingHeader header,
      Cobblestone cipher,
      FlushRecords flush,
      boolean recover,
      byte[] stage,
      int stagePos,
      int stageEnd,
      boolean sourceEnded) {
    this.source = source;
    this.header = header;
    this.cipher = cipher;
    this.flush = flush;
    this.recover = recover;
    this.stage = stage;
    this.stagePos = stagePos;
    this.stageEnd = stageEnd;
    this.sourceEnded = sourceEnded;
  }

  /** In recovery mode: the bytes that came from flush records. */
  long flushedBytes() {
    return flushedBytes;
  }

  /**
   * The recording's header.
   *
   * @return the header; its context is authenticated
   */
  public RecordingHeader header() {
    return header;
  }

  /** For {@link Recordings#decrypt}: the body's cipher, which opening on this thread may use. */
  Cobblestone cipher() {
    return cipher;
  }

  /**
   * For {@link Recordings#decrypt}: chunks before {@code index} were authenticated and released by
   * other code, and the source now continues with chunk {@code index}. Only before the first read.
   */
  void startAt(long index) {
    chunkIndex = index;
  }

  /** In recovery mode: true once the end was reached and the recording had been cut short. */
  boolean wasTruncated() {
    return truncated;
  }

  long chunksRead() {
    return chunkIndex;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (off < 0 || len < 0 || len > b.length - off) {
      throw new IndexOutOfBoundsException("off " + off + ", len " + len + ", array " + b.length);
    }
    checkUsable();
    if (len == 0) {
      return 0;
    }
    if (plainPos == plainLen && !done && len >= Cobblestone.CHUNK_PLAINTEXT_BYTES) {
      // Whole chunks straight into the caller's array: saves one 16 KiB copy per chunk. The
      // range is wiped if the chunk fails, so unauthenticated plaintext is never left there.
      int total = 0;
      while (len - total >= Cobblestone.CHUNK_PLAINTEXT_BYTES && !done) {
        int n;
        try {
          n = nextChunk(b, off + total, (len - total) / Cobblestone.CHUNK_PLAINTEXT_BYTES);
        } catch (GeneralSecurityException | IOException e) {
          Arrays.fill(b, off + total, off + total + Cobblestone.CHUNK_PLAINTEXT_BYTES, (byte) 0);
          IOException failed = fail(e);
          if (total > 0) {
            return total; // release the authenticated chunks; the next read throws
          }
          throw failed;
        }
        total += n;
        if (n < Cobblestone.CHUNK_PLAINTEXT_BYTES) {
          break; // the final chunk
        }
      }
      return total == 0 && done ? -1 : total;
    }
    if (!fill()) {
      return -1;
    }
    int n = Math.min(len, plainLen - plainPos);
    System.arraycopy(plain, plainPos, b, off, n);
    plainPos += n;
    return n;
  }

  /**
   * Writes the rest of the recording to {@code out}, chunk by chunk, each authenticated before it
   * is written and decrypted straight into a chunk-sized buffer (the JDK's default would read in 8
   * KiB pieces, a copy more per chunk). Fails like {@link #read(byte[], int, int)}: what was
   * written before a failure is the authenticated prefix.
   */
  @Override
  public long transferTo(OutputStream out) throws IOException {
    if (out == null) {
      throw new NullPointerException("out");
    }
    byte[] buf = new byte[Cobblestone.CHUNK_PLAINTEXT_BYTES];
    long total = 0;
    try {
      int n;
      while ((n = read(buf, 0, buf.length)) >= 0) {
        out.write(buf, 0, n);
        total += n;
      }
    } finally {
      Arrays.fill(buf, (byte) 0);
    }
    return total;
  }

  /**
   * Reads into {@code dst}, for {@link Recordings#newReadableChannel}: a heap buffer's array is
   * decrypted into directly (see {@link #read(byte[], int, int)}).
   */
  int read(ByteBuffer dst) throws IOException {
    if (dst.hasArray()) {
      int n = read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
      if (n > 0) {
        // Buffer: Android 24 lacks ByteBuffer.position(int).
        ((java.nio.Buffer) dst).position(dst.position() + n);
      }
      return n;
    }
    checkUsable();
    if (!dst.hasRemaining()) {
      return 0;
    }
    if (!fill()) {
      return -1;
    }
    int n = Math.min(dst.remaining(), plainLen - plainPos);
    dst.put(plain, plainPos, n);
    plainPos += n;
    return n;
  }

  /** Decrypts the next chunk into {@link #plain}; false at the end. */
  private boolean fill() throws IOException {
    while (plainPos == plainLen) {
      if (done) {
        return false;
      }
      try {
        plainPos = 0;
        plainLen = 0;
        plainLen = nextChunk(plain, 0, 1);
      } catch (GeneralSecurityException | IOException e) {
        throw fail(e);
      }
    }
    return true;
  }

  boolean isOpen() {
    return !closed;
  }

  private void checkUsable() throws IOException {
    if (failure != null) {
      throw new IOException(failure.getMessage(), failure.getCause());
    }
    if (closed) {
      throw new ClosedChannelException();
    }
  }

  private IOException fail(Exception e) {
    failure = e instanceof IOException ? (IOException) e : new IOException(e.getMessage(), e);
    return failure;
  }

  @Override
  public int available() {
    return plainLen - plainPos;
  }

  /**
   * Reads, authenticates and decrypts the next chunk into {@code out} at {@code outOff} (room for
   * 16 KiB). Returns its plaintext length; 0 with {@link #done} set at the end. {@code
   * wantChunks}: how many chunks the caller's read has room for, to size the next source read.
   */
  private int nextChunk(byte[] out, int outOff, int wantChunks)
      throws IOException, GeneralSecurityException {
    int n = Math.min(stageChunk(wantChunks), SEALED);
    int at = stagePos;
    stagePos += n;
    if (n == SEALED) {
      // Only the final chunk is short, so a full one is never final.
      int plainBytes;
      try {
        plainBytes = cipher.openChunk(chunkIndex, stage, at, n, out, outOff);
      } catch (AuthenticationException e) {
        Arrays.fill(out, outOff, outOff + Cobblestone.CHUNK_PLAINTEXT_BYTES, (byte) 0);
        if (flush == null) {
          throw e;
        }
        return flushedTail(out, outOff, e);
      }
      chunkIndex++;
      return plainBytes;
    }
    done = true;
    if (n < Cobblestone.TAG_BYTES) {
      if (recover) {
        truncated = true;
        return 0;
      }
      throw new TruncationException(
          n == 0
              ? (chunkIndex == 0
                  ? "recording is truncated: its body has no chunk, not even the final one"
                  : "recording is truncated: it ends after chunk "
                      + (chunkIndex - 1)
                      + " without its short final chunk")
              : "recording is truncated inside chunk " + chunkIndex);
    }
    try {
      int plainBytes = cipher.openChunk(chunkIndex, stage, at, n, out, outOff);
      chunkIndex++;
      return plainBytes;
    } catch (AuthenticationException e) {
      if (recover) {
        truncated = true; // a torn final write: drop it, keep what authenticated
        Arrays.fill(out, outOff, outOff + n - Cobblestone.TAG_BYTES, (byte) 0);
        return 0;
      }
      // Cryptographically a cut inside the last chunk and a corrupted last chunk look the same.
      throw new AuthenticationException(
          "final chunk " + chunkIndex + " failed authentication: the recording is truncated or corrupt",
          e);
    }
  }

  /**
   * Makes the next chunk's ciphertext available at {@link #stagePos}: a whole chunk, or all that is
   * left once the source has ended. Returns the bytes staged (possibly more than a chunk). Asks the
   * source for as much as the stage holds, but waits only for one chunk, as a read of a chunk did.
   */
  private int stageChunk(int wantChunks) throws IOException {
    int staged = stageEnd - stagePos;
    if (staged >= SEALED || sourceEnded) {
      // Always taken when the stage is a caller's array (newInputStream(byte[])): sourceEnded is
      // set from the start, so the compaction and growth below never write into that array.
      return staged;
    }
    int size = Math.max(1, Math.min(MAX_STAGE_CHUNKS, wantChunks)) * SEALED;
    if (size > stage.length) {
      byte[] bigger = new byte[size];
      System.arraycopy(stage, stagePos, bigger, 0, staged);
      stage = bigger; // held only ciphertext
      stagePos = 0;
      stageEnd = staged;
    } else if (stage.length - stagePos < SEALED) {
      System.arraycopy(stage, stagePos, stage, 0, staged);
      stagePos = 0;
      stageEnd = staged;
    }
    while (stageEnd - stagePos < SEALED) {
      int n = source.read(stage, stageEnd, stage.length - stageEnd);
      if (n < 0) {
        sourceEnded = true;
        break;
      }
      stageEnd += n;
    }
    return stageEnd - stagePos;
  }

  /** What is left of the source: the staged ciphertext, then the source. Empties the stage. */
  private InputStream rest() {
    InputStream staged = new java.io.ByteArrayInputStream(stage, stagePos, stageEnd - stagePos);
    stagePos = stageEnd;
    return sourceEnded ? staged : new java.io.SequenceInputStream(staged, source);
  }

  /**
   * Version 2: slot {@code chunkIndex} held no chunk. If the writer died, the slot is a hole or
   * stale flush records, and the flush records of this chunk follow it (docs/FORMAT.md 2.2).
   * Recovering: returns the bytes they hold, and fails if intact chunks follow instead (damage in
   * the middle is not a crash). Reading: a flush record there means "not closed", a {@link
   * TruncationException}; else the chunk's own failure.
   */
  private int flushedTail(byte[] out, int outOff, AuthenticationException failure)
      throws IOException, GeneralSecurityException {
    InputStream source = rest();
    byte[] next = new byte[Cobblestone.CHUNK_CIPHERTEXT_BYTES];
    int m = readFully(next, source);
    // What starts right after slot k+1: the first flush record of chunk k+1 if the writer had got
    // that far, which it only does once chunk k was sealed.
    byte[] after = new byte[0];
    if (m == next.length) {
      byte[] head = new byte[FlushRecords.RECORD_HEADER_BYTES];
      int h = readFully(head, source);
      after = Arrays.copyOf(head, h);
      int len = h == head.length ? FlushRecords.announcedLength(head, 0) : 0;
      if (len >= 1 && len <= FlushRecords.MAX_RECORD_PLAINTEXT_BYTES) {
        after = Arrays.copyOf(head, head.length + len + Cobblestone.TAG_BYTES);
        int got = readFully(after, head.length, source);
        after = Arrays.copyOf(after, got);
      }
    }
    InputStream records =
        new java.io.SequenceInputStream(
            new java.io.SequenceInputStream(
                new java.io.ByteArrayInputStream(next, 0, m), new java.io.ByteArrayInputStream(after)),
            source);
    if (recover && after.length > FlushRecords.OVERHEAD_BYTES) {
      byte[] scratch = new byte[FlushRecords.MAX_RECORD_PLAINTEXT_BYTES];
      try {
        if (flush.open(chunkIndex + 1, 0, after, 0, after.length, scratch, 0) > 0) {
          throw new AuthenticationException(
              "chunk "
                  + chunkIndex
                  + " failed authentication but the writer had gone on to chunk "
                  + (chunkIndex + 1)
                  + ": the recording is damaged, not cut short",
              failure);
        }
      } finally {
        Arrays.fill(scratch, (byte) 0);
      }
    }
    if (!recover) {
      byte[] scratch = new byte[FlushRecords.MAX_RECORD_PLAINTEXT_BYTES];
      int got = readRecord(records, 0, scratch, 0);
      Arrays.fill(scratch, (byte) 0);
      if (got > 0) {
        throw new TruncationException(
            "recording was not closed: chunk "
                + chunkIndex
                + " exists only as flushed bytes; Recordings.recover returns them");
      }
      throw failure;
    }
    if (m >= Cobblestone.TAG_BYTES) {
      byte[] scratch = new byte[Cobblestone.CHUNK_PLAINTEXT_BYTES];
      try {
        cipher.openChunk(chunkIndex + 1, next, 0, m, scratch, 0);
        throw new AuthenticationException(
            "chunk "
                + chunkIndex
                + " failed authentication but the chunk after it is intact: the recording is"
                + " damaged, not cut short",
            failure);
      } catch (AuthenticationException notAChunk) {
        if (notAChunk.getCause() == failure) {
          throw notAChunk;
        }
        // Flush records or nothing: the writer died here.
      } finally {
        Arrays.fill(scratch, (byte) 0);
      }
    }
    done = true;
    truncated = true;
    int offset = 0;
    int got;
    while ((got = readRecord(records, offset, out, outOff + offset)) > 0) {
      offset += got;
    }
    flushedBytes = offset;
    return offset;
  }

  /**
   * Reads one flush record of chunk {@link #chunkIndex} at {@code offset} and opens it into
   * {@code out}; its plaintext length, or 0 if there is none (end, torn, stale or damaged).
   */
  private int readRecord(InputStream in, int offset, byte[] out, int outOff)
      throws IOException, GeneralSecurityException {
    byte[] head = new byte[FlushRecords.RECORD_HEADER_BYTES];
    if (readFully(head, in) < head.length) {
      return 0;
    }
    int len = FlushRecords.announcedLength(head, 0);
    if (len < 1 || len > FlushRecords.MAX_RECORD_PLAINTEXT_BYTES - offset) {
      return 0;
    }
    byte[] record = Arrays.copyOf(head, head.length + len + Cobblestone.TAG_BYTES);
    if (readFully(record, head.length, in) < record.length) {
      return 0;
    }
    int n = flush.open(chunkIndex, offset, record, 0, record.length, out, outOff);
    return Math.max(n, 0);
  }

  private static int readFully(byte[] b, InputStream in) throws IOException {
    return readFully(b, 0, in);
  }

  private static int readFully(byte[] b, int from, InputStream in) throws IOException {
    int total = from;
    while (total < b.length) {
      int n = in.read(b, total, b.length - total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    // Not the stage: it holds only ciphertext, and may be the caller's array.
    Arrays.fill(plain, (byte) 0);
    cipher.wipe();
    plainLen = plainPos = 0;
    done = true;
    source.close();
  }
}
