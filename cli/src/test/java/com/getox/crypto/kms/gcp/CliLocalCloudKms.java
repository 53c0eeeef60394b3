package com.getox.crypto.kms.gcp;

/**
 * For the CLI's tests: kms-gcp's {@code InProcessCloudKms} (from that module's test-jar; it is
 * package-private, hence this package), also listening on a loopback TCP port so that the CLI
 * reaches it with {@code --gcp-kms-endpoint http://127.0.0.1:PORT}.
 *
 * <pre>{@code
 * try (CliLocalCloudKms kms = CliLocalCloudKms.start()) {
 *   run("encrypt", "--kek", kms.newKeyUri(), "--gcp-kms-endpoint", kms.endpoint(), "in", "out");
 * }
 * }</pre>
 */
public final class CliLocalCloudKms implements AutoCloseable {
  private final CloudKmsFixture fixture;
  private final int port;

  private CliLocalCloudKms(CloudKmsFixture fixture) throws java.io.IOException {
    this.fixture = fixture;
    this.port = fixture.server.listenOnLoopback();
  }

  public static CliLocalCloudKms start() throws Exception {
    CloudKmsFixture f = new CloudKmsFixture();
    try {
      return new CliLocalCloudKms(f);
    } catch (Exception e) {
      f.close();
      throw e;
    }
  }

  /** http://127.0.0.1:PORT */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** Creates a software key with one primary version; returns its gcp-kms:// URI. */
  public String newKeyUri() {
    return CloudKmsFixture.uri(fixture.newKey());
  }

  /** Adds a version to the key of {@code uri} and makes it primary; returns its id. */
  public String rotate(String uri) {
    return fixture.rotate(uri.substring(GcpKms.SCHEME.length() + 3));
  }

  /** Encrypt calls the server received on the key of {@code uri}. */
  public int encryptCalls(String uri) {
    return fixture.server.calls("Encrypt", uri.substring(GcpKms.SCHEME.length() + 3));
  }

  @Override
  public void close() {
    fixture.close();
  }
}
