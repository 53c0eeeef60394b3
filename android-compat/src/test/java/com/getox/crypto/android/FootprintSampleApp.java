package com.getox.crypto.android;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.KmsException;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.SeekableRecording;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.KeyGenerator;

/**
 * The "app" the footprint measurement shrinks with ProGuard (see {@code Footprint}): what a phone
 * app does with the SDK. It records under an Android Keystore KEK and a local keyset, reads the
 * recording back sequentially and by random access, and exits non-zero on any mismatch, so running
 * the shrunk jar proves that the consumer rules kept everything needed.
 *
 * <p>There is no Android Keystore on a JVM: it checks that {@link AndroidKeystoreKek#create}
 * reports that, then runs the same KEK over a PKCS12 keystore (the package-private seam the tests
 * use; a real app calls {@code AndroidKeystoreKek.create(alias)}).
 */
public final class FootprintSampleApp {
  private FootprintSampleApp() {}

  public static void main(String[] args) throws Exception {
    File dir = new File(args[0]);
    dir.mkdirs();
    try {
      AndroidKeystoreKek.create("recordings");
      throw new AssertionError("found an AndroidKeyStore on a JVM?");
    } catch (KmsException expected) {
      System.out.println("sample: no Android Keystore here, as expected on a JVM");
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    KeyGenerator g = KeyGenerator.getInstance("AES");
    g.init(256);
    char[] pw = "pw".toCharArray();
    ks.setEntry("recordings", new KeyStore.SecretKeyEntry(g.generateKey()), new KeyStore.PasswordProtection(pw));
    AndroidKeystoreKek keystoreKek = AndroidKeystoreKek.create("recordings", ks, pw);
    File keyset = new File(dir, "backup-" + System.nanoTime() + ".json");
    LocalKms backup = LocalKms.create(keyset, KeysetProtection.insecurePlaintext(), "backup");

    Recordings recordings = Recordings.builder().wrapWith(keystoreKek, backup).build();
    EncryptionContext ctx = EncryptionContext.builder().put("user-id", "u-7").build();
    byte[] pcm = new byte[100_000];
    new Random(42).nextBytes(pcm);
    File rec = new File(dir, "memo.oxr");
    try (RecordingWriter w = recordings.newWriter(new FileOutputStream(rec), ctx)) {
      for (int off = 0; off < pcm.length; off += 3200) { // 100 ms of 16 kHz 16-bit mono
        w.write(pcm, off, Math.min(3200, pcm.length - off));
      }
    }
    byte[] file = java.nio.file.Files.readAllBytes(rec.toPath());
    for (Recordings reader :
        new Recordings[] {
          Recordings.builder().unwrapWith(keystoreKek).build(),
          Recordings.builder().unwrapWith(backup).build()
        }) {
      ByteArrayOutputStream back = new ByteArrayOutputStream();
      try (InputStream in =
          reader.newInputStream(new ByteArrayInputStream(file), ReadOptions.builder().expect("user-id", "u-7").build())) {
        byte[] buf = new byte[4096];
        int n;
        while ((n = in.read(buf)) != -1) {
          back.write(buf, 0, n);
        }
      }
      check(Arrays.equals(pcm, back.toByteArray()), "sequential read");
    }
    try (RandomAccessFile raf = new RandomAccessFile(rec, "r");
        SeekableRecording s = recordings.openSeekable(raf.getChannel(), ReadOptions.defaults())) {
      byte[] part = new byte[5000];
      int n = s.read(60_000, part, 0, part.length);
      check(n == part.length && Arrays.equals(part, Arrays.copyOfRange(pcm, 60_000, 65_000)), "seek");
      check(s.size() == pcm.length, "size");
    }
    System.out.println(
        "sample: OK (" + file.length + " B recording, AES-GCM on " + Providers.aesGcmProvider().getName() + ")");
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError("sample: " + what + " mismatch");
    }
  }
}
