package com.getox.crypto.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingFiles;
import com.getox.crypto.RecordingHeader;
import com.getox.crypto.Recordings;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import com.getox.crypto.s3.LocalS3;
import com.getox.crypto.s3.S3RecordingWriter;
import com.getox.crypto.s3.S3Recordings;
import com.getox.crypto.spark.internal.ObjectTasks;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The four jobs in {@code local[2]} over 200 recordings, through the Hadoop FileSystem API on
 * {@code file://}. One encrypt run (in {@link #setUp}) makes the recordings; each test works on
 * its own copy of them and of the keyset.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FleetJobsTest {
  private static final int OBJECTS = 200;

  @TempDir static Path root;
  private SparkSession spark;
  private Path plain;
  private Path encrypted;
  private Path keyset;
  private FleetSummary encryptSummary;
  private final Map<String, byte[]> plaintexts = new TreeMap<>(); // relative path -> bytes

  @BeforeAll
  void setUp() throws Exception {
    Path sparkDirs = Files.createDirectories(root.resolve("spark"));
    spark = SparkSession.builder()
        .master("local[2]")
        .appName("ox-crypto-spark-test")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "4")
        .config("spark.local.dir", sparkDirs.resolve("local").toString())
        .config("spark.sql.warehouse.dir", sparkDirs.resolve("warehouse").toUri().toString())
        .config("spark.hadoop.hadoop.tmp.dir", sparkDirs.resolve("hadoop").toString())
        .getOrCreate();
    keyset = root.resolve("keys.json");
    LocalKms.create(keyset.toFile(), KeysetProtection.insecurePlaintext(), "fleet");
    plain = Files.createDirectories(root.resolve("plain"));
    Random random = new Random(17);
    for (int i = 0; i < OBJECTS; i++) {
      String rel = (i % 2 == 0 ? "a/" : "b/c/") + "call-" + i + ".pcm";
      byte[] b = new byte[i == 0 ? 0 : random.nextInt(40_000)];
      random.nextBytes(b);
      Path p = plain.resolve(rel);
      Files.createDirectories(p.getParent());
      Files.write(p, b);
      plaintexts.put(rel, b);
    }
    encrypted = root.resolve("encrypted");
    long t = System.nanoTime();
    encryptSummary = EncryptJob.run(spark, options(plain).output(encrypted.toUri().toString())
        .results(root.resolve("results-encrypt").toUri().toString()));
    double seconds = (System.nanoTime() - t) / 1e9;
    System.out.printf("encrypt: %d objects in %.2f s (%.0f objects/s, cold) %s%n",
        OBJECTS, seconds, OBJECTS / seconds, encryptSummary);
  }

  @AfterAll
  void tearDown() {
    if (spark != null) {
      spark.stop();
    }
  }

  @AfterEach
  void clearSeams() {
    ObjectTasks.beforeRename = null;
    ObjectTasks.hadoopPathForLocalFiles = false;
  }

  private FleetOptions options(Path input) {
    return new FleetOptions().input(input.toUri().toString()).keyset(keyset.toString());
  }

  private String results(String name) {
    return root.resolve("results-" + name).toUri().toString();
  }

  @Test
  void encryptWritesOneRecordingPerObjectAndEachDecrypts() throws Exception {
    assertEquals(OBJECTS, encryptSummary.count("encrypted"), encryptSummary.toString());
    assertEquals(OBJECTS, encryptSummary.objects());
    // Each object: one GENERATE_DEK and one WRAP event.
    assertEquals(2L * OBJECTS, encryptSummary.auditEvents());
    Recordings reader = reader(keyset);
    for (Map.Entry<String, byte[]> e : plaintexts.entrySet()) {
      Path rec = encrypted.resolve(e.getKey() + ".oxr");
      try (InputStream in = reader.newInputStream(Files.newInputStream(rec), ReadOptions.defaults())) {
        assertArrayEquals(e.getValue(), in.readAllBytes(), e.getKey());
      }
    }
    assertEquals(OBJECTS, rows(results("encrypt")).size());
    try (Stream<Path> s = Files.walk(encrypted)) {
      assertEquals(OBJECTS, s.filter(Files::isRegularFile).count(), "no temporary or .crc files");
    }

    // A second run skips what the first finished and changes nothing.
    Map<String, byte[]> before = snapshot(encrypted);
    FleetSummary again = EncryptJob.run(spark, options(plain).output(encrypted.toUri().toString())
        .results(results("encrypt-again")));
    assertEquals(OBJECTS, again.count("skipped"), again.toString());
    assertEquals(0, again.auditEvents());
    assertSnapshotEquals(before, snapshot(encrypted));
  }

  @Test
  void rewrapMovesHeadersToTheCurrentVersionKeepingBodiesAndASecondRunChangesNothing()
      throws Exception {
    Path dir = copyOf(encrypted, "rewrap");
    Path keys = root.resolve("rewrap-keys.json");
    Files.copy(keyset, keys);
    LocalKms kms = LocalKms.open(keys.toFile(), KeysetProtection.insecurePlaintext());
    String current = Long.toString(kms.rotate().id());
    Map<String, byte[]> before = snapshot(dir);

    long t = System.nanoTime();
    FleetSummary first = RewrapJob.run(spark, new FleetOptions().input(dir.toUri().toString())
        .keyset(keys.toString()).results(results("rewrap")));
    double seconds = (System.nanoTime() - t) / 1e9;
    System.out.printf("rewrap: %d objects in %.2f s (%.0f objects/s, warm) %s%n",
        OBJECTS, seconds, OBJECTS / seconds, first);
    assertEquals(OBJECTS, first.count("rewrapped"), first.toString());
    Map<String, byte[]> after = snapshot(dir);
    assertEquals(before.keySet(), after.keySet());
    for (String rel : before.keySet()) {
      assertArrayEquals(body(before.get(rel)), body(after.get(rel)), rel + ": body bytes");
      for (WrappedKey w : header(after.get(rel)).wrappedKeys()) {
        assertEquals(current, w.kekVersion(), rel);
      }
    }
    for (Row r : rows(results("rewrap"))) {
      assertTrue(r.getString(3).endsWith("#" + current), r.toString());
      assertFalse(r.getString(2).endsWith("#" + current), r.toString());
    }
    Recordings reader = reader(keys);
    for (Map.Entry<String, byte[]> e : plaintexts.entrySet()) {
      try (InputStream in = reader.newInputStream(
          Files.newInputStream(dir.resolve(e.getKey() + ".oxr")), ReadOptions.defaults())) {
        assertArrayEquals(e.getValue(), in.readAllBytes(), e.getKey());
      }
    }

    FleetSummary second = RewrapJob.run(spark, new FleetOptions().input(dir.toUri().toString())
        .keyset(keys.toString()).results(results("rewrap-again")));
    assertEquals(OBJECTS, second.count("current"), second.toString());
    assertEquals(0, second.auditEvents());
    assertSnapshotEquals(after, snapshot(dir));
  }

  @Test
  void rewrapThroughTheHadoopPathKeepsBodiesAndAFailedRenameLeavesTheOldFile() throws Exception {
    Path dir = copyOf(encrypted.resolve("a"), "rewrap-hadoop");
    Path keys = root.resolve("rewrap-hadoop-keys.json");
    Files.copy(keyset, keys);
    String current = Long.toString(
        LocalKms.open(keys.toFile(), KeysetProtection.insecurePlaintext()).rotate().id());
    Map<String, byte[]> before = snapshot(dir);
    String victim = dir.resolve("call-10.pcm.oxr").toUri().getPath();
    ObjectTasks.hadoopPathForLocalFiles = true;
    ObjectTasks.beforeRename = target -> {
      if (target.endsWith(victim)) {
        throw new IllegalStateException("simulated crash between the temporary write and the rename");
      }
    };
    FleetSummary s = RewrapJob.run(spark, new FleetOptions().input(dir.toUri().toString())
        .keyset(keys.toString()).results(results("rewrap-hadoop")));
    assertEquals(1, s.count("failed"), s.toString());
    assertEquals(before.size() - 1, s.count("rewrapped"), s.toString());
    Map<String, byte[]> after = snapshot(dir);
    assertEquals(before.keySet(), after.keySet(), "no temporary file left");
    assertArrayEquals(before.get("call-10.pcm.oxr"), after.get("call-10.pcm.oxr"), "old file intact");
    for (String rel : before.keySet()) {
      assertArrayEquals(body(before.get(rel)), body(after.get(rel)), rel);
      if (!rel.equals("call-10.pcm.oxr")) {
        assertEquals(current, header(after.get(rel)).wrappedKeys().get(0).kekVersion(), rel);
      }
    }
    ObjectTasks.beforeRename = null;
    FleetSummary again = RewrapJob.run(spark, new FleetOptions().input(dir.toUri().toString())
        .keyset(keys.toString()).results(results("rewrap-hadoop-again")));
    assertEquals(1, again.count("rewrapped"), again.toString());
    assertEquals(before.size() - 1, again.count("current"), again.toString());
  }

  @Test
  void verifyReportsTamperedAndTruncatedRecordingsByName() throws Exception {
    Path dir = copyOf(encrypted, "verify");
    Path tampered = dir.resolve("a/call-2.pcm.oxr");     // a body byte in the last chunk
    Path truncated = dir.resolve("b/c/call-3.pcm.oxr");  // its last 100 bytes cut off
    Path badCommitment = dir.resolve("a/call-4.pcm.oxr"); // a byte of the key commitment
    flipByte(tampered, Files.size(tampered) - 20);
    try (RandomAccessFile f = new RandomAccessFile(truncated.toFile(), "rw")) {
      f.setLength(f.length() - 100);
    }
    flipByte(badCommitment, header(Files.readAllBytes(badCommitment)).toByteArray().length + 40);

    FleetSummary full = VerifyJob.run(spark, options(dir).results(results("verify")));
    assertEquals(OBJECTS - 3, full.count("ok"), full.toString());
    Map<String, String> failed = failures(results("verify"));
    assertEquals(Set.of(uri(tampered), uri(truncated), uri(badCommitment)), failed.keySet());
    assertEquals("AuthenticationException", failed.get(uri(badCommitment)));
    failed.values().forEach(c -> assertNotNull(c));

    FleetSummary headerOnly = VerifyJob.run(spark, options(dir).headerOnly(true)
        .resultsFormat("csv").results(results("verify-header")));
    assertEquals(OBJECTS - 1, headerOnly.count("ok"), headerOnly.toString());
    assertEquals(Set.of(uri(badCommitment)), failures(results("verify-header")).keySet());
  }

  @Test
  void shredScanAgreesWithRecordingFilesAndTheCli() throws Exception {
    Path dir = copyOf(encrypted, "shred");
    Path keys = root.resolve("shred-keys.json");
    Files.copy(keyset, keys);
    LocalKms kms = LocalKms.open(keys.toFile(), KeysetProtection.insecurePlaintext());
    String old = Long.toString(kms.primary().id());
    kms.rotate();
    // Re-wrap every third recording, listed in a CSV manifest of keys relative to a base.
    List<String> keysToRewrap = new ArrayList<>();
    int i = 0;
    for (String rel : plaintexts.keySet()) {
      if (i++ % 3 == 0) {
        keysToRewrap.add(rel + ".oxr");
      }
    }
    Path manifest = root.resolve("manifest.csv");
    Files.write(manifest, keysToRewrap, StandardCharsets.UTF_8);
    FleetSummary rewrapped = RewrapJob.run(spark, new FleetOptions()
        .manifest(manifest.toUri().toString()).manifestBase(dir.toUri().toString())
        .keyset(keys.toString()).results(results("shred-rewrap")));
    assertEquals(keysToRewrap.size(), rewrapped.count("rewrapped"), rewrapped.toString());

    FleetSummary scan = ShredScanJob.run(spark, new FleetOptions().input(dir.toUri().toString())
        .kekUri(kms.uri()).kekVersion(old).resultsFormat("csv").results(results("shred")));
    assertEquals(OBJECTS - keysToRewrap.size(), scan.count("shreds"), scan.toString());
    assertEquals(keysToRewrap.size(), scan.count("safe"), scan.toString());
    Set<String> fromSpark = rows(results("shred")).stream()
        .filter(r -> r.getString(1).equals("shreds")).map(r -> r.getString(0))
        .collect(Collectors.toCollection(TreeSet::new));

    Set<String> fromSdk = RecordingFiles.dependingOnlyOn(List.of(dir.toFile()), kms.uri(), old,
            ReadOptions.defaults()).stream().map(f -> uri(f.toPath()))
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(fromSdk, fromSpark);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = com.getox.crypto.cli.OxCrypt.run(new String[] {"--json", "keys", "destroy",
        "--keyset", keys.toString(), "--key-version", old, "--dry-run", "--scan", dir.toString()},
        InputStream.nullInputStream(), out, new PrintStream(err, true, StandardCharsets.UTF_8),
        new HashMap<>());
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    JsonNode json = new ObjectMapper().readTree(out.toByteArray());
    Set<String> fromCli = new TreeSet<>();
    json.get("wouldShred").forEach(n -> fromCli.add(uri(Path.of(n.asText()))));
    assertEquals(fromCli, fromSpark);

    // The same scan from a glob, and from a Parquet manifest of full paths.
    FleetSummary globbed = ShredScanJob.run(spark, new FleetOptions()
        .input(dir.toUri() + "a/*.oxr").kekUri(kms.uri()).kekVersion(old)
        .results(results("shred-glob")));
    assertEquals(OBJECTS / 2, globbed.objects(), globbed.toString());
    assertEquals(fromSpark.stream().filter(p -> p.contains("/shred/a/")).count(),
        globbed.count("shreds"), globbed.toString());
    String parquetManifest = root.resolve("manifest.parquet").toUri().toString();
    spark.createDataset(new ArrayList<>(fromSdk), org.apache.spark.sql.Encoders.STRING())
        .toDF("key").write().parquet(parquetManifest);
    FleetSummary fromParquet = ShredScanJob.run(spark, new FleetOptions().manifest(parquetManifest)
        .manifestFormat("parquet").manifestColumn("key").kekUri(kms.uri()).kekVersion(old)
        .results(results("shred-parquet")));
    assertEquals(fromSdk.size(), fromParquet.count("shreds"), fromParquet.toString());
    assertEquals(fromSdk.size(), fromParquet.objects());
  }

  @Test
  void aRetryableKmsErrorIsRetriedWithinBoundsAndReported() throws Exception {
    Path dir = copyOf(encrypted.resolve("b/c"), "retry");
    LocalKms kms = LocalKms.open(keyset.toFile(), KeysetProtection.insecurePlaintext());
    // Fails the first unwrap of each data key (retryable, as throttling is); its file name
    // "call-1.pcm.oxr" always fails, so it is reported after the attempts run out.
    java.util.Set<String> failedOnce = java.util.concurrent.ConcurrentHashMap.newKeySet();
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    byte[] alwaysFails = header(Files.readAllBytes(dir.resolve("call-1.pcm.oxr")))
        .wrappedKeys().get(0).wrappedBytes();
    com.getox.crypto.kek.Kek flaky = new com.getox.crypto.kek.Kek() {
      @Override
      public String uri() {
        return kms.uri();
      }

      @Override
      public WrappedKey wrap(byte[] dek, com.getox.crypto.EncryptionContext c)
          throws java.security.GeneralSecurityException {
        return kms.wrap(dek, c);
      }

      @Override
      public byte[] unwrap(WrappedKey w, com.getox.crypto.EncryptionContext c)
          throws java.security.GeneralSecurityException {
        calls.incrementAndGet();
        String id = java.util.HexFormat.of().formatHex(w.wrappedBytes());
        if (Arrays.equals(w.wrappedBytes(), alwaysFails) || failedOnce.add(id)) {
          throw new com.getox.crypto.KmsException("throttled (test)", true);
        }
        return kms.unwrap(w, c);
      }
    };
    // Six recordings (each failure sleeps the back-off): call-1 and five that succeed on retry.
    FleetOptions o = new FleetOptions().input(dir.toUri() + "call-{1,11,13,15,17,19}.pcm.oxr")
        .keyset(keyset.toString()).passphraseEnv("RETRY_TEST").kmsAttempts(2)
        .results(results("retry"));
    com.getox.crypto.spark.internal.Keys.useForTests(o, Recordings.builder().wrapWith(flaky)
        .auditSink(com.getox.crypto.spark.internal.Keys.auditSink()).build());
    FleetSummary s = VerifyJob.run(spark, o);
    int n = 6;
    assertEquals(n - 1, s.count("ok"), s.toString());
    assertEquals(Map.of(uri(dir.resolve("call-1.pcm.oxr")), "NoUsableKeyException"),
        failures(results("retry")));
    assertEquals(2 * n, calls.get(), "two attempts per object, no more");
    assertEquals(2L * n, s.auditEvents(), "every attempt's UNWRAP is audited");
  }

  @Test
  void optionsParseSparkSubmitArguments() {
    FleetOptions o = FleetOptions.parse("--manifest", "s3a://inv/m.csv", "--manifest-column", "1",
        "--manifest-base", "s3a://calls/", "--kek", "aws-kms://arn:aws:kms:eu-west-1:1:key/k",
        "--kek", "gcp-kms://projects/p/locations/l/keyRings/r/cryptoKeys/k", "--header-only",
        "--results", "s3a://r/", "--kms-attempts", "5", "--s3-region", "eu-west-1",
        "--s3-endpoint", "https://minio.example:9000", "--s3-path-style");
    assertEquals("s3a://inv/m.csv", o.manifest());
    assertEquals("eu-west-1", o.s3Region());
    assertEquals("https://minio.example:9000", o.s3Endpoint());
    assertTrue(o.s3PathStyle());
    assertFalse(o.s3WholeFiles());
    assertTrue(FleetOptions.parse("--s3-whole-files").s3WholeFiles());
    assertEquals("1", o.manifestColumn());
    assertEquals(2, o.keks().size());
    assertTrue(o.headerOnly());
    assertEquals(5, o.kmsAttempts());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> FleetOptions.parse("--nope", "x"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> FleetOptions.parse("--input"));
  }

  @Test
  void aFailureBetweenTheTemporaryWriteAndTheRenameLeavesNoRecording() throws Exception {
    Path in = plain.resolve("a");
    Path out = root.resolve("encrypt-crash");
    String victim = out.resolve("call-8.pcm.oxr").toUri().getPath();
    ObjectTasks.beforeRename = target -> {
      if (target.endsWith(victim)) {
        throw new IllegalStateException("simulated crash between the temporary write and the rename");
      }
    };
    FleetSummary s = EncryptJob.run(spark, options(in).output(out.toUri().toString())
        .results(results("encrypt-crash")));
    assertEquals(1, s.count("failed"), s.toString());
    assertEquals(OBJECTS / 2 - 1, s.count("encrypted"), s.toString());
    assertFalse(Files.exists(out.resolve("call-8.pcm.oxr")));
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(OBJECTS / 2 - 1, files.count(), "no temporary file left");
    }
    assertEquals("IllegalStateException", failures(results("encrypt-crash")).values().iterator().next());

    ObjectTasks.beforeRename = null;
    FleetSummary again = EncryptJob.run(spark, options(in).output(out.toUri().toString())
        .results(results("encrypt-crash-again")));
    assertEquals(1, again.count("encrypted"), again.toString());
    assertEquals(OBJECTS / 2 - 1, again.count("skipped"), again.toString());
    try (InputStream r = reader(keyset).newInputStream(
        Files.newInputStream(out.resolve("call-8.pcm.oxr")), ReadOptions.defaults())) {
      assertArrayEquals(plaintexts.get("a/call-8.pcm"), r.readAllBytes());
    }
  }

  @Test
  void rewrapOnS3IsMetadataOnlyMovingNoBodyByteAndASecondRunChangesNothing() throws Exception {
    int n = 20;
    Path keys = root.resolve("s3-keys.json");
    Files.copy(keyset, keys);
    LocalKms kms = LocalKms.open(keys.toFile(), KeysetProtection.insecurePlaintext());
    String old = Long.toString(kms.primary().id());
    String oldProp = System.getProperty("aws.accessKeyId");
    // The executors' clients use the SDK's default credentials: here, its system properties.
    System.setProperty("aws.accessKeyId", LocalS3.ACCESS);
    System.setProperty("aws.secretAccessKey", LocalS3.SECRET);
    try (LocalS3 s3 = LocalS3.start(root.resolve("s3"))) {
      S3Recordings store =
          S3Recordings.builder(s3.client, Recordings.builder().wrapWith(kms).build()).build();
      Map<String, byte[]> plain = new TreeMap<>();
      Map<String, byte[]> bodies = new TreeMap<>();
      StringBuilder manifest = new StringBuilder();
      Random random = new Random(42);
      for (int i = 0; i < n; i++) {
        String key = "calls/" + (i % 3) + "/call-" + i + ".oxr";
        byte[] b = new byte[1 + random.nextInt(60_000)];
        random.nextBytes(b);
        try (S3RecordingWriter w = store.newWriter(LocalS3.BUCKET, key,
            com.getox.crypto.EncryptionContext.empty())) {
          w.write(b);
        }
        plain.put(key, b);
        bodies.put(key, s3.client.getObjectAsBytes(r -> r.bucket(LocalS3.BUCKET).key(key))
            .asByteArray());
        // S3 Inventory's CSV: bucket,key,...; one row names its object by a full s3:// URI.
        manifest.append(LocalS3.BUCKET).append(',')
            .append(i == 0 ? "s3://" + LocalS3.BUCKET + "/" + key : key).append(",1\n");
      }
      Path manifestFile = root.resolve("s3-manifest.csv");
      Files.write(manifestFile, manifest.toString().getBytes(StandardCharsets.UTF_8));
      String current = Long.toString(kms.rotate().id());
      java.util.function.Supplier<FleetOptions> options = () -> new FleetOptions()
          .manifest(manifestFile.toUri().toString()).manifestColumn("1")
          .manifestBase("s3a://" + LocalS3.BUCKET + "/").keyset(keys.toString())
          .s3Region("us-east-1").s3Endpoint(s3.endpoint().toString()).s3PathStyle(true);

      s3.wire.reset();
      FleetSummary first = RewrapJob.run(spark, options.get().results(results("s3-rewrap")));
      System.out.printf("s3 rewrap: %s; %d bytes on the wire for %d objects%n", first,
          s3.wire.totalBytes(), n);
      assertEquals(n, first.count("rewrapped"), first.toString());
      assertEquals(0, s3.wire.bodyBytesDown(".oxr"), "no body byte downloaded");
      assertEquals(0, s3.wire.bytesUp(".oxr"), "no body byte uploaded");
      for (Row r : rows(results("s3-rewrap"))) {
        assertTrue(r.getString(3).endsWith("#" + current), r.toString());
        assertTrue(r.getString(2).endsWith("#" + old), r.toString());
        assertEquals(0L, r.getLong(7), r + ": body bytes moved");
      }
      Map<String, byte[]> headers = new TreeMap<>();
      for (String key : plain.keySet()) {
        RecordingHeader h = store.readHeader(LocalS3.BUCKET, key, ReadOptions.defaults());
        for (WrappedKey w : h.wrappedKeys()) {
          assertEquals(current, w.kekVersion(), key);
        }
        headers.put(key, h.toByteArray());
        assertArrayEquals(bodies.get(key), s3.client.getObjectAsBytes(
            r -> r.bucket(LocalS3.BUCKET).key(key)).asByteArray(), key + ": body bytes");
        try (InputStream in = store.newInputStream(LocalS3.BUCKET, key, ReadOptions.defaults())) {
          assertArrayEquals(plain.get(key), in.readAllBytes(), key);
        }
      }

      s3.wire.reset();
      FleetSummary second = RewrapJob.run(spark, options.get().results(results("s3-rewrap-again")));
      assertEquals(n, second.count("current"), second.toString());
      assertEquals(0, second.auditEvents());
      assertEquals(0, s3.wire.bodyBytesDown(".oxr") + s3.wire.bytesUp(".oxr"));
      for (String key : plain.keySet()) {
        assertArrayEquals(headers.get(key), store.readHeader(LocalS3.BUCKET, key,
            ReadOptions.defaults()).toByteArray(), key + ": header unchanged");
        assertArrayEquals(bodies.get(key), s3.client.getObjectAsBytes(
            r -> r.bucket(LocalS3.BUCKET).key(key)).asByteArray(), key + ": body unchanged");
      }

      // Verify, header and commitment only: a 56-byte ranged GET per object. Shred-scan: HEADs.
      s3.wire.reset();
      FleetSummary verified = VerifyJob.run(spark, options.get().headerOnly(true)
          .results(results("s3-verify")));
      assertEquals(n, verified.count("ok"), verified.toString());
      assertEquals(56L * n, s3.wire.bodyBytesDown(".oxr"));
      FleetSummary scan = ShredScanJob.run(spark, options.get().kekUri(kms.uri())
          .kekVersion(current).results(results("s3-shred")));
      assertEquals(n, scan.count("shreds"), scan.toString());
    } finally {
      if (oldProp == null) {
        System.clearProperty("aws.accessKeyId");
      } else {
        System.setProperty("aws.accessKeyId", oldProp);
      }
      System.clearProperty("aws.secretAccessKey");
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static Recordings reader(Path keys) throws Exception {
    return Recordings.builder()
        .unwrapWith(LocalKms.open(keys.toFile(), KeysetProtection.insecurePlaintext())).build();
  }

  private List<Row> rows(String results) {
    if (results.contains("shred") || results.contains("header")) {
      return spark.read().schema(com.getox.crypto.spark.internal.Fleet.SCHEMA)
          .option("header", "true").csv(results).collectAsList();
    }
    return spark.read().parquet(results).collectAsList();
  }

  private Map<String, String> failures(String results) {
    Map<String, String> out = new TreeMap<>();
    for (Row r : rows(results)) {
      if (r.getString(1).equals("failed")) {
        out.put(r.getString(0), r.getString(5));
      }
    }
    return out;
  }

  /** A path as the jobs report it (Hadoop's qualified form, {@code file:/...}). */
  private static String uri(Path p) {
    return new org.apache.hadoop.fs.Path(p.toAbsolutePath().toUri()).toString();
  }

  private Path copyOf(Path from, String name) throws IOException {
    Path to = root.resolve(name);
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path q = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else {
          Files.copy(p, q, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    return to;
  }

  /** The files under {@code dir} (less the SDK's directory lock files) and their bytes. */
  private static Map<String, byte[]> snapshot(Path dir) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(p) && !p.getFileName().toString().equals(".oxcrypt.lock")) {
          out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
        }
      }
    }
    return out;
  }

  private static void assertSnapshotEquals(Map<String, byte[]> expected, Map<String, byte[]> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    for (String k : expected.keySet()) {
      assertArrayEquals(expected.get(k), actual.get(k), k);
    }
  }

  private static RecordingHeader header(byte[] recording) throws Exception {
    return RecordingHeader.read(new java.io.ByteArrayInputStream(recording), ReadOptions.defaults());
  }

  private static byte[] body(byte[] recording) throws Exception {
    return Arrays.copyOfRange(recording, header(recording).toByteArray().length, recording.length);
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x01);
    }
  }
}
