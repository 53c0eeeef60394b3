package com.getox.crypto.lifecycle;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.WrappedKey;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Wraps a KEK, counting calls (a stand-in for KMS round trips) and keeping every DEK it saw. */
final class CountingKek implements Kek {
  final Kek delegate;
  final AtomicInteger wraps = new AtomicInteger();
  final AtomicInteger unwraps = new AtomicInteger();
  final List<byte[]> seenKeys = new ArrayList<>();

  CountingKek(Kek delegate) {
    this.delegate = delegate;
  }

  @Override
  public String uri() {
    return delegate.uri();
  }

  @Override
  public WrappedKey wrap(byte[] dek, EncryptionContext context) throws GeneralSecurityException {
    wraps.incrementAndGet();
    synchronized (seenKeys) {
      seenKeys.add(dek.clone());
    }
    return delegate.wrap(dek, context);
  }

  @Override
  public byte[] unwrap(WrappedKey wrapped, EncryptionContext context)
      throws GeneralSecurityException {
    unwraps.incrementAndGet();
    byte[] dek = delegate.unwrap(wrapped, context);
    synchronized (seenKeys) {
      seenKeys.add(dek.clone());
    }
    return dek;
  }

  @Override
  public boolean isCurrent(WrappedKey wrapped) {
    return delegate.isCurrent(wrapped);
  }
}
