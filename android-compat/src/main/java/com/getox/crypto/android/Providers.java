package com.getox.crypto.android;

import java.security.GeneralSecurityException;
import java.security.NoSuchProviderException;
import java.security.Provider;
import java.security.Security;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opt-in choice of the JCA provider that does the SDK's AES-GCM. The SDK never changes providers
 * by itself: by default it uses whatever {@code Cipher.getInstance("AES/GCM/NoPadding")} resolves
 * to, which is Conscrypt ({@code AndroidOpenSSL}) on Android and SunJCE on a server JVM. Call one
 * of these once at startup, before the first recording, if you want another.
 *
 * <pre>{@code
 * // A server that ships org.conscrypt:conscrypt-openjdk-uber (BoringSSL, ~2x SunJCE on 640 B
 * // chunks on JDK 17):
 * Provider p = Providers.preferConscrypt();
 * // Any provider, e.g. Bouncy Castle as the last resort where nothing else has AES-GCM:
 * Providers.prefer(new BouncyCastleProvider());
 * // What AES-GCM resolves to now:
 * String name = Providers.aesGcmProvider().getName();
 * }</pre>
 *
 * <p>These change the process-wide provider order ({@link Security#insertProviderAt} at position
 * 1), so they affect every library in the process. Thread-safe as {@link Security} is. To choose
 * a provider for recordings only, pass it to {@code Recordings.Builder.cipherProvider(provider)}
 * instead.
 */
public final class Providers {
  private static final String AES_GCM = "AES/GCM/NoPadding";
  private static final String CONSCRYPT_CLASS = "org.conscrypt.Conscrypt";

  private Providers() {}

  /**
   * Puts {@code provider} first in the process-wide provider list (moving it if it is already
   * installed) and checks that AES/GCM/NoPadding now resolves to it.
   *
   * @param provider the provider to put first; not null. Another installed provider with the
   *     same name is removed first
   * @return {@code provider}
   * @throws NoSuchProviderException if it does not provide a working AES/GCM/NoPadding; the
   *     provider list is then left without it
   */
  public static Provider prefer(Provider provider) throws NoSuchProviderException {
    synchronized (Providers.class) {
      Security.removeProvider(provider.getName());
      Security.insertProviderAt(provider, 1);
      Provider actual;
      try {
        actual = aesGcmProvider();
      } catch (GeneralSecurityException e) {
        actual = null;
      }
      if (actual != provider) {
        Security.removeProvider(provider.getName());
        throw new NoSuchProviderException(
            provider.getName()
                + " does not provide a working "
                + AES_GCM
                + (actual == null ? "" : "; it resolves to " + actual.getName()));
      }
      return provider;
    }
  }

  /**
   * Puts Conscrypt first: the platform's own on Android (already first unless an app moved it),
   * else a new instance from {@code org.conscrypt:conscrypt-openjdk-uber} (servers), which must
   * be on the classpath.
   *
   * @return the Conscrypt provider now first in the process-wide list
   * @throws NoSuchProviderException if Conscrypt is neither installed nor on the classpath, or
   *     its native library does not load on this platform
   */
  public static Provider preferConscrypt() throws NoSuchProviderException {
    for (String name : new String[] {"AndroidOpenSSL", "Conscrypt"}) {
      Provider installed = Security.getProvider(name);
      if (installed != null) {
        return prefer(installed);
      }
    }
    Provider p;
    try {
      p = (Provider) Class.forName(CONSCRYPT_CLASS).getMethod("newProvider").invoke(null);
    } catch (ClassNotFoundException e) {
      throw new NoSuchProviderException(
          "Conscrypt is not on the classpath: add org.conscrypt:conscrypt-openjdk-uber");
    } catch (ReflectiveOperationException | LinkageError e) {
      NoSuchProviderException x =
          new NoSuchProviderException("Conscrypt did not load on this platform: " + e);
      x.initCause(e);
      throw x;
    }
    return prefer(p);
  }

  /**
   * The provider that {@code Cipher.getInstance("AES/GCM/NoPadding")} resolves to for a plain
   * AES key, as the SDK's chunk code would get it. Changes nothing.
   *
   * @return the provider whose AES/GCM/NoPadding cipher the SDK would use now
   * @throws GeneralSecurityException if no installed provider offers AES/GCM/NoPadding with a
   *     256-bit key (for example {@link java.security.NoSuchAlgorithmException})
   */
  public static Provider aesGcmProvider() throws GeneralSecurityException {
    Cipher c = Cipher.getInstance(AES_GCM);
    // Providers are chosen lazily, on init: init once with a throwaway key to see which one.
    c.init(
        Cipher.ENCRYPT_MODE,
        new SecretKeySpec(new byte[32], "AES"),
        new GCMParameterSpec(128, new byte[12]));
    return c.getProvider();
  }
}
