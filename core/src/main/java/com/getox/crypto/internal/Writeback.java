package com.getox.crypto.internal;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * What {@link AtomicFile} hands a {@link AtomicFile.Content}: the file's stream, which the content
 * may close (only flushed here; {@link AtomicFile} syncs and closes the file), and which starts a
 * sync of what was written so far on another thread each time {@link #EVERY_BYTES} more have been
 * written, without waiting for it.
 *
 * <p>Why: Linux writes nothing of a file until its dirty pages reach a tenth of memory or half a
 * minute has passed, so without this the whole file went to disk in the final sync, after the
 * content was done: 0.25 s for 1 GiB on the development machine, a fifth of {@code oxcrypt
 * encrypt}'s wall time. Started early, the disk writes while the content is still being made, and
 * the final sync has only the tail left. RocksDB's {@code bytes_per_sync} does the same with
 * {@code sync_file_range}, which Java cannot call; {@code fsync} does the job with a journal
 * commit more. One sync at a time: a threshold passed while one is running is skipped, never
 * waited for. Files under {@link #EVERY_BYTES} (keysets, headers) never start a thread.
 *
 * <p>A failed early sync fails the write ({@link #finish} throws it): after a failed {@code fsync}
 * the kernel may have dropped the pages, and a later {@code fsync} can report success.
 *
 * <pre>{@code
 * Writeback w = new Writeback(fileOut, Writeback.EVERY_BYTES, Writeback.FSYNC);
 * content.writeTo(w);
 * w.finish();   // waits for an early sync in flight, then syncs the rest
 * }</pre>
 */
public final class Writeback extends FilterOutputStream {
  /** Bytes written between early syncs. */
  public static final long EVERY_BYTES = 32L << 20;

  /** How a file descriptor is synced (a seam for tests). */
  public interface Syncer {
    void sync(FileDescriptor fd) throws IOException;
  }

  /** {@link FileDescriptor#sync}: {@code fsync(2)}. */
  public static final Syncer FSYNC = FileDescriptor::sync;

  /**
   * Early syncs' threads: daemons, none kept idle for more than a few seconds, at most 8 at once
   * in the process (a writer that finds them all busy skips its early sync).
   */
  private static final ThreadPoolExecutor SYNCS =
      new ThreadPoolExecutor(
          0,
          8,
          5,
          TimeUnit.SECONDS,
          new SynchronousQueue<Runnable>(),
          r -> {
            Thread t = new Thread(r, "ox-writeback");
            t.setDaemon(true);
            return t;
          });

  private final FileOutputStream file;
  private final long everyBytes;
  private final Syncer syncer;
  private long written;
  private long nextSyncAt;
  private Future<?> inFlight;
  private IOException failed;

  /**
   * @param file the file being written
   * @param everyBytes bytes between early syncs
   * @param syncer how to sync ({@link #FSYNC})
   */
  public Writeback(FileOutputStream file, long everyBytes, Syncer syncer) {
    super(file);
    this.file = file;
    this.everyBytes = everyBytes;
    this.syncer = syncer;
    this.nextSyncAt = everyBytes;
  }

  /** Whether any byte was written. */
  public boolean wroteAny() {
    return written > 0;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    file.write(b, off, len);
    advance(len);
  }

  @Override
  public void write(int b) throws IOException {
    file.write(b);
    advance(1);
  }

  private void advance(long n) throws IOException {
    written += n;
    if (written < nextSyncAt) {
      return;
    }
    nextSyncAt = written + everyBytes;
    if (inFlight != null) {
      if (!inFlight.isDone()) {
        return; // the disk is behind: the next threshold will try again
      }
      collect();
    }
    final FileDescriptor fd = file.getFD();
    try {
      inFlight =
          SYNCS.submit(
              () -> {
                syncer.sync(fd);
                return null;
              });
    } catch (RejectedExecutionException busy) {
      inFlight = null; // every sync thread busy: this one waits for the final sync
    }
  }

  /** The content may close it: the file stays open for the sync. */
  @Override
  public void close() throws IOException {
    file.flush();
  }

  /**
   * Waits for an early sync in flight, then syncs the file. Throws what an early sync threw.
   *
   * @throws IOException if an early sync or this one fails
   */
  public void finish() throws IOException {
    file.flush();
    collect();
    syncer.sync(file.getFD());
  }

  /** Waits for an early sync in flight, ignoring its failure: before a close after a failure. */
  public void abandon() {
    try {
      collect();
    } catch (IOException ignored) {
      // the write already failed; the caller throws that
    }
  }

  /** Waits (uninterruptibly) for the sync in flight; throws its failure, then every time after. */
  private void collect() throws IOException {
    Future<?> f = inFlight;
    inFlight = null;
    if (f != null) {
      boolean interrupted = false;
      try {
        while (true) {
          try {
            f.get();
            break;
          } catch (InterruptedException e) {
            interrupted = true; // a sync cannot be cancelled; the caller's interrupt is kept
          } catch (ExecutionException e) {
            Throwable c = e.getCause();
            failed = c instanceof IOException ? (IOException) c : new IOException(c);
            break;
          }
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
    if (failed != null) {
      throw new IOException("syncing the file to disk failed: " + failed.getMessage(), failed);
    }
  }
}
