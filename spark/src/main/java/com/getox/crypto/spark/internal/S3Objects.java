package com.getox.crypto.spark.internal;

import com.getox.crypto.FormatException;
import com.getox.crypto.OxCryptoException;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingHeader;
import com.getox.crypto.RecordingInputStream;
import com.getox.crypto.Recordings;
import com.getox.crypto.SeekableRecording;
import com.getox.crypto.s3.S3Recordings;
import com.getox.crypto.spark.FleetOptions;
import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * The jobs' work on {@code s3://bucket/key} and {@code s3a://bucket/key} objects: recordings
 * stored the s3 module's way (header in the object's metadata or a sidecar), through {@link
 * S3Recordings}. A re-wrap is its metadata-only edit (lock, HEAD, CopyObject with REPLACE
 * metadata or a sidecar rewrite, unlock): no body byte is downloaded or uploaded. Loaded only
 * for such paths, so ox-crypto-s3 is needed on the class path only then.
 *
 * <p>One {@link S3Client} per executor JVM and endpoint configuration, built there by {@link
 * S3Recordings#clientBuilder()} with the AWS SDK's default credentials (the instance or pod
 * role); nothing about credentials travels with the task.
 */
final class S3Objects {
  private static final Map<String, S3Client> CLIENTS = new ConcurrentHashMap<>();

  private S3Objects() {}

  static void rewrap(ObjectTasks.Result r, FleetOptions o)
      throws IOException, GeneralSecurityException {
    String bucket = bucket(r.path);
    String key = key(r.path);
    S3Client s3 = client(o);
    HeadObjectResponse head = head(s3, bucket, key);
    r.before = ObjectTasks.versions(header(s3, bucket, key, head));
    r.bytes = head.contentLength();
    S3Recordings store = S3Recordings.builder(s3, Keys.recordings(o)).build();
    boolean changed = store.rewrap(bucket, key, ReadOptions.defaults());
    // The edit reads the body's salt and commitment from the metadata's copy when there is one
    // (S3Recordings always writes it), else 56 bytes by a ranged GET.
    r.bodyBytesMoved = head.metadata().containsKey(S3Recordings.PREFIX_METADATA_KEY) ? 0 : 56;
    if (changed) {
      r.after = ObjectTasks.versions(store.readHeader(bucket, key, ReadOptions.defaults()));
      r.status = "rewrapped";
    } else {
      r.after = r.before;
      r.status = "current";
    }
  }

  static void verify(ObjectTasks.Result r, FleetOptions o)
      throws IOException, GeneralSecurityException {
    String bucket = bucket(r.path);
    String key = key(r.path);
    S3Recordings store = S3Recordings.builder(client(o), Keys.recordings(o)).build();
    if (o.headerOnly()) {
      // HEAD, then a 56-byte ranged GET: the data key is unwrapped and its commitment checked.
      // (Not size(): that authenticates the last chunk.)
      try (SeekableRecording s = store.openSeekable(bucket, key, ReadOptions.defaults())) {
        r.before = r.after = ObjectTasks.versions(s.header());
      }
      r.bytes = head(client(o), bucket, key).contentLength();
      r.bodyBytesMoved = 56;
    } else {
      long objectBytes = head(client(o), bucket, key).contentLength();
      long bytes = 0;
      try (RecordingInputStream in = store.newInputStream(bucket, key, ReadOptions.defaults())) {
        r.before = r.after = ObjectTasks.versions(in.header());
        byte[] buf = new byte[Recordings.chunkSizeBytes()];
        int n;
        while ((n = in.read(buf, 0, buf.length)) > 0) {
          bytes += n;
        }
        Arrays.fill(buf, (byte) 0);
      }
      r.bytes = bytes;
      r.bodyBytesMoved = objectBytes;
    }
    r.status = "ok";
  }

  static void shredScan(ObjectTasks.Result r, FleetOptions o) throws IOException,
      OxCryptoException {
    String bucket = bucket(r.path);
    String key = key(r.path);
    S3Client s3 = client(o);
    HeadObjectResponse head = head(s3, bucket, key);
    RecordingHeader h = header(s3, bucket, key, head);
    r.before = r.after = ObjectTasks.versions(h);
    r.bytes = head.contentLength();
    r.status = ObjectTasks.dependsOnlyOn(h, o.kekUri(), o.kekVersion()) ? "shreds" : "safe";
  }

  /**
   * The header as the s3 module stores it (docs/FORMAT.md, section 5): base64 in the metadata
   * {@value S3Recordings#HEADER_METADATA_KEY}, else the sidecar {@code KEY.oxh}. Read without
   * keys (shred-scan has none), from the HEAD the caller already made.
   */
  private static RecordingHeader header(S3Client s3, String bucket, String key,
      HeadObjectResponse head) throws IOException, OxCryptoException {
    String inMetadata = head.metadata().get(S3Recordings.HEADER_METADATA_KEY);
    byte[] bytes;
    if (inMetadata != null) {
      try {
        bytes = Base64.getDecoder().decode(inMetadata.trim());
      } catch (IllegalArgumentException e) {
        throw new FormatException("metadata " + S3Recordings.HEADER_METADATA_KEY
            + " is not base64");
      }
    } else {
      String sidecar = key + S3Recordings.SIDECAR_SUFFIX;
      try {
        bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(sidecar)).asByteArray();
      } catch (SdkException e) {
        if (status(e) == 404) {
          throw new FormatException("no Ox header in the metadata nor a sidecar");
        }
        throw new IOException("reading the sidecar", e);
      }
    }
    return RecordingHeader.parse(bytes, ReadOptions.defaults());
  }

  private static HeadObjectResponse head(S3Client s3, String bucket, String key)
      throws IOException {
    try {
      return s3.headObject(b -> b.bucket(bucket).key(key));
    } catch (SdkException e) {
      if (status(e) == 404) {
        throw new java.io.FileNotFoundException("no such object");
      }
      throw new IOException("HEAD", e);
    }
  }

  private static int status(SdkException e) {
    return e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException
        ? ((software.amazon.awssdk.awscore.exception.AwsServiceException) e).statusCode() : 0;
  }

  /** This JVM's client for {@code o}'s Region and endpoint, built on first use. */
  private static S3Client client(FleetOptions o) {
    String region = o.s3Region();
    if (region == null) {
      region = System.getProperty("aws.region", System.getenv("AWS_REGION"));
    }
    if (region == null || region.isEmpty()) {
      throw new IllegalArgumentException(
          "no S3 Region: give --s3-region or set AWS_REGION on the executors");
    }
    String id = region + "\n" + o.s3Endpoint() + "\n" + o.s3PathStyle();
    final String r = region;
    return CLIENTS.computeIfAbsent(id, k -> {
      S3Recordings.ClientBuilder b = S3Recordings.clientBuilder().region(r)
          .pathStyle(o.s3PathStyle());
      if (o.s3Endpoint() != null) {
        b.endpointOverride(URI.create(o.s3Endpoint()));
      }
      return b.build();
    });
  }

  static String bucket(String path) {
    String rest = path.substring(path.indexOf("://") + 3);
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1) {
      throw new IllegalArgumentException("not an S3 object: s3://BUCKET/KEY expected");
    }
    return rest.substring(0, slash);
  }

  static String key(String path) {
    String rest = path.substring(path.indexOf("://") + 3);
    return rest.substring(rest.indexOf('/') + 1);
  }
}
