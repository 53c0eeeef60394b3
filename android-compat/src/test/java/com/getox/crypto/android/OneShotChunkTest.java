package com.getox.crypto.android;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.SeekableRecording;
import com.getox.crypto.TestKeks;
import com.getox.crypto.internal.Cobblestone;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.security.KeyStore;
import java.security.Security;
import java.util.Collections;
import java.util.Random;
import javax.crypto.KeyGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proves the Android GCM rule (tink#229: {@code update(nonEmpty)} then {@code doFinal(empty)}
 * breaks on API 23; some versions emit nothing from {@code update} until {@code doFinal}): while
 * {@link Recordings} encrypts and decrypts, a recording JCA provider ({@link SpyProvider}) at
 * position 1 counts the calls the chunk code makes. Every chunk is exactly one {@code init} and
 * one {@code doFinal} over the whole chunk, with zero {@code update} and zero {@code updateAAD}
 * calls, all made by {@link Cobblestone}.
 */
class OneShotChunkTest {
  private final SpyProvider spy = new SpyProvider();
  private ProviderOrder order;

  @BeforeEach
  void installSpy() {
    order = ProviderOrder.snapshot();
    Security.insertProviderAt(spy, 1);
  }

  @AfterEach
  void removeSpy() {
    order.restore();
  }

