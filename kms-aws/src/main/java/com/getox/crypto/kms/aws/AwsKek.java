package com.getox.crypto.kms.aws;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.KmsException;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.NotMyKeyException;
import com.getox.crypto.kek.WrappedKey;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import javax.net.ssl.SSLHandshakeException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptionAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.ReEncryptResponse;

/** A {@link Kek} held in AWS KMS: Encrypt to wrap, Decrypt (with KeyId) to unwrap, ReEncrypt. */
final class AwsKek implements Kek {
  /** The {@link WrappedKey#algorithm()} of data keys wrapped by KMS Encrypt (SYMMETRIC_DEFAULT). */
  static final String ALGORITHM = "aws-kms-symmetric-default";

  /** Service errors that the same call will meet again. */
  private static final Set<String> FINAL_ERRORS =
      Set.of(
          "NotFoundException",
          "DisabledException",
          "KMSInvalidStateException",
          "AccessDeniedException",
          "InvalidCiphertextException",
          "IncorrectKeyException");

  /** Service errors that a later call may not meet (the SDK has already retried them). */
  private static final Set<String> TRANSIENT_ERRORS =
      Set.of(
          "ThrottlingException",
          "DependencyTimeoutException",
          "KMSInternalException",
          "KeyUnavailableException");

  private final KeyArn key;
  private final KmsClient client;
  /** The keys {@link #rewrap} may name as a ReEncrypt source. */
  private final AwsKms.DiscoveryFilter trusted;

  AwsKek(KeyArn key, KmsClient client, AwsKms.DiscoveryFilter trusted) {
    this.key = key;
    this.client = client;
    this.trusted = trusted;
  }

  @Override
  public String uri() {
    return key.uri();
  }

  @Override
  public WrappedKey wrap(byte[] dek, EncryptionContext context) throws GeneralSecurityException {
    Objects.requireNonNull(dek, "dek");
    Objects.requireNonNull(context, "context");
    if (dek.length < 1 || dek.length > 4096) {
      throw new IllegalArgumentException("KMS Encrypt takes 1 to 4096 bytes, got " + dek.length);
    }
    EncryptResponse r =
        call(
            "Encrypt",
            () ->
                client.encrypt(
                    b ->
                        b.keyId(key.arn())
                            .plaintext(SdkBytes.fromByteArrayUnsafe(dek))
                            .encryptionContext(context.asMap())
                            .encryptionAlgorithm(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT)));
    KeyArn used = checkDestination("Encrypt", r.keyId());
    return WrappedKey.create(uri(), used.arn(), ALGORITHM, blob("Encrypt", r.ciphertextBlob()));
  }

  @Override
  public byte[] unwrap(WrappedKey wrapped, EncryptionContext context)
      throws GeneralSecurityException {
    Objects.requireNonNull(context, "context");
    KeyArn theirs = KeyArn.parseUri(wrapped.kekUri());
    if (theirs == null || !key.sameKey(theirs)) {
      throw new NotMyKeyException(wrapped, uri());
    }
    if (!ALGORITHM.equals(wrapped.algorithm())) {
      throw new GeneralSecurityException(
          "wrapped key for " + uri() + " uses unsupported algorithm " + wrapped.algorithm());
    }
    // Always name the key: without KeyId, KMS would decrypt with whatever key the blob names.
    KeyArn expected = key.isAlias() ? recordedKey(wrapped, key) : key;
    DecryptResponse r =
        call(
            "Decrypt",
            () ->
                client.decrypt(
                    b ->
                        b.keyId(expected.arn())
                            .ciphertextBlob(SdkBytes.fromByteArrayUnsafe(wrapped.wrappedBytes()))
                            .encryptionContext(context.asMap())
                            .encryptionAlgorithm(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT)));
    byte[] dek = r.plaintext() == null ? null : r.plaintext().asByteArrayUnsafe();
    if (!expected.arn().equals(r.keyId()) || dek == null || dek.length == 0) {
      if (dek != null) {
        Arrays.fill(dek, (byte) 0);
      }
      throw new KmsException(
          "AWS KMS Decrypt answered for key "
              + r.keyId()
              + (dek == null || dek.length == 0 ? " without plaintext" : "")
              + ", expected "
              + expected.arn(),
          false);
    }
    return dek;
  }

  /**
   * A key ARN rotates its material behind one id and keeps the old material, so its wrapped keys
   * are always current. Through an alias, a wrapped key is current while the alias still points at
   * the key that wrapped it (one DescribeKey call); after the alias moves (manual rotation), {@code
   * Recordings.rewrap} re-wraps it with {@link #rewrap}, that is ReEncrypt. If DescribeKey fails
   * the answer is false, so the re-wrap runs and reports the failure.
   */
  @Override
  public boolean isCurrent(WrappedKey wrapped) {
    if (!wrapped.kekUri().equals(uri())) {
      return false;
    }
    if (!key.isAlias()) {
      return true;
    }
    try {
      KeyMetadata target = client.describeKey(b -> b.keyId(key.arn())).keyMetadata();
      return target != null && wrapped.kekVersion().equals(target.arn());
    } catch (SdkException e) {
      return false;
    }
  }

