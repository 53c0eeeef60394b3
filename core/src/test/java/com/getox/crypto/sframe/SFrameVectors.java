package com.getox.crypto.sframe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The RFC 9605 test vectors file, read with jackson-core into sections of string-valued cases. */
final class SFrameVectors {
  static final String RELATIVE = "shared/vectors/sframe/rfc9605_test-vectors.json";

  private SFrameVectors() {}

  /** Walks up from user.dir to the first directory holding shared/vectors; fails loudly otherwise. */
  static File file() {
    File dir = new File(System.getProperty("user.dir")).getAbsoluteFile();
    for (File d = dir; d != null; d = d.getParentFile()) {
      if (new File(d, "shared/vectors").isDirectory()) {
        File f = new File(d, RELATIVE);
        if (!f.isFile()) {
          throw new IllegalStateException("found " + d + "/shared/vectors but not " + RELATIVE);
        }
        return f;
      }
    }
    throw new IllegalStateException(
        "no shared/vectors directory above " + dir + ": the RFC 9605 vectors ("
            + RELATIVE + ") must sit beside the repository");
  }

  /** Section name to its cases; every value is its JSON text (numbers as decimal strings). */
  static Map<String, List<Map<String, String>>> load() throws IOException {
    Map<String, List<Map<String, String>>> sections = new LinkedHashMap<>();
    try (InputStream in = new FileInputStream(file());
        JsonParser p = new JsonFactory().createParser(in)) {
      expect(p.nextToken(), JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String section = p.getCurrentName();
        expect(p.nextToken(), JsonToken.START_ARRAY);
        List<Map<String, String>> cases = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
          Map<String, String> c = new LinkedHashMap<>();
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.getCurrentName();
            JsonToken t = p.nextToken();
            if (t != JsonToken.VALUE_STRING && t != JsonToken.VALUE_NUMBER_INT) {
              throw new IOException("unexpected " + t + " for " + section + "." + name);
            }
            c.put(name, p.getText());
          }
          cases.add(c);
        }
        sections.put(section, cases);
      }
    }
    return sections;
  }

  private static void expect(JsonToken got, JsonToken want) throws IOException {
    if (got != want) {
      throw new IOException("vectors file: expected " + want + ", got " + got);
    }
  }

  /** An unsigned 64-bit decimal as a Java long (two's complement bits). */
  static long u64(String decimal) {
    BigInteger v = new BigInteger(decimal);
    if (v.signum() < 0 || v.bitLength() > 64) {
      throw new IllegalArgumentException("not an unsigned 64-bit value: " + decimal);
    }
    return v.longValue();
  }

  static byte[] hex(String s) {
    byte[] b = new byte[s.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }

  static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(String.format("%02x", x & 0xff));
    }
    return sb.toString();
  }
}
