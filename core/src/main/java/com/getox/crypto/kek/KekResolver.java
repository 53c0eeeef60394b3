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
   * @throws GeneralSecurityException if {@code uri} is malformed or names a KEK this resolver
   *     cannot reach
   */
  Kek resolve(String uri) throws GeneralSecurityException;
}
