package com.getox.crypto.kek;

import java.security.GeneralSecurityException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps KEK URIs to {@link Kek}s by scheme ({@code local}, {@code aws-kms}, {@code gcp-kms}).
 * Registration is explicit: nothing is discovered from the classpath, so a dependency cannot
 * slip in a KEK that steals keys.
 *
 * <pre>{@code
 * KekRegistry registry = KekRegistry.builder()
 *     .register(localKms)                                      // one concrete KEK
 *     .register("aws-kms", uri -> AwsKms.kek(uri, kmsClient)) // a whole scheme
 *     .build();
 * Kek kek = registry.resolve("aws-kms://arn:aws:kms:eu-west-1:111122223333:key/...");
 * }</pre>
 *
 * Resolved KEKs are cached per URI. Thread-safe.
 */
public final class KekRegistry {
  private final Map<String, Kek> fixed;
  private final Map<String, KekResolver> schemes;
  private final ConcurrentHashMap<String, Kek> resolved = new ConcurrentHashMap<>();

  private KekRegistry(Map<String, Kek> fixed, Map<String, KekResolver> schemes) {
    this.fixed = fixed;
    this.schemes = schemes;
  }

  /**
   * A builder of an empty registry.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The scheme of a KEK URI.
   *
   * @param uri a KEK URI; not null
   * @return the part before {@code ://}, or null if there is none (or it is empty)
   */
  public static String schemeOf(String uri) {
    int i = uri.indexOf("://");
    return i <= 0 ? null : uri.substring(0, i);
  }

  /**
   * Whether a KEK or a scheme is registered for {@code uri}. Calls no resolver.
   *
   * @param uri a KEK URI; not null
   * @return true if {@link #resolve} will not fail for want of a registration (its resolver may
   *     still refuse the URI)
   */
  public boolean canResolve(String uri) {
    String scheme = schemeOf(uri);
    return fixed.containsKey(uri) || (scheme != null && schemes.containsKey(scheme));
  }

  /**
   * The URIs of the KEKs registered one by one with {@link Builder#register(Kek)}.
   *
   * @return the URIs in registration order; unmodifiable. Schemes are not included
   */
  public Set<String> registeredUris() {
    return fixed.keySet();
  }

  /**
   * The KEK for {@code uri}: the one registered under that URI, else the one its scheme's
   * resolver makes (cached, so each URI is resolved once).
   *
   * @param uri a KEK URI, typically read from a recording header; not null
   * @return the KEK; never null
   * @throws NotMyKeyException if neither a KEK nor a scheme is registered for {@code uri}, or the
   *     resolver refuses it
   * @throws GeneralSecurityException if the scheme's resolver fails
   * @throws NullPointerException if the resolver returns null
   */
  public Kek resolve(String uri) throws GeneralSecurityException {
    Kek kek = fixed.get(uri);
    if (kek != null) {
      return kek;
    }
    kek = resolved.get(uri);
    if (kek != null) {
      return kek;
    }
    String scheme = schemeOf(uri);
    KekResolver resolver = scheme == null ? null : schemes.get(scheme);
    if (resolver == null) {
      throw new NotMyKeyException("no KEK registered for " + uri);
    }
    kek = Objects.requireNonNull(resolver.resolve(uri), "resolver returned null");
    Kek previous = resolved.putIfAbsent(uri, kek);
    return previous != null ? previous : kek;
  }

  /** Builds a {@link KekRegistry}. */
  public static final class Builder {
    private final Map<String, Kek> fixed = new LinkedHashMap<>();
    private final Map<String, KekResolver> schemes = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Registers one concrete KEK under its own {@link Kek#uri()}, replacing any registered
     * before under that URI. It takes precedence over a scheme's resolver.
     *
     * @param kek the KEK; not null
     * @return this builder
     */
    public Builder register(Kek kek) {
      fixed.put(kek.uri(), kek);
      return this;
    }

    /**
     * Registers a resolver for every URI of {@code scheme}, replacing any registered before for
     * that scheme.
     *
     * @param scheme the scheme name without {@code ://}, such as {@code aws-kms}
     * @param resolver makes the KEK for each URI of the scheme; not null
     * @return this builder
     * @throws IllegalArgumentException if {@code scheme} is empty or contains {@code :} or
     *     {@code /}
     * @throws NullPointerException if {@code resolver} is null
     */
    public Builder register(String scheme, KekResolver resolver) {
      if (scheme.isEmpty() || scheme.contains(":") || scheme.contains("/")) {
        throw new IllegalArgumentException("a scheme is a name such as aws-kms, got: " + scheme);
      }
      schemes.put(scheme, Objects.requireNonNull(resolver, "resolver"));
      return this;
    }

    /**
     * Builds the registry from what is registered so far; later registrations do not change it.
     *
     * @return a new, thread-safe registry
     */
    public KekRegistry build() {
      return new KekRegistry(
          Collections.unmodifiableMap(new LinkedHashMap<>(fixed)),
          Collections.unmodifiableMap(new LinkedHashMap<>(schemes)));
    }
  }
}
