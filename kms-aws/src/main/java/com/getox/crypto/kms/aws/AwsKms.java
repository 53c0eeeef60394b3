package com.getox.crypto.kms.aws;

import com.getox.crypto.internal.Tls12SocketFactory;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.KekRegistry;
import com.getox.crypto.kek.KekResolver;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.security.GeneralSecurityException;
import com.getox.crypto.kek.NotMyKeyException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.TlsTrustManagersProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.KmsClientBuilder;

/**
 * Key-encryption keys held in AWS KMS, named {@code aws-kms://arn:aws:kms:REGION:ACCOUNT:key/ID}
 * or {@code aws-kms://arn:aws:kms:REGION:ACCOUNT:alias/NAME}. The entry point of this module.
 *
 * <pre>{@code
 * KmsClient kms = AwsKms.clientBuilder().region("eu-west-1").build();
 * Kek kek = AwsKms.kek("aws-kms://arn:aws:kms:eu-west-1:111122223333:key/1234abcd-...", kms);
 *
 * // or, to open recordings under any key of the accounts you trust:
 * AwsKms.DiscoveryFilter trusted = AwsKms.DiscoveryFilter.of("aws", "111122223333");
 * KekRegistry registry = AwsKms.register(KekRegistry.builder(), trusted, kms).build();
 * }</pre>
 *
 * <p>A recording header is not authenticated, so the KEK URIs in it are whatever its author wrote.
 * A registry resolving them must not call KMS on a key in an account you do not trust: that would
 * hand the key's owner the recording's encryption context in their CloudTrail (and, with a
 * ReEncrypt, possibly its data key). So {@link #register} and {@link #resolver} need a {@link
 * DiscoveryFilter} (a partition and a set of account ids, as in the AWS Encryption SDK's discovery
 * keyrings), and refuse any other URI with {@link NotMyKeyException} before any call, so a reader
 * goes on to its other KEKs. There is no "any account" filter: who really wants to trust every key
 * in the partition registers {@code uri -> AwsKms.kek(uri, client)} themselves.
 *
 * <p>What the KEK does with AWS KMS:
 *
 * <ul>
 *   <li>{@link Kek#wrap wrap} calls {@code Encrypt} with the recording's {@linkplain
 *       com.getox.crypto.EncryptionContext#asMap() encryption context} as the KMS encryption
 *       context, so KMS enforces it and CloudTrail logs it. The wrapped key records the key ARN
 *       KMS used as its {@linkplain com.getox.crypto.kek.WrappedKey#kekVersion() version}.
 *   <li>{@link Kek#unwrap unwrap} calls {@code Decrypt} always passing {@code KeyId}, and fails if
 *       the answer names another key. Through an alias it decrypts with the key ARN recorded at
 *       wrap time (which must be in the alias's account and Region), so old recordings stay
 *       readable after the alias moves. Wrapped keys of another KEK raise {@link
 *       com.getox.crypto.kek.NotMyKeyException} without a call; multi-Region keys ({@code mrk-})
 *       match their replicas in every Region.
 *   <li>{@link Kek#rewrap rewrap} calls {@code ReEncrypt}, so the data key never leaves KMS, when
 *       the source is an AWS key in the same Region (or a replica of a multi-Region key). Key
 *       rotation needs no re-wrap (KMS keeps old material); after an alias moves to a new key,
 *       {@link Kek#isCurrent isCurrent} (one {@code DescribeKey}) lets {@code Recordings.rewrap}
 *       move recordings to it.
 *   <li>Failures are {@link com.getox.crypto.KmsException}s after the SDK's bounded retries:
 *       {@code NotFound}, {@code Disabled}, {@code KMSInvalidState}, {@code AccessDenied}, {@code
 *       InvalidCiphertext} and {@code IncorrectKey} are not retryable; throttling, {@code
 *       DependencyTimeout}, {@code KMSInternal}, {@code KeyUnavailable}, 5xx answers, timeouts and
 *       broken connections are.
 * </ul>
 *
 * <p>Any {@link KmsClient} works; {@link #clientBuilder()} makes one with this module's defaults
 * (URL-connection HTTP client, TLS 1.2 minimum, bounded timeouts and retries).
 */
public final class AwsKms {
  /** The URI scheme of AWS KMS KEKs. */
  public static final String SCHEME = "aws-kms";

  private AwsKms() {}

