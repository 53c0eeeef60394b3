package com.getox.crypto.sframe;

import com.getox.crypto.Recordings;
import com.getox.crypto.TestKeks;
import com.getox.crypto.local.LocalKms;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Session members, each with a throwaway LocalKms KEK; cached across tests (creating one writes a file). */
final class Members {
  private static final Map<String, LocalKms> KEKS = new LinkedHashMap<>();

  private Members() {}

  static synchronized LocalKms kek(String name) {
    return KEKS.computeIfAbsent(name, TestKeks::newLocalKms);
  }

  /** Wraps for every one of {@code names}. */
  static Recordings wrappingFor(String... names) {
    return wrappingFor(java.util.Arrays.asList(names));
  }

  static Recordings wrappingFor(List<String> names) {
    Recordings.Builder b = Recordings.builder();
    for (String n : names) {
      b.wrapWith(kek(n));
    }
    return b.build();
  }

  /** Unwraps with {@code name}'s KEK only. */
  static Recordings of(String name) {
    return Recordings.builder().unwrapWith(kek(name)).build();
  }

  static List<String> names(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add("member" + i);
    }
    return out;
  }
}
