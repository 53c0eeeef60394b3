package com.getox.crypto.android;

import java.security.Provider;
import java.security.Security;

/** Snapshot and restore of the process-wide provider list, for tests that reorder it. */
final class ProviderOrder {
  private final Provider[] saved = Security.getProviders();

  static ProviderOrder snapshot() {
    return new ProviderOrder();
  }

  void restore() {
    for (Provider p : Security.getProviders()) {
      Security.removeProvider(p.getName());
    }
    for (int i = 0; i < saved.length; i++) {
      Security.insertProviderAt(saved[i], i + 1);
    }
  }
}
