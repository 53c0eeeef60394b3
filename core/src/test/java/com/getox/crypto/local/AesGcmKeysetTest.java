package com.getox.crypto.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.getox.crypto.AuthenticationException;
import com.getox.crypto.EncryptionContext;
import com.getox.crypto.FormatException;
import com.getox.crypto.KmsException;
import com.getox.crypto.TestKeks;
import com.getox.crypto.UnsupportedFormatException;
import com.getox.crypto.kek.WrappedKey;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeyStatus;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.io.File;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hand-written keyset reader and AEAD ({@link AesGcmKeyset}) against Tink itself, in both
 * directions, over random keyset histories; and what it must refuse. Seeded: a failure names its
 * seed; replay it with {@code -Dox.seed=S}.
 */
class AesGcmKeysetTest {
  private static final JsonFactory JSON = new JsonFactory();
  @TempDir File dir;

  @BeforeAll
  static void registerTink() throws Exception {
    Class.forName(TinkKeysets.class.getName()); // registers AES-GCM with Tink
  }

  static LongStream seeds() {
    String one = System.getProperty("ox.seed");
    if (one != null) {
      return LongStream.of(Long.parseLong(one));
    }
    long base = 0x5eed1e55L;
    return LongStream.range(0, Integer.getInteger("ox.seeds", 24)).map(i -> base + i * 0x9E3779B97F4A7C15L);
  }

  /** A ciphertext, the data key it wraps, its context and the version that made it. */
  private static final class Sample {
    final byte[] ciphertext;
    final byte[] dek;
    final EncryptionContext context;
    final long version;

