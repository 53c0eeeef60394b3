package com.getox.crypto.kms.aws;

import com.getox.crypto.kek.Kek;
import java.io.IOException;
import java.util.List;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * For the benchmarks only: an AWS KMS KEK backed by kms-aws's {@code LocalKmsServer} (from that
 * module's test-jar) on 127.0.0.1, plain HTTP. It lives in this package because the server is
 * package-private; the benchmarks reuse the tests' server rather than keep a copy of it.
 *
 * <pre>{@code
 * try (LocalAwsKms kms = LocalAwsKms.start()) {
 *   Recordings r = Recordings.builder().wrapWith(kms.kek()).build();
 *   long before = kms.requestsReceived();
 * }
 * }</pre>
 */
public final class LocalAwsKms implements AutoCloseable {
  private static final String ACCOUNT = "111122223333";
  private static final String REGION = "eu-west-1";
  /** The operations LocalKmsServer serves (its dispatch): their counts sum to all it received. */
  private static final List<String> OPERATIONS =
      List.of(
          "CreateKey", "DescribeKey", "ReplicateKey", "CreateAlias", "UpdateAlias", "Encrypt",
          "GenerateDataKey", "Decrypt", "ReEncrypt", "EnableKeyRotation", "DisableKeyRotation",
          "GetKeyRotationStatus", "RotateKeyOnDemand", "DisableKey", "EnableKey",
          "ScheduleKeyDeletion");

  private final LocalKmsServer server;
  private final KmsClient client;
  private final Kek kek;

  private LocalAwsKms(LocalKmsServer server, KmsClient client, Kek kek) {
    this.server = server;
    this.client = client;
    this.kek = kek;
  }

  /**
   * Starts a server, creates one symmetric key in it and returns a KEK for that key, called
   * through a client from {@link AwsKms#clientBuilder()} (its defaults: URL-connection HTTP
   * client, keep-alive, standard retries).
   */
  public static LocalAwsKms start() throws IOException {
    LocalKmsServer server = LocalKmsServer.startHttp();
    KmsClient client = null;
    try {
      client =
          AwsKms.clientBuilder()
              .region(REGION)
              .endpointOverride(server.endpoint())
              .credentialsProvider(server.newAccount(ACCOUNT))
              .build();
      String arn = client.createKey(b -> b.description("benchmark")).keyMetadata().arn();
      return new LocalAwsKms(server, client, AwsKms.kek("aws-kms://" + arn, client));
    } catch (RuntimeException e) {
      if (client != null) {
        client.close();
      }
      server.close();
      throw e;
    }
  }

  /** The KEK, a key ARN in the local server. */
  public Kek kek() {
    return kek;
  }

  /**
   * Requests the server has received with a valid SigV4 signature, all operations (SDK retries
   * included), plus those it rejected for their signature.
   */
  public long requestsReceived() {
    long n = server.rejectedSignatures();
    for (String op : OPERATIONS) {
      n += server.requests(op);
    }
    return n;
  }

  @Override
  public void close() throws IOException {
    try {
      client.close();
    } finally {
      server.close();
    }
  }
}
