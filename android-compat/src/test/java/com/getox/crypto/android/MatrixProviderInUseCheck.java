package com.getox.crypto.android;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.security.Security;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Runs in each provider-matrix execution, in the same JVM as the core's test classes, and asserts
 * that the provider the {@link MatrixProviderListener} installed is first and is the one AES-GCM
 * and HMAC-SHA512 resolve to (so the run really exercised it). Skipped outside the matrix.
 */
@EnabledIfSystemProperty(named = MatrixProviderListener.PROPERTY, matches = ".+")
class MatrixProviderInUseCheck {

  @Test
  void theMatrixProviderStillResolvesAesGcmAndHmac() throws Exception {
    String wanted = System.getProperty(MatrixProviderListener.PROPERTY);
    String name = MatrixProviderListener.newProvider(wanted).getName();
    MatrixProviderListener.check(name);
    assertEquals(name, Security.getProviders()[0].getName());
    if (Boolean.getBoolean(MatrixProviderListener.REMOVE_SUNJCE) && !"SunJCE".equals(name)) {
      assertNull(Security.getProvider("SunJCE"), "SunJCE should have been removed");
    }
  }
}
