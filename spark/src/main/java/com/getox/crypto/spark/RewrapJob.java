package com.getox.crypto.spark;

import com.getox.crypto.spark.internal.Fleet;
import com.getox.crypto.spark.internal.ObjectTasks;
import java.io.IOException;
import org.apache.spark.sql.SparkSession;

/**
 * Moves every recording to the current version of each configured KEK, header only: the body
 * bytes are copied unchanged. A recording already current is left alone (status {@code current}),
 * so a second run changes nothing. On the local file system the edit is {@link
 * com.getox.crypto.RecordingFiles#rewrap}; elsewhere the new file is written beside the old one,
 * read back (same header, body length, salt and commitment) and renamed over it. Objects named
 * {@code s3://bucket/key} or {@code s3a://bucket/key} (given by a manifest) are re-wrapped by
 * {@code S3Recordings} (ox-crypto-s3) in their metadata or sidecar: no body byte moves.
 *
 * <pre>{@code
 * spark-submit --class com.getox.crypto.spark.RewrapJob --files keys.json ox-crypto-spark.jar \
 *   --input hdfs:///calls/ --keyset keys.json --results hdfs:///reports/rewrap-2026-12
 * }</pre>
 */
public final class RewrapJob {
  private RewrapJob() {}

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
    return Fleet.run(spark, options, ObjectTasks.REWRAP);
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
    SparkSession spark = SparkSession.builder().appName("ox-crypto-rewrap").getOrCreate();
    try {
      System.out.println(run(spark, options));
    } finally {
      spark.stop();
    }
  }
}
