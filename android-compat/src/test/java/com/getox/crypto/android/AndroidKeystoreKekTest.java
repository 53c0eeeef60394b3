package com.getox.crypto.android;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.AuthenticationException;
import com.getox.crypto.EncryptionContext;
import com.getox.crypto.KmsException;
import com.getox.crypto.NoUsableKeyException;
import com.getox.crypto.OxCryptoException;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.TestKeks;
import com.getox.crypto.kek.NotMyKeyException;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.PBEParameterSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AndroidKeystoreKek}'s logic on the JVM: the same code path a phone runs, over a PKCS12
 * {@link KeyStore} holding an AES-256 key instead of the {@code AndroidKeyStore}. The real Android
 * Keystore (hardware, IV generation, user authentication) is not exercised here.
 */
class AndroidKeystoreKekTest {
  private static final char[] PW = "unit-test".toCharArray();
  private static final EncryptionContext CTX =
      EncryptionContext.builder().put("user-id", "u-7").put("purpose", "voice-memo").build();

  private KeyStore ks;
  private AndroidKeystoreKek kek;
  private final byte[] dek = new byte[32];

  @BeforeEach
  void setUp() throws Exception {
    ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    put(ks, "recordings", aes(256));
    kek = AndroidKeystoreKek.create("recordings", ks, PW);
    new SecureRandom().nextBytes(dek);
  }

  static SecretKey aes(int bits) throws Exception {
    KeyGenerator g = KeyGenerator.getInstance("AES");
    g.init(bits);
    return g.generateKey();
  }

  static void put(KeyStore ks, String alias, SecretKey key) throws Exception {
    // One PBKDF2 iteration: the keystore's own key protection is not what these tests are about,
    // and the KEK looks its key up on every call (PKCS12's default costs ~50 ms each).
    ks.setEntry(
        alias,
        new KeyStore.SecretKeyEntry(key),
        new KeyStore.PasswordProtection(
            PW, "PBEWithHmacSHA256AndAES_256", new PBEParameterSpec(new byte[16], 1)));
  }

  @Test
  void wrapsAndUnwrapsUnderItsUri() throws Exception {
    WrappedKey w = kek.wrap(dek, CTX);
    assertEquals("android-keystore://recordings", kek.uri());
    assertEquals(kek.uri(), w.kekUri());
    assertEquals(AndroidKeystoreKek.ALGORITHM, w.algorithm());
    assertEquals(12 + 32 + 16, w.wrappedLength());
    assertArrayEquals(dek, kek.unwrap(w, CTX));
    assertFalse(kek.toString().contains("PKCS12"));
  }

  @Test
  void eachWrapHasAFreshIvAndNoDekBytes() throws Exception {
    byte[] a = kek.wrap(dek, CTX).wrappedBytes();
    byte[] b = kek.wrap(dek, CTX).wrappedBytes();
    assertFalse(Arrays.equals(Arrays.copyOf(a, 12), Arrays.copyOf(b, 12)), "IV reused");
    assertFalse(Arrays.equals(a, b));
    for (int i = 0; i + 8 <= a.length; i++) {
      for (int j = 0; j + 8 <= dek.length; j++) {
        assertFalse(
            Arrays.equals(Arrays.copyOfRange(a, i, i + 8), Arrays.copyOfRange(dek, j, j + 8)),
            "DEK bytes appear in the wrapped key");
      }
    }
  }

  @Test
  void theContextIsBound() throws Exception {
    WrappedKey w = kek.wrap(dek, CTX);
    EncryptionContext other = EncryptionContext.builder().put("user-id", "u-8").put("purpose", "voice-memo").build();
    assertThrows(AuthenticationException.class, () -> kek.unwrap(w, other));
    assertThrows(AuthenticationException.class, () -> kek.unwrap(w, EncryptionContext.empty()));
    WrappedKey e = kek.wrap(dek, EncryptionContext.empty());
    assertThrows(AuthenticationException.class, () -> kek.unwrap(e, CTX));
    assertArrayEquals(dek, kek.unwrap(e, EncryptionContext.empty()));
  }