  /**
   * The KEK named by {@code uri}, called through {@code client}, which must be configured for the
   * key's Region. You named the key, so it is trusted; its {@link Kek#rewrap rewrap} calls {@code
   * ReEncrypt} only from keys in its own partition and account (others raise {@link
   * NotMyKeyException}, so callers unwrap with a KEK they trust and wrap again).
   *
   * @param uri {@code aws-kms://} followed by a key ARN or an alias ARN; not null
   * @param client the KMS client to call, configured for the key's Region; not null. The KEK
   *     does not close it
   * @return the KEK; making it calls nothing
   * @throws NullPointerException if {@code uri} or {@code client} is null
   * @throws IllegalArgumentException if {@code uri} is not an {@code aws-kms://} key or alias ARN,
   *     or names a key in another Region than the client's
   */
  public static Kek kek(String uri, KmsClient client) {
    Objects.requireNonNull(client, "client");
    KeyArn key = KeyArn.parseUri(Objects.requireNonNull(uri, "uri"));
    if (key == null) {
      throw new IllegalArgumentException(
          "not an AWS KMS KEK URI (aws-kms://arn:aws:kms:REGION:ACCOUNT:key/ID or .../alias/NAME): "
              + uri);
    }
    String region = regionOf(client);
    if (!key.region.equals(region)) {
      throw new IllegalArgumentException(
          "KEK " + uri + " is in Region " + key.region + " but the KMS client is for " + region);
    }
    return new AwsKek(key, client, DiscoveryFilter.of(key.partition, key.account));
  }

  /**
   * Registers the {@code aws-kms} scheme in {@code registry}: a URI of a key that {@code trusted}
   * allows resolves to a KEK through the client for its Region; any other URI raises {@link
   * NotMyKeyException} (naming the partition and account that are not trusted) before any call.
   * The KEKs it resolves re-wrap ({@code ReEncrypt}) only from keys that {@code trusted} allows.
   * A multi-Region key ({@code mrk-}) in a Region without a client resolves to its replica in the
   * first client's Region (if there is no replica there, unwrapping fails with a non-retryable
   * {@code NotFoundException}). Returns {@code registry}.
   *
   * <pre>{@code
   * KekRegistry registry = AwsKms.register(
   *         KekRegistry.builder(),
   *         AwsKms.DiscoveryFilter.of("aws", "111122223333", "444455556666"),
   *         westClient, eastClient)
   *     .build();
   * }</pre>
   *
   * @param registry the builder to add the {@code aws-kms} scheme to
   * @param trusted the partition and accounts whose keys may be called; not null
   * @param clients one KMS client per Region to call, at least one; a URI in a Region without a
   *     client (and not a multi-Region key) fails to resolve with a {@link
   *     GeneralSecurityException}
   * @return {@code registry}, for chaining
   * @throws NullPointerException if {@code trusted} is null
   * @throws IllegalArgumentException if no client is given, two share a Region, or one has no
   *     Region
   */
  public static KekRegistry.Builder register(
      KekRegistry.Builder registry, DiscoveryFilter trusted, KmsClient... clients) {
    return registry.register(SCHEME, resolver(trusted, clients));
  }

  /**
   * The resolver behind {@link #register}, for registries built another way. It refuses a URI
   * outside {@code trusted} with {@link NotMyKeyException} and one that is not an {@code aws-kms}
   * ARN, or whose Region has no client, with a {@link GeneralSecurityException}; none of these
   * calls KMS.
   *
   * @param trusted the partition and accounts whose keys may be called; not null
   * @param clients one KMS client per Region to call, at least one
   * @return a resolver of {@code aws-kms://} URIs to KEKs
   * @throws NullPointerException if {@code trusted} is null
   * @throws IllegalArgumentException if no client is given, two share a Region, or one has no
   *     Region
   */
  public static KekResolver resolver(DiscoveryFilter trusted, KmsClient... clients) {
    Objects.requireNonNull(trusted, "trusted");
    Map<String, KmsClient> byRegion = new LinkedHashMap<>();
    for (KmsClient c : clients) {
      if (byRegion.put(regionOf(c), c) != null) {
        throw new IllegalArgumentException("two KMS clients for Region " + regionOf(c));
      }
    }
    if (byRegion.isEmpty()) {
      throw new IllegalArgumentException("at least one KMS client is needed");
    }
    return uri -> {
      KeyArn key = KeyArn.parseUri(uri);
      if (key == null) {
        throw new GeneralSecurityException("not an AWS KMS KEK URI: " + uri);
      }
      trusted.check(key);
      KmsClient client = byRegion.get(key.region);
      if (client != null) {
        return new AwsKek(key, client, trusted);
      }
      if (key.isMultiRegionKey()) {
        Map.Entry<String, KmsClient> first = byRegion.entrySet().iterator().next();
        return new AwsKek(key.inRegion(first.getKey()), first.getValue(), trusted);
      }
      throw new GeneralSecurityException(
          "no KMS client for Region " + key.region + " (have " + byRegion.keySet() + ") for " + uri);
    };
  }

