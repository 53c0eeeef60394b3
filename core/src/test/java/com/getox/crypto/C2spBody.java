package com.getox.crypto;

import com.getox.crypto.internal.Cobblestone;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * Runs a bare C2SP chunked-encryption message ({@code salt || commitment || chunks}, no Ox header)
 * through the production body readers and writer. It mirrors what {@link Recordings} does after
 * the header: read the 56-byte prefix (a short one is a {@link TruncationException}), check the
 * key commitment with {@link Cobblestone#open}, then hand the stream or channel to the very same
 * {@link RecordingInputStream} / {@link SeekableRecording} / {@link RecordingWriter} classes
 * through their package-private constructors. No production code is bypassed below the header.
 */
final class C2spBody {
  private C2spBody() {}

  static RecordingInputStream openStream(byte[] inputKey, byte[] context, InputStream in)
      throws IOException, GeneralSecurityException {
    byte[] prefix = new byte[Cobblestone.PREFIX_BYTES];
    int got = 0;
    while (got < prefix.length) {
      int n = in.read(prefix, got, prefix.length - got);
      if (n < 0) {
        throw new TruncationException("message ends before its salt and commitment");
      }
      got += n;
    }
    return new RecordingInputStream(in, null, unlock(inputKey, context, prefix), null, false);
  }

  static SeekableRecording openSeekable(byte[] inputKey, byte[] context, SeekableByteChannel ch)
      throws IOException, GeneralSecurityException {
    ch.position(0);
    ByteBuffer prefix = ByteBuffer.allocate(Cobblestone.PREFIX_BYTES);
    while (prefix.hasRemaining()) {
      if (ch.read(prefix) < 0) {
        throw new TruncationException("message ends before its salt and commitment");
      }
    }
    return new SeekableRecording(
        ch, null, unlock(inputKey, context, prefix.array()), Cobblestone.PREFIX_BYTES);
  }

  /** Raw mode: the chunks alone (prefix stripped) under a given AEAD key and base nonce. */
  static RecordingInputStream openRawStream(byte[] aeadKey, byte[] baseNonce, InputStream chunks)
      throws GeneralSecurityException {
    return new RecordingInputStream(chunks, null, Cobblestone.raw(aeadKey, baseNonce), null, false);
  }

  /** Raw mode encryption through the production writer (which does the chunking). */
  static RecordingWriter rawWriter(byte[] aeadKey, byte[] baseNonce, ByteArrayOutputStream out)
      throws GeneralSecurityException {
    return new RecordingWriter(
        RecordingWriter.Sink.of(out), null, Cobblestone.raw(aeadKey, baseNonce), null, -Cobblestone.PREFIX_BYTES, null);
  }

  /**
   * Full-message encryption with an injected salt (the spec's second encryption test): writes
   * {@code salt || commitment} then the chunks through the production writer.
   */
  static RecordingWriter sealWithSalt(
      byte[] inputKey, byte[] salt, byte[] context, ByteArrayOutputStream out)
      throws GeneralSecurityException {
    byte[] prefix = new byte[Cobblestone.PREFIX_BYTES];
    Cobblestone c = Cobblestone.seal(inputKey, salt, context, prefix, null);
    out.write(prefix, 0, prefix.length);
    // The sink counts from here: chunk 0 is its byte 0.
    return new RecordingWriter(RecordingWriter.Sink.of(out), null, c, null, -Cobblestone.PREFIX_BYTES, null);
  }

  private static Cobblestone unlock(byte[] inputKey, byte[] context, byte[] prefix)
      throws GeneralSecurityException {
    return Cobblestone.open(
        inputKey,
        Arrays.copyOfRange(prefix, 0, Cobblestone.SALT_BYTES),
        context,
        Arrays.copyOfRange(prefix, Cobblestone.SALT_BYTES, Cobblestone.PREFIX_BYTES),
        null);
  }
}
