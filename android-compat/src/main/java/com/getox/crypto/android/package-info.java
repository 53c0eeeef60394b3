/**
 * Android glue for Ox Crypto: {@link com.getox.crypto.android.AndroidKeystoreKek}, a KEK held in
 * the Android Keystore, and {@link com.getox.crypto.android.Providers}, an opt-in choice of the
 * AES-GCM provider. The module's dependency list is itself the Android variant of the core (on
 * {@code tink-android}); its build checks the core against the Android API 24 signature and runs
 * the core's tests on SunJCE, Conscrypt and Bouncy Castle (see the module README).
 *
 * <pre>{@code
 * Kek kek = AndroidKeystoreKek.create("recordings");
 * Recordings recordings = Recordings.builder().wrapWith(kek).build();
 * }</pre>
 */
package com.getox.crypto.android;
