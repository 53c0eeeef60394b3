package com.getox.crypto.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.security.Security;
import java.util.Arrays;
import javax.crypto.Cipher;
import org.junit.jupiter.api.Test;

/**
 * What the benchmarks measure must be correct: recordings written on one provider (in 1 MiB
 * pieces, which takes Conscrypt's slice-copy path, and in 640 B pieces) read back on every other.
 */
class ProviderRoundTripTest {
  static final int LENGTH = 3 * (1 << 20) + 12345;

  static byte[] write(Recordings r, byte[] plain, int piece) throws Exception {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (RecordingWriter w = r.newWriter(bos, Fixtures.CONTEXT)) {
      for (int off = 0; off < plain.length; off += piece) {
        w.write(plain, off, Math.min(piece, plain.length - off));
      }
    }
    return bos.toByteArray();
  }

  static byte[] read(Recordings r, byte[] ct) throws Exception {
    try (InputStream in = r.newInputStream(new ByteArrayInputStream(ct), ReadOptions.defaults())) {
      return in.readAllBytes();
    }
  }

  static String aesGcmProvider() throws Exception {
    return Cipher.getInstance("AES/GCM/NoPadding").getProvider().getName();
  }

  @Test
  void recordingsCrossProviders() throws Exception {
    Recordings r = Fixtures.recordings(Fixtures.newLocalKek());
    byte[] plain = Fixtures.bytes(LENGTH, 17);
    assertEquals("SunJCE", aesGcmProvider());
    byte[] sunBig = write(r, plain, 1 << 20);
    try {
      Providers.install(Providers.CONSCRYPT);
      assertEquals("Conscrypt", aesGcmProvider());
      byte[] conBig = write(r, plain, 1 << 20);
      byte[] conSmall = write(r, plain, 640);
      assertArrayEquals(plain, read(r, sunBig));
      assertArrayEquals(plain, read(r, conBig));
      Security.removeProvider("Conscrypt");

      Providers.install(Providers.ACCP);
      byte[] accpBig = write(r, plain, 1 << 20);
      assertArrayEquals(plain, read(r, conBig));
      assertArrayEquals(plain, read(r, conSmall));
      Security.removeProvider(AmazonCorrettoCryptoProvider.PROVIDER_NAME);

      assertEquals("SunJCE", aesGcmProvider());
      assertArrayEquals(plain, read(r, accpBig));
      assertArrayEquals(plain, read(r, conBig));
    } finally {
      Security.removeProvider("Conscrypt");
      Security.removeProvider(AmazonCorrettoCryptoProvider.PROVIDER_NAME);
    }
  }

  @Test
  void ceilingAndOursAgreeOnTheChunkFormat() throws Exception {
    // The ceiling seals exactly what a Cobblestone chunk is: check one chunk against core.
    Throughput.Ceiling c = new Throughput.Ceiling();
    c.provider = Providers.SUNJCE;
    c.cipher = Cipher.getInstance("AES/GCM/NoPadding");
    c.key = new javax.crypto.spec.SecretKeySpec(Fixtures.bytes(32, 2), "AES");
    c.baseNonce = Fixtures.bytes(12, 3);
    byte[] plain = Fixtures.bytes(Throughput.CHUNK, 4);
    byte[] ours = new byte[Throughput.CHUNK + 16];
    byte[] theirs = new byte[Throughput.CHUNK + 16];
    com.getox.crypto.internal.Cobblestone cob =
        com.getox.crypto.internal.Cobblestone.raw(c.key.getEncoded(), c.baseNonce);
    cob.sealChunk(5, plain, 0, plain.length, ours, 0);
    c.seal(5, plain, theirs);
    assertArrayEquals(ours, theirs);
    byte[] back = new byte[Throughput.CHUNK];
    c.open(5, theirs, back);
    assertArrayEquals(plain, back);
    assertEquals(false, Arrays.equals(ours, new byte[ours.length]));
  }
}
