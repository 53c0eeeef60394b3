package com.getox.crypto;

/**
 * What {@link Recordings#recover} salvaged from a recording whose writer may have died before
 * {@code close()}.
 *
 * <pre>{@code
 * RecoveryReport r = recordings.recover(in, out, ReadOptions.defaults());
 * if (r.truncated()) log.warn("recording was cut short; kept {} bytes", r.plaintextBytes());
 * }</pre>
 */
public final class RecoveryReport {
  private final long plaintextBytes;
  private final long chunks;
  private final boolean truncated;
  private final long flushedBytes;

  RecoveryReport(long plaintextBytes, long chunks, boolean truncated, long flushedBytes) {
    this.plaintextBytes = plaintextBytes;
    this.chunks = chunks;
    this.truncated = truncated;
    this.flushedBytes = flushedBytes;
  }

  /**
   * Of {@link #plaintextBytes()}, how many came from flush records (format version 2): the part
   * of the last chunk that the writer had flushed before it died. They are authenticated like
   * the rest, and they are a recovered prefix: the recording went on after them, unsealed.
   *
   * @return the flushed bytes recovered, 0 to {@link #plaintextBytes()}
   */
  public long flushedBytes() {
    return flushedBytes;
  }

  /**
   * Authenticated plaintext written out.
   *
   * @return the number of plaintext bytes written to the output
   */
  public long plaintextBytes() {
    return plaintextBytes;
  }

  /**
   * Authenticated chunks written out.
   *
   * @return the number of whole chunks written to the output (flushed bytes are not counted as a
   *     chunk)
   */
  public long chunks() {
    return chunks;
  }

  /**
   * Whether the recording was cut short.
   *
   * @return true if it had no valid final chunk; false if it was complete
   */
  public boolean truncated() {
    return truncated;
  }

  @Override
  public String toString() {
    return "RecoveryReport{"
        + (truncated ? "truncated" : "complete")
        + ", "
        + chunks
        + " chunks, "
        + plaintextBytes
        + " bytes"
        + (flushedBytes > 0 ? ", " + flushedBytes + " of them flushed" : "")
        + "}";
  }
}
