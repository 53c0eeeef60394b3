package com.getox.crypto.examples;

import com.getox.crypto.AuthenticationException;
import com.getox.crypto.EncryptionContext;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingHeader;
import com.getox.crypto.RecordingInputStream;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.SeekableRecording;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.local.KeyVersion;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The demo behind README command 1: encrypts about 30 seconds of synthetic speech as it would
 * arrive from a microphone (20 ms frames), decrypts it sequentially and by random access, shows a
 * flipped bit being caught, rotates the KEK and shows the old recording still opens.
 *
 * <pre>{@code
 * java -jar cli/target/oxcrypt.jar demo                 // or:
 * int exit = Demo.run(Files.createTempDirectory("demo"), 30, System.out);
 * }</pre>
 *
 * <p>The keyset it creates is an INSECURE plaintext keyset, for the demo only; real apps protect
 * theirs with a passphrase or a cloud KMS key ({@link KeysetProtection}).
 */
public final class Demo {
  /** 20 ms of 16 kHz, 16-bit mono PCM. */
  public static final int FRAME_BYTES = SpeechSynth.BYTES_PER_SECOND / 50;

  public static final int DEFAULT_SECONDS = 30;
  /** The random read needs the second after the 10 s mark. */
  public static final int MIN_SECONDS = 11;

  private static final int CHUNK = 16_384;
  private static final long READ_AT = 10L * SpeechSynth.BYTES_PER_SECOND;
  private static final int READ_LENGTH = SpeechSynth.BYTES_PER_SECOND;

  private Demo() {}

