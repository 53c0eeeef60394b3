package com.getox.crypto.audio;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.InMemoryChannel;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.SeekableRecording;
import com.getox.crypto.TestKeks;
import com.getox.crypto.audit.AuditSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.util.stream.LongStream;

/**
 * The committed speech fixtures (src/test/resources/audio/, made by make-fixtures.sh) and the
 * encryption the audio tests put them through: a local KEK, then authenticated random access.
 *
 * <pre>{@code
 * try (SeekableRecording rec = AudioFixtures.encrypt(AudioFixtures.fixture("speech-24kbps.opus"))) {
 *   AudioRecording audio = AudioRecording.open(rec);
 * }
 * }</pre>
 */
final class AudioFixtures {
  private AudioFixtures() {}

  static final Recordings RECORDINGS =
      Recordings.builder().wrapWith(TestKeks.newLocalKms("audio")).auditSink(AuditSink.none()).build();

  static final EncryptionContext CONTEXT =
      EncryptionContext.builder().put("recording-id", "audio-test").build();

  /** The bytes of fixture {@code name} (e.g. {@code "speech-16k-mono-16bit.wav"}). */
  static byte[] fixture(String name) throws IOException {
    try (InputStream in = AudioFixtures.class.getResourceAsStream("/audio/" + name)) {
      if (in == null) {
        throw new IOException("no test fixture audio/" + name);
      }
      return readAll(in);
    }
  }

  /** {@code plaintext} encrypted into a recording (its bytes, header included). */
  static byte[] encryptToBytes(byte[] plaintext) throws IOException, GeneralSecurityException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RecordingWriter w = RECORDINGS.newWriter(out, CONTEXT)) {
      w.write(plaintext);
    }
    return out.toByteArray();
  }

  /** Random access over a recording's bytes (from {@link #encryptToBytes}); the caller closes it. */
  static SeekableRecording open(byte[] recording) throws IOException, GeneralSecurityException {
    return RECORDINGS.openSeekable(new InMemoryChannel(recording), ReadOptions.defaults());
  }

  /** {@code plaintext} encrypted, then opened for authenticated random access; the caller closes it. */
  static SeekableRecording encrypt(byte[] plaintext) throws IOException, GeneralSecurityException {
    return open(encryptToBytes(plaintext));
  }

  /**
   * Seeds for the audio property tests, the same on every run: 20 by default, {@code
   * -Dox.audio.seeds=N} for more, {@code -Dox.audio.seed=S} to replay one failing case.
   */
  static LongStream seeds() {
    String one = System.getProperty("ox.audio.seed");
    if (one != null) {
      return LongStream.of(Long.parseLong(one.trim()));
    }
    int n = Integer.getInteger("ox.audio.seeds", 20);
    return LongStream.range(0, n).map(i -> 0xA0D10L + i * 0x9E3779B97F4A7C15L);
  }

  /** Everything {@code in} holds. */
  static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    for (int n; (n = in.read(buf)) > 0; ) {
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }
}
