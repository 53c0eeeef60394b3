package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.local.LocalKms;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ClassificationPolicy#check} and {@link ClassificationPolicy#permitsCache} directly: each
 * rule alone, its boundary values, classes without a rule, and what an empty rule demands. The
 * reasons are asserted through Ox's own messages, one per rule.
 */
class ClassificationPolicyTest {
  static final LocalKms PLAINTEXT = TestKeks.newLocalKms("policy-plain");

  /** A KEK that only has a URI: the policy looks at nothing else. */
  static Kek named(String uri) {
    return new Kek() {
      @Override
      public String uri() {
        return uri;
      }

      @Override
      public WrappedKey wrap(byte[] dek, EncryptionContext context) {
        throw new UnsupportedOperationException();
      }

      @Override
      public byte[] unwrap(WrappedKey wrapped, EncryptionContext context) {
        throw new UnsupportedOperationException();
      }
    };
  }

  static final Kek AWS = named("aws-kms://arn:aws:kms:eu-west-1:111122223333:key/k");
  static final Kek ESCROW = named("gcp-kms://projects/p/locations/l/keyRings/r/cryptoKeys/escrow");

  static EncryptionContext ctx(String dataClass) {
    EncryptionContext.Builder b = EncryptionContext.builder().put("user-id", "u");
    return dataClass == null ? b.build() : b.put(ClassificationPolicy.CONTEXT_KEY, dataClass).build();
  }

  static DekCache cache(long ageMillis, long recordings, long bytes) {
    return DekCache.builder().maxAgeMillis(ageMillis).maxRecordings(recordings).maxBytes(bytes).build();
  }

  static String refusal(ClassificationPolicy p, EncryptionContext c, List<Kek> keks, DekCache cache) {
    return assertThrows(PolicyViolationException.class, () -> p.check(c, keks, cache)).getMessage();
  }

  @Test
  void dataClassRequiredOrNotAndOnlyTheKnownClasses() throws Exception {
    ClassificationPolicy open = ClassificationPolicy.builder().build();
    ClassificationPolicy strict = ClassificationPolicy.builder().requireDataClass().build();
    List<Kek> keks = Collections.singletonList(PLAINTEXT);
    open.check(ctx(null), keks, null);
    assertTrue(refusal(strict, ctx(null), keks, null).contains("requires a 'data-class' entry"));
    for (String c : ClassificationPolicy.CLASSES) {
      open.check(ctx(c), keks, null); // no rule for the class: nothing demanded
      strict.check(ctx(c), keks, null);
    }
    for (String unknown : new String[] {"Secret", "confidential", "", " Public"}) {
      assertTrue(refusal(open, ctx(unknown), keks, null).contains("unknown data class '" + unknown + "'"), unknown);
    }
    assertEquals(Arrays.asList("Confidential", "Restricted", "Public"), Arrays.asList(ClassificationPolicy.CLASSES.toArray()));
  }

  @Test
  void eachRuleAloneRefusesExactlyWhatItNames() throws Exception {
    ClassificationPolicy schemes = policy(ClassificationPolicy.Rule.builder().requireKekScheme("aws-kms", "gcp-kms").anyCaching());
    assertTrue(refusal(schemes, ctx("Confidential"), Collections.singletonList(PLAINTEXT), null)
        .contains("must be wrapped by a KEK of scheme [aws-kms, gcp-kms]"));
    schemes.check(ctx("Confidential"), Arrays.asList(PLAINTEXT, AWS), null); // one of them is enough
    schemes.check(ctx("Restricted"), Collections.singletonList(PLAINTEXT), null); // other class: no rule

    ClassificationPolicy insecure = policy(ClassificationPolicy.Rule.builder().forbidInsecureKeysets().anyCaching());
    assertTrue(refusal(insecure, ctx("Confidential"), Arrays.asList(AWS, PLAINTEXT), null)
        .contains("must not be wrapped by the plaintext keyset " + PLAINTEXT.uri()));
    insecure.check(ctx("Confidential"), Collections.singletonList(AWS), null);

    ClassificationPolicy escrow = policy(ClassificationPolicy.Rule.builder().requireEscrow(ESCROW.uri()).anyCaching());
    assertTrue(refusal(escrow, ctx("Confidential"), Collections.singletonList(AWS), null)
        .contains("must also be wrapped by the escrow KEK " + ESCROW.uri()));
    escrow.check(ctx("Confidential"), Arrays.asList(AWS, ESCROW), null);
    // A KEK whose URI only starts like the escrow's is not the escrow.
    assertTrue(refusal(escrow, ctx("Confidential"), Collections.singletonList(named(ESCROW.uri() + "x")), null)
        .contains("escrow"));
  }