  @Test
  void everyFlippedBitFailsAuthentication() throws Exception {
    byte[] good = kek.wrap(dek, CTX).wrappedBytes();
    for (int i = 0; i < good.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] bad = good.clone();
        bad[i] ^= (byte) (1 << bit);
        WrappedKey w = WrappedKey.create(kek.uri(), "", AndroidKeystoreKek.ALGORITHM, bad);
        assertThrows(AuthenticationException.class, () -> kek.unwrap(w, CTX), "byte " + i);
      }
    }
  }

  @Test
  void wrongLengthsFailBeforeTheKeystore() throws Exception {
    byte[] good = kek.wrap(dek, CTX).wrappedBytes();
    for (int len : new int[] {1, 12, 28, good.length - 1, good.length + 1}) {
      byte[] b = Arrays.copyOf(good, len);
      WrappedKey w = WrappedKey.create(kek.uri(), "", AndroidKeystoreKek.ALGORITHM, b);
      assertThrows(AuthenticationException.class, () -> kek.unwrap(w, CTX), "length " + len);
    }
    assertThrows(IllegalArgumentException.class, () -> kek.wrap(new byte[16], CTX));
    assertThrows(IllegalArgumentException.class, () -> kek.wrap(new byte[33], CTX));
  }

  @Test
  void anotherKeksWrappedKeyIsNotMine() throws Exception {
    WrappedKey w = kek.wrap(dek, CTX);
    AndroidKeystoreKek other = AndroidKeystoreKek.create("other", ks, PW);
    assertThrows(NotMyKeyException.class, () -> other.unwrap(w, CTX));
    WrappedKey local = WrappedKey.create("local://x", "1", "tink-aes256-gcm", new byte[60]);
    assertThrows(NotMyKeyException.class, () -> kek.unwrap(local, CTX));
  }

  @Test
  void anUnknownAlgorithmUnderItsUriFailsClosed() throws Exception {
    byte[] b = kek.wrap(dek, CTX).wrappedBytes();
    WrappedKey w = WrappedKey.create(kek.uri(), "", "android-keystore-aes-cbc", b);
    // An OxCryptoException, not NotMyKeyException: readers must not skip past it silently.
    assertThrows(OxCryptoException.class, () -> kek.unwrap(w, CTX));
  }

  @Test
  void theSameAliasWithAnotherKeyFails() throws Exception {
    WrappedKey w = kek.wrap(dek, CTX);
    KeyStore ks2 = KeyStore.getInstance("PKCS12");
    ks2.load(null, null);
    put(ks2, "recordings", aes(256)); // e.g. the app was reinstalled and the key re-created
    AndroidKeystoreKek kek2 = AndroidKeystoreKek.create("recordings", ks2, PW);
    assertThrows(AuthenticationException.class, () -> kek2.unwrap(w, CTX));
  }

  @Test
  void aMissingOrDeletedKeyIsAFinalKmsError() throws Exception {
    AndroidKeystoreKek missing = AndroidKeystoreKek.create("nope", ks, PW);
    KmsException e = assertThrows(KmsException.class, () -> missing.wrap(dek, CTX));
    assertFalse(e.isRetryable());
    assertTrue(e.getMessage().contains("nope"));

    WrappedKey w = kek.wrap(dek, CTX);
    ks.deleteEntry("recordings");
    KmsException gone = assertThrows(KmsException.class, () -> kek.unwrap(w, CTX));
    assertFalse(gone.isRetryable());
  }

  @Test
  void aNonAesKeyUnderTheAliasIsRefused() throws Exception {
    KeyGenerator g = KeyGenerator.getInstance("HmacSHA256");
    put(ks, "mac", g.generateKey());
    AndroidKeystoreKek mac = AndroidKeystoreKek.create("mac", ks, PW);
    KmsException e = assertThrows(KmsException.class, () -> mac.wrap(dek, CTX));
    assertFalse(e.isRetryable());
  }

  @Test
  void badAliasesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> AndroidKeystoreKek.create("", ks, PW));
    assertThrows(NullPointerException.class, () -> AndroidKeystoreKek.create(null, ks, PW));
    char[] longAlias = new char[256];
    Arrays.fill(longAlias, 'a');
    assertThrows(
        IllegalArgumentException.class,
        () -> AndroidKeystoreKek.create(new String(longAlias), ks, PW));
  }

  @Test
  void onAJvmThereIsNoAndroidKeystore() {
    KmsException e = assertThrows(KmsException.class, () -> AndroidKeystoreKek.create("recordings"));
    assertFalse(e.isRetryable());
    assertTrue(e.getMessage().contains("Android Keystore"));
  }

  @Test
  void recordingsRoundTripUnderTheKeystoreKekAndABackupKek() throws Exception {
    LocalKms backup = TestKeks.newLocalKms("backup");
    Recordings writer = Recordings.builder().wrapWith(kek, backup).build();
    byte[] pcm = new byte[3 * 16384 + 321];
    new Random(7).nextBytes(pcm);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RecordingWriter w = writer.newWriter(out, CTX)) {
      w.write(pcm, 0, pcm.length);
    }
    byte[] rec = out.toByteArray();

    // The phone, with only its Keystore key; the backup, with only the local keyset.
    assertArrayEquals(pcm, read(Recordings.builder().unwrapWith(kek).build(), rec));
    assertArrayEquals(pcm, read(Recordings.builder().unwrapWith(backup).build(), rec));

    // The Keystore key is invalidated (e.g. lock screen removed): only the backup still opens it.
    ks.deleteEntry("recordings");
    NoUsableKeyException e =
        assertThrows(
            NoUsableKeyException.class, () -> read(Recordings.builder().unwrapWith(kek).build(), rec));
    assertTrue(e.causes().stream().anyMatch(c -> c instanceof KmsException), e.causes().toString());
    assertArrayEquals(pcm, read(Recordings.builder().unwrapWith(backup).build(), rec));
  }

  @Test
  void isThreadSafe() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        fs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 50; i++) {
                    byte[] d = new byte[32];
                    new SecureRandom().nextBytes(d);
                    assertArrayEquals(d, kek.unwrap(kek.wrap(d, CTX), CTX));
                  }
                  return null;
                }));
      }
      for (Future<?> f : fs) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static byte[] read(Recordings r, byte[] rec) throws Exception {
    try (InputStream in = r.newInputStream(new ByteArrayInputStream(rec), ReadOptions.defaults())) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      in.transferTo(b);
      return b.toByteArray();
    }
  }
}
