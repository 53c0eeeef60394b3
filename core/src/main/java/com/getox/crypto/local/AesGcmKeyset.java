package com.getox.crypto.local;

import com.getox.crypto.FormatException;
import com.getox.crypto.UnsupportedFormatException;
import com.getox.crypto.local.JsonReader.Token;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A Tink keyset of AES-256-GCM keys, read and used without Tink. Immutable.
 *
 * <p>Why by hand: in a fresh JVM, opening a keyset through Tink cost more than the whole raw-JCE
 * cold start (2-core Ice Lake, JDK 17: registering Tink's AES-GCM key manager ~120-145 ms,
 * TinkJsonProtoKeysetFormat with gson and protobuf ~70 ms, the first Tink AEAD walking every JCA
 * provider ~50 ms; see benchmarks/results/cold-start-*.md), and serverless workers pay it on every
 * start. What opening and wrapping need is small and fixed, so it is done here: Tink's JSON keyset,
 * or its binary Keyset proto for encrypted keysets; each key an AesGcmKey proto (version 0, 32-byte
 * key); and Tink's AES-GCM with the TINK output prefix, {@code 0x01 || key id (4 bytes, big-endian)
 * || 12-byte random IV || ciphertext || 16-byte tag}, the associated data passed as is. Anything
 * else is refused with a {@link FormatException}. Tink still creates, changes and writes keysets
 * ({@link TinkKeysets}), and the tests cross-check this class against Tink in both directions.
 */
final class AesGcmKeyset {
  static final String TYPE_URL = "type.googleapis.com/google.crypto.tink.AesGcmKey";
  static final int PREFIX_BYTES = 5;
  static final int IV_BYTES = 12;
  static final int TAG_BYTES = 16;
  static final int KEY_BYTES = 32;
  // Tink's proto enums (tink.proto): KeyStatusType, OutputPrefixType, KeyMaterialType.
  private static final int ENABLED = 1;
  private static final int DISABLED = 2;
  private static final int TINK = 1;
  private static final int SYMMETRIC = 1;

  /** One key version. */
  static final class Version {
    final long id;
    final boolean enabled;
    final SecretKeySpec key;

    Version(long id, boolean enabled, SecretKeySpec key) {
      this.id = id;
      this.enabled = enabled;
      this.key = key;
    }

    @Override
    public String toString() {
      return "Version{" + id + (enabled ? "" : ", disabled") + "}"; // never the key
    }
  }

  private final List<Version> versions;
  private final Version primary;

  private AesGcmKeyset(List<Version> versions, Version primary) {
    this.versions = Collections.unmodifiableList(versions);
    this.primary = primary;
  }

  /** Every version, in keyset order. */
  List<Version> versions() {
    return versions;
  }

  Version primary() {
    return primary;
  }

  /** The version {@code id}, or null. */
  Version find(long id) {
    for (Version v : versions) {
      if (v.id == id) {
        return v;
      }
    }
    return null;
  }

  /** This keyset with version {@code id} enabled or disabled. */
  AesGcmKeyset withEnabled(long id, boolean enabled) {
    List<Version> out = new ArrayList<>(versions);
    Version primaryOut = primary;
    for (int i = 0; i < out.size(); i++) {
      Version v = out.get(i);
      if (v.id == id) {
        out.set(i, new Version(id, enabled, v.key));
        primaryOut = v == primary ? out.get(i) : primary;
      }
    }
    return new AesGcmKeyset(out, primaryOut);
  }

  /** This keyset without version {@code id} (not the primary). */
  AesGcmKeyset without(long id) {
    List<Version> out = new ArrayList<>(versions);
    out.removeIf(v -> v.id == id && v != primary);
    return new AesGcmKeyset(out, primary);
  }

  /** Tink's AEAD encrypt with the primary: the TINK prefix, a random IV, then AES-GCM. */
  byte[] encrypt(byte[] plaintext, byte[] associatedData, SecureRandom random)
      throws GeneralSecurityException {
    byte[] out = new byte[PREFIX_BYTES + IV_BYTES + plaintext.length + TAG_BYTES];
    out[0] = 1;
    long id = primary.id;
    out[1] = (byte) (id >>> 24);
    out[2] = (byte) (id >>> 16);
    out[3] = (byte) (id >>> 8);
    out[4] = (byte) id;
    byte[] iv = new byte[IV_BYTES];
    random.nextBytes(iv);
    System.arraycopy(iv, 0, out, PREFIX_BYTES, IV_BYTES);
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(Cipher.ENCRYPT_MODE, primary.key, new GCMParameterSpec(8 * TAG_BYTES, iv));
    c.updateAAD(associatedData);
    c.doFinal(plaintext, 0, plaintext.length, out, PREFIX_BYTES + IV_BYTES);
    return out;
  }

