package com.getox.crypto.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a fleet job reads, where it reports, and which KEKs it uses. The same options serve every
 * job (each uses the ones it needs); {@link #parse} reads them from {@code spark-submit}
 * arguments. Holds no key material: a keyset is named by its path and a passphrase by the
 * environment variable that holds it on the executors.
 *
 * <pre>{@code
 * FleetOptions o = new FleetOptions()
 *     .input("s3a://calls/2026/**")                   // or .manifest("s3a://inv/manifest.csv")
 *     .keyset("keys.json")                            // shipped with --files keys.json
 *     .kek("aws-kms://arn:aws:kms:eu-west-1:111122223333:key/1234abcd-...")
 *     .results("s3a://calls-reports/rewrap-2026-12-07");
 * FleetSummary summary = RewrapJob.run(spark, o);
 * }</pre>
 *
 * <p>Arguments: {@code --input PATH_OR_GLOB}, {@code --manifest FILE} with {@code
 * --manifest-format csv|parquet}, {@code --manifest-column N_OR_NAME} and {@code --manifest-base
 * URI}, {@code --results DIR}, {@code --results-format parquet|csv}, {@code --output DIR},
 * {@code --suffix SUFFIX}, {@code --keyset FILE}, {@code --passphrase-env NAME}, {@code --kek URI}
 * (repeatable), {@code --aws-kms-endpoint URL}, {@code --gcp-kms-endpoint URL}, {@code
 * --header-only}, {@code --kek-uri URI}, {@code --kek-version V}, {@code --partitions N}, {@code
 * --kms-attempts N}, {@code --s3-region R}, {@code --s3-endpoint URL}, {@code --s3-path-style}, {@code --s3-whole-files}.
 *
 * <p>Objects named {@code s3://bucket/key} or {@code s3a://bucket/key} (give them by a manifest:
 * listing a bucket through Hadoop needs hadoop-aws) are recordings stored the s3 module's way,
 * header in the object's metadata or a sidecar, and are read and re-wrapped through {@code
 * S3Recordings} (metadata only) with a client built on each executor with the AWS SDK's default
 * credentials.
 */
