package com.getox.crypto.s3;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * Test fixture, also in the test-jar for the benchmarks (not a published API). S3Proxy on loopback with a filesystem store under a test's temporary folder, a {@link WireProxy}
 * in front of it, and a client built by {@link S3Recordings#clientBuilder()} that talks to the
 * proxy (endpointOverride, path-style), signed with SigV4 as against AWS.
 */
public final class LocalS3 implements AutoCloseable {
  /** The bucket every test uses. */
  public static final String BUCKET = "recordings";
  /** The access key id the server accepts (a test value, not a real credential). */
  public static final String ACCESS = "ox-test-access";
  /** The secret the server accepts (a test value, not a real credential). */
  public static final String SECRET = "ox-test-secret-not-a-real-one";

  final S3Proxy server;
  /** The byte-counting proxy in front of the server. */
  public final WireProxy wire;
  /** A client of {@link S3Recordings#clientBuilder()}, talking to {@link #wire}. */
  public final S3Client client;

  private LocalS3(S3Proxy server, WireProxy wire, S3Client client) {
    this.server = server;
    this.wire = wire;
    this.client = client;
  }

  /**
   * Starts a server storing under {@code dir}, the proxy and a client, and creates {@link #BUCKET}.
   *
   * @param dir where the server keeps objects
   * @return the running fixture; close it
   * @throws Exception if the server does not start
   */
  public static LocalS3 start(Path dir) throws Exception {
    java.nio.file.Files.createDirectories(dir);
    S3Proxy server =
        S3Proxy.builder()
            .blobStore(new FilesystemNio2BlobStore(dir.toString()))
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V4, ACCESS, SECRET)
            .build();
    server.start();
    while (!"STARTED".equals(server.getState())) {
      Thread.sleep(5); // start() returns before Jetty has bound; no assertion depends on this
    }
    WireProxy wire = new WireProxy(server.getPort());
    S3Client client =
        S3Recordings.clientBuilder()
            .region("us-east-1")
            .endpointOverride(URI.create("http://127.0.0.1:" + wire.port()))
            .pathStyle(true)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS, SECRET)))
            .build();
    client.createBucket(b -> b.bucket(BUCKET));
    wire.reset();
    return new LocalS3(server, wire, client);
  }

  /**
   * The endpoint of {@link #wire}, for clients built elsewhere (path-style, plain HTTP on
   * loopback).
   *
   * @return {@code http://127.0.0.1:PORT}
   */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + wire.port());
  }

  List<MultipartUpload> uploadsInProgress() {
    return client.listMultipartUploads(r -> r.bucket(BUCKET)).uploads();
  }

  boolean exists(String key) {
    try {
      client.headObject(r -> r.bucket(BUCKET).key(key));
      return true;
    } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
      return false;
    } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw e;
    }
  }

  @Override
  public void close() throws java.io.IOException {
    client.close();
    wire.close();
    try {
      server.stop();
    } catch (Exception e) {
      throw new java.io.IOException("stopping S3Proxy", e);
    }
  }
}
