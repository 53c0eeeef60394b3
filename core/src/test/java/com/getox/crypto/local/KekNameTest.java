package com.getox.crypto.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link LocalKms#validName} is the documented pattern {@code [A-Za-z0-9._-]{1,64}}, by hand. */
class KekNameTest {
  private static final Pattern SPEC = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  /** Every class of character the check distinguishes, and the neighbours of each range. */
  private static final String ALPHABET = "AZaz09._-@[`{/:\u0000 \u00e9\u0130\uff21\ud83d\ude00";

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void agreesWithThePatternOnRandomNames(long seed) {
    Random random = new Random(seed);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder b = new StringBuilder();
      int length = random.nextInt(70);
      for (int k = 0; k < length; k++) {
        b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
      String name = b.toString();
      assertEquals(SPEC.matcher(name).matches(), LocalKms.validName(name), () -> "seed " + seed + ": " + name);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 63, 64, 65})
  void lengthsAtTheEdges(int length) {
    String name = "a".repeat(length);
    assertEquals(length >= 1 && length <= 64, LocalKms.validName(name));
  }

  @ParameterizedTest
  @ValueSource(strings = {"demo", "A-Z_a.z-0.9", "..", "-"})
  void validNames(String name) {
    assertTrue(LocalKms.validName(name));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a b", "a/b", "é", "a\nb", "a:b"})
  void invalidNames(String name) {
    assertFalse(LocalKms.validName(name));
    assertFalse(LocalKms.validName(null));
  }
}
