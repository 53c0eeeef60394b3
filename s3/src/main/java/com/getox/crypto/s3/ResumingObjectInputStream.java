package com.getox.crypto.s3;

import java.io.IOException;
import java.io.InputStream;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * A whole object streamed by one GET; when the connection fails in the middle, the rest is asked
 * for again with a range from the first byte not yet read, up to {@code maxResumes} times in all.
 * Safe because the reader authenticates every chunk at its index: bytes from another object, or a
 * gap, fail authentication.
 */
final class ResumingObjectInputStream extends InputStream {
  private final S3Client s3;
  private final String bucket;
  private final String key;
  private final int maxResumes;
  private ResponseInputStream<GetObjectResponse> in;
  private long position;
  private int resumes;
  private boolean closed;

  ResumingObjectInputStream(
      S3Client s3, String bucket, String key, ResponseInputStream<GetObjectResponse> first,
      int maxResumes) {
    this.s3 = s3;
    this.bucket = bucket;
    this.key = key;
    this.in = first;
    this.maxResumes = maxResumes;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
    if (len == 0) {
      return 0;
    }
    while (true) {
      try {
        int n = in.read(b, off, len);
        if (n > 0) {
          position += n;
        }
        return n;
      } catch (IOException | SdkException e) {
        if (resumes >= maxResumes) {
          throw e instanceof IOException
              ? (IOException) e
              : Failures.of("reading s3://" + bucket + "/" + key, (SdkException) e);
        }
        resumes++;
        reopen(e);
      }
    }
  }

  private void reopen(Exception cause) throws IOException {
    try {
      in.abort();
    } catch (RuntimeException ignored) {
      // the connection is gone already
    }
    String range = "bytes=" + position + "-";
    try {
      in = s3.getObject(r -> r.bucket(bucket).key(key).range(range));
    } catch (SdkException e) {
      IOException io = Failures.of("resuming s3://" + bucket + "/" + key + " at " + range, e);
      io.addSuppressed(cause);
      throw io;
    }
  }

  /** How many times the download was resumed after a failure. */
  int resumes() {
    return resumes;
  }

  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      in.abort(); // do not drain the rest of a large body just to reuse the connection
      in.close();
    }
  }
}
