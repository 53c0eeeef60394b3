package com.getox.crypto.s3;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * The body's bytes, sent as they come: a single PUT if the whole body fits one part, else a
 * multipart upload of {@code partSizeBytes} parts. Nothing is visible under the key until {@link
 * #close()} completes; a failure, or {@link #abortOnClose()}, aborts the upload so no part is left.
 * Memory: one part.
 */
final class MultipartOutputStream extends OutputStream {
  private final S3Client s3;
  private final String bucket;
  private final String key;
  private final Map<String, String> metadata;
  private final byte[] part;
  private int partBytes;
  private String uploadId;
  private final List<CompletedPart> parts = new ArrayList<>();
  private boolean closed;
  private boolean abortOnClose;
  private IOException failure;
  private long bytesWritten;
  private boolean completed;
  /** The body's first bytes (salt and commitment), copied into the metadata as they pass. */
  private final byte[] prefix = new byte[S3Recordings.BODY_PREFIX_BYTES];

  MultipartOutputStream(
      S3Client s3, String bucket, String key, Map<String, String> metadata, int partSizeBytes) {
    this.s3 = s3;
    this.bucket = bucket;
    this.key = key;
    this.metadata = metadata;
    this.part = new byte[partSizeBytes];
  }

  /** The next {@link #close()} aborts instead of completing. */
  void abortOnClose() {
    abortOnClose = true;
  }

  /** Whether {@link #close()} stored the object. */
  boolean completed() {
    return completed;
  }

  long bytesWritten() {
    return bytesWritten;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    check();
    if (bytesWritten < prefix.length) {
      int n = (int) Math.min(len, prefix.length - bytesWritten);
      System.arraycopy(b, off, prefix, (int) bytesWritten, n);
    }
    while (len > 0) {
      int n = Math.min(len, part.length - partBytes);
      System.arraycopy(b, off, part, partBytes, n);
      partBytes += n;
      off += n;
      len -= n;
      bytesWritten += n;
      if (partBytes == part.length) {
        sendPart();
      }
    }
  }

  private void check() throws IOException {
    if (failure != null) {
      throw new IOException("the upload failed earlier and was aborted", failure);
    }
    if (closed) {
      throw new IOException("upload closed");
    }
  }

  private void sendPart() throws IOException {
    try {
      if (uploadId == null) {
        addPrefix();
        uploadId =
            s3.createMultipartUpload(
                    r ->
                        r.bucket(bucket)
                            .key(key)
                            .contentType(S3Recordings.CONTENT_TYPE)
                            .metadata(metadata))
                .uploadId();
      }
      int number = parts.size() + 1;
      UploadPartResponse up =
          s3.uploadPart(
              r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumber(number),
              body());
      parts.add(CompletedPart.builder().partNumber(number).eTag(up.eTag()).build());
      partBytes = 0;
    } catch (SdkException e) {
      throw fail(Failures.of("uploading part " + (parts.size() + 1) + " of s3://" + bucket + "/" + key, e));
    }
  }

  private void addPrefix() {
    if (bytesWritten >= prefix.length) {
      metadata.put(
          S3Recordings.PREFIX_METADATA_KEY, java.util.Base64.getEncoder().encodeToString(prefix));
    }
  }

  /** The buffered part, read in place by each attempt (no copy). */
  private RequestBody body() {
    final int n = partBytes;
    return RequestBody.fromContentProvider(
        () -> new java.io.ByteArrayInputStream(part, 0, n), n, S3Recordings.CONTENT_TYPE);
  }

  /**
   * Whether the object under the key is this upload's: its length and its copy of the body's first
   * 56 bytes (a random salt and the key commitment) are ours.
   */
  private boolean storedByUs() {
    String ours = metadata.get(S3Recordings.PREFIX_METADATA_KEY);
    try {
      software.amazon.awssdk.services.s3.model.HeadObjectResponse head =
          s3.headObject(r -> r.bucket(bucket).key(key));
      return ours != null
          && ours.equals(head.metadata().get(S3Recordings.PREFIX_METADATA_KEY))
          && head.contentLength() != null
          && head.contentLength() == bytesWritten;
    } catch (SdkException e) {
      return false;
    }
  }

  private IOException fail(IOException e) {
    failure = e;
    abortQuietly(e);
    return e;
  }

  private void abortQuietly(IOException cause) {
    if (uploadId == null) {
      return;
    }
    try {
      s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
      uploadId = null;
    } catch (SdkException e) {
      // The bucket's AbortIncompleteMultipartUpload lifecycle rule is the backstop (README).
      cause.addSuppressed(e);
    }
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    if (failure != null) {
      closed = true;
      throw new IOException("the upload failed and was aborted: nothing was stored", failure);
    }
    if (abortOnClose) {
      closed = true;
      IOException e = new IOException("aborted");
      abortQuietly(e);
      if (e.getSuppressed().length > 0) {
        throw new ObjectStoreException(
            "aborting the upload of s3://" + bucket + "/" + key + " failed", 0, true,
            e.getSuppressed()[0]);
      }
      return;
    }
    try {
      if (uploadId == null) {
        addPrefix();
        try {
          s3.putObject(
              r -> r.bucket(bucket).key(key).contentType(S3Recordings.CONTENT_TYPE).metadata(metadata),
              body());
        } catch (SdkException e) {
          throw fail(Failures.of("storing s3://" + bucket + "/" + key, e));
        }
      } else {
        if (partBytes > 0) {
          sendPart();
        }
        try {
          s3.completeMultipartUpload(
              r -> r.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
        } catch (SdkException e) {
          // A completion whose answer was lost is retried by the client and then fails
          // (NoSuchUpload): the object is there all the same, and is ours if it holds our salt.
          if (!storedByUs()) {
            throw fail(Failures.of("completing the upload of s3://" + bucket + "/" + key, e));
          }
        }
      }
      completed = true;
    } finally {
      closed = true;
      java.util.Arrays.fill(part, (byte) 0);
    }
  }
}
