package com.getox.crypto.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.KmsException;
import com.getox.crypto.kek.WrappedKey;
import com.google.crypto.tink.proto.AesGcmKey;
import com.google.crypto.tink.proto.KeyData;
import com.google.crypto.tink.proto.KeyStatusType;
import com.google.crypto.tink.proto.Keyset;
import com.google.crypto.tink.proto.OutputPrefixType;
import com.google.crypto.tink.subtle.Hex;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import com.google.protobuf.ExtensionRegistryLite;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/FORMAT.md section 4 is enough for a second implementation of keyset format 2: a reader and
 * a writer written from it alone (gson, JCE AES-GCM, Bouncy Castle's Argon2id, Tink's generated
 * protos; no code of this package but the KEK that protects a keyset) interoperate with LocalKms
 * both ways, and format 2's associated data matches the document's examples byte for byte.
 */
class KeysetSpecTest {
  static final String URL = "type.googleapis.com/google.crypto.tink.AesGcmKey";
  /** Not ASCII, with a character outside the BMP: the passphrase is hashed as its UTF-8 bytes. */
  static final String PASS = "pässwörd \u2713 \ud83c\udfa7";

  static final EncryptionContext CTX = EncryptionContext.builder().put("spec", "4").build();
  static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

  @TempDir File dir;

  // ---- the document's examples ----

  /** The hex of the code block after {@code marker} in docs/FORMAT.md. */
  static String docExample(String marker) throws Exception {
    String doc =
        new String(Files.readAllBytes(new File("../docs/FORMAT.md").toPath()), StandardCharsets.UTF_8);
    int at = doc.indexOf(marker);
    assertTrue(at >= 0, "FORMAT.md no longer says: " + marker);
    int open = doc.indexOf("```\n", at) + 4;
    int close = doc.indexOf("```", open);
    return doc.substring(open, close).replaceAll("\\s", "");
  }

  @Test
  void formatTwoAssociatedDataIsTheDocumentsExamples() throws Exception {
    byte[] salt = new byte[16];
    for (int i = 0; i < 16; i++) {
      salt[i] = (byte) i;
    }
    String passphrase = docExample("give these 101 bytes:");
    assertEquals(202, passphrase.length());
    assertEquals(
        passphrase,
        Hex.encode(KeysetBinding.passphrase("team-keys", salt, 65536, 3, 4, Arrays.asList(7L, 4294967295L))));
    JsonObject pp = new JsonObject();
    pp.addProperty("name", "team-keys");
    pp.addProperty("protection", "PASSPHRASE_ARGON2ID");
    pp.add("destroyed", JsonParser.parseString("[7, 4294967295]"));
    pp.add("argon2id", JsonParser.parseString(
        "{\"salt\": \"000102030405060708090a0b0c0d0e0f\", \"memoryKiB\": 65536, \"iterations\": 3, \"parallelism\": 4}"));
    assertEquals(passphrase, Hex.encode(specAd(pp)), "the test's own encoder agrees");

    String kek = docExample("give these 88 bytes:");
    assertEquals(
        kek,
        Hex.encode(KeysetBinding.kek("inner", "local://outer", "", "tink-aes256-gcm", new byte[] {1, 2, 3},
            Collections.<Long>emptyList())));
    JsonObject k = new JsonObject();
    k.addProperty("name", "inner");
    k.addProperty("protection", "KEK");
    k.add("destroyed", new JsonArray());
    k.add("kek", JsonParser.parseString(
        "{\"uri\": \"local://outer\", \"version\": \"\", \"algorithm\": \"tink-aes256-gcm\", \"wrapped\": \"010203\"}"));
    assertEquals(kek, Hex.encode(specAd(k)));

    assertThrows(IllegalArgumentException.class,
        () -> KeysetBinding.passphrase("n", salt, 65536, 3, 4, Arrays.asList(8L, 7L)));
    assertThrows(IllegalArgumentException.class,
        () -> KeysetBinding.passphrase("n", salt, 65536, 3, 4, Arrays.asList(7L, 7L)));
  }

  // ---- an implementation of section 4, from the document ----

