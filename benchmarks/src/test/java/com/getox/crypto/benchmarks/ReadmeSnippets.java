package com.getox.crypto.benchmarks;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import com.getox.crypto.Recordings;
import com.getox.crypto.kek.Kek;

/**
 * The README's opt-in faster provider, compiled here (this module has ACCP); examples'
 * ReadmeSnippetsTest checks the README against the marked region.
 */
final class ReadmeSnippets {
  private ReadmeSnippets() {}

  static Recordings accp(Kek kek) {
    // README:accp begin
    Recordings recordings = Recordings.builder().wrapWith(kek).cipherProvider(AmazonCorrettoCryptoProvider.INSTANCE).build();
    // README:accp end
    return recordings;
  }
}
