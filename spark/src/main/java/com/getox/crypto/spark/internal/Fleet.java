package com.getox.crypto.spark.internal;

import com.getox.crypto.spark.FleetOptions;
import com.getox.crypto.spark.FleetSummary;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;

/**
 * The driver side shared by the jobs: lists the objects (or reads the manifest), runs {@link
 * ObjectTasks#process} over them in tasks, writes the result table, and reads it back for the
 * summary, so the summary counts exactly what the table holds.
 */
public final class Fleet {
  /** The result table: one row per object. */
  public static final StructType SCHEMA = new StructType()
      .add("path", DataTypes.StringType, false)
      .add("status", DataTypes.StringType, false)
      .add("kekVersionsBefore", DataTypes.StringType, true)
      .add("kekVersionsAfter", DataTypes.StringType, true)
      .add("bytes", DataTypes.LongType, false)
      .add("errorClass", DataTypes.StringType, true)
      .add("auditEvents", DataTypes.IntegerType, false)
      .add("bodyBytesMoved", DataTypes.LongType, false);

  private static final int OBJECTS_PER_TASK = 1000;

  private Fleet() {}

  /** Runs {@code job} over the options' objects; failed objects are rows, not exceptions. */
  public static FleetSummary run(SparkSession spark, FleetOptions o, String job) throws IOException {
    if ((o.input() == null) == (o.manifest() == null)) {
      throw new IllegalArgumentException("give exactly one of an input path/glob and a manifest");
    }
    if (o.results() == null) {
      throw new IllegalArgumentException("give a results directory");
    }
    if (job.equals(ObjectTasks.ENCRYPT) && o.output() == null) {
      throw new IllegalArgumentException("encrypt needs an output directory");
    }
    if (job.equals(ObjectTasks.SHRED_SCAN) && (o.kekUri() == null || o.kekVersion() == null)) {
      throw new IllegalArgumentException("shred-scan needs a KEK URI and version");
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    JavaRDD<String> paths;
    String base;
    if (o.input() != null) {
      List<String> listed = new ArrayList<>();
      base = list(o.input(), conf, listed);
      int parts = o.partitions() > 0 ? o.partitions()
          : Math.max(jsc.defaultParallelism(), (listed.size() + OBJECTS_PER_TASK - 1) / OBJECTS_PER_TASK);
      paths = jsc.parallelize(listed, Math.max(1, Math.min(parts, Math.max(1, listed.size()))));
    } else {
      // An S3 base is used as it is: its objects are read through S3Recordings, not Hadoop's
      // s3a (which needs hadoop-aws on the class path).
      base = o.manifestBase() == null || ObjectTasks.isS3(o.manifestBase()) && !o.s3WholeFiles()
          ? o.manifestBase()
          : qualify(o.manifestBase(), conf);
      Dataset<String> keys = manifest(spark, o);
      long n = keys.count();
      int parts = o.partitions() > 0 ? o.partitions()
          : (int) Math.max(jsc.defaultParallelism(), (n + OBJECTS_PER_TASK - 1) / OBJECTS_PER_TASK);
      // Spark SQL's shuffle, not the RDD one: that would serialize with Kryo, which on JDK 17
      // needs --add-opens (spark-submit adds them; a plain JVM does not).
      paths = keys.repartition(parts).javaRDD();
    }
    Broadcast<SerializableConfiguration> hadoop = jsc.broadcast(new SerializableConfiguration(conf));
    final String b = base;
    JavaRDD<Row> rows = paths.mapPartitions(it -> {
      Configuration c = hadoop.value().value();
      List<Row> out = new ArrayList<>();
      while (it.hasNext()) {
        out.add(ObjectTasks.process(job, it.next(), c, o, b));
      }
      return out.iterator();
    });
    Dataset<Row> table = spark.createDataFrame(rows, SCHEMA);
    boolean csv = o.resultsFormat().equalsIgnoreCase("csv");
    table.write().mode(SaveMode.Overwrite).format(csv ? "csv" : "parquet").option("header", "true")
        .save(o.results());
    Dataset<Row> back = csv
        ? spark.read().schema(SCHEMA).option("header", "true").csv(o.results())
        : spark.read().parquet(o.results());
    Map<String, Long> counts = new java.util.TreeMap<>();
    long bytes = 0;
    long events = 0;
    for (Row r : back.groupBy("status").agg(functions.count(functions.lit(1)),
        functions.sum("bytes"), functions.sum("auditEvents")).collectAsList()) {
      counts.put(r.getString(0), r.getLong(1));
      bytes += r.isNullAt(2) ? 0 : r.getLong(2);
      events += r.isNullAt(3) ? 0 : r.getLong(3);
    }
    return new FleetSummary(job, o.results(), counts, bytes, events);
  }

  /** The manifest's object paths, each made absolute against the manifest base. */
  private static Dataset<String> manifest(SparkSession spark, FleetOptions o) {
    boolean parquet = o.manifestFormat().equalsIgnoreCase("parquet");
    Dataset<Row> m = parquet ? spark.read().parquet(o.manifest()) : spark.read().csv(o.manifest());
    String column = parquet ? o.manifestColumn() : "_c" + Integer.parseInt(o.manifestColumn());
    String base = o.manifestBase();
    return m.select(column).where(functions.col(column).isNotNull()).map(
        (org.apache.spark.api.java.function.MapFunction<Row, String>) r -> {
          String key = r.getString(0).trim();
          if (key.contains(":/") || base == null) {
            return key;
          }
          return base.endsWith("/") ? base + key : base + "/" + key;
        }, Encoders.STRING());
  }

  /**
   * Lists a path or glob into {@code out} (directories walked; names starting with . or _
   * skipped) and returns what an object's relative path is taken from: the directory given, or
   * the directory holding the glob's matches.
   */
  static String list(String input, Configuration conf, List<String> out) throws IOException {
    Path in = new Path(input);
    FileSystem fs = in.getFileSystem(conf);
    FileStatus[] matches = fs.globStatus(in);
    if (matches == null) {
      throw new IOException("no such file or directory: " + input);
    }
    for (FileStatus m : matches) {
      if (m.isDirectory()) {
        RemoteIterator<LocatedFileStatus> files = fs.listFiles(m.getPath(), true);
        while (files.hasNext()) {
          LocatedFileStatus f = files.next();
          if (!hidden(f.getPath(), m.getPath())) {
            out.add(f.getPath().toString());
          }
        }
      } else if (!hidden(m.getPath(), m.getPath().getParent())) {
        out.add(m.getPath().toString());
      }
    }
    java.util.Collections.sort(out);
    boolean glob = input.matches(".*[*?\\[{].*");
    if (!glob && matches.length == 1 && matches[0].isDirectory()) {
      return matches[0].getPath().toString();
    }
    String prefix = glob ? input.substring(0, input.replaceAll("[*?\\[{].*$", "").lastIndexOf('/') + 1)
        : in.getParent() == null ? input : in.getParent().toString();
    return qualify(prefix.isEmpty() ? "." : prefix, conf);
  }

  private static String qualify(String path, Configuration conf) throws IOException {
    Path p = new Path(path);
    String q = p.getFileSystem(conf).makeQualified(p).toString();
    return q.endsWith("/") && q.length() > 1 ? q.substring(0, q.length() - 1) : q;
  }

  /** Whether a name between {@code root} and {@code p} starts with . or _ (temp, marker). */
  private static boolean hidden(Path p, Path root) {
    for (Path q = p; q != null && !q.equals(root); q = q.getParent()) {
      String n = q.getName();
      if (n.startsWith(".") || n.startsWith("_")) {
        return true;
      }
    }
    return false;
  }
}
