package com.getox.crypto.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr (encrypt, decrypt, resume; share and revoke, for the body copy; rewrap,
 * destroy --scan). Whether one is drawn is {@link OxCrypt#wantsProgress}'s decision; this class
 * only draws. Thread-safe: rewrap's workers update it.
 *
 * <pre>{@code
 * try (Progress bar = Progress.start(root.stderr, root.env, "rewrap", "files")) {
 *   bar.update(done, total);
 * }
 * }</pre>
 */
final class Progress implements AutoCloseable {
  private final ProgressBar bar;

  private Progress(ProgressBar bar) {
    this.bar = bar;
  }

  /** A bar named {@code task}; {@code unit} "B" shows bytes in KiB/MiB. */
  static Progress start(PrintStream stderr, Map<String, String> env, String task, String unit) {
    ProgressBarBuilder b = new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(-1)
        .setUpdateIntervalMillis(200)
        // An explicit width keeps the library from probing the terminal (it would try JLine).
        .setConsumer(new ConsoleProgressBarConsumer(stderr, columns(env) - 1))
        .hideEta()
        // Block characters only where stderr's encoding can show them.
        .setStyle(StandardCharsets.UTF_8.equals(Charset.defaultCharset())
            ? ProgressBarStyle.UNICODE_BLOCK : ProgressBarStyle.ASCII);
    if ("B".equals(unit)) {
      b.setUnit(" MiB", 1 << 20).showSpeed();
    }
    return new Progress(b.build());
  }

  synchronized void update(long done, long total) {
    if (total >= 0 && bar.getMax() != total) {
      bar.maxHint(total);
    }
    bar.stepTo(done);
  }

  @Override
  public synchronized void close() {
    bar.close();
  }

  private static int columns(Map<String, String> env) {
    String c = env == null ? null : env.get("COLUMNS");
    try {
      int n = c == null ? 80 : Integer.parseInt(c.trim());
      return n >= 40 && n <= 1000 ? n : 80;
    } catch (NumberFormatException e) {
      return 80;
    }
  }

  /** An input stream that counts what was read and, if given a bar, shows it. */
  static final class Meter extends FilterInputStream {
    private final Progress bar;
    private final long total;
    private long bytes;

    Meter(InputStream in, Progress bar, long total) {
      super(in);
      this.bar = bar;
      this.total = total;
    }

    /** Bytes read so far. */
    long bytes() {
      return bytes;
    }

    private void count(long n) {
      if (n > 0) {
        bytes += n;
        if (bar != null) {
          bar.update(bytes, total);
        }
      }
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      count(b < 0 ? 0 : 1);
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      count(n);
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = super.skip(n);
      count(s);
      return s;
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    @Override
    public void close() throws IOException {
      try {
        super.close();
      } finally {
        if (bar != null) {
          bar.close();
        }
      }
    }
  }
}
