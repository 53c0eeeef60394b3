package com.getox.crypto;

import com.getox.crypto.internal.Cobblestone;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * Random access to a recording's plaintext: {@link #read} decrypts only the 16 KiB chunks that
 * hold the requested range. Returned by {@link Recordings#openSeekable}, which has already checked
 * the header, the expected context and the key commitment.
 *
 * <pre>{@code
 * try (FileChannel ch = FileChannel.open(path);
 *      SeekableRecording rec = recordings.openSeekable(ch, ReadOptions.defaults())) {
 *   byte[] second = new byte[32000];                 // 1 s of 16 kHz 16-bit PCM
 *   int n = rec.read(10 * 32000L, second, 0, second.length);
 *   long total = rec.size();                         // authenticated: decrypts the final chunk
 * }
 * }</pre>
 *
 * <p>The plaintext length is authenticated by decrypting the final chunk, which {@link #size()}
 * and any read that reaches the end do. A read never returns bytes whose chunk failed to
 * authenticate. Thread-safe; reads are serialised.
 */
public final class SeekableRecording implements Closeable {
  private static final int PLAIN = Cobblestone.CHUNK_PLAINTEXT_BYTES;
  private static final int SEALED = Cobblestone.CHUNK_CIPHERTEXT_BYTES;

  private final SeekableByteChannel channel;
  private final RecordingHeader header;
  private final Cobblestone cipher;
  private final long chunksStart;
  private final byte[] sealed = new byte[SEALED];
  private final byte[] plain = new byte[PLAIN];
  private long cachedChunk = -1;
  private int cachedLength;
  private long authenticatedSize = -1;
  private long chunksDecrypted;

  SeekableRecording(
      SeekableByteChannel channel, RecordingHeader header, Cobblestone cipher, long chunksStart) {
    this.channel = channel;
    this.header = header;
    this.cipher = cipher;
    this.chunksStart = chunksStart;
  }

  /**
   * The recording's header.
   *
   * @return the header; its context is authenticated
   */
  public RecordingHeader header() {
    return header;
  }

  /**
   * How many chunks this instance has decrypted so far (for measuring random access).
   *
   * @return the number of chunk decryptions, counting a chunk again each time it is reloaded
   */
  public synchronized long chunksDecrypted() {
    return chunksDecrypted;
  }

  /**
   * The plaintext length, authenticated by decrypting the final chunk (once; later calls return
   * the same value).
   *
   * @return the plaintext length in bytes
   * @throws IOException if reading the channel fails
   * @throws TruncationException if the body's length fits no valid layout
   * @throws AuthenticationException if the final chunk does not authenticate
   */
  public synchronized long size() throws IOException, GeneralSecurityException {
    if (authenticatedSize < 0) {
      long last = finalChunkIndex();
      loadChunk(last);
      authenticatedSize = last * PLAIN + cachedLength;
    }
    return authenticatedSize;
  }

  /**
   * Reads up to {@code len} plaintext bytes starting at plaintext {@code offset}. Reads fewer
   * only at the end of the recording.
   *
   * @param offset the position in the plaintext, in bytes from its start; 0 or more
   * @param b where to put the plaintext
   * @param off where in {@code b} to start
   * @param len the most bytes to read
   * @return the number of bytes read, or -1 if {@code offset} is at or past the authenticated end
   * @throws IllegalArgumentException if {@code offset} is negative
   * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not lie within {@code b}
   * @throws IOException if reading the channel fails
   * @throws TruncationException if the body's length fits no valid layout, or it ends inside a
   *     chunk
   * @throws GeneralSecurityException if a chunk needed does not authenticate (an {@link
   *     AuthenticationException}); no byte of it is returned
   */
  public synchronized int read(long offset, byte[] b, int off, int len)
      throws IOException, GeneralSecurityException {
    if (offset < 0) {
      throw new IllegalArgumentException("offset " + offset + " < 0");
    }
    if (off < 0 || len < 0 || len > b.length - off) {
      throw new IndexOutOfBoundsException("off " + off + ", len " + len + ", array " + b.length);
    }
    long layoutSize = layoutPlaintextLength();
    if (offset >= layoutSize) {
      size(); // EOF only counts once the length is authenticated
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    int total = 0;
    while (total < len && offset < layoutSize) {
      long index = offset / PLAIN;
      int within = (int) (offset - index * PLAIN);
      if (within == 0 && len - total >= PLAIN && index != cachedChunk) {
        // A whole chunk straight into the caller's array: no copy out of our own buffer.
        int n = openInto(index, b, off + total);
        total += n;
        offset += n;
        continue;
      }
      loadChunk(index);
      int n = Math.min(len - total, cachedLength - within);
      System.arraycopy(plain, within, b, off + total, n);
      total += n;
      offset += n;
    }
    return total;
  }

  /**
   * Reads into {@code dst} from plaintext {@code offset}, as many bytes as it has room for (fewer
   * only at the end); see {@link #read(long, byte[], int, int)}. Advances {@code dst}'s position
   * by the number of bytes read.
   *
   * @param offset the position in the plaintext, in bytes from its start; 0 or more
   * @param dst where to put the plaintext; not read-only
   * @return the number of bytes read, or -1 if {@code offset} is at or past the authenticated end
   * @throws IllegalArgumentException if {@code offset} is negative
   * @throws IOException if reading the channel fails
   * @throws GeneralSecurityException if the layout is wrong or a chunk needed does not
   *     authenticate, as for {@link #read(long, byte[], int, int)}
   */
  public int read(long offset, ByteBuffer dst) throws IOException, GeneralSecurityException {
    if (dst.hasArray()) {
      int n = read(offset, dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
      if (n > 0) {
        ((java.nio.Buffer) dst).position(dst.position() + n); // Android 24 lacks the covariant form
      }
      return n;
    }
    byte[] tmp = new byte[dst.remaining()];
    int n = read(offset, tmp, 0, tmp.length);
    if (n > 0) {
      dst.put(tmp, 0, n);
    }
    return n;
  }

  @Override
  public synchronized void close() throws IOException {
    Arrays.fill(plain, (byte) 0);
    cipher.wipe();
    cachedChunk = -1;
    channel.close();
  }

  private long bodyChunkBytes() throws IOException {
    return channel.size() - chunksStart;
  }

  private long layoutPlaintextLength() throws IOException, TruncationException {
    long n = Cobblestone.plaintextLength(bodyChunkBytes() + Cobblestone.PREFIX_BYTES);
    if (n < 0) {
      throw new TruncationException(
          "recording body length fits no valid chunk layout: truncated or trailing data");
    }
    return n;
  }

  private long finalChunkIndex() throws IOException, TruncationException {
    return layoutPlaintextLength() / PLAIN;
  }

  private void loadChunk(long index) throws IOException, GeneralSecurityException {
    if (index == cachedChunk) {
      return;
    }
    cachedChunk = -1;
    int length = readChunk(index);
    cachedLength = cipher.openChunk(index, sealed, 0, length, plain, 0);
    cachedChunk = index;
  }

  /**
   * Opens chunk {@code index} into {@code out} at {@code outOff} (room for a whole chunk), not
   * through the cache. On failure the range holds no plaintext: it is wiped.
   */
  private int openInto(long index, byte[] out, int outOff)
      throws IOException, GeneralSecurityException {
    int length = readChunk(index);
    try {
      return cipher.openChunk(index, sealed, 0, length, out, outOff);
    } catch (GeneralSecurityException | RuntimeException e) {
      Arrays.fill(out, outOff, outOff + PLAIN, (byte) 0);
      throw e;
    }
  }

  /** Reads chunk {@code index}'s ciphertext into {@link #sealed}; returns its length. */
  private int readChunk(long index) throws IOException, GeneralSecurityException {
    long start = index * SEALED;
    // The layout check in finalChunkIndex() guarantees the final chunk is 16..16399 bytes.
    int length = (int) Math.min(SEALED, bodyChunkBytes() - start);
    readFully(chunksStart + start, length);
    chunksDecrypted++;
    return length;
  }

  private void readFully(long position, int length) throws IOException, TruncationException {
    ByteBuffer buf = ByteBuffer.wrap(sealed, 0, length);
    if (channel instanceof FileChannel) {
      FileChannel fc = (FileChannel) channel;
      while (buf.hasRemaining()) {
        if (fc.read(buf, position + buf.position()) < 0) {
          throw new TruncationException("recording ended while reading a chunk");
        }
      }
      return;
    }
    channel.position(position);
    while (buf.hasRemaining()) {
      if (channel.read(buf) < 0) {
        throw new TruncationException("recording ended while reading a chunk");
      }
    }
  }
}
