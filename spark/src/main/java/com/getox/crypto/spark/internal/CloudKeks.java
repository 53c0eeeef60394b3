package com.getox.crypto.spark.internal;

import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.KekRegistry;
import com.getox.crypto.spark.FleetOptions;
import java.io.IOException;
import java.net.URI;
import java.util.Locale;

/**
 * Cloud KEKs from their URIs, with clients built on the executor with the SDK's default
 * credentials (AWS: the default chain, Region from the key ARN; Google Cloud: Application Default
 * Credentials), as the CLI's {@code --kek} does. ox-crypto-kms-aws and ox-crypto-kms-gcp are
 * optional dependencies: each is loaded only when a URI of its scheme is used. Clients live as
 * long as the executor.
 */
final class CloudKeks {
  private CloudKeks() {}

  static Kek resolve(String uri, FleetOptions o) throws IOException {
    String scheme = KekRegistry.schemeOf(uri);
    String s = scheme == null ? "" : scheme.toLowerCase(Locale.ROOT);
    if (s.equals("aws-kms")) {
      return Aws.kek(uri, o.awsKmsEndpoint());
    }
    if (s.equals("gcp-kms")) {
      return Gcp.kek(uri, o.gcpKmsEndpoint());
    }
    throw new IllegalArgumentException("not a cloud KMS KEK URI (aws-kms://arn:... or "
        + "gcp-kms://projects/...; a local keyset is --keyset FILE): " + uri);
  }

  /** Loaded only for aws-kms:// URIs. */
  private static final class Aws {
    static Kek kek(String uri, String endpoint) {
      String[] f = uri.substring("aws-kms://".length()).split(":", 6);
      if (f.length < 6 || !f[0].equals("arn") || !f[2].equals("kms") || f[3].isEmpty()) {
        throw new IllegalArgumentException("not an AWS KMS key ARN: " + uri);
      }
      com.getox.crypto.kms.aws.AwsKms.ClientBuilder b =
          com.getox.crypto.kms.aws.AwsKms.clientBuilder().region(f[3]);
      if (endpoint != null) {
        b.endpointOverride(URI.create(endpoint));
      }
      return com.getox.crypto.kms.aws.AwsKms.kek(uri, b.build());
    }
  }

  /** Loaded only for gcp-kms:// URIs. */
  private static final class Gcp {
    static Kek kek(String uri, String endpoint) throws IOException {
      com.google.cloud.kms.v1.KeyManagementServiceSettings.Builder s =
          com.google.cloud.kms.v1.KeyManagementServiceSettings.newBuilder();
      if (endpoint != null) {
        URI u = URI.create(endpoint);
        s.setEndpoint(u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : 443));
      }
      return com.getox.crypto.kms.gcp.GcpKms.create(
          com.google.cloud.kms.v1.KeyManagementServiceClient.create(s.build())).kek(uri);
    }
  }
}