  /**
   * The AWS KMS keys a registry may call: those of one partition ({@code aws}, {@code aws-cn},
   * {@code aws-us-gov}, ...) in a set of accounts, like the AWS Encryption SDK's {@code
   * DiscoveryFilter}. Both must match; Region and key id do not matter.
   *
   * <pre>{@code
   * AwsKms.DiscoveryFilter trusted = AwsKms.DiscoveryFilter.of("aws", "111122223333");
   * KekRegistry registry = AwsKms.register(KekRegistry.builder(), trusted, kms).build();
   * }</pre>
   */
  public static final class DiscoveryFilter {
    private static final Pattern PARTITION = Pattern.compile("aws[a-z-]*");
    private static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");

    private final String partition;
    private final Set<String> accountIds;

    private DiscoveryFilter(String partition, Set<String> accountIds) {
      this.partition = partition;
      this.accountIds = accountIds;
    }

    /**
     * The filter allowing the keys of {@code accountIds} in {@code partition}.
     *
     * @param partition an AWS partition name: {@code aws}, {@code aws-cn}, {@code aws-us-gov},
     *     ...; not null
     * @param accountIds the trusted 12-digit account ids, at least one (duplicates are merged)
     * @return the filter
     * @throws NullPointerException if {@code partition} is null
     * @throws IllegalArgumentException if {@code partition} is not an AWS partition name, no
     *     account id is given, or one is null or not 12 digits
     */
    public static DiscoveryFilter of(String partition, String... accountIds) {
      return of(partition, Arrays.asList(accountIds));
    }

    /**
     * As {@link #of(String, String...)}, with the account ids in a collection.
     *
     * @param partition an AWS partition name, such as {@code aws}; not null
     * @param accountIds the trusted 12-digit account ids, at least one (duplicates are merged);
     *     copied
     * @return the filter
     * @throws NullPointerException if {@code partition} or {@code accountIds} is null
     * @throws IllegalArgumentException if {@code partition} is not an AWS partition name, no
     *     account id is given, or one is null or not 12 digits
     */
    public static DiscoveryFilter of(String partition, Collection<String> accountIds) {
      Objects.requireNonNull(partition, "partition");
      if (!PARTITION.matcher(partition).matches()) {
        throw new IllegalArgumentException("not an AWS partition (aws, aws-cn, ...): " + partition);
      }
      Set<String> ids = new TreeSet<>();
      for (String id : accountIds) {
        if (id == null || !ACCOUNT.matcher(id).matches()) {
          throw new IllegalArgumentException("an AWS account id is 12 digits, got: " + id);
        }
        ids.add(id);
      }
      if (ids.isEmpty()) {
        throw new IllegalArgumentException("a discovery filter needs at least one account id");
      }
      return new DiscoveryFilter(partition, Collections.unmodifiableSet(ids));
    }

    /**
     * The partition.
     *
     * @return the partition name, such as {@code aws}
     */
    public String partition() {
      return partition;
    }

    /**
     * The trusted account ids.
     *
     * @return the 12-digit account ids, sorted; unmodifiable
     */
    public Set<String> accountIds() {
      return accountIds;
    }

    boolean allows(KeyArn key) {
      return partition.equals(key.partition) && accountIds.contains(key.account);
    }

    /** Throws {@link NotMyKeyException} unless this filter allows {@code key}. */
    void check(KeyArn key) throws NotMyKeyException {
      if (!allows(key)) {
        throw new NotMyKeyException(
            "AWS KMS key "
                + key.uri()
                + " is not trusted: partition "
                + key.partition
                + ", account "
                + key.account
                + " is outside the discovery filter "
                + this
                + "; no KMS call made");
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof DiscoveryFilter
          && partition.equals(((DiscoveryFilter) o).partition)
          && accountIds.equals(((DiscoveryFilter) o).accountIds);
    }

    @Override
    public int hashCode() {
      return partition.hashCode() * 31 + accountIds.hashCode();
    }

    @Override
    public String toString() {
      return "(partition " + partition + ", accounts " + accountIds + ")";
    }
  }

