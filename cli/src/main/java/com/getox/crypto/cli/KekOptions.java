package com.getox.crypto.cli;

import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.KekRegistry;
import com.getox.crypto.kms.aws.AwsKms;
import com.getox.crypto.kms.gcp.GcpKms;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.cloud.kms.v1.KeyManagementServiceSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The cloud KEK options: {@code --kek aws-kms://…} and {@code --kek gcp-kms://…} (repeatable), each
 * called with its SDK's default credentials, and an endpoint override per KMS for local servers or
 * private endpoints.
 *
 * <pre>{@code
 * oxcrypt encrypt --kek aws-kms://arn:aws:kms:eu-west-1:111122223333:key/1234abcd-... talk.pcm talk.oxr
 * oxcrypt decrypt --kek gcp-kms://projects/p/locations/global/keyRings/r/cryptoKeys/k talk.oxr -
 * }</pre>
 *
 * <p>AWS: the Region is the key ARN's; credentials are the SDK's default chain, except that
 * {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY} (and {@code AWS_SESSION_TOKEN}) in the
 * environment the CLI was given are used as such (the chain reads the same variables). Google
 * Cloud: Application Default Credentials. Clients are closed when the command ends.
 */
final class KekOptions {
  static final String OPTION = "--kek";
  private static final java.util.regex.Pattern GCP_KEY = java.util.regex.Pattern.compile(
      "gcp-kms://projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+");

  @Option(names = OPTION, paramLabel = "URI",
      description = "A cloud KMS KEK: aws-kms://arn:aws:kms:REGION:ACCOUNT:key/ID (or .../alias/NAME) "
          + "or gcp-kms://projects/P/locations/L/keyRings/R/cryptoKeys/K, called with the SDK's "
          + "default credentials. Repeatable: a new recording's data key is wrapped under every KEK "
          + "given, and any of them may open one.")
  List<String> keks = new ArrayList<>();

  @Option(names = "--aws-kms-endpoint", paramLabel = "URL",
      description = "Call AWS KMS at URL instead of the Region's endpoint (a VPC endpoint; plain http "
          + "only on 127.0.0.1 or localhost, for a local server).")
  String awsEndpoint;

  @Option(names = "--gcp-kms-endpoint", paramLabel = "URL",
      description = "Call Cloud KMS at URL (https://HOST:PORT) instead of cloudkms.googleapis.com; "
          + "http://127.0.0.1:PORT is a local server, called in plaintext without credentials.")
  String gcpEndpoint;

  /** These options with {@code uris} instead of the --kek URIs (the same endpoints). */
  KekOptions withKeks(String... uris) {
    KekOptions o = new KekOptions();
    o.keks = new ArrayList<>(List.of(uris));
    o.awsEndpoint = awsEndpoint;
    o.gcpEndpoint = gcpEndpoint;
    return o;
  }

  /** The KEKs named by --kek, in order; their clients are closed by {@code root} at the end. */
  List<Kek> open(OxCrypt root) throws CliException {
    List<Kek> out = new ArrayList<>();
    if (keks.isEmpty()) {
      return out;
    }
    KmsClientsHolder clients = new KmsClientsHolder();
    for (String uri : keks) {
      String scheme = KekRegistry.schemeOf(uri);
      String s = scheme == null ? "" : scheme.toLowerCase(Locale.ROOT);
      try {
        if (s.equals(AwsKms.SCHEME)) {
          out.add(AwsKms.kek(uri, clients.aws(root, regionOf(uri))));
        } else if (s.equals(GcpKms.SCHEME)) {
          if (!GCP_KEY.matcher(uri).matches()) { // before a client is made: no credentials needed
            throw new CliException(OxCrypt.USAGE, OPTION + " " + uri + ": not a Cloud KMS CryptoKey "
                + "(gcp-kms://projects/P/locations/L/keyRings/R/cryptoKeys/K)");
          }
          out.add(clients.gcp(root).kek(uri));
        } else {
          throw new CliException(OxCrypt.USAGE, OPTION + " " + uri + ": not a cloud KMS KEK URI "
              + "(aws-kms://arn:... or gcp-kms://projects/...; a local keyset is --keyset FILE)");
        }
      } catch (IllegalArgumentException e) {
        throw new CliException(OxCrypt.USAGE, OPTION + " " + uri + ": " + e.getMessage());
      }
    }
    return out;
  }

  /** The Region of {@code aws-kms://arn:PARTITION:kms:REGION:ACCOUNT:...}. */
  private static String regionOf(String uri) throws CliException {
    String[] f = uri.substring(AwsKms.SCHEME.length() + 3).split(":", 6);
    if (f.length < 6 || !f[0].equals("arn") || !f[2].equals("kms") || f[3].isEmpty()) {
      throw new CliException(OxCrypt.USAGE, OPTION + " " + uri
          + ": not an AWS KMS key ARN (aws-kms://arn:aws:kms:REGION:ACCOUNT:key/ID or .../alias/NAME)");
    }
    return f[3];
  }

  /** One client per AWS Region and one Cloud KMS client for the command's KEKs. */
  private final class KmsClientsHolder {
    private final Map<String, KmsClient> aws = new java.util.HashMap<>();
    private GcpKms gcp;

    KmsClient aws(OxCrypt root, String region) throws CliException {
      KmsClient c = aws.get(region);
      if (c == null) {
        AwsKms.ClientBuilder b = AwsKms.clientBuilder().region(region);
        AwsCredentials fromEnv = awsCredentials(root.env);
        if (fromEnv != null) {
          b.credentialsProvider(StaticCredentialsProvider.create(fromEnv));
        }
        if (awsEndpoint != null) {
          b.endpointOverride(endpoint("--aws-kms-endpoint", awsEndpoint));
        }
        c = b.build();
        root.closeAtEnd(c);
        aws.put(region, c);
      }
      return c;
    }

    GcpKms gcp(OxCrypt root) throws CliException {
      if (gcp == null) {
        KeyManagementServiceClient client;
        try {
          KeyManagementServiceSettings.Builder s = KeyManagementServiceSettings.newBuilder();
          if (gcpEndpoint != null) {
            URI u = endpoint("--gcp-kms-endpoint", gcpEndpoint);
            String hostPort = u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : 443);
            s.setEndpoint(hostPort);
            if ("http".equals(u.getScheme())) {
              if (!isLoopback(u)) {
                throw new CliException(OxCrypt.USAGE, "--gcp-kms-endpoint " + gcpEndpoint
                    + ": plain http only on 127.0.0.1 or localhost (a local server)");
              }
              s.setCredentialsProvider(NoCredentialsProvider.create());
              s.setTransportChannelProvider(KeyManagementServiceSettings.defaultGrpcTransportProviderBuilder()
                  .setEndpoint(hostPort)
                  .setChannelConfigurator(ch -> ch.usePlaintext())
                  .build());
            }
          }
          client = KeyManagementServiceClient.create(s.build());
        } catch (java.io.IOException e) {
          throw new CliException(OxCrypt.CRYPTO_ERROR, "KMS error: cannot create the Cloud KMS client "
              + "(Application Default Credentials; --gcp-kms-endpoint for a local server): " + e.getMessage());
        }
        root.closeAtEnd(client);
        gcp = GcpKms.create(client);
      }
      return gcp;
    }
  }

  private static URI endpoint(String option, String url) throws CliException {
    try {
      URI u = new URI(url);
      if (u.getHost() == null || !("https".equals(u.getScheme()) || "http".equals(u.getScheme()))) {
        throw new URISyntaxException(url, "expected http(s)://HOST[:PORT]");
      }
      return u;
    } catch (URISyntaxException e) {
      throw new CliException(OxCrypt.USAGE, option + " " + url + ": not a URL (http(s)://HOST[:PORT])");
    }
  }

  private static boolean isLoopback(URI u) {
    String h = u.getHost();
    return "127.0.0.1".equals(h) || "localhost".equals(h) || "[::1]".equals(h);
  }

  /** AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) from the environment. */
  private static AwsCredentials awsCredentials(Map<String, String> env) {
    if (env == null) {
      return null;
    }
    String id = env.get("AWS_ACCESS_KEY_ID");
    String secret = env.get("AWS_SECRET_ACCESS_KEY");
    if (id == null || secret == null || id.isEmpty() || secret.isEmpty()) {
      return null;
    }
    String token = env.get("AWS_SESSION_TOKEN");
    return token == null || token.isEmpty()
        ? AwsBasicCredentials.create(id, secret)
        : AwsSessionCredentials.create(id, secret, token);
  }
}
