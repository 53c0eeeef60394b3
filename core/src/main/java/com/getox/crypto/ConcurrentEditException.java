package com.getox.crypto;

import java.io.IOException;

/**
 * A recording file changed under a header edit even while the edit held the directory lock: a
 * process that does not take Ox's lock (a copy, a sync tool, a writer still recording into it) is
 * writing the file. Nothing was changed by the edit; retry once that writer is done.
 *
 * <pre>{@code
 * try {
 *   RecordingFiles.share(recordings, file, colleague, ReadOptions.defaults());
 * } catch (ConcurrentEditException e) {
 *   // another program is writing the file: try again later
 * }
 * }</pre>
 *
 * <p>Edits between Ox processes never raise it: they serialize on the lock and each re-reads the
 * header the other wrote. In an object store (ox-crypto-s3) it means another edit of the same
 * object was in progress or won the race: nothing was changed, and a retry re-reads its header.
 */
public final class ConcurrentEditException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * A refused edit, with a message naming the file that changed.
   *
   * @param message what happened, naming the file
   */
  public ConcurrentEditException(String message) {
    super(message);
  }
}
