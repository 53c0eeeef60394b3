package com.getox.crypto.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.AuthenticationException;
import com.getox.crypto.EncryptionContext;
import com.getox.crypto.FormatException;
import com.getox.crypto.KmsException;
import com.getox.crypto.OxCryptoException;
import com.getox.crypto.hpke.HpkeRecipient;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.WrappedKey;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keyset format 2 (issue 13 section 4): a passphrase- or KEK-protected keyset file binds everything
 * in it, so a file edited by whoever can write it (its destroyed list, Argon2id parameters, kek
 * block, name, protection, format) fails to open with an {@link AuthenticationException} that says
 * the file was modified, before any key is used; a format-2 file holds nothing the reader does not
 * authenticate (unknown fields, Tink's keysetInfo, repeated fields are refused); a plaintext
 * keyset stays format 1 and unprotected.
 */
class KeysetTamperTest {
  static final char[] PASS = "format 2 tamper test, not secret".toCharArray();
  static final EncryptionContext CTX = EncryptionContext.builder().put("test", "tamper").build();
  static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

  @TempDir File dir;

  static KeysetProtection passphrase() {
    return KeysetProtection.passphrase(PASS, 19456, 2, 1);
  }

  static byte[] dek() {
    byte[] dek = new byte[32];
    for (int i = 0; i < dek.length; i++) {
      dek[i] = (byte) (0xa0 + i);
    }
    return dek;
  }

  /** A KEK that counts its unwraps, to show a refused file called no KEK. */
  static final class CountingKek implements Kek {
    final Kek inner;
    final AtomicInteger unwraps = new AtomicInteger();

    CountingKek(Kek inner) {
      this.inner = inner;
    }

    @Override
    public String uri() {
      return inner.uri();
    }

    @Override
    public WrappedKey wrap(byte[] dek, EncryptionContext context) throws GeneralSecurityException {
      return inner.wrap(dek, context);
    }

    @Override
    public byte[] unwrap(WrappedKey wrapped, EncryptionContext context)
        throws GeneralSecurityException {
      unwraps.incrementAndGet();
      return inner.unwrap(wrapped, context);
    }
  }

  /** How a keyset under test is protected. */
  enum Kind {
    PASSPHRASE,
    /** Under a local KEK, which itself checks the wrapped key's version and algorithm. */
    KEK_LOCAL,
    /** Under an HPKE recipient, which ignores the version: only format 2's binding catches it. */
    KEK_HPKE
  }

  /** A protected keyset with a destroyed, a disabled, an enabled and a primary version. */
  final class Made {
    final Kind kind;
    final File file;
    final KeysetProtection protection;
    final CountingKek outer;
    final List<KeyVersion> versions;
    final long destroyed;
    final long disabled;
    final long enabled;
    final WrappedKey wrapped; // under the enabled, non-primary version
    final String json;

    Made(Kind kind) throws Exception {
      this.kind = kind;
      this.file = new File(dir, kind.name().toLowerCase() + ".json");
      if (kind == Kind.PASSPHRASE) {
        outer = null;
        protection = passphrase();
      } else {
        Kek k =
            kind == Kind.KEK_LOCAL
                ? LocalKms.create(new File(dir, "outer.json"), KeysetProtection.insecurePlaintext(), "outer")
                : HpkeRecipient.generate();
        outer = new CountingKek(k);
        protection = KeysetProtection.kek(outer);
      }
      LocalKms kms = LocalKms.create(file, protection, "tampered");
      destroyed = kms.primary().id();
      disabled = kms.rotate().id();
      enabled = kms.rotate().id();
      wrapped = kms.wrap(dek(), CTX);
      kms.rotate();
      kms.disable(disabled);
      kms.destroy(destroyed);
      versions = kms.versions();
      json = read(file);
      resetCount();
    }

    private void resetCount() {
      if (outer != null) {
        outer.unwraps.set(0);
      }
    }

    LocalKms open() throws Exception {
      return LocalKms.open(file, kind == Kind.PASSPHRASE ? passphrase() : protection);
    }

    /** Writes the file with {@code edit} applied to its JSON. */
    void tamper(Consumer<JsonObject> edit) throws Exception {
      JsonObject o = JsonParser.parseString(json).getAsJsonObject();
      edit.accept(o);
      String changed = GSON.toJson(o);
      assertNotEquals(GSON.toJson(JsonParser.parseString(json)), changed, "the edit changed nothing");
      Files.write(file.toPath(), changed.getBytes(StandardCharsets.UTF_8));
    }

    void restore() throws Exception {
      Files.write(file.toPath(), json.getBytes(StandardCharsets.UTF_8));
    }
  }

  static String read(File f) throws Exception {
    return new String(Files.readAllBytes(f.toPath()), StandardCharsets.UTF_8);
  }

  static JsonArray ids(long... ids) {
    JsonArray a = new JsonArray();
    for (long id : ids) {
      a.add(new JsonPrimitive(id));
    }
    return a;
  }

  /** The hex string {@code s} with its last digit changed (still lower-case hex). */
  static String flipLastHex(String s) {
    char c = s.charAt(s.length() - 1);
    return s.substring(0, s.length() - 1) + (c == '0' ? '1' : '0');
  }

  /** Every edit of a bound field, for each protection it applies to. */
  static Stream<Arguments> tampers() {
    List<Arguments> out = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      out.add(Arguments.of(kind, "name"));
      out.add(Arguments.of(kind, "destroyed: a live version added"));
      out.add(Arguments.of(kind, "destroyed: emptied"));
      out.add(Arguments.of(kind, "destroyed: another id"));
      out.add(Arguments.of(kind, "format: downgraded to 1"));
      if (kind == Kind.PASSPHRASE) {
        out.add(Arguments.of(kind, "argon2id.salt"));
        out.add(Arguments.of(kind, "argon2id.memoryKiB"));
        out.add(Arguments.of(kind, "argon2id.iterations"));
        out.add(Arguments.of(kind, "argon2id.parallelism"));
      } else {
        out.add(Arguments.of(kind, "kek.uri"));
        out.add(Arguments.of(kind, "kek.version"));
        out.add(Arguments.of(kind, "kek.algorithm"));
        out.add(Arguments.of(kind, "kek.wrapped"));
      }
    }
    return out.stream();
  }

  static void apply(Made m, String what, JsonObject o) {
    JsonObject argon = o.getAsJsonObject("argon2id");
    JsonObject kek = o.getAsJsonObject("kek");
    switch (what) {
      case "name":
        o.addProperty("name", "renamed");
        break;
      case "destroyed: a live version added":
        o.add("destroyed", ids(Math.min(m.destroyed, m.enabled), Math.max(m.destroyed, m.enabled)));
        break;
      case "destroyed: emptied":
        o.add("destroyed", ids());
        break;
      case "destroyed: another id":
        o.add("destroyed", ids(m.destroyed ^ 1));
        break;
      case "format: downgraded to 1":
        o.addProperty("format", "ox-local-keyset/1");
        break;
      case "argon2id.salt":
        argon.addProperty("salt", flipLastHex(argon.get("salt").getAsString()));
        break;
      case "argon2id.memoryKiB":
        argon.addProperty("memoryKiB", 20480);
        break;
      case "argon2id.iterations":
        argon.addProperty("iterations", 3);
        break;
      case "argon2id.parallelism":
        argon.addProperty("parallelism", 2);
        break;
      case "kek.uri":
        kek.addProperty("uri", m.kind == Kind.KEK_LOCAL ? "local://other" : "hpke://x25519/00000000000000000000000000000000");
        break;
      case "kek.version":
        kek.addProperty("version", kek.get("version").getAsString() + "1");
        break;
      case "kek.algorithm":
        kek.addProperty("algorithm", "some-other-algorithm");
        break;
      case "kek.wrapped":
        kek.addProperty("wrapped", flipLastHex(kek.get("wrapped").getAsString()));
        break;
      default:
        throw new AssertionError(what);
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("tampers")
  void aChangedBoundFieldFailsAsAModifiedFile(Kind kind, String what) throws Exception {
    Made m = new Made(kind);
    assertTrue(m.json.contains("\"format\" : \"ox-local-keyset/2\""), "a protected keyset is written in format 2");
    m.tamper(o -> apply(m, what, o));
    AuthenticationException e = assertThrows(AuthenticationException.class, m::open, what);
    assertTrue(e.getMessage().contains("modified"), e.getMessage());
    if (what.equals("kek.uri")) {
      assertEquals(0, m.outer.unwraps.get(), "a kek block naming another KEK calls no KEK");
    }
    // The same edit made through a live instance's re-read is refused too.
    m.restore();
    LocalKms live = m.open();
    m.tamper(o -> apply(m, what, o));
    // (a renamed file is refused before decryption, as "another KEK")
    Class<? extends OxCryptoException> expected =
        what.equals("name") ? OxCryptoException.class : AuthenticationException.class;
    assertThrows(expected, live::rotate, what);
    // Untouched, it opens, as it was.
    m.restore();
    LocalKms again = m.open();
    assertEquals(m.versions, again.versions());
    assertArrayEquals(dek(), again.unwrap(m.wrapped, CTX));
  }

  /** Edits that leave the bound values alone but add or reshape what format 2 does not bind. */
  static Stream<Arguments> unboundShapes() {
    List<Arguments> out = new ArrayList<>();
    for (Kind kind : new Kind[] {Kind.PASSPHRASE, Kind.KEK_LOCAL}) {
      for (String what :
          new String[] {
            "an unknown field",
            "a warning field",
            "an unknown field in the protection block",
            "Tink's keysetInfo claiming the disabled version is the ENABLED primary",
            "a primaryKeyId beside encryptedKeyset",
            "destroyed out of order",
            "destroyed missing",
            "upper-case hex",
            "the other protection's block",
            "protection INSECURE_PLAINTEXT",
            "a kek or argon2id field missing",
          }) {
        out.add(Arguments.of(kind, what));
      }
    }
    return out.stream();
  }

  static void reshape(Made m, String what, JsonObject o) {
    boolean pp = m.kind == Kind.PASSPHRASE;
    JsonObject block = o.getAsJsonObject(pp ? "argon2id" : "kek");
    switch (what) {
      case "an unknown field":
        o.addProperty("comment", "harmless?");
        break;
      case "a warning field":
        o.addProperty("warning", "INSECURE: these keys are in the clear");
        break;
      case "an unknown field in the protection block":
        block.addProperty("note", "harmless?");
        break;
      case "Tink's keysetInfo claiming the disabled version is the ENABLED primary":
        {
          JsonObject key = new JsonObject();
          key.addProperty("typeUrl", AesGcmKeyset.TYPE_URL);
          key.addProperty("status", "ENABLED");
          key.addProperty("keyId", m.disabled);
          key.addProperty("outputPrefixType", "TINK");
          JsonArray keys = new JsonArray();
          keys.add(key);
          JsonObject info = new JsonObject();
          info.addProperty("primaryKeyId", m.disabled);
          info.add("keyInfo", keys);
          o.getAsJsonObject("keyset").add("keysetInfo", info);
          break;
        }
      case "a primaryKeyId beside encryptedKeyset":
        o.getAsJsonObject("keyset").addProperty("primaryKeyId", m.disabled);
        break;
      case "destroyed out of order":
        long other = m.destroyed == 0xffffffffL ? 0 : m.destroyed + 1;
        o.add("destroyed", ids(Math.max(m.destroyed, other), Math.min(m.destroyed, other)));
        break;
      case "destroyed missing":
        o.remove("destroyed");
        break;
      case "upper-case hex":
        String field = pp ? "salt" : "wrapped";
        block.addProperty(field, block.get(field).getAsString().toUpperCase());
        break;
      case "the other protection's block":
        if (pp) {
          JsonObject kek = new JsonObject();
          kek.addProperty("uri", "local://outer");
          kek.addProperty("version", "1");
          kek.addProperty("algorithm", LocalKms.ALGORITHM);
          kek.addProperty("wrapped", "01");
          o.add("kek", kek);
        } else {
          JsonObject argon = new JsonObject();
          argon.addProperty("salt", "00112233445566778899aabbccddeeff");
          argon.addProperty("memoryKiB", 19456);
          argon.addProperty("iterations", 2);
          argon.addProperty("parallelism", 1);
          o.add("argon2id", argon);
        }
        break;
      case "protection INSECURE_PLAINTEXT":
        o.addProperty("protection", "INSECURE_PLAINTEXT");
        break;
      case "a kek or argon2id field missing":
        block.remove(pp ? "parallelism" : "version");
        break;
      default:
        throw new AssertionError(what);
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("unboundShapes")
  void aFormat2FileHoldsNothingUnauthenticated(Kind kind, String what) throws Exception {
    Made m = new Made(kind);
    m.tamper(o -> reshape(m, what, o));
    if (what.equals("a kek or argon2id field missing") && kind == Kind.PASSPHRASE) {
      // Format 1 refused this one too (Argon2id cost 0); format 2 still must.
      assertThrows(FormatException.class, m::open);
      assertTrue(read(m.file).contains("ox-local-keyset/2"));
      return;
    }
    assertThrows(FormatException.class, m::open, what);
    assertThrows(FormatException.class, () -> LocalKms.protectionOf(m.file), what);
  }

  @Test
  void aRepeatedFieldIsRefusedInFormat2() throws Exception {
    Made m = new Made(Kind.KEK_LOCAL);
    String[] repeats = {
      "\"name\" : \"other\",\n  \"name\"",
      "\"destroyed\" : [ ],\n  \"destroyed\"",
      "\"kek\" : {\n    \"uri\" : \"local://x\",\n    \"uri\"",
    };
    String[] anchors = {"\"name\"", "\"destroyed\"", "\"kek\" : {\n    \"uri\""};
    for (int i = 0; i < repeats.length; i++) {
      assertTrue(m.json.contains(anchors[i]), anchors[i]);
      Files.write(
          m.file.toPath(), m.json.replaceFirst(Pattern.quote(anchors[i]), Matcher.quoteReplacement(repeats[i]))
              .getBytes(StandardCharsets.UTF_8));
      assertThrows(FormatException.class, m::open, repeats[i]);
    }
  }

  /**
   * One character changed anywhere in the fields around the ciphertext: the file fails with a
   * typed error, or opens as exactly what it was (whitespace, or the same character again).
   */
  static final String POOL = "0123456789abcdefABCDEF\" {}[],:-/=+xyz\n";

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4})
  void randomEditsNeverOpenAsAnotherKeyset(long seed) throws Exception {
    for (Kind kind : new Kind[] {Kind.KEK_LOCAL, Kind.PASSPHRASE}) {
      Made m = new Made(kind);
      // Edits go outside the ciphertext (any edit of it fails the tag) and leave the Argon2id
      // cost's digits alone: a raised cost is refused (above), but paying it here could cost up
      // to 256 MiB of this JVM's heap.
      boolean[] frozen = new boolean[m.json.length()];
      Matcher spans =
          Pattern.compile("\"(memoryKiB|iterations|parallelism)\" : \\d+|\"encryptedKeyset\" : \"[^\"]*\"")
              .matcher(m.json);
      while (spans.find()) {
        for (int i = spans.start(); i < spans.end(); i++) {
          frozen[i] = true;
        }
      }
      Random r = new Random(seed);
      int trials = kind == Kind.PASSPHRASE ? 15 : 100;
      for (int t = 0; t < trials; t++) {
        char[] c = m.json.toCharArray();
        int pos;
        do {
          pos = r.nextInt(c.length);
        } while (frozen[pos]);
        c[pos] = POOL.charAt(r.nextInt(POOL.length()));
        Files.write(m.file.toPath(), new String(c).getBytes(StandardCharsets.UTF_8));
        String where = kind + " seed " + seed + " trial " + t + ": offset " + pos + " set to '" + c[pos] + "'";
        LocalKms k;
        try {
          k = m.open();
        } catch (AuthenticationException | FormatException expected) {
          continue;
        } catch (Exception e) {
          throw new AssertionError(where + " failed untyped", e);
        }
        // It opened: then the edit changed nothing that matters.
        assertEquals(m.versions, k.versions(), where);
        assertArrayEquals(dek(), k.unwrap(m.wrapped, CTX), where);
      }
    }
  }

  static KeyVersion.Status status(LocalKms kms, long id) {
    for (KeyVersion v : kms.versions()) {
      if (v.id() == id) {
        return v.status();
      }
    }
    return null;
  }
}
