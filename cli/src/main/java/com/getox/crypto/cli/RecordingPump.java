package com.getox.crypto.cli;

import com.getox.crypto.RecordingWriter;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Copies IN into a {@link RecordingWriter} and closes it, for {@code encrypt} and {@code resume};
 * with {@code --flush-every}, a timer thread {@linkplain RecordingWriter#flush() flushes} the
 * writer at that interval <em>while the reader waits</em> for IN, so what was read survives a kill
 * even when the source pauses with data pending. The writer is not thread-safe: every call to it,
 * from either thread, holds one lock.
 *
 * <pre>{@code
 * RecordingPump.pump(stdin, recordings.newFileWriter(out, ctx), buf, 0, RecordingPump.parseInterval("--flush-every", "200ms"));
 * }</pre>
 */
final class RecordingPump {
  static final int BUFFER_BYTES = 64 * 1024;
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");
  private static final long MAX_INTERVAL_NANOS = TimeUnit.HOURS.toNanos(24);

  private RecordingPump() {}

  /**
   * Parses {@code 200ms}, {@code 1s}, {@code 2m} or {@code 1h} into nanoseconds; a usage error (exit 2) for
   * anything else, zero, or more than 24 hours.
   */
  static long parseInterval(String option, String text) throws CliException {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new CliException(OxCrypt.USAGE,
          option + " needs a duration such as 200ms, 1s, 2m or 1h, not '" + text + "'");
    }
    long n = Long.parseLong(m.group(1));
    TimeUnit unit = m.group(2).equals("ms") ? TimeUnit.MILLISECONDS
        : m.group(2).equals("s") ? TimeUnit.SECONDS
        : m.group(2).equals("m") ? TimeUnit.MINUTES : TimeUnit.HOURS;
    long nanos = unit.toNanos(n);
    if (nanos <= 0 || nanos > MAX_INTERVAL_NANOS) {
      throw new CliException(OxCrypt.USAGE, option + " must be from 1ms to 24 hours, not '" + text + "'");
    }
    return nanos;
  }

  /**
   * Writes the {@code n} bytes already in {@code buf} ({@code n} = -1: IN is at its end already),
   * then the rest of {@code src}, into {@code writer}, and closes it: only then is the recording
   * complete. If {@code src} or the writer fails, the writer is flushed (a file writer's flush is
   * durable: everything read so far stays recoverable) and aborted, never closed, so the prefix is
   * not mistaken for the whole input; the failure is thrown. {@code buf} is wiped.
   *
   * @param flushEveryNanos the {@code --flush-every} interval, or 0 for no timer
   */
  static void pump(InputStream src, RecordingWriter writer, byte[] buf, int n, long flushEveryNanos)
      throws IOException {
    Object lock = new Object();
    boolean[] stopped = {false};
    IOException[] tickFailure = {null};
    ScheduledExecutorService timer = null;
    boolean complete = false;
    try {
      if (flushEveryNanos > 0) {
        timer = flushTimer(writer, lock, stopped, tickFailure, flushEveryNanos);
      }
      for (; n >= 0; n = src.read(buf)) {
        synchronized (lock) {
          writer.write(buf, 0, n); // after a failed flush, fails with its error
        }
      }
      synchronized (lock) {
        if (tickFailure[0] != null) {
          // IN ended after a flush failed: the writer would skip sealing, so report it here.
          throw new IOException("flush failed: " + tickFailure[0].getMessage(), tickFailure[0]);
        }
      }
      complete = true;
    } finally {
      Arrays.fill(buf, (byte) 0);
      synchronized (lock) {
        stopped[0] = true; // a tick that runs from now on touches nothing
      }
      if (timer != null) {
        // Not shutdownNow(): an interrupt during a tick's file write would close the channel.
        timer.shutdown();
      }
      synchronized (lock) {
        if (complete) {
          writer.close(); // seals the final chunk: only now is the recording complete
        } else {
          abortQuietly(writer);
        }
      }
    }
  }

  /**
   * A daemon thread that flushes {@code writer} every interval while {@code stopped} is false; a
   * failure goes to {@code failure} and stops it.
   */
  private static ScheduledExecutorService flushTimer(RecordingWriter writer, Object lock, boolean[] stopped,
      IOException[] failure, long intervalNanos) {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "oxcrypt-flush");
      t.setDaemon(true); // never keeps the JVM alive
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
    timer.scheduleWithFixedDelay(() -> {
      synchronized (lock) {
        if (stopped[0]) {
          return;
        }
        try {
          writer.flush(); // no new bytes since the last flush: writes nothing
        } catch (IOException e) {
          // The writer keeps the failure: the reader's next write throws it, or the reader finds
          // it here at the end of IN. Either way it is reported then; stop ticking.
          failure[0] = e;
          stopped[0] = true;
        }
      }
    }, intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
    return timer;
  }

  /**
   * Closes without sealing; the failure that got us here is the one to report. Flushed first: a
   * file writer's flush is durable, so the bytes read before the failure stay recoverable.
   */
  private static void abortQuietly(RecordingWriter writer) {
    try {
      writer.flush();
    } catch (IOException ignored) {
      // the writer failed: what earlier flushes wrote stays
    }
    try {
      writer.abort();
    } catch (IOException ignored) {
      // the sink failed too: the recording is truncated either way
    }
  }
}
