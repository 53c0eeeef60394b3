package com.getox.crypto;

import com.getox.crypto.internal.Cobblestone;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.security.GeneralSecurityException;

/**
 * Encrypts one recording as its audio arrives. Write chunks of any size; every 16 KiB of
 * plaintext is sealed and handed to the sink as soon as it is complete, so a crash loses at most
 * the last partial chunk. {@link #close()} seals the final (short, possibly empty) chunk; a
 * recording that was never closed reads as truncated (see {@link Recordings#recover}).
 *
 * <p>It is both an {@link OutputStream} and a {@link WritableByteChannel}.
 *
 * <pre>{@code
 * try (RecordingWriter w = recordings.newWriter(new FileOutputStream("talk.oxr"), context)) {
 *   while (mic.read(frame) > 0) {
 *     w.write(frame);          // 20 ms of PCM, or anything else
 *   }
 * }
 * }</pre>
 *
 * <p>{@link #flush()} flushes the sink; it cannot seal a partial chunk, because only the final
 * chunk may be short. Not thread-safe. After an I/O error every later call fails with the same
 * error.
 */
public final class RecordingWriter extends OutputStream implements WritableByteChannel {
  private final Sink sink;
  private final RecordingHeader header;
  private final Cobblestone cipher;
  private final byte[] pending = new byte[Cobblestone.CHUNK_PLAINTEXT_BYTES];
  private final byte[] sealed = new byte[Cobblestone.CHUNK_CIPHERTEXT_BYTES];
  private int pendingBytes;
  private long chunkIndex;
  private long plaintextBytes;
  private boolean closed;
  private IOException failure;

  private final java.util.function.LongConsumer onClose;

  RecordingWriter(
      Sink sink, RecordingHeader header, Cobblestone cipher, java.util.function.LongConsumer onClose) {
    this.sink = sink;
    this.header = header;
    this.cipher = cipher;
    this.onClose = onClose;
  }

  /** The recording's header; store it yourself when the writer was made detached. */
  public RecordingHeader header() {
    return header;
  }

  /** Plaintext bytes accepted so far. */
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
    try {
      plaintextBytes += len;
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

  @Override
  public void flush() throws IOException {
    checkUsable();
    sink.flush();
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
        sealAndEmit(pending, 0, pendingBytes);
        sink.flush();
      }
    } finally {
      java.util.Arrays.fill(pending, (byte) 0);
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

  private void sealAndEmit(byte[] in, int off, int len) throws IOException {
    int n;
    try {
      n = cipher.sealChunk(chunkIndex, in, off, len, sealed, 0);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot seal chunk " + chunkIndex + ": " + e.getMessage(), e);
    }
    chunkIndex++;
    sink.write(sealed, 0, n);
  }

  /** Where sealed bytes go: an OutputStream or a channel, without an intermediate copy. */
  abstract static class Sink {
    abstract void write(byte[] b, int off, int len) throws IOException;

    abstract void flush() throws IOException;

    abstract void close() throws IOException;

    static Sink of(final OutputStream out) {
      return new Sink() {
        @Override
        void write(byte[] b, int off, int len) throws IOException {
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
      return new Sink() {
        @Override
        void write(byte[] b, int off, int len) throws IOException {
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
  }
}