  @Test
  void cacheLimitsAreInclusiveAndAnEmptyRuleForbidsCaching() throws Exception {
    ClassificationPolicy limited = policy(ClassificationPolicy.Rule.builder().cacheLimits(60_000, 10, 1 << 20));
    List<Kek> keks = Collections.singletonList(AWS);
    limited.check(ctx("Confidential"), keks, null); // no cache: nothing to limit
    limited.check(ctx("Confidential"), keks, cache(60_000, 10, 1 << 20)); // at the limits
    String[] over = {
      refusal(limited, ctx("Confidential"), keks, cache(60_001, 10, 1 << 20)),
      refusal(limited, ctx("Confidential"), keks, cache(60_000, 11, 1 << 20)),
      refusal(limited, ctx("Confidential"), keks, cache(60_000, 10, (1 << 20) + 1)),
    };
    for (String m : over) {
      assertTrue(m.contains("allow data-key caching up to 60000 ms, 10 recordings and 1048576 bytes"), m);
    }
    ClassificationPolicy empty = policy(ClassificationPolicy.Rule.builder());
    empty.check(ctx("Confidential"), keks, null);
    assertTrue(refusal(empty, ctx("Confidential"), keks, cache(1, 1, 1)).contains("data-key caching up to 0 ms"));
    assertDoesNotThrow(() -> policy(ClassificationPolicy.Rule.builder().anyCaching())
        .check(ctx("Confidential"), keks, cache(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE)));
  }

  @Test
  void readersMayUseACacheOnlyAsOldAsTheClassAllows() {
    ClassificationPolicy limited = policy(ClassificationPolicy.Rule.builder().cacheLimits(60_000, 1, 1));
    // Only the age matters to a reader.
    assertTrue(limited.permitsCache(ctx("Confidential"), cache(60_000, 1000, 1L << 40)));
    assertFalse(limited.permitsCache(ctx("Confidential"), cache(60_001, 1, 1)));
    assertTrue(limited.permitsCache(ctx("Public"), cache(Long.MAX_VALUE, 1, 1)), "no rule for the class");
    assertTrue(limited.permitsCache(ctx(null), cache(Long.MAX_VALUE, 1, 1)), "no class");
  }

  @Test
  void rulesAreCheckedInOrderSchemesInsecureEscrowCache() throws Exception {
    ClassificationPolicy all = policy(ClassificationPolicy.Rule.builder()
        .requireKekScheme("aws-kms").forbidInsecureKeysets().requireEscrow(ESCROW.uri()).cacheLimits(1, 1, 1));
    DekCache loose = cache(2, 2, 2);
    assertTrue(refusal(all, ctx("Confidential"), Collections.singletonList(PLAINTEXT), loose).contains("scheme"));
    assertTrue(refusal(all, ctx("Confidential"), Arrays.asList(AWS, PLAINTEXT), loose).contains("plaintext keyset"));
    assertTrue(refusal(all, ctx("Confidential"), Collections.singletonList(AWS), loose).contains("escrow"));
    assertTrue(refusal(all, ctx("Confidential"), Arrays.asList(AWS, ESCROW), loose).contains("caching"));
    all.check(ctx("Confidential"), Arrays.asList(AWS, ESCROW), cache(1, 1, 1));
  }

  private static ClassificationPolicy policy(ClassificationPolicy.Rule.Builder confidential) {
    return ClassificationPolicy.builder().rule("Confidential", confidential.build()).build();
  }
}
