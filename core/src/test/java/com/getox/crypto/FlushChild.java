package com.getox.crypto;

import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.File;
import java.util.Random;

/**
 * A recorder in its own JVM for {@link FlushKillTest}: {@code KEYSET FILE SEED} writes the seeded
 * stream {@link #stream} to a new recording in pieces of 1 to 3000 bytes (about 200 ms of audio
 * at 24 to 120 kbit/s), calling {@code flush()} after each (and {@code sync()} after every tenth),
 * and prints {@code flushed N} once N bytes are flushed. It never stops: the parent kills it.
 */
public final class FlushChild {
  private FlushChild() {}

  /** The bytes the child writes for {@code seed}, and the piece sizes, from one generator. */
  static final class Stream {
    private final Random sizes;
    private final Random bytes;

    Stream(long seed) {
      sizes = new Random(seed);
      bytes = new Random(seed ^ 0x5DEECE66DL);
    }

    byte[] next() {
      byte[] b = new byte[1 + sizes.nextInt(3000)];
      bytes.nextBytes(b);
      return b;
    }
  }

  public static void main(String[] args) throws Exception {
    LocalKms kms =
        LocalKms.open(new File(args[0]), KeysetProtection.insecurePlaintext()).auditTo(AuditSink.none());
    Recordings r = Recordings.builder().wrapWith(kms).auditSink(AuditSink.none()).build();
    Stream s = new Stream(Long.parseLong(args[2]));
    long total = 0;
    try (RecordingWriter w = r.newFileWriter(new File(args[1]), FlushResumeTest.CTX)) {
      for (long i = 0; ; i++) {
        byte[] b = s.next();
        w.write(b);
        total += b.length;
        if (i % 10 == 9) {
          w.sync();
        } else {
          w.flush();
        }
        RecordingEditChild.say("flushed " + total);
      }
    }
  }
}
