package com.getox.crypto.benchmarks;

import java.util.Arrays;
import java.util.Locale;

/**
 * Ours against one reference, interleaved in one JVM in thread CPU time like {@link Smoke} (slices
 * of the same number of 1 MiB operations, order alternating per round; the round's ratio is ours'
 * speed over the reference's), for any provider, direction and piece size. Not a gate: it prints
 * the median and the range of the rounds' ratios. Under load, run it several times (each is a
 * fresh JVM, so a fork) and report the spread across runs too.
 *
 * <pre>
 * java -cp benchmarks.jar com.getox.crypto.benchmarks.Versus ceiling SunJCE dec 640,16384,1048576 15
 * java ... Versus copy ACCP dec 1048576 15        # the ceiling plus the source copy
 * java ... Versus tink1MB SunJCE enc,dec 640,16384,1048576 15
 * java ... Versus ceiling Conscrypt mem 16384 15  # ours from memory (newInputStream(byte[]))
 * </pre>
 *
 * <p>References: {@code ceiling} ({@link Throughput#ceilingEncrypt}/{@link
 * Throughput#ceilingDecrypt}), {@code copy} ({@link Throughput#copyThenDecrypt}, decrypt only),
 * {@code tink1MB}, {@code tink4KB} (the {@link Peers} set-up: same pieces, same sink, same 64 MiB
 * decrypt stream, reopened at its end).
 */
public final class Versus {
  private Versus() {}

  public static void main(String[] args) throws Exception {
    String against = args.length > 0 ? args[0] : "ceiling";
    String provider = args.length > 1 ? args[1] : Providers.SUNJCE;
    String[] directions = (args.length > 2 ? args[2] : "enc,dec").split(",");
    int[] sizes =
        Arrays.stream((args.length > 3 ? args[3] : "640,16384,1048576").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 15;
    Throughput.Ceiling ceiling = null;
    if (against.equals("ceiling") || against.equals("copy")) {
      ceiling = new Throughput.Ceiling();
      ceiling.provider = provider;
      ceiling.setUp();
    }
    for (String direction : directions) {
      // "mem": decrypt from memory (oursDecryptFromMemory), against the ceiling.
      boolean fromMemory = direction.equals("mem");
      boolean decrypt = direction.startsWith("dec") || fromMemory;
      for (int pieceBytes : sizes) {
        Throughput.Ours ours = new Throughput.Ours();
        ours.provider = provider;
        ours.pieceBytes = pieceBytes;
        ours.fromMemory = fromMemory;
        ours.setUp(decrypt);
        ours.open();
        Smoke.Op oursOp =
            decrypt
                ? ours::readOp
                : () -> {
                  Fixtures.writeInPieces(ours.writer, ours.piece, Fixtures.OP_BYTES);
                  return ours.sink.bytes;
                };
        Smoke.Op refOp;
        Peers.Peer peer = null;
        final Throughput.Ceiling c = ceiling;
        switch (against) {
          case "ceiling":
            refOp = decrypt ? () -> Throughput.openOp(c, false) : () -> Throughput.sealOp(c);
            break;
          case "copy":
            if (!decrypt) {
              throw new IllegalArgumentException("copy is a decrypt reference");
            }
            refOp = () -> Throughput.openOp(c, true);
            break;
          default:
            peer = new Peers.Peer();
            peer.peer = against;
            peer.pieceBytes = pieceBytes;
            peer.setUp(decrypt);
            peer.open();
            final Peers.Peer p = peer;
            refOp =
                decrypt
                    ? p::readOp
                    : () -> {
                      Fixtures.writeInPieces(p.writer, p.piece, Fixtures.OP_BYTES);
                      return p.sink.bytes;
                    };
        }
        double[] ratios = Smoke.interleave(oursOp, refOp, rounds, Smoke.SLICE_NANOS);
        ours.close();
        if (peer != null) {
          peer.close();
        }
        System.out.println(String.format(Locale.ROOT, "versus: %-7s %-9s %7d B: ours/%s %s",
            fromMemory ? "dec-mem" : decrypt ? "decrypt" : "encrypt", provider, pieceBytes, against,
            Smoke.summary(ratios)));
      }
    }
  }
}
