package com.getox.crypto.examples;

// README:quickstart-imports begin
import com.getox.crypto.EncryptionContext;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.RecoveryReport;
import com.getox.crypto.SeekableRecording;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.security.GeneralSecurityException;
// README:quickstart-imports end
import java.util.Arrays;

/**
 * The README's Quick start, compiled and run: ReadmeSnippetsTest checks that the README's blocks
 * equal the marked regions here, QuickStartTest runs it, and CI's consumer project (.ci/consumer)
 * compiles this file against the published artifacts and runs it twice.
 *
 * <pre>{@code
 * java -cp ... com.getox.crypto.examples.QuickStart DIR   # writes DIR/keys.json and DIR/talk.oxr
 * }</pre>
 */
public final class QuickStart {
  private QuickStart() {}

  /**
   * Writes {@code pcmFrame} as {@code dir/talk.oxr} under the keyset {@code dir/keys.json} (made on
   * the first run, opened on later ones) and reads it back whole and at 10 s.
   *
   * @return the whole plaintext read back, then the 1 s read at 10 s
   */
  static byte[][] run(File dir, char[] pass, byte[] pcmFrame) throws IOException, GeneralSecurityException {
    // README:quickstart begin
    File keys = new File(dir, "keys.json");
    KeysetProtection protection = KeysetProtection.passphrase(pass);   // needs bcprov-jdk18on (Argon2id)
    LocalKms kms = keys.exists()
        ? LocalKms.open(keys, protection)                              // every later run
        : LocalKms.create(keys, protection, "my-app");                 // the first run; create never overwrites
    Recordings recordings = Recordings.builder().wrapWith(kms).build();
    EncryptionContext ctx = EncryptionContext.builder().put("user-id", "u-7").put("data-class", "Confidential").build();

    File talk = new File(dir, "talk.oxr");
    try (RecordingWriter w = recordings.newWriter(new FileOutputStream(talk), ctx)) {
      w.write(pcmFrame);                                                // any size, as audio arrives; 16 KiB chunks seal as they fill
    }
    ReadOptions opts = ReadOptions.builder().expect("user-id", "u-7").build();
    byte[] audio;
    try (InputStream in = recordings.newInputStream(new FileInputStream(talk), opts)) {
      audio = in.readAllBytes();                                        // or hand the stream to a player
    }
    byte[] second = new byte[32_000];                                  // 16 kHz 16-bit mono: 1 s at 10 s
    try (SeekableRecording r = recordings.openSeekable(FileChannel.open(talk.toPath()), opts)) {
      r.read(320_000, second, 0, second.length);
    }
    // README:quickstart end
    return new byte[][] {audio, second};
  }

  /**
   * The README's crash-safe recording, compiled (not run: {@code recover} and {@code resume} are
   * for a recording whose writer died, and the README shows them side by side).
   */
  static void durable(Recordings recordings, byte[] pcmFrame, InputStream in, OutputStream out)
      throws IOException, GeneralSecurityException {
    // README:durable begin
    EncryptionContext ctx = EncryptionContext.builder().put("data-class", "Confidential")
        .putUnstored("user-id", "u-7").build();             // bound, never written: readers supply it
    try (RecordingWriter w = recordings.newFileWriter(new File("talk.oxr"), ctx)) {
      w.write(pcmFrame);
      w.flush();                                           // every 200 ms: a crash now loses nothing; sync() for power loss
    }
    ReadOptions opts = ReadOptions.builder().expect("user-id", "u-7").build();
    RecoveryReport r = recordings.recover(in, out, opts);  // after a crash: full chunks and the flushed tail
    RecordingWriter w = recordings.resume(new File("talk.oxr"), opts);   // or go on recording
    // README:durable end
    w.close();
  }

  /**
   * Runs the Quick start in {@code args[0]} with 12 s of a tone and checks what it reads back.
   * Run it twice on one directory: the first run creates the keyset, the second opens it.
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: QuickStart DIR");
      System.exit(2);
    }
    File dir = new File(args[0]);
    boolean existed = new File(dir, "keys.json").exists();
    byte[] pcm = tone(12 * 32_000);
    byte[][] read = run(dir, "correct horse battery staple".toCharArray(), pcm);
    if (!Arrays.equals(read[0], pcm)
        || !Arrays.equals(read[1], Arrays.copyOfRange(pcm, 320_000, 352_000))) {
      System.err.println("quick start: the audio read back differs from what was written");
      System.exit(1);
    }
    System.out.println("quick start: keyset " + (existed ? "opened" : "created") + ", "
        + pcm.length + " bytes written and read back, 1 s read at 10 s");
  }

  /** 16-bit little-endian mono samples of a 440 Hz tone at 16 kHz. */
  static byte[] tone(int bytes) {
    byte[] pcm = new byte[bytes];
    for (int i = 0; i + 1 < bytes; i += 2) {
      short s = (short) (8000 * Math.sin(2 * Math.PI * 440 * (i / 2) / 16_000.0));
      pcm[i] = (byte) s;
      pcm[i + 1] = (byte) (s >> 8);
    }
    return pcm;
  }
}
