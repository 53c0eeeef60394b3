package com.getox.crypto;

import com.getox.crypto.internal.AtomicFile;
import java.io.BufferedReader;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Re-wraps every recording under some files and directory trees after a KEK rotation, header
 * only. Restartable: with a journal, a killed run resumes without redoing finished files, and each
 * file is replaced atomically (see {@link RecordingFiles}), so a crash never leaves a half-written
 * recording. Each recording is handled and counted once however often the paths reach it (a
 * directory named twice, symlinks, a symlink loop), and runs in several processes over the same
 * tree may overlap: edits of one file serialize, and exactly one run re-wraps it.
 *
 * <pre>{@code
 * kms.rotate();
 * BulkRewrap.Report r = BulkRewrap.builder(recordings)
 *     .journal(new File("rewrap.journal"))
 *     .threads(4)
 *     .listener((file, outcome, done, total) -> progress.stepTo(done))
 *     .build()
 *     .run(Collections.singletonList(new File("/data/recordings")));
 * System.out.println(r);   // rewrapped, already current, failed
 * }</pre>
 *
 * <p>A journal belongs to one re-wrap job: it lists files finished under the KEK versions current
 * at the time, so start a new journal after the next rotation.
 */
public final class BulkRewrap {
  /** What happened to one file. */
  public enum Outcome {
    /** The header was re-wrapped under the current KEK versions and the file replaced. */
    REWRAPPED,
    /** Every wrapped key was already current: the file was left as it was. */
    ALREADY_CURRENT,
    /**
     * The file could not be re-wrapped; {@link Report#failed()} holds the reason (a {@link
     * NoUsableKeyException} for a recording none of whose keys the re-wrapping KEKs made).
     */
    FAILED
  }

  /** Called after each file, from the worker thread that handled it. */
  public interface Listener {
    /**
     * Reports one file. Called concurrently when the run has several threads; must not throw.
     *
     * @param file the recording, as the walk of the paths found it
     * @param outcome what happened to it
     * @param done how many files of this run are finished, this one included
     * @param total how many files this run handles (those a journal marks as finished are not
     *     counted)
     */
    void onFile(File file, Outcome outcome, long done, long total);
  }

  private final Recordings recordings;
  private final File journal;
  private final int threads;
  private final Listener listener;
  private final ReadOptions options;

  private BulkRewrap(Builder b) {
    this.recordings = b.recordings;
    this.journal = b.journal;
    this.threads = b.threads;
    this.listener = b.listener;
    this.options = b.options;
  }

  /**
   * A builder of a re-wrap job: one thread, no journal, no listener, default read options.
   *
   * @param recordings holds the KEKs that unwrap the recordings and the current KEKs to re-wrap
   *     them under; not null
   * @return a new builder
   * @throws NullPointerException if {@code recordings} is null
   */
  public static Builder builder(Recordings recordings) {
    return new Builder(recordings);
  }

