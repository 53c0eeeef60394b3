package com.getox.crypto.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Security;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.TlsTrustManagersProvider;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Clients from {@link S3Recordings#clientBuilder()} speak TLS 1.3 or 1.2 and refuse anything older
 * (kms-aws's Tls12SocketFactory, now shared), even in this test JVM, which re-enables TLS 1.0/1.1
 * ({@code legacy-tls-allowed.security}). The server is a bare TLS socket on loopback that records
 * the protocol each handshake agreed on; no S3 answer is needed to see it.
 */
class S3TlsTest {
  static SSLContext server;
  static TlsTrustManagersProvider trust;

  @BeforeAll
  static void certificate(@TempDir Path dir) throws Exception {
    Path store = dir.resolve("server.p12");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "s3", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=ox-test", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", "changeit", "-keypass", "changeit")
            .redirectErrorStream(true)
            .start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool hung");
    assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, "changeit".toCharArray());
    server = SSLContext.getInstance("TLS");
    server.init(kmf.getKeyManagers(), null, null);
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("s3", keys.getCertificate("s3"));
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    TrustManager[] managers = tmf.getTrustManagers();
    trust = () -> managers;
  }

  /** The protocol of the first handshake on a server that enables only {@code protocols}. */
  static String handshake(String... protocols) throws Exception {
    SSLServerSocket socket =
        (SSLServerSocket)
            server.getServerSocketFactory().createServerSocket(0, 5, InetAddress.getLoopbackAddress());
    try {
      socket.setEnabledProtocols(protocols);
      CompletableFuture<String> agreed =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  SSLSocket accepted = (SSLSocket) socket.accept();
                  socket.close(); // a second connection (the client's retry) is refused at once
                  try (SSLSocket s = accepted) {
                    s.startHandshake();
                    return s.getSession().getProtocol();
                  }
                } catch (Exception e) {
                  return "failed";
                }
              });
      try (S3Client s3 =
          S3Recordings.clientBuilder()
              .region("us-east-1")
              .endpointOverride(URI.create("https://127.0.0.1:" + socket.getLocalPort()))
              .pathStyle(true)
              .tlsTrustManagersProvider(trust)
              .credentialsProvider(
                  StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
              .maxAttempts(1)
              .callAttemptTimeoutMillis(20_000)
              .build()) {
        assertThrows(SdkClientException.class, () -> s3.headObject(r -> r.bucket("b").key("k")));
      }
      return agreed.get(60, TimeUnit.SECONDS);
    } finally {
      socket.close();
    }
  }

  @Test
  void negotiatesTls13OrTls12() throws Exception {
    assertEquals("TLSv1.3", handshake("TLSv1.3", "TLSv1.2"));
    assertEquals("TLSv1.2", handshake("TLSv1.2"));
  }

  @Test
  void refusesTls11() throws Exception {
    Assumptions.assumeFalse(
        Security.getProperty("jdk.tls.disabledAlgorithms").matches("(?s).*TLSv1\\.1\\b.*"),
        "run through Maven: the surefire argLine re-enables TLS 1.1 so the server can offer it");
    assertEquals("failed", handshake("TLSv1.1"));
  }
}
