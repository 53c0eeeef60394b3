package com.getox.crypto.benchmarks;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.Provider;
import java.security.Security;
import javax.crypto.Cipher;
import org.conscrypt.Conscrypt;

/**
 * The provider-selection seam: installs a JCA provider at the highest priority inside the forked
 * benchmark JVM, which is what a server user does to opt in (core asks JCA for
 * {@code AES/GCM/NoPadding} without naming a provider). Then checks that AES-GCM really comes
 * from it, so a benchmark never measures a provider it did not ask for.
 *
 * <pre>{@code
 * Providers.install("Conscrypt");   // "SunJCE" (the JDK default), "Conscrypt" or "ACCP"
 * }</pre>
 */
public final class Providers {
  public static final String SUNJCE = "SunJCE";
  public static final String CONSCRYPT = "Conscrypt";
  public static final String ACCP = "ACCP";

  private Providers() {}

  /** Installs {@code name} at priority 1 (idempotent) and returns the JCA provider name in use. */
  public static synchronized String install(String name) throws Exception {
    String expected;
    switch (name) {
      case SUNJCE:
        expected = "SunJCE";
        break;
      case CONSCRYPT:
        {
          Provider p = Conscrypt.newProvider();
          if (Security.getProvider(p.getName()) == null) {
            Security.insertProviderAt(p, 1);
          }
          expected = p.getName();
          break;
        }
      case ACCP:
        AmazonCorrettoCryptoProvider.install();
        AmazonCorrettoCryptoProvider.INSTANCE.assertHealthy();
        expected = AmazonCorrettoCryptoProvider.PROVIDER_NAME;
        break;
      default:
        throw new IllegalArgumentException("unknown provider " + name);
    }
    String actual = Cipher.getInstance("AES/GCM/NoPadding").getProvider().getName();
    if (!actual.equals(expected)) {
      throw new IllegalStateException(
          "asked for " + name + " but AES/GCM/NoPadding comes from " + actual);
    }
    return actual;
  }
}
