package com.getox.crypto.android;

import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.Security;
import javax.crypto.Mac;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Installs the provider named by {@code -Dox.test.provider} (SunJCE, Conscrypt or BC) at position
 * 1 before any test runs, and checks that AES/GCM/NoPadding and HmacSHA512 now resolve to it.
 * With {@code -Dox.test.removeSunJCE=true} it also removes SunJCE, so nothing can fall back to it.
 * Registered through {@code META-INF/services}; without the property it does nothing.
 *
 * <p>It fails loudly: a provider that does not load, or does not win resolution, throws from
 * {@link #launcherSessionOpened}, which aborts the surefire run (never a silent pass).
 */
public final class MatrixProviderListener implements LauncherSessionListener {
  static final String PROPERTY = "ox.test.provider";
  static final String REMOVE_SUNJCE = "ox.test.removeSunJCE";

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    String wanted = System.getProperty(PROPERTY);
    if (wanted == null || wanted.isEmpty()) {
      return;
    }
    try {
      install(wanted);
    } catch (GeneralSecurityException | RuntimeException | LinkageError e) {
      throw new IllegalStateException(
          "provider matrix: could not install " + wanted + " on this machine: " + e, e);
    }
    System.out.println(
        "[provider-matrix] " + wanted + " installed; providers now: " + providerNames());
  }

  /** Installs {@code wanted} first and verifies it; visible for {@link MatrixProviderInUseCheck}. */
  static void install(String wanted) throws GeneralSecurityException {
    Provider p = newProvider(wanted);
    Providers.prefer(p);
    if (Boolean.getBoolean(REMOVE_SUNJCE) && !"SunJCE".equals(p.getName())) {
      Security.removeProvider("SunJCE");
      if (Security.getProvider("SunJCE") != null) {
        throw new IllegalStateException("SunJCE is still installed");
      }
    }
    check(p.getName());
  }

  /** Throws unless AES-GCM and HMAC-SHA512 resolve to {@code name}. */
  static void check(String name) throws GeneralSecurityException {
    String gcm = Providers.aesGcmProvider().getName();
    if (!gcm.equals(name)) {
      throw new IllegalStateException("AES/GCM/NoPadding resolves to " + gcm + ", not " + name);
    }
    Mac mac = Mac.getInstance("HmacSHA512");
    mac.init(new javax.crypto.spec.SecretKeySpec(new byte[32], "HmacSHA512"));
    String hmac = mac.getProvider().getName();
    if (!hmac.equals(name)) {
      throw new IllegalStateException("HmacSHA512 resolves to " + hmac + ", not " + name);
    }
  }

  static Provider newProvider(String name) {
    switch (name) {
      case "SunJCE":
        Provider sun = Security.getProvider("SunJCE");
        if (sun == null) {
          throw new IllegalStateException("SunJCE is not installed in this JDK");
        }
        return sun;
      case "Conscrypt":
        return ConscryptHolder.create();
      case "BC":
        return BcHolder.create();
      default:
        throw new IllegalArgumentException(
            "-D" + PROPERTY + " must be SunJCE, Conscrypt or BC, not " + name);
    }
  }

  // Holders: a missing jar surfaces as NoClassDefFoundError from newProvider (reported with the
  // provider's name), not as a verifier error loading this listener.
  private static final class ConscryptHolder {
    static Provider create() {
      // Throws (with the native library's load error as cause) if BoringSSL does not load.
      org.conscrypt.Conscrypt.checkAvailability();
      return org.conscrypt.Conscrypt.newProvider();
    }
  }

  private static final class BcHolder {
    static Provider create() {
      return new org.bouncycastle.jce.provider.BouncyCastleProvider();
    }
  }

  static String providerNames() {
    StringBuilder sb = new StringBuilder();
    for (Provider p : Security.getProviders()) {
      sb.append(sb.length() == 0 ? "" : ", ").append(p.getName());
    }
    return sb.toString();
  }
}
