/**
 * Fleet jobs on Apache Spark 4: {@link com.getox.crypto.spark.EncryptJob}, {@link
 * com.getox.crypto.spark.RewrapJob}, {@link com.getox.crypto.spark.VerifyJob} and {@link
 * com.getox.crypto.spark.ShredScanJob} over objects on any Hadoop FileSystem, each writing a
 * per-object result table and returning a {@link com.getox.crypto.spark.FleetSummary}.
 *
 * <pre>{@code
 * FleetSummary s = RewrapJob.run(spark, new FleetOptions().input("s3a://calls/")
 *     .keyset("keys.json").results("s3a://reports/rewrap"));
 * }</pre>
 */
package com.getox.crypto.spark;
