package com.getox.crypto.spark;

import com.getox.crypto.spark.internal.Fleet;
import com.getox.crypto.spark.internal.ObjectTasks;
import java.io.IOException;
import org.apache.spark.sql.SparkSession;

/**
 * Encrypts plaintext objects into recordings under the configured KEKs, one new data key per
 * object (no DEK cache: each recording can be re-wrapped, shared and shredded on its own). Each
 * recording is written beside its target as a temporary file, checked to parse with the length
 * its plaintext needs, and renamed into place; a target that already exists is skipped, so a
 * re-run finishes what a killed run left.
 *
 * <pre>{@code
 * spark-submit --class com.getox.crypto.spark.EncryptJob --files keys.json ox-crypto-spark.jar \
 *   --input s3a://raw-calls/2026/ --output s3a://calls/2026/ --keyset keys.json \
 *   --results s3a://reports/encrypt-2026
 * }</pre>
 */
public final class EncryptJob {
  private EncryptJob() {}

  /**
   * Runs the job in {@code spark}. Failed objects are rows of the result table (status {@code
   * failed} and their error class), never an exception.
   *
   * @param spark the session
   * @param options the input, results and keys
   * @return the counts
   * @throws IOException if the input cannot be listed or the result table cannot be written
   * @throws IllegalArgumentException if a required option is missing
   */
  public static FleetSummary run(SparkSession spark, FleetOptions options) throws IOException {
    return Fleet.run(spark, options, ObjectTasks.ENCRYPT);
  }

  /**
   * The {@code spark-submit} entry point: runs the job and prints the summary. Exits normally
   * when objects failed (see the result table).
   *
   * @param args the options, as {@link FleetOptions#parse} reads them
   * @throws IOException if the input cannot be listed or the result table cannot be written
   */
  public static void main(String[] args) throws IOException {
    FleetOptions options = FleetOptions.parse(args);
    SparkSession spark = SparkSession.builder().appName("ox-crypto-encrypt").getOrCreate();
    try {
      System.out.println(run(spark, options));
    } finally {
      spark.stop();
    }
  }
}