  static void lp(ByteArrayOutputStream out, byte[] b) {
    out.write(b.length >>> 24);
    out.write(b.length >>> 16);
    out.write(b.length >>> 8);
    out.write(b.length);
    out.write(b, 0, b.length);
  }

  static void u32(ByteArrayOutputStream out, long v) {
    out.write((int) (v >>> 24));
    out.write((int) (v >>> 16));
    out.write((int) (v >>> 8));
    out.write((int) v);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Section 4.4, from the file's JSON. */
  static byte[] specAd(JsonObject f) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    lp(out, utf8("ox-local-keyset/2"));
    lp(out, utf8(f.get("name").getAsString()));
    String protection = f.get("protection").getAsString();
    lp(out, utf8(protection));
    if (protection.equals("PASSPHRASE_ARGON2ID")) {
      JsonObject a = f.getAsJsonObject("argon2id");
      lp(out, Hex.decode(a.get("salt").getAsString()));
      u32(out, a.get("memoryKiB").getAsLong());
      u32(out, a.get("iterations").getAsLong());
      u32(out, a.get("parallelism").getAsLong());
    } else {
      JsonObject k = f.getAsJsonObject("kek");
      lp(out, utf8(k.get("uri").getAsString()));
      lp(out, utf8(k.get("version").getAsString()));
      lp(out, utf8(k.get("algorithm").getAsString()));
      lp(out, Hex.decode(k.get("wrapped").getAsString()));
    }
    JsonArray d = f.getAsJsonArray("destroyed");
    u32(out, d.size());
    for (JsonElement id : d) {
      u32(out, id.getAsLong());
    }
    return out.toByteArray();
  }

