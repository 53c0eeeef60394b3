/**
 * Key-encryption keys in Google Cloud KMS, for {@code gcp-kms://} URIs. Start at {@link
 * com.getox.crypto.kms.gcp.GcpKms}:
 *
 * <pre>{@code
 * try (KeyManagementServiceClient client = KeyManagementServiceClient.create()) {
 *   Kek kek = GcpKms.create(client)
 *       .kek("gcp-kms://projects/P/locations/L/keyRings/R/cryptoKeys/K");
 *   Recordings recordings = Recordings.builder().wrapWith(kek).build();
 * }
 * }</pre>
 *
 * Failures are {@link com.getox.crypto.kms.gcp.GcpKmsException}s (with the gRPC status code and the
 * retryable flag) and, for failed CRC32C checks, {@link
 * com.getox.crypto.kms.gcp.GcpKmsIntegrityException}.
 */
package com.getox.crypto.kms.gcp;
