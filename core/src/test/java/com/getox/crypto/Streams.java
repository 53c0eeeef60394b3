package com.getox.crypto;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Reading and writing helpers with random access patterns, shared by the tests. */
final class Streams {
  private Streams() {}

  /** What a reader released before it ended or failed. */
  static final class Drained {
    final byte[] bytes;
    final IOException failure;

    Drained(byte[] bytes, IOException failure) {
      this.bytes = bytes;
      this.failure = failure;
    }
  }

  /**
   * Reads until EOF or the first IOException, with random read sizes (including 1-byte {@code
   * read()} calls), and returns every byte the stream released plus the failure, if any.
   */
  static Drained drain(InputStream in, Random random) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[40000];
    try {
      while (true) {
        int mode = random.nextInt(8);
        if (mode == 0) {
          int b = in.read();
          if (b < 0) {
            break;
          }
          out.write(b);
          continue;
        }
        int len = mode < 4 ? 1 + random.nextInt(100) : 1 + random.nextInt(buf.length - 1);
        int off = random.nextInt(buf.length - len + 1);
        int n = in.read(buf, off, len);
        if (n < 0) {
          break;
        }
        if (n == 0) {
          throw new AssertionError("read(" + len + ") returned 0");
        }
        out.write(buf, off, n);
      }
      return new Drained(out.toByteArray(), null);
    } catch (IOException e) {
      return new Drained(out.toByteArray(), e);
    }
  }

  /** As {@link #drain}, through a channel with heap and direct buffers. */
  static Drained drain(ReadableByteChannel in, Random random) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      while (true) {
        int len = 1 + random.nextInt(random.nextBoolean() ? 64 : 40000);
        ByteBuffer buf = random.nextBoolean() ? ByteBuffer.allocateDirect(len) : ByteBuffer.allocate(len);
        int n = in.read(buf);
        if (n < 0) {
          break;
        }
        buf.flip();
        byte[] b = new byte[buf.remaining()];
        buf.get(b);
        out.write(b, 0, b.length);
      }
      return new Drained(out.toByteArray(), null);
    } catch (IOException e) {
      return new Drained(out.toByteArray(), e);
    }
  }

  /** Reads {@code size} bytes by random-access ranges in a random order. */
  static byte[] readRandomly(SeekableRecording rec, int size, Random random)
      throws IOException, GeneralSecurityException {
    byte[] out = new byte[size];
    List<int[]> ranges = new ArrayList<>();
    for (int off = 0; off < size; ) {
      int n = Math.min(size - off, 1 + random.nextInt(random.nextBoolean() ? 100 : 40000));
      ranges.add(new int[] {off, n});
      off += n;
    }
    Collections.shuffle(ranges, random);
    for (int[] r : ranges) {
      int got = 0;
      while (got < r[1]) {
        int n;
        if (random.nextInt(4) == 0) {
          ByteBuffer bb =
              random.nextBoolean() ? ByteBuffer.allocateDirect(r[1] - got) : ByteBuffer.allocate(r[1] - got);
          n = rec.read(r[0] + got, bb);
          bb.flip();
          bb.get(out, r[0] + got, n);
        } else {
          n = rec.read(r[0] + got, out, r[0] + got, r[1] - got);
        }
        if (n <= 0) {
          throw new AssertionError("random-access read at " + (r[0] + got) + " returned " + n);
        }
        got += n;
      }
    }
    return out;
  }

  /** Reads sequentially from offset 0 with random lengths until -1. */
  static byte[] readToEnd(SeekableRecording rec, Random random)
      throws IOException, GeneralSecurityException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[40000];
    long offset = 0;
    while (true) {
      int n = rec.read(offset, buf, 0, 1 + random.nextInt(buf.length));
      if (n < 0) {
        return out.toByteArray();
      }
      out.write(buf, 0, n);
      offset += n;
    }
  }

  /**
   * Writes {@code data} to {@code w} in random pieces, each as a byte[] slice, a single byte, a
   * heap ByteBuffer or a direct ByteBuffer; sometimes flushes.
   */
  static void writeInRandomPieces(RecordingWriter w, byte[] data, Random random) throws IOException {
    int off = 0;
    while (off < data.length) {
      int max = random.nextInt(3) == 0 ? 50000 : random.nextInt(3) == 0 ? 16384 : 700;
      int n = Math.min(data.length - off, random.nextInt(max + 1));
      switch (random.nextInt(5)) {
        case 0:
          if (n > 0) {
            w.write(data[off]);
            n = 1;
          }
          break;
        case 1:
          {
            ByteBuffer b = ByteBuffer.allocate(n + 10);
            b.position(5);
            b.put(data, off, n);
            b.flip();
            b.position(5);
            assertWrote(n, ((WritableByteChannel) w).write(b.slice()));
            break;
          }
        case 2:
          {
            ByteBuffer b = ByteBuffer.allocateDirect(n);
            b.put(data, off, n);
            b.flip();
            assertWrote(n, w.write(b));
            break;
          }
        default:
          {
            // A slice of a larger array, to catch offset bugs.
            byte[] padded = new byte[n + 7];
            System.arraycopy(data, off, padded, 3, n);
            w.write(padded, 3, n);
          }
      }
      off += n;
      if (random.nextInt(10) == 0) {
        w.flush();
      }
    }
  }

  private static void assertWrote(int expected, int actual) {
    if (expected != actual) {
      throw new AssertionError("write(ByteBuffer) returned " + actual + ", expected " + expected);
    }
  }

  static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[7000];
    int n;
    while ((n = in.read(buf)) > 0) {
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }
}