  /** Section 4.2: Argon2id v1.3 of the passphrase's UTF-8 bytes, 32 bytes. */
  static byte[] argon2id(String passphrase, byte[] salt, int memoryKiB, int iterations, int lanes) {
    Argon2BytesGenerator g = new Argon2BytesGenerator();
    g.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withSalt(salt)
        .withMemoryAsKB(memoryKiB)
        .withIterations(iterations)
        .withParallelism(lanes)
        .build());
    byte[] out = new byte[32];
    g.generateBytes(utf8(passphrase), out);
    return out;
  }

  /** The context under which a KEK wraps the keyset key (4.2). */
  static EncryptionContext keysetContext(String name) {
    return EncryptionContext.builder().put("ox-keyset", "ox-local-keyset/2/" + name).build();
  }

  static byte[] gcm(int mode, byte[] key, byte[] iv, byte[] ad, byte[] in, int off, int len) throws Exception {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
    c.updateAAD(ad);
    return c.doFinal(in, off, len);
  }

  /** The keyset key of a format-2 file (4.2). */
  static byte[] keysetKey(JsonObject f, LocalKms outer) throws Exception {
    if (f.get("protection").getAsString().equals("PASSPHRASE_ARGON2ID")) {
      JsonObject a = f.getAsJsonObject("argon2id");
      return argon2id(PASS, Hex.decode(a.get("salt").getAsString()), a.get("memoryKiB").getAsInt(),
          a.get("iterations").getAsInt(), a.get("parallelism").getAsInt());
    }
    JsonObject k = f.getAsJsonObject("kek");
    WrappedKey w = WrappedKey.create(k.get("uri").getAsString(), k.get("version").getAsString(),
        k.get("algorithm").getAsString(), Hex.decode(k.get("wrapped").getAsString()));
    return outer.unwrap(w, keysetContext(f.get("name").getAsString()));
  }

  /** Section 4.3: the Keyset proto inside a format-2 file. */
  static Keyset specRead(JsonObject f, LocalKms outer) throws Exception {
    assertEquals("ox-local-keyset/2", f.get("format").getAsString());
    byte[] sealed = Base64.getDecoder().decode(f.getAsJsonObject("keyset").get("encryptedKeyset").getAsString());
    byte[] proto = gcm(Cipher.DECRYPT_MODE, keysetKey(f, outer), Arrays.copyOf(sealed, 12), specAd(f),
        sealed, 12, sealed.length - 12);
    return Keyset.parseFrom(proto, ExtensionRegistryLite.getEmptyRegistry());
  }

  /** The 32 key bytes of the key {@code id}: field 3 of the AesGcmKey in its KeyData.value. */
  static byte[] keyBytes(Keyset ks, long id) throws Exception {
    for (Keyset.Key k : ks.getKeyList()) {
      if ((k.getKeyId() & 0xffffffffL) == id) {
        assertEquals(URL, k.getKeyData().getTypeUrl());
        assertEquals(OutputPrefixType.TINK, k.getOutputPrefixType());
        AesGcmKey key = AesGcmKey.parseFrom(k.getKeyData().getValue(), ExtensionRegistryLite.getEmptyRegistry());
        assertEquals(0, key.getVersion());
        return key.getKeyValue().toByteArray();
      }
    }
    throw new AssertionError("no key " + id);
  }

  /** Section 4.5's wrap: 01 || key_id || iv || AES-GCM(dek, aad = canonical context). */
  static WrappedKey specWrap(String uri, long id, byte[] key, byte[] dek, Random r) throws Exception {
    byte[] iv = new byte[12];
    r.nextBytes(iv);
    byte[] ct = gcm(Cipher.ENCRYPT_MODE, key, iv, CTX.canonicalBytes(), dek, 0, dek.length);
    ByteBuffer b = ByteBuffer.allocate(5 + 12 + ct.length);
    b.put((byte) 1).putInt((int) id).put(iv).put(ct);
    return WrappedKey.create(uri, Long.toString(id), "tink-aes256-gcm", b.array());
  }

  /** Section 4.5's unwrap of an ENABLED version, given the keyset. */
  static byte[] specUnwrap(Keyset ks, WrappedKey w) throws Exception {
    byte[] b = w.wrappedBytes();
    assertEquals(1, b[0]);
    long id = ByteBuffer.wrap(b, 1, 4).getInt() & 0xffffffffL;
    assertEquals(Long.toString(id), w.kekVersion());
    return gcm(Cipher.DECRYPT_MODE, keyBytes(ks, id), Arrays.copyOfRange(b, 5, 17), CTX.canonicalBytes(),
        b, 17, b.length - 17);
  }

  // ---- the two directions ----

  static KeysetProtection passphrase() {
    return KeysetProtection.passphrase(PASS.toCharArray(), 19456, 2, 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"PASSPHRASE_ARGON2ID", "KEK"})
  void aReaderWrittenFromTheSpecReadsWhatLocalKmsWrites(String protection) throws Exception {
    LocalKms outer = LocalKms.create(new File(dir, "outer.json"), KeysetProtection.insecurePlaintext(), "outer");
    File f = new File(dir, "keys.json");
    LocalKms kms = LocalKms.create(
        f, protection.equals("KEK") ? KeysetProtection.kek(outer) : passphrase(), "spec-keys");
    long destroyed = kms.primary().id();
    long disabled = kms.rotate().id();
    kms.rotate();
    kms.disable(disabled);
    kms.destroy(destroyed);
    byte[] dek = new byte[32];
    new Random(4).nextBytes(dek);
    WrappedKey w = kms.wrap(dek, CTX);

    JsonObject json = JsonParser.parseString(new String(Files.readAllBytes(f.toPath()), StandardCharsets.UTF_8))
        .getAsJsonObject();
    Keyset ks = specRead(json, outer);
    assertEquals(kms.primary().id(), ks.getPrimaryKeyId() & 0xffffffffL);
    List<String> statuses = new ArrayList<>();
    for (Keyset.Key k : ks.getKeyList()) {
      statuses.add((k.getKeyId() & 0xffffffffL) + " " + k.getStatus());
    }
    List<String> expected = new ArrayList<>();
    for (KeyVersion v : kms.versions()) {
      if (v.status() != KeyVersion.Status.DESTROYED) {
        expected.add(v.id() + " " + v.status());
      }
    }
    assertEquals(expected, statuses);
    assertEquals("[" + destroyed + "]", json.get("destroyed").toString());
    assertArrayEquals(dek, specUnwrap(ks, w));
  }

  @ParameterizedTest
  @ValueSource(strings = {"PASSPHRASE_ARGON2ID", "KEK"})
  void localKmsReadsWhatAWriterWrittenFromTheSpecWrites(String protection) throws Exception {
    Random r = new Random(42);
    LocalKms outer = LocalKms.create(new File(dir, "outer.json"), KeysetProtection.insecurePlaintext(), "outer");
    long primary = 0x9abcdef0L; // over 2^31: ids are unsigned
    long disabled = 17;
    long enabled = 123456789;
    long destroyed = 3000000000L;
    byte[][] keys = new byte[3][32];
    Keyset.Builder ks = Keyset.newBuilder().setPrimaryKeyId((int) primary);
    long[] ids = {enabled, primary, disabled};
    for (int i = 0; i < 3; i++) {
      r.nextBytes(keys[i]);
      AesGcmKey key = AesGcmKey.newBuilder().setKeyValue(ByteString.copyFrom(keys[i])).build();
      ks.addKey(Keyset.Key.newBuilder()
          .setKeyData(KeyData.newBuilder().setTypeUrl(URL).setValue(key.toByteString())
              .setKeyMaterialType(KeyData.KeyMaterialType.SYMMETRIC))
          .setStatus(ids[i] == disabled ? KeyStatusType.DISABLED : KeyStatusType.ENABLED)
          .setKeyId((int) ids[i])
          .setOutputPrefixType(OutputPrefixType.TINK));
    }
    byte[] proto = ks.build().toByteArray();

    // Fields in an order of our own: order carries no meaning.
    JsonObject f = new JsonObject();
    f.addProperty("protection", protection);
    f.addProperty("name", "from-spec");
    f.add("destroyed", JsonParser.parseString("[" + destroyed + "]"));
    byte[] keysetKey = new byte[32];
    r.nextBytes(keysetKey);
    if (protection.equals("KEK")) {
      WrappedKey w = outer.wrap(keysetKey, keysetContext("from-spec"));
      JsonObject k = new JsonObject();
      k.addProperty("wrapped", Hex.encode(w.wrappedBytes()));
      k.addProperty("algorithm", w.algorithm());
      k.addProperty("version", w.kekVersion());
      k.addProperty("uri", w.kekUri());
      f.add("kek", k);
    } else {
      byte[] salt = new byte[16];
      r.nextBytes(salt);
      JsonObject a = new JsonObject();
      a.addProperty("parallelism", 1);
      a.addProperty("salt", Hex.encode(salt));
      a.addProperty("iterations", 2);
      a.addProperty("memoryKiB", 19456);
      f.add("argon2id", a);
      keysetKey = argon2id(PASS, salt, 19456, 2, 1);
    }
    byte[] iv = new byte[12];
    r.nextBytes(iv);
    byte[] ct = gcm(Cipher.ENCRYPT_MODE, keysetKey, iv, specAd(f), proto, 0, proto.length);
    byte[] sealed = ByteBuffer.allocate(12 + ct.length).put(iv).put(ct).array();
    JsonObject keyset = new JsonObject();
    keyset.addProperty("encryptedKeyset", Base64.getEncoder().encodeToString(sealed));
    f.add("keyset", keyset);
    f.addProperty("format", "ox-local-keyset/2");
    File file = new File(dir, "from-spec.json");
    Files.write(file.toPath(), GSON.toJson(f).getBytes(StandardCharsets.UTF_8));

    LocalKms kms = LocalKms.open(file, protection.equals("KEK") ? KeysetProtection.kek(outer) : passphrase());
    assertEquals(
        Arrays.asList(
            new KeyVersion(enabled, KeyVersion.Status.ENABLED, false),
            new KeyVersion(primary, KeyVersion.Status.ENABLED, true),
            new KeyVersion(disabled, KeyVersion.Status.DISABLED, false),
            new KeyVersion(destroyed, KeyVersion.Status.DESTROYED, false)),
        kms.versions());
    byte[] dek = new byte[32];
    r.nextBytes(dek);
    assertArrayEquals(dek, kms.unwrap(specWrap("local://from-spec", enabled, keys[0], dek, r), CTX));
    assertThrows(KmsException.class, () -> kms.unwrap(specWrap("local://from-spec", disabled, keys[2], dek, r), CTX));
    assertArrayEquals(dek, specUnwrap(ks.build(), kms.wrap(dek, CTX)), "LocalKms wraps under the primary");
  }
}
