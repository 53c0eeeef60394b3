package com.getox.crypto.kms.gcp;

import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.KekRegistry;
import com.getox.crypto.kek.KekResolver;
import com.getox.crypto.kek.NotMyKeyException;
import com.google.api.core.ApiFuture;
import com.google.api.gax.grpc.GrpcCallContext;
import com.google.api.gax.retrying.RetrySettings;
import com.google.api.gax.rpc.ApiCallContext;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.kms.v1.GetCryptoKeyRequest;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.cloud.kms.v1.stub.GrpcKeyManagementServiceStub;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Key-encryption keys held in Google Cloud KMS: the entry point of this module. A {@code GcpKms}
 * wraps a {@link KeyManagementServiceClient} you build (and close) and hands out a {@link Kek} for
 * each {@code gcp-kms://projects/P/locations/L/keyRings/R/cryptoKeys/K} URI.
 *
 * <pre>{@code
 * try (KeyManagementServiceClient client = KeyManagementServiceClient.create()) { // ADC, TLS
 *   GcpKms kms = GcpKms.create(client);
 *   Kek kek = kms.kek("gcp-kms://projects/my-project/locations/europe-west1/keyRings/audio/cryptoKeys/recordings");
 *
 *   WrappedKey wrapped = kek.wrap(dek, context);   // Cloud KMS Encrypt on the CryptoKey
 *   byte[] dek2 = kek.unwrap(wrapped, context);    // Cloud KMS Decrypt on the CryptoKey
 *
 *   // Readers that meet a gcp-kms:// URI in a recording header resolve it explicitly, if it is
 *   // in a project (or key ring) they trust:
 *   KekRegistry registry = KekRegistry.builder()
 *       .register(GcpKms.SCHEME, kms.resolver(GcpKms.KeyFilter.projects("my-project")))
 *       .build();
 * }
 * }</pre>
 *
 * <p>A recording header is not authenticated, so its KEK URIs are whatever its author wrote. A
 * resolver that called Decrypt on any of them would let a crafted file make the reader call a key
 * in the author's project, handing them the recording's encryption context (the additional
 * authenticated data) in their audit log. So {@link #resolver(KeyFilter)} takes a {@link
 * KeyFilter} of trusted projects or key rings, and refuses any other URI with {@link
 * NotMyKeyException} before any call, so a reader goes on to its other KEKs.
 *
 * <p>What a KEK from here does on each call:
 *
 * <ul>
 *   <li><b>Wrap</b> calls {@code Encrypt} on the CryptoKey, so Cloud KMS uses the primary version.
 *       The {@linkplain com.getox.crypto.EncryptionContext#canonicalBytes() canonical encryption
 *       context} is the {@code additionalAuthenticatedData}, and the version that Cloud KMS reports
 *       is stored in {@link com.getox.crypto.kek.WrappedKey#kekVersion()} (the number after {@code
 *       cryptoKeyVersions/}). Rotating the primary version leaves old wrapped keys readable for as
 *       long as their version stays enabled.
 *   <li><b>Unwrap</b> calls {@code Decrypt} on the CryptoKey; the ciphertext names its version. A
 *       wrapped key of another KEK URI throws {@link com.getox.crypto.kek.NotMyKeyException}
 *       without a call.
 *   <li><b>Re-wrap</b> ({@link com.getox.crypto.Recordings#rewrap}) has no service-side form in
 *       Cloud KMS, so it unwraps and wraps again. {@link Kek#isCurrent} compares a wrapped key's
 *       version with the primary version, learned from Encrypt responses and {@code GetCryptoKey}
 *       and cached for {@link Builder#primaryVersionCacheMillis(long)}.
 *   <li><b>Integrity</b>: CRC32C checksums are sent and checked both ways, as Google recommends;
 *       see {@link GcpKmsIntegrityException}.
 *   <li><b>Retries</b>: {@code UNAVAILABLE}, {@code DEADLINE_EXCEEDED}, {@code RESOURCE_EXHAUSTED}
 *       and integrity mismatches are retried up to {@link Builder#maxAttempts(int)} attempts in
 *       all, with jittered exponential backoff; each attempt has its own deadline ({@link
 *       Builder#attemptTimeoutMillis(long)}). The client's own retry settings are switched off for
 *       these calls, so the bounds here are the only ones. Every failure ends in a {@link
 *       GcpKmsException} (a {@link com.getox.crypto.KmsException}). An interrupt of the calling
 *       thread ends a call at once (a started RPC is cancelled, no further attempt is made) in a
 *       retryable {@code GcpKmsException}, and the thread's interrupt flag stays set.
 *   <li><b>Limits</b>: plaintext and additional authenticated data are each at most 64 KiB, and
 *       together at most 8 KiB for HSM keys; they are checked before the call. A KEK learns that
 *       its key is an HSM key from the first response, or up front from {@link
 *       Builder#hsmKeys(boolean)}.
 * </ul>
 *
 * <p>Transport: the client must use gRPC (the default for {@code KeyManagementServiceClient}). This
 * module never builds a channel, so TLS stays at gRPC's defaults; only tests build plaintext
 * in-process channels. Credentials come from the client's settings (Application Default Credentials
 * unless you set others). The caller needs {@code roles/cloudkms.cryptoKeyEncrypterDecrypter} on
 * the key.
 *
 * <p>Thread-safe. The caller owns and wipes the data-key arrays it passes and gets back; the
 * protobuf copies in requests and responses ({@code ByteString}s) are immutable and cannot be
 * wiped, and are left to the garbage collector.
 */
public final class GcpKms {
  /** The KEK URI scheme, {@code gcp-kms}. */
  public static final String SCHEME = "gcp-kms";

  /** Largest plaintext and largest additional authenticated data Cloud KMS accepts: 64 KiB. */
  public static final int MAX_BYTES = 64 * 1024;

  /** Largest plaintext plus additional authenticated data for an HSM key: 8 KiB. */
  public static final int MAX_HSM_COMBINED_BYTES = 8 * 1024;

  private static final Logger log = LoggerFactory.getLogger(GcpKms.class);

  private static final Pattern URI =
      Pattern.compile(
          "gcp-kms://(projects/[a-z0-9][a-z0-9.:-]{0,99}/locations/[a-z0-9-]{1,63}"
              + "/keyRings/[A-Za-z0-9_-]{1,63}/cryptoKeys/[A-Za-z0-9_-]{1,63})");

  private static final Set<StatusCode.Code> RETRIED =
      Collections.unmodifiableSet(
          EnumSet.of(
              StatusCode.Code.UNAVAILABLE,
              StatusCode.Code.DEADLINE_EXCEEDED,
              StatusCode.Code.RESOURCE_EXHAUSTED));

  private final KeyManagementServiceClient client;
  private final int maxAttempts;
  private final long initialBackoffMillis;
  private final long maxBackoffMillis;
  private final boolean hsmKeys;
  private final long primaryVersionCacheNanos;
  private final LongSupplier nanoClock;
  private final ApiCallContext callContext;

  private GcpKms(Builder b) {
    this.client = b.client;
    this.maxAttempts = b.maxAttempts;
    this.initialBackoffMillis = b.initialBackoffMillis;
    this.maxBackoffMillis = b.maxBackoffMillis;
    this.hsmKeys = b.hsmKeys;
    this.primaryVersionCacheNanos = TimeUnit.MILLISECONDS.toNanos(b.primaryVersionCacheMillis);
    this.nanoClock = b.nanoClock;
    Duration attempt = Duration.ofMillis(b.attemptTimeoutMillis);
    this.callContext =
        GrpcCallContext.createDefault()
            .withTimeoutDuration(attempt)
            .withRetrySettings(
                RetrySettings.newBuilder()
                    .setMaxAttempts(1)
                    .setTotalTimeoutDuration(attempt)
                    .setInitialRpcTimeoutDuration(attempt)
                    .setMaxRpcTimeoutDuration(attempt)
                    .setRpcTimeoutMultiplier(1.0)
                    .build())
            .withRetryableCodes(Collections.emptySet());
  }

  /**
   * A {@code GcpKms} with the default bounds: see {@link Builder}.
   *
   * @param client a Cloud KMS client using the gRPC transport; not null. The caller keeps
   *     ownership of it and closes it
   * @return the {@code GcpKms}
   * @throws NullPointerException if {@code client} is null
   * @throws IllegalArgumentException if the client does not use the gRPC transport
   */
  public static GcpKms create(KeyManagementServiceClient client) {
    return builder(client).build();
  }

  /**
   * A builder over {@code client}, which must use the gRPC transport. The caller keeps ownership of
   * the client and closes it.
   *
   * @param client a Cloud KMS client using the gRPC transport (checked by {@link Builder#build()});
   *     not null
   * @return a builder with the default bounds
   * @throws NullPointerException if {@code client} is null
   */
  public static Builder builder(KeyManagementServiceClient client) {
    return new Builder(client);
  }

  /**
   * The KEK for {@code uri}, such as {@code
   * gcp-kms://projects/p/locations/global/keyRings/r/cryptoKeys/k}. No call is made.
   *
   * @param uri {@code gcp-kms://} followed by the full name of a CryptoKey; not null
   * @return the KEK, calling Cloud KMS through this {@code GcpKms}'s client and bounds
   * @throws NullPointerException if {@code uri} is null
   * @throws IllegalArgumentException if {@code uri} does not name a CryptoKey (a key version name
   *     is refused: wrapping must follow the primary version)
   */
  public Kek kek(String uri) {
    Matcher m = URI.matcher(Objects.requireNonNull(uri, "uri"));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "not a Cloud KMS CryptoKey URI: "
              + uri
              + " (expected gcp-kms://projects/P/locations/L/keyRings/R/cryptoKeys/K)");
    }
    return new GcpKek(this, uri, m.group(1), hsmKeys);
  }

  /**
   * A resolver for {@link KekRegistry.Builder#register(String, KekResolver)} under {@link #SCHEME}
   * that resolves only keys {@code trusted} allows. Another key raises {@link NotMyKeyException}
   * (naming it and the filter) before any call; a malformed URI fails with a {@link
   * GcpKmsException} ({@code INVALID_ARGUMENT}).
   *
   * <pre>{@code
   * KekRegistry registry = KekRegistry.builder()
   *     .register(GcpKms.SCHEME, gcp.resolver(GcpKms.KeyFilter.projects("my-project")))
   *     .build();
   * }</pre>
   *
   * @param trusted the projects or key rings whose keys may be called; not null
   * @return a resolver of {@code gcp-kms://} URIs to KEKs of this {@code GcpKms}
   * @throws NullPointerException if {@code trusted} is null
   */
  public KekResolver resolver(KeyFilter trusted) {
    Objects.requireNonNull(trusted, "trusted");
    return uri -> {
      Kek kek;
      try {
        kek = kek(uri);
      } catch (IllegalArgumentException e) {
        throw new GcpKmsException(e.getMessage(), StatusCode.Code.INVALID_ARGUMENT, false, e);
      }
      if (!trusted.allows(uri.substring(SCHEME.length() + 3))) {
        throw new NotMyKeyException(
            "Cloud KMS key " + uri + " is not trusted: outside " + trusted + "; no Cloud KMS call made");
      }
      return kek;
    };
  }

  /**
   * The Cloud KMS keys a {@linkplain GcpKms#resolver(KeyFilter) resolver} may call: every key of
   * some projects, or of some key rings. Names are compared as written in the URI (a project
   * named by its id is not the same string as by its number; Cloud KMS names use the id).
   *
   * <pre>{@code
   * GcpKms.KeyFilter.projects("my-project", "archive-project");
   * GcpKms.KeyFilter.keyRings("projects/my-project/locations/europe-west1/keyRings/audio");
   * }</pre>
   */
  public static final class KeyFilter {
    private static final Pattern PROJECT = Pattern.compile("[a-z0-9][a-z0-9.:-]{0,99}");
    private static final Pattern KEY_RING =
        Pattern.compile(
            "projects/[a-z0-9][a-z0-9.:-]{0,99}/locations/[a-z0-9-]{1,63}/keyRings/[A-Za-z0-9_-]{1,63}");

    /** {@code projects/P/} prefixes, or {@code projects/P/locations/L/keyRings/R/} prefixes. */
    private final Set<String> prefixes;
    private final String description;

    private KeyFilter(Set<String> prefixes, String description) {
      this.prefixes = prefixes;
      this.description = description;
    }

    /**
     * Every key in these projects (ids such as {@code my-project}).
     *
     * @param projectIds project ids (not numbers), at least one; duplicates are merged
     * @return the filter
     * @throws IllegalArgumentException if none is given or one is null or not a project id
     */
    public static KeyFilter projects(String... projectIds) {
      return projects(Arrays.asList(projectIds));
    }

    /**
     * As {@link #projects(String...)}, with the ids in a collection.
     *
     * @param projectIds project ids (not numbers), at least one; copied
     * @return the filter
     * @throws NullPointerException if {@code projectIds} is null
     * @throws IllegalArgumentException if none is given or one is null or not a project id
     */
    public static KeyFilter projects(Collection<String> projectIds) {
      Set<String> ids = valid(projectIds, PROJECT, "project id");
      Set<String> prefixes = new TreeSet<>();
      for (String id : ids) {
        prefixes.add("projects/" + id + "/");
      }
      return new KeyFilter(Collections.unmodifiableSet(prefixes), "projects " + ids);
    }

    /**
     * Every key in these key rings, named in full: {@code projects/P/locations/L/keyRings/R}.
     *
     * @param keyRingNames full key ring names, at least one; duplicates are merged
     * @return the filter
     * @throws IllegalArgumentException if none is given or one is null or not a key ring name
     */
    public static KeyFilter keyRings(String... keyRingNames) {
      return keyRings(Arrays.asList(keyRingNames));
    }

    /**
     * As {@link #keyRings(String...)}, with the names in a collection.
     *
     * @param keyRingNames full key ring names, at least one; copied
     * @return the filter
     * @throws NullPointerException if {@code keyRingNames} is null
     * @throws IllegalArgumentException if none is given or one is null or not a key ring name
     */
    public static KeyFilter keyRings(Collection<String> keyRingNames) {
      Set<String> names = valid(keyRingNames, KEY_RING, "key ring name (projects/P/locations/L/keyRings/R)");
      Set<String> prefixes = new TreeSet<>();
      for (String name : names) {
        prefixes.add(name + "/");
      }
      return new KeyFilter(Collections.unmodifiableSet(prefixes), "key rings " + names);
    }

    private static Set<String> valid(Collection<String> names, Pattern pattern, String what) {
      Set<String> out = new TreeSet<>();
      for (String n : Objects.requireNonNull(names, "names")) {
        if (n == null || !pattern.matcher(n).matches()) {
          throw new IllegalArgumentException("not a " + what + ": " + n);
        }
        out.add(n);
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException("a key filter needs at least one " + what);
      }
      return out;
    }

    /** True if the CryptoKey named {@code keyName} ({@code projects/.../cryptoKeys/K}) is trusted. */
    boolean allows(String keyName) {
      for (String prefix : prefixes) {
        if (keyName.startsWith(prefix)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public String toString() {
      return "the trusted " + description;
    }
  }

  KeyManagementServiceClient client() {
    return client;
  }

  ApiCallContext callContext() {
    return callContext;
  }

  long primaryVersionCacheNanos() {
    return primaryVersionCacheNanos;
  }

  /** The clock of the primary-version cache: System.nanoTime, or a test's. */
  long nanoTime() {
    return nanoClock.getAsLong();
  }

  /**
   * The name of {@code keyName}'s primary version from one {@code GetCryptoKey} attempt, or null if
   * it cannot be had (no permission, service down): callers then treat versions as not current.
   */
  String primaryVersion(String keyName) {
    try {
      return await(
              client
                  .getCryptoKeyCallable()
                  .futureCall(GetCryptoKeyRequest.newBuilder().setName(keyName).build(), callContext))
          .getPrimary()
          .getName();
    } catch (RuntimeException e) {
      log.debug("GetCryptoKey on {} failed; treating its versions as not current", keyName, e);
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
      }
      return null;
    }
  }

  /**
   * Runs {@code rpc} up to {@code maxAttempts} times. {@code check} returns null for a good
   * response, or why it failed the integrity checks; that, and Cloud KMS reporting that a request
   * checksum did not match, are retried like transient errors and end in a {@link
   * GcpKmsIntegrityException}.
   */
  <T> T call(String op, String keyName, Supplier<T> rpc, Function<T, String> check)
      throws GcpKmsException {
    if (Thread.currentThread().isInterrupted()) {
      // An interrupted caller starts no call (the flag stays set).
      throw new GcpKmsException(
          "interrupted before calling Cloud KMS " + op + " on " + keyName,
          StatusCode.Code.CANCELLED,
          true,
          null);
    }
    for (int attempt = 1; ; attempt++) {
      String integrityProblem;
      ApiException failure = null;
      StatusCode.Code code = StatusCode.Code.DATA_LOSS;
      try {
        T response = rpc.get();
        integrityProblem = check.apply(response);
        if (integrityProblem == null) {
          return response;
        }
      } catch (ApiException e) {
        code = e.getStatusCode().getCode();
        if (code == StatusCode.Code.INVALID_ARGUMENT && isChecksumError(e)) {
          integrityProblem = "Cloud KMS found a request checksum mismatch (request damaged?)";
        } else if (RETRIED.contains(code)) {
          integrityProblem = null;
          failure = e;
          log.debug(
              "Cloud KMS {} on {}: {} (attempt {}/{})", op, keyName, code, attempt, maxAttempts);
        } else {
          throw new GcpKmsException(describe(op, keyName, code), code, false, e);
        }
      } catch (RuntimeException e) {
        throw unexpected(op, keyName, e);
      }
      if (integrityProblem != null) {
        code = StatusCode.Code.DATA_LOSS;
        log.warn(
            "Cloud KMS {} on {} failed its integrity check (attempt {}/{}): {}",
            op,
            keyName,
            attempt,
            maxAttempts,
            integrityProblem);
        if (attempt >= maxAttempts) {
          throw new GcpKmsIntegrityException(
              "Cloud KMS "
                  + op
                  + " on "
                  + keyName
                  + " failed its CRC32C integrity check on all "
                  + maxAttempts
                  + " attempts: "
                  + integrityProblem);
        }
      } else if (attempt >= maxAttempts) {
        throw new GcpKmsException(
            "Cloud KMS "
                + op
                + " on "
                + keyName
                + " still failed with "
                + code
                + " after "
                + maxAttempts
                + " attempts ("
                + transientReason(code)
                + "); try again later",
            code,
            true,
            failure);
      }
      sleepBeforeAttempt(attempt + 1, op, keyName, code, failure);
    }
  }

  /**
   * Cloud KMS answers INVALID_ARGUMENT when a request's data does not match the CRC32C sent with
   * it; only the message tells that apart from a wrong key or AAD, so match on it.
   */
  private static boolean isChecksumError(ApiException e) {
    String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    return message.contains("checksum") || message.contains("crc32c");
  }

  private void sleepBeforeAttempt(
      int nextAttempt, String op, String keyName, StatusCode.Code code, ApiException failure)
      throws GcpKmsException {
    long ceiling =
        Math.min(maxBackoffMillis, initialBackoffMillis << Math.min(nextAttempt - 2, 20));
    long millis = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      GcpKmsException ex =
          new GcpKmsException(
              "interrupted while retrying Cloud KMS " + op + " on " + keyName + " after " + code,
              code,
              true,
              failure);
      ex.addSuppressed(e);
      throw ex;
    }
  }

  /**
   * Waits for an RPC like gax's blocking {@code call}, which waits uninterruptibly (until the
   * answer or the attempt's deadline), but gives way to an interrupt: the RPC is cancelled and an
   * unchecked exception caused by the {@link InterruptedException} is thrown, which {@link #call}
   * reports as a retryable "interrupted" {@link GcpKmsException}, with the flag kept.
   */
  static <T> T await(ApiFuture<T> rpc) {
    try {
      return rpc.get();
    } catch (InterruptedException e) {
      rpc.cancel(true);
      throw new CompletionException("interrupted while waiting for Cloud KMS", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause; // an ApiException, as gax's call() throws it
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new CompletionException(cause);
    }
  }

  /**
   * The client failed without an {@link ApiException}: the calling thread was interrupted while it
   * waited ({@link #await}), or the client is closed.
   */
  private static GcpKmsException unexpected(String op, String keyName, RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        return new GcpKmsException(
            "interrupted while calling Cloud KMS " + op + " on " + keyName,
            StatusCode.Code.CANCELLED,
            true,
            e);
      }
    }
    return new GcpKmsException(
        "Cloud KMS " + op + " on " + keyName + " failed in the client: " + e,
        StatusCode.Code.UNKNOWN,
        false,
        e);
  }

  private static String transientReason(StatusCode.Code code) {
    switch (code) {
      case RESOURCE_EXHAUSTED:
        return "quota or rate limit exceeded";
      case DEADLINE_EXCEEDED:
        return "each attempt ran past its deadline";
      default:
        return "service unavailable";
    }
  }

  private static String describe(String op, String keyName, StatusCode.Code code) {
    String prefix = "Cloud KMS " + op + " on " + keyName + " failed with " + code + ": ";
    switch (code) {
      case INVALID_ARGUMENT:
        return prefix
            + ("Decrypt".equals(op)
                ? "wrong key, wrong encryption context (additional authenticated data), or"
                    + " damaged ciphertext"
                : "the request was rejected (key purpose or request fields)");
      case PERMISSION_DENIED:
        return prefix
            + "the caller lacks permission on the key (roles/cloudkms.cryptoKeyEncrypterDecrypter),"
            + " or the key does not exist";
      case UNAUTHENTICATED:
        return prefix + "no valid credentials";
      case NOT_FOUND:
        return prefix + "no such key";
      case FAILED_PRECONDITION:
        return prefix
            + "the key version is not enabled (disabled, destroyed or scheduled for destruction)";
      default:
        return prefix + "unexpected status";
    }
  }

  /**
   * Builds a {@link GcpKms}; {@link #build()} validates the bounds. The worst case for one wrap or
   * unwrap is about {@code maxAttempts * attemptTimeoutMillis} plus the backoff between attempts.
   */
  public static final class Builder {
    private final KeyManagementServiceClient client;
    private long attemptTimeoutMillis = 10_000;
    private int maxAttempts = 4;
    private long initialBackoffMillis = 100;
    private long maxBackoffMillis = 2_000;
    private boolean hsmKeys;
    private long primaryVersionCacheMillis = 60_000;
    private LongSupplier nanoClock = System::nanoTime;

    private Builder(KeyManagementServiceClient client) {
      this.client = Objects.requireNonNull(client, "client");
    }

    /**
     * Deadline of each Encrypt or Decrypt attempt; default 10000 ms.
     *
     * @param attemptTimeoutMillis the deadline in milliseconds, 1 to 600000 (checked by {@link
     *     #build()})
     * @return this builder
     */
    public Builder attemptTimeoutMillis(long attemptTimeoutMillis) {
      this.attemptTimeoutMillis = attemptTimeoutMillis;
      return this;
    }

    /**
     * Attempts in all, the first included, for retryable failures; default 4.
     *
     * @param maxAttempts 1 to 10 (checked by {@link #build()}); 1 disables retries
     * @return this builder
     */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Backoff before the second attempt, doubled before each later one up to {@code
     * maxBackoffMillis} and jittered down to half; defaults 100 ms and 2000 ms.
     *
     * @param initialBackoffMillis the first backoff in milliseconds, at least 1
     * @param maxBackoffMillis the largest backoff in milliseconds, from {@code
     *     initialBackoffMillis} to 60000 (both checked by {@link #build()})
     * @return this builder
     */
    public Builder backoffMillis(long initialBackoffMillis, long maxBackoffMillis) {
      this.initialBackoffMillis = initialBackoffMillis;
      this.maxBackoffMillis = maxBackoffMillis;
      return this;
    }

    /**
     * Applies the HSM limit (plaintext plus AAD at most {@value #MAX_HSM_COMBINED_BYTES} bytes) to
     * every key before its first call. Without it a KEK applies the limit once a response tells it
     * that its key is an HSM key. Default false.
     *
     * @param hsmKeys true to treat every key as an HSM key from the start
     * @return this builder
     */
    public Builder hsmKeys(boolean hsmKeys) {
      this.hsmKeys = hsmKeys;
      return this;
    }

    /**
     * How long a KEK trusts the primary version it last saw (in an Encrypt response or from {@code
     * GetCryptoKey}) when {@link Kek#isCurrent} decides whether a re-wrap is due; default 60000 ms,
     * 0 to ask Cloud KMS every time. A rotation made elsewhere is seen after at most this long.
     *
     * @param primaryVersionCacheMillis the cache lifetime in milliseconds, 0 or more (checked by
     *     {@link #build()})
     * @return this builder
     */
    public Builder primaryVersionCacheMillis(long primaryVersionCacheMillis) {
      this.primaryVersionCacheMillis = primaryVersionCacheMillis;
      return this;
    }

    /** Package-private test seam: the clock of the primary-version cache (nanoseconds). */
    Builder nanoClock(LongSupplier nanoClock) {
      this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
      return this;
    }

    /**
     * Builds the {@code GcpKms} after checking every bound.
     *
     * @return the {@code GcpKms}, thread-safe; it shares (and never closes) the client
     * @throws IllegalArgumentException if a bound is out of range or the client does not use gRPC
     */
    public GcpKms build() {
      if (attemptTimeoutMillis < 1 || attemptTimeoutMillis > 600_000) {
        throw new IllegalArgumentException("attemptTimeoutMillis must be 1 to 600000");
      }
      if (maxAttempts < 1 || maxAttempts > 10) {
        throw new IllegalArgumentException("maxAttempts must be 1 to 10");
      }
      if (initialBackoffMillis < 1
          || maxBackoffMillis < initialBackoffMillis
          || maxBackoffMillis > 60_000) {
        throw new IllegalArgumentException(
            "backoff must satisfy 1 <= initialBackoffMillis <= maxBackoffMillis <= 60000");
      }
      if (primaryVersionCacheMillis < 0) {
        throw new IllegalArgumentException("primaryVersionCacheMillis must be >= 0");
      }
      if (!(client.getStub() instanceof GrpcKeyManagementServiceStub)) {
        throw new IllegalArgumentException(
            "GcpKms needs a gRPC KeyManagementServiceClient, got "
                + client.getStub().getClass().getSimpleName());
      }
      return new GcpKms(this);
    }
  }
}
