package com.getox.crypto.benchmarks;

import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.RecoveryReport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.Security;
import java.util.Arrays;
import java.util.Locale;

/**
 * What a durable flush costs in bytes and AES-GCM seals, counted, not timed (the time is {@link
 * Flush}'s). Writes a recording through {@link Recordings#newFileWriter} in 20 ms frames and
 * flushes every {@code bytesPerFlush} bytes (200 ms of audio), next to a twin recording of the
 * same frames that is never flushed, and measures around every {@code flush()}:
 *
 * <ul>
 *   <li><b>seals</b>: AES-GCM encryptions finished during the call, counted by {@link
 *       SealCounter} twice over: one installed at JCA priority 1 (what asks JCA without naming a
 *       provider) and one given to {@code Recordings.builder().cipherProvider(...)};
 *   <li><b>bytes written</b>: the thread's {@code wchar} ({@link ThreadIo}), the bytes the call
 *       handed to {@code pwrite}; minus the plaintext the flush newly covers (the bytes written
 *       since the previous flush, or since the chunk in progress began) it is the overhead;
 *   <li><b>file length</b> minus the never-flushed twin's, while unterminated and after close;
 *   <li><b>recover</b> of a copy of the file after the last flush, compared byte for byte with
 *       what was written.
 * </ul>
 *
 * With {@code sync}, every flush is a {@code sync()} (flush + fdatasync), and the table adds the
 * thread's {@code write_bytes} (page cache dirtied, so written to the device, in 4 KiB pages)
 * per flush, for the whole recording (chunks too), against the twin's.
 *
 * <pre>
 * java -cp benchmarks.jar com.getox.crypto.benchmarks.FlushCost [recordingBytes] [bytesPerFlush...]
 *   -Dox.flushDir=DIR  where the recordings go (default: a new directory under java.io.tmpdir)
 * </pre>
 */
public final class FlushCost {
  /** Frames per flush: 20 ms frames, a flush every 200 ms. */
  static final int FRAMES_PER_FLUSH = 10;

  private FlushCost() {}

  /** The counts for one recording. */
  static final class Result {
    int bytesPerFlush;
    boolean sync;
    long written;
    long flushes;
    /** Flushes with nothing new since the last (the chunk had just filled): no record. */
    long emptyFlushes;
    long sealsDefault;
    long sealsProvider;
    long maxSealsPerFlush;
    long carried;
    long flushWchar;
    long minOverhead = Long.MAX_VALUE;
    long maxOverhead = Long.MIN_VALUE;
    long minFlushWchar = Long.MAX_VALUE;
    long maxFlushWchar;
    /** Bytes the writes (not the flushes) handed to pwrite: the chunks, flushed and twin. */
    long writesWchar;
    long twinWchar;
    long maxExtraLength;
    long closedLengthDiff;
    long recovered;
    boolean recoveredExactly;
    long deviceBytes = -1;
    long twinDeviceBytes = -1;
    long chunkSealsProvider;

    double sealsPerFlush() {
      return (double) (sealsDefault + sealsProvider) / flushes;
    }

    double overheadPerRecord() {
      return (double) (flushWchar - carried) / (flushes - emptyFlushes);
    }
  }

  public static void main(String[] args) throws Exception {
    long recordingBytes = args.length > 0 ? Long.parseLong(args[0]) : 1 << 20;
    int[] sizes =
        args.length > 1
            ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray()
            : new int[] {600, 6400};
    PrintStream out = System.out;
    if (!ThreadIo.available()) {
      out.println("flushcost: /proc/thread-self/io is not readable here: no byte counts");
    }
    out.println("| bytes per flush (200 ms) | call | flushes | AES-GCM seals per flush: JCA default / cipherProvider (max) "
        + "| bytes written per flush (min–max) | overhead per record (min–max) | chunk bytes written, flushed / twin "
        + "| file length − twin's: max unterminated / closed | recover after the last flush | device bytes per flush (write_bytes), flushed / twin |");
    out.println("|---:|---|---:|---|---|---|---|---|---|---|");
    for (boolean sync : new boolean[] {false, true}) {
      for (int n : sizes) {
        Result r = measure(n, recordingBytes, sync, dir());
        out.println(row(r));
      }
    }
  }

  static Path dir() throws Exception {
    String d = System.getProperty("ox.flushDir");
    return d == null
        ? Files.createTempDirectory("oxflush")
        : Files.createTempDirectory(Paths.get(d), "oxflush");
  }

  static String row(Result r) {
    boolean io = r.minFlushWchar >= 0 && r.flushWchar >= 0;
    return String.format(Locale.ROOT,
        "| %d | %s | %d (%d empty) | %.3f: %d / %d (max %d) | %s | %s | %s | %d / %d | %d of %d bytes%s | %s |",
        r.bytesPerFlush, r.sync ? "sync()" : "flush()", r.flushes, r.emptyFlushes,
        r.sealsPerFlush(), r.sealsDefault, r.sealsProvider, r.maxSealsPerFlush,
        io ? String.format(Locale.ROOT, "%.1f (%d–%d)",
            (double) r.flushWchar / r.flushes, r.minFlushWchar, r.maxFlushWchar) : "n/a",
        io ? String.format(Locale.ROOT, "%.1f (%d–%d)",
            r.overheadPerRecord(), r.minOverhead, r.maxOverhead) : "n/a",
        io ? r.writesWchar + " / " + r.twinWchar : "n/a",
        r.maxExtraLength, r.closedLengthDiff,
        r.recovered, r.written, r.recoveredExactly ? ", exact" : ", DIFFERENT",
        r.deviceBytes < 0 ? "—" : String.format(Locale.ROOT, "%.0f / %.0f",
            (double) r.deviceBytes / r.flushes, (double) r.twinDeviceBytes / r.flushes));
  }

