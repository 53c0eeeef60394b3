package com.getox.crypto.s3;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.FormatException;
import com.getox.crypto.OxCryptoException;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingHeader;
import com.getox.crypto.RecordingInputStream;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.SeekableRecording;
import com.getox.crypto.internal.Tls12SocketFactory;
import com.getox.crypto.kek.Kek;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.TlsTrustManagersProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * Recordings in an S3-compatible object store (Amazon S3, Cloudflare R2, MinIO, Ceph, Google Cloud
 * Storage's interoperability endpoint): the entry point of this module.
 *
 * <pre>{@code
 * S3Client s3 = S3Recordings.clientBuilder().region("eu-west-1").build();   // TLS 1.2+
 * S3Recordings store = S3Recordings.builder(s3, recordings).build();
 * try (S3RecordingWriter w = store.newWriter("recordings", "talk.oxr", ctx)) {
 *   w.write(pcm);                               // uploaded in parts as it is produced
 * }
 * try (SeekableRecording r = store.openSeekable("recordings", "talk.oxr", ReadOptions.defaults())) {
 *   r.read(offset, buf, 0, 4096);               // ranged GETs of the chunks needed, authenticated
 * }
 * store.rewrap("recordings", "talk.oxr", ReadOptions.defaults());  // metadata only
 * }</pre>
 *
 * <p><b>Layout</b> (docs/FORMAT.md, section 5). The object holds the body. The header goes in the
 * object's user metadata {@code x-amz-meta-ox-header} (base64) when it fits S3's 2 KB limit, else
 * in a sidecar object, the key with {@value #SIDECAR_SUFFIX} appended; readers find either.
 *
 * <p><b>Writing</b> streams: a single PUT when the body fits one part, else a multipart upload
 * with parts of {@link Builder#partSizeBytes} (8 MiB by default, at least 5 MiB). The object
 * appears only when the writer closes; a failure or {@link S3RecordingWriter#abort()} aborts the
 * upload, leaving no parts.
 *
 * <p><b>Reading</b>: {@link #newInputStream} streams the object in one GET, resuming with a ranged
 * GET after a connection failure; {@link #openSeekable} reads only the chunks it needs, each by a
 * ranged GET. Every chunk is authenticated before any of its bytes is returned.
 *
 * <p><b>Re-wrap, share, revoke</b> change only the header: a server-side copy of the object onto
 * itself that replaces its metadata (the body never passes through the client), or a rewrite of
 * the sidecar. Edits serialize on a lock object ({@value #LOCK_SUFFIX}, created with
 * If-None-Match, since S3's ETag does not change with metadata), and each write is conditional on
 * the ETag read (copy-source-if-match, If-Match), so a body replaced meanwhile is not given the old
 * header. A concurrent edit fails with a {@link com.getox.crypto.ConcurrentEditException},
 * changing nothing; retry it. The body is never read: the metadata keeps a copy of its first 56
 * bytes (salt and commitment), else one ranged read fetches them.
 *
 * <p>Store failures are {@link ObjectStoreException}s, after the client's own retries. Immutable
 * and thread-safe; each writer or reader it returns is for one thread.
 */
public final class S3Recordings {
  /** The user-metadata key that holds the base64 header ({@code x-amz-meta-ox-header}). */
  public static final String HEADER_METADATA_KEY = "ox-header";

  /**
   * The user-metadata key that holds a copy of the body's first 56 bytes (salt and key commitment,
   * base64), so that re-wrap and share read no body byte. A copy only: readers use the body's own.
   */
  public static final String PREFIX_METADATA_KEY = "ox-body-prefix";

  static final int BODY_PREFIX_BYTES = 56;

  /**
   * Appended to the object's key to name the lock object that serializes edits of its header; it
   * exists only during an edit.
   */
  public static final String LOCK_SUFFIX = ".oxlock";

  /** Appended to the object's key to name the sidecar that holds a header too large for metadata. */
  public static final String SIDECAR_SUFFIX = ".oxh";

  /** The smallest part S3 accepts (except the last): 5 MiB. */
  public static final int MIN_PART_SIZE_BYTES = 5 * 1024 * 1024;

  /** S3's limit on all user metadata of an object, keys and values, in UTF-8 bytes. */
  static final int METADATA_LIMIT_BYTES = 2048;

  static final String CONTENT_TYPE = "application/octet-stream";

  private final S3Client s3;
  private final Recordings recordings;
  private final int partSizeBytes;
  private final int maxResumes;
  private final long lockTimeoutMillis;

  private S3Recordings(Builder b) {
    this.lockTimeoutMillis = b.lockTimeoutMillis;
    this.s3 = b.s3;
    this.recordings = b.recordings;
    this.partSizeBytes = b.partSizeBytes;
    this.maxResumes = b.maxResumes;
  }

  /**
   * A builder.
   *
   * @param s3 the client to use, for example from {@link #clientBuilder()}; not closed by this
   *     class
   * @param recordings the KEKs to write and read with
   * @return a new builder
   */
  public static Builder builder(S3Client s3, Recordings recordings) {
    return new Builder(s3, recordings);
  }

  /**
   * Starts a recording uploaded to {@code bucket}/{@code key} as it is written. The header is
   * complete at once: it goes into the upload's metadata, or into the sidecar object (written
   * first) when too large.
   *
   * @param bucket the bucket
   * @param key the object's key
   * @param context the recording's encryption context
   * @return the writer; close it to complete the upload, or abort it
   * @throws IOException if the store refuses the sidecar ({@link ObjectStoreException})
   * @throws GeneralSecurityException if a KEK fails to wrap the data key, or the policy refuses
   */
  public S3RecordingWriter newWriter(String bucket, String key, EncryptionContext context)
      throws IOException, GeneralSecurityException {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(key, "key");
    // Filled below, before any part is sent: the header is complete once the writer exists.
    Map<String, String> metadata = new HashMap<>();
    MultipartOutputStream upload =
        new MultipartOutputStream(s3, bucket, key, metadata, partSizeBytes);
    RecordingWriter writer = recordings.newDetachedWriter(upload, context);
    byte[] header = writer.header().toByteArray();
    boolean sidecar = !fitsMetadata(header);
    if (sidecar) {
      try {
        putSidecar(bucket, key, header, null);
      } catch (IOException e) {
        upload.abortOnClose();
        writer.abort();
        throw e;
      }
    } else {
      metadata.put(HEADER_METADATA_KEY, Base64.getEncoder().encodeToString(header));
    }
    return new S3RecordingWriter(
        writer,
        upload,
        () -> {
          if (sidecar) {
            deleteQuietly(bucket, key + SIDECAR_SUFFIX);
          }
        });
  }

  /**
   * Opens a recording for streaming decryption: one GET of the whole object, resumed by ranged
   * GETs if the connection fails in the middle (3 times at most).
   *
   * @param bucket the bucket
   * @param key the object's key
   * @param options expected context entries and limits; not a detached header (it is found in the
   *     store)
   * @return the plaintext stream; close it
   * @throws IOException if the store fails ({@link ObjectStoreException})
   * @throws GeneralSecurityException a {@link FormatException} if the object has no header, or the
   *     recording cannot be opened (as for {@link Recordings#newInputStream})
   */
  public RecordingInputStream newInputStream(String bucket, String key, ReadOptions options)
      throws IOException, GeneralSecurityException {
    ResponseInputStream<GetObjectResponse> first;
    try {
      first = s3.getObject(r -> r.bucket(bucket).key(key));
    } catch (SdkException e) {
      throw Failures.of("reading s3://" + bucket + "/" + key, e);
    }
    ResumingObjectInputStream body =
        new ResumingObjectInputStream(s3, bucket, key, first, maxResumes);
    try {
      byte[] header = headerBytes(bucket, key, first.response().metadata());
      return recordings.newInputStream(body, withHeader(options, header));
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      body.close();
      throw e;
    }
  }

  /**
   * Opens a recording for authenticated random access over HTTP range requests: a HEAD for the
   * header and length, one ranged GET of the body's first 56 bytes, then one ranged GET per chunk a
   * read needs (16,400 bytes at most each; a 4 KiB read needs one chunk, or two across a
   * boundary).
   *
   * @param bucket the bucket
   * @param key the object's key
   * @param options expected context entries and limits; not a detached header
   * @return random access to the plaintext; close it
   * @throws IOException if the store fails ({@link ObjectStoreException})
   * @throws GeneralSecurityException a {@link FormatException} if the object has no header, or the
   *     recording cannot be opened (as for {@link Recordings#openSeekable})
   */
  public SeekableRecording openSeekable(String bucket, String key, ReadOptions options)
      throws IOException, GeneralSecurityException {
    HeadObjectResponse head = head(bucket, key);
    byte[] header = headerBytes(bucket, key, head.metadata());
    return recordings.openSeekable(
        new RangedObjectChannel(s3, bucket, key, head.contentLength()), withHeader(options, header));
  }

  /**
   * Reads a recording's header (from metadata or the sidecar), without keys.
   *
   * @param bucket the bucket
   * @param key the object's key
   * @param options limits for parsing the header
   * @return the header, not yet authenticated
   * @throws IOException if the store fails ({@link ObjectStoreException})
   * @throws OxCryptoException a {@link FormatException} if there is no header, or it is malformed
   */
  public RecordingHeader readHeader(String bucket, String key, ReadOptions options)
      throws IOException, OxCryptoException {
    return RecordingHeader.parse(headerBytes(bucket, key, head(bucket, key).metadata()), options);
  }

  /**
   * Re-wraps the recording's data key under the current versions of the wrap KEKs (see {@link
   * Recordings#rewrap(RecordingHeader, ReadableByteChannel, ReadOptions)}), rewriting only the
   * metadata or sidecar. Zero body bytes move, except a 56-byte ranged read when a key must be
   * unwrapped locally.
   *
   * @param bucket the bucket
   * @param key the object's key
   * @param options expected context entries, unstored values, limits
   * @return true if the header changed, false if its keys were already current
   * @throws com.getox.crypto.ConcurrentEditException if the object or sidecar changed since it was
   *     read (nothing changed: retry)
   * @throws IOException if the store fails ({@link ObjectStoreException})
   * @throws GeneralSecurityException if the data key cannot be obtained or wrapped, or none of
   *     the wrap KEKs wraps a key of the recording ({@link com.getox.crypto.NoUsableKeyException}:
   *     it is not theirs to re-wrap, never reported as already current)
   */
  public boolean rewrap(String bucket, String key, ReadOptions options)
      throws IOException, GeneralSecurityException {
    return edit(bucket, key, options, (h, body) -> recordings.rewrap(h, body, options));
  }

  /**
   * Adds a wrapped key for {@code recipient} (see {@link Recordings#share(RecordingHeader,
   * ReadableByteChannel, Kek, ReadOptions)}), rewriting only the metadata or sidecar. A header that
   * outgrows the metadata moves to the sidecar.
   *
   * @param bucket the bucket
   * @param key the object's key
   * @param recipient the KEK to share with
   * @param options expected context entries, unstored values, limits
   * @return true if the header changed, false if {@code recipient} already had a key
   * @throws com.getox.crypto.ConcurrentEditException if the object or sidecar changed since it was
   *     read (nothing changed: retry)
   * @throws IOException if the store fails ({@link ObjectStoreException})
   * @throws GeneralSecurityException if the key cannot be obtained or wrapped for {@code recipient}
   */
  public boolean share(String bucket, String key, Kek recipient, ReadOptions options)
      throws IOException, GeneralSecurityException {
    return edit(bucket, key, options, (h, body) -> recordings.share(h, body, recipient, options));
  }

  /**
   * Removes the wrapped keys of {@code kekUri} (see {@link Recordings#revoke}); reads no body byte.
   *
   * @param bucket the bucket
   * @param key the object's key
   * @param kekUri the URI of the KEK to remove
   * @param options limits for parsing the header
   * @return true (the header changed)
   * @throws com.getox.crypto.ConcurrentEditException if the object or sidecar changed since it was
   *     read (nothing changed: retry)
   * @throws IOException if the store fails ({@link ObjectStoreException})
   * @throws GeneralSecurityException an {@link com.getox.crypto.OxCryptoException} if {@code kekUri}
   *     has no wrapped key here or is the only one
   */
  public boolean revoke(String bucket, String key, String kekUri, ReadOptions options)
      throws IOException, GeneralSecurityException {
    return edit(bucket, key, options, (h, body) -> recordings.revoke(h, kekUri));
  }

  /** A header edit, given the header and the body (read only if needed). */
  private interface Edit {
    RecordingHeader apply(RecordingHeader header, ReadableByteChannel body)
        throws IOException, GeneralSecurityException;
  }

  private boolean edit(String bucket, String key, ReadOptions options, Edit edit)
      throws IOException, GeneralSecurityException {
    lock(bucket, key);
    boolean changed;
    try {
      changed = editLocked(bucket, key, options, edit);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      deleteQuietly(bucket, key + LOCK_SUFFIX);
      throw e;
    }
    unlock(bucket, key);
    return changed;
  }

  /**
   * Takes the edit lock of {@code key}: creates {@code key}{@value #LOCK_SUFFIX} only if absent (a
   * conditional PUT, If-None-Match). An ETag cannot guard metadata (S3's ETag reflects the content
   * only), so edits serialize on this object. A lock older than the lock timeout by the store's own
   * clock was left by a crashed editor and is broken.
   */
  private void lock(String bucket, String key) throws IOException {
    String lockKey = key + LOCK_SUFFIX;
    String token = java.util.UUID.randomUUID().toString();
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        s3.putObject(
            r -> r.bucket(bucket).key(lockKey).ifNoneMatch("*").contentType("text/plain"),
            RequestBody.fromString(token, StandardCharsets.UTF_8));
        return;
      } catch (SdkException e) {
        IOException f = Failures.of("taking the edit lock " + lockKey, e);
        if (!(f instanceof com.getox.crypto.ConcurrentEditException)) {
          throw f;
        }
      }
      // Held: by us (the client retried a create that had succeeded), by a crashed editor (stale),
      // or by a live one.
      ResponseBytes<GetObjectResponse> held;
      try {
        held = s3.getObjectAsBytes(r -> r.bucket(bucket).key(lockKey));
      } catch (SdkException e) {
        if (Failures.isNotFound(e)) {
          continue; // released meanwhile
        }
        throw Failures.of("reading the edit lock " + lockKey, e);
      }
      if (held.asUtf8String().equals(token)) {
        return;
      }
      if (attempt > 0 || !isStale(held.response())) {
        break;
      }
      try {
        s3.deleteObject(r -> r.bucket(bucket).key(lockKey));
      } catch (SdkException e) {
        throw Failures.of("breaking the stale edit lock " + lockKey, e);
      }
    }
    throw new com.getox.crypto.ConcurrentEditException(
        "another edit of s3://" + bucket + "/" + key + " is in progress (" + lockKey
            + " exists); nothing was changed, retry");
  }

  /** Whether the lock is older than the lock timeout, by the store's own clock (Date header). */
  private boolean isStale(GetObjectResponse lock) {
    java.util.Optional<String> date = lock.sdkHttpResponse().firstMatchingHeader("Date");
    if (!date.isPresent() || lock.lastModified() == null) {
      return false;
    }
    try {
      java.time.Instant now =
          java.time.ZonedDateTime.parse(
                  date.get(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
              .toInstant();
      return now.toEpochMilli() - lock.lastModified().toEpochMilli() >= lockTimeoutMillis;
    } catch (java.time.format.DateTimeParseException e) {
      return false;
    }
  }

  private void unlock(String bucket, String key) throws IOException {
    try {
      s3.deleteObject(r -> r.bucket(bucket).key(key + LOCK_SUFFIX));
    } catch (SdkException e) {
      throw Failures.of("releasing the edit lock " + key + LOCK_SUFFIX, e);
    }
  }

  private boolean editLocked(String bucket, String key, ReadOptions options, Edit edit)
      throws IOException, GeneralSecurityException {
    HeadObjectResponse head = head(bucket, key);
    ReadableByteChannel body = bodyPrefix(bucket, key, head);
    String inMetadata = head.metadata().get(HEADER_METADATA_KEY);
    String sidecarKey = key + SIDECAR_SUFFIX;
    if (inMetadata != null) {
      RecordingHeader header = RecordingHeader.parse(decode(inMetadata, key), options);
      RecordingHeader next = edit.apply(header, body);
      if (next == header) {
        return false;
      }
      byte[] bytes = next.toByteArray();
      Map<String, String> metadata = new HashMap<>(head.metadata());
      if (fitsMetadata(bytes)) {
        metadata.put(HEADER_METADATA_KEY, Base64.getEncoder().encodeToString(bytes));
      } else {
        // Outgrown: the sidecar first, then the metadata without the header (the copy is the
        // edit's commit point; until it succeeds readers keep using the metadata).
        String stale = etagOrNull(bucket, sidecarKey);
        putSidecar(bucket, key, bytes, stale == null ? "*" : stale);
        metadata.remove(HEADER_METADATA_KEY);
      }
      replaceMetadata(bucket, key, head, metadata);
      return true;
    }
    ResponseBytes<GetObjectResponse> sidecar = getSidecar(bucket, key);
    RecordingHeader header = RecordingHeader.parse(sidecar.asByteArray(), options);
    RecordingHeader next = edit.apply(header, body);
    if (next == header) {
      return false;
    }
    putSidecar(bucket, key, next.toByteArray(), sidecar.response().eTag());
    return true;
  }

  /**
   * The body for an edit: its first 56 bytes from the metadata copy when there is one (no body
   * byte moves), else a ranged read of the object.
   */
  private ReadableByteChannel bodyPrefix(String bucket, String key, HeadObjectResponse head) {
    String copy = head.metadata().get(PREFIX_METADATA_KEY);
    if (copy != null) {
      try {
        byte[] prefix = Base64.getDecoder().decode(copy.trim());
        if (prefix.length == BODY_PREFIX_BYTES) {
          return java.nio.channels.Channels.newChannel(new java.io.ByteArrayInputStream(prefix));
        }
      } catch (IllegalArgumentException e) {
        // not ours after all: read the body
      }
    }
    return new RangedObjectChannel(s3, bucket, key, head.contentLength());
  }

  /** Copies the object onto itself with new metadata, if its ETag is still {@code head}'s. */
  private void replaceMetadata(
      String bucket, String key, HeadObjectResponse head, Map<String, String> metadata)
      throws IOException {
    try {
      // REPLACE resets every header it is not given: keep the object's own.
      s3.copyObject(
          r -> {
            r.sourceBucket(bucket)
                .sourceKey(key)
                .destinationBucket(bucket)
                .destinationKey(key)
                .copySourceIfMatch(head.eTag())
                .metadataDirective(MetadataDirective.REPLACE)
                .contentType(head.contentType() == null ? CONTENT_TYPE : head.contentType())
                .cacheControl(head.cacheControl())
                .contentDisposition(head.contentDisposition())
                .contentEncoding(head.contentEncoding())
                .contentLanguage(head.contentLanguage())
                .metadata(metadata);
            if (head.storageClass() != null) {
              r.storageClass(head.storageClassAsString());
            }
            if (head.serverSideEncryption() == ServerSideEncryption.AWS_KMS
                || head.serverSideEncryption() == ServerSideEncryption.AWS_KMS_DSSE) {
              r.serverSideEncryption(head.serverSideEncryption()).ssekmsKeyId(head.ssekmsKeyId());
            }
          });
    } catch (SdkException e) {
      throw Failures.of("replacing the header in s3://" + bucket + "/" + key + "'s metadata", e);
    }
  }

  /**
   * Writes the sidecar: unconditionally if {@code etag} is null, only if absent if it is {@code
   * "*"}, else only if its ETag is still {@code etag}.
   */
  private void putSidecar(String bucket, String key, byte[] header, String etag)
      throws IOException {
    String sidecarKey = key + SIDECAR_SUFFIX;
    try {
      s3.putObject(
          r -> {
            r.bucket(bucket).key(sidecarKey).contentType(CONTENT_TYPE);
            if ("*".equals(etag)) {
              r.ifNoneMatch("*");
            } else if (etag != null) {
              r.ifMatch(etag);
            }
          },
          RequestBody.fromBytes(header));
    } catch (SdkException e) {
      throw Failures.of("writing the header to s3://" + bucket + "/" + sidecarKey, e);
    }
  }

  private String etagOrNull(String bucket, String key) throws IOException {
    try {
      return s3.headObject(r -> r.bucket(bucket).key(key)).eTag();
    } catch (SdkException e) {
      if (Failures.isNotFound(e)) {
        return null;
      }
      throw Failures.of("reading s3://" + bucket + "/" + key, e);
    }
  }

  private ResponseBytes<GetObjectResponse> getSidecar(String bucket, String key)
      throws IOException, FormatException {
    String sidecarKey = key + SIDECAR_SUFFIX;
    try {
      return s3.getObjectAsBytes(r -> r.bucket(bucket).key(sidecarKey));
    } catch (SdkException e) {
      if (Failures.isNotFound(e)) {
        throw new FormatException(
            "s3://" + bucket + "/" + key + " has no Ox header: neither metadata "
                + HEADER_METADATA_KEY + " nor a sidecar " + sidecarKey);
      }
      throw Failures.of("reading s3://" + bucket + "/" + sidecarKey, e);
    }
  }

  private byte[] headerBytes(String bucket, String key, Map<String, String> metadata)
      throws IOException, FormatException {
    String inMetadata = metadata.get(HEADER_METADATA_KEY);
    return inMetadata != null ? decode(inMetadata, key) : getSidecar(bucket, key).asByteArray();
  }

  private HeadObjectResponse head(String bucket, String key) throws IOException {
    try {
      return s3.headObject(r -> r.bucket(bucket).key(key));
    } catch (SdkException e) {
      throw Failures.of("reading s3://" + bucket + "/" + key, e);
    }
  }

  private void deleteQuietly(String bucket, String key) {
    try {
      s3.deleteObject(r -> r.bucket(bucket).key(key));
    } catch (SdkException e) {
      // An orphan sidecar without its object: harmless, and found by its key.
    }
  }

  private static byte[] decode(String base64, String key) throws IOException {
    try {
      return Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new IOException(key + ": metadata " + HEADER_METADATA_KEY + " is not base64", e);
    }
  }

  /**
   * Whether the header fits S3's 2 KB of user metadata beside the body-prefix copy, both keys
   * included.
   */
  static boolean fitsMetadata(byte[] header) {
    int prefix =
        PREFIX_METADATA_KEY.getBytes(StandardCharsets.UTF_8).length
            + base64Length(BODY_PREFIX_BYTES);
    return HEADER_METADATA_KEY.getBytes(StandardCharsets.UTF_8).length
            + base64Length(header.length)
            + prefix
        <= METADATA_LIMIT_BYTES;
  }

  private static int base64Length(int bytes) {
    return 4 * ((bytes + 2) / 3);
  }

  private static ReadOptions withHeader(ReadOptions options, byte[] header) {
    if (options.detachedHeader() != null) {
      throw new IllegalArgumentException("the header is read from the store: give none in options");
    }
    ReadOptions.Builder b =
        ReadOptions.builder()
            .maxHeaderBytes(options.maxHeaderBytes())
            .maxWrappedKeys(options.maxWrappedKeys())
            .detachedHeader(header);
    for (Map.Entry<String, String> e : options.expected().entrySet()) {
      b.expect(e.getKey(), e.getValue());
    }
    return b.build();
  }

  /** Builds an {@link S3Recordings}. */
  public static final class Builder {
    private final S3Client s3;
    private final Recordings recordings;
    private int partSizeBytes = 8 * 1024 * 1024;
    private int maxResumes = 3;
    private long lockTimeoutMillis = 10 * 60 * 1000L;

    private Builder(S3Client s3, Recordings recordings) {
      this.s3 = Objects.requireNonNull(s3, "s3");
      this.recordings = Objects.requireNonNull(recordings, "recordings");
    }

    /**
     * The size of each uploaded part but the last, and so the memory a writer holds. Default 8
     * MiB. A body no larger than one part is stored with a single PUT.
     *
     * @param partSizeBytes at least {@link #MIN_PART_SIZE_BYTES} (checked by {@link #build()})
     * @return this builder
     */
    public Builder partSizeBytes(int partSizeBytes) {
      this.partSizeBytes = partSizeBytes;
      return this;
    }

    /**
     * How many times a streaming read resumes after a connection failure. Default 3.
     *
     * @param maxResumes 0 or more (checked by {@link #build()})
     * @return this builder
     */
    public Builder maxResumes(int maxResumes) {
      this.maxResumes = maxResumes;
      return this;
    }

    /**
     * How old an edit lock must be, by the store's clock, before an edit breaks it as left by a
     * crashed editor. Default 10 minutes; an edit takes a few requests.
     *
     * @param millis 0 or more (checked by {@link #build()})
     * @return this builder
     */
    public Builder lockTimeoutMillis(long millis) {
      this.lockTimeoutMillis = millis;
      return this;
    }

    /**
     * Builds it.
     *
     * @return a new, immutable {@link S3Recordings}
     * @throws IllegalArgumentException if the part size is under 5 MiB, or resumes or the lock
     *     timeout are negative
     */
    public S3Recordings build() {
      if (partSizeBytes < MIN_PART_SIZE_BYTES) {
        throw new IllegalArgumentException(
            "partSizeBytes must be at least " + MIN_PART_SIZE_BYTES + ", got " + partSizeBytes);
      }
      if (maxResumes < 0 || lockTimeoutMillis < 0) {
        throw new IllegalArgumentException("maxResumes and lockTimeoutMillis must be 0 or more");
      }
      return new S3Recordings(this);
    }
  }

  /**
   * A builder of {@link S3Client}s with this module's defaults.
   *
   * @return a new builder; set at least {@link ClientBuilder#region(String) region}
   */
  public static ClientBuilder clientBuilder() {
    return new ClientBuilder();
  }

  /**
   * Builds an {@link S3Client} on the SDK's URL-connection HTTP client restricted to TLS 1.3 and
   * 1.2 (as kms-aws's), with bounded timeouts and the SDK's standard retry strategy (exponential
   * backoff with jitter; 503 SlowDown, 500 and connection failures are retried).
   *
   * <pre>{@code
   * S3Client s3 = S3Recordings.clientBuilder()
   *     .region("auto")
   *     .endpointOverride(URI.create("https://ACCOUNT.r2.cloudflarestorage.com"))
   *     .build();
   * }</pre>
   *
   * <p>Credentials come from the SDK's default chain unless {@link #credentialsProvider} is set.
   * The client is thread-safe and should be shared; close it when done.
   */
  public static final class ClientBuilder {
    private String region;
    private AwsCredentialsProvider credentials;
    private URI endpoint;
    private boolean pathStyle;
    private TlsTrustManagersProvider trustManagers;
    private long connectTimeoutMillis = 2_000;
    private long callAttemptTimeoutMillis = 60_000;
    private int maxAttempts = 4;

    private ClientBuilder() {}

    /**
     * The Region. Required ({@code auto} for R2).
     *
     * @param region the Region id, such as {@code eu-west-1}
     * @return this builder
     */
    public ClientBuilder region(String region) {
      this.region = region;
      return this;
    }

    /**
     * The credentials to sign calls with; by default the SDK's default provider chain.
     *
     * @param credentials the provider, or null for the default chain
     * @return this builder
     */
    public ClientBuilder credentialsProvider(AwsCredentialsProvider credentials) {
      this.credentials = credentials;
      return this;
    }

    /**
     * Another endpoint than AWS's (R2, MinIO, Ceph, GCS interoperability). It must be {@code
     * https}, except on the loopback interface (for local test servers). Checked by {@link
     * #build()}.
     *
     * @param endpoint the endpoint URI, or null for the Region's
     * @return this builder
     */
    public ClientBuilder endpointOverride(URI endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    /**
     * Path-style addressing ({@code https://host/bucket/key}), which most non-AWS stores need.
     * Default false (virtual-hosted style).
     *
     * @param pathStyle true for path-style requests
     * @return this builder
     */
    public ClientBuilder pathStyle(boolean pathStyle) {
      this.pathStyle = pathStyle;
      return this;
    }

    /**
     * The certificates to trust; by default the JVM's trust store.
     *
     * @param trustManagers the trust managers, or null for the JVM's defaults
     * @return this builder
     */
    public ClientBuilder tlsTrustManagersProvider(TlsTrustManagersProvider trustManagers) {
      this.trustManagers = trustManagers;
      return this;
    }

    /**
     * Time to open a connection, in milliseconds. Default 2000.
     *
     * @param millis positive (checked by {@link #build()})
     * @return this builder
     */
    public ClientBuilder connectTimeoutMillis(long millis) {
      this.connectTimeoutMillis = millis;
      return this;
    }

    /**
     * Time for one HTTP attempt (one part upload, one ranged read), in milliseconds; also the
     * socket read timeout. Default 60000.
     *
     * @param millis positive (checked by {@link #build()})
     * @return this builder
     */
    public ClientBuilder callAttemptTimeoutMillis(long millis) {
      this.callAttemptTimeoutMillis = millis;
      return this;
    }

    /**
     * Attempts per call, the first included (1 disables retries). Default 4.
     *
     * @param maxAttempts 1 to 10 (checked by {@link #build()})
     * @return this builder
     */
    public ClientBuilder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Builds the client.
     *
     * @return a new {@link S3Client} with these settings
     * @throws IllegalArgumentException if the Region is missing, a timeout is not positive,
     *     attempts are outside 1 to 10, or the endpoint is plain HTTP off the loopback interface
     * @throws IllegalStateException if the JVM cannot make a TLS context
     */
    public S3Client build() {
      if (region == null || region.isEmpty()) {
        throw new IllegalArgumentException("region is required");
      }
      if (connectTimeoutMillis <= 0 || callAttemptTimeoutMillis <= 0) {
        throw new IllegalArgumentException("timeouts must be positive");
      }
      if (maxAttempts < 1 || maxAttempts > 10) {
        throw new IllegalArgumentException("maxAttempts must be 1 to 10, got " + maxAttempts);
      }
      if (endpoint != null && !"https".equals(endpoint.getScheme()) && !isLoopback(endpoint)) {
        throw new IllegalArgumentException(
            "endpoint must be https (plain http only on 127.0.0.1/localhost): " + endpoint);
      }
      SSLSocketFactory tls = new Tls12SocketFactory(tlsContext(trustManagers).getSocketFactory());
      int connectMillis = (int) Math.min(connectTimeoutMillis, Integer.MAX_VALUE);
      int readMillis = (int) Math.min(callAttemptTimeoutMillis, Integer.MAX_VALUE);
      SdkHttpClient http =
          UrlConnectionHttpClient.create(uri -> open(uri, tls, connectMillis, readMillis));
      S3ClientBuilder b =
          S3Client.builder()
              .region(Region.of(region))
              .httpClient(http)
              .forcePathStyle(pathStyle)
              .overrideConfiguration(
                  o ->
                      o.apiCallAttemptTimeout(Duration.ofMillis(callAttemptTimeoutMillis))
                          .retryStrategy(
                              AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                  .maxAttempts(maxAttempts)
                                  .build()));
      if (credentials != null) {
        b.credentialsProvider(credentials);
      }
      if (endpoint != null) {
        b.endpointOverride(endpoint);
      }
      return b.build();
    }

    private static boolean isLoopback(URI uri) {
      String host = uri.getHost();
      return "http".equals(uri.getScheme())
          && ("127.0.0.1".equals(host) || "localhost".equals(host) || "[::1]".equals(host));
    }

    private static SSLContext tlsContext(TlsTrustManagersProvider provider) {
      try {
        SSLContext ctx = SSLContext.getInstance("TLS");
        TrustManager[] trust = provider == null ? null : provider.trustManagers();
        ctx.init(null, trust, null);
        return ctx;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot create a TLS context", e);
      }
    }

    private static HttpURLConnection open(
        URI uri, SSLSocketFactory tls, int connectMillis, int readMillis) {
      try {
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        if (c instanceof HttpsURLConnection) {
          ((HttpsURLConnection) c).setSSLSocketFactory(tls);
        }
        c.setConnectTimeout(connectMillis);
        c.setReadTimeout(readMillis);
        return c;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }
}
