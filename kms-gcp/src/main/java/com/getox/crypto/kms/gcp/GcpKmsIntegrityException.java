package com.getox.crypto.kms.gcp;

import com.google.api.gax.rpc.StatusCode;

/**
 * The CRC32C end-to-end integrity checks Google recommends for Cloud KMS kept failing on every
 * attempt: a request or a response was damaged between this process and Cloud KMS, or the response
 * named a key version outside the requested key. {@link #code()} is {@code DATA_LOSS}.
 *
 * <p>What {@link GcpKms} checks on each call:
 *
 * <ul>
 *   <li>Encrypt: it sends {@code plaintextCrc32c} and {@code additionalAuthenticatedDataCrc32c},
 *       requires {@code verifiedPlaintextCrc32c} and {@code
 *       verifiedAdditionalAuthenticatedDataCrc32c} in the response, and checks {@code
 *       ciphertextCrc32c} against the returned ciphertext.
 *   <li>Decrypt: it sends {@code ciphertextCrc32c} and {@code additionalAuthenticatedDataCrc32c},
 *       and checks {@code plaintextCrc32c} against the returned plaintext.
 *   <li>Both: Cloud KMS answers INVALID_ARGUMENT with a message about a checksum when a request's
 *       data did not match the CRC32C sent with it (the request was damaged on the way).
 * </ul>
 *
 * A mismatch is retried up to the configured {@linkplain GcpKms.Builder#maxAttempts(int) number of
 * attempts}; then this is thrown. It is not retryable: corruption that survived every attempt
 * points at something on the path (a proxy, a NIC, memory) that needs a person.
 *
 * <pre>{@code
 * } catch (GcpKmsIntegrityException e) {
 *   alert("Cloud KMS traffic is being corrupted: " + e.getMessage());
 * }
 * }</pre>
 */
public final class GcpKmsIntegrityException extends GcpKmsException {
  private static final long serialVersionUID = 1L;

  GcpKmsIntegrityException(String message) {
    super(message, StatusCode.Code.DATA_LOSS, false, null);
  }
}
