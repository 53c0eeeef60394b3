package com.getox.crypto.kek;

import com.getox.crypto.EncryptionContext;
import java.security.GeneralSecurityException;

/**
 * A key-encryption key: wraps and unwraps a recording's data key (DEK). The service provider
 * interface behind the local keyset, AWS KMS and Google Cloud KMS; implement it to add another KMS.
 *
 * <pre>{@code
 * Kek kek = LocalKms.open(new File("keys.json"), KeysetProtection.insecurePlaintext());
 * WrappedKey w = kek.wrap(dek, context);
 * byte[] dek2 = kek.unwrap(w, context);
 * }</pre>
 *
 * <p>Contract for implementations:
 *
 * <ul>
 *   <li>The {@linkplain EncryptionContext#canonicalBytes() encryption context} is bound as
 *       associated data (or, for AWS KMS, passed as the KMS encryption context): unwrapping under
 *       a different context must fail.
 *   <li>{@link #unwrap} throws {@link NotMyKeyException} when the wrapped key was not made by this
 *       KEK (another URI, another key), without calling out to a KMS where it can tell locally. It
 *       throws another {@link GeneralSecurityException} when it is this KEK's but unwrapping
 *       failed (tampered, key version disabled, KMS unreachable: use {@link
 *       com.getox.crypto.KmsException} with its retryable flag for service errors).
 *   <li>Never log or put in a message the DEK or any unwrapped bytes. The caller owns (and wipes)
 *       the array passed to {@code wrap} and the array returned by {@code unwrap}.
 *   <li>Implementations are thread-safe.
 * </ul>
 */
public interface Kek {

  /**
   * The URI naming this KEK, stored in every {@link WrappedKey} it makes.
   *
   * @return the URI, such as {@code local://team-keys} or {@code aws-kms://arn:...}; never null,
   *     the same on every call
   */
  String uri();

  /**
   * Wraps {@code dek} under this KEK's current (primary) version, bound to {@code context}.
   *
   * @param dek the data key to wrap; owned by the caller, which wipes it afterwards, so an
   *     implementation must not keep it
   * @param context the recording's encryption context, bound as associated data (or as the KMS
   *     encryption context)
   * @return the wrapped key, naming this KEK's {@link #uri()} and the version that wrapped it
   * @throws GeneralSecurityException if wrapping fails; a {@link com.getox.crypto.KmsException}
   *     for a key service's errors, with its retryable flag
   */
  WrappedKey wrap(byte[] dek, EncryptionContext context) throws GeneralSecurityException;

  /**
   * Unwraps a data key.
   *
   * @param wrapped a wrapped key from a recording header, possibly made by another KEK
   * @param context the recording's encryption context, which must be the one it was wrapped
   *     under
   * @return the data key; the caller owns and wipes the array
   * @throws NotMyKeyException if {@code wrapped} belongs to another KEK
   * @throws GeneralSecurityException if it is this KEK's but cannot be unwrapped
   */
  byte[] unwrap(WrappedKey wrapped, EncryptionContext context) throws GeneralSecurityException;

  /**
   * True if {@code wrapped} was made by this KEK's current version, so re-wrapping it would change
   * nothing. The default says yes for any key of this URI, which fits KMSs that rotate key material
   * behind one id (AWS KMS); KEKs with visible versions (the local keyset) compare versions.
   *
   * @param wrapped a wrapped key from a recording header
   * @return true if re-wrapping {@code wrapped} with this KEK would change nothing; false if it
   *     is another KEK's or an older version's
   */
  default boolean isCurrent(WrappedKey wrapped) {
    return wrapped.kekUri().equals(uri());
  }

  /**
   * Re-wraps {@code wrapped} (made by some KEK, possibly another one) under this KEK's current
   * version without the data key leaving the key service, as AWS KMS {@code ReEncrypt} does.
   * Optional: the default throws {@link NotMyKeyException}, and callers then fall back to {@link
   * #unwrap} with the source KEK followed by {@link #wrap} with this one.
   *
   * @param wrapped the wrapped key to move to this KEK, made by any KEK
   * @param context the recording's encryption context, which must be the one it was wrapped
   *     under
   * @return the same data key wrapped by this KEK's current version
   * @throws NotMyKeyException if this KEK cannot re-wrap {@code wrapped} on the service side
   * @throws GeneralSecurityException if the service tried and failed (a {@link
   *     com.getox.crypto.KmsException}, or an authentication failure under the wrong context)
   */
  default WrappedKey rewrap(WrappedKey wrapped, EncryptionContext context)
      throws GeneralSecurityException {
    throw new NotMyKeyException("no service-side re-wrap from " + wrapped.kekUri() + " to " + uri());
  }
}