  @Override
  public WrappedKey rewrap(WrappedKey wrapped, EncryptionContext context)
      throws GeneralSecurityException {
    Objects.requireNonNull(context, "context");
    KeyArn source = KeyArn.parseUri(wrapped.kekUri());
    if (source == null
        || !ALGORITHM.equals(wrapped.algorithm())
        || !source.partition.equals(key.partition)) {
      throw new NotMyKeyException(
          "no service-side re-wrap from " + wrapped.kekUri() + " to " + uri());
    }
    // The source comes from an unauthenticated header: ReEncrypt only from trusted keys.
    trusted.check(source);
    KeyArn sourceKey = source.isAlias() ? recordedKey(wrapped, source) : source;
    if (!sourceKey.region.equals(key.region)) {
      if (!sourceKey.isMultiRegionKey()) {
        // ReEncrypt works within one Region: the caller falls back to unwrap, then wrap.
        throw new NotMyKeyException(
            "no service-side re-wrap from " + wrapped.kekUri() + " (another Region) to " + uri());
      }
      sourceKey = sourceKey.inRegion(key.region);
    }
    KeyArn from = sourceKey;
    ReEncryptResponse r =
        call(
            "ReEncrypt",
            () ->
                client.reEncrypt(
                    b ->
                        b.ciphertextBlob(SdkBytes.fromByteArrayUnsafe(wrapped.wrappedBytes()))
                            .sourceKeyId(from.arn())
                            .sourceEncryptionContext(context.asMap())
                            .sourceEncryptionAlgorithm(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT)
                            .destinationKeyId(key.arn())
                            .destinationEncryptionContext(context.asMap())
                            .destinationEncryptionAlgorithm(
                                EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT)));
    if (!from.arn().equals(r.sourceKeyId())) {
      throw new KmsException(
          "AWS KMS ReEncrypt answered for source key "
              + r.sourceKeyId()
              + ", expected "
              + from.arn(),
          false);
    }
    KeyArn used = checkDestination("ReEncrypt", r.keyId());
    return WrappedKey.create(uri(), used.arn(), ALGORITHM, blob("ReEncrypt", r.ciphertextBlob()));
  }

  @Override
  public String toString() {
    return "AwsKms.kek(" + uri() + ")";
  }

  /**
   * The key that an Encrypt or ReEncrypt to this KEK answered with: this key, or for an alias a key
   * in the alias's account and Region.
   */
  private KeyArn checkDestination(String op, String answeredKeyId) throws KmsException {
    KeyArn used = KeyArn.parseArn(answeredKeyId);
    boolean ok =
        used != null
            && !used.isAlias()
            && (key.isAlias() ? key.sameAccountAndRegion(used) : key.arn().equals(used.arn()));
    if (!ok) {
      throw new KmsException(
          "AWS KMS " + op + " answered for key " + answeredKeyId + ", expected " + key.arn(), false);
    }
    return used;
  }

  /**
   * For a key wrapped through an alias: the key ARN recorded at wrap time, which must be in the
   * alias's account and Region. Decrypting with it keeps old recordings readable after the alias
   * moves to another key.
   */
  private static KeyArn recordedKey(WrappedKey wrapped, KeyArn alias) throws GeneralSecurityException {
    KeyArn recorded = KeyArn.parseArn(wrapped.kekVersion());
    if (recorded == null || recorded.isAlias() || !alias.sameAccountAndRegion(recorded)) {
      throw new GeneralSecurityException(
          "wrapped key for "
              + wrapped.kekUri()
              + " does not record a key ARN in the alias's account and Region: '"
              + wrapped.kekVersion()
              + "'");
    }
    return recorded;
  }

  private static byte[] blob(String op, SdkBytes blob) throws KmsException {
    if (blob == null || blob.asByteBuffer().remaining() == 0) {
      throw new KmsException("AWS KMS " + op + " answered without a ciphertext blob", false);
    }
    return blob.asByteArrayUnsafe();
  }

  private <T> T call(String op, Supplier<T> request) throws KmsException {
    try {
      return request.get();
    } catch (SdkException e) {
      throw failure(op, key, e);
    }
  }

  /** Maps an SDK failure (after the SDK's own bounded retries) to a typed {@link KmsException}. */
  static KmsException failure(String op, KeyArn key, SdkException e) {
    String prefix = "AWS KMS " + op + " with " + key.arn() + " failed: ";
    if (e instanceof AwsServiceException) {
      AwsServiceException s = (AwsServiceException) e;
      AwsErrorDetails details = s.awsErrorDetails();
      String code = details == null || details.errorCode() == null ? "" : details.errorCode();
      boolean retryable =
          !FINAL_ERRORS.contains(code)
              && (TRANSIENT_ERRORS.contains(code)
                  || s.isThrottlingException()
                  || s.statusCode() >= 500);
      return new KmsException(
          prefix + (code.isEmpty() ? "" : code + ": ") + s.getMessage(), retryable, e);
    }
    if (e instanceof AbortedException || hasCause(e, InterruptedException.class)) {
      Thread.currentThread().interrupt(); // keep the caller's interrupt visible
      return new KmsException(prefix + "interrupted: " + e.getMessage(), true, e);
    }
    if (e instanceof SdkClientException) {
      // Timeouts, refused or dropped connections, unreadable answers: transient, unless TLS itself
      // failed (protocol below TLS 1.2, untrusted certificate), which a retry will not fix.
      boolean tls = hasCause(e, SSLHandshakeException.class) || hasCause(e, CertificateException.class);
      return new KmsException(prefix + e.getMessage(), !tls, e);
    }
    return new KmsException(prefix + e.getMessage(), false, e);
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (int depth = 0; t != null && depth < 16; t = t.getCause(), depth++) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
