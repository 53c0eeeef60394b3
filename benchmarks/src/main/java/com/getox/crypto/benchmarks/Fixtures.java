package com.getox.crypto.benchmarks;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.Recordings;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.Random;

/** Shared set-up: a local KEK in a temp directory, test bytes and a discarding sink. */
final class Fixtures {
  /** Plaintext handled per benchmark operation in the throughput benchmarks. */
  static final int OP_BYTES = 1 << 20;
  /** Size of the pre-made ciphertext the decrypt benchmarks stream through (then reopen). */
  static final int DECRYPT_MESSAGE_BYTES = 64 << 20;

  static final EncryptionContext CONTEXT =
      EncryptionContext.builder().put("tenant", "bench").put("recording", "r-1").build();

  private Fixtures() {}

  static LocalKms newLocalKek() throws Exception {
    File dir = Files.createTempDirectory("oxbench").toFile();
    dir.deleteOnExit();
    File f = new File(dir, "kek.json");
    f.deleteOnExit();
    return LocalKms.create(f, KeysetProtection.insecurePlaintext(), "bench");
  }

  static Recordings recordings(LocalKms kek) {
    return Recordings.builder().wrapWith(kek).build();
  }

  static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Writes {@code total} bytes to {@code out} in pieces of {@code piece} from one reused array. */
  static void writeInPieces(OutputStream out, byte[] piece, long total) throws IOException {
    long left = total;
    while (left > 0) {
      int n = (int) Math.min(piece.length, left);
      out.write(piece, 0, n);
      left -= n;
    }
  }

  /** Encrypts {@code total} bytes through {@code encrypting} (closed here) into memory. */
  static byte[] ciphertext(Encryptor encrypting, long total) throws Exception {
    ByteArrayOutputStream bos = new ByteArrayOutputStream((int) (total + total / 64 + 4096));
    try (OutputStream out = encrypting.open(bos)) {
      writeInPieces(out, bytes(1 << 20, 7), total);
    }
    return bos.toByteArray();
  }

  /** Reads exactly {@code buf.length} bytes unless the stream ends; returns the count read. */
  static int readFully(InputStream in, byte[] buf) throws IOException {
    int total = 0;
    while (total < buf.length) {
      int n = in.read(buf, total, buf.length - total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }

  interface Encryptor {
    OutputStream open(OutputStream sink) throws Exception;
  }

  /** Counts and drops what it is given: the cheapest honest sink. */
  static final class Discard extends OutputStream {
    long bytes;

    @Override
    public void write(int b) {
      bytes++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      bytes += len;
    }
  }

  /** A benchmark state that reads a long ciphertext in pieces and reopens it at its end. */
  abstract static class StreamingRead {
    java.io.InputStream reader;
    byte[] readBuf;

    abstract void reopenReader() throws Exception;

    /** Reads one operation's worth of plaintext ({@link #OP_BYTES}), reopening at the end. */
    long readOp() throws Exception {
      long left = OP_BYTES;
      long sum = 0;
      while (left > 0) {
        int n = reader.read(readBuf, 0, (int) Math.min(readBuf.length, left));
        if (n < 0) {
          reader.close();
          reopenReader();
          continue;
        }
        sum += readBuf[0];
        left -= n;
      }
      return sum;
    }
  }
}
