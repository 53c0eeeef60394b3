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

  public static Builder builder() {
    return new Builder();
  }

  /** The scheme of a KEK URI: the part before {@code ://}, or null if there is none. */
  public static String schemeOf(String uri) {
    int i = uri.indexOf("://");
    return i <= 0 ? null : uri.substring(0, i);
  }

  /** True if {@link #resolve} can answer for {@code uri} without failing on its scheme. */
  public boolean canResolve(String uri) {
    String scheme = schemeOf(uri);
    return fixed.containsKey(uri) || (scheme != null && schemes.containsKey(scheme));
  }

  /** The URIs of the KEKs registered one by one. */
  public Set<String> registeredUris() {
    return fixed.keySet();
  }

  /**
   * @throws NotMyKeyException if neither a KEK nor a scheme is registered for {@code uri}
   * @throws GeneralSecurityException if the scheme's resolver fails
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

    /** Registers one concrete KEK under its own {@link Kek#uri()}. */
    public Builder register(Kek kek) {
      fixed.put(kek.uri(), kek);
      return this;
    }

    /** Registers a resolver for every URI of {@code scheme} (without {@code ://}). */
    public Builder register(String scheme, KekResolver resolver) {
      if (scheme.isEmpty() || scheme.contains(":") || scheme.contains("/")) {
        throw new IllegalArgumentException("a scheme is a name such as aws-kms, got: " + scheme);
      }
      schemes.put(scheme, Objects.requireNonNull(resolver, "resolver"));
      return this;
    }

    public KekRegistry build() {
      return new KekRegistry(
          Collections.unmodifiableMap(new LinkedHashMap<>(fixed)),
          Collections.unmodifiableMap(new LinkedHashMap<>(schemes)));
    }
  }
}
