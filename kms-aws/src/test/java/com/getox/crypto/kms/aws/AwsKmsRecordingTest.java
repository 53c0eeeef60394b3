package com.getox.crypto.kms.aws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.AuthenticationException;
import com.getox.crypto.EncryptionContext;
import com.getox.crypto.KmsException;
import com.getox.crypto.NoUsableKeyException;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingHeader;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.KekRegistry;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.kms.aws.LocalKmsServer.Fault;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Recording-level scenarios: whole recordings (header and Cobblestone body from core) whose data
 * key is wrapped by AWS KMS KEKs, through the real KmsClient and the local KMS server.
 */
class AwsKmsRecordingTest extends KmsTestSupport {
  static final EncryptionContext CTX =
      EncryptionContext.builder().put("recording-id", "rec-42").put("user-id", "u-7").build();
  static final int BODY_PREFIX_BYTES = 56;

  @TempDir Path dir;
  byte[] audio;
  String arnA;
  Kek kekA;
  /** A second client, as a reader in another process would have. */
  KmsClient reader;

  @BeforeEach
  void setUp() {
    audio = new byte[40_000]; // three 16 KiB chunks
    new SecureRandom().nextBytes(audio);
    arnA = createKey(kms);
    kekA = AwsKms.kek(uri(arnA), kms);
    reader = client(REGION, credentials);
  }

  @Test
  void recordingsSurviveRotationWithoutRewrap() throws Exception {
    Recordings recordings = Recordings.builder().wrapWith(kekA).build();
    byte[] old = encrypt(recordings, audio);
    kms.rotateKeyOnDemand(b -> b.keyId(arnA));
    byte[] fresh = encrypt(recordings, audio);

    assertEquals(0, LocalKmsServer.materialVersion(onlyKey(old).wrappedBytes()));
    assertEquals(1, LocalKmsServer.materialVersion(onlyKey(fresh).wrappedBytes()));
    Recordings readOnly = Recordings.builder().unwrapWith(AwsKms.kek(uri(arnA), reader)).build();
    ReadOptions expect = ReadOptions.builder().expect("user-id", "u-7").build();
    assertArrayEquals(audio, decrypt(readOnly, old, expect));
    assertArrayEquals(audio, decrypt(readOnly, fresh, expect));

    // AWS keeps old material behind the same key id: nothing to re-wrap, no KMS call.
    int calls = server.requests("Encrypt") + server.requests("Decrypt") + server.requests("ReEncrypt");
    RecordingHeader header = header(old);
    assertSame(header, recordings.rewrap(header, bodyPrefix(old), ReadOptions.defaults()));
    assertEquals(calls, server.requests("Encrypt") + server.requests("Decrypt") + server.requests("ReEncrypt"));

    // Moving the old recording to the new material anyway goes through ReEncrypt, header only.
    int decrypts = server.requests("Decrypt");
    byte[] moved = withHeader(old, header.withWrappedKeys(List.of(kekA.rewrap(onlyKey(old), CTX))));
    assertEquals(decrypts, server.requests("Decrypt"), "the data key stayed in KMS");
    assertEquals(1, LocalKmsServer.materialVersion(onlyKey(moved).wrappedBytes()));
    assertArrayEquals(audio, decrypt(readOnly, moved, ReadOptions.defaults()));
  }

