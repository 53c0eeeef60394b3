package com.getox.crypto;

import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.KekRegistry;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Rules per data class (Confidential, Restricted, Public), enforced when a recording starts. The
 * class is the encryption context's {@value #CONTEXT_KEY} entry, which is authenticated with the
 * recording.
 *
 * <pre>{@code
 * ClassificationPolicy policy = ClassificationPolicy.builder()
 *     .requireDataClass()
 *     .rule("Confidential", ClassificationPolicy.Rule.builder()
 *         .requireKekScheme("aws-kms", "gcp-kms")     // a KMS-held KEK, not a local keyset
 *         .forbidInsecureKeysets()
 *         .requireEscrow("aws-kms://arn:aws:kms:eu-west-1:111122223333:alias/escrow")
 *         .cacheLimits(60_000, 100, 64L << 20)
 *         .build())
 *     .build();
 * Recordings recordings = Recordings.builder().wrapWith(userKek, escrowKek).policy(policy).build();
 * }</pre>
 */
public final class ClassificationPolicy {
  /** The context entry that names the data class. */
  public static final String CONTEXT_KEY = "data-class";

  /** The classes of the Ox data classification. */
  public static final Set<String> CLASSES =
      Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList("Confidential", "Restricted", "Public")));

  private final boolean requireDataClass;
  private final Map<String, Rule> rules;

  private ClassificationPolicy(Builder b) {
    this.requireDataClass = b.requireDataClass;
    this.rules = Collections.unmodifiableMap(new HashMap<>(b.rules));
  }

  /**
   * A builder of a policy that, until configured, requires nothing: recordings without a data
   * class pass, and classes without a rule pass.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Checks a recording about to start. */
  void check(EncryptionContext context, List<Kek> wrapKeks, DekCache cache)
      throws PolicyViolationException {
    String dataClass = context.get(CONTEXT_KEY);
    if (dataClass == null) {
      if (requireDataClass) {
        throw new PolicyViolationException(
            "policy requires a '" + CONTEXT_KEY + "' entry in the encryption context, one of " + CLASSES);
      }
      return;
    }
    if (!CLASSES.contains(dataClass)) {
      throw new PolicyViolationException(
          "unknown data class '" + dataClass + "'; expected one of " + CLASSES);
    }
    Rule rule = rules.get(dataClass);
    if (rule != null) {
      rule.check(dataClass, wrapKeks, cache);
    }
  }

  /**
   * Whether a reader may open recordings of this context with keys from {@code cache}: only its
   * age matters to a reader (the other limits bound how much one key encrypts).
   */
  boolean permitsCache(EncryptionContext context, DekCache cache) {
    Rule rule = rules.get(context.get(CONTEXT_KEY));
    return rule == null || cache.maxAgeMillis() <= rule.cacheMaxAgeMillis;
  }

  /** What one data class demands. */
  public static final class Rule {
    private final Set<String> schemes;
    private final boolean forbidInsecureKeysets;
    private final Set<String> escrow;
    private final long cacheMaxAgeMillis;
    private final long cacheMaxRecordings;
    private final long cacheMaxBytes;

    private Rule(Builder b) {
      this.schemes = Collections.unmodifiableSet(new LinkedHashSet<>(b.schemes));
      this.forbidInsecureKeysets = b.forbidInsecureKeysets;
      this.escrow = Collections.unmodifiableSet(new LinkedHashSet<>(b.escrow));
      this.cacheMaxAgeMillis = b.cacheMaxAgeMillis;
      this.cacheMaxRecordings = b.cacheMaxRecordings;
      this.cacheMaxBytes = b.cacheMaxBytes;
    }

    /**
     * A builder of a rule that demands nothing and forbids data-key caching.
     *
     * @return a new builder
     */
    public static Builder builder() {
      return new Builder();
    }

    void check(String dataClass, List<Kek> wrapKeks, DekCache cache)
        throws PolicyViolationException {
      if (!schemes.isEmpty()) {
        boolean ok = false;
        for (Kek k : wrapKeks) {
          ok |= schemes.contains(KekRegistry.schemeOf(k.uri()));
        }
        if (!ok) {
          throw new PolicyViolationException(
              dataClass + " recordings must be wrapped by a KEK of scheme " + schemes);
        }
      }
      if (forbidInsecureKeysets) {
        for (Kek k : wrapKeks) {
          if (k instanceof LocalKms
              && ((LocalKms) k).protection() == KeysetProtection.Kind.INSECURE_PLAINTEXT) {
            throw new PolicyViolationException(
                dataClass + " recordings must not be wrapped by the plaintext keyset " + k.uri());
          }
        }
      }
      for (String uri : escrow) {
        boolean present = false;
        for (Kek k : wrapKeks) {
          present |= k.uri().equals(uri);
        }
        if (!present) {
          throw new PolicyViolationException(
              dataClass + " recordings must also be wrapped by the escrow KEK " + uri);
        }
      }
      if (cache != null
          && (cache.maxAgeMillis() > cacheMaxAgeMillis
              || cache.maxRecordings() > cacheMaxRecordings
              || cache.maxBytes() > cacheMaxBytes)) {
        throw new PolicyViolationException(
            dataClass
                + " recordings allow data-key caching up to "
                + cacheMaxAgeMillis
                + " ms, "
                + cacheMaxRecordings
                + " recordings and "
                + cacheMaxBytes
                + " bytes per key; this cache allows more");
      }
    }

    /** Builds a {@link Rule}. By default a rule demands nothing and forbids caching. */
    public static final class Builder {
      private final Set<String> schemes = new LinkedHashSet<>();
      private boolean forbidInsecureKeysets;
      private final Set<String> escrow = new LinkedHashSet<>();
      private long cacheMaxAgeMillis;
      private long cacheMaxRecordings;
      private long cacheMaxBytes;

      private Builder() {}

      /**
       * At least one wrapping KEK must have one of these URI schemes. Calls add up.
       *
       * @param schemes URI schemes without {@code ://}, such as {@code aws-kms}
       * @return this builder
       */
      public Builder requireKekScheme(String... schemes) {
        this.schemes.addAll(Arrays.asList(schemes));
        return this;
      }

      /**
       * No wrapping KEK may be a plaintext local keyset ({@link
       * KeysetProtection#insecurePlaintext()}).
       *
       * @return this builder
       */
      public Builder forbidInsecureKeysets() {
        this.forbidInsecureKeysets = true;
        return this;
      }

      /**
       * This KEK must be among the wrapping KEKs. Calls add up: every escrow KEK named is
       * required.
       *
       * @param kekUri the escrow KEK's URI, compared exactly with {@link Kek#uri()}; not null
       * @return this builder
       * @throws NullPointerException if {@code kekUri} is null
       */
      public Builder requireEscrow(String kekUri) {
        this.escrow.add(Objects.requireNonNull(kekUri, "kekUri"));
        return this;
      }

      /**
       * Allows a {@link DekCache} whose limits are all within these. A reader may use a cache
       * whose age limit is within {@code maxAgeMillis}.
       *
       * @param maxAgeMillis the largest {@link DekCache.Builder#maxAgeMillis} allowed, in
       *     milliseconds
       * @param maxRecordings the largest {@link DekCache.Builder#maxRecordings} allowed
       * @param maxBytes the largest {@link DekCache.Builder#maxBytes} allowed, in bytes
       * @return this builder
       */
      public Builder cacheLimits(long maxAgeMillis, long maxRecordings, long maxBytes) {
        this.cacheMaxAgeMillis = maxAgeMillis;
        this.cacheMaxRecordings = maxRecordings;
        this.cacheMaxBytes = maxBytes;
        return this;
      }

      /**
       * Allows any cache limits.
       *
       * @return this builder
       */
      public Builder anyCaching() {
        return cacheLimits(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);
      }

      /**
       * Builds the rule.
       *
       * @return the rule, immutable
       */
      public Rule build() {
        return new Rule(this);
      }
    }
  }

  /** Builds a {@link ClassificationPolicy}. */
  public static final class Builder {
    private boolean requireDataClass;
    private final Map<String, Rule> rules = new HashMap<>();

    private Builder() {}

    /**
     * Every recording must carry a data class (a {@value #CONTEXT_KEY} entry). A data class
     * outside {@link #CLASSES} is refused whether or not this is set.
     *
     * @return this builder
     */
    public Builder requireDataClass() {
      this.requireDataClass = true;
      return this;
    }

    /**
     * The rule for one class, replacing any set before for it.
     *
     * @param dataClass one of {@link #CLASSES}: {@code Confidential}, {@code Restricted} or
     *     {@code Public}
     * @param rule what recordings of that class demand; not null
     * @return this builder
     * @throws IllegalArgumentException if {@code dataClass} is not one of {@link #CLASSES}
     * @throws NullPointerException if {@code rule} is null
     */
    public Builder rule(String dataClass, Rule rule) {
      if (!CLASSES.contains(dataClass)) {
        throw new IllegalArgumentException("unknown data class " + dataClass + "; one of " + CLASSES);
      }
      rules.put(dataClass, Objects.requireNonNull(rule, "rule"));
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the policy, immutable; pass it to {@code Recordings.Builder.policy}
     */
    public ClassificationPolicy build() {
      return new ClassificationPolicy(this);
    }
  }
}
