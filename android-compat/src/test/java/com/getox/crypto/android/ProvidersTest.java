package com.getox.crypto.android;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.NoSuchProviderException;
import java.security.Provider;
import java.security.Security;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Providers}: opt-in only, verified, idempotent. */
class ProvidersTest {
  private ProviderOrder order;

  @BeforeEach
  void save() {
    order = ProviderOrder.snapshot();
  }

  @AfterEach
  void restore() {
    order.restore();
  }

  @Test
  void nothingChangesProvidersByDefault() throws Exception {
    String before = Arrays.toString(Security.getProviders());
    // Loading and using the SDK (a KEK, a recording's cipher) must not reorder or add providers.
    Class.forName("com.getox.crypto.android.Providers");
    Class.forName("com.getox.crypto.android.AndroidKeystoreKek");
    ProviderEquivalenceTest.open(ProviderEquivalenceTest.seal(new byte[100]));
    assertEquals(before, Arrays.toString(Security.getProviders()));
    assertEquals("SunJCE", Providers.aesGcmProvider().getName(), "the JVM default");
  }

  @Test
  void preferConscryptPutsItFirstAndIsIdempotent() throws Exception {
    Provider p = Providers.preferConscrypt();
    assertEquals("Conscrypt", p.getName());
    assertSame(p, Security.getProviders()[0]);
    assertSame(p, Providers.aesGcmProvider());
    int count = Security.getProviders().length;
    assertSame(p, Providers.preferConscrypt()); // already installed: moved, not duplicated
    assertEquals(count, Security.getProviders().length);
  }

  @Test
  void preferBouncyCastleAsTheLastResortWorks() throws Exception {
    Provider bc = Providers.prefer(new org.bouncycastle.jce.provider.BouncyCastleProvider());
    assertEquals("BC", Providers.aesGcmProvider().getName());
    assertSame(bc, Security.getProviders()[0]);
  }

  @Test
  void aProviderWithoutAesGcmIsRefusedAndRemoved() {
    Provider empty = new Provider("OxEmpty", "1.0", "no services") {
      private static final long serialVersionUID = 1L;
    };
    NoSuchProviderException e =
        assertThrows(NoSuchProviderException.class, () -> Providers.prefer(empty));
    assertTrue(e.getMessage().contains("OxEmpty"), e.getMessage());
    assertNull(Security.getProvider("OxEmpty"));
  }
}
