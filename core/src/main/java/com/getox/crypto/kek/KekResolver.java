package com.getox.crypto.kek;

import java.security.GeneralSecurityException;

/**
 * Turns a KEK URI of one scheme into a {@link Kek}. Registered with {@link
 * KekRegistry.Builder#register(String, KekResolver)}.
 *
 * <pre>{@code
 * KekResolver aws = uri -> AwsKms.kek(uri, kmsClient);
 * }</pre>
 */
@FunctionalInterface
public interface KekResolver {
  /**
   * The KEK named by {@code uri}. {@link KekRegistry} caches the answer per URI, so this is
   * normally called once per URI (twice at most when two threads race); it should not call out
   * to a key service.
   *
   * @param uri a KEK URI of the scheme this resolver was registered for, read from a recording
   *     header and so not trusted
   * @return the KEK; never null
   * @throws NotMyKeyException if {@code uri} names a key this resolver must not use (for example
   *     one outside a trusted account), so readers go on to their other KEKs
   * @throws GeneralSecurityException if {@code uri} is malformed or names a KEK this resolver
   *     cannot reach
   */
  Kek resolve(String uri) throws GeneralSecurityException;
}
