package com.getox.crypto.sframe;

import com.getox.crypto.AuthenticationException;
import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A rough per-frame latency loop (not a benchmark: no JMH, no forking, one JVM, timer overhead
 * included), run by hand: {@code java -cp <core test classpath> com.getox.crypto.sframe.SFrameLatency}.
 * Decrypt uses a fresh counter each time (the replay window accepts it); the "bad" column times
 * frames with a flipped tag bit, to compare failed and good frames.
 */
public final class SFrameLatency {
  private SFrameLatency() {}

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
        long t3 = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
          try {
            r.decrypt(bad, meta);
          } catch (AuthenticationException expected) {
            // always
          }
        }
        long t4 = System.nanoTime();
        System.out.printf(Locale.ROOT,
            "%s %4d B: encrypt %6.2f us/frame, decrypt %6.2f us/frame, failed decrypt %6.2f us/frame%n",
            suite, size, (t1 - t0) / 1e3 / iterations, (t2 - t1) / 1e3 / iterations, (t4 - t3) / 1e3 / iterations);
      }
    }
  }
}
