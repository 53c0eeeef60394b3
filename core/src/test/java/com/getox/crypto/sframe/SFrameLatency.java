package com.getox.crypto.sframe;

import com.getox.crypto.OxCryptoException;
import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A rough per-frame latency loop (not a benchmark: no JMH, no forking, one JVM, timer overhead
 * included), run by hand: {@code java -cp <core test classpath> com.getox.crypto.sframe.SFrameLatency}.
 * Decrypt uses a fresh counter each time (the replay window accepts it); the rejected columns
 * time a frame with a flipped tag bit, one naming an unknown epoch, and a replay.
 */
public final class SFrameLatency {
  private SFrameLatency() {}

  private static double failing(SFrameReceiver r, byte[] frame, byte[] meta, int iterations) {
    long t0 = System.nanoTime();
    for (int i = 0; i < iterations; i++) {
      try {
        r.decrypt(frame, meta);
        throw new IllegalStateException("decrypted");
      } catch (OxCryptoException expected) {
        // always
      }
    }
    return (System.nanoTime() - t0) / 1e3 / iterations;
  }

  public static void main(String[] args) throws Exception {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    File dir = Files.createTempDirectory("sframe-latency").toFile();
    for (SFrameSuite suite : SFrameSuite.values()) {
      for (int size : new int[] {40, 160, 640}) {
        List<byte[]> packages = new ArrayList<>();
        SFrameSender s =
            SFrameSender.builder(Members.wrappingFor("lat"), "lat-" + suite.id() + "-" + size,
                    CounterStore.file(new File(dir, suite.id() + "-" + size)))
                .suite(suite).counterReservation(1 << 20).rotateEveryFrames(Long.MAX_VALUE)
                .rotateEveryMillis(Long.MAX_VALUE).onKeyPackage(packages::add).build();
        SFrameReceiver r = SFrameReceiver.builder(Members.of("lat"), "lat-" + suite.id() + "-" + size)
            .suite(suite).build();
        r.addKeyPackage(packages.get(0));
        byte[] frame = new byte[size];
        byte[] meta = new byte[12];
        byte[][] wire = new byte[iterations][];
        // warm-up
        for (int i = 0; i < 20_000; i++) {
          r.decrypt(s.encrypt(frame, meta), meta);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
          wire[i] = s.encrypt(frame, meta);
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
          r.decrypt(wire[i], meta);
        }
        long t2 = System.nanoTime();
        byte[] bad = s.encrypt(frame, meta);
        bad[bad.length - 1] ^= 1;
        byte[] unknown = SFrameHeader.of(9, 0).toByteArray();
        unknown = java.util.Arrays.copyOf(unknown, unknown.length + size + 16);
        double badTag = failing(r, bad, meta, iterations);
        double unknownEpoch = failing(r, unknown, meta, iterations);
        double replay = failing(r, wire[0], meta, iterations);
        System.out.printf(Locale.ROOT,
            "%s %4d B: encrypt %6.2f us, decrypt %6.2f us; rejected: bad tag %6.2f us, unknown epoch %6.2f us, replay %6.2f us%n",
            suite, size, (t1 - t0) / 1e3 / iterations, (t2 - t1) / 1e3 / iterations, badTag, unknownEpoch, replay);
      }
    }
  }
}
