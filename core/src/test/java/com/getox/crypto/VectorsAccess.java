package com.getox.crypto;

import java.util.List;
import java.util.Map;

/** Public face of the package-private {@link Vectors} for tests in other packages. */
public final class VectorsAccess {
  private VectorsAccess() {}

  public static Map<String, Object> json(String relative) {
    return Vectors.json(relative);
  }

  public static Map<String, Object> jsonFile(java.io.File f) {
    return Vectors.jsonFile(f);
  }

  public static List<Map<String, Object>> list(Object o) {
    return Vectors.list(o);
  }

  public static byte[] hex(Object s) {
    return Vectors.hex(s);
  }
}
