package com.getox.crypto.kms.aws;

import java.io.IOException;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * For the CLI's tests: kms-aws's {@code LocalKmsServer} (from that module's test-jar; it is
 * package-private, hence this package) on 127.0.0.1, with one account whose credentials the CLI
 * gets as {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, as from the SDK's default chain.
 *
 * <pre>{@code
 * try (CliLocalAwsKms kms = CliLocalAwsKms.start()) {
 *   env.putAll(kms.credentialsEnv());
 *   run("encrypt", "--kek", kms.newKeyUri(), "--aws-kms-endpoint", kms.endpoint(), "in", "out");
 * }
 * }</pre>
 */
public final class CliLocalAwsKms implements AutoCloseable {
  public static final String ACCOUNT = "111122223333";
  public static final String REGION = "eu-west-1";

  private final LocalKmsServer server;
  private final AwsCredentials credentials;
  private final KmsClient admin;

  private CliLocalAwsKms(LocalKmsServer server) {
    this.server = server;
    this.credentials = server.newAccount(ACCOUNT).resolveCredentials();
    this.admin = AwsKms.clientBuilder().region(REGION).endpointOverride(server.endpoint())
        .credentialsProvider(() -> credentials)
        .connectTimeoutMillis(10_000).callAttemptTimeoutMillis(30_000).callTimeoutMillis(100_000)
        .build();
  }

  public static CliLocalAwsKms start() throws IOException {
    return new CliLocalAwsKms(LocalKmsServer.startHttp());
  }

  /** http://127.0.0.1:PORT */
  public String endpoint() {
    return server.endpoint().toString();
  }

  /** The account's credentials as the environment variables the SDK's default chain reads. */
  public Map<String, String> credentialsEnv() {
    return Map.of("AWS_ACCESS_KEY_ID", credentials.accessKeyId(),
        "AWS_SECRET_ACCESS_KEY", credentials.secretAccessKey());
  }

  /** Creates a symmetric key; returns its aws-kms:// URI. */
  public String newKeyUri() {
    return "aws-kms://" + admin.createKey(b -> b.description("cli test")).keyMetadata().arn();
  }

  /** Disables the key of {@code uri}: it no longer wraps or unwraps. */
  public void disable(String uri) {
    admin.disableKey(b -> b.keyId(uri.substring("aws-kms://".length())));
  }

  /** Requests the server answered for {@code operation} (Encrypt, Decrypt, GenerateDataKey...). */
  public int requests(String operation) {
    return server.requests(operation);
  }

  @Override
  public void close() throws IOException {
    admin.close();
    server.close();
  }
}
