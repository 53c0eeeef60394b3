package com.getox.crypto.spark;

import com.getox.crypto.spark.internal.Fleet;
import com.getox.crypto.spark.internal.ObjectTasks;
import java.io.IOException;
import org.apache.spark.sql.SparkSession;

/**
 * Opens and authenticates every recording: the header, the data key and the key commitment, and
 * (unless {@link FleetOptions#headerOnly}) every chunk to the end, so a tampered or truncated
 * recording is reported by name with its error class.
 *
 * <pre>{@code
 * spark-submit --class com.getox.crypto.spark.VerifyJob --files keys.json ox-crypto-spark.jar \
 *   --input gs://calls/2026/ --keyset keys.json --results gs://reports/verify-2026
 * }</pre>
 */
public final class VerifyJob {
  private VerifyJob() {}

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
    return Fleet.run(spark, options, ObjectTasks.VERIFY);
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
    SparkSession spark = SparkSession.builder().appName("ox-crypto-verify").getOrCreate();
    try {
      System.out.println(run(spark, options));
    } finally {
      spark.stop();
    }
  }
}
