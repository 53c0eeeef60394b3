package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.hpke.HpkeRecipient;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: re-wrap, share and revoke of a detached header, with the body read lazily (at most its
 * first 56 bytes, once) or not at all.
 */
class DetachedHeaderEditTest {
  @TempDir File dir;

  /** A body that counts what is read from it, and can fail. */
  static final class CountingBody implements ReadableByteChannel {
    private final byte[] body;
    int position;
    int reads;
    boolean fail;

    CountingBody(byte[] body) {
      this.body = body;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      reads++;
      if (fail) {
        throw new IOException("connection reset");
      }
      if (position == body.length) {
        return -1;
      }
      int n = Math.min(dst.remaining(), body.length - position);
      dst.put(body, position, n);
      position += n;
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }

  private static final EncryptionContext CTX =
      EncryptionContext.builder().put("user-id", "u-16").build();

  private byte[] plain;
  private byte[] body;

  private RecordingHeader writeDetached(Recordings r) throws Exception {
    plain = new byte[50_000];
    new Random(16).nextBytes(plain);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RecordingHeader header;
    try (RecordingWriter w = r.newDetachedWriter(out, CTX)) {
      w.write(plain);
      header = w.header();
    }
    body = out.toByteArray();
    return header;
  }

  private byte[] open(Recordings r, RecordingHeader header) throws Exception {
    ReadOptions o = ReadOptions.builder().detachedHeader(header.toByteArray()).build();
    try (RecordingInputStream in = r.newInputStream(new ByteArrayInputStream(body), o)) {
      return Streams.readAll(in);
    }
  }

  @Test
  void rewrapAfterRotationReadsOnlyTheSaltAndCommitment() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("detached-rot");
    Recordings r = Recordings.builder().wrapWith(kms).build();
    RecordingHeader header = writeDetached(r);

    CountingBody unread = new CountingBody(body);
    assertSame(header, r.rewrap(header, unread, ReadOptions.defaults()), "keys current: no change");
    assertEquals(0, unread.reads, "a current header reads nothing");

    kms.rotate();
    CountingBody lazy = new CountingBody(body);
    RecordingHeader next = r.rewrap(header, lazy, ReadOptions.defaults());
    assertNotSame(header, next);
    assertEquals(56, lazy.position, "exactly the body's first 56 bytes");
    assertEquals(
        Long.toString(kms.primary().id()), next.wrappedKeys().get(0).kekVersion(), "new version");
    assertArrayEquals(plain, open(Recordings.builder().unwrapWith(kms).build(), next));
  }

  @Test
  void shareAndRevokeOnTheHeaderAlone() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("detached-share");
    Recordings r = Recordings.builder().wrapWith(kms).build();
    RecordingHeader header = writeDetached(r);
    HpkeRecipient colleague = HpkeRecipient.generate();

    CountingBody lazy = new CountingBody(body);
    RecordingHeader shared = r.share(header, lazy, colleague, ReadOptions.defaults());
    assertEquals(2, shared.wrappedKeys().size());
    assertEquals(56, lazy.position);
    assertArrayEquals(plain, open(Recordings.builder().unwrapWith(colleague).build(), shared));

    CountingBody again = new CountingBody(body);
    assertSame(shared, r.share(shared, again, colleague, ReadOptions.defaults()));
    assertEquals(0, again.reads, "already shared: nothing read");

