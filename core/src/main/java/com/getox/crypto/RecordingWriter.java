package com.getox.crypto;

import com.getox.crypto.internal.Cobblestone;
import com.getox.crypto.internal.FlushRecords;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.security.GeneralSecurityException;

/**
 * Encrypts one recording as its audio arrives. Write chunks of any size; every 16 KiB of
 * plaintext is sealed and handed to the sink as soon as it is complete. {@link #close()} seals the
 * final (short, possibly empty) chunk; a recording that was never closed reads as truncated (see
 * {@link Recordings#recover}).
 *
 * <p>It is both an {@link OutputStream} and a {@link WritableByteChannel}.
 *
 * <pre>{@code
 * try (RecordingWriter w = recordings.newFileWriter(new File("talk.oxr"), context)) {
 *   while (mic.read(frame) > 0) {
 *     w.write(frame);          // 20 ms of PCM, or anything else
 *     if (every200ms()) {
 *       w.flush();             // survives a killed process from here on; w.sync() survives power loss
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p><b>Durable flush.</b> A writer made by {@link Recordings#newFileWriter} or {@link
 * Recordings#resume} writes a file by position. Its {@link #flush()} seals the bytes written since
 * the last flush into one flush record (one AES-GCM seal, {@value
 * com.getox.crypto.internal.FlushRecords#OVERHEAD_BYTES} bytes of overhead) behind the space
 * reserved for the chunk in progress, so a crash at any later moment loses nothing written before
 * it: {@link Recordings#recover} returns it and {@link Recordings#resume} goes on from it. {@link
 * #sync()} also forces the file to the storage device. The records are overwritten by the chunk
 * once it fills and cut off by {@link #close()}, so a closed recording is an exact Cobblestone-256
 * body (docs/FORMAT.md, section 2.2). A writer over a plain stream or channel cannot go back, so
 * its {@link #flush()} only flushes the sink: a crash loses the partial chunk.
 *
 * <p>Not thread-safe. After an I/O error every later call fails with the same error.
 */
public final class RecordingWriter extends OutputStream implements WritableByteChannel {
  private Sink sink;
  private final RecordingHeader header;
  private final Cobblestone cipher;
  private final FlushRecords flushRecords;
  private final long bodyStart;
  private final byte[] pending = new byte[Cobblestone.CHUNK_PLAINTEXT_BYTES];
  private final byte[] sealed = new byte[Cobblestone.CHUNK_CIPHERTEXT_BYTES];
  private int pendingBytes;
  /** How many of the pending bytes a flush record holds already. */
  private int flushedBytes;
  private long chunkIndex;
  private long nextSeq;
  /** Where the next flush record goes: behind the slot of the chunk in progress. */
  private long recordPos;
  private long plaintextBytes;
  private boolean closed;
  /** Whether {@link #sync()} was asked for: then a chunk is forced before its records can go. */
  private boolean synced;
  private IOException failure;

  private final java.util.function.LongConsumer onClose;

  /**
   * @param flushRecords the flush keys (version 2), or null
   * @param bodyStart where the body starts in the sink (after an attached header)
   */
  RecordingWriter(
      Sink sink,
      RecordingHeader header,
      Cobblestone cipher,
      FlushRecords flushRecords,
      long bodyStart,
      java.util.function.LongConsumer onClose) {
    this.sink = sink;
    this.header = header;
    this.cipher = cipher;
    this.flushRecords = flushRecords;
    this.bodyStart = bodyStart;
    this.onClose = onClose;
    this.recordPos = chunkPos(1);
  }

  /** The position of chunk {@code k} in the sink. */
  private long chunkPos(long k) {
    return bodyStart + Cobblestone.PREFIX_BYTES + k * Cobblestone.CHUNK_CIPHERTEXT_BYTES;
  }

  /**
   * The recording's header; store it yourself when the writer was made detached.
   *
   * @return the header, fixed when the writer was made
   */
  public RecordingHeader header() {
    return header;
  }

