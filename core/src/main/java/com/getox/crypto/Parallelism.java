package com.getox.crypto;

import java.util.concurrent.Executor;

/**
 * How many threads {@link Recordings#encrypt(java.nio.channels.ReadableByteChannel,
 * java.nio.channels.WritableByteChannel, EncryptionContext, Parallelism) Recordings.encrypt} and
 * {@link Recordings#decrypt(java.nio.channels.ReadableByteChannel,
 * java.nio.channels.WritableByteChannel, ReadOptions, Parallelism) Recordings.decrypt} seal or open
 * a whole blob on, and where those threads come from.
 *
 * <pre>{@code
 * recordings.encrypt(in, out, ctx, Parallelism.availableProcessors());  // daemon threads, per call
 * recordings.encrypt(in, out, ctx, Parallelism.threads(4, pool));       // 3 tasks on your pool
 * }</pre>
 *
 * <p>The calling thread is always one of the threads: {@code threads(1)} runs on the caller alone
 * and starts nothing, and so does any blob shorter than one batch (64 chunks, 1 MiB of
 * plaintext). Each thread holds one batch of plaintext and one of ciphertext, so memory is about
 * {@code threads × 2 MiB}.
 *
 * <p><b>When it helps:</b> a whole blob that is already there (a file, an upload) of a few MiB or
 * more, on a machine with idle cores. Not for audio as it arrives: use {@link
 * Recordings#newWriter} or {@link Recordings#newFileWriter}, which seal each chunk as it fills and
 * can flush durably. On one core, N threads cost about what one does (they take turns).
 *
 * <p>Immutable and thread-safe.
 */
public final class Parallelism {
  /** Chunks per batch: what one thread reads, seals or opens, and writes at a time. */
  static final int BATCH_CHUNKS = 64;

  /** At most this many threads: more only adds memory, never speed. */
  public static final int MAX_THREADS = 256;

  private final int threads;
  private final Executor executor;
  private final int batchChunks;

  private Parallelism(int threads, Executor executor, int batchChunks) {
    if (threads < 1 || threads > MAX_THREADS) {
      throw new IllegalArgumentException(
          "threads must be from 1 to " + MAX_THREADS + ", not " + threads);
    }
    this.threads = threads;
    this.executor = executor;
    this.batchChunks = batchChunks;
  }

  /**
   * {@code threads} threads: the caller and {@code threads - 1} daemon threads started for each
   * call (only if the blob is not shorter than one batch) and ended before it returns.
   *
   * @param threads from 1 to {@link #MAX_THREADS}; 1 is the single-threaded path
   * @return the parallelism
   * @throws IllegalArgumentException if {@code threads} is out of range
   */
  public static Parallelism threads(int threads) {
    return new Parallelism(threads, null, BATCH_CHUNKS);
  }

  /**
   * {@code threads} threads: the caller and {@code threads - 1} tasks given to {@code executor}.
   * A task that starts late (a busy pool) finds less or nothing left to do, so a small or shared
   * pool slows a call down but never deadlocks it; the call returns only once every task that
   * started has ended. A task the executor rejects, or runs on the calling thread (a direct
   * executor, {@code CallerRunsPolicy}), is done without.
   *
   * @param threads from 1 to {@link #MAX_THREADS}
   * @param executor runs the helper tasks; never shut down here
   * @return the parallelism
   * @throws IllegalArgumentException if {@code threads} is out of range
   */
  public static Parallelism threads(int threads, Executor executor) {
    if (executor == null) {
      throw new NullPointerException("executor");
    }
    return new Parallelism(threads, executor, BATCH_CHUNKS);
  }

  /**
   * One thread per processor the JVM may use ({@code Runtime.availableProcessors()}), capped at
   * {@link #MAX_THREADS}.
   *
   * @return the parallelism
   */
  public static Parallelism availableProcessors() {
    return threads(Math.min(MAX_THREADS, Math.max(1, Runtime.getRuntime().availableProcessors())));
  }

  /**
   * The number of threads, the caller's included.
   *
   * @return from 1 to {@link #MAX_THREADS}
   */
  public int threads() {
    return threads;
  }

  /** The pool for the helper tasks, or null for daemon threads started per call. */
  Executor executor() {
    return executor;
  }

  int batchChunks() {
    return batchChunks;
  }

  /** The same with {@code chunks} chunks per batch: for tests, to cross many batches cheaply. */
  Parallelism withBatchChunks(int chunks) {
    if (chunks < 1) {
      throw new IllegalArgumentException("chunks per batch must be at least 1");
    }
    return new Parallelism(threads, executor, chunks);
  }

  @Override
  public String toString() {
    return "Parallelism{threads=" + threads + (executor == null ? "" : ", executor") + "}";
  }
}