  @Test
  void aliasMoveIsAManualRotationThatCoreRewrapsThroughReEncrypt() throws Exception {
    String second = createKey(kms);
    kms.createAlias(b -> b.aliasName("alias/recordings").targetKeyId(arnA));
    Kek alias = AwsKms.kek(uri("arn:aws:kms:" + REGION + ":" + ACCOUNT + ":alias/recordings"), kms);
    Recordings recordings = Recordings.builder().wrapWith(alias).build();
    byte[] recording = encrypt(recordings, audio);
    RecordingHeader header = header(recording);
    assertEquals(arnA, onlyKey(recording).kekVersion());
    assertSame(header, recordings.rewrap(header, bodyPrefix(recording), ReadOptions.defaults()));

    kms.updateAlias(b -> b.aliasName("alias/recordings").targetKeyId(second));
    int decrypts = server.requests("Decrypt");
    RecordingHeader moved = recordings.rewrap(header, bodyPrefix(recording), ReadOptions.defaults());
    byte[] rewrapped = withHeader(recording, moved);

    assertEquals(second, onlyKey(rewrapped).kekVersion());
    assertEquals(decrypts, server.requests("Decrypt"), "re-wrapped by ReEncrypt, the DEK stayed in KMS");
    assertEquals(1, server.requests("ReEncrypt"));
    assertSame(moved, recordings.rewrap(moved, bodyPrefix(rewrapped), ReadOptions.defaults()));
    kms.disableKey(b -> b.keyId(arnA)); // the old key can now be retired
    assertArrayEquals(audio, decrypt(recordings, rewrapped, ReadOptions.defaults()));
    assertThrows(NoUsableKeyException.class, () -> decrypt(recordings, recording, ReadOptions.defaults()));
  }

  @Test
  void recordingUnderLocalAndAwsKeksOpensWithEither() throws Exception {
    LocalKms local =
        LocalKms.create(dir.resolve("team.json").toFile(), KeysetProtection.insecurePlaintext(), "team");
    byte[] recording = encrypt(Recordings.builder().wrapWith(local, kekA).build(), audio);
    List<WrappedKey> keys = header(recording).wrappedKeys();
    assertEquals(List.of("local://team", uri(arnA)), List.of(keys.get(0).kekUri(), keys.get(1).kekUri()));

    int decrypts = server.requests("Decrypt");
    assertArrayEquals(audio, decrypt(Recordings.builder().unwrapWith(local).build(), recording, ReadOptions.defaults()));
    assertEquals(decrypts, server.requests("Decrypt"), "the local KEK needs no KMS call");

    Kek awsOnly = AwsKms.kek(uri(arnA), reader);
    assertArrayEquals(audio, decrypt(Recordings.builder().unwrapWith(awsOnly).build(), recording, ReadOptions.defaults()));
    assertEquals(decrypts + 1, server.requests("Decrypt"));

    KekRegistry registry = AwsKms.register(KekRegistry.builder(), TRUSTED, reader).build();
    assertArrayEquals(audio, decrypt(Recordings.builder().unwrapWith(registry).build(), recording, ReadOptions.defaults()));

    // With the AWS key disabled the local KEK still opens it; an AWS-only reader gets the typed cause.
    kms.disableKey(b -> b.keyId(arnA));
    assertArrayEquals(audio, decrypt(Recordings.builder().unwrapWith(awsOnly, local).build(), recording, ReadOptions.defaults()));
    NoUsableKeyException e =
        assertThrows(
            NoUsableKeyException.class,
            () -> decrypt(Recordings.builder().unwrapWith(awsOnly).build(), recording, ReadOptions.defaults()));
    KmsException cause = (KmsException) e.causes().get(0);
    assertFalse(cause.isRetryable());
    assertEquals(
        "DisabledException",
        cause(cause, software.amazon.awssdk.awscore.exception.AwsServiceException.class).awsErrorDetails().errorCode());
  }

