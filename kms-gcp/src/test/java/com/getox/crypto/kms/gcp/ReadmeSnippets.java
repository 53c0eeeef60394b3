package com.getox.crypto.kms.gcp;

import com.getox.crypto.kek.Kek;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import java.io.IOException;

/**
 * The README's Cloud KMS KEK line, compiled here; examples' ReadmeSnippetsTest checks the README
 * against the marked region. Not run: the client needs Application Default Credentials.
 */
final class ReadmeSnippets {
  private ReadmeSnippets() {}

  static Kek gcpKek() throws IOException {
    // README:gcp-kek begin
    Kek kek = GcpKms.create(KeyManagementServiceClient.create()).kek("gcp-kms://projects/P/locations/L/keyRings/R/cryptoKeys/K");
    // README:gcp-kek end
    return kek;
  }
}