  /**
   * Re-wraps every recording in {@code paths} (files, or directories walked recursively; files
   * that are not recordings are ignored). Failures are reported, not thrown. Once the audit sink
   * fails ({@link AuditFailedException}), the recordings not yet started fail with that exception
   * untouched: no key operation is attempted that could not be recorded.
   *
   * @param paths files and directories to walk; each must exist
   * @return the counts of what happened, and every failure with its exception
   * @throws IOException if a path does not exist, the journal cannot be read or opened, or the
   *     run is interrupted; files finished before that stay finished (and journaled)
   */
  public Report run(List<File> paths) throws IOException {
    Set<String> finished = readJournal();
    List<File> todo = new ArrayList<>();
    long resumed = 0;
    for (File f : walk(paths)) {
      if (finished.contains(f.getCanonicalPath())) {
        resumed++;
      } else {
        todo.add(f);
      }
    }
    final long total = todo.size();
    final AtomicLong done = new AtomicLong();
    final AtomicLong rewrapped = new AtomicLong();
    final AtomicLong current = new AtomicLong();
    final Map<File, Exception> failed =
        Collections.synchronizedMap(new LinkedHashMap<File, Exception>());
    // Fail closed: once the audit sink is down, no further recording is touched (each is failed
    // with the audit failure) rather than attempting key operations that cannot be recorded.
    final java.util.concurrent.atomic.AtomicReference<AuditFailedException> auditDown =
        new java.util.concurrent.atomic.AtomicReference<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (FileOutputStream log = journal == null ? null : new FileOutputStream(journal, true)) {
      List<Future<?>> futures = new ArrayList<>();
      for (final File f : todo) {
        futures.add(
            pool.submit(
                () -> {
                  Outcome outcome;
                  try {
                    AuditFailedException down = auditDown.get();
                    if (down != null) {
                      throw down;
                    }
                    outcome =
                        RecordingFiles.rewrap(recordings, f, options)
                            ? Outcome.REWRAPPED
                            : Outcome.ALREADY_CURRENT;
                  } catch (IOException | GeneralSecurityException | RuntimeException e) {
                    for (Throwable c = e; c != null; c = c.getCause()) {
                      if (c instanceof AuditFailedException) {
                        auditDown.compareAndSet(null, (AuditFailedException) c);
                        break;
                      }
                    }
                    failed.put(f, e);
                    outcome = Outcome.FAILED;
                  }
                  if (outcome == Outcome.REWRAPPED) {
                    rewrapped.incrementAndGet();
                  } else if (outcome == Outcome.ALREADY_CURRENT) {
                    current.incrementAndGet();
                  }
                  if (log != null && outcome != Outcome.FAILED) {
                    record(log, outcome, f);
                  }
                  if (listener != null) {
                    listener.onFile(f, outcome, done.incrementAndGet(), total);
                  } else {
                    done.incrementAndGet();
                  }
                  return null;
                }));
      }
      for (Future<?> fut : futures) {
        try {
          fut.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("bulk re-wrap interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IOException("bulk re-wrap worker failed", e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
    }
    return new Report(rewrapped.get(), current.get(), resumed, new java.util.TreeMap<>(failed));
  }

  private void record(FileOutputStream log, Outcome outcome, File f) {
    try {
      byte[] line =
          (outcome + "\t" + f.getCanonicalPath() + "\n").getBytes(StandardCharsets.UTF_8);
      synchronized (log) {
        log.write(line);
        log.getFD().sync();
      }
    } catch (IOException e) {
      // The journal only saves work on resume: a lost line means one file is checked again.
    }
  }

  private Set<String> readJournal() throws IOException {
    Set<String> done = new HashSet<>();
    if (journal == null || !journal.exists()) {
      return done;
    }
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(new FileInputStream(journal), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        int tab = line.indexOf('\t');
        if (tab > 0) {
          done.add(line.substring(tab + 1)); // a torn last line simply doesn't match a path
        }
      }
    }
    return done;
  }

  /**
   * Every recording under {@code paths}, each once, in a stable order. A file reached twice (a
   * path named twice, a directory inside another one named, a symlink) is listed once, under the
   * first name found; a directory already walked (a symlink loop) is not entered again. Skips the
   * temporary files of edits in progress or killed ones: {@link AtomicFile#replace} removes the
   * latter under the directory lock when it next writes that file.
   */
  static List<File> walk(List<File> paths) throws IOException {
    List<File> out = new ArrayList<>();
    Set<String> files = new HashSet<>();
    Set<String> dirs = new HashSet<>();
    for (File p : paths) {
      if (!p.exists()) {
        throw new IOException("no such file or directory: " + p);
      }
      walkInto(p, out, files, dirs);
    }
    return out;
  }

  private static void walkInto(File p, List<File> out, Set<String> files, Set<String> dirs)
      throws IOException {
    String canonical = p.getCanonicalPath();
    if (p.isDirectory()) {
      if (!dirs.add(canonical)) {
        return;
      }
      File[] children = p.listFiles();
      if (children == null) {
        return;
      }
      Arrays.sort(children);
      for (File c : children) {
        walkInto(c, out, files, dirs);
      }
    } else if (!isTemp(p)
        && !isTemp(new File(canonical))
        && files.add(canonical)
        && RecordingFiles.looksLikeRecording(p)) {
      out.add(p);
    }
  }

  private static boolean isTemp(File f) {
    return f.getName().startsWith(".") && f.getName().endsWith(AtomicFile.TEMP_SUFFIX);
  }

  /** The outcome of a run. */
  public static final class Report {
    private final long rewrapped;
    private final long alreadyCurrent;
    private final long resumedSkipped;
    private final Map<File, Exception> failed;

    Report(long rewrapped, long alreadyCurrent, long resumedSkipped, Map<File, Exception> failed) {
      this.rewrapped = rewrapped;
      this.alreadyCurrent = alreadyCurrent;
      this.resumedSkipped = resumedSkipped;
      this.failed = Collections.unmodifiableMap(failed);
    }

    /**
     * Files re-wrapped by this run.
     *
     * @return the number of {@link Outcome#REWRAPPED} files
     */
    public long rewrapped() {
      return rewrapped;
    }

    /**
     * Files that were already current.
     *
     * @return the number of {@link Outcome#ALREADY_CURRENT} files
     */
    public long alreadyCurrent() {
      return alreadyCurrent;
    }

    /**
     * Files the journal says an earlier run finished, not opened again.
     *
     * @return the number of files skipped because of the journal
     */
    public long resumedSkipped() {
      return resumedSkipped;
    }

    /**
     * Each failed file and the exception that stopped it.
     *
     * @return the failures, sorted by path; unmodifiable, empty if none failed
     */
    public Map<File, Exception> failed() {
      return failed;
    }

    @Override
    public String toString() {
      return rewrapped
          + " re-wrapped, "
          + alreadyCurrent
          + " already current, "
          + resumedSkipped
          + " done by an earlier run, "
          + failed.size()
          + " failed";
    }
  }

  /** Builds a {@link BulkRewrap}. */
  public static final class Builder {
    private final Recordings recordings;
    private File journal;
    private int threads = 1;
    private Listener listener;
    private ReadOptions options = ReadOptions.defaults();

    private Builder(Recordings recordings) {
      this.recordings = Objects.requireNonNull(recordings, "recordings");
    }

    /**
     * Appends finished files here and skips them when a later run finds them. One journal per
     * re-wrap job: start a new one after the next rotation.
     *
     * @param journal the journal file, created if it does not exist; null for none (the default)
     * @return this builder
     */
    public Builder journal(File journal) {
      this.journal = journal;
      return this;
    }

    /**
     * How many files are re-wrapped at once (default 1). Each thread may wait on a KMS.
     *
     * @param threads 1 to 256 (checked by {@link #build()})
     * @return this builder
     */
    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    /**
     * Receives each file's outcome, for progress reporting.
     *
     * @param listener the listener, or null for none (the default)
     * @return this builder
     */
    public Builder listener(Listener listener) {
      this.listener = listener;
      return this;
    }

    /**
     * How to open each recording (expected context entries, header limits); {@link
     * ReadOptions#defaults()} by default. A detached header makes no sense here.
     *
     * @param options the read options; not null
     * @return this builder
     * @throws NullPointerException if {@code options} is null
     */
    public Builder readOptions(ReadOptions options) {
      this.options = Objects.requireNonNull(options, "options");
      return this;
    }

    /**
     * Builds the job; nothing runs until {@link BulkRewrap#run}.
     *
     * @return the job, reusable
     * @throws IllegalArgumentException if {@code threads} is not 1 to 256
     */
    public BulkRewrap build() {
      if (threads < 1 || threads > 256) {
        throw new IllegalArgumentException("threads must be 1 to 256");
      }
      return new BulkRewrap(this);
    }
  }
}