  @Test
  void recordingIsSharedReEncryptedAndRevokedByHeaderEdits() throws Exception {
    Kek kekB = AwsKms.kek(uri(createKey(kms)), kms);
    Kek kekC = AwsKms.kek(uri(createKey(kms)), kms);
    Recordings recordings = Recordings.builder().wrapWith(kekA).build();
    byte[] recording = encrypt(recordings, audio);
    RecordingHeader header = header(recording);

    // Share with B: core unwraps with A (checked against the key commitment) and wraps with B.
    RecordingHeader shared = recordings.share(header, bodyPrefix(recording), kekB, ReadOptions.defaults());
    // Hand it to C through ReEncrypt from A's wrapped key: the data key never leaves KMS.
    int decrypts = server.requests("Decrypt");
    List<WrappedKey> keys = new ArrayList<>(shared.wrappedKeys());
    keys.add(kekC.rewrap(keys.get(0), shared.context()));
    assertEquals(decrypts, server.requests("Decrypt"));
    // Then revoke A.
    RecordingHeader last = recordings.revoke(shared.withWrappedKeys(keys), kekA.uri());
    byte[] edited = withHeader(recording, last);

    assertEquals(List.of(kekB.uri(), kekC.uri()), List.of(last.wrappedKeys().get(0).kekUri(), last.wrappedKeys().get(1).kekUri()));
    assertArrayEquals(audio, decrypt(Recordings.builder().unwrapWith(kekB).build(), edited, ReadOptions.defaults()));
    assertArrayEquals(audio, decrypt(Recordings.builder().unwrapWith(kekC).build(), edited, ReadOptions.defaults()));
    NoUsableKeyException e =
        assertThrows(
            NoUsableKeyException.class,
            () -> decrypt(Recordings.builder().unwrapWith(kekA).build(), edited, ReadOptions.defaults()));
    assertEquals(List.of(), e.causes(), "A finds no key of its own: not mine, not a failure");
  }

  @Test
  void multiRegionRecordingOpensInTheReplicaRegion() throws Exception {
    KmsClient east = client(OTHER_REGION, credentials);
    String mrk = east.createKey(b -> b.multiRegion(true)).keyMetadata().arn();
    east.replicateKey(b -> b.keyId(mrk).replicaRegion(REGION));
    byte[] recording = encrypt(Recordings.builder().wrapWith(AwsKms.kek(uri(mrk), east)).build(), audio);

    KekRegistry westOnly = AwsKms.register(KekRegistry.builder(), TRUSTED, reader).build();
    assertArrayEquals(audio, decrypt(Recordings.builder().unwrapWith(westOnly).build(), recording, ReadOptions.defaults()));
  }

  @Test
  void kmsFaultsWhileOpeningEndInRetryOrTypedCause() throws Exception {
    byte[] recording = encrypt(Recordings.builder().wrapWith(kekA).build(), audio);
    Recordings readOnly = Recordings.builder().unwrapWith(AwsKms.kek(uri(arnA), reader)).build();

    server.inject(Fault.THROTTLE, 1);
    server.inject(Fault.DROP_CONNECTION, 1);
    assertArrayEquals(
        audio,
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> decrypt(readOnly, recording, ReadOptions.defaults())));