    Sample(byte[] ciphertext, byte[] dek, EncryptionContext context, long version) {
      this.ciphertext = ciphertext;
      this.dek = dek;
      this.context = context;
      this.version = version;
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void handPathAndTinkAgreeOverARandomKeysetHistory(long seed) throws Exception {
    String s = "seed " + seed + ": ";
    Random r = new Random(seed);
    File file = new File(dir, "k" + seed + ".json");
    boolean kekProtected = r.nextInt(3) == 0;
    KeysetProtection protection =
        kekProtected ? KeysetProtection.kek(TestKeks.newLocalKms("outer")) : KeysetProtection.insecurePlaintext();
    LocalKms kms = LocalKms.create(file, protection, "prop");
    List<Sample> byHand = new ArrayList<>();
    List<Sample> byTink = new ArrayList<>();
    Map<Long, KeyVersion.Status> expected = new HashMap<>();
    expected.put(kms.primary().id(), KeyVersion.Status.ENABLED);
    int steps = 2 + r.nextInt(8);
    for (int step = 0; step < steps; step++) {
      // Ciphertexts under the current primary, made both ways.
      for (int i = r.nextInt(3); i >= 0; i--) {
        EncryptionContext ctx = EncryptionContext.builder().put("n", Integer.toString(r.nextInt())).build();
        byte[] dek = new byte[1 + r.nextInt(48)];
        r.nextBytes(dek);
        byHand.add(new Sample(kms.wrap(dek, ctx).wrappedBytes(), dek, ctx, kms.primary().id()));
        if (!kekProtected) {
          byte[] ct = tinkAead(file).encrypt(dek, ctx.canonicalBytes());
          byTink.add(new Sample(ct, dek, ctx, kms.primary().id()));
        }
      }
      List<Long> nonPrimary = new ArrayList<>();
      for (KeyVersion v : kms.versions()) {
        if (!v.isPrimary() && v.status() != KeyVersion.Status.DESTROYED) {
          nonPrimary.add(v.id());
        }
      }
      int op = r.nextInt(4);
      if (op == 0 || nonPrimary.isEmpty()) {
        expected.put(kms.rotate().id(), KeyVersion.Status.ENABLED);
      } else {
        long id = nonPrimary.get(r.nextInt(nonPrimary.size()));
        if (op == 1) {
          kms.disable(id);
          expected.put(id, KeyVersion.Status.DISABLED);
        } else if (op == 2) {
          kms.enable(id);
          expected.put(id, KeyVersion.Status.ENABLED);
        } else {
          kms.destroy(id);
          expected.put(id, KeyVersion.Status.DESTROYED);
        }
      }
    }
    kms.rotate(); // a version rotated after the rest
    LocalKms reopened = LocalKms.open(file, protection);
    assertEquals(kms.versions(), reopened.versions(), s + "versions survive the file");
    assertEquals(kms.primary(), reopened.primary(), s);
    for (Map.Entry<Long, KeyVersion.Status> e : expected.entrySet()) {
      assertTrue(reopened.versions().contains(new KeyVersion(e.getKey(), e.getValue(), false)), s + e);
    }

    KeysetHandle tink = kekProtected ? null : tinkHandle(file);
    if (tink != null) {
      // The hand reader sees exactly Tink's keyset: ids, statuses, primary, order.
      assertEquals(tink.size(), reopened.versions().stream().filter(v -> v.status() != KeyVersion.Status.DESTROYED).count(), s);
      for (int i = 0; i < tink.size(); i++) {
        KeysetHandle.Entry e = tink.getAt(i);
        KeyVersion v = reopened.versions().get(i);
        assertEquals(e.getId() & 0xffffffffL, v.id(), s);
        assertEquals(e.isPrimary(), v.isPrimary(), s);
        assertEquals(e.getStatus() == KeyStatus.ENABLED, v.status() == KeyVersion.Status.ENABLED, s);
      }
    }
    Aead tinkAead = tink == null ? null : tink.getPrimitive(RegistryConfiguration.get(), Aead.class);
    for (Sample x : byHand) {
      checkUnwrap(s, reopened, x, expected.get(x.version));
      if (tinkAead != null) {
        if (expected.get(x.version) == KeyVersion.Status.ENABLED) {
          assertArrayEquals(x.dek, tinkAead.decrypt(x.ciphertext, x.context.canonicalBytes()), s + "Tink opens the hand wrap");
        } else {
          assertThrows(GeneralSecurityException.class, () -> tinkAead.decrypt(x.ciphertext, x.context.canonicalBytes()), s);
        }
      }
    }
    for (Sample x : byTink) {
      checkUnwrap(s, reopened, x, expected.get(x.version));
    }
    // A fresh wrap by hand under the last primary, opened by Tink and by the hand path.
    EncryptionContext ctx = EncryptionContext.builder().put("last", "one").build();
    byte[] dek = new byte[32];
    r.nextBytes(dek);
    WrappedKey w = reopened.wrap(dek, ctx);
    assertArrayEquals(dek, kms.unwrap(w, ctx), s);
    if (tinkAead != null) {
      assertArrayEquals(dek, tinkAead.decrypt(w.wrappedBytes(), ctx.canonicalBytes()), s);
      byte[] ct = tinkAead.encrypt(dek, ctx.canonicalBytes());
      assertArrayEquals(dek, reopened.unwrap(wrapped(reopened, ct), ctx), s + "the hand path opens Tink's wrap");
    }
  }

  private static void checkUnwrap(String s, LocalKms kms, Sample x, KeyVersion.Status status) throws Exception {
    WrappedKey w = wrapped(kms, x.ciphertext);
    if (status == KeyVersion.Status.ENABLED) {
      assertArrayEquals(x.dek, kms.unwrap(w, x.context), s + "version " + x.version);
      EncryptionContext other = EncryptionContext.builder().put("n", "other").build();
      assertThrows(AuthenticationException.class, () -> kms.unwrap(w, other), s);
    } else {
      KmsException e = assertThrows(KmsException.class, () -> kms.unwrap(w, x.context), s);
      assertTrue(e.getMessage().contains(status == KeyVersion.Status.DISABLED ? "disabled" : "destroyed"), s + e);
    }
  }

  private static WrappedKey wrapped(LocalKms kms, byte[] ct) {
    long id = ((ct[1] & 0xffL) << 24) | ((ct[2] & 0xff) << 16) | ((ct[3] & 0xff) << 8) | (ct[4] & 0xff);
    return WrappedKey.create(kms.uri(), Long.toString(id), LocalKms.ALGORITHM, ct);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void tinkKeysetsOfAnyShapeReadTheSameFromJsonAndProto(long seed) throws Exception {
    Random r = new Random(seed);
    KeysetHandle.Builder b = KeysetHandle.newBuilder();
    int n = 1 + r.nextInt(6);
    int primary = r.nextInt(n);
    for (int i = 0; i < n; i++) {
      KeysetHandle.Builder.Entry e =
          KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM).withRandomId();
      if (i == primary) {
        e.makePrimary();
      } else if (r.nextBoolean()) {
        e.setStatus(KeyStatus.DISABLED);
      }
      b.addEntry(e);
    }
    KeysetHandle h = b.build();
    AesGcmKeyset fromProto = AesGcmKeyset.fromProto(proto(h));
    AesGcmKeyset fromJson = readJson(TinkJsonProtoKeysetFormat.serializeKeyset(h, InsecureSecretKeyAccess.get()));
    Aead tink = h.getPrimitive(RegistryConfiguration.get(), Aead.class);
    for (AesGcmKeyset k : new AesGcmKeyset[] {fromProto, fromJson}) {
      assertEquals(n, k.versions().size());
      assertEquals(h.getPrimary().getId() & 0xffffffffL, k.primary().id);
      for (int i = 0; i < n; i++) {
        assertEquals(h.getAt(i).getId() & 0xffffffffL, k.versions().get(i).id);
        assertEquals(h.getAt(i).getStatus() == KeyStatus.ENABLED, k.versions().get(i).enabled);
      }
      byte[] ad = new byte[r.nextInt(3) * 7];
      r.nextBytes(ad);
      byte[] pt = new byte[r.nextInt(100)];
      r.nextBytes(pt);
      assertArrayEquals(pt, tink.decrypt(k.encrypt(pt, ad, new java.security.SecureRandom()), ad));
      byte[] ct = tink.encrypt(pt, ad);
      assertArrayEquals(pt, AesGcmKeyset.decrypt(k.primary(), ct, ad));
      // Back through Tink's writer: the same keyset, byte for byte.
      assertArrayEquals(proto(h), proto(TinkKeysets.toHandle(k)));
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomBytesAreRefusedAsFormatExceptions(long seed) {
    Random r = new Random(seed);
    for (int i = 0; i < 200; i++) {
      byte[] junk = new byte[r.nextInt(80)];
      r.nextBytes(junk);
      if (r.nextBoolean() && junk.length > 2) {
        junk[0] = 0x12; // a plausible Key field
        junk[1] = (byte) (junk.length - 2);
      }
      try {
        AesGcmKeyset.fromProto(junk);
      } catch (FormatException expected) {
        continue;
      } catch (RuntimeException e) {
        fail("seed " + seed + ": " + e);
      }
    }
  }

  // ---- What the reader refuses ----

  private static String jsonKeyset(String typeUrl, byte[] keyProto, String status, String prefix, String material) {
    return "{\"primaryKeyId\":7,\"key\":[{\"keyData\":{\"typeUrl\":\"" + typeUrl + "\",\"value\":\""
        + Base64.getEncoder().encodeToString(keyProto) + "\",\"keyMaterialType\":\"" + material
        + "\"},\"status\":\"" + status + "\",\"keyId\":7,\"outputPrefixType\":\"" + prefix + "\"}]}";
  }

  private static byte[] goodKey() {
    byte[] k = new byte[34];
    k[0] = 0x1a;
    k[1] = 32;
    return k;
  }

  @Test
  void aWellFormedHandMadeKeysetReads() throws Exception {
    AesGcmKeyset k = readJson(jsonKeyset(AesGcmKeyset.TYPE_URL, goodKey(), "ENABLED", "TINK", "SYMMETRIC"));
    assertEquals(7, k.primary().id);
    byte[] explicitVersion = new byte[36];
    explicitVersion[0] = 0x08; // version = 0, written out
    System.arraycopy(goodKey(), 0, explicitVersion, 2, 34);
    readJson(jsonKeyset(AesGcmKeyset.TYPE_URL, explicitVersion, "ENABLED", "TINK", "SYMMETRIC"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "version 1", "16-byte key", "33-byte key", "no key", "unknown field", "repeated key",
        "truncated", "overlong length", "empty"
      })
  void malformedAesGcmKeyProtosAreRefused(String how) {
    byte[] good = goodKey();
    byte[] bad;
    switch (how) {
      case "version 1": bad = concat(new byte[] {0x08, 1}, good); break;
      case "16-byte key": bad = new byte[18]; bad[0] = 0x1a; bad[1] = 16; break;
      case "33-byte key": bad = new byte[35]; bad[0] = 0x1a; bad[1] = 33; break;
      case "no key": bad = new byte[] {0x08, 0}; break;
      case "unknown field": bad = concat(good, new byte[] {0x10, 1}); break;
      case "repeated key": bad = concat(good, good); break;
      case "truncated": bad = java.util.Arrays.copyOf(good, 20); break;
      case "overlong length": bad = new byte[] {0x1a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}; break;
      case "empty": bad = new byte[0]; break;
      default: throw new AssertionError(how);
    }
    FormatException e = assertThrows(FormatException.class,
        () -> readJson(jsonKeyset(AesGcmKeyset.TYPE_URL, bad, "ENABLED", "TINK", "SYMMETRIC")), how);
    assertTrue(e.getMessage().startsWith("keyset is not valid"), e.getMessage());
  }

  @Test
  void otherKeyTypesPrefixesStatusesAndMaterialsAreRefused() {
    byte[] k = goodKey();
    assertThrows(UnsupportedFormatException.class, () -> readJson(
        jsonKeyset("type.googleapis.com/google.crypto.tink.AesEaxKey", k, "ENABLED", "TINK", "SYMMETRIC")));
    assertThrows(UnsupportedFormatException.class, () -> readJson(
        jsonKeyset("type.googleapis.com/google.crypto.tink.AesGcmSivKey", k, "ENABLED", "TINK", "SYMMETRIC")));
    for (String prefix : new String[] {"RAW", "LEGACY", "CRUNCHY", "tink"}) {
      assertThrows(FormatException.class,
          () -> readJson(jsonKeyset(AesGcmKeyset.TYPE_URL, k, "ENABLED", prefix, "SYMMETRIC")), prefix);
    }
    for (String status : new String[] {"DESTROYED", "UNKNOWN_STATUS", "DISABLED"}) {
      // DISABLED: the only key is the primary, which must be enabled.
      assertThrows(FormatException.class,
          () -> readJson(jsonKeyset(AesGcmKeyset.TYPE_URL, k, status, "TINK", "SYMMETRIC")), status);
    }
    assertThrows(FormatException.class,
        () -> readJson(jsonKeyset(AesGcmKeyset.TYPE_URL, k, "ENABLED", "TINK", "ASYMMETRIC_PRIVATE")));
  }

  @Test
  void malformedKeysetStructureIsRefused() {
    String good = jsonKeyset(AesGcmKeyset.TYPE_URL, goodKey(), "ENABLED", "TINK", "SYMMETRIC");
    String[] bad = {
      good.replace("\"primaryKeyId\":7,", ""),
      good.replace("\"primaryKeyId\":7", "\"primaryKeyId\":8"),
      good.replace("\"primaryKeyId\":7", "\"primaryKeyId\":-7"),
      good.replace("\"primaryKeyId\":7", "\"primaryKeyId\":4294967296"),
      good.replace("\"primaryKeyId\":7", "\"primaryKeyId\":\"7\""),
      good.replace("\"keyId\":7", "\"keyId\":99999999999999999999999"),
      good.replace(",\"keyId\":7", ""),
      good.replace("\"key\":[", "\"key\":[1,"),
      "{\"primaryKeyId\":7,\"key\":[]}",
      good.replace("}]}", "},") + good.substring(good.indexOf("{\"keyData")),
      good.replace("\"status\"", "\"extra\":1,\"status\""),
      good.replace("{\"primaryKeyId\"", "{\"surprise\":true,\"primaryKeyId\""),
      good.replace("\"value\":\"", "\"value\":\"!"),
    };
    for (String json : bad) {
      try {
        readJson(json);
        fail("accepted " + json);
      } catch (FormatException expected) {
        // good
      } catch (Exception e) {
        fail(json + " -> " + e);
      }
    }
  }

  @Test
  void wrappedKeysWithTheWrongPrefixOrTamperingAreRefused() throws Exception {
    LocalKms kms = LocalKms.create(new File(dir, "w.json"), KeysetProtection.insecurePlaintext(), "w");
    EncryptionContext ctx = EncryptionContext.builder().put("a", "b").build();
    WrappedKey w = kms.wrap(new byte[32], ctx);
    byte[] ct = w.wrappedBytes();
    assertEquals(AesGcmKeyset.PREFIX_BYTES + AesGcmKeyset.IV_BYTES + 32 + AesGcmKeyset.TAG_BYTES, ct.length);
    for (int i = 0; i < ct.length; i++) {
      byte[] t = ct.clone();
      t[i] ^= (byte) (i == 0 ? 0x01 : 0x40); // i == 0: a RAW/LEGACY-style 0x00 prefix
      WrappedKey tw = WrappedKey.create(w.kekUri(), w.kekVersion(), w.algorithm(), t);
      assertThrows(AuthenticationException.class, () -> kms.unwrap(tw, ctx), "byte " + i);
    }
    byte[] shortCt = java.util.Arrays.copyOf(ct, AesGcmKeyset.PREFIX_BYTES + AesGcmKeyset.IV_BYTES + 15);
    assertThrows(AuthenticationException.class,
        () -> kms.unwrap(WrappedKey.create(w.kekUri(), w.kekVersion(), w.algorithm(), shortCt), ctx));
  }

  @Test
  void aTamperedEncryptedKeysetFailsAuthentication() throws Exception {
    File f = new File(dir, "e.json");
    LocalKms outer = TestKeks.newLocalKms("outer");
    LocalKms.create(f, KeysetProtection.kek(outer), "e");
    String text = new String(Files.readAllBytes(f.toPath()), StandardCharsets.UTF_8);
    int at = text.indexOf("\"encryptedKeyset\" : \"") + 30;
    char c = text.charAt(at);
    String tampered = text.substring(0, at) + (c == 'A' ? 'B' : 'A') + text.substring(at + 1);
    Files.write(f.toPath(), tampered.getBytes(StandardCharsets.UTF_8));
    assertThrows(AuthenticationException.class, () -> LocalKms.open(f, KeysetProtection.kek(outer)));
  }

  @Test
  void aFileWithAnUnsupportedKeyTypeIsRefusedOnOpen() throws Exception {
    File f = new File(dir, "t.json");
    LocalKms.create(f, KeysetProtection.insecurePlaintext(), "t");
    String text = new String(Files.readAllBytes(f.toPath()), StandardCharsets.UTF_8);
    Files.write(f.toPath(), text.replace("AesGcmKey", "AesGcmSivKey").getBytes(StandardCharsets.UTF_8));
    assertThrows(UnsupportedFormatException.class, () -> LocalKms.open(f, KeysetProtection.insecurePlaintext()));
  }

  // ---- helpers ----

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] proto(KeysetHandle h) throws GeneralSecurityException {
    return TinkProtoKeysetFormat.serializeKeyset(h, InsecureSecretKeyAccess.get());
  }

  private static AesGcmKeyset readJson(String json) throws Exception {
    JsonReader p = new JsonReader(json.getBytes(StandardCharsets.UTF_8));
    if (p.next() != JsonReader.Token.START_OBJECT) {
      throw new FormatException("not an object");
    }
    AesGcmKeyset k = AesGcmKeyset.fromJson(AesGcmKeyset.readJson(p));
    if (p.next() != JsonReader.Token.END) {
      throw new FormatException("trailing content");
    }
    return k;
  }

  /** The Tink JSON keyset inside a plaintext keyset file. */
  private static String keysetJson(File file) throws Exception {
    try (JsonParser p = JSON.createParser(file)) {
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.getCurrentName();
        p.nextToken();
        if (name.equals("keyset")) {
          StringWriter w = new StringWriter();
          try (JsonGenerator g = JSON.createGenerator(w)) {
            g.copyCurrentStructure(p);
          }
          return w.toString();
        }
        p.skipChildren();
      }
    }
    throw new AssertionError("no keyset in " + file);
  }

  private static KeysetHandle tinkHandle(File file) throws Exception {
    return TinkJsonProtoKeysetFormat.parseKeyset(keysetJson(file), InsecureSecretKeyAccess.get());
  }

  private static Aead tinkAead(File file) throws Exception {
    return tinkHandle(file).getPrimitive(RegistryConfiguration.get(), Aead.class);
  }
}
