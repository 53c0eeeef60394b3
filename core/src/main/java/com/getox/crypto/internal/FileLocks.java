package com.getox.crypto.internal;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one way Ox serializes changes to files: an exclusive lock that holds across threads and
 * processes. Every change to a keyset, a recording's header or an output file takes the lock of
 * the target's directory ({@link #lockDirectoryOf}), re-reads what it changes under it, writes
 * through {@link AtomicFile} and releases it.
 *
 * <p>Two layers, because neither suffices alone. Across processes, {@link FileLock} on a lock file
 * (POSIX {@code fcntl} locks on Linux and Android, which the kernel drops when a process dies, so a
 * {@code kill -9} never leaves a stale lock). Within one JVM, a {@link ReentrantLock} per lock file,
 * taken first: the JVM refuses a second {@code FileLock} on a file it already locks, and on POSIX
 * closing <em>any</em> descriptor of a file drops every lock the process holds on it, so one JVM must
 * never have two channels open on a lock file at once. The lock file itself is never deleted
 * (deleting it would let a waiter and a newcomer lock two different files). Works on Android API
 * 24 ({@code RandomAccessFile.getChannel().lock()}); no {@code java.nio.file}.
 *
 * <pre>{@code
 * try (FileLocks.Held lock = FileLocks.lockDirectoryOf(keysetFile)) {
 *   // re-read keysetFile, change it, AtomicFile.replace(...)
 * }
 * }</pre>
 */
public final class FileLocks {
  /** Name of the lock file that {@link #lockDirectoryOf} keeps in each directory it locks. */
  public static final String DIRECTORY_LOCK_NAME = ".oxcrypt.lock";

  private static final ConcurrentHashMap<String, Slot> SLOTS = new ConcurrentHashMap<>();

  /** Test seam: run when the kernel refuses a blocking wait and the lock falls back to polling. */
  static volatile Runnable refusedWait;

  /** Test seam: run when this JVM has just created a lock file, before it opens it to lock. */
  static volatile Runnable created;

  private FileLocks() {}

  /**
   * A held lock; {@link #close()} releases it. Not shared between threads, except a {@link
   * #tryClaim claim}, which any thread may close.
   */
  public static final class Held implements Closeable {
    private final Slot slot;
    private final boolean claim;
    private boolean released;

    Held(Slot slot, boolean claim) {
      this.slot = slot;
      this.claim = claim;
    }

    @Override
    public void close() throws IOException {
      synchronized (this) {
        if (released) {
          return;
        }
        released = true;
      }
      if (claim) {
        slot.releaseClaim();
      } else {
        slot.release();
      }
    }
  }

  private static final class Slot {
    final File lockFile;
    final ReentrantLock jvm = new ReentrantLock();
    RandomAccessFile raf; // guarded by jvm
    FileLock os; // guarded by jvm
    boolean claimed; // guarded by jvm: raf and os belong to a claim, not to a thread

    Slot(File lockFile) {
      this.lockFile = lockFile;
    }

    /** After {@code jvm} is held: takes the process lock on the first hold of this thread. */
    boolean lockProcess(boolean block) throws IOException {
      if (jvm.getHoldCount() > 1) {
        return true;
      }
      if (claimed) {
        // Another channel on the file would be unsafe (closing it drops the claim's lock).
        if (block) {
          throw new IOException("lock file " + lockFile + " is claimed by an owner in this JVM");
        }
        return false;
      }
      // Created here, under the JVM lock, never before it: creating a file opens and closes it,
      // and that close would drop the process lock another thread of this JVM had just taken.
      if (AtomicFile.createOwnerOnly(lockFile)) {
        Runnable seam = created;
        if (seam != null) {
          seam.run();
        }
      }
      RandomAccessFile f = new RandomAccessFile(lockFile, "rw");
      try {
        FileLock l = block ? waitFor(f.getChannel()) : f.getChannel().tryLock();
        if (l == null) {
          f.close();
          return false;
        }
        raf = f;
        os = l;
        return true;
      } catch (IOException | RuntimeException e) {
        f.close();
        throw e;
      }
    }

    void releaseClaim() throws IOException {
      jvm.lock();
      try {
        RandomAccessFile f = raf;
        raf = null;
        os = null;
        claimed = false;
        if (f != null) {
          f.close();
        }
      } finally {
        jvm.unlock();
      }
    }

