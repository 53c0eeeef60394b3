package com.getox.crypto.spark;

import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.apache.spark.sql.SparkSession;

/**
 * Objects per second for encrypt and rewrap in {@code local[2]} with a local keyset (no network
 * KMS), after one warm-up round; prints, asserts nothing. The numbers in spark/README.md.
 *
 * <pre>{@code
 * java -cp "$(cat cp.txt):spark/target/classes:spark/target/test-classes" \
 *   com.getox.crypto.spark.FleetThroughput WORKDIR 2000 32768
 * }</pre>
 */
public final class FleetThroughput {
  private FleetThroughput() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    int objects = Integer.parseInt(args[1]);
    int bytes = Integer.parseInt(args[2]);
    SparkSession spark = SparkSession.builder().master("local[2]").appName("fleet-throughput")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
        .config("spark.local.dir", work.resolve("spark").toString())
        .config("spark.sql.warehouse.dir", work.resolve("warehouse").toUri().toString())
        .getOrCreate();
    Path keys = work.resolve("keys.json");
    LocalKms kms = LocalKms.create(keys.toFile(), KeysetProtection.insecurePlaintext(), "bench");
    Random r = new Random(1);
    for (int round = 0; round < 2; round++) {
      Path plain = Files.createDirectories(work.resolve("plain-" + round));
      for (int i = 0; i < objects; i++) {
        byte[] b = new byte[bytes];
        r.nextBytes(b);
        Files.write(plain.resolve("o-" + i), b);
      }
      Path out = work.resolve("enc-" + round);
      long t = System.nanoTime();
      FleetSummary e = EncryptJob.run(spark, new FleetOptions().input(plain.toUri().toString())
          .output(out.toUri().toString()).keyset(keys.toString()).partitions(4)
          .results(work.resolve("r-enc-" + round).toUri().toString()));
      double encS = (System.nanoTime() - t) / 1e9;
      kms.rotate();
      t = System.nanoTime();
      FleetSummary w = RewrapJob.run(spark, new FleetOptions().input(out.toUri().toString())
          .keyset(keys.toString()).partitions(4)
          .results(work.resolve("r-rw-" + round).toUri().toString()));
      double rwS = (System.nanoTime() - t) / 1e9;
      t = System.nanoTime();
      FleetSummary v = VerifyJob.run(spark, new FleetOptions().input(out.toUri().toString())
          .keyset(keys.toString()).partitions(4)
          .results(work.resolve("r-v-" + round).toUri().toString()));
      double vS = (System.nanoTime() - t) / 1e9;
      System.out.printf("round %d (%s): encrypt %.0f objects/s (%.1f s), rewrap %.0f objects/s "
              + "(%.1f s), verify %.0f objects/s (%.1f s)%n  %s%n  %s%n  %s%n",
          round, round == 0 ? "cold" : "warm", objects / encS, encS, objects / rwS, rwS,
          objects / vS, vS, e, w, v);
    }
    spark.stop();
  }
}