  /**
   * Plaintext accepted so far.
   *
   * @return the number of plaintext bytes written to this writer, sealed or not
   */
  public long plaintextBytes() {
    return plaintextBytes;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (off < 0 || len < 0 || len > b.length - off) {
      throw new IndexOutOfBoundsException("off " + off + ", len " + len + ", array " + b.length);
    }
    checkUsable();
    plaintextBytes += len;
    if (len < pending.length - pendingBytes) {
      // The common small write (20 ms of audio): one copy, no chunk completes, nothing can fail.
      System.arraycopy(b, off, pending, pendingBytes, len);
      pendingBytes += len;
      return;
    }
    try {
      while (len > 0) {
        if (pendingBytes == 0 && len >= Cobblestone.CHUNK_PLAINTEXT_BYTES) {
          // A whole chunk straight from the caller's array: no copy. A full chunk is never the
          // final one, so it can be sealed at once.
          sealAndEmit(b, off, Cobblestone.CHUNK_PLAINTEXT_BYTES);
          off += Cobblestone.CHUNK_PLAINTEXT_BYTES;
          len -= Cobblestone.CHUNK_PLAINTEXT_BYTES;
          continue;
        }
        int n = Math.min(len, pending.length - pendingBytes);
        System.arraycopy(b, off, pending, pendingBytes, n);
        pendingBytes += n;
        off += n;
        len -= n;
        if (pendingBytes == pending.length) {
          sealAndEmit(pending, 0, pendingBytes);
          pendingBytes = 0;
        }
      }
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    int n = src.remaining();
    if (src.hasArray()) {
      write(src.array(), src.arrayOffset() + src.position(), n);
      ((java.nio.Buffer) src).position(src.limit()); // Buffer: Android 24 lacks ByteBuffer.position(int)
      return n;
    }
    byte[] tmp = new byte[Math.min(n, Cobblestone.CHUNK_PLAINTEXT_BYTES)];
    while (src.hasRemaining()) {
      int k = Math.min(tmp.length, src.remaining());
      src.get(tmp, 0, k);
      write(tmp, 0, k);
    }
    return n;
  }

  /**
   * Makes everything written so far survive a crash of this process. For a file writer ({@link
   * Recordings#newFileWriter}, {@link Recordings#resume}): seals the bytes written since the last
   * flush into one flush record and writes it to the file, where {@link Recordings#recover} finds
   * it. For a writer over a stream or channel: flushes the sink only (the partial chunk is lost in
   * a crash; only full chunks are written).
   */
  @Override
  public void flush() throws IOException {
    checkUsable();
    try {
      if (sink.positional()) {
        writeRecord();
      }
      sink.flush();
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  /**
   * {@link #flush()}, then forces the file to its storage device ({@code fdatasync}), so the
   * flushed bytes also survive a power loss. For a stream writer, the same as {@link #flush()}.
   *
   * @throws IOException if writing or syncing fails; the writer is then unusable
   */
  public void sync() throws IOException {
    flush();
    synced = true;
    try {
      sink.sync();
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  /** Seals the bytes added since the last flush into a flush record behind the current slot. */
  void writeRecord() throws IOException {
    if (flushRecords == null || pendingBytes == flushedBytes) {
      return;
    }
    byte[] record;
    try {
      record =
          flushRecords.seal(
              nextSeq, chunkIndex, flushedBytes, pending, flushedBytes, pendingBytes - flushedBytes);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot seal a flush record: " + e.getMessage(), e);
    }
    nextSeq++;
    sink.write(recordPos, record, 0, record.length);
    recordPos += record.length;
    flushedBytes = pendingBytes;
  }

  /**
   * Continues in {@code next} (the same file, reopened), for {@link Recordings#resume}; closes
   * the sink it leaves.
   */
  void moveTo(Sink next) throws IOException {
    Sink previous = sink;
    this.sink = next;
    previous.close();
  }

  /** For {@link Recordings#encrypt}: the body's cipher, which sealing on this thread may use. */
  Cobblestone cipher() {
    return cipher;
  }

  /** For {@link Recordings#encrypt}: where chunks go. */
  Sink sink() {
    return sink;
  }

  /** For {@link Recordings#encrypt}: the sink position of chunk {@code k}. */
  long chunkPosition(long k) {
    return chunkPos(k);
  }

  /**
   * For {@link Recordings#encrypt}: {@code chunks} full chunks from the current one on were sealed
   * and written to {@link #sink()} at their positions by other code; go on after them. Only with
   * no pending bytes.
   */
  void advance(long chunks) {
    if (pendingBytes != 0 || closed || failure != null) {
      throw new IllegalStateException("advance needs an open writer at a chunk boundary");
    }
    chunkIndex += chunks;
    plaintextBytes += chunks * Cobblestone.CHUNK_PLAINTEXT_BYTES;
    flushedBytes = 0;
    recordPos = chunkPos(chunkIndex + 1);
  }

  @Override
  public boolean isOpen() {
    return !closed;
  }

  /** Seals the final chunk and closes the sink. Idempotent; does nothing after {@link #abort()}. */
  @Override
  public void close() throws IOException {
    finish(true);
  }

  /**
   * Closes the sink <em>without</em> sealing the final chunk, so the recording reads as truncated
   * (a {@link TruncationException}, or {@link Recordings#recover} for its complete chunks) instead
   * of as a complete, shorter recording. Call it when the audio source failed mid-recording and a
   * reader must not mistake the result for the whole recording:
   *
   * <pre>{@code
   * RecordingWriter w = recordings.newWriter(out, ctx);
   * try {
   *   pump(mic, w);
   *   w.close();
   * } catch (IOException e) {
   *   w.abort();
   *   throw e;
   * }
   * }</pre>
   *
   * @throws IOException if closing the sink fails
   */
  public void abort() throws IOException {
    finish(false);
  }

  private void finish(boolean seal) throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (seal && failure == null) {
        long end = chunkPos(chunkIndex);
        int n = sealAndEmit(pending, 0, pendingBytes);
        if (sink.positional()) {
          sink.truncate(end + n); // the flush records behind the final chunk go
          sink.sync();
        } else {
          sink.flush();
        }
      }
    } finally {
      java.util.Arrays.fill(pending, (byte) 0);
      cipher.wipe();
      if (onClose != null) {
        onClose.accept(plaintextBytes);
      }
      sink.close();
    }
  }

  private void checkUsable() throws IOException {
    if (closed) {
      throw new ClosedChannelException();
    }
    if (failure != null) {
      throw new IOException("recording writer failed earlier: " + failure.getMessage(), failure);
    }
  }

  private int sealAndEmit(byte[] in, int off, int len) throws IOException {
    int n;
    try {
      n = cipher.sealChunk(chunkIndex, in, off, len, sealed, 0);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot seal chunk " + chunkIndex + ": " + e.getMessage(), e);
    }
    sink.write(chunkPos(chunkIndex), sealed, 0, n);
    if (synced && flushedBytes > 0 && sink.positional()) {
      // The next records and the next chunk may overwrite this chunk's records: the chunk must
      // reach the disk first, or a power loss could take bytes that a sync() confirmed.
      sink.sync();
    }
    chunkIndex++;
    flushedBytes = 0;
    recordPos = chunkPos(chunkIndex + 1);
    return n;
  }

  /**
   * Where sealed bytes go, each at its position: a stream or channel (written in order, a gap
   * filled with zeros) or a file written by position, without an intermediate copy.
   */
  abstract static class Sink {
    /** Writes at {@code pos}; a sequential sink fails for a position it has passed. */
    abstract void write(long pos, byte[] b, int off, int len) throws IOException;

    abstract void flush() throws IOException;

    void sync() throws IOException {
      flush();
    }

    /** Whether {@link #write} can go back (a file): only then are flushes durable. */
    boolean positional() {
      return false;
    }

    void truncate(long size) throws IOException {
      throw new IOException("not a file");
    }

    abstract void close() throws IOException;

    /** A sequential sink: bytes in order, gaps filled with zeros. */
    private abstract static class Sequential extends Sink {
      private long written;

      abstract void put(byte[] b, int off, int len) throws IOException;

      @Override
      final void write(long pos, byte[] b, int off, int len) throws IOException {
        if (pos < written) {
          throw new IOException("a stream cannot go back to byte " + pos);
        }
        byte[] zeros = pos > written ? new byte[(int) Math.min(pos - written, 1 << 16)] : null;
        while (written < pos) {
          int n = (int) Math.min(zeros.length, pos - written);
          put(zeros, 0, n);
          written += n;
        }
        put(b, off, len);
        written += len;
      }
    }

    static Sink of(final OutputStream out) {
      return new Sequential() {
        @Override
        void put(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
        }

        @Override
        void flush() throws IOException {
          out.flush();
        }

        @Override
        void close() throws IOException {
          out.close();
        }
      };
    }

    static Sink of(final WritableByteChannel out) {
      return new Sequential() {
        @Override
        void put(byte[] b, int off, int len) throws IOException {
          ByteBuffer buf = ByteBuffer.wrap(b, off, len);
          while (buf.hasRemaining()) {
            out.write(buf);
          }
        }

        @Override
        void flush() {}

        @Override
        void close() throws IOException {
          out.close();
        }
      };
    }

    /** A file written by position: flush records, then the chunk over them. */
    static Sink file(final FileChannel ch) {
      return new Sink() {
        @Override
        void write(long pos, byte[] b, int off, int len) throws IOException {
          ByteBuffer buf = ByteBuffer.wrap(b, off, len);
          while (buf.hasRemaining()) {
            pos += ch.write(buf, pos);
          }
        }

        @Override
        void flush() {}

        @Override
        void sync() throws IOException {
          ch.force(false);
        }

        @Override
        boolean positional() {
          return true;
        }

        @Override
        void truncate(long size) throws IOException {
          ch.truncate(size);
        }

        @Override
        void close() throws IOException {
          ch.close();
        }
      };
    }
  }
}
