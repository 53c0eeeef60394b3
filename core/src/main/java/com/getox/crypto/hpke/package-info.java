/**
 * Sharing recordings by public key. An {@link com.getox.crypto.hpke.HpkeRecipient} is a {@link
 * com.getox.crypto.kek.Kek} built on HPKE (RFC 9180: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
 * AES-256-GCM): anyone holding the recipient's public key can wrap a recording's data key for it,
 * and only the private key unwraps it. No key management service is involved.
 *
 * <pre>{@code
 * HpkeRecipient alice = HpkeRecipient.generate();                        // on Alice's device
 * HpkeRecipient toAlice = HpkeRecipient.fromPublicKeyset(alice.publicKeysetJson());
 * // by anyone who can read the recording:
 * RecordingFiles.share(recordings, file, toAlice, ReadOptions.defaults());
 * Recordings hers = Recordings.builder().unwrapWith(alice).build();        // Alice opens it
 * }</pre>
 */
package com.getox.crypto.hpke;