public final class FleetOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The default environment variable holding a keyset's passphrase, as in the CLI. */
  public static final String DEFAULT_PASSPHRASE_ENV = "OXCRYPT_PASSPHRASE";

  /** The input path or glob. */
  private String input;
  /** The manifest file. */
  private String manifest;
  /** csv or parquet. */
  private String manifestFormat = "csv";
  /** The key column: a number (CSV) or name (Parquet). */
  private String manifestColumn = "0";
  /** What manifest keys are relative to. */
  private String manifestBase;
  /** The result table's directory. */
  private String results;
  /** parquet or csv. */
  private String resultsFormat = "parquet";
  /** The encrypt job's output directory. */
  private String output;
  /** The encrypt job's suffix. */
  private String suffix = ".oxr";
  /** The keyset file's path. */
  private String keyset;
  /** The passphrase's environment variable (its name only). */
  private String passphraseEnv = DEFAULT_PASSPHRASE_ENV;
  /** Cloud KEK URIs. */
  private final ArrayList<String> keks = new ArrayList<>();
  /** AWS KMS endpoint override. */
  private String awsKmsEndpoint;
  /** Cloud KMS endpoint override. */
  private String gcpKmsEndpoint;
  /** Verify the header and commitment only. */
  private boolean headerOnly;
  /** The shred-scan's KEK URI. */
  private String kekUri;
  /** The shred-scan's KEK version. */
  private String kekVersion;
  /** Tasks, 0 for automatic. */
  private int partitions;
  /** Attempts per object on KMS errors. */
  private int kmsAttempts = 3;
  /** The S3 Region, or null for the executors' AWS_REGION. */
  private String s3Region;
  /** S3 endpoint override, or null for AWS's. */
  private String s3Endpoint;
  /** Path-style S3 requests. */
  private boolean s3PathStyle;
  /** S3 objects are whole-file recordings, through Hadoop's s3a. */
  private boolean s3WholeFiles;

  /** Options with nothing set: give an input or a manifest, and results. */
  public FleetOptions() {}

  /**
   * Reads {@code spark-submit} arguments (see the class comment).
   *
   * @param args the arguments after the application jar
   * @return the options
   * @throws IllegalArgumentException if an argument is unknown or lacks its value
   */
  public static FleetOptions parse(String... args) {
    FleetOptions o = new FleetOptions();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--header-only")) {
        o.headerOnly = true;
        continue;
      }
      if (a.equals("--s3-path-style")) {
        o.s3PathStyle = true;
        continue;
      }
      if (a.equals("--s3-whole-files")) {
        o.s3WholeFiles = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(a + " needs a value");
      }
      String v = args[++i];
      switch (a) {
        case "--input": o.input(v); break;
        case "--manifest": o.manifest(v); break;
        case "--manifest-format": o.manifestFormat(v); break;
        case "--manifest-column": o.manifestColumn(v); break;
        case "--manifest-base": o.manifestBase(v); break;
        case "--results": o.results(v); break;
        case "--results-format": o.resultsFormat(v); break;
        case "--output": o.output(v); break;
        case "--suffix": o.suffix(v); break;
        case "--keyset": o.keyset(v); break;
        case "--passphrase-env": o.passphraseEnv(v); break;
        case "--kek": o.kek(v); break;
        case "--aws-kms-endpoint": o.awsKmsEndpoint(v); break;
        case "--gcp-kms-endpoint": o.gcpKmsEndpoint(v); break;
        case "--kek-uri": o.kekUri(v); break;
        case "--kek-version": o.kekVersion(v); break;
        case "--partitions": o.partitions(Integer.parseInt(v)); break;
        case "--kms-attempts": o.kmsAttempts(Integer.parseInt(v)); break;
        case "--s3-region": o.s3Region(v); break;
        case "--s3-endpoint": o.s3Endpoint(v); break;
        default: throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    return o;
  }

  /**
   * The objects to process: a path or glob on any Hadoop FileSystem ({@code file://}, {@code
   * s3a://}, {@code gs://}, {@code hdfs://}); directories are walked. Names starting with {@code
   * .} or {@code _} (temporary and marker files) are skipped.
   *
   * @param pathOrGlob the path or glob
   * @return these options
   */
  public FleetOptions input(String pathOrGlob) {
    this.input = pathOrGlob;
    return this;
  }

  /**
   * The objects to process, listed in an inventory manifest instead of by listing a bucket.
   *
   * @param file a CSV or Parquet file (or directory of them) on any Hadoop FileSystem
   * @return these options
   */
  public FleetOptions manifest(String file) {
    this.manifest = file;
    return this;
  }

  /**
   * The manifest's format.
   *
   * @param format {@code csv} (default; no header line, as S3 Inventory writes) or {@code parquet}
   * @return these options
   */
  public FleetOptions manifestFormat(String format) {
    this.manifestFormat = format;
    return this;
  }

  /**
   * The manifest column holding the object key.
   *
   * @param column a 0-based column number for CSV (default 0; 1 for S3 Inventory's bucket,key
   *     rows), or a column name for Parquet (such as {@code key})
   * @return these options
   */
  public FleetOptions manifestColumn(String column) {
    this.manifestColumn = column;
    return this;
  }

  /**
   * What the manifest's keys are relative to; a key that is already a URI with a scheme is used
   * as it is.
   *
   * @param baseUri such as {@code s3a://bucket/}; null for keys that are full paths
   * @return these options
   */
  public FleetOptions manifestBase(String baseUri) {
    this.manifestBase = baseUri;
    return this;
  }

  /**
   * Where the per-object result table goes (replaced if it exists).
   *
   * @param dir a directory on any Hadoop FileSystem
   * @return these options
   */
  public FleetOptions results(String dir) {
    this.results = dir;
    return this;
  }

  /**
   * The result table's format.
   *
   * @param format {@code parquet} (default) or {@code csv} (with a header line)
   * @return these options
   */
  public FleetOptions resultsFormat(String format) {
    this.resultsFormat = format;
    return this;
  }

  /**
   * Where {@link EncryptJob} writes recordings: each object's path relative to the input's
   * directory (or the manifest base), plus {@link #suffix}.
   *
   * @param dir a directory on any Hadoop FileSystem
   * @return these options
   */
  public FleetOptions output(String dir) {
    this.output = dir;
    return this;
  }

  /**
   * The suffix {@link EncryptJob} appends to each recording's name.
   *
   * @param suffix default {@code .oxr}
   * @return these options
   */
  public FleetOptions suffix(String suffix) {
    this.suffix = suffix;
    return this;
  }

  /**
   * A local keyset file, the first KEK. Opened on each executor: by this path if it exists there,
   * otherwise by its file name among the files shipped with {@code spark-submit --files}.
   *
   * @param file the keyset file's path
   * @return these options
   */
  public FleetOptions keyset(String file) {
    this.keyset = file;
    return this;
  }

  /**
   * The executors' environment variable holding the keyset's passphrase (set it with {@code
   * spark.executorEnv.NAME}); only its name travels with the job.
   *
   * @param name default {@value #DEFAULT_PASSPHRASE_ENV}
   * @return these options
   */
  public FleetOptions passphraseEnv(String name) {
    this.passphraseEnv = name;
    return this;
  }

  /**
   * Adds a cloud KMS KEK ({@code aws-kms://arn:...} or {@code gcp-kms://projects/...}), called
   * from each executor with its SDK's default credentials. New recordings are wrapped under every
   * KEK; {@link RewrapJob} moves every KEK's wrapped key to its current version.
   *
   * @param uri the KEK's URI
   * @return these options
   */
  public FleetOptions kek(String uri) {
    this.keks.add(uri);
    return this;
  }

  /**
   * Calls AWS KMS at this endpoint instead of the Region's (a VPC endpoint).
   *
   * @param url the endpoint URL, or null
   * @return these options
   */
  public FleetOptions awsKmsEndpoint(String url) {
    this.awsKmsEndpoint = url;
    return this;
  }

  /**
   * Calls Cloud KMS at this endpoint ({@code https://HOST:PORT}) instead of the default.
   *
   * @param url the endpoint URL, or null
   * @return these options
   */
  public FleetOptions gcpKmsEndpoint(String url) {
    this.gcpKmsEndpoint = url;
    return this;
  }

  /**
   * {@link VerifyJob}: check only the header, the data key and the key commitment, not every
   * chunk (reads about a header's bytes per object instead of the whole object).
   *
   * @param headerOnly true for header and commitment only; default false (full authentication)
   * @return these options
   */
  public FleetOptions headerOnly(boolean headerOnly) {
    this.headerOnly = headerOnly;
    return this;
  }

  /**
   * {@link ShredScanJob}: the KEK whose version is to be destroyed.
   *
   * @param uri the KEK's URI, such as {@code local://team-keys}
   * @return these options
   */
  public FleetOptions kekUri(String uri) {
    this.kekUri = uri;
    return this;
  }

  /**
   * {@link ShredScanJob}: the version to be destroyed, as recorded in wrapped keys.
   *
   * @param version the version
   * @return these options
   */
  public FleetOptions kekVersion(String version) {
    this.kekVersion = version;
    return this;
  }

  /**
   * How many tasks to split the objects into.
   *
   * @param partitions at least 1, or 0 (default) for one task per 1000 objects, at least the
   *     cluster's default parallelism
   * @return these options
   */
  public FleetOptions partitions(int partitions) {
    this.partitions = partitions;
    return this;
  }

  /**
   * How many times an object is tried when a KMS call fails with a retryable {@link
   * com.getox.crypto.KmsException} (throttling, an outage; after the KMS client's own retries),
   * with exponential back-off from 200 ms; other failures are reported at once.
   *
   * @param attempts at least 1; default 3
   * @return these options
   */
  public FleetOptions kmsAttempts(int attempts) {
    if (attempts < 1) {
      throw new IllegalArgumentException("kmsAttempts must be at least 1");
    }
    this.kmsAttempts = attempts;
    return this;
  }

  /**
   * The Region of the S3 objects ({@code s3://} and {@code s3a://} paths).
   *
   * @param region such as {@code eu-west-1}; default null: the executors' {@code AWS_REGION}
   *     environment variable or {@code aws.region} system property
   * @return these options
   */
  public FleetOptions s3Region(String region) {
    this.s3Region = region;
    return this;
  }

  /**
   * Calls this S3-compatible endpoint (R2, MinIO, Ceph, a VPC endpoint) instead of AWS's.
   *
   * @param url an {@code https} URL (plain {@code http} only on loopback), or null
   * @return these options
   */
  public FleetOptions s3Endpoint(String url) {
    this.s3Endpoint = url;
    return this;
  }

  /**
   * Path-style S3 requests ({@code https://host/bucket/key}), which most non-AWS stores need.
   *
   * @param pathStyle true for path-style; default false
   * @return these options
   */
  public FleetOptions s3PathStyle(boolean pathStyle) {
    this.s3PathStyle = pathStyle;
    return this;
  }

  /**
   * Treats {@code s3://} and {@code s3a://} objects as whole-file recordings (header at the start
   * of the object, as {@link EncryptJob} writes them through Hadoop), read and rewritten through
   * Hadoop's s3a file system (needs hadoop-aws on the class path), instead of through {@code
   * S3Recordings}' metadata layout.
   *
   * @param wholeFiles true for whole files through Hadoop; default false
   * @return these options
   */
  public FleetOptions s3WholeFiles(boolean wholeFiles) {
    this.s3WholeFiles = wholeFiles;
    return this;
  }

  /**
   * Whether S3 objects are whole-file recordings read through Hadoop.
   *
   * @return true for whole files through Hadoop
   */
  public boolean s3WholeFiles() {
    return s3WholeFiles;
  }

  /**
   * The S3 Region.
   *
   * @return the Region, or null for the executors' default
   */
  public String s3Region() {
    return s3Region;
  }

  /**
   * The S3 endpoint override.
   *
   * @return the URL, or null
   */
  public String s3Endpoint() {
    return s3Endpoint;
  }

  /**
   * Whether S3 requests are path-style.
   *
   * @return true for path-style
   */
  public boolean s3PathStyle() {
    return s3PathStyle;
  }

  /**
   * The input path or glob.
   *
   * @return the input, or null
   */
  public String input() {
    return input;
  }

  /**
   * The manifest.
   *
   * @return the manifest's path, or null
   */
  public String manifest() {
    return manifest;
  }

  /**
   * The manifest's format.
   *
   * @return {@code csv} or {@code parquet}
   */
  public String manifestFormat() {
    return manifestFormat;
  }

  /**
   * The manifest's key column.
   *
   * @return a number (CSV) or name (Parquet)
   */
  public String manifestColumn() {
    return manifestColumn;
  }

  /**
   * The manifest's base URI.
   *
   * @return the base, or null
   */
  public String manifestBase() {
    return manifestBase;
  }

  /**
   * The result table's directory.
   *
   * @return the directory, or null
   */
  public String results() {
    return results;
  }

  /**
   * The result table's format.
   *
   * @return {@code parquet} or {@code csv}
   */
  public String resultsFormat() {
    return resultsFormat;
  }

  /**
   * The encrypt job's output directory.
   *
   * @return the directory, or null
   */
  public String output() {
    return output;
  }

  /**
   * The encrypt job's suffix.
   *
   * @return the suffix
   */
  public String suffix() {
    return suffix;
  }

  /**
   * The keyset file.
   *
   * @return its path, or null
   */
  public String keyset() {
    return keyset;
  }

  /**
   * The passphrase's environment variable.
   *
   * @return its name
   */
  public String passphraseEnv() {
    return passphraseEnv;
  }

  /**
   * The cloud KEK URIs.
   *
   * @return the URIs in order; unmodifiable
   */
  public List<String> keks() {
    return Collections.unmodifiableList(keks);
  }

  /**
   * The AWS KMS endpoint override.
   *
   * @return the URL, or null
   */
  public String awsKmsEndpoint() {
    return awsKmsEndpoint;
  }

  /**
   * The Cloud KMS endpoint override.
   *
   * @return the URL, or null
   */
  public String gcpKmsEndpoint() {
    return gcpKmsEndpoint;
  }

  /**
   * Whether verification stops at the header and key commitment.
   *
   * @return true for header and commitment only
   */
  public boolean headerOnly() {
    return headerOnly;
  }

  /**
   * The shred-scan's KEK URI.
   *
   * @return the URI, or null
   */
  public String kekUri() {
    return kekUri;
  }

  /**
   * The shred-scan's KEK version.
   *
   * @return the version, or null
   */
  public String kekVersion() {
    return kekVersion;
  }

  /**
   * The number of tasks.
   *
   * @return the number, or 0 for automatic
   */
  public int partitions() {
    return partitions;
  }

  /**
   * The attempts per object on KMS errors.
   *
   * @return at least 1
   */
  public int kmsAttempts() {
    return kmsAttempts;
  }

  /**
   * Identifies the key configuration (file path, variable name, URIs, endpoints; nothing
   * secret), so executors build one set of KEKs per configuration.
   *
   * @return the identity
   */
  public String keyConfigurationId() {
    return keyset + "\n" + passphraseEnv + "\n" + String.join(",", keks) + "\n" + awsKmsEndpoint
        + "\n" + gcpKmsEndpoint;
  }

  @Override
  public String toString() {
    return "FleetOptions[input=" + input + ", manifest=" + manifest + ", results=" + results
        + ", output=" + output + ", keyset=" + keyset + ", keks=" + keks + ", s3Endpoint=" + s3Endpoint + "]";
  }
}
