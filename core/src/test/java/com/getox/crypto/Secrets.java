package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Finds raw key bytes in keyset files and checks that text does not contain them. */
final class Secrets {
  private Secrets() {}

  /** Fails if {@code text} holds {@code secret} as hex (either case) or base64 (either alphabet). */
  static void assertNoneOf(String text, byte[] secret, String what) {
    String hex = Vectors.toHex(secret);
    for (String form : new String[] {
        hex, hex.toUpperCase(java.util.Locale.ROOT),
        Base64.getEncoder().withoutPadding().encodeToString(secret),
        Base64.getUrlEncoder().withoutPadding().encodeToString(secret)}) {
      assertFalse(text.contains(form), what + " appears in: " + text);
    }
    // Also as ISO-8859-1 characters, in case bytes were turned into a String directly.
    assertFalse(text.contains(new String(secret, java.nio.charset.StandardCharsets.ISO_8859_1)), what);
  }

  /**
   * The 32-byte AES keys of an insecure-plaintext keyset file: each Tink key's {@code value} is a
   * serialized AesGcmKey proto that ends with the raw key (field 3, length 32).
   */
  @SuppressWarnings("unchecked")
  static List<byte[]> rawKeysOf(File keysetFile) throws IOException {
    Map<String, Object> root = VectorsAccess.jsonFile(keysetFile);
    Map<String, Object> keyset = (Map<String, Object>) root.get("keyset");
    List<byte[]> out = new ArrayList<>();
    for (Map<String, Object> key : (List<Map<String, Object>>) keyset.get("key")) {
      Map<String, Object> data = (Map<String, Object>) key.get("keyData");
      byte[] proto = Base64.getDecoder().decode((String) data.get("value"));
      byte[] raw = new byte[32];
      System.arraycopy(proto, proto.length - 32, raw, 0, 32);
      if (proto[proto.length - 34] != 0x1a || proto[proto.length - 33] != 32) {
        throw new IllegalStateException("unexpected AesGcmKey encoding");
      }
      out.add(raw);
    }
    if (out.isEmpty()) {
      throw new IllegalStateException("no keys in " + keysetFile + ": " + new String(Files.readAllBytes(keysetFile.toPath()), "UTF-8").length());
    }
    return out;
  }
}
