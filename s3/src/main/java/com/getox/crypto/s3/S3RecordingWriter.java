package com.getox.crypto.s3;

import com.getox.crypto.RecordingHeader;
import com.getox.crypto.RecordingWriter;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A recording being uploaded as it is produced. Write plaintext audio as it arrives; {@link
 * #close()} seals the final chunk and completes the upload, and only then does the object appear.
 * If anything fails, or {@link #abort()} is called, the upload is aborted: no object, no orphan
 * parts. Made by {@link S3Recordings#newWriter}; for one thread.
 *
 * <pre>{@code
 * S3RecordingWriter w = store.newWriter("recordings", "2026/12/talk.oxr", ctx);
 * try {
 *   pump(mic, w);
 *   w.close();                        // the object appears now, whole
 * } catch (IOException e) {
 *   w.abort();                        // nothing is stored
 *   throw e;
 * }
 * }</pre>
 */
public final class S3RecordingWriter extends OutputStream {
  private final RecordingWriter writer;
  private final MultipartOutputStream upload;
  private final Runnable onFailure;

  S3RecordingWriter(RecordingWriter writer, MultipartOutputStream upload, Runnable onFailure) {
    this.writer = writer;
    this.upload = upload;
    this.onFailure = onFailure;
  }

  /**
   * The recording's header, complete from the start. It is stored in the object's metadata, or in
   * the sidecar object when too large for it.
   *
   * @return the header
   */
  public RecordingHeader header() {
    return writer.header();
  }

  /**
   * Plaintext bytes written so far.
   *
   * @return the count of audio bytes accepted
   */
  public long plaintextBytes() {
    return writer.plaintextBytes();
  }

  /**
   * Encrypted bytes handed to the upload so far (sent, or buffered for the next part).
   *
   * @return the body bytes produced, excluding the header
   */
  public long bodyBytes() {
    return upload.bytesWritten();
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    try {
      writer.write(b, off, len);
    } catch (IOException | RuntimeException e) {
      abortAfter(e);
      throw e;
    }
  }

  /**
   * Seals the final chunk and completes the upload. Idempotent.
   *
   * @throws IOException if the upload fails ({@link ObjectStoreException}); it is then aborted and
   *     nothing is stored
   */
  @Override
  public void close() throws IOException {
    try {
      writer.close();
    } catch (IOException | RuntimeException e) {
      if (!upload.completed()) {
        onFailure.run();
      }
      throw e;
    }
  }

  /**
   * Abandons the recording: aborts the upload, so no object and no part is left. Idempotent;
   * does nothing after {@link #close()}.
   *
   * @throws IOException if the store refused the abort ({@link ObjectStoreException}); the bucket's
   *     lifecycle rule for incomplete multipart uploads then removes the parts
   */
  public void abort() throws IOException {
    if (upload.completed()) {
      return;
    }
    upload.abortOnClose();
    onFailure.run();
    writer.abort();
  }

  private void abortAfter(Exception e) {
    try {
      abort();
    } catch (IOException | RuntimeException suppressed) {
      e.addSuppressed(suppressed);
    }
  }
}
