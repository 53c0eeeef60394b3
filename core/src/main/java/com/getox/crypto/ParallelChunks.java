package com.getox.crypto;

import com.getox.crypto.internal.Cobblestone;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;

/**
 * The engine behind {@link Recordings#encrypt} and {@link Recordings#decrypt} with a {@link
 * Parallelism}: seals or opens the full chunks of a body on several threads, in batches, and
 * emits them in order.
 *
 * <p>Every thread (the caller is one) loops: take the read turn and read the next batch from the
 * source (reads are in order, one at a time); seal or open its chunks with its own {@link
 * Cobblestone#copy()}; wait for its write turn and write the batch (writes are in order, one at a
 * time). So reading and writing overlap other threads' cryptography, no thread is a dispatcher,
 * and with one thread this is the plain sequential loop.
 *
 * <p>The engine stops at the <em>end</em>: the batch where the source ended, or (opening) the
 * first chunk that does not authenticate. It never emits anything from the end on: it returns
 * the bytes from there, and those that other threads had read after them, for the caller to
 * finish sequentially (sealing: the final chunk; opening: the sequential reader, which
 * authenticates the final chunk or throws exactly what a sequential read throws). So a chunk is
 * released only once it and every chunk before it authenticated.
 *
 * <p>A failure (I/O, a provider error, an interrupt) of any thread stops the others at their next
 * batch and is thrown by {@link #run}, which returns only once every helper has ended.
 */
final class ParallelChunks {
  /** Where finished batches go, in order: {@code firstChunk} is the index of the batch's first. */
  interface Output {
    void write(long firstChunk, byte[] b, int off, int len) throws IOException;
  }

  /** What is left at the end: the bytes from chunk {@link #chunk} on, for the sequential finish. */
  static final class End {
    /** The index of the first chunk not emitted. */
    final long chunk;
    /** Its bytes and the rest that was read (plaintext when sealing: the caller wipes it). */
    final byte[] rest;

    End(long chunk, byte[] rest) {
      this.chunk = chunk;
      this.rest = rest;
    }
  }

  private static final class Batch {
    final byte[] in;
    final byte[] out;
    long seq;
    int inLen;

    Batch(int inBytes, int outBytes) {
      in = new byte[inBytes];
      out = new byte[outBytes];
    }
  }

  private final boolean seal;
  private final ReadableByteChannel src;
  private final Parallelism parallelism;
  private final int batchChunks;
  private final int inChunk;
  private final int outChunk;

  private final Object readLock = new Object();
  /** Guarded by {@link #readLock}. */
  private long nextSeq;

  /** No batch is to be read any more: the source ended, the end was found, or a failure. */
  private volatile boolean stop;

  // Guarded by this.
  private long writeTurn;
  private long endSeq = -1;
  private long endChunk;
  private byte[] endBytes;
  private final Map<Long, byte[]> readPastEnd = new TreeMap<Long, byte[]>();
  private Throwable failure;
  private int activeHelpers;
  private boolean noMoreHelpers;

  private Batch first;
  private Cobblestone cipher;
  private Output output;
  /** The thread in {@link #run}; a helper task that an executor runs on it does nothing. */
  private Thread caller;

  private ParallelChunks(boolean seal, ReadableByteChannel src, Parallelism parallelism) {
    this.seal = seal;
    this.src = src;
    this.parallelism = parallelism;
    this.batchChunks = parallelism.batchChunks();
    this.inChunk = seal ? Cobblestone.CHUNK_PLAINTEXT_BYTES : Cobblestone.CHUNK_CIPHERTEXT_BYTES;
    this.outChunk = seal ? Cobblestone.CHUNK_CIPHERTEXT_BYTES : Cobblestone.CHUNK_PLAINTEXT_BYTES;
  }

  /** Seals plaintext from {@code src}. */
  static ParallelChunks sealing(ReadableByteChannel src, Parallelism parallelism) {
    return new ParallelChunks(true, src, parallelism);
  }

