package com.getox.crypto.sframe;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;

/**
 * Durable high-water marks for a sender: the next SFrame counter of each key, and the next epoch
 * of each session. RFC 9605 section 9.1 requires that a (base key, KID, CTR) is never used twice,
 * even across a restart, so {@link SFrameSender} stores the next value <em>before</em> it uses the
 * ones below it. It reserves counters in blocks, so a store is written about once per block, not
 * once per frame; a crash wastes the rest of the block, which is harmless.
 *
 * <pre>{@code
 * CounterStore store = CounterStore.file(new File(context.getFilesDir(), "sframe-counters"));
 * SFrameSender sender = SFrameSender.builder(recordings, "ptt-9", store).build();
 * ...
 * store.close(); // when the sender is done: another sender may then use the file
 * }</pre>
 *
 * <p>Implement it yourself to keep the values elsewhere (a database row, secure storage); {@link
 * #store} must not return before the value would survive a power cut. Values are unsigned 64-bit.
 */
public interface CounterStore extends Closeable {
  /**
   * The value last stored under {@code name}.
   *
   * @param name the counter's name, chosen by the sender (a key or session id)
   * @return the value last stored, unsigned 64-bit; 0 if there is none
   * @throws IOException if the store cannot be read; the sender then refuses to encrypt
   */
  long load(String name) throws IOException;

  /**
   * Durably replaces the value under {@code name}; returns only when it is on stable storage.
   *
   * @param name the counter's name, chosen by the sender
   * @param value the new value, unsigned 64-bit; never below the one stored before
   * @throws IOException if the value may not be durable; the sender then refuses to encrypt
   *     with the counters it was reserving
   */
  void store(String name, long value) throws IOException;

  /**
   * Forgets {@code name}, whose value will never be needed again (the counter of a retired epoch).
   * The default keeps it; a store that implements this stays small over a long session.
   *
   * @param name the counter's name
   * @throws IOException if the store cannot be written
   */
  default void remove(String name) throws IOException {}

  /** Releases the store when its sender is done. The default does nothing. */
  @Override
  default void close() throws IOException {}

  /**
   * A store kept in one small properties file, replaced atomically on every write: written to a
   * temporary file beside it, synced to disk, then renamed over {@code file}, so a crash leaves
   * the old value or the new one. Where a rename cannot replace a file, writes fail and the sender
   * stops rather than risk a reused counter. Opening it fails if the file is malformed rather than
   * start counting from zero.
   *
   * <p>One live store per file: from open to {@link #close()} it holds an exclusive lock on
   * {@code file + ".lock"} (an {@code fcntl} lock, released by the kernel if the process dies), and
   * a second open of the same file, in any thread or process, fails with {@link
   * CounterStoreInUseException}: two senders counting from one file would reuse nonces.
   *
   * @param file the properties file; if it does not exist, every value starts at 0 and the file
   *     is written on the first store
   * @return the open store; close it when its sender is done
   * @throws CounterStoreInUseException if another live store holds the file
   * @throws IOException if the file exists but cannot be read or parsed
   */
  static CounterStore file(File file) throws IOException {
    return FileCounterStore.open(file);
  }
}
