package com.getox.crypto.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.OxCryptoException;
import com.getox.crypto.TestKeks;
import com.getox.crypto.kek.WrappedKey;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A keyset file encrypted under another KEK (in production, a cloud KMS key). */
class KekProtectedKeysetTest {
  @TempDir File dir;

  @Test
  void opensOnlyWithItsKekAndKeepsNoKeyInTheClear() throws Exception {
    LocalKms outer = TestKeks.newLocalKms("outer");
    LocalKms other = TestKeks.newLocalKms("outer"); // same name, different keys
    File f = new File(dir, "inner.json");
    LocalKms inner = LocalKms.create(f, KeysetProtection.kek(outer), "inner");
    EncryptionContext ctx = EncryptionContext.builder().put("k", "v").build();
    byte[] dek = new byte[32];
    dek[0] = 7;
    WrappedKey w = inner.wrap(dek, ctx);
    inner.rotate();

    assertEquals(KeysetProtection.Kind.KEK, LocalKms.protectionOf(f));
    String text = new String(Files.readAllBytes(f.toPath()), StandardCharsets.UTF_8);
    assertFalse(text.contains("\"value\""), "a KEK-protected file holds no plaintext key values");

    LocalKms reopened = LocalKms.open(f, KeysetProtection.kek(outer));
    assertArrayEquals(dek, reopened.unwrap(w, ctx), "old version still unwraps after rotate+save");
    assertEquals(2, reopened.versions().size());
    assertThrows(OxCryptoException.class, () -> LocalKms.open(f, KeysetProtection.kek(other)));
    assertThrows(
        OxCryptoException.class,
        () -> LocalKms.open(f, KeysetProtection.insecurePlaintext()),
        "the protection must match the file");
  }
}
