package com.getox.crypto.kms.gcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.ContextMismatchException;
import com.getox.crypto.EncryptionContext;
import com.getox.crypto.NoUsableKeyException;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingFiles;
import com.getox.crypto.RecordingHeader;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.KekRegistry;
import com.getox.crypto.kms.gcp.InProcessCloudKms.Fault;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import com.google.api.gax.rpc.StatusCode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole recordings (core's {@link Recordings}) under a Cloud KMS KEK: rotation, re-wrap, and
 * recordings wrapped under both a local KEK and a Cloud KMS KEK.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS) // only catches a hang
class GcpRecordingScenariosTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final EncryptionContext CONTEXT =
      EncryptionContext.builder()
          .put("recording-id", "rec-42")
          .put("user-id", "u-7")
          .put("data-class", "Confidential")
          .build();

  private CloudKmsFixture kms;
  private GcpKms gcp;

  @BeforeAll
  void start() throws Exception {
    kms = new CloudKmsFixture();
    gcp = GcpKms.builder(kms.client).maxAttempts(2).attemptTimeoutMillis(30_000).backoffMillis(5, 20).build();
  }

  @AfterEach
  void clear() {
    kms.server.clearFaults();
  }

  @AfterAll
  void stop() throws Exception {
    kms.close();
  }

  /** A reader that knows no KEK up front, only how to resolve gcp-kms:// URIs. */
  private Recordings registryReader() {
    return Recordings.builder()
        .unwrapWith(KekRegistry.builder().register(GcpKms.SCHEME, gcp.resolver(GcpKms.KeyFilter.projects("ox-test"))).build())
        .build();
  }

  private static byte[] audio(int bytes) {
    byte[] pcm = new byte[bytes];
    RANDOM.nextBytes(pcm);
    return pcm;
  }

  private static byte[] write(Recordings recordings, byte[] pcm) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RecordingWriter w = recordings.newWriter(out, CONTEXT)) {
      for (int off = 0; off < pcm.length; off += 7_000) { // as audio arrives, in odd sizes
        w.write(pcm, off, Math.min(7_000, pcm.length - off));
      }
    }
    return out.toByteArray();
  }

  private static byte[] read(Recordings recordings, byte[] recording) throws Exception {
    ReadOptions options = ReadOptions.builder().expect("user-id", "u-7").build();
    try (InputStream in = recordings.newInputStream(new ByteArrayInputStream(recording), options)) {
      return in.readAllBytes();
    }
  }

  private static RecordingHeader header(byte[] recording) throws Exception {
    return RecordingHeader.read(new ByteArrayInputStream(recording), ReadOptions.defaults());
  }

  @Test
  void recordingsBeforeAndAfterRotationBothOpen() throws Exception {
    String key = kms.newKey();
    Kek kek = gcp.kek(CloudKmsFixture.uri(key));
    Recordings writer = Recordings.builder().wrapWith(kek).build();
    byte[] oldPcm = audio(40_000);
    byte[] oldRecording = write(writer, oldPcm);

    kms.rotate(key);
    byte[] newPcm = audio(50_000);
    byte[] newRecording = write(writer, newPcm);

    assertEquals("1", header(oldRecording).wrappedKeys().get(0).kekVersion());
    assertEquals("2", header(newRecording).wrappedKeys().get(0).kekVersion());
    Recordings reader = registryReader();
    assertArrayEquals(oldPcm, read(reader, oldRecording));
    assertArrayEquals(newPcm, read(reader, newRecording));
  }

  /**
   * Re-wrap after rotation with core's {@link RecordingFiles#rewrap}: only the header changes
   * (unwrap under version 1, wrap under the new primary); a second pass finds nothing to do; after
   * version 1 is destroyed the re-wrapped file opens and a copy of the original does not, with the
   * typed cause.
   */
  @Test
  void rewrapMovesARecordingToTheNewPrimaryVersion(@TempDir File dir) throws Exception {
    String key = kms.newKey();
    String uri = CloudKmsFixture.uri(key);
    byte[] pcm = audio(70_000);
    byte[] original = write(Recordings.builder().wrapWith(gcp.kek(uri)).build(), pcm);
    File file = new File(dir, "talk.oxr");
    Files.write(file.toPath(), original);
    kms.rotate(key);

    Recordings rewrapper = Recordings.builder().wrapWith(gcp.kek(uri)).build();
    assertTrue(RecordingFiles.rewrap(rewrapper, file, ReadOptions.defaults()));
    assertFalse(RecordingFiles.rewrap(rewrapper, file, ReadOptions.defaults()), "already current");

    byte[] rewrapped = Files.readAllBytes(file.toPath());
    assertEquals("2", header(rewrapped).wrappedKeys().get(0).kekVersion());
    int headerLength = header(original).toByteArray().length;
    int newHeaderLength = header(rewrapped).toByteArray().length;
    assertArrayEquals(
        Arrays.copyOfRange(original, headerLength, original.length),
        Arrays.copyOfRange(rewrapped, newHeaderLength, rewrapped.length),
        "the body is untouched");

    kms.destroy(key, "1");

    assertArrayEquals(pcm, read(registryReader(), rewrapped));
    NoUsableKeyException e =
        assertThrows(NoUsableKeyException.class, () -> read(registryReader(), original));
    GcpKmsException cause = (GcpKmsException) e.causes().get(0);
    assertEquals(StatusCode.Code.FAILED_PRECONDITION, cause.code());
  }

  @Test
  void recordingWrappedUnderLocalAndGcpOpensWithEither(@TempDir File dir) throws Exception {
    LocalKms local =
        LocalKms.create(new File(dir, "keys.json"), KeysetProtection.insecurePlaintext(), "team");
    Kek cloud = gcp.kek(CloudKmsFixture.uri(kms.newKey()));
    byte[] pcm = audio(33_000);
    byte[] recording = write(Recordings.builder().wrapWith(local, cloud).build(), pcm);
    assertEquals(2, header(recording).wrappedKeys().size());

    int decrypts = kms.server.decryptCalls.get();
    assertArrayEquals(pcm, read(Recordings.builder().unwrapWith(local).build(), recording));
    assertEquals(decrypts, kms.server.decryptCalls.get(), "a local reader never calls Cloud KMS");

    assertArrayEquals(pcm, read(Recordings.builder().unwrapWith(cloud).build(), recording));
    assertArrayEquals(pcm, read(registryReader(), recording));
    assertEquals(decrypts + 2, kms.server.decryptCalls.get());

    // Cloud KMS down: a reader holding both KEKs still opens it with the local one ...
    kms.server.inject(Fault.UNAVAILABLE, 100);
    assertArrayEquals(pcm, read(Recordings.builder().unwrapWith(cloud, local).build(), recording));
    // ... and a reader holding only the Cloud KMS KEK gets the retryable cause.
    NoUsableKeyException e =
        assertThrows(
            NoUsableKeyException.class,
            () -> read(Recordings.builder().unwrapWith(cloud).build(), recording));
    GcpKmsException cause = (GcpKmsException) e.causes().get(0);
    assertEquals(StatusCode.Code.UNAVAILABLE, cause.code());
    assertTrue(cause.isRetryable());
  }

  @Test
  void unexpectedContextIsRefusedBeforeCloudKmsIsCalled() throws Exception {
    Kek kek = gcp.kek(CloudKmsFixture.uri(kms.newKey()));
    byte[] recording = write(Recordings.builder().wrapWith(kek).build(), audio(1_000));
    int decrypts = kms.server.decryptCalls.get();

    assertThrows(
        ContextMismatchException.class,
        () ->
            Recordings.builder()
                .unwrapWith(kek)
                .build()
                .newInputStream(
                    new ByteArrayInputStream(recording),
                    ReadOptions.builder().expect("user-id", "someone-else").build()));
    assertEquals(decrypts, kms.server.decryptCalls.get());
  }

  @Test
  void wrapFailureMeansNoRecordingIsStarted() throws Exception {
    Kek kek = gcp.kek(CloudKmsFixture.uri(kms.newKey()));
    kms.server.inject(Fault.RESOURCE_EXHAUSTED, 2);
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    GcpKmsException e =
        assertThrows(
            GcpKmsException.class,
            () -> Recordings.builder().wrapWith(kek).build().newWriter(out, CONTEXT));

    assertEquals(StatusCode.Code.RESOURCE_EXHAUSTED, e.code());
    assertTrue(e.isRetryable());
    assertEquals(0, out.size(), "nothing is written when the data key cannot be wrapped");
  }
}
