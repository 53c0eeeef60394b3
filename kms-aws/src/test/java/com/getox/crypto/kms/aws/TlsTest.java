package com.getox.crypto.kms.aws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.KmsException;
import com.getox.crypto.kek.Kek;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.TlsTrustManagersProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Clients from {@link AwsKms#clientBuilder()} speak TLS 1.3 or 1.2 and refuse anything older,
 * even in this test JVM, which re-enables TLS 1.0/1.1 (see {@code legacy-tls-allowed.security}):
 * the SDK's URL-connection client with its defaults does negotiate TLS 1.1 here.
 */
class TlsTest {
  static final char[] PASSWORD = "changeit".toCharArray();
  static final String REGION = "eu-west-1";
  static final Duration HANG_GUARD = Duration.ofSeconds(150); // above the client's 100 s call timeout

  static KeyStore serverKeys;
  static TlsTrustManagersProvider trustServer;
  /** A certificate for another host name, trusted too: only hostname verification rejects it. */
  static KeyStore otherHostKeys;
  static TlsTrustManagersProvider trustOtherHost;

  /** Self-signed certificates made by the JDK's keytool: one for 127.0.0.1, one for another name. */
  @BeforeAll
  static void makeCertificates(@TempDir Path dir) throws Exception {
    Path server = dir.resolve("server.p12");
    Path other = dir.resolve("other.p12");
    Process a = keytool(server, "ip:127.0.0.1");
    Process b = keytool(other, "dns:kms.example.invalid"); // both at once: each is a JVM start
    serverKeys = load(a, server);
    otherHostKeys = load(b, other);
    trustServer = trusting(serverKeys);
    trustOtherHost = trusting(otherHostKeys);
  }

  private static Process keytool(Path store, String san) throws Exception {
    return new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair", "-alias", "kms", "-keyalg", "EC", "-groupname", "secp256r1",
            "-dname", "CN=ox-test", "-ext", "SAN=" + san, "-validity", "2",
            "-storetype", "PKCS12", "-keystore", store.toString(),
            "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true)
        .start();
  }

  private static KeyStore load(Process keytool, Path store) throws Exception {
    if (!keytool.waitFor(60, TimeUnit.SECONDS)) {
      keytool.destroyForcibly();
      throw new AssertionError("keytool hung");
    }
    String output = new String(keytool.getInputStream().readAllBytes());
    assertEquals(0, keytool.exitValue(), output);
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, PASSWORD);
    }
    return keys;
  }

  private static TlsTrustManagersProvider trusting(KeyStore keys) throws Exception {
    Certificate cert = keys.getCertificate("kms");
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("kms", cert);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    TrustManager[] managers = tmf.getTrustManagers();
    return () -> managers;
  }

  private static KmsClient client(LocalKmsServer server, AwsCredentialsProvider creds, TlsTrustManagersProvider trust) {
    return AwsKms.clientBuilder()
        .region(REGION)
        .endpointOverride(server.endpoint())
        .credentialsProvider(creds)
        .tlsTrustManagersProvider(trust)
        .connectTimeoutMillis(10_000)
        .callAttemptTimeoutMillis(30_000)
        .callTimeoutMillis(100_000)
        .maxAttempts(2)
        .build();
  }

  @Test
  void negotiatesTls13ByDefault() throws Exception {
    try (LocalKmsServer server = LocalKmsServer.startHttps(serverKeys, PASSWORD, "TLSv1.3", "TLSv1.2");
        KmsClient kms = client(server, server.newAccount("111122223333"), trustServer)) {
      assertTrue(server.endpoint().toString().startsWith("https://127.0.0.1:"));
      roundTrip(kms);
      assertEquals("TLSv1.3", server.tlsProtocols().get(0));
    }
  }

  @Test
  void acceptsTls12() throws Exception {
    try (LocalKmsServer server = LocalKmsServer.startHttps(serverKeys, PASSWORD, "TLSv1.2");
        KmsClient kms = client(server, server.newAccount("111122223333"), trustServer)) {
      roundTrip(kms);
      assertEquals(List.of("TLSv1.2"), List.copyOf(new java.util.LinkedHashSet<>(server.tlsProtocols())));
    }
  }

  @Test
  void refusesTls11ThatTheSdkDefaultClientWouldAccept() throws Exception {
    Assumptions.assumeFalse(
        Security.getProperty("jdk.tls.disabledAlgorithms").matches("(?s).*TLSv1\\.1\\b.*"),
        "run through Maven: the surefire argLine re-enables TLS 1.1 so the control can use it");
    try (LocalKmsServer server = LocalKmsServer.startHttps(serverKeys, PASSWORD, "TLSv1.1")) {
      AwsCredentialsProvider creds = server.newAccount("111122223333");

      // Control: the SDK's URL-connection client, default settings, same trust: TLS 1.1 works here.
      try (KmsClient sdkDefault =
          KmsClient.builder()
              .region(Region.of(REGION))
              .endpointOverride(server.endpoint())
              .credentialsProvider(creds)
              .httpClient(UrlConnectionHttpClient.builder().tlsTrustManagersProvider(trustServer).build())
              .build()) {
        sdkDefault.createKey(b -> b.description("over TLS 1.1"));
      }
      assertEquals("TLSv1.1", server.tlsProtocols().get(0), "the control must really speak TLS 1.1");

      try (KmsClient ours = client(server, creds, trustServer)) {
        KmsException e =
            assertTimeoutPreemptively(
                HANG_GUARD,
                () -> assertThrows(
                    KmsException.class,
                    () -> kekFor(ours, "key/00000000-0000-0000-0000-000000000000").wrap(new byte[32], EncryptionContext.empty())));
        assertFalse(e.isRetryable(), "a TLS downgrade is not transient: " + e);
        assertTrue(handshakeFailed(e), e::toString);
        assertTrue(server.tlsProtocols().contains("failed"));
      }
    }
  }

  @Test
  void refusesAnUntrustedCertificate() throws Exception {
    try (LocalKmsServer server = LocalKmsServer.startHttps(serverKeys, PASSWORD, "TLSv1.3", "TLSv1.2");
        KmsClient kms = client(server, server.newAccount("111122223333"), null)) {
      KmsException e =
          assertTimeoutPreemptively(
              HANG_GUARD,
              () -> assertThrows(
                  KmsException.class,
                  () -> kekFor(kms, "key/00000000-0000-0000-0000-000000000000").wrap(new byte[32], EncryptionContext.empty())));
      assertFalse(e.isRetryable(), e::toString);
      assertTrue(handshakeFailed(e), e::toString);
      assertTrue(server.tlsProtocols().contains("failed"));
    }
  }

  @Test
  void verifiesTheHostName() throws Exception {
    try (LocalKmsServer server = LocalKmsServer.startHttps(otherHostKeys, PASSWORD, "TLSv1.3", "TLSv1.2");
        KmsClient kms = client(server, server.newAccount("111122223333"), trustOtherHost)) {
      KmsException e =
          assertTimeoutPreemptively(
              HANG_GUARD,
              () -> assertThrows(
                  KmsException.class,
                  () -> kekFor(kms, "key/00000000-0000-0000-0000-000000000000").wrap(new byte[32], EncryptionContext.empty())));
      assertFalse(e.isRetryable(), e::toString);
      assertTrue(handshakeFailed(e), e::toString);
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      // The certificate is trusted (trustOtherHost), so only the host-name check can refuse it: a
      // plain CertificateException, not a path-building failure as for an untrusted one.
      assertEquals(CertificateException.class, root.getClass(), root::toString);
    }
  }

  private static boolean handshakeFailed(Throwable t) {
    for (; t != null; t = t.getCause()) {
      if (t instanceof SSLHandshakeException) {
        return true;
      }
    }
    return false;
  }

  private static Kek kekFor(KmsClient kms, String resource) {
    return AwsKms.kek("aws-kms://arn:aws:kms:" + REGION + ":111122223333:" + resource, kms);
  }

  private static void roundTrip(KmsClient kms) throws Exception {
    String arn = kms.createKey(b -> b.description("tls")).keyMetadata().arn();
    Kek kek = AwsKms.kek("aws-kms://" + arn, kms);
    byte[] dek = new byte[32];
    dek[0] = 7;
    EncryptionContext ctx = EncryptionContext.builder().put("k", "v").build();
    assertArrayEquals(dek, kek.unwrap(kek.wrap(dek, ctx), ctx));
  }
}
