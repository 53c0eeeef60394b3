package com.getox.crypto.internal;

import com.getox.crypto.TruncationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/** Reading helpers for exact-length fields, and streams as channels. */
public final class Streams {
  private Streams() {}

  /**
   * Reads exactly {@code len} bytes.
   *
   * @throws TruncationException with {@code whatEnded} if the stream ends first
   */
  public static void readFully(InputStream in, byte[] b, int off, int len, String whatEnded)
      throws IOException, TruncationException {
    while (len > 0) {
      int n = in.read(b, off, len);
      if (n < 0) {
        throw new TruncationException(whatEnded);
      }
      off += n;
      len -= n;
    }
  }

  /**
   * {@code in} as a channel that reads straight into a heap buffer's array ({@code
   * Channels.newChannel} copies through an 8 KiB array of its own). Closing it closes nothing.
   */
  public static ReadableByteChannel readableChannel(final InputStream in) {
    return new ReadableByteChannel() {
      @Override
      public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasArray()) {
          byte[] b = new byte[Math.min(dst.remaining(), 1 << 16)];
          int n = in.read(b);
          if (n > 0) {
            dst.put(b, 0, n);
          }
          return n;
        }
        int n = in.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
        if (n > 0) {
          ((java.nio.Buffer) dst).position(dst.position() + n); // Buffer: Android 24
        }
        return n;
      }

      @Override
      public boolean isOpen() {
        return true;
      }

      @Override
      public void close() {}
    };
  }

  /**
   * {@code out} as a channel that writes a heap buffer's array straight through ({@code
   * Channels.newChannel} copies through an 8 KiB array of its own). Closing it closes nothing.
   */
  public static WritableByteChannel writableChannel(final OutputStream out) {
    return new WritableByteChannel() {
      @Override
      public int write(ByteBuffer src) throws IOException {
        int n = src.remaining();
        if (src.hasArray()) {
          out.write(src.array(), src.arrayOffset() + src.position(), n);
          ((java.nio.Buffer) src).position(src.limit()); // Buffer: Android 24
        } else {
          byte[] b = new byte[n];
          src.get(b);
          out.write(b);
        }
        return n;
      }

      @Override
      public boolean isOpen() {
        return true;
      }

      @Override
      public void close() {}
    };
  }
}
