package com.getox.crypto.sframe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.getox.crypto.FormatException;
import com.getox.crypto.OxCryptoException;
import com.getox.crypto.audit.AuditSink;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jazzer targets for the header parser and the receiver. Under plain {@code mvn verify} Jazzer
 * runs them in regression mode, in core's separate {@code fuzz-regression} surefire execution,
 * replaying {@code src/test/resources/com/getox/crypto/sframe/SFrameFuzzTestInputs/<method>/};
 * {@code fuzz/run.sh SFrameFuzzTest#receiverDecrypt 5} fuzzes one (see core/README.md). The
 * seeded cases below feed the same targets random inputs on every build.
 */
@Tag("fuzz")
class SFrameFuzzTest {
  /** Counters in memory: the fuzzer sends millions of frames. */
  static final class MemoryStore implements CounterStore {
    private final Map<String, Long> values = new HashMap<>();

    @Override
    public synchronized long load(String name) {
      return values.getOrDefault(name, 0L);
    }

    @Override
    public synchronized void store(String name, long value) {
      values.put(name, value);
    }
  }

  private static final SFrameSender SENDER;
  private static final SFrameReceiver RECEIVER;
  private static final Queue<byte[]> PACKAGES = new ArrayDeque<>();

  static {
    try {
      SENDER =
          SFrameSender.builder(Members.wrappingFor("fuzz"), "fuzz", new MemoryStore())
              .rotateEveryFrames(1 << 12)
              .auditSink(AuditSink.none())
              .onKeyPackage(PACKAGES::add)
              .build();
      RECEIVER = SFrameReceiver.builder(Members.of("fuzz"), "fuzz").auditSink(AuditSink.none()).build();
      deliverKeyPackages();
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static void deliverKeyPackages() throws Exception {
    for (byte[] p; (p = PACKAGES.poll()) != null; ) {
      RECEIVER.addKeyPackage(p);
    }
  }

  /**
   * Parses or throws FormatException; a parsed header re-encodes to exactly the bytes it read. The
   * first 16 bytes, read as a KID and a CTR, encode to a header that parses back to them.
   */
  @FuzzTest(maxDuration = "5m")
  void headerParser(byte[] data) throws FormatException {
    if (data.length >= 16) {
      long kid = 0;
      long ctr = 0;
      for (int i = 0; i < 8; i++) {
        kid = kid << 8 | (data[i] & 0xff);
        ctr = ctr << 8 | (data[8 + i] & 0xff);
      }
      SFrameHeader built = SFrameHeader.of(kid, ctr);
      byte[] encoded = built.toByteArray();
      assertEquals(built.encodedLength(), encoded.length);
      SFrameHeader back = SFrameHeader.parse(encoded);
      assertEquals(kid, back.kid());
      assertEquals(ctr, back.ctr());
      assertEquals(encoded.length, back.encodedLength());
    }
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

  /** What one {@link #receiverDecrypt} input did. */
  enum Outcome { FORGERY_REJECTED, ROUND_TRIP, ROUND_TRIP_AND_ALTERATION_REJECTED }

  /**
   * Byte 0 chooses. If it is even, the rest is a frame on its own: it must fail typed (the keys
   * are fresh in every JVM, so nothing the fuzzer holds can authenticate). If odd, the input is
   * {@code [ptLen:2][mdLen:1][plaintext][metadata][edits...]}: the sender encrypts that plaintext
   * with that metadata; the edits (3 bytes each: operation and position, value) XOR, truncate,
   * append to the frame or change the metadata. An altered frame must fail with a format,
   * unknown-epoch or authentication error, never as a replay; then the genuine frame must decrypt
   * to exactly the plaintext at its own counter, and a second time fail as a replay.
   */
  @FuzzTest(maxDuration = "5m")
  void receiverDecrypt(byte[] data) throws Exception {
    receive(data);
  }

  static Outcome receive(byte[] data) throws Exception {
    if (data.length == 0 || (data[0] & 1) == 0) {
      byte[] frame = data.length == 0 ? data : Arrays.copyOfRange(data, 1, data.length);
      assertThrows(OxCryptoException.class, () -> RECEIVER.decrypt(frame, new byte[0]), "a forged frame decrypted");
      return Outcome.FORGERY_REJECTED;
    }
    int pos = 1;
    int ptLen = pos + 2 <= data.length ? ((data[pos] & 0xff) << 8 | (data[pos + 1] & 0xff)) % 2049 : 0;
    pos += 2;
    int mdLen = pos < data.length ? (data[pos] & 0xff) % 33 : 0;
    pos += 1;
    byte[] plaintext = slice(data, pos, ptLen);
    pos += ptLen;
    byte[] metadata = slice(data, pos, mdLen);
    pos += mdLen;
    byte[] frame = SENDER.encrypt(plaintext, metadata);
    deliverKeyPackages();
    SFrameHeader header = SFrameHeader.parse(frame);

    byte[] altered = frame.clone();
    byte[] alteredMetadata = metadata.clone();
    for (; pos + 3 <= data.length; pos += 3) {
      int op = data[pos] & 0xff;
      int at = (op >>> 2 << 8 | (data[pos + 1] & 0xff));
      byte value = data[pos + 2];
      switch (op & 3) {
        case 0:
          if (altered.length > 0) {
            altered[at % altered.length] ^= value;
          }
          break;
        case 1:
          altered = Arrays.copyOf(altered, at % (altered.length + 1));
          break;
        case 2:
          altered = Arrays.copyOf(altered, altered.length + 1 + (value & 15));
          altered[altered.length - 1] = value;
          break;
        default:
          alteredMetadata = Arrays.copyOf(alteredMetadata, at % 33);
          if (alteredMetadata.length > 0) {
            alteredMetadata[at % alteredMetadata.length] ^= value;
          }
      }
    }
    boolean alteredAtAll = !Arrays.equals(altered, frame) || !Arrays.equals(alteredMetadata, metadata);
    if (alteredAtAll) {
      byte[] f = altered;
      byte[] m = alteredMetadata;
      OxCryptoException e = assertThrows(OxCryptoException.class, () -> {
        SFrameReceiver.DecryptedFrame got = RECEIVER.decrypt(f, m);
        throw new AssertionError("an altered frame decrypted: " + got + " frame " + hex(frame)
            + " md " + hex(metadata) + " altered " + hex(f)
            + " md " + hex(m) + " epochs " + RECEIVER.epochs());
      });
      assertFalse(e instanceof ReplayedFrameException, "an altered frame reached the replay check: " + e);
    }
    SFrameReceiver.DecryptedFrame d = RECEIVER.decrypt(frame, metadata);
    assertArrayEquals(plaintext, d.plaintext(), "the genuine frame must decrypt exactly");
    assertEquals(header.ctr(), d.counter());
    assertThrows(ReplayedFrameException.class, () -> RECEIVER.decrypt(frame, metadata), "a replay decrypted");
    return alteredAtAll ? Outcome.ROUND_TRIP_AND_ALTERATION_REJECTED : Outcome.ROUND_TRIP;
  }

  private static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(String.format("%02x", x));
    }
    return sb.toString();
  }

  private static byte[] slice(byte[] data, int from, int len) {
    byte[] out = new byte[len];
    if (from < data.length) {
      System.arraycopy(data, from, out, 0, Math.min(len, data.length - from));
    }
    return out;
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("com.getox.crypto.sframe.Seeds#seeds")
  void seededInputsThroughTheFuzzTargets(long seed) throws Exception {
    System.out.println("seededInputsThroughTheFuzzTargets seed=" + seed);
    SplittableRandom r = new SplittableRandom(seed);
    int[] outcomes = new int[Outcome.values().length];
    for (int i = 0; i < 2_000; i++) {
      byte[] data = new byte[r.nextInt(60)];
      for (int j = 0; j < data.length; j++) {
        // mostly sparse, so that edits are few and small; sometimes noise
        data[j] = (byte) (r.nextInt(4) == 0 ? r.nextInt(256) : r.nextInt(8) == 0 ? 1 << r.nextInt(8) : 0);
      }
      if (data.length > 0) {
        data[0] = (byte) r.nextInt(256); // half forgeries, half genuine frames
      }
      headerParser(data);
      outcomes[receive(data).ordinal()]++;
    }
    // Each path ran often: a receiver that rejected everything, or a target that never altered
    // a genuine frame, fails here.
    for (Outcome o : Outcome.values()) {
      assertTrue(outcomes[o.ordinal()] >= 100, o + " ran " + outcomes[o.ordinal()] + " times: " + Arrays.toString(outcomes));
    }
  }
}
