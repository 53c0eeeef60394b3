package com.getox.crypto.kms.gcp;

import com.getox.crypto.KmsException;
import com.google.api.gax.rpc.StatusCode;

/**
 * Google Cloud KMS refused or failed a wrap or unwrap, after {@link GcpKms}'s own bounded retries.
 * {@link #code()} is the gRPC status the service (or the client-side checks) answered with, and
 * {@link #isRetryable()} says whether the same call may succeed later.
 *
 * <pre>{@code
 * try {
 *   byte[] dek = kek.unwrap(wrapped, context);
 * } catch (GcpKmsException e) {
 *   switch (e.code()) {
 *     case INVALID_ARGUMENT:    // wrong encryption context, wrong key or damaged ciphertext
 *     case FAILED_PRECONDITION: // the key version is disabled or destroyed
 *     case PERMISSION_DENIED:   // the caller lacks cloudkms.cryptoKeyVersions.useToDecrypt
 *     case NOT_FOUND:           // no such key
 *       alert(e.getMessage());
 *       break;
 *     default:                  // UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED: retryable
 *       if (e.isRetryable()) scheduleRetry();
 *   }
 * }
 * }</pre>
 *
 * <table>
 *   <caption>How status codes map</caption>
 *   <tr><th>code</th><th>meaning</th><th>retryable</th></tr>
 *   <tr><td>UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED</td>
 *       <td>transient, or quota; already retried with backoff</td><td>yes</td></tr>
 *   <tr><td>INVALID_ARGUMENT</td>
 *       <td>wrong key, wrong additional authenticated data (encryption context), damaged
 *           ciphertext, or a plaintext or AAD over the size limits (checked before the call)</td>
 *       <td>no</td></tr>
 *   <tr><td>PERMISSION_DENIED, UNAUTHENTICATED</td><td>IAM or credentials</td><td>no</td></tr>
 *   <tr><td>NOT_FOUND</td><td>the key does not exist</td><td>no</td></tr>
 *   <tr><td>FAILED_PRECONDITION</td><td>key version disabled, destroyed or scheduled for
 *       destruction</td><td>no</td></tr>
 *   <tr><td>DATA_LOSS</td><td>CRC32C integrity checks kept failing: see {@link
 *       GcpKmsIntegrityException}</td><td>no</td></tr>
 * </table>
 *
 * <p>Messages name the key and the status, never key material.
 */
public class GcpKmsException extends KmsException {
  private static final long serialVersionUID = 1L;

  /** The gRPC status code behind this failure. */
  private final StatusCode.Code code;

  GcpKmsException(String message, StatusCode.Code code, boolean retryable, Throwable cause) {
    super(message, retryable, cause);
    this.code = code;
  }

  /**
   * The gRPC status code behind this failure.
   *
   * @return the status code, such as {@code PERMISSION_DENIED}; {@code DATA_LOSS} for a {@link
   *     GcpKmsIntegrityException}
   */
  public StatusCode.Code code() {
    return code;
  }
}
