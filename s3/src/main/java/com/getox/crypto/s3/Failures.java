package com.getox.crypto.s3;

import com.getox.crypto.ConcurrentEditException;
import java.io.IOException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Turns the SDK's unchecked exceptions into this module's typed, checked ones. */
final class Failures {
  private Failures() {}

  static IOException of(String what, SdkException e) {
    if (e instanceof S3Exception) {
      S3Exception s = (S3Exception) e;
      int status = s.statusCode();
      if (status == 412 || status == 409) {
        ConcurrentEditException c =
            new ConcurrentEditException(
                what + ": the object changed since it was read (HTTP " + status + "); nothing was"
                    + " changed, retry");
        c.initCause(e);
        return c;
      }
      boolean retryable = status == 429 || status >= 500 || s.isThrottlingException();
      return new ObjectStoreException(
          what + " failed: HTTP " + status + " " + errorCode(s), status, retryable, e);
    }
    boolean retryable = e instanceof SdkClientException || e.retryable();
    return new ObjectStoreException(what + " failed: " + e.getMessage(), 0, retryable, e);
  }

  static boolean isNotFound(SdkException e) {
    return e instanceof S3Exception && ((S3Exception) e).statusCode() == 404;
  }

  private static String errorCode(S3Exception s) {
    return s.awsErrorDetails() == null || s.awsErrorDetails().errorCode() == null
        ? ""
        : s.awsErrorDetails().errorCode();
  }
}
