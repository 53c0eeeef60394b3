/**
 * The embedded local KMS: a KEK with versions held in a keyset file, so everything runs without a
 * cloud account. {@link com.getox.crypto.local.LocalKms} is the KEK ({@code local://NAME}); {@link
 * com.getox.crypto.local.KeysetProtection} says how its file is protected at rest (a passphrase
 * through Argon2id, another KEK, or, for demos and tests only, not at all); {@link
 * com.getox.crypto.local.KeyVersion} describes one version.
 *
 * <p>Passphrase-protected keysets need {@code org.bouncycastle:bcprov-jdk18on} on the classpath
 * (an optional dependency of the core). {@code create} makes a new file and fails if it exists;
 * {@code open} reads an existing one:
 *
 * <pre>{@code
 * File keys = new File("keys.json");
 * KeysetProtection protection = KeysetProtection.passphrase(passphrase);
 * LocalKms kms = keys.exists()
 *     ? LocalKms.open(keys, protection)
 *     : LocalKms.create(keys, protection, "team-keys");
 * Recordings recordings = Recordings.builder().wrapWith(kms).build();
 * kms.rotate();            // new recordings use the new version; old ones still open
 * }</pre>
 */
package com.getox.crypto.local;