    server.inject(Fault.INTERNAL_ERROR, 100);
    NoUsableKeyException e =
        assertTimeoutPreemptively(
            Duration.ofSeconds(60),
            () -> assertThrows(NoUsableKeyException.class, () -> decrypt(readOnly, recording, ReadOptions.defaults())));
    KmsException cause = (KmsException) e.causes().get(0);
    assertTrue(cause.isRetryable(), cause::toString);
    server.clearFaults();
  }

  /**
   * Ox's own guarantee, not the KMS's: a header relabelled with another context is refused by the
   * key commitment (which covers the header's authenticated bytes, context included) even when
   * the KMS hands the data key back for the wrong context, as a broken or hostile KMS (or one that
   * ignores the context) would. No plaintext byte is released.
   */
  @Test
  void tamperedContextIsRefusedByTheCommitmentEvenIfKmsIgnoresTheContext() throws Exception {
    server.ignoreContext(true);
    Recordings recordings = Recordings.builder().wrapWith(kekA).build();
    byte[] recording = encrypt(recordings, audio);
    RecordingHeader h = header(recording);
    EncryptionContext other = EncryptionContext.builder().put("recording-id", "rec-42").put("user-id", "u-8").build();
    byte[] forged = withHeader(recording, reheader(h, other));
    assertEquals(other, header(forged).context());
    // Control: this KMS really does unwrap the key under the forged context.
    assertArrayEquals(kekA.unwrap(onlyKey(recording), CTX), kekA.unwrap(onlyKey(forged), other));

    int decrypts = server.requests("Decrypt");
    ByteArrayOutputStream released = new ByteArrayOutputStream();
    Exception e =
        assertThrows(
            Exception.class,
            () -> {
              try (InputStream in =
                  recordings.newInputStream(new ByteArrayInputStream(forged), ReadOptions.defaults())) {
                in.transferTo(released);
              }
            });
    assertTrue(decrypts < server.requests("Decrypt"), "the KMS was asked, and answered");
    assertTrue(e instanceof AuthenticationException, () -> "the commitment refuses it: " + e);
    assertEquals(0, released.size(), "no plaintext released");
    // The untouched recording still opens through the same KMS.
    assertArrayEquals(audio, decrypt(recordings, recording, ReadOptions.defaults()));
  }

  /** With a KMS that enforces the context, the unwrap itself fails: a typed, final KMS error. */
  @Test
  void tamperedContextIsAlsoRefusedByKms() throws Exception {
    byte[] recording = encrypt(Recordings.builder().wrapWith(kekA).build(), audio);
    EncryptionContext other = EncryptionContext.builder().put("recording-id", "rec-42").put("user-id", "u-8").build();
    byte[] forged = withHeader(recording, reheader(header(recording), other));
    NoUsableKeyException e =
        assertThrows(
            NoUsableKeyException.class,
            () -> decrypt(Recordings.builder().unwrapWith(kekA).build(), forged, ReadOptions.defaults()));
    KmsException cause = (KmsException) e.causes().get(0);
    assertFalse(cause.isRetryable());
    assertEquals(
        "InvalidCiphertextException",
        cause(cause, software.amazon.awssdk.awscore.exception.AwsServiceException.class).awsErrorDetails().errorCode());
  }

  // ---------------------------------------------------------------- helpers

  private static byte[] encrypt(Recordings recordings, byte[] plaintext) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RecordingWriter w = recordings.newWriter(out, CTX)) {
      for (int off = 0; off < plaintext.length; off += 1_000) {
        w.write(plaintext, off, Math.min(1_000, plaintext.length - off));
      }
    }
    return out.toByteArray();
  }

  private static byte[] decrypt(Recordings recordings, byte[] recording, ReadOptions options) throws Exception {
    try (InputStream in = recordings.newInputStream(new ByteArrayInputStream(recording), options)) {
      return in.readAllBytes();
    }
  }

  private static RecordingHeader header(byte[] recording) throws Exception {
    return RecordingHeader.read(new ByteArrayInputStream(recording), ReadOptions.defaults());
  }

  private static int headerLength(byte[] recording) throws Exception {
    ByteArrayInputStream in = new ByteArrayInputStream(recording);
    RecordingHeader.read(in, ReadOptions.defaults());
    return recording.length - in.available();
  }

  private static byte[] bodyPrefix(byte[] recording) throws Exception {
    int start = headerLength(recording);
    return Arrays.copyOfRange(recording, start, start + BODY_PREFIX_BYTES);
  }

  private static WrappedKey onlyKey(byte[] recording) throws Exception {
    List<WrappedKey> keys = header(recording).wrappedKeys();
    assertEquals(1, keys.size());
    return keys.get(0);
  }

  /** The recording with its header replaced; the body bytes are unchanged. */
  private static byte[] withHeader(byte[] recording, RecordingHeader header) throws Exception {
    int start = headerLength(recording);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(header.toByteArray());
    out.write(recording, start, recording.length - start);
    return out.toByteArray();
  }

  /** A header like {@code h} but claiming {@code context}: rebuilt through the parser. */
  private static RecordingHeader reheader(RecordingHeader h, EncryptionContext context) throws Exception {
    byte[] bytes = h.toByteArray();
    byte[] oldCtx = h.context().canonicalBytes();
    byte[] newCtx = context.canonicalBytes();
    assertEquals(oldCtx.length, newCtx.length, "same-length edit keeps the layout");
    int at = indexOf(bytes, oldCtx);
    System.arraycopy(newCtx, 0, bytes, at, newCtx.length);
    return RecordingHeader.parse(bytes, ReadOptions.defaults());
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }
}
