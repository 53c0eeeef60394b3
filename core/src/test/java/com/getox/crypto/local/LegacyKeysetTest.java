package com.getox.crypto.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.AuthenticationException;
import com.getox.crypto.EncryptionContext;
import com.getox.crypto.KmsException;
import com.getox.crypto.kek.WrappedKey;
import com.google.crypto.tink.subtle.Hex;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyset files in format 1 ({@code ox-local-keyset/1}), written by LocalKms before format 2
 * existed (src/test/resources/com/getox/crypto/local/legacy, see its README): they still open,
 * with their versions, statuses and destroyed list, and their first change rewrites them in
 * format 2. A plaintext keyset stays format 1 and unprotected.
 */
class LegacyKeysetTest {
  static final char[] PASS = "legacy fixture passphrase, not secret".toCharArray();
  static final EncryptionContext CTX = EncryptionContext.builder().put("fixture", "legacy").build();

  // Made with the fixtures, of the data key 00 01 02 ... 1f.
  static final String PP_DESTROYED = "1720794587";
  static final String PP_DISABLED = "1861608070";
  static final String PP_ENABLED = "582567795";
  static final String PP_PRIMARY = "3209996138";
  static final String[][] PP_WRAPPED = {
    {PP_DESTROYED, "0166913ddb93714e6f101787a40b849ebda87c668fac545003509bc1c4238e34373fef887fe1f7c3d7a319f37b8f418d5424930fe7367605f6257db1d9548240fa"},
    {PP_DISABLED, "016ef5e286d1d33d18fdcd32f6f8cc432848c2001f65743dce0d2cc8df4f4b135a74f1adf069841b50cb2c6b421103083b55fc611fcbeec54e5293830ea4573510"},
    {PP_ENABLED, "0122b94773b1aeb641b6dc4be5ffe46f33d4526a12ca7ec4ffc94e2038c3010bdeb80528985408e4f6e64b4322f21e6736efbc25b60c8cfda509eb8ede34bbcab9"},
  };
  static final String KEK_DESTROYED = "3627763370";
  static final String KEK_PRIMARY = "957020903";
  static final String[][] KEK_WRAPPED = {
    {KEK_DESTROYED, "01d83b46aad30583037d03f353211fa6dd64a68ba368e2fc259835241da790b2b4f05d73670a0c47baa11ac986721c2ace175edb74a07b293c693b6090de18f264"},
    {KEK_PRIMARY, "01390afae71f75adcda6a986e683b518aabf28e6d9cb667ab0835298c365141276b85d34891f3771b353e111179b7a26cca44ee322578847aeb14f9f0f00d81c5e"},
  };

  @TempDir File dir;

  static byte[] dek() {
    byte[] dek = new byte[32];
    for (int i = 0; i < dek.length; i++) {
      dek[i] = (byte) i;
    }
    return dek;
  }

  static WrappedKey wrapped(String uri, String[][] table, String version) {
    for (String[] row : table) {
      if (row[0].equals(version)) {
        return WrappedKey.create(uri, version, LocalKms.ALGORITHM, Hex.decode(row[1]));
      }
    }
    throw new AssertionError(version);
  }

  /** A copy of fixture {@code name} in the temporary directory (changes write beside it). */
  File copy(String name) throws Exception {
    File f = new File(dir, name);
    try (InputStream in = getClass().getResourceAsStream("legacy/" + name)) {
      Files.copy(in, f.toPath());
    }
    return f;
  }

  static String read(File f) throws Exception {
    return new String(Files.readAllBytes(f.toPath()), StandardCharsets.UTF_8);
  }

  static String format(File f) throws Exception {
    Matcher m = Pattern.compile("\"format\" : \"([^\"]*)\"").matcher(read(f));
    assertTrue(m.find(), "no format field");
    return m.group(1);
  }

  static List<String> versions(LocalKms kms) {
    List<String> out = new ArrayList<>();
    for (KeyVersion v : kms.versions()) {
      out.add(v.toString());
    }
    return out;
  }

  static KeysetProtection passphrase() {
    return KeysetProtection.passphrase(PASS); // the default cost: the file's own is used
  }

  @Test
  void aFormat1PassphraseFileOpensAndItsFirstChangeWritesFormat2() throws Exception {
    File f = copy("v1-passphrase.json");
    assertEquals(LocalKms.FORMAT_1, format(f));
    LocalKms kms = LocalKms.open(f, passphrase());
    List<String> expected =
        Arrays.asList(
            PP_DISABLED + " DISABLED",
            PP_ENABLED + " ENABLED",
            PP_PRIMARY + " ENABLED primary",
            PP_DESTROYED + " DESTROYED");
    assertEquals(expected, versions(kms));
    checkUnwraps(kms);

    KeyVersion next = kms.rotate();
    assertEquals(LocalKms.FORMAT_2, format(f));
    String upgraded = read(f);
    assertTrue(upgraded.contains("\"memoryKiB\" : 19456") && upgraded.contains("\"iterations\" : 2")
        && upgraded.contains("\"parallelism\" : 1"), "the file's own Argon2id cost is kept: " + upgraded);
    assertFalse(upgraded.contains("keysetInfo"), upgraded);
    LocalKms reopened = LocalKms.open(f, passphrase());
    assertEquals(
        Arrays.asList(
            PP_DISABLED + " DISABLED",
            PP_ENABLED + " ENABLED",
            PP_PRIMARY + " ENABLED",
            next.id() + " ENABLED primary",
            PP_DESTROYED + " DESTROYED"),
        versions(reopened));
    checkUnwraps(reopened);
    // Now the destroyed list is bound.
    Files.write(f.toPath(), upgraded.replace(PP_DESTROYED, PP_ENABLED).getBytes(StandardCharsets.UTF_8));
    assertThrows(AuthenticationException.class, () -> LocalKms.open(f, passphrase()));
  }

