package com.getox.crypto.sframe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.getox.crypto.FormatException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SFrameHeaderTest {
  @ParameterizedTest(name = "kid {0}, ctr {1} -> {2}")
  @CsvSource({
    "0000000000000000, 0000000000000000, 00",
    "0000000000000007, 0000000000000007, 77",
    "0000000000000008, 0000000000000000, 8008",
    "0000000000000123, 0000000000004567, 9901234567",
    "7fffffffffffffff, 0000000000000001, f17fffffffffffffff",
    "8000000000000000, 0000000000000000, f08000000000000000",
    "fffffffffffffffe, ffffffffffffffff, fffffffffffffffffeffffffffffffffff",
    "ffffffffffffffff, ffffffffffffffff, ffffffffffffffffffffffffffffffffff",
    "0000000000000000, 8000000000000000, 0f8000000000000000",
  })
  void topOfTheUnsignedRange(String kidHex, String ctrHex, String encoded) throws Exception {
    long kid = Long.parseUnsignedLong(kidHex, 16);
    long ctr = Long.parseUnsignedLong(ctrHex, 16);
    SFrameHeader h = SFrameHeader.of(kid, ctr);
    assertEquals(encoded, SFrameVectors.hex(h.toByteArray()));
    SFrameHeader back = SFrameHeader.parse(SFrameVectors.hex(encoded));
    assertEquals(kid, back.kid());
    assertEquals(ctr, back.ctr());
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
    "'', empty",
    "08, ends inside CTR",
    "0b010203, ends inside CTR",
    "80, ends inside KID",
    "f0ffffffffffffff, ends inside KID",
    "9901, ends inside KID",
    "0805, non-minimal CTR (fits the config byte)",
    "0900ff, non-minimal CTR (leading zero)",
    "8003, non-minimal KID (fits the config byte)",
    "f00000000000000001, non-minimal KID (leading zeros)",
  })
  void malformedHeadersAreRejected(String hex, String why) {
    assertThrows(FormatException.class, () -> SFrameHeader.parse(SFrameVectors.hex(hex)), why);
  }

  @Test
  void parseHonoursOffsetAndLength() throws Exception {
    byte[] buf = SFrameVectors.hex("aa9901234567bb");
    assertEquals(SFrameHeader.of(0x123, 0x4567), SFrameHeader.parse(buf, 1, 5));
    assertThrows(FormatException.class, () -> SFrameHeader.parse(buf, 1, 4));
    assertThrows(IndexOutOfBoundsException.class, () -> SFrameHeader.parse(buf, 3, 5));
  }

  @ParameterizedTest(name = "seed {0}")
  @org.junit.jupiter.params.provider.MethodSource("com.getox.crypto.sframe.Seeds#seeds")
  void randomValuesRoundTrip(long seed) throws Exception {
    System.out.println("SFrameHeaderTest.randomValuesRoundTrip seed=" + seed);
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 5_000; i++) {
      long kid = r.nextLong() >>> r.nextInt(64);
      long ctr = r.nextLong() >>> r.nextInt(64);
      byte[] enc = SFrameHeader.of(kid, ctr).toByteArray();
      byte[] framed = Arrays.copyOf(enc, enc.length + r.nextInt(4));
      SFrameHeader back = SFrameHeader.parse(framed);
      assertEquals(kid, back.kid(), "seed " + seed);
      assertEquals(ctr, back.ctr(), "seed " + seed);
      assertArrayEquals(enc, back.toByteArray(), "seed " + seed);
    }
  }
}