  static int chunks(int size) {
    return size / Cobblestone.CHUNK_PLAINTEXT_BYTES + 1;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 16383, 16384, 16385, 3 * 16384 + 5, 5 * 16384})
  void everyChunkIsOneInitAndOneDoFinalWithNoUpdate(int size) throws Exception {
    Recordings recordings = Recordings.builder().wrapWith(TestKeks.newLocalKms("spy")).build();
    byte[] pcm = new byte[size];
    new Random(size).nextBytes(pcm);
    EncryptionContext ctx = EncryptionContext.builder().put("user-id", "u-7").build();

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RecordingWriter w = recordings.newWriter(out, ctx);
    spy.reset(); // the KEK's own AES-GCM (header) is not the chunk code
    for (int off = 0; off < size; off += 1000) { // audio-sized writes, not chunk-aligned
      w.write(pcm, off, Math.min(1000, size - off));
    }
    w.close();
    assertOneShot("encrypt", chunks(size));
    assertEquals(chunkLengths(size, 0), spy.doFinalLengths);

    spy.reset();
    byte[] back;
    try (InputStream in =
        recordings.newInputStream(new ByteArrayInputStream(out.toByteArray()), ReadOptions.defaults())) {
      spy.reset();
      back = readInSmallPieces(in);
    }
    assertArrayEquals(pcm, back);
    assertOneShot("decrypt", chunks(size));
    assertEquals(chunkLengths(size, Cobblestone.TAG_BYTES), spy.doFinalLengths);
  }

  @Test
  void randomAccessReadsAreOneShotToo() throws Exception {
    Recordings recordings = Recordings.builder().wrapWith(TestKeks.newLocalKms("spy")).build();
    int size = 4 * 16384 + 100;
    byte[] pcm = new byte[size];
    new Random(1).nextBytes(pcm);
    File f = Files.createTempFile("oneshot", ".oxr").toFile();
    f.deleteOnExit();
    try (RecordingWriter w =
        recordings.newWriter(Files.newOutputStream(f.toPath()), EncryptionContext.empty())) {
      w.write(pcm, 0, size);
    }
    try (FileChannel ch = FileChannel.open(f.toPath(), StandardOpenOption.READ);
        SeekableRecording r = recordings.openSeekable(ch, ReadOptions.defaults())) {
      spy.reset();
      byte[] buf = new byte[20000];
      int n = r.read(2 * 16384 - 50, buf, 0, buf.length); // spans chunks 1, 2 and 3
      assertTrue(n > 0);
      assertArrayEquals(
          java.util.Arrays.copyOfRange(pcm, 2 * 16384 - 50, 2 * 16384 - 50 + n),
          java.util.Arrays.copyOf(buf, n));
      assertTrue(spy.doFinals.get() >= 1, "the spy saw no chunk: it is not in the path");
      assertOneShot("random access", spy.doFinals.get());
    }
  }

  @Test
  void cipherProviderIsUsedForChunksWithoutBeingInstalled() throws Exception {
    order.restore(); // no provider installed process-wide for this test
    assertNull(Security.getProvider(SpyProvider.NAME));
    SpyProvider chosen = new SpyProvider();
    com.getox.crypto.local.LocalKms kek = TestKeks.newLocalKms("chosen");
    Recordings recordings = Recordings.builder().wrapWith(kek).cipherProvider(chosen).build();
    int size = 3 * 16384 + 7;
    byte[] pcm = new byte[size];
    new Random(3).nextBytes(pcm);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RecordingWriter w = recordings.newWriter(out, EncryptionContext.empty())) {
      chosen.reset(); // the local KEK wraps with its own AES-GCM, not the chosen provider's
      w.write(pcm, 0, size);
    }
    assertOneShot(chosen, "encrypt", chunks(size));
    // Chunk-sized reads, which decrypt straight into the caller's array, on the chosen provider;
    // then the same recording on JCA's default, which the chosen provider never sees.
    Recordings byDefault = Recordings.builder().wrapWith(kek).build();
    for (Recordings reader : new Recordings[] {recordings, byDefault}) {
      chosen.reset();
      try (InputStream in =
          reader.newInputStream(new ByteArrayInputStream(out.toByteArray()), ReadOptions.defaults())) {
        assertArrayEquals(pcm, in.readAllBytes());
      }
      if (reader == recordings) {
        assertOneShot(chosen, "decrypt", chunks(size));
      } else {
        assertEquals(0, chosen.doFinals.get(), "a default reader used the chosen provider");
      }
    }
    assertNull(Security.getProvider(SpyProvider.NAME));
  }

  @Test
  void aProviderWithoutAesGcmIsRefusedAtBuild() {
    java.security.Provider empty = new java.security.Provider("Empty", "1", "no services") {};
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Recordings.builder().wrapWith(TestKeks.newLocalKms("x")).cipherProvider(empty).build());
    assertTrue(e.getMessage().contains("Empty"), e.getMessage());
  }

  @Test
  void theKeystoreKekIsOneInitOneAadOneDoFinal() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    KeyGenerator g = KeyGenerator.getInstance("AES");
    g.init(256);
    char[] pw = "test".toCharArray();
    ks.setEntry("k", new KeyStore.SecretKeyEntry(g.generateKey()), new KeyStore.PasswordProtection(pw));
    AndroidKeystoreKek kek = AndroidKeystoreKek.create("k", ks, pw);
    EncryptionContext ctx = EncryptionContext.builder().put("a", "b").build();
    spy.reset();
    byte[] dek = new byte[32];
    kek.unwrap(kek.wrap(dek, ctx), ctx);
    assertEquals(2, spy.inits.get());
    assertEquals(2, spy.aadUpdates.get());
    assertEquals(2, spy.doFinals.get());
    assertEquals(0, spy.updates.get());
    assertEquals(AndroidKeystoreKek.class.getName(), spy.callers.get("doFinal"));
  }

  @Test
  void theSpyWouldSeeAnUpdateSplitIfThereWereOne() throws Exception {
    // The instrument itself: a split update + doFinal, the pattern Android 23 breaks on, is seen.
    javax.crypto.Cipher c = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
    c.init(
        javax.crypto.Cipher.ENCRYPT_MODE,
        new javax.crypto.spec.SecretKeySpec(new byte[32], "AES"),
        new javax.crypto.spec.GCMParameterSpec(128, new byte[12]));
    spy.reset();
    c.update(new byte[100]);
    c.doFinal();
    assertEquals(SpyProvider.NAME, c.getProvider().getName());
    assertEquals(1, spy.updates.get());
    assertEquals(java.util.List.of(0), spy.doFinalLengths);
  }

  private void assertOneShot(String what, int chunks) {
    assertOneShot(spy, what, chunks);
  }

  private static void assertOneShot(SpyProvider spy, String what, int chunks) {
    assertEquals(chunks, spy.inits.get(), what + ": init calls");
    assertEquals(chunks, spy.doFinals.get(), what + ": doFinal calls");
    assertEquals(0, spy.updates.get(), what + ": update calls");
    assertEquals(0, spy.aadUpdates.get(), what + ": updateAAD calls (chunks have empty AAD)");
    assertEquals(Cobblestone.class.getName(), spy.callers.get("init"), what + ": init caller");
    assertEquals(Cobblestone.class.getName(), spy.callers.get("doFinal"), what + ": doFinal caller");
  }

  /** Expected doFinal input lengths: full chunks, then the short (possibly empty) final one. */
  private static java.util.List<Integer> chunkLengths(int size, int tag) {
    java.util.List<Integer> l = new java.util.ArrayList<>();
    int full = size / Cobblestone.CHUNK_PLAINTEXT_BYTES;
    l.addAll(Collections.nCopies(full, Cobblestone.CHUNK_PLAINTEXT_BYTES + tag));
    l.add(size - full * Cobblestone.CHUNK_PLAINTEXT_BYTES + tag);
    return l;
  }

  private static byte[] readInSmallPieces(InputStream in) throws java.io.IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] buf = new byte[777];
    int n;
    while ((n = in.read(buf)) != -1) {
      b.write(buf, 0, n);
    }
    return b.toByteArray();
  }
}
