package com.getox.crypto.examples.ptt;

import com.getox.crypto.AuthenticationException;
import com.getox.crypto.FormatException;
import com.getox.crypto.OxCryptoException;
import com.getox.crypto.Recordings;
import com.getox.crypto.examples.SpeechSynth;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import com.getox.crypto.sframe.CounterStore;
import com.getox.crypto.sframe.ReplayedFrameException;
import com.getox.crypto.sframe.SFrameHeader;
import com.getox.crypto.sframe.SFrameReceiver;
import com.getox.crypto.sframe.SFrameSender;
import com.getox.crypto.sframe.UnknownEpochException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A simulated push-to-talk channel over SFrame: alice streams synthesised speech in 20 ms frames
 * through a lossy, reordering, duplicating, occasionally corrupting in-memory transport to bob and
 * carol. Keys travel as key packages on a reliable control channel. The sender rotates every 10 s
 * (with a 200 ms grace), and when carol leaves halfway through it rotates at once to a key wrapped
 * for alice and bob only. Carol stays on the wire as an eavesdropper: she must decrypt nothing sent
 * after she left.
 *
 * <pre>{@code
 * java -cp cli/target/oxcrypt.jar com.getox.crypto.examples.ptt.PushToTalkDemo [--seconds 30] [--seed 7]
 * PushToTalkDemo.Report r = PushToTalkDemo.run(30, 7, System.out);   // r.ok()
 * }</pre>
 *
 * <p>The KEKs are throwaway INSECURE plaintext local keysets in a temporary directory, deleted at
 * the end.
 */
public final class PushToTalkDemo {
  public static final int FRAME_MILLIS = 20;
  public static final int FRAME_BYTES = SpeechSynth.BYTES_PER_SECOND * FRAME_MILLIS / 1000;
  static final String SESSION = "ptt-demo";
  static final double LOSS = 0.04;
  static final double DUPLICATE = 0.03;
  static final double CORRUPT = 0.005;
  static final int MAX_JITTER_FRAMES = 3;

  private PushToTalkDemo() {}

