package com.getox.crypto.android;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingInputStream;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.TestKeks;
import com.getox.crypto.internal.Cobblestone;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A rough per-chunk allocation measurement (not a test, not JMH): bytes allocated by the current
 * thread per 16 KiB chunk, from {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes},
 * after warm-up, for the bare JCA call (the provider's own cost plus the {@link GCMParameterSpec}
 * the JCA API requires), {@link Cobblestone} seal/open, and the recording writer and reader, on
 * each provider. Run with {@code mvn verify -Pfootprint -DskipTests -pl android-compat}.
 */
public final class ChunkAllocation {
  /** Measured calls; warm-up is {@code WARM} calls of the same code first (C2 must compile it). */
  private static final int N = 2_000;

  private static int warm = 20_000;
  private static final int CHUNK = Cobblestone.CHUNK_PLAINTEXT_BYTES;
  private static final com.sun.management.ThreadMXBean MX =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private ChunkAllocation() {}

  interface Op {
    void run(long i) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    StringBuilder md = new StringBuilder();
    md.append("| provider | bare JCA init+doFinal | Cobblestone.sealChunk | Cobblestone.openChunk")
        .append(" | RecordingWriter.write (per chunk) | RecordingInputStream.read (per chunk) |\n")
        .append("|---|---:|---:|---:|---:|---:|\n");
    for (String provider : new String[] {"SunJCE", "Conscrypt", "BC"}) {
      ProviderOrder order = ProviderOrder.snapshot();
      try {
        MatrixProviderListener.install(provider);
        warm = provider.equals("BC") ? 4_000 : 20_000; // BC's pure-Java GCM runs at ~30 MB/s
        md.append("| ").append(provider);
        for (long b : measure()) {
          md.append(" | ").append(String.format(Locale.ROOT, "%,d B", b));
        }
        md.append(" |\n");
      } finally {
        order.restore();
      }
    }
    System.out.println("[allocation] bytes allocated per 16 KiB chunk, after warm-up:\n" + md);
  }

  private static long[] measure() throws Exception {
    byte[] key = new byte[32];
    byte[] in = new byte[CHUNK];
    byte[] out = new byte[CHUNK + 16];
    byte[] back = new byte[CHUNK];
    SecretKeySpec spec = new SecretKeySpec(key, "AES");
    Cipher bare = Cipher.getInstance("AES/GCM/NoPadding");
    byte[] nonce = new byte[12];
    Op bareOp =
        i -> {
          nonce[4] = (byte) (i >>> 56);
          for (int k = 0; k < 7; k++) {
            nonce[11 - k] = (byte) (i >>> (8 * k));
          }
          bare.init(Cipher.ENCRYPT_MODE, spec, new GCMParameterSpec(128, nonce));
          bare.doFinal(in, 0, CHUNK, out, 0);
        };

    byte[] prefix = new byte[Cobblestone.PREFIX_BYTES];
    Cobblestone seal = Cobblestone.seal(key, new byte[24], new byte[0], prefix, null);
    Op sealOp = i -> seal.sealChunk(i, in, 0, CHUNK, out, 0);

    Cobblestone open = Cobblestone.open(key, new byte[24], new byte[0], java.util.Arrays.copyOfRange(prefix, 24, 56), null);
    byte[] sealed0 = new byte[CHUNK + 16];
    seal.copy().sealChunk(0, in, 0, CHUNK, sealed0, 0);
    Op openOp = i -> open.openChunk(0, sealed0, 0, sealed0.length, back, 0);

    Recordings recordings = Recordings.builder().wrapWith(TestKeks.newLocalKms("alloc")).build();
    OutputStream discard =
        new OutputStream() {
          @Override
          public void write(int b) {}

          @Override
          public void write(byte[] b, int off, int len) {}
        };
    RecordingWriter w = recordings.newWriter(discard, EncryptionContext.empty());
    Op writeOp = i -> w.write(in, 0, CHUNK);

    long[] result = new long[5];
    Op[] ops = {bareOp, sealOp, openOp, writeOp};
    for (int k = 0; k < ops.length; k++) {
      result[k] = perCall(ops[k]);
    }
    w.close();

    // Reader: warm up on recordings of N chunks, then measure a fresh one (opened beforehand).
    byte[] rec = recording(recordings, in, N + 1);
    for (int done = 0; done < warm; done += N) {
      readChunks(recordings.newInputStream(new ByteArrayInputStream(rec), ReadOptions.defaults()), back, N);
    }
    RecordingInputStream r =
        recordings.newInputStream(new ByteArrayInputStream(rec), ReadOptions.defaults());
    long id = Thread.currentThread().getId();
    long before = MX.getThreadAllocatedBytes(id);
    readChunks(r, back, N);
    result[4] = (MX.getThreadAllocatedBytes(id) - before) / N;
    r.close();
    return result;
  }

  private static byte[] recording(Recordings recordings, byte[] chunk, int chunks) throws Exception {
    ByteArrayOutputStream rec = new ByteArrayOutputStream(chunks * (CHUNK + 16) + 1024);
    try (RecordingWriter rw = recordings.newWriter(rec, EncryptionContext.empty())) {
      for (int i = 0; i < chunks; i++) {
        rw.write(chunk, 0, CHUNK);
      }
    }
    return rec.toByteArray();
  }

  private static void readChunks(RecordingInputStream r, byte[] buf, int chunks) throws Exception {
    for (int c = 0; c < chunks; c++) {
      int got = 0;
      while (got < CHUNK) {
        got += r.read(buf, got, CHUNK - got);
      }
    }
  }

  private static long perCall(Op op) throws Exception {
    long id = Thread.currentThread().getId();
    for (long i = 0; i < warm; i++) {
      op.run(i);
    }
    long before = MX.getThreadAllocatedBytes(id);
    for (long i = warm; i < warm + N; i++) {
      op.run(i);
    }
    return (MX.getThreadAllocatedBytes(id) - before) / N;
  }
}
