package com.getox.crypto.sframe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.getox.crypto.FormatException;
import com.getox.crypto.OxCryptoException;
import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jazzer targets for the header parser and the receiver. Under plain {@code mvn verify} Jazzer
 * runs them in regression mode, in core's separate {@code fuzz-regression} surefire execution (see
 * core/README.md); {@code JAZZER_FUZZ=1 mvn test -pl core -Dtest=SFrameFuzzTest#headerParser} (or
 * {@code #receiverDecrypt}) fuzzes one for its {@code maxDuration}. The seeded cases below feed the
 * same targets random and mutated frames on every build.
 */
@Tag("fuzz")
class SFrameFuzzTest {
  private static final SFrameReceiver RECEIVER;
  private static final List<byte[]> FRAMES = new ArrayList<>();
  private static final List<byte[]> PLAINTEXTS = new ArrayList<>();
  private static final byte[] METADATA = {0x42, 0x13};

  static {
    try {
      File dir = Files.createTempDirectory("sframe-fuzz").toFile();
      List<byte[]> packages = new ArrayList<>();
      SFrameSender s =
          SFrameSender.builder(Members.wrappingFor("fuzz"), "fuzz", CounterStore.file(new File(dir, "ctr")))
              .onKeyPackage(packages::add).build();
      RECEIVER = SFrameReceiver.builder(Members.of("fuzz"), "fuzz").build();
      RECEIVER.addKeyPackage(packages.get(0));
      for (int i = 0; i < 16; i++) {
        byte[] pt = new byte[i * 7];
        Arrays.fill(pt, (byte) i);
        PLAINTEXTS.add(pt);
        FRAMES.add(s.encrypt(pt, METADATA));
      }
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Parses or throws FormatException; a parsed header re-encodes to exactly the bytes it read. */
  @FuzzTest(maxDuration = "30s")
  void headerParser(byte[] data) {
    SFrameHeader h;
    try {
      h = SFrameHeader.parse(data);
    } catch (FormatException e) {
      return;
    }
    byte[] again = h.toByteArray();
    assertTrue(again.length <= data.length);
    assertArrayEquals(Arrays.copyOf(data, again.length), again);
  }

  /**
   * Byte 0 picks a genuine frame (or none), the rest is XORed into it (or is the frame): only the
   * untouched genuine frame with its metadata may decrypt; everything else fails typed.
   */
  @FuzzTest(maxDuration = "30s")
  void receiverDecrypt(byte[] data) {
    if (data.length == 0) {
      return;
    }
    int pick = data[0] & 0xff;
    byte[] frame;
    byte[] metadata = METADATA;
    int index = pick % (FRAMES.size() + 1);
    if (index == FRAMES.size()) {
      frame = Arrays.copyOfRange(data, 1, data.length);
    } else {
      frame = FRAMES.get(index).clone();
      for (int i = 1; i < data.length; i++) {
        if (i - 1 < frame.length) {
          frame[i - 1] ^= data[i];
        }
      }
      if ((pick & 0x80) != 0) {
        metadata = new byte[] {0x42, 0x12};
      }
    }
    try {
      SFrameReceiver.DecryptedFrame f = RECEIVER.decrypt(frame, metadata);
      assertTrue(index < FRAMES.size() && Arrays.equals(frame, FRAMES.get(index)) && metadata == METADATA,
          "only a genuine frame decrypts");
      assertArrayEquals(PLAINTEXTS.get(index), f.plaintext());
    } catch (OxCryptoException expected) {
      // FormatException, UnknownEpochException, AuthenticationException, ReplayedFrameException
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("com.getox.crypto.sframe.Seeds#seeds")
  void seededInputsThroughTheFuzzTargets(long seed) {
    System.out.println("seededInputsThroughTheFuzzTargets seed=" + seed);
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 3_000; i++) {
      byte[] data = new byte[r.nextInt(40)];
      for (int j = 0; j < data.length; j++) {
        // mostly sparse: a few flipped bits in a genuine frame, sometimes noise
        data[j] = (byte) (r.nextInt(4) == 0 ? r.nextInt(256) : r.nextInt(8) == 0 ? 1 << r.nextInt(8) : 0);
      }
      headerParser(data);
      receiverDecrypt(data);
    }
    assertEquals(16, FRAMES.size());
  }
}
