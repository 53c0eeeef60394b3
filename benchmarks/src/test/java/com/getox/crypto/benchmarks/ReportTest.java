package com.getox.crypto.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/** The report tool and the CI gate on a small hand-written JMH JSON result. */
class ReportTest {
  static String row(String bench, String params, double best, double other) {
    return "{\"benchmark\":\"com.getox.crypto.benchmarks." + bench + "\",\"mode\":\"thrpt\","
        + "\"jdkVersion\":\"17.0.15\",\"vmName\":\"OpenJDK\",\"vmVersion\":\"17\","
        + "\"params\":{" + params + "},\"primaryMetric\":{\"score\":" + ((best + other) / 2)
        + ",\"scoreError\":1.0,\"scoreUnit\":\"ops/s\",\"rawData\":[[" + best + "," + other
        + "]]},\"secondaryMetrics\":{}}";
  }

  static File json(Path dir, double oursBest) throws Exception {
    String s = "["
        + row("Throughput.ceilingEncrypt", "\"provider\":\"SunJCE\"", 1000, 500) + ","
        + row("Throughput.ceilingDecrypt", "\"provider\":\"SunJCE\"", 1000, 500) + ","
        + row("Throughput.oursEncrypt", "\"provider\":\"SunJCE\",\"pieceBytes\":\"640\"", oursBest, 100) + ","
        + row("Throughput.oursDecrypt", "\"provider\":\"SunJCE\",\"pieceBytes\":\"640\"", 900, 100) + ","
        + row("Peers.peerEncrypt", "\"peer\":\"tink1MB\",\"pieceBytes\":\"640\"", 700, 100)
        + "]";
    File f = dir.resolve("r.json").toFile();
    Files.write(f.toPath(), s.getBytes(StandardCharsets.UTF_8));
    return f;
  }

  @Test
  void gateUsesBestIterationsAndFailsBelowTheRatio(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream p = new PrintStream(out, true, StandardCharsets.UTF_8);
    assertEquals(0, Gate.check(Results.read(json(dir, 900)), 0.5, p));
    assertEquals(1, Gate.check(Results.read(json(dir, 400)), 0.5, p));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("ratio 0.40 (min 0.50) FAIL"));
  }

  @Test
  void reportWritesTableAndChart(@TempDir Path dir) throws Exception {
    File in = json(dir, 900);
    Report.main(new String[] {in.getPath(), dir.toString(), "test box"});
    File md = dir.resolve("test-box-jdk-17.0.15.md").toFile();
    String text = Files.readString(md.toPath());
    assertTrue(text.contains("| ours, SunJCE | 944 (0.90×) |"), text);
    assertTrue(text.contains("| Tink StreamingAead 1MB | 734 (0.70×) |"), text);
    assertEquals(1000, ImageIO.read(dir.resolve("test-box-jdk-17.0.15.png").toFile()).getWidth());
  }
}