  /** {@code PushToTalkDemo [--seconds N] [--seed S]}: exits 0 if every check passed, 1 otherwise. */
  public static void main(String[] args) throws Exception {
    int seconds = 30;
    long seed = 7;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--seconds") && i + 1 < args.length) {
        seconds = Integer.parseInt(args[++i]);
      } else if (args[i].equals("--seed") && i + 1 < args.length) {
        seed = Long.parseLong(args[++i]);
      } else {
        System.err.println("usage: PushToTalkDemo [--seconds N (4 to 3600)] [--seed S]");
        System.exit(2);
      }
    }
    System.exit(run(seconds, seed, System.out).ok() ? 0 : 1);
  }

  /** Counts for one receiver. {@code afterLeave*} count frames of epochs begun after carol left. */
  public record ReceiverCounts(
      String name,
      long received,
      long decrypted,
      long lost,
      long replaysRejected,
      long corruptRejected,
      long unknownEpochRejected,
      long gapsReported,
      long afterLeaveReceived,
      long afterLeaveDecrypted,
      long keyPackagesRefused) {}

  /** What the run did; {@link #ok()} if every check passed. */
  public record Report(long framesSent, List<Long> epochs, List<ReceiverCounts> receivers, List<String> failures) {
    public boolean ok() {
      return failures.isEmpty();
    }

    public ReceiverCounts receiver(String name) {
      return receivers.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }
  }

  public static Report run(int seconds, long seed, PrintStream out) throws Exception {
    if (seconds < 4 || seconds > 3600) {
      throw new IllegalArgumentException("seconds must be 4 to 3600");
    }
    Path dir = Files.createTempDirectory("ptt-demo");
    try {
      return run(dir, seconds, seed, out);
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static Report run(Path dir, int seconds, long seed, PrintStream out) throws Exception {
    LocalKms alice = kek(dir, "alice");
    LocalKms bob = kek(dir, "bob");
    LocalKms carol = kek(dir, "carol");
    byte[] pcm = SpeechSynth.generate(seconds, seed);
    int frames = pcm.length / FRAME_BYTES;
    int leaveAt = frames / 2;
    long[] now = {0};

    Listener bobRx = new Listener("bob", receiver(bob, now));
    Listener carolRx = new Listener("carol", receiver(carol, now));
    List<Listener> listeners = List.of(bobRx, carolRx);

    List<Long> epochs = new ArrayList<>();
    out.printf(Locale.ROOT,
        "Push-to-talk over SFrame (RFC 9605, AES_256_GCM_SHA512_128): %d s of speech, %d frames of %d ms (%d bytes)%n",
        seconds, frames, FRAME_MILLIS, FRAME_BYTES);
    out.printf(Locale.ROOT,
        "transport: %.0f%% loss, up to %d ms jitter (reordering), %.0f%% duplicates, %.1f%% corrupted; "
            + "key packages on a reliable control channel%n",
        LOSS * 100, MAX_JITTER_FRAMES * FRAME_MILLIS, DUPLICATE * 100, CORRUPT * 100);

    SFrameSender sender =
        SFrameSender.builder(
                Recordings.builder().wrapWith(alice, bob, carol).build(),
                SESSION,
                CounterStore.file(dir.resolve("alice-counters").toFile()))
            .rotateEveryFrames(10_000 / FRAME_MILLIS)
            .graceFrames(200 / FRAME_MILLIS)
            .clockMillis(() -> now[0])
            .onKeyPackage(
                kp -> {
                  out.printf(Locale.ROOT, "t=%6.2f s  key package for epoch %d broadcast (%d bytes)%n",
                      now[0] / 1000.0, epochs.size(), kp.length);
                  epochs.add((long) epochs.size());
                  for (Listener l : listeners) {
                    l.keyPackage(kp);
                  }
                })
            .build();

    SplittableRandom net = new SplittableRandom(seed);
    PriorityQueue<Delivery> wire = new PriorityQueue<>();
    long[] sentEpoch = new long[frames];
    long leaveEpoch = -1;
    long sequence = 0;
    long lastEpoch = 0;
    for (int i = 0; i < frames; i++) {
      now[0] = (long) i * FRAME_MILLIS;
      if (i == leaveAt) {
        sender.membersChanged(Recordings.builder().wrapWith(alice, bob).build());
        leaveEpoch = sender.currentEpoch();
        out.printf(Locale.ROOT, "t=%6.2f s  carol leaves: epoch %d, wrapped for alice and bob only, in use at once%n",
            now[0] / 1000.0, leaveEpoch);
      }
      byte[] metadata = rtpHeader(i);
      byte[] frame = sender.encrypt(Arrays.copyOfRange(pcm, i * FRAME_BYTES, (i + 1) * FRAME_BYTES), metadata);
      sentEpoch[i] = SFrameHeader.parse(frame).kid();
      if (sentEpoch[i] != lastEpoch) {
        out.printf(Locale.ROOT, "t=%6.2f s  sender switches to epoch %d%n", now[0] / 1000.0, sentEpoch[i]);
        lastEpoch = sentEpoch[i];
      }
      for (Listener l : listeners) {
        if (net.nextDouble() < LOSS) {
          continue;
        }
        int copies = net.nextDouble() < DUPLICATE ? 2 : 1;
        for (int c = 0; c < copies; c++) {
          byte[] bytes = frame;
          if (net.nextDouble() < CORRUPT) {
            bytes = frame.clone();
            int bit = net.nextInt(bytes.length * 8);
            bytes[bit / 8] ^= (byte) (1 << (bit % 8));
          }
          long at = i + net.nextInt(MAX_JITTER_FRAMES + 1) + c * net.nextInt(MAX_JITTER_FRAMES + 1);
          wire.add(new Delivery(at, sequence++, l, i, bytes, metadata));
        }
      }
      while (!wire.isEmpty() && wire.peek().slot <= i) {
        wire.poll().deliver(pcm, sentEpoch, leaveEpoch);
      }
    }
    while (!wire.isEmpty()) {
      Delivery d = wire.poll();
      now[0] = d.slot * FRAME_MILLIS;
      d.deliver(pcm, sentEpoch, leaveEpoch);
    }

    List<ReceiverCounts> counts = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    out.println();
    out.println("receiver  received  decrypted  lost  replays-rejected  corrupt-rejected  unknown-epoch"
        + "  gaps-reported  after-leave: received decrypted");
    for (Listener l : listeners) {
      long memberFrames = l == carolRx ? leaveAt : frames;
      long decryptedWhileMember = l.decryptedFrames.get(0, (int) memberFrames).cardinality();
      ReceiverCounts c = new ReceiverCounts(l.name, l.received, l.decrypted, memberFrames - decryptedWhileMember,
          l.replays, l.corrupt, l.unknownEpoch, l.gaps, l.afterLeaveReceived, l.afterLeaveDecrypted,
          l.keyPackagesRefused);
      counts.add(c);
      out.printf(Locale.ROOT, "%-8s  %8d  %9d  %4d  %16d  %16d  %13d  %13d  %21d %9d%n",
          c.name(), c.received(), c.decrypted(), c.lost(), c.replaysRejected(), c.corruptRejected(),
          c.unknownEpochRejected(), c.gapsReported(), c.afterLeaveReceived(), c.afterLeaveDecrypted());
      failures.addAll(l.failures);
      long accounted = c.decrypted() + c.replaysRejected() + c.corruptRejected() + c.unknownEpochRejected();
      if (accounted != c.received()) {
        failures.add(l.name + ": " + c.received() + " received but " + accounted + " accounted for");
      }
    }
    ReceiverCounts b = counts.get(0);
    ReceiverCounts c = counts.get(1);
    out.printf(Locale.ROOT, "carol refused %d key packages not wrapped for her%n", c.keyPackagesRefused());
    if (c.afterLeaveDecrypted() != 0) {
      failures.add("carol decrypted " + c.afterLeaveDecrypted() + " frames sent after she left");
    }
    if (c.afterLeaveReceived() == 0) {
      failures.add("carol saw no frames after she left: the check proved nothing");
    }
    if (b.afterLeaveDecrypted() == 0 || b.decrypted() < frames * (1 - 3 * LOSS)) {
      failures.add("bob decrypted too little: " + b.decrypted() + " of " + frames);
    }
    if (failures.isEmpty()) {
      out.println("OK: every frame bob and carol decrypted matched what alice sent; carol decrypted 0 frames after leaving");
    } else {
      for (String f : failures) {
        out.println("FAILED: " + f);
      }
    }
    sender.destroy();
    bobRx.receiver.destroy();
    carolRx.receiver.destroy();
    return new Report(frames, epochs, counts, failures);
  }

  private static LocalKms kek(Path dir, String name) throws Exception {
    return LocalKms.create(dir.resolve(name + "-keyset.json").toFile(), KeysetProtection.insecurePlaintext(), name);
  }

  private static SFrameReceiver receiver(LocalKms kek, long[] now) throws Exception {
    return SFrameReceiver.builder(Recordings.builder().unwrapWith(kek).build(), SESSION)
        .clockMillis(() -> now[0])
        .build();
  }

  /** A 12-byte RTP-like header, sent in clear and authenticated: version, payload type, sequence, timestamp, SSRC. */
  static byte[] rtpHeader(int frame) {
    return ByteBuffer.allocate(12)
        .put((byte) 0x80).put((byte) 111).putShort((short) frame)
        .putInt(frame * (SpeechSynth.SAMPLE_RATE * FRAME_MILLIS / 1000))
        .putInt(0x0A11CE)
        .array();
  }

  private static final class Listener {
    final String name;
    final SFrameReceiver receiver;
    final BitSet decryptedFrames = new BitSet();
    final List<String> failures = new ArrayList<>();
    long received, decrypted, replays, corrupt, unknownEpoch, gaps;
    long afterLeaveReceived, afterLeaveDecrypted, keyPackagesRefused;

    Listener(String name, SFrameReceiver receiver) {
      this.name = name;
      this.receiver = receiver;
    }

    void keyPackage(byte[] kp) {
      try {
        receiver.addKeyPackage(kp);
      } catch (IOException | java.security.GeneralSecurityException e) {
        keyPackagesRefused++; // carol after leaving: NoUsableKeyException
      }
    }

    void frame(int index, byte[] bytes, byte[] metadata, byte[] pcm, long epochSent, long leaveEpoch) {
      received++;
      boolean afterLeave = leaveEpoch >= 0 && epochSent >= leaveEpoch;
      if (afterLeave) {
        afterLeaveReceived++;
      }
      try {
        SFrameReceiver.DecryptedFrame f = receiver.decrypt(bytes, metadata);
        decrypted++;
        gaps += f.missedBefore();
        if (f.isLate()) {
          gaps--;
        }
        if (afterLeave) {
          afterLeaveDecrypted++;
        }
        if (!Arrays.equals(f.plaintext(), Arrays.copyOfRange(pcm, index * FRAME_BYTES, (index + 1) * FRAME_BYTES))) {
          failures.add(name + ": frame " + index + " decrypted to different audio");
        }
        decryptedFrames.set(index);
      } catch (ReplayedFrameException e) {
        replays++;
      } catch (UnknownEpochException e) {
        unknownEpoch++;
      } catch (AuthenticationException | FormatException e) {
        corrupt++;
      } catch (OxCryptoException e) {
        failures.add(name + ": unexpected " + e);
      }
    }
  }

  private record Delivery(long slot, long sequence, Listener to, int index, byte[] bytes, byte[] metadata)
      implements Comparable<Delivery> {
    void deliver(byte[] pcm, long[] sentEpoch, long leaveEpoch) {
      to.frame(index, bytes, metadata, pcm, sentEpoch[index], leaveEpoch);
    }

    @Override
    public int compareTo(Delivery o) {
      return slot != o.slot ? Long.compare(slot, o.slot) : Long.compare(sequence, o.sequence);
    }
  }
}