  /**
   * Tink's AEAD decrypt with {@code version}, whose id the caller matched to the prefix. Throws
   * {@link javax.crypto.AEADBadTagException} if the ciphertext or associated data was changed.
   */
  static byte[] decrypt(Version version, byte[] ciphertext, byte[] associatedData)
      throws GeneralSecurityException {
    return decrypt(version.key, ciphertext, PREFIX_BYTES, associatedData);
  }

  /** AES-GCM of {@code IV || ciphertext || tag} starting at {@code offset}, as Tink's AesGcmJce. */
  static byte[] decrypt(SecretKeySpec key, byte[] ciphertext, int offset, byte[] associatedData)
      throws GeneralSecurityException {
    if (ciphertext.length - offset < IV_BYTES + TAG_BYTES) {
      throw new javax.crypto.AEADBadTagException("ciphertext too short");
    }
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(8 * TAG_BYTES, ciphertext, offset, IV_BYTES));
    c.updateAAD(associatedData);
    return c.doFinal(ciphertext, offset + IV_BYTES, ciphertext.length - offset - IV_BYTES);
  }

  /** One key of a keyset as Tink stores it, before validation. */
  private static final class Entry {
    String typeUrl;
    byte[] value;
    int keyMaterialType;
    int status;
    long keyId;
    int outputPrefixType;
  }

  /** The {@code keyset} object of a keyset file: Tink's JSON keyset, or its encrypted form. */
  static final class Json {
    long primaryId = -1;
    List<Entry> keys;
    byte[] encrypted;
    boolean keysetInfo; // Tink's unauthenticated keysetInfo was present (format 2 refuses it)

    boolean isEncrypted() {
      return encrypted != null;
    }

    void wipe() {
      if (keys != null) {
        for (Entry e : keys) {
          Arrays.fill(e.value, (byte) 0);
        }
      }
    }
  }

  /**
   * Reads Tink's JSON keyset or JSON encrypted keyset from {@code p}, which is at the object's
   * START_OBJECT. Wipe the result when done.
   */
  static Json readJson(JsonReader p) throws FormatException {
    Json j = new Json();
    while (p.next() == Token.FIELD_NAME) {
      String field = p.text();
      Token t = p.next();
      switch (field) {
        case "primaryKeyId":
          j.primaryId = uint32(p, "primaryKeyId");
          break;
        case "key":
          expect(t == Token.START_ARRAY && j.keys == null, "key is not one array");
          j.keys = new ArrayList<>();
          while (p.next() == Token.START_OBJECT) {
            j.keys.add(readJsonKey(p));
          }
          expect(p.token() == Token.END_ARRAY, "key holds a non-object");
          break;
        case "encryptedKeyset":
          expect(t == Token.STRING && j.encrypted == null, "encryptedKeyset is not one string");
          j.encrypted = p.base64();
          break;
        case "keysetInfo": // unauthenticated metadata Tink also ignores when decrypting
          j.keysetInfo = true;
          p.skipChildren();
          break;
        default:
          throw invalid("unknown field " + quote(field));
      }
    }
    return j;
  }

  private static Entry readJsonKey(JsonReader p) throws FormatException {
    Entry e = new Entry();
    e.keyId = -1;
    while (p.next() == Token.FIELD_NAME) {
      String field = p.text();
      Token t = p.next();
      switch (field) {
        case "keyData":
          expect(t == Token.START_OBJECT, "keyData is not an object");
          while (p.next() == Token.FIELD_NAME) {
            String k = p.text();
            Token v = p.next();
            if (k.equals("typeUrl") && v == Token.STRING && e.typeUrl == null) {
              e.typeUrl = p.text();
            } else if (k.equals("value") && v == Token.STRING && e.value == null) {
              e.value = p.base64();
            } else if (k.equals("keyMaterialType") && v == Token.STRING) {
              e.keyMaterialType = p.text().equals("SYMMETRIC") ? SYMMETRIC : -1;
            } else {
              throw invalid("keyData has an unexpected field " + quote(k));
            }
          }
          break;
        case "status":
          expect(t == Token.STRING, "status is not a string");
          String s = p.text();
          e.status = s.equals("ENABLED") ? ENABLED : s.equals("DISABLED") ? DISABLED : -1;
          break;
        case "keyId":
          e.keyId = uint32(p, "keyId");
          break;
        case "outputPrefixType":
          expect(t == Token.STRING, "outputPrefixType is not a string");
          e.outputPrefixType = p.text().equals("TINK") ? TINK : -1;
          break;
        default:
          throw invalid("a key has an unexpected field " + quote(field));
      }
    }
    expect(e.typeUrl != null && e.value != null, "a key has no keyData");
    expect(e.keyId >= 0, "a key has no keyId");
    return e;
  }

  /** The keyset {@code j} holds in the clear. Wipes {@code j}'s key material. */
  static AesGcmKeyset fromJson(Json j) throws FormatException {
    try {
      expect(j.keys != null && !j.isEncrypted(), "keyset is not a plaintext keyset");
      expect(j.primaryId >= 0, "keyset has no primaryKeyId");
      return validate(j.primaryId, j.keys);
    } finally {
      j.wipe();
    }
  }

  /**
   * Parses Tink's binary Keyset proto: {@code primary_key_id = 1} (uint32), {@code key = 2}
   * (repeated Key: {@code key_data = 1} (KeyData: {@code type_url = 1}, {@code value = 2}, {@code
   * key_material_type = 3}), {@code status = 2}, {@code key_id = 3}, {@code output_prefix_type =
   * 4}). Unknown or repeated singular fields are refused. Does not keep {@code keyset}.
   */
  static AesGcmKeyset fromProto(byte[] keyset) throws FormatException {
    Proto in = new Proto(keyset, 0, keyset.length);
    long primaryId = 0;
    List<Entry> keys = new ArrayList<>();
    try {
      int seen = 0;
      while (in.more()) {
        int tag = in.tag();
        if (tag == (1 << 3)) {
          seen = once(seen, 1);
          primaryId = in.uint32();
        } else if (tag == (2 << 3 | 2)) {
          keys.add(protoKey(in.message()));
        } else {
          throw invalid("proto has an unexpected field (tag " + tag + ")");
        }
      }
      return validate(primaryId, keys);
    } finally {
      for (Entry e : keys) {
        Arrays.fill(e.value, (byte) 0);
      }
    }
  }

  private static Entry protoKey(Proto in) throws FormatException {
    Entry e = new Entry();
    int seen = 0;
    while (in.more()) {
      int tag = in.tag();
      if (tag == (1 << 3 | 2)) {
        seen = once(seen, 1);
        Proto data = in.message();
        int dataSeen = 0;
        while (data.more()) {
          int t = data.tag();
          if (t == (1 << 3 | 2)) {
            dataSeen = once(dataSeen, 1);
            byte[] url = data.bytes();
            e.typeUrl = new String(url, java.nio.charset.StandardCharsets.UTF_8);
          } else if (t == (2 << 3 | 2)) {
            dataSeen = once(dataSeen, 2);
            e.value = data.bytes();
          } else if (t == (3 << 3)) {
            dataSeen = once(dataSeen, 3);
            e.keyMaterialType = data.enumValue();
          } else {
            throw invalid("proto KeyData has an unexpected field (tag " + t + ")");
          }
        }
      } else if (tag == (2 << 3)) {
        seen = once(seen, 2);
        e.status = in.enumValue();
      } else if (tag == (3 << 3)) {
        seen = once(seen, 3);
        e.keyId = in.uint32();
      } else if (tag == (4 << 3)) {
        seen = once(seen, 4);
        e.outputPrefixType = in.enumValue();
      } else {
        throw invalid("proto Key has an unexpected field (tag " + tag + ")");
      }
    }
    if (e.value == null) {
      e.value = new byte[0];
    }
    if (e.typeUrl == null) {
      e.typeUrl = "";
    }
    return e;
  }

  /** The one gate for both encodings: only ENABLED/DISABLED TINK-prefix AES-256-GCM keys pass. */
  private static AesGcmKeyset validate(long primaryId, List<Entry> keys) throws FormatException {
    expect(!keys.isEmpty(), "keyset has no keys");
    List<Version> versions = new ArrayList<>(keys.size());
    Version primary = null;
    for (Entry e : keys) {
      if (!TYPE_URL.equals(e.typeUrl)) {
        throw new UnsupportedFormatException(
            "keyset holds a key of type " + quote(e.typeUrl) + "; only AES-GCM keys are supported");
      }
      if (e.keyMaterialType != SYMMETRIC) {
        throw invalid("key " + e.keyId + " is not SYMMETRIC key material");
      }
      if (e.outputPrefixType != TINK) {
        throw invalid("key " + e.keyId + " does not use the TINK output prefix");
      }
      if (e.status != ENABLED && e.status != DISABLED) {
        throw invalid("key " + e.keyId + " is neither ENABLED nor DISABLED");
      }
      for (Version v : versions) {
        if (v.id == e.keyId) {
          throw invalid("key id " + e.keyId + " appears twice");
        }
      }
      Version v = new Version(e.keyId, e.status == ENABLED, aesGcmKey(e.value, e.keyId));
      versions.add(v);
      if (v.id == primaryId) {
        primary = v;
      }
    }
    if (primary == null) {
      throw invalid("primaryKeyId " + primaryId + " is not in the keyset");
    }
    if (!primary.enabled) {
      throw invalid("the primary key " + primaryId + " is not ENABLED");
    }
    return new AesGcmKeyset(versions, primary);
  }

  /** Decodes an AesGcmKey proto: {@code version = 1} (must be 0), {@code key_value = 3} (32 bytes). */
  private static SecretKeySpec aesGcmKey(byte[] proto, long id) throws FormatException {
    Proto in = new Proto(proto, 0, proto.length);
    byte[] key = null;
    try {
      int seen = 0;
      while (in.more()) {
        int tag = in.tag();
        if (tag == (1 << 3)) {
          seen = once(seen, 1);
          if (in.varint() != 0) {
            throw invalid("AES-GCM key " + id + " has an unknown version");
          }
        } else if (tag == (3 << 3 | 2)) {
          seen = once(seen, 3);
          key = in.bytes();
        } else {
          throw invalid("AES-GCM key " + id + " has an unexpected field (tag " + tag + ")");
        }
      }
      if (key == null || key.length != KEY_BYTES) {
        throw invalid("AES-GCM key " + id + " is not 32 bytes");
      }
      return new SecretKeySpec(key, "AES");
    } finally {
      if (key != null) {
        Arrays.fill(key, (byte) 0);
      }
    }
  }

  /** A bounded reader of the protobuf wire format: varints and length-delimited fields only. */
  private static final class Proto {
    private final byte[] b;
    private int pos;
    private final int end;

    Proto(byte[] b, int pos, int end) {
      this.b = b;
      this.pos = pos;
      this.end = end;
    }

    boolean more() {
      return pos < end;
    }

    int tag() throws FormatException {
      long t = varint();
      if (t <= 0 || t > Integer.MAX_VALUE) {
        throw invalid("proto has an invalid tag");
      }
      return (int) t;
    }

    long varint() throws FormatException {
      long r = 0;
      for (int shift = 0; shift < 64 && pos < end; shift += 7) {
        byte x = b[pos++];
        r |= (long) (x & 0x7f) << shift;
        if (x >= 0) {
          return r;
        }
      }
      throw invalid("proto has a truncated or overlong varint");
    }

    long uint32() throws FormatException {
      long v = varint();
      if (v >>> 32 != 0) {
        throw invalid("proto has a key id over 32 bits");
      }
      return v;
    }

    int enumValue() throws FormatException {
      long v = varint();
      return v >= 0 && v <= 16 ? (int) v : -1;
    }

    private int length() throws FormatException {
      long n = varint();
      if (n < 0 || n > end - pos) {
        throw invalid("proto has a field longer than its message");
      }
      return (int) n;
    }

    byte[] bytes() throws FormatException {
      int n = length();
      byte[] out = Arrays.copyOfRange(b, pos, pos + n);
      pos += n;
      return out;
    }

    Proto message() throws FormatException {
      int n = length();
      Proto m = new Proto(b, pos, pos + n);
      pos += n;
      return m;
    }
  }

  private static int once(int seen, int field) throws FormatException {
    if ((seen & (1 << field)) != 0) {
      throw invalid("proto repeats field " + field);
    }
    return seen | (1 << field);
  }

  private static long uint32(JsonReader p, String name) throws FormatException {
    if (p.token() != Token.NUMBER) {
      throw invalid(name + " is not an integer");
    }
    long v = p.longValue();
    if (v < 0 || v > 0xffffffffL) {
      throw invalid(name + " is not an unsigned 32-bit integer");
    }
    return v;
  }

  /** Field names and type URLs come from the file: print them bounded and printable. */
  static String quote(String s) {
    if (s.length() > 80) {
      s = s.substring(0, 80) + "...";
    }
    return "'" + s.replaceAll("[^\\x20-\\x7e]", "?") + "'";
  }

  /** Messages with values are built only on failure: a concatenation costs a cold JVM its bootstrap. */
  private static void expect(boolean ok, String message) throws FormatException {
    if (!ok) {
      throw invalid(message);
    }
  }

  private static FormatException invalid(String message) {
    return new FormatException("keyset is not valid: " + message);
  }
}
