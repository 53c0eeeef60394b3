/**
 * Key-encryption keys (KEKs): the service provider interface between recordings and key
 * management. A {@link com.getox.crypto.kek.Kek} wraps and unwraps a recording's data key under
 * its encryption context; a {@link com.getox.crypto.kek.WrappedKey} is one such wrapped key as it
 * is stored in a header; a {@link com.getox.crypto.kek.KekRegistry} maps the KEK URIs found in
 * headers to KEKs, by explicit registration only.
 *
 * <p>The SDK ships KEKs for a local keyset ({@code com.getox.crypto.local}), HPKE public-key
 * recipients ({@code com.getox.crypto.hpke}), AWS KMS and Google Cloud KMS (modules {@code
 * ox-crypto-kms-aws} and {@code ox-crypto-kms-gcp}) and the Android Keystore ({@code
 * ox-crypto-android-compat}). Implement {@code Kek} to add another key service.
 *
 * <pre>{@code
 * KekRegistry registry = KekRegistry.builder()
 *     .register(localKek)                                      // one KEK, by its URI
 *     .register("aws-kms", uri -> AwsKms.kek(uri, kmsClient)) // every URI of a scheme
 *     .build();
 * Recordings recordings = Recordings.builder().wrapWith(localKek).unwrapWith(registry).build();
 * }</pre>
 */
package com.getox.crypto.kek;
