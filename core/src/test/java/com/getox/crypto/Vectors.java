package com.getox.crypto;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Test-vector plumbing: finds the shared vectors directory (a sibling of the repository,
 * {@code ../shared/vectors} from the repository root) by walking up from {@code user.dir}, parses
 * JSON into plain maps and lists with jackson-core's streaming parser (core has no databind), and
 * decodes hex and zlib.
 */
final class Vectors {
  private Vectors() {}

  /** The {@code shared/vectors} directory; fails loudly if it cannot be found. */
  static File dir() {
    String override = System.getProperty("ox.vectors.dir");
    if (override != null) {
      File f = new File(override);
      if (!f.isDirectory()) {
        throw new IllegalStateException("-Dox.vectors.dir=" + override + " is not a directory");
      }
      return f;
    }
    File start = new File(System.getProperty("user.dir")).getAbsoluteFile();
    for (File d = start; d != null; d = d.getParentFile()) {
      File candidate = new File(new File(d, "shared"), "vectors");
      if (candidate.isDirectory()) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "cannot find shared/vectors walking up from "
            + start
            + ": the conformance vectors live beside the repository (../shared/vectors from its"
            + " root); set -Dox.vectors.dir=... to point at them");
  }

  static File file(String relative) {
    File f = new File(dir(), relative);
    if (!f.isFile()) {
      throw new IllegalStateException("missing vector file " + f);
    }
    return f;
  }

  static Map<String, Object> json(String relative) {
    return jsonFile(file(relative));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> jsonFile(File f) {
    try (JsonParser p = new JsonFactory().createParser(f)) {
      p.nextToken();
      return (Map<String, Object>) value(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A JSON object given as text. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> jsonText(String text) {
    try (JsonParser p = new JsonFactory().createParser(text)) {
      p.nextToken();
      return (Map<String, Object>) value(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Object value(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT:
        {
          Map<String, Object> m = new LinkedHashMap<>();
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            m.put(name, value(p));
          }
          return m;
        }
      case START_ARRAY:
        {
          List<Object> l = new ArrayList<>();
          while (p.nextToken() != JsonToken.END_ARRAY) {
            l.add(value(p));
          }
          return l;
        }
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return p.getLongValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new IOException("unexpected JSON token " + t);
    }
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> list(Object o) {
    return (List<Map<String, Object>>) o;
  }

  @SuppressWarnings("unchecked")
  static List<String> strings(Object o) {
    return o == null ? new ArrayList<String>() : (List<String>) o;
  }

  static byte[] hex(Object s) {
    String h = (String) s;
    if (h.length() % 2 != 0) {
      throw new IllegalArgumentException("odd-length hex");
    }
    byte[] out = new byte[h.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
    }
    return out;
  }

  static String toHex(byte[] b) {
    StringBuilder sb = new StringBuilder(b.length * 2);
    for (byte x : b) {
      sb.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
    }
    return sb.toString();
  }

  static byte[] inflate(byte[] z) {
    Inflater inf = new Inflater();
    inf.setInput(z);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[1 << 16];
    try {
      while (!inf.finished()) {
        int n = inf.inflate(buf);
        if (n == 0 && !inf.finished() && (inf.needsInput() || inf.needsDictionary())) {
          throw new IllegalArgumentException("truncated zlib stream");
        }
        out.write(buf, 0, n);
      }
    } catch (DataFormatException e) {
      throw new IllegalArgumentException(e);
    } finally {
      inf.end();
    }
    return out.toByteArray();
  }
}
