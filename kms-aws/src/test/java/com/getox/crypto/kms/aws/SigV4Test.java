package com.getox.crypto.kms.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.EncryptionContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.services.kms.KmsClient;

/** The local server accepts SigV4-signed requests only, as KMS does. */
class SigV4Test extends KmsTestSupport {

  @Test
  void signedRequestIsServed() throws IOException {
    Raw r = send(sign("CreateKey", "{}", Clock.systemUTC()), "CreateKey", "{}");
    assertEquals(200, r.status, r.body);
    assertTrue(r.body.contains("\"KeyMetadata\""), r.body);
  }

  @Test
  void unsignedRequestIsRejected() throws IOException {
    Raw r = send(Map.of(), "CreateKey", "{}");
    assertEquals(400, r.status);
    assertTrue(r.body.contains("MissingAuthenticationTokenException"), r.body);
    assertEquals(0, server.requests("CreateKey"));
    assertEquals(1, server.rejectedSignatures());
  }

  @Test
  void tamperedBodyOrTargetIsRejected() throws IOException {
    Map<String, List<String>> signed = sign("CreateKey", "{}", Clock.systemUTC());

    Raw body = send(signed, "CreateKey", "{\"MultiRegion\":true}");
    Raw target = send(signed, "ScheduleKeyDeletion", "{}");

    assertEquals(400, body.status);
    assertTrue(body.body.contains("InvalidSignatureException"), body.body);
    assertEquals(400, target.status);
    assertTrue(target.body.contains("InvalidSignatureException"), target.body);
    assertEquals(0, server.requests("CreateKey") + server.requests("ScheduleKeyDeletion"));
  }

  @Test
  void staleSignatureIsRejected() throws IOException {
    Clock tenMinutesAgo = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-10));
    Raw r = send(sign("CreateKey", "{}", tenMinutesAgo), "CreateKey", "{}");
    assertEquals(400, r.status);
    assertTrue(r.body.contains("InvalidSignatureException"), r.body);
  }

  @Test
  void wrongSecretOrUnknownAccessKeyFailFinallyThroughTheClient() {
    String arn = createKey(kms);
    String accessKey = credentials.resolveCredentials().accessKeyId();
    KmsClient wrongSecret =
        client(REGION, StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, "not-the-secret")));
    KmsClient unknown =
        client(REGION, StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAUNKNOWN", "x")));

    assertKmsError(
        "InvalidSignatureException",
        false,
        () -> AwsKms.kek(uri(arn), wrongSecret).wrap(randomDek(), EncryptionContext.empty()));
    assertKmsError(
        "UnrecognizedClientException",
        false,
        () -> AwsKms.kek(uri(arn), unknown).wrap(randomDek(), EncryptionContext.empty()));
    assertEquals(0, server.requests("Encrypt"));
    assertEquals(2, server.rejectedSignatures());
  }

  /** Headers of a request signed with the SDK's own SigV4 signer. */
  private Map<String, List<String>> sign(String op, String body, Clock clock) {
    URI endpoint = server.endpoint();
    SdkHttpRequest request =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            .uri(endpoint)
            .encodedPath("/")
            .putHeader("Host", endpoint.getHost() + ":" + endpoint.getPort())
            .putHeader("Content-Type", "application/x-amz-json-1.1")
            .putHeader("X-Amz-Target", "TrentService." + op)
            .build();
    return AwsV4HttpSigner.create()
        .sign(
            r ->
                r.identity(credentials.resolveCredentials())
                    .request(request)
                    .payload(ContentStreamProvider.fromUtf8String(body))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "kms")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, REGION)
                    .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, clock))
        .request()
        .headers();
  }

  private static final class Raw {
    final int status;
    final String body;

    Raw(int status, String body) {
      this.status = status;
      this.body = body;
    }
  }

  /** Sends one HTTP/1.1 request over a plain socket; X-Amz-Target and the body are ours. */
  private Raw send(Map<String, List<String>> signedHeaders, String op, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder("POST / HTTP/1.1\r\n");
    head.append("Host: 127.0.0.1:").append(server.endpoint().getPort()).append("\r\n");
    head.append("Content-Type: application/x-amz-json-1.1\r\n");
    head.append("X-Amz-Target: TrentService.").append(op).append("\r\n");
    for (Map.Entry<String, List<String>> h : signedHeaders.entrySet()) {
      String name = h.getKey().toLowerCase(java.util.Locale.ROOT);
      if (!name.equals("host") && !name.equals("content-type") && !name.equals("x-amz-target")) {
        head.append(h.getKey()).append(": ").append(String.join(",", h.getValue())).append("\r\n");
      }
    }
    head.append("Content-Length: ").append(bytes.length).append("\r\nConnection: close\r\n\r\n");
    try (Socket s = new Socket(server.endpoint().getHost(), server.endpoint().getPort())) {
      s.setSoTimeout(60_000); // only catches a hang
      OutputStream out = s.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(bytes);
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      String response = all.toString(StandardCharsets.UTF_8);
      int status = Integer.parseInt(response.substring(9, 12));
      return new Raw(status, response.substring(response.indexOf("\r\n\r\n") + 4));
    }
  }
}
