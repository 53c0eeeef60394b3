/**
 * Client-side envelope encryption of audio recordings. {@link com.getox.crypto.Recordings} is the
 * entry point: each recording gets a fresh data key, wrapped by your key-encryption keys ({@link
 * com.getox.crypto.kek.Kek}) into an envelope header, and its audio is sealed in authenticated
 * 16 KiB chunks, so it can be written as it is captured and read sequentially ({@link
 * com.getox.crypto.RecordingInputStream}) or by random access ({@link
 * com.getox.crypto.SeekableRecording}). The {@link com.getox.crypto.EncryptionContext} names what
 * a recording is and is authenticated with it; {@link com.getox.crypto.ReadOptions} says what a
 * reader requires of it.
 *
 * <pre>{@code
 * import com.getox.crypto.*;
 * import com.getox.crypto.local.KeysetProtection;
 * import com.getox.crypto.local.LocalKms;
 *
 * LocalKms kms = LocalKms.open(new File("keys.json"), KeysetProtection.passphrase(passphrase));
 * Recordings recordings = Recordings.builder().wrapWith(kms).build();
 * EncryptionContext ctx = EncryptionContext.builder().put("user-id", "u-7").build();
 * try (RecordingWriter w = recordings.newFileWriter(new File("talk.oxr"), ctx)) {
 *   w.write(pcm);
 * }
 * try (InputStream in = recordings.newInputStream(new FileInputStream("talk.oxr"),
 *     ReadOptions.builder().expect("user-id", "u-7").build())) {
 *   play(in);
 * }
 * }</pre>
 *
 * <p>Header-only edits of files (re-wrap after a KEK rotation, share, revoke) are in {@link
 * com.getox.crypto.RecordingFiles} and {@link com.getox.crypto.BulkRewrap}. Every checked error
 * is an {@link com.getox.crypto.OxCryptoException} (a {@link
 * java.security.GeneralSecurityException}); stream adapters wrap it in an {@link
 * java.io.IOException}, keeping it as the cause. Classes in {@code com.getox.crypto.internal} are
 * not API and may change without notice.
 */
package com.getox.crypto;
