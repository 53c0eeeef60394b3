package com.getox.crypto.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report tool and the hand-run gate on hand-written JMH JSON with several forks, chosen so
 * that the median of fork means, the mean of all iterations (JMH's score) and the best iteration
 * all print differently: the report must print the first.
 */
class ReportTest {
  /** One JMH result; {@code raw} is rawData, [fork][iteration]. */
  static String row(String jdk, String bench, String params, String unit, String raw) {
    return "{\"benchmark\":\"com.getox.crypto.benchmarks." + bench + "\",\"mode\":\"thrpt\","
        + "\"jdkVersion\":\"" + jdk + "\",\"vmName\":\"OpenJDK\",\"vmVersion\":\"" + jdk + "+1\","
        + "\"params\":{" + params + "},\"primaryMetric\":{\"score\":1.0,"
        + "\"scoreError\":1.0,\"scoreUnit\":\"" + unit + "\",\"rawData\":" + raw + "},"
        + "\"secondaryMetrics\":{}}";
  }

  static String sun(String size) {
    return "\"provider\":\"SunJCE\"" + (size == null ? "" : ",\"pieceBytes\":\"" + size + "\"");
  }

  static File write(Path dir, String name, String... rows) throws Exception {
    File f = dir.resolve(name).toFile();
    Files.write(f.toPath(), ("[" + String.join(",", rows) + "]").getBytes(StandardCharsets.UTF_8));
    return f;
  }

  /**
   * JDK 17: the ceiling's fork means 1000, 800, 1200 ops/s (median 1000); ours' at 640 B 1000
   * (iterations 100 and 1900), 900, 960: median 960, mean of iterations 953, best iteration 1900.
   */
  static File jdk17(Path dir) throws Exception {
    return write(dir, "jdk17.json",
        row("17.0.15", "Throughput.ceilingEncrypt", sun(null), "ops/s",
            "[[1000,1000],[800,800],[1200,1200]]"),
        row("17.0.15", "Throughput.ceilingDecrypt", sun(null), "ops/s", "[[1000],[1000],[1000]]"),
        row("17.0.15", "Throughput.ceilingEncryptStreaming", sun(null), "ops/s",
            "[[700],[700],[700]]"),
        row("17.0.15", "Throughput.oursEncrypt", sun("640"), "ops/s",
            "[[100,1900],[900,900],[960,960]]"),
        row("17.0.15", "Throughput.oursDecrypt", sun("640"), "ops/s", "[[900],[940],[920]]"),
        row("17.0.15", "Peers.peerEncrypt", "\"peer\":\"tink1MB\",\"pieceBytes\":\"640\"", "ops/s",
            "[[1000],[1000]]"),
        row("17.0.15", "Parallel.seal256MiB", "\"threads\":\"1\"", "ms/op", "[[100],[110],[90]]"),
        row("17.0.15", "Parallel.seal256MiB", "\"threads\":\"2\"", "ms/op", "[[55],[50],[60]]"));
  }

  static File jdk25(Path dir) throws Exception {
    return write(dir, "jdk25.json",
        row("25.0.3", "Throughput.ceilingEncrypt", sun(null), "ops/s", "[[2000],[2000],[2000]]"),
        row("25.0.3", "Throughput.oursEncrypt", sun("640"), "ops/s", "[[1000],[1000],[1000]]"));
  }

  @Test
  void decryptTargetIsFromMemoryWithTheStreamBesideIt(@TempDir Path dir) throws Exception {
    File f = write(dir, "dec.json",
        row("17.0.15", "Throughput.ceilingDecrypt", sun(null), "ops/s", "[[1000],[1000],[1000]]"),
        row("17.0.15", "Throughput.copyThenDecrypt", sun(null), "ops/s", "[[950],[950],[950]]"),
        row("17.0.15", "Throughput.oursDecrypt", sun("640"), "ops/s", "[[900],[940],[920]]"),
        row("17.0.15", "Throughput.oursDecryptFromMemory", sun("640"), "ops/s",
            "[[960],[980],[970]]"));
    String t = Report.markdown(Results.read(f), "test box", "Test CPU", null);
    // MB/s: both of ours and the copy beside the ceiling
    assertTrue(t.contains("| ours, SunJCE | 965 (944–986) | 3 |"), t);
    assertTrue(t.contains("| ours, from memory, SunJCE | 1017 (1007–1028) | 3 |"), t);
    assertTrue(t.contains("| copy then decrypt, SunJCE | 996 (996–996) | 3 |"), t);
    // targets: from memory is the target; the stream is shown against it too
    assertTrue(t.contains("| decrypt from memory, SunJCE: ours / ceiling ≥ 0.95 | 0.97 (0.96–0.98) met |"),
        t);
    assertTrue(t.contains("| decrypt from a stream, SunJCE: ours / ceiling | 0.92 (0.90–0.94) **not met** |"),
        t);
    assertFalse(t.contains("| decrypt, SunJCE"), t);
    // ratios
    assertTrue(t.contains("| ours, stream / ceiling, SunJCE | 0.92 (0.90–0.94) |"), t);
    assertTrue(t.contains("| ours, from memory / ceiling, SunJCE | 0.97 (0.96–0.98) |"), t);
    assertTrue(t.contains("| ours, stream / copy then decrypt, SunJCE | 0.97 (0.95–0.99) |"), t);
    // all of them charted, ours from memory and the copy in their own shades
    assertEquals(4, Report.series(Results.read(f), "Decrypt", Report.sizes(Results.read(f))).size());
    assertFalse(Report.colorOf("ours, from memory, SunJCE").equals(Report.colorOf("ours, SunJCE")));
    assertFalse(Report.colorOf("copy then decrypt, SunJCE").equals(Report.colorOf("ours, SunJCE")));
  }

  @Test
  void ratioIsTheRatioOfMediansWithEveryForkPairingAsItsSpread() {
    Results.Ratio q = Results.Ratio.of(new double[] {1, 2, 3}, new double[] {1, 2});
    assertEquals(2 / 1.5, q.median, 1e-12);
    assertEquals(0.5, q.min, 1e-12);
    assertEquals(3.0, q.max, 1e-12);
    assertEquals(2.5, Results.median(new double[] {4, 1, 3, 2}), 1e-12);
  }

  @Test
  void rowsAreMediansOfForkMeans(@TempDir Path dir) throws Exception {
    Results r = Results.read(jdk17(dir));
    Results.Row ours = r.find("Throughput.oursEncrypt", "pieceBytes", "640");
    assertEquals(3, ours.forks());
    assertEquals(960, ours.median(), 1e-9);
    assertEquals(900, ours.min(), 1e-9);
    assertEquals(1000, ours.max(), 1e-9);
    assertEquals(960 * 1.048576, ours.megabytesPerSecond(), 1e-9);
  }

  @Test
  void gateComparesMediansNotBestIterations(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream p = new PrintStream(out, true, StandardCharsets.UTF_8);
    String ceiling = row("17.0.15", "Throughput.ceilingEncrypt", sun(null), "ops/s",
        "[[1000],[1000],[1000]]");
    // fork means 500, 400, 450: median 0.45 of the ceiling; the best iteration alone is 0.9
    File slow = write(dir, "slow.json", ceiling,
        row("17.0.15", "Throughput.oursEncrypt", sun("640"), "ops/s", "[[100,900],[400],[450]]"));
    assertEquals(1, Gate.check(Results.read(slow), 0.5, p));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("ratio 0.45 (min 0.50) FAIL"));
    File ok = write(dir, "ok.json", ceiling,
        row("17.0.15", "Throughput.oursEncrypt", sun("640"), "ops/s", "[[900],[950],[990]]"));
    assertEquals(0, Gate.check(Results.read(ok), 0.5, p));
    // ours from memory is held against the decrypt ceiling
    assertGateFails(dir, "DecryptFromMemory",
        row("17.0.15", "Throughput.ceilingDecrypt", sun(null), "ops/s", "[[1000],[1000],[1000]]"),
        row("17.0.15", "Throughput.oursDecryptFromMemory", sun("640"), "ops/s", "[[400],[400]]"));
    // ours streaming from memory is held against the streaming ceiling, not the cache-resident one
    assertGateFails(dir, "EncryptStreaming",
        row("17.0.15", "Throughput.ceilingEncrypt", sun(null), "ops/s", "[[100],[100],[100]]"),
        row("17.0.15", "Throughput.ceilingEncryptStreaming", sun(null), "ops/s", "[[1000],[1000],[1000]]"),
        row("17.0.15", "Throughput.oursEncryptStreaming", sun("640"), "ops/s", "[[400],[400]]"));
  }

  /** The gate fails {@code rows} at 0.40 of the right ceiling, naming the {@code which} case. */
  private static void assertGateFails(Path dir, String which, String... rows) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    File f = write(dir, which + ".json", rows);
    assertEquals(1, Gate.check(Results.read(f), 0.5, new PrintStream(out, true, StandardCharsets.UTF_8)));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains(which), printed);
    assertTrue(printed.contains("ratio 0.40 (min 0.50) FAIL"), printed);
  }

  @Test
  void reportShowsMediansSpreadsAndTargetsPerJdk(@TempDir Path dir) throws Exception {
    Report.main(new String[] {
      jdk17(dir).getPath() + "," + jdk25(dir).getPath(), dir.toString(), "test box",
      "Test CPU (flags: avx512f vaes)"
    });
    String t17 = Files.readString(dir.resolve("test-box-jdk-17.0.15.md"));
    String t25 = Files.readString(dir.resolve("test-box-jdk-25.0.3.md"));
    assertTrue(t17.contains("Measured on: Test CPU (flags: avx512f vaes); OpenJDK 17.0.15+1."), t17);
    assertTrue(t17.contains("Another CPU"), t17);
    // MB/s: median of fork means (min–max), forks. Best iteration would print 1992, JMH's mean 1000.
    assertTrue(t17.contains("| ours, SunJCE | 1007 (944–1049) | 3 |"), t17);
    assertTrue(t17.contains("| ceiling, SunJCE | 1049 (839–1258) | 3 |"), t17);
    assertTrue(t17.contains("| Tink StreamingAead 1MB | 1049 (1049–1049) | 2 |"), t17);
    // ratios: of medians, spread over every fork pairing (900/1200 .. 1000/800)
    assertTrue(t17.contains("| ours / ceiling, SunJCE | 0.96 (0.75–1.25) |"), t17);
    assertTrue(t17.contains("| ours, SunJCE / Tink StreamingAead 1MB | 0.96 (0.90–1.00) |"), t17);
    assertTrue(t17.contains("| ceiling, streaming / ceiling, SunJCE | 0.70 (0.58–0.88) |"), t17);
    // targets
    assertTrue(t17.contains("| decrypt, SunJCE: ours / ceiling ≥ 0.95 | 0.92 (0.90–0.94) **not met** |"),
        t17);
    assertTrue(t17.contains("| encrypt at 640 B, SunJCE: ours / ceiling ≥ 0.95 | 0.96 (0.75–1.25) met |"),
        t17);
    assertTrue(t17.contains("| encrypt: ours / Tink StreamingAead 1MB ≥ 1.0 | 0.96 (0.90–1.00) **not met** |"),
        t17);
    assertTrue(t17.contains("| seal256MiB: 2 threads / 1 thread ≥ 1.8 | 1.82 (1.50–2.20) met |"), t17);
    assertTrue(t17.contains("| seal256MiB | 2 | 55 (50–60) | 4881 | 3 |"), t17);
    // JDKs kept apart: JDK 25's ours is 0.50 of JDK 25's ceiling and appears only in its own file
    assertTrue(t25.contains("| ours / ceiling, SunJCE | 0.50 (0.50–0.50) |"), t25);
    assertFalse(t17.contains("0.50 (0.50–0.50)"), t17);
    assertFalse(t25.contains("Parallel"), t25);
    assertEquals(1000, ImageIO.read(dir.resolve("test-box-jdk-17.0.15.png").toFile()).getWidth());
  }
}