  /** Opens the chunks of a body from {@code src}, positioned after the salt and commitment. */
  static ParallelChunks opening(ReadableByteChannel src, Parallelism parallelism) {
    return new ParallelChunks(false, src, parallelism);
  }

  /**
   * Reads the first batch on the calling thread, before the recording is started: a source that
   * cannot be read at all fails here, before a key is wrapped or a byte written.
   */
  void readFirst() throws IOException {
    first = newBatch();
    boolean ok = false;
    try {
      read(first);
      ok = true;
    } finally {
      if (!ok) {
        wipe(first);
      }
    }
  }

  /** Wipes the first batch if {@link #run} will not be called (the recording failed to start). */
  void discard() {
    if (first != null) {
      wipe(first);
    }
  }

  /**
   * Processes everything up to the end on this thread and the helpers, and returns the end.
   *
   * @param cipher the body's cipher, for this thread; each helper uses a copy
   */
  End run(Cobblestone cipher, Output output) throws IOException, GeneralSecurityException {
    this.cipher = cipher;
    this.output = output;
    this.caller = Thread.currentThread();
    List<Thread> started = new ArrayList<Thread>();
    boolean interrupted = false;
    try {
      if (!stop) {
        startHelpers(started);
      }
      work(cipher, first);
    } finally {
      synchronized (this) {
        noMoreHelpers = true; // a task that starts from now on does nothing
        while (activeHelpers > 0) {
          try {
            wait();
          } catch (InterruptedException e) {
            interrupted = true;
            fail(new InterruptedIOException("interrupted while sealing or opening in parallel"));
          }
        }
      }
      for (Thread t : started) {
        while (true) {
          try {
            t.join(); // it has left its task; make sure it is gone
            break;
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      if (failure != null) {
        throwTyped(failure);
      }
      int n = endBytes.length;
      for (byte[] b : readPastEnd.values()) {
        n += b.length;
      }
      byte[] rest = Arrays.copyOf(endBytes, n);
      int at = endBytes.length;
      for (byte[] b : readPastEnd.values()) {
        System.arraycopy(b, 0, rest, at, b.length);
        at += b.length;
      }
      return new End(endChunk, rest);
    }
  }

  private void startHelpers(List<Thread> started) {
    Executor executor = parallelism.executor();
    for (int i = 1; i < parallelism.threads(); i++) {
      Runnable helper =
          new Runnable() {
            @Override
            public void run() {
              helper();
            }
          };
      try {
        if (executor == null) {
          Thread t = new Thread(helper, "oxcrypt-parallel-" + i);
          t.setDaemon(true); // never keeps a JVM alive
          t.start();
          started.add(t);
        } else {
          executor.execute(helper);
        }
      } catch (RuntimeException | OutOfMemoryError e) {
        // A pool that refuses (RejectedExecutionException), or no native thread to be had: done
        // with fewer threads. Helpers already started wait for this thread's batch, so it must
        // go on, not fail here.
        return;
      }
    }
  }

  private void helper() {
    if (Thread.currentThread() == caller) {
      // A direct executor, or a saturated pool's CallerRunsPolicy, runs the task inside execute():
      // it would wait for the caller's own batch, which waits for it.
      return;
    }
    synchronized (this) {
      if (noMoreHelpers || stop) {
        return;
      }
      activeHelpers++;
    }
    try {
      work(cipher.copy(), null);
    } catch (Throwable t) {
      fail(t);
    } finally {
      synchronized (this) {
        activeHelpers--;
        notifyAll();
      }
    }
  }

  /** The loop of every thread; {@code batch} is the first batch, already read, or null. */
  private void work(Cobblestone c, Batch batch) {
    Batch b = batch;
    boolean haveBatch = b != null;
    try {
      if (b == null) {
        b = newBatch();
      }
      while (true) {
        if (Thread.currentThread().isInterrupted()) {
          throw new InterruptedIOException("interrupted while sealing or opening in parallel");
        }
        if (!haveBatch && !read(b)) {
          return;
        }
        haveBatch = false;
        int full = b.inLen / inChunk;
        int good = process(c, b, full);
        boolean end = b.inLen < b.in.length || good < full;
        if (!awaitTurn(b)) {
          return;
        }
        if (good > 0) {
          output.write(b.seq * batchChunks, b.out, 0, good * outChunk);
        }
        synchronized (this) {
          if (end) {
            endSeq = b.seq;
            endChunk = b.seq * batchChunks + good;
            endBytes = Arrays.copyOfRange(b.in, good * inChunk, b.inLen);
            stop = true;
          } else {
            writeTurn++;
          }
          notifyAll();
        }
        if (end) {
          return;
        }
      }
    } catch (Throwable e) {
      fail(e); // run() throws the first failure, whichever thread had it
    } finally {
      if (b != null) {
        wipe(b);
      }
      c.wipe();
    }
  }

  /** Reads the next batch; false if reading is over. */
  private boolean read(Batch b) throws IOException {
    synchronized (readLock) {
      if (stop) {
        return false;
      }
      b.seq = nextSeq++;
      ByteBuffer buf = ByteBuffer.wrap(b.in);
      while (buf.hasRemaining()) {
        if (src.read(buf) < 0) {
          stop = true; // the source ended: this is the last batch
          break;
        }
      }
      b.inLen = buf.position();
      return true;
    }
  }

  /**
   * Seals or opens the batch's full chunks; returns how many succeeded: all of them when sealing,
   * and when opening the index of the first that fails to authenticate.
   */
  private int process(Cobblestone c, Batch b, int full) throws GeneralSecurityException {
    long index = b.seq * batchChunks;
    for (int j = 0; j < full; j++, index++) {
      int inOff = j * inChunk;
      int outOff = j * outChunk;
      try {
        if (seal) {
          c.sealChunk(index, b.in, inOff, inChunk, b.out, outOff);
        } else {
          c.openChunk(index, b.in, inOff, inChunk, b.out, outOff);
        }
      } catch (AuthenticationException e) {
        if (seal) {
          throw e;
        }
        return j; // the sequential reader says what this is (damage, a cut, an unclosed file)
      }
    }
    return full;
  }

  /**
   * Waits until batch {@code b} may be written; false (the thread stops) after a failure, or if
   * {@code b} was read after the end: then its bytes are kept for the sequential finish.
   */
  private synchronized boolean awaitTurn(Batch b) throws InterruptedIOException {
    while (failure == null && writeTurn != b.seq && !(endSeq >= 0 && b.seq > endSeq)) {
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while sealing or opening in parallel");
      }
    }
    if (failure != null) {
      return false;
    }
    if (endSeq >= 0 && b.seq > endSeq) {
      readPastEnd.put(b.seq, Arrays.copyOf(b.in, b.inLen));
      return false;
    }
    return true;
  }

  private synchronized void fail(Throwable t) {
    if (failure == null) {
      failure = t;
    }
    stop = true;
    notifyAll();
  }

  private Batch newBatch() {
    return new Batch(batchChunks * inChunk, batchChunks * outChunk);
  }

  /** Plaintext never outlives the call: the input when sealing, the output when opening. */
  private void wipe(Batch b) {
    Arrays.fill(seal ? b.in : b.out, (byte) 0);
  }

  private static void throwTyped(Throwable t) throws IOException, GeneralSecurityException {
    if (t instanceof IOException) {
      throw (IOException) t;
    }
    if (t instanceof GeneralSecurityException) {
      throw (GeneralSecurityException) t;
    }
    if (t instanceof RuntimeException) {
      throw (RuntimeException) t;
    }
    if (t instanceof Error) {
      throw (Error) t;
    }
    throw new IOException(t.getMessage(), t);
  }
}
