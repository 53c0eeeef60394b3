package com.getox.crypto.kms.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.KmsException;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.kms.KmsClient;

/** Starts a {@link LocalKmsServer} per test and builds real {@link KmsClient}s against it. */
abstract class KmsTestSupport {
  static final String ACCOUNT = "111122223333";
  static final String OTHER_ACCOUNT = "444455556666";
  static final String REGION = "eu-west-1";
  static final String OTHER_REGION = "us-east-1";
  /** The discovery filter of registries that read keys of {@link #ACCOUNT}. */
  static final AwsKms.DiscoveryFilter TRUSTED = AwsKms.DiscoveryFilter.of("aws", ACCOUNT);

  LocalKmsServer server;
  AwsCredentialsProvider credentials;
  /** A client for {@link #REGION} in {@link #ACCOUNT}. */
  KmsClient kms;
  private final List<KmsClient> clients = new ArrayList<>();

  @BeforeEach
  void startServer() throws IOException {
    server = LocalKmsServer.startHttp();
    credentials = server.newAccount(ACCOUNT);
    kms = client(REGION, credentials);
  }

  @AfterEach
  void stopServer() throws IOException {
    clients.forEach(KmsClient::close);
    server.close();
  }

  /**
   * A client with generous timeouts (30 s per attempt): its calls must succeed or fail for the
   * reason a test sets up, however loaded the machine is, so no timeout may fire on them.
   */
  KmsClient client(String region, AwsCredentialsProvider creds) {
    return track(
        AwsKms.clientBuilder()
            .region(region)
            .endpointOverride(server.endpoint())
            .credentialsProvider(creds)
            .connectTimeoutMillis(10_000)
            .callAttemptTimeoutMillis(30_000)
            .callTimeoutMillis(100_000)
            .build());
  }

  KmsClient track(KmsClient c) {
    clients.add(c);
    return c;
  }

  /** Creates a key through the real client and returns its ARN. */
  static String createKey(KmsClient c) {
    return c.createKey(b -> b.description("test")).keyMetadata().arn();
  }

  static String uri(String arn) {
    return "aws-kms://" + arn;
  }

  static byte[] randomDek() {
    byte[] dek = new byte[32];
    new SecureRandom().nextBytes(dek);
    return dek;
  }

  /**
   * Asserts a {@link KmsException} with the given retryability, caused by an AWS service error
   * with {@code errorCode} (typed: the SDK exception's error code), which Ox's message names.
   */
  static KmsException assertKmsError(String errorCode, boolean retryable, Executable call) {
    KmsException e = assertThrows(KmsException.class, call);
    assertEquals(retryable, e.isRetryable(), () -> "retryable? " + e);
    AwsServiceException service = cause(e, AwsServiceException.class);
    assertNotNull(service, () -> "no AWS service error under " + e);
    assertEquals(errorCode, service.awsErrorDetails().errorCode(), e::toString);
    assertTrue(e.getMessage().contains(errorCode), () -> "expected " + errorCode + " in: " + e);
    return e;
  }

  /** The first throwable of {@code type} in {@code t}'s cause chain, or null. */
  static <T extends Throwable> T cause(Throwable t, Class<T> type) {
    for (int depth = 0; t != null && depth < 32; t = t.getCause(), depth++) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
