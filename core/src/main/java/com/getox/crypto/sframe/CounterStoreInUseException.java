package com.getox.crypto.sframe;

import java.io.IOException;

/**
 * Another live {@link CounterStore#file file counter store}, in this process or another, holds
 * the counter file: two senders counting from one file would reuse (key, counter) pairs, so the
 * second is refused. Close the first store (or let its process end) before opening it again.
 *
 * <pre>{@code
 * try (CounterStore store = CounterStore.file(f)) { ... }
 * catch (CounterStoreInUseException e) { // another sender is live on f
 * }
 * }</pre>
 */
public final class CounterStoreInUseException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * A refused open, with a message naming the counter file.
   *
   * @param message what happened, naming the file
   */
  public CounterStoreInUseException(String message) {
    super(message);
  }
}
