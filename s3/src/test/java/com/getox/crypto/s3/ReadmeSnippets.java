package com.getox.crypto.s3;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.Recordings;
import com.getox.crypto.SeekableRecording;
import software.amazon.awssdk.services.s3.S3Client;

/** s3/README.md's quick start, compiled here and run by ReadmeSnippetsTest against S3Proxy. */
final class ReadmeSnippets {
  private ReadmeSnippets() {}

  static byte[] quickStart(S3Client s3, Recordings recordings, EncryptionContext ctx, byte[] pcm)
      throws Exception {
    byte[] buf = new byte[4096];
    // README:s3-quick-start begin
    S3Recordings store = S3Recordings.builder(s3, recordings).build();
    try (S3RecordingWriter w = store.newWriter("recordings", "talk.oxr", ctx)) {
      w.write(pcm);                                     // uploaded in 8 MiB parts as it comes
    }
    try (SeekableRecording r = store.openSeekable("recordings", "talk.oxr", ReadOptions.defaults())) {
      r.read(16_000, buf, 0, buf.length);               // ranged GETs of 1-2 chunks, authenticated
    }
    store.rewrap("recordings", "talk.oxr", ReadOptions.defaults()); // after a KEK rotation: metadata only
    // README:s3-quick-start end
    return buf;
  }
}
