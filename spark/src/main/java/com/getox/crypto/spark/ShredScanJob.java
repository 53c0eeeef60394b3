package com.getox.crypto.spark;

import com.getox.crypto.spark.internal.Fleet;
import com.getox.crypto.spark.internal.ObjectTasks;
import java.io.IOException;
import org.apache.spark.sql.SparkSession;

/**
 * Lists the recordings that only a given KEK version opens (status {@code shreds}): destroying
 * that version crypto-shreds exactly these. Reads headers only and needs no key, by the rule of
 * {@link com.getox.crypto.RecordingFiles#dependingOnlyOn}, which the CLI's {@code keys destroy
 * --dry-run --scan} uses.
 *
 * <pre>{@code
 * spark-submit --class com.getox.crypto.spark.ShredScanJob ox-crypto-spark.jar \
 *   --manifest s3a://inventory/calls/data/ --manifest-column 1 --manifest-base s3a://calls/ \
 *   --kek-uri local://team-keys --kek-version 1842051372 --results s3a://reports/shred-scan
 * }</pre>
 */
public final class ShredScanJob {
  private ShredScanJob() {}

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
    return Fleet.run(spark, options, ObjectTasks.SHRED_SCAN);
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
    SparkSession spark = SparkSession.builder().appName("ox-crypto-shred-scan").getOrCreate();
    try {
      System.out.println(run(spark, options));
    } finally {
      spark.stop();
    }
  }
}
