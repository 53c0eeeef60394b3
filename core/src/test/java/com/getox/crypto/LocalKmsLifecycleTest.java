package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.local.KeyVersion;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded local KMS: rotation (old recordings still open), disable/enable, destroy
 * (crypto-shredding, persisted), passphrase-protected keysets (Argon2id) including a wrong
 * passphrase, the header's version field, and that no key bytes leak through toString().
 */
class LocalKmsLifecycleTest {
  @TempDir Path dir;

  static final EncryptionContext CTX = EncryptionContext.builder().put("recording-id", "r-1").build();

  static byte[] record(LocalKms kms, byte[] plain) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RecordingWriter w = recordings(kms).newWriter(out, CTX)) {
      w.write(plain);
    }
    return out.toByteArray();
  }

  static Recordings recordings(LocalKms kms) {
    return Recordings.builder().wrapWith(kms).auditSink(AuditSink.none()).build();
  }

  static byte[] play(LocalKms kms, byte[] rec) throws Exception {
    try (RecordingInputStream in = recordings(kms).newInputStream(new ByteArrayInputStream(rec), ReadOptions.defaults())) {
      return Streams.readAll(in);
    }
  }

  static String versionOf(byte[] rec) throws Exception {
    return RecordingHeader.read(new ByteArrayInputStream(rec), ReadOptions.defaults()).wrappedKeys().get(0).kekVersion();
  }

  @Test
  void rotateDisableEnableDestroy() throws Exception {
    File file = dir.resolve("keys.json").toFile();
    LocalKms kms = LocalKms.create(file, KeysetProtection.insecurePlaintext(), "team");
    assertEquals("local://team", kms.uri());
    KeyVersion v1 = kms.primary();
    assertEquals(1, kms.versions().size());
    byte[] p1 = Fixtures.randomBytes(new Random(1), 20000);
    byte[] r1 = record(kms, p1);
    assertEquals(Long.toString(v1.id()), versionOf(r1));

    KeyVersion v2 = kms.rotate();
    assertNotEquals(v1.id(), v2.id());
    assertEquals(v2, kms.primary());
    assertTrue(v2.isPrimary());
    assertEquals(2, kms.versions().size());
    byte[] p2 = Fixtures.randomBytes(new Random(2), 300);
    byte[] r2 = record(kms, p2);
    assertEquals(Long.toString(v2.id()), versionOf(r2), "new recordings use the new primary");
    assertArrayEquals(p1, play(kms, r1), "old recordings still open after rotation");

    // The primary can be neither disabled nor destroyed.
    assertThrows(OxCryptoException.class, () -> kms.disable(v2.id()));
    assertThrows(OxCryptoException.class, () -> kms.destroy(v2.id()));
    assertThrows(OxCryptoException.class, () -> kms.disable(12345L));

    kms.disable(v1.id());
    assertEquals(KeyVersion.Status.DISABLED, statusOf(kms, v1.id()));
    NoUsableKeyException disabled = assertThrows(NoUsableKeyException.class, () -> play(kms, r1));
    assertTrue(disabled.causes().get(0) instanceof KmsException, disabled.toString());
    assertFalse(((KmsException) disabled.causes().get(0)).isRetryable());
    assertTrue(disabled.getMessage().contains("disabled"), disabled.getMessage());
    assertArrayEquals(p2, play(kms, r2), "other versions are unaffected");
    // Persisted: a fresh instance from the file agrees.
    LocalKms reopened = LocalKms.open(file, KeysetProtection.insecurePlaintext());
    assertThrows(NoUsableKeyException.class, () -> play(reopened, r1));

    kms.enable(v1.id());
    assertEquals(KeyVersion.Status.ENABLED, statusOf(kms, v1.id()));
    assertArrayEquals(p1, play(kms, r1));

    kms.destroy(v1.id());
    assertEquals(KeyVersion.Status.DESTROYED, statusOf(kms, v1.id()));
    NoUsableKeyException destroyed = assertThrows(NoUsableKeyException.class, () -> play(kms, r1));
    assertTrue(destroyed.getMessage().contains("destroyed"), destroyed.getMessage());
    assertThrows(OxCryptoException.class, () -> kms.enable(v1.id()), "a destroyed version cannot come back");
    LocalKms afterDestroy = LocalKms.open(file, KeysetProtection.insecurePlaintext());
    assertEquals(KeyVersion.Status.DESTROYED, statusOf(afterDestroy, v1.id()));
    assertThrows(NoUsableKeyException.class, () -> play(afterDestroy, r1));
    assertArrayEquals(p2, play(afterDestroy, r2));
    for (byte[] raw : Secrets.rawKeysOf(file)) {
      Secrets.assertNoneOf(kms.toString(), raw, "KEK");
    }
    assertTrue(kms.toString().contains("local://team"), kms.toString());
  }

  static KeyVersion.Status statusOf(LocalKms kms, long id) {
    for (KeyVersion v : kms.versions()) {
      if (v.id() == id) {
        return v.status();
      }
    }
    throw new AssertionError("no version " + id + " in " + kms.versions());
  }

  @Test
  void theVersionFieldMustNameTheKeyThatWrapped() throws Exception {
    // Regression: LocalKms used to ignore WrappedKey.kekVersion(), so a header whose version was
    // altered (a bit flip, a relabelling) still opened.
    LocalKms kms = LocalKms.create(dir.resolve("v.json").toFile(), KeysetProtection.insecurePlaintext(), "v");
    WrappedKey w = kms.wrap(new byte[32], CTX);
    assertArrayEquals(new byte[32], kms.unwrap(w, CTX));
    for (String version : new String[] {"", "0", w.kekVersion() + "0", "1" + w.kekVersion().substring(1)}) {
      if (version.equals(w.kekVersion())) {
        continue;
      }
      WrappedKey relabelled = WrappedKey.create(w.kekUri(), version, w.algorithm(), w.wrappedBytes());
      assertThrows(AuthenticationException.class, () -> kms.unwrap(relabelled, CTX), version);
    }
    WrappedKey otherContext = w;
    assertThrows(AuthenticationException.class,
        () -> kms.unwrap(otherContext, EncryptionContext.builder().put("recording-id", "r-2").build()));
    WrappedKey algo = WrappedKey.create(w.kekUri(), w.kekVersion(), "aes-kw", w.wrappedBytes());
    assertThrows(UnsupportedFormatException.class, () -> kms.unwrap(algo, CTX));
  }

  @Test
  void passphraseProtectedKeyset() throws Exception {
    File file = dir.resolve("pp.json").toFile();
    char[] pass = "correct horse battery staple".toCharArray();
    LocalKms kms = LocalKms.create(file, KeysetProtection.passphrase(pass, 19456, 2, 1), "pp");
    assertEquals(KeysetProtection.Kind.PASSPHRASE_ARGON2ID, kms.protection());
    byte[] plain = Fixtures.randomBytes(new Random(3), 5000);
    byte[] rec = record(kms, plain);
    String json = new String(Files.readAllBytes(file.toPath()), StandardCharsets.UTF_8);
    assertTrue(json.contains("PASSPHRASE_ARGON2ID") && !json.contains("INSECURE"), json);
    assertFalse(json.contains("\"keyData\""), "key material stored in the clear");

    LocalKms reopened = LocalKms.open(file, KeysetProtection.passphrase(pass, 19456, 2, 1));
    assertArrayEquals(plain, play(reopened, rec));
    // The file's own Argon2 cost is used when opening, whatever cost the caller passes.
    LocalKms reopened2 = LocalKms.open(file, KeysetProtection.passphrase(pass));
    assertArrayEquals(plain, play(reopened2, rec));

    AuthenticationException wrong = assertThrows(AuthenticationException.class,
        () -> LocalKms.open(file, KeysetProtection.passphrase("Correct horse battery staple".toCharArray(), 19456, 2, 1)));
    assertFalse(wrong.getMessage().contains("horse"), wrong.getMessage());
    assertThrows(OxCryptoException.class, () -> LocalKms.open(file, KeysetProtection.insecurePlaintext()));
    // Rotation rewrites the file under the same passphrase.
    reopened.rotate();
    assertArrayEquals(plain, play(LocalKms.open(file, KeysetProtection.passphrase(pass, 19456, 2, 1)), rec));
    assertFalse(kms.toString().contains("horse"), kms.toString());

    // A plaintext keyset does not open as passphrase-protected.
    File plainFile = dir.resolve("plain.json").toFile();
    LocalKms.create(plainFile, KeysetProtection.insecurePlaintext(), "plain");
    assertThrows(OxCryptoException.class,
        () -> LocalKms.open(plainFile, KeysetProtection.passphrase(pass, 19456, 2, 1)));
    assertThrows(IllegalArgumentException.class, () -> KeysetProtection.passphrase(pass, 1024, 1, 1));
  }

  @Test
  void createRefusesAnExistingFileAndBadNames() throws Exception {
    File file = dir.resolve("k.json").toFile();
    LocalKms.create(file, KeysetProtection.insecurePlaintext(), "k");
    assertThrows(IOException.class, () -> LocalKms.create(file, KeysetProtection.insecurePlaintext(), "k"));
    assertThrows(IllegalArgumentException.class,
        () -> LocalKms.create(dir.resolve("x.json").toFile(), KeysetProtection.insecurePlaintext(), "bad name/"));
    File garbage = dir.resolve("garbage.json").toFile();
    Files.write(garbage.toPath(), "{\"format\": 1, ".getBytes(StandardCharsets.UTF_8));
    assertThrows(FormatException.class, () -> LocalKms.open(garbage, KeysetProtection.insecurePlaintext()));
  }
}
