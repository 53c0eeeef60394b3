package com.getox.crypto;

import com.getox.crypto.internal.Cobblestone;
import java.io.IOException;
import java.io.InputStream;
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
 * <p>Each 16 KiB chunk is released only after its tag verifies at its position. The stream may
 * release the authenticated prefix of a recording that turns out to be truncated or corrupt, and
 * then fails; once failed it keeps failing with the same error. It ends only after the short final
 * chunk authenticates, so truncation at a chunk boundary and trailing data are errors, not EOF.
 */
public final class RecordingInputStream extends InputStream {
  private final InputStream source;
  private final RecordingHeader header;
  private final Cobblestone cipher;
  private final boolean recover;
  private final byte[] sealed = new byte[Cobblestone.CHUNK_CIPHERTEXT_BYTES];
  private final byte[] plain = new byte[Cobblestone.CHUNK_PLAINTEXT_BYTES];
  private int plainPos;
  private int plainLen;
  private long chunkIndex;
  private boolean done;
  private boolean truncated;
  private boolean closed;
  private IOException failure;

  RecordingInputStream(
      InputStream source, RecordingHeader header, Cobblestone cipher, boolean recover) {
    this.source = source;
    this.header = header;
    this.cipher = cipher;
    this.recover = recover;
  }

  /** The recording's header (its context is authenticated). */
  public RecordingHeader header() {
    return header;
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
    if (failure != null) {
      throw new IOException(failure.getMessage(), failure.getCause());
    }
    if (closed) {
      throw new IOException("recording stream is closed");
    }
    if (len == 0) {
      return 0;
    }
    while (plainPos == plainLen) {
      if (done) {
        return -1;
      }
      try {
        nextChunk();
      } catch (GeneralSecurityException e) {
        failure = new IOException(e.getMessage(), e);
        throw failure;
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }
    int n = Math.min(len, plainLen - plainPos);
    System.arraycopy(plain, plainPos, b, off, n);
    plainPos += n;
    return n;
  }

  @Override
  public int available() {
    return plainLen - plainPos;
  }

  private void nextChunk() throws IOException, GeneralSecurityException {
    int n = readFully(sealed);
    plainPos = 0;
    plainLen = 0;
    if (n == sealed.length) {
      // Only the final chunk is short, so a full one is never final.
      plainLen = cipher.openChunk(chunkIndex, sealed, 0, n, plain, 0);
      chunkIndex++;
      return;
    }
    done = true;
    if (n < Cobblestone.TAG_BYTES) {
      if (recover) {
        truncated = true;
        return;
      }
      throw new TruncationException(
          n == 0
              ? "recording is truncated: it ends after chunk "
                  + (chunkIndex - 1)
                  + " without its short final chunk"
              : "recording is truncated inside chunk " + chunkIndex);
    }
    try {
      plainLen = cipher.openChunk(chunkIndex, sealed, 0, n, plain, 0);
      chunkIndex++;
    } catch (AuthenticationException e) {
      if (recover) {
        truncated = true; // a torn final write: drop it, keep what authenticated
        return;
      }
      // Cryptographically a cut inside the last chunk and a corrupted last chunk look the same.
      throw new AuthenticationException(
          "final chunk " + chunkIndex + " failed authentication: the recording is truncated or corrupt",
          e);
    }
  }

  private int readFully(byte[] b) throws IOException {
    int total = 0;
    while (total < b.length) {
      int n = source.read(b, total, b.length - total);
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
    Arrays.fill(plain, (byte) 0);
    plainLen = plainPos = 0;
    done = true;
    source.close();
  }
}