    /**
     * Blocks until the process lock is ours. The kernel's fcntl deadlock detection counts
     * processes, not threads: when a thread of each of two processes holds one directory's lock
     * and another thread of each waits for the other directory's, it refuses a wait (EDEADLK, an
     * IOException) although no thread waits for itself. Then poll: tryLock is never refused so.
     * A real failure (no locking on this file system) fails tryLock too, and is thrown.
     */
    private FileLock waitFor(FileChannel channel) throws IOException {
      try {
        return channel.lock();
      } catch (IOException e) {
        Runnable seam = refusedWait;
        if (seam != null) {
          seam.run();
        }
        for (long pauseMillis = 1; ; pauseMillis = Math.min(2 * pauseMillis, 50)) {
          FileLock l = channel.tryLock();
          if (l != null) {
            return l;
          }
          try {
            Thread.sleep(pauseMillis);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted waiting for " + lockFile);
          }
        }
      }
    }

    void release() throws IOException {
      try {
        if (jvm.getHoldCount() == 1) {
          RandomAccessFile f = raf;
          raf = null;
          os = null;
          if (f != null) {
            f.close(); // closing the only channel releases the FileLock with it
          }
        }
      } finally {
        jvm.unlock();
      }
    }
  }

  /** Locks {@code target}'s directory, waiting as long as another thread or process holds it. */
  public static Held lockDirectoryOf(File target) throws IOException {
    return lock(new File(directoryOf(target), DIRECTORY_LOCK_NAME));
  }

  /** Locks {@code lockFile} (created if absent, owner-only), waiting while it is held. */
  public static Held lock(File lockFile) throws IOException {
    Slot slot = slot(lockFile);
    slot.jvm.lock();
    boolean ok = false;
    try {
      slot.lockProcess(true);
      ok = true;
      return new Held(slot, false);
    } finally {
      if (!ok) {
        slot.jvm.unlock();
      }
    }
  }

  /**
   * Locks {@code lockFile} if no other thread or process holds it.
   *
   * @return the held lock, or null if another thread or process holds it
   */
  public static Held tryLock(File lockFile) throws IOException {
    Slot slot = slot(lockFile);
    if (!slot.jvm.tryLock()) {
      return null;
    }
    boolean ok = false;
    try {
      if (slot.jvm.getHoldCount() > 1) {
        // A thread that already holds it asks again: for an exclusive claim that is "held".
        return null;
      }
      if (!slot.lockProcess(false)) {
        return null;
      }
      ok = true;
      return new Held(slot, false);
    } finally {
      if (!ok) {
        slot.jvm.unlock();
      }
    }
  }

  /**
   * Claims {@code lockFile} for as long as the returned handle is open: exclusive across threads
   * and processes like {@link #tryLock}, but owned by the handle rather than by the calling
   * thread (any thread may close it), and not reentrant. For a file that one object uses for its
   * whole life, such as an SFrame counter store. While it is claimed, {@link #tryLock} of the same
   * lock file returns null and {@link #lock} fails in this JVM.
   *
   * @return the claim, or null if another claim, thread or process holds the lock file
   */
  public static Held tryClaim(File lockFile) throws IOException {
    Slot slot = slot(lockFile);
    slot.jvm.lock(); // brief: nothing holds a claim's lock file through lock() for long
    try {
      if (slot.jvm.getHoldCount() > 1 || slot.claimed) {
        return null; // this thread holds it through lock/tryLock, or another claim does
      }
      if (!slot.lockProcess(false)) {
        return null;
      }
      slot.claimed = true;
      return new Held(slot, true);
    } finally {
      slot.jvm.unlock();
    }
  }

  /** The directory that holds {@code target}, made absolute. */
  static File directoryOf(File target) {
    File parent = target.getAbsoluteFile().getParentFile();
    if (parent == null) {
      throw new IllegalArgumentException("no parent directory: " + target);
    }
    return parent;
  }

  private static Slot slot(File lockFile) throws IOException {
    File canonical = lockFile.getCanonicalFile();
    File dir = canonical.getParentFile();
    if (dir != null && !dir.isDirectory()) {
      throw new java.io.FileNotFoundException("no such directory: " + dir);
    }
    return SLOTS.computeIfAbsent(canonical.getPath(), k -> new Slot(canonical));
  }
}
