/**
 * Recordings in S3-compatible object stores: streaming multipart upload, authenticated ranged
 * reads, and metadata-only re-wrap, share and revoke that never move the audio. The entry point is
 * {@link com.getox.crypto.s3.S3Recordings}.
 *
 * <pre>{@code
 * S3Client s3 = S3Recordings.clientBuilder().region("eu-west-1").build();
 * S3Recordings store = S3Recordings.builder(s3, recordings).build();
 * try (S3RecordingWriter w = store.newWriter("recordings", "talk.oxr", ctx)) {
 *   w.write(pcm);
 * }
 * }</pre>
 */
package com.getox.crypto.s3;