  /**
   * A builder of {@link KmsClient}s with this module's defaults.
   *
   * @return a new builder; set at least {@link ClientBuilder#region(String) region}
   */
  public static ClientBuilder clientBuilder() {
    return new ClientBuilder();
  }

  private static String regionOf(KmsClient client) {
    Region region = client.serviceClientConfiguration().region();
    if (region == null) {
      throw new IllegalArgumentException("the KMS client has no Region");
    }
    return region.id();
  }

  /**
   * Builds a {@link KmsClient} that uses the SDK's URL-connection HTTP client restricted to TLS 1.3
   * and 1.2, with bounded connection, per-attempt and per-call timeouts and the SDK's standard
   * retry strategy (exponential backoff with jitter, a bounded number of attempts).
   *
   * <pre>{@code
   * KmsClient kms = AwsKms.clientBuilder()
   *     .region("eu-west-1")
   *     .connectTimeoutMillis(2_000)
   *     .callAttemptTimeoutMillis(5_000)
   *     .callTimeoutMillis(20_000)
   *     .maxAttempts(3)
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
    private TlsTrustManagersProvider trustManagers;
    private long connectTimeoutMillis = 2_000;
    private long callAttemptTimeoutMillis = 5_000;
    private long callTimeoutMillis = 20_000;
    private int maxAttempts = 3;

    private ClientBuilder() {}

    /**
     * The AWS Region. Required.
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
     * Another endpoint than the Region's, such as a VPC endpoint. It must be {@code https}, except
     * on the loopback interface (for local test servers). Checked by {@link #build()}.
     *
     * @param endpoint the endpoint URI, or null for the Region's
     * @return this builder
     */
    public ClientBuilder endpointOverride(URI endpoint) {
      this.endpoint = endpoint;
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
     * @param millis the connect timeout in milliseconds; must be positive (checked by {@link
     *     #build()})
     * @return this builder
     */
    public ClientBuilder connectTimeoutMillis(long millis) {
      this.connectTimeoutMillis = millis;
      return this;
    }

    /**
     * Time for one HTTP attempt, from sending to reading the whole answer, in milliseconds.
     * Default 5000.
     *
     * @param millis the attempt timeout in milliseconds; positive and at most the call timeout
     *     (checked by {@link #build()})
     * @return this builder
     */
    public ClientBuilder callAttemptTimeoutMillis(long millis) {
      this.callAttemptTimeoutMillis = millis;
      return this;
    }

    /**
     * Time for a whole call, all retries and backoff included, in milliseconds. Default 20000.
     *
     * @param millis the call timeout in milliseconds; must be positive (checked by {@link
     *     #build()})
     * @return this builder
     */
    public ClientBuilder callTimeoutMillis(long millis) {
      this.callTimeoutMillis = millis;
      return this;
    }

    /**
     * Attempts per call, the first included (1 disables retries). Default 3.
     *
     * @param maxAttempts 1 to 10 (checked by {@link #build()})
     * @return this builder
     */
    public ClientBuilder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Builds the client. It is thread-safe and should be shared; close it when done.
     *
     * @return a new {@link KmsClient} with these settings
     * @throws IllegalArgumentException if the Region is missing, a timeout is not positive, the
     *     attempt timeout exceeds the call timeout, attempts are outside 1 to 10, or the endpoint is
     *     plain HTTP off the loopback interface
     * @throws IllegalStateException if the JVM cannot make a TLS context
     */
    public KmsClient build() {
      if (region == null || region.isEmpty()) {
        throw new IllegalArgumentException("region is required");
      }
      if (connectTimeoutMillis <= 0 || callAttemptTimeoutMillis <= 0 || callTimeoutMillis <= 0) {
        throw new IllegalArgumentException("timeouts must be positive");
      }
      if (callAttemptTimeoutMillis > callTimeoutMillis) {
        throw new IllegalArgumentException("callAttemptTimeoutMillis exceeds callTimeoutMillis");
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
      KmsClientBuilder b =
          KmsClient.builder()
              .region(Region.of(region))
              .httpClient(http)
              .overrideConfiguration(
                  o ->
                      o.apiCallAttemptTimeout(Duration.ofMillis(callAttemptTimeoutMillis))
                          .apiCallTimeout(Duration.ofMillis(callTimeoutMillis))
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