    RecordingHeader revoked = r.revoke(shared, colleague.uri());
    assertEquals(1, revoked.wrappedKeys().size());
    assertThrows(
        NoUsableKeyException.class,
        () -> open(Recordings.builder().unwrapWith(colleague).build(), revoked));
    assertArrayEquals(plain, open(r, revoked));
  }

  @Test
  void aShortOrFailingBodyIsATypedError() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("detached-short");
    Recordings r = Recordings.builder().wrapWith(kms).build();
    RecordingHeader header = writeDetached(r);
    kms.rotate();
    assertThrows(
        TruncationException.class,
        () ->
            r.rewrap(
                header, new CountingBody(Arrays.copyOf(body, 55)), ReadOptions.defaults()));
    CountingBody failing = new CountingBody(body);
    failing.fail = true;
    IOException e =
        assertThrows(IOException.class, () -> r.rewrap(header, failing, ReadOptions.defaults()));
    assertEquals("connection reset", e.getMessage());
    // Another recording's body: its commitment does not match this header's key.
    writeDetached(r);
    byte[] otherBody = body;
    assertThrows(
        AuthenticationException.class,
        () -> r.rewrap(header, new CountingBody(otherBody), ReadOptions.defaults()));
  }

  @Test
  void aSidecarFileIsNotARecordingFile() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("detached-file");
    Recordings r = Recordings.builder().wrapWith(kms).build();
    RecordingHeader header = writeDetached(r);
    File sidecar = new File(dir, "talk.oxh");
    Files.write(sidecar.toPath(), header.toByteArray());
    kms.rotate();
    TruncationException e =
        assertThrows(
            TruncationException.class,
            () -> RecordingFiles.rewrap(r, sidecar, ReadOptions.defaults()));
    assertTrue(e.getMessage().contains("detached header"), e.getMessage());
    assertArrayEquals(header.toByteArray(), Files.readAllBytes(sidecar.toPath()), "unchanged");
  }
  @Test
  void sidecarFileEditsReadAtMostTheBodysFirst56BytesOnce() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("detached-sidecar");
    Recordings r = Recordings.builder().wrapWith(kms).build();
    RecordingHeader header = writeDetached(r);
    File sidecar = new File(dir, "talk.oxr.oxh");
    Files.write(sidecar.toPath(), header.toByteArray());

    CountingBody unread = new CountingBody(body);
    assertTrue(!RecordingFiles.rewrapDetached(r, sidecar, unread, ReadOptions.defaults()));
    assertEquals(0, unread.reads, "keys current: the body is not read");

    kms.rotate();
    CountingBody lazy = new CountingBody(body);
    assertTrue(RecordingFiles.rewrapDetached(r, sidecar, lazy, ReadOptions.defaults()));
    assertEquals(56, lazy.position, "at most the body's first 56 bytes");
    RecordingHeader rewrapped = RecordingHeader.parse(Files.readAllBytes(sidecar.toPath()),
        ReadOptions.defaults());
    assertEquals(Long.toString(kms.primary().id()), rewrapped.wrappedKeys().get(0).kekVersion());
    assertArrayEquals(plain, open(r, rewrapped));

    HpkeRecipient colleague = HpkeRecipient.generate();
    CountingBody shareBody = new CountingBody(body);
    assertTrue(RecordingFiles.shareDetached(r, sidecar, shareBody, colleague, ReadOptions.defaults()));
    assertEquals(56, shareBody.position);
    RecordingHeader shared = RecordingHeader.parse(Files.readAllBytes(sidecar.toPath()),
        ReadOptions.defaults());
    assertArrayEquals(plain, open(Recordings.builder().unwrapWith(colleague).build(), shared));

    assertTrue(RecordingFiles.revokeDetached(r, sidecar, colleague.uri(), ReadOptions.defaults()));
    RecordingHeader revoked = RecordingHeader.parse(Files.readAllBytes(sidecar.toPath()),
        ReadOptions.defaults());
    assertEquals(1, revoked.wrappedKeys().size());
  }

  @Test
  void aSidecarEditRefusesARecordingFileAndAForeignBody() throws Exception {
    LocalKms kms = TestKeks.newLocalKms("detached-refuse");
    Recordings r = Recordings.builder().wrapWith(kms).build();
    RecordingHeader header = writeDetached(r);
    File sidecar = new File(dir, "a.oxh");
    Files.write(sidecar.toPath(), header.toByteArray());
    File attached = new File(dir, "b.oxr");
    byte[] whole = new byte[header.toByteArray().length + body.length];
    System.arraycopy(header.toByteArray(), 0, whole, 0, header.toByteArray().length);
    System.arraycopy(body, 0, whole, header.toByteArray().length, body.length);
    Files.write(attached.toPath(), whole);
    kms.rotate();
    assertThrows(
        FormatException.class,
        () -> RecordingFiles.rewrapDetached(r, attached, new CountingBody(body),
            ReadOptions.defaults()));
    writeDetached(r);
    byte[] otherBody = body;
    assertThrows(
        AuthenticationException.class,
        () -> RecordingFiles.rewrapDetached(r, sidecar, new CountingBody(otherBody),
            ReadOptions.defaults()));
    assertArrayEquals(header.toByteArray(), Files.readAllBytes(sidecar.toPath()), "unchanged");
    assertArrayEquals(whole, Files.readAllBytes(attached.toPath()), "unchanged");
  }
}
