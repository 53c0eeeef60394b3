package com.getox.crypto.android;

import com.getox.crypto.Recordings;
import com.getox.crypto.kek.Kek;
import java.security.GeneralSecurityException;

/**
 * The README's Android lines, compiled here; examples' ReadmeSnippetsTest checks the README against
 * the marked region. Not run: it needs a device's Android Keystore.
 */
final class ReadmeSnippets {
  private ReadmeSnippets() {}

  static Recordings android() throws GeneralSecurityException {
    // README:android begin
    Kek kek = AndroidKeystoreKek.create("recordings");   // android-keystore://recordings; the key never leaves the Keystore
    Recordings recordings = Recordings.builder().wrapWith(kek).build();
    // README:android end
    return recordings;
  }
}