  /**
   * Writes {@code recordingBytes} in frames of {@code bytesPerFlush / 10}, flushing (or, with
   * {@code sync}, syncing) after every tenth frame, into {@code dir}, which is deleted after.
   */
  static Result measure(int bytesPerFlush, long recordingBytes, boolean sync, Path dir)
      throws Exception {
    SealCounter atDefault = new SealCounter("OxSealCounterDefault");
    SealCounter viaOption = new SealCounter("OxSealCounterOption");
    if (Security.insertProviderAt(atDefault, 1) < 0) {
      throw new IllegalStateException("a seal counter is installed already");
    }
    File a = dir.resolve("flushed.oxr").toFile();
    File b = dir.resolve("twin.oxr").toFile();
    try {
      Recordings recordings =
          Recordings.builder().wrapWith(Fixtures.newLocalKek()).cipherProvider(viaOption).build();
      int chunk = Recordings.chunkSizeBytes();
      int frameBytes = bytesPerFlush / FRAMES_PER_FLUSH;
      byte[] frame = new byte[frameBytes];
      java.util.Random random = new java.util.Random(bytesPerFlush);
      ByteArrayOutputStream plain = new ByteArrayOutputStream((int) recordingBytes + bytesPerFlush);
      Result r = new Result();
      r.bytesPerFlush = bytesPerFlush;
      r.sync = sync;
      boolean io = ThreadIo.available();
      try (RecordingWriter flushed = recordings.newFileWriter(a, Fixtures.CONTEXT);
          RecordingWriter twin = recordings.newFileWriter(b, Fixtures.CONTEXT)) {
        long flushedUpTo = 0; // plaintext offset the last flush covered
        long providerSealsBefore = viaOption.seals();
        long deviceA = 0;
        long deviceB = 0;
        while (r.written < recordingBytes) {
          for (int i = 0; i < FRAMES_PER_FLUSH; i++) {
            random.nextBytes(frame);
            plain.write(frame);
            ThreadIo t0 = ThreadIo.now();
            flushed.write(frame);
            ThreadIo t1 = ThreadIo.now();
            twin.write(frame);
            ThreadIo t2 = ThreadIo.now();
            r.writesWchar += t1.wchar - t0.wchar;
            r.twinWchar += t2.wchar - t1.wchar;
            deviceA += t1.writeBytes - t0.writeBytes;
            deviceB += t2.writeBytes - t1.writeBytes;
          }
          r.written += (long) frameBytes * FRAMES_PER_FLUSH;
          long chunkStart = r.written / chunk * chunk;
          long carried = r.written - Math.max(flushedUpTo, chunkStart);
          long d0 = atDefault.seals();
          long p0 = viaOption.seals();
          ThreadIo t0 = ThreadIo.now();
          if (sync) {
            flushed.sync();
          } else {
            flushed.flush();
          }
          ThreadIo t1 = ThreadIo.now();
          long d = atDefault.seals() - d0;
          long p = viaOption.seals() - p0;
          flushedUpTo = r.written;
          r.flushes++;
          r.emptyFlushes += carried == 0 ? 1 : 0;
          r.sealsDefault += d;
          r.sealsProvider += p;
          r.maxSealsPerFlush = Math.max(r.maxSealsPerFlush, d + p);
          r.carried += carried;
          deviceA += t1.writeBytes - t0.writeBytes;
          if (io) {
            long w = t1.wchar - t0.wchar;
            r.flushWchar += w;
            r.minFlushWchar = Math.min(r.minFlushWchar, w);
            r.maxFlushWchar = Math.max(r.maxFlushWchar, w);
            if (carried > 0) {
              r.minOverhead = Math.min(r.minOverhead, w - carried);
              r.maxOverhead = Math.max(r.maxOverhead, w - carried);
            }
          }
          r.maxExtraLength = Math.max(r.maxExtraLength, a.length() - b.length());
        }
        r.chunkSealsProvider = viaOption.seals() - providerSealsBefore - r.sealsProvider;
        if (sync && io) {
          r.deviceBytes = deviceA;
          r.twinDeviceBytes = deviceB;
        }
        // What a crash right after the last flush would leave: recover a copy of the file.
        byte[] copy = Files.readAllBytes(a.toPath());
        ByteArrayOutputStream back = new ByteArrayOutputStream(copy.length);
        RecoveryReport report =
            recordings.recover(new ByteArrayInputStream(copy), back, ReadOptions.defaults());
        r.recovered = report.plaintextBytes();
        r.recoveredExactly = Arrays.equals(back.toByteArray(), plain.toByteArray());
      }
      r.closedLengthDiff = a.length() - b.length();
      return r;
    } finally {
      Security.removeProvider(atDefault.getName());
      Files.deleteIfExists(a.toPath());
      Files.deleteIfExists(b.toPath());
      Files.deleteIfExists(dir);
    }
  }
}