  /** {@code Demo [--seconds N] [--dir DIR]}: exits 0 if every check passed, 1 otherwise. */
  public static void main(String[] args) throws Exception {
    int seconds = DEFAULT_SECONDS;
    Path dir = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--seconds") && i + 1 < args.length) {
        seconds = Integer.parseInt(args[++i]);
      } else if (args[i].equals("--dir") && i + 1 < args.length) {
        dir = Path.of(args[++i]);
      } else {
        System.err.println("usage: Demo [--seconds N] [--dir DIR]");
        System.exit(2);
      }
    }
    System.exit(runIn(dir, seconds, System.out));
  }

  /**
   * Runs in {@code dir} (created if needed, kept afterwards), or in a temporary directory that is
   * deleted afterwards when {@code dir} is null.
   */
  public static int runIn(Path dir, int seconds, PrintStream out)
      throws IOException, GeneralSecurityException {
    if (dir != null) {
      Files.createDirectories(dir);
      return run(dir, seconds, out);
    }
    Path tmp = Files.createTempDirectory("oxcrypt-demo-");
    try {
      return run(tmp, seconds, out);
    } finally {
      try (Stream<Path> files = Files.walk(tmp)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * Runs the demo in {@code dir}, printing a summary to {@code out}.
   *
   * @return 0 if every check passed, 1 if any decrypted byte differed or tampering went unnoticed
   */
  public static int run(Path dir, int seconds, PrintStream out)
      throws IOException, GeneralSecurityException {
    if (seconds < MIN_SECONDS || seconds > 600) {
      throw new IllegalArgumentException("seconds must be " + MIN_SECONDS + " to 600, got " + seconds);
    }
    Checks checks = new Checks(out);
    byte[] audio = SpeechSynth.generate(seconds, 20_26L);
    out.printf(Locale.ROOT, "Ox Crypto demo: %d s of synthetic speech, 16 kHz 16-bit mono PCM (%,d bytes)%n",
        seconds, audio.length);
    out.printf("work dir: %s%n%n", dir);

    // 1. A local keyset. Plaintext, and said so: real apps use a passphrase or a cloud KMS key.
    Path keysetFile = dir.resolve("demo-keyset.json");
    LocalKms kms = LocalKms.create(keysetFile.toFile(), KeysetProtection.insecurePlaintext(), "demo");
    KeyVersion v1 = kms.primary();
    checks.info("keyset", String.format("%s, version %d  [INSECURE plaintext keyset, demo only: %s]",
        kms.uri(), v1.id(), keysetFile.getFileName()));

    // 2. Stream the audio in 20 ms frames, as a microphone would deliver it.
    Recordings recordings = Recordings.builder().wrapWith(kms).build();
    EncryptionContext context = EncryptionContext.builder()
        .put("recording-id", "demo-0001")
        .put("user-id", "demo-user")
        .put("data-class", "voice")
        .build();
    Path recording = dir.resolve("recording.oxr");
    int frames = 0;
    int headerBytes;
    try (RecordingWriter w = recordings.newWriter(Files.newOutputStream(recording), context)) {
      headerBytes = w.header().toByteArray().length;
      for (int off = 0; off < audio.length; off += FRAME_BYTES) {
        w.write(audio, off, Math.min(FRAME_BYTES, audio.length - off));
        frames++;
      }
    }
    long size = Files.size(recording);
    long overhead = size - audio.length;
    long chunks = audio.length / CHUNK + 1;
    // No speed here: one cold pass (JIT not warmed up, file I/O) says little; step 7 measures.
    checks.info("encrypt", String.format(Locale.ROOT,
        "%,d frames of 20 ms (%d B) -> %s: %,d B in %d chunks",
        frames, FRAME_BYTES, recording.getFileName(), size, chunks));
    checks.info("", String.format(Locale.ROOT,
        "overhead %,d B = %.2f %% (header %d B + salt and commitment 56 B + 16 B tag per chunk)",
        overhead, 100.0 * overhead / audio.length, headerBytes));

    // 3. Decrypt it all, sequentially, requiring the context we expect.
    ReadOptions expectUser = ReadOptions.builder().expect("user-id", "demo-user").build();
    byte[] decrypted = readAll(recordings, recording, expectUser);
    checks.check("decrypt", Arrays.equals(audio, decrypted),
        String.format(Locale.ROOT, "sequential, %,d B identical to the input", decrypted.length));

    // 4. One second at the 10 s mark, by random access: only the chunks that hold it.
    try (SeekableRecording seekable =
        recordings.openSeekable(FileChannel.open(recording, StandardOpenOption.READ), expectUser)) {
      byte[] second = new byte[READ_LENGTH];
      int n = readFully(seekable, READ_AT, second);
      boolean same = n == READ_LENGTH
          && Arrays.equals(second, 0, n, audio, (int) READ_AT, (int) READ_AT + READ_LENGTH);
      checks.check("seek", same, String.format(Locale.ROOT,
          "1 s at 10 s (bytes %,d..%,d): identical, %d of %d chunks decrypted",
          READ_AT, READ_AT + READ_LENGTH - 1, seekable.chunksDecrypted(), chunks));
    }

    // 5. Flip one bit in the middle of the body: the chunk fails authentication.
    byte[] tampered = Files.readAllBytes(recording);
    int flipAt = headerBytes + 56 + 7 * (CHUNK + 16) + 100;
    tampered[flipAt] ^= 0x10;
    String caught = null;
    try (InputStream in = recordings.newInputStream(new ByteArrayInputStream(tampered), expectUser)) {
      in.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      if (e.getCause() instanceof AuthenticationException) {
        caught = e.getCause().getMessage();
      }
    }
    checks.check("tamper", caught != null,
        "one bit flipped in chunk 7 -> " + (caught == null ? "NOT DETECTED" : "rejected: " + caught));

    // 6. Rotate the KEK: new recordings use the new version, old ones still open.
    KeyVersion v2 = kms.rotate();
    LocalKms reopened = LocalKms.open(keysetFile.toFile(), KeysetProtection.insecurePlaintext());
    Recordings after = Recordings.builder().wrapWith(reopened).build();
    WrappedKey oldKey = headerOf(recording).wrappedKeys().get(0);
    boolean oldOpens = Arrays.equals(audio, readAll(after, recording, expectUser));
    checks.check("rotate", oldOpens && oldKey.kekVersion().equals(Long.toString(v1.id())),
        String.format("primary %d -> %d; the old recording (wrapped under %s) still opens: %s",
            v1.id(), v2.id(), oldKey.kekVersion(), oldOpens ? "identical" : "DIFFERENT"));
    Path second = dir.resolve("after-rotation.oxr");
    byte[] firstFive = Arrays.copyOf(audio, 5 * SpeechSynth.BYTES_PER_SECOND);
    try (RecordingWriter w = after.newWriter(Files.newOutputStream(second), context)) {
      for (int off = 0; off < firstFive.length; off += FRAME_BYTES) {
        w.write(firstFive, off, FRAME_BYTES);
      }
    }
    WrappedKey newKey = headerOf(second).wrappedKeys().get(0);
    boolean newOpens = Arrays.equals(firstFive, readAll(after, second, expectUser));
    checks.check("", newOpens && newKey.kekVersion().equals(Long.toString(v2.id())),
        String.format("a new recording is wrapped under %s and opens: %s",
            newKey.kekVersion(), newOpens ? "identical" : "DIFFERENT"));
    // 7. Throughput once the JIT has warmed up: in memory, best of five, 20 ms frames.
    double encryptBest = 0;
    double decryptBest = 0;
    for (int run = 0; run < 5; run++) {
      ByteArrayOutputStream sealed = new ByteArrayOutputStream((int) size);
      long start = System.nanoTime();
      try (RecordingWriter w = recordings.newWriter(sealed, context)) {
        for (int off = 0; off < audio.length; off += FRAME_BYTES) {
          w.write(audio, off, Math.min(FRAME_BYTES, audio.length - off));
        }
      }
      encryptBest = Math.max(encryptBest, mbPerSecond(audio.length, System.nanoTime() - start));
      start = System.nanoTime();
      try (RecordingInputStream in =
          recordings.newInputStream(new ByteArrayInputStream(sealed.toByteArray()), expectUser)) {
        in.transferTo(OutputStream.nullOutputStream());
      }
      decryptBest = Math.max(decryptBest, mbPerSecond(audio.length, System.nanoTime() - start));
    }
    // What this measures: how much faster than real time a recorder's 640 B writes are sealed and
    // read back, once warm, without disk. Not throughput: benchmarks/README.md measures that (JMH,
    // large buffers), thousands of MB/s where this shows tens.
    checks.info("speed", String.format(Locale.ROOT,
        "%.0fx real time to encrypt, %.0fx to decrypt (%.0f and %.0f MB/s)",
        encryptBest * 1e6 / SpeechSynth.BYTES_PER_SECOND, decryptBest * 1e6 / SpeechSynth.BYTES_PER_SECOND,
        encryptBest, decryptBest));
    checks.info("", String.format(Locale.ROOT,
        "warm JIT, in memory, %d B writes, best of 5: a recorder's pace, not a throughput benchmark "
            + "(benchmarks/README.md)", FRAME_BYTES));
    out.printf("%nkeyset versions: %s%n", reopened.versions());
    out.println(checks.failures == 0 ? "OK: every check passed" : "FAILED: " + checks.failures + " check(s)");
    return checks.failures == 0 ? 0 : 1;
  }

  private static byte[] readAll(Recordings recordings, Path file, ReadOptions options)
      throws IOException, GeneralSecurityException {
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    try (RecordingInputStream in = recordings.newInputStream(Files.newInputStream(file), options)) {
      in.transferTo(plain);
    }
    return plain.toByteArray();
  }

  private static int readFully(SeekableRecording r, long offset, byte[] b)
      throws IOException, GeneralSecurityException {
    int total = 0;
    while (total < b.length) {
      int n = r.read(offset + total, b, total, b.length - total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }

  private static RecordingHeader headerOf(Path file) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      return RecordingHeader.read(in, ReadOptions.defaults());
    }
  }

  private static double mbPerSecond(long bytes, long nanos) {
    return bytes / 1e6 / Math.max(nanos, 1) * 1e9;
  }

  /** Prints one line per check and counts failures. */
  private static final class Checks {
    private final PrintStream out;
    int failures;

    Checks(PrintStream out) {
      this.out = out;
    }

    void info(String step, String detail) {
      out.printf("%-10s      %s%n", step, detail);
    }

    void check(String step, boolean ok, String detail) {
      if (!ok) {
        failures++;
      }
      out.printf("%-10s %s %s%n", step, ok ? "ok  " : "FAIL", detail);
    }
  }
}