  private static void checkUnwraps(LocalKms kms) throws Exception {
    String uri = "local://legacy-pp";
    assertArrayEquals(dek(), kms.unwrap(wrapped(uri, PP_WRAPPED, PP_ENABLED), CTX));
    KmsException disabled =
        assertThrows(KmsException.class, () -> kms.unwrap(wrapped(uri, PP_WRAPPED, PP_DISABLED), CTX));
    assertTrue(disabled.getMessage().contains("disabled"), disabled.getMessage());
    KmsException destroyed =
        assertThrows(KmsException.class, () -> kms.unwrap(wrapped(uri, PP_WRAPPED, PP_DESTROYED), CTX));
    assertTrue(destroyed.getMessage().contains("destroyed"), destroyed.getMessage());
  }

  @Test
  void aFormat1KekProtectedFileOpensAndItsFirstChangeWritesFormat2() throws Exception {
    LocalKms outer = LocalKms.open(copy("v1-outer-plaintext.json"), KeysetProtection.insecurePlaintext());
    File f = copy("v1-kek.json");
    assertEquals(LocalKms.FORMAT_1, format(f));
    LocalKms kms = LocalKms.open(f, KeysetProtection.kek(outer));
    assertEquals(Arrays.asList(KEK_PRIMARY + " ENABLED primary", KEK_DESTROYED + " DESTROYED"), versions(kms));
    String uri = "local://legacy-kek";
    assertArrayEquals(dek(), kms.unwrap(wrapped(uri, KEK_WRAPPED, KEK_PRIMARY), CTX));
    assertThrows(KmsException.class, () -> kms.unwrap(wrapped(uri, KEK_WRAPPED, KEK_DESTROYED), CTX));

    KeyVersion next = kms.rotate();
    kms.disable(Long.parseLong(KEK_PRIMARY));
    assertEquals(LocalKms.FORMAT_2, format(f));
    LocalKms reopened = LocalKms.open(f, KeysetProtection.kek(outer));
    assertEquals(
        Arrays.asList(KEK_PRIMARY + " DISABLED", next.id() + " ENABLED primary", KEK_DESTROYED + " DESTROYED"),
        versions(reopened));
    assertThrows(KmsException.class, () -> reopened.unwrap(wrapped(uri, KEK_WRAPPED, KEK_PRIMARY), CTX));
    reopened.enable(Long.parseLong(KEK_PRIMARY));
    assertArrayEquals(dek(), LocalKms.open(f, KeysetProtection.kek(outer)).unwrap(wrapped(uri, KEK_WRAPPED, KEK_PRIMARY), CTX));
    String upgraded = read(f);
    Files.write(f.toPath(), upgraded.replace("\"destroyed\" : [ " + KEK_DESTROYED + " ]", "\"destroyed\" : [ ]")
        .getBytes(StandardCharsets.UTF_8));
    assertNotEquals(upgraded, read(f));
    assertThrows(AuthenticationException.class, () -> LocalKms.open(f, KeysetProtection.kek(outer)));
  }

  /**
   * Format 1's weaker binding, as FORMAT.md documents it: its destroyed list is not authenticated,
   * so an edited one still opens. The upgrade keeps the key material over the list: a version
   * still in the keyset that the list calls destroyed is written as live.
   */
  @Test
  void format1DoesNotBindItsDestroyedListAndTheUpgradeTrustsTheKeyset() throws Exception {
    File f = copy("v1-passphrase.json");
    String json = read(f);
    Files.write(f.toPath(), json.replace("[ " + PP_DESTROYED + " ]", "[ " + PP_ENABLED + ", " + PP_DESTROYED + ", 4294967296 ]")
        .getBytes(StandardCharsets.UTF_8));
    LocalKms kms = LocalKms.open(f, passphrase());
    assertTrue(versions(kms).contains(PP_ENABLED + " DESTROYED"), "format 1 shows the edit: " + versions(kms));
    assertArrayEquals(dek(), kms.unwrap(wrapped("local://legacy-pp", PP_WRAPPED, PP_ENABLED), CTX));
    kms.rotate();
    LocalKms upgraded = LocalKms.open(f, passphrase());
    List<String> v = versions(upgraded);
    assertTrue(v.contains(PP_ENABLED + " ENABLED") && !v.contains(PP_ENABLED + " DESTROYED"), v.toString());
    assertTrue(v.contains(PP_DESTROYED + " DESTROYED") && v.size() == 5, v.toString());
  }

  @Test
  void plaintextKeysetsStayFormat1AndUnprotected() throws Exception {
    LocalKms fixture = LocalKms.open(copy("v1-outer-plaintext.json"), KeysetProtection.insecurePlaintext());
    assertEquals(1, fixture.versions().size());

    File f = new File(dir, "plain.json");
    LocalKms kms = LocalKms.create(f, KeysetProtection.insecurePlaintext(), "plain");
    long first = kms.primary().id();
    kms.rotate();
    kms.destroy(first);
    String json = read(f);
    assertEquals(LocalKms.FORMAT_1, format(f));
    assertTrue(json.contains("\"warning\" : \"INSECURE"), json);
    assertTrue(json.contains("\"value\""), "the keys are in the clear");
    // Nothing in it is authenticated: an edit of the destroyed list opens as edited.
    Files.write(f.toPath(), json.replace("[ " + first + " ]", "[ ]").getBytes(StandardCharsets.UTF_8));
    LocalKms edited = LocalKms.open(f, KeysetProtection.insecurePlaintext());
    assertEquals(1, edited.versions().size());
  }
}
