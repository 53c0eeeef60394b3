package com.getox.crypto.android;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.getox.crypto.AuthenticationException;
import com.getox.crypto.internal.Cobblestone;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The same key, salt, context and input give byte-identical Cobblestone bodies on SunJCE,
 * Conscrypt and Bouncy Castle, and each provider opens the others' output (through {@link
 * Cobblestone}, the SDK's own chunk code, with each provider in turn at position 1). A provider
 * that does not load fails the test.
 */
class ProviderEquivalenceTest {
  private static final String[] PROVIDERS = {"SunJCE", "Conscrypt", "BC"};
  private static final byte[] KEY = new byte[32];
  private static final byte[] SALT = new byte[24];
  private static final byte[] CONTEXT = "ox equivalence context".getBytes(StandardCharsets.UTF_8);
  private static final int[] SIZES = {0, 1, 640, 16383, 16384, 2 * 16384 + 100};

  static {
    for (int i = 0; i < 32; i++) {
      KEY[i] = (byte) (i * 7 + 1);
    }
    for (int i = 0; i < 24; i++) {
      SALT[i] = (byte) (0xA0 + i);
    }
  }

  private ProviderOrder order;

  @BeforeEach
  void save() {
    order = ProviderOrder.snapshot();
  }

  @AfterEach
  void restore() {
    order.restore();
  }

  @Test
  void bodiesAreByteIdenticalAcrossProviders() throws Exception {
    for (int size : SIZES) {
      byte[] input = input(size);
      Map<String, byte[]> bodies = new LinkedHashMap<>();
      for (String name : PROVIDERS) {
        use(name);
        bodies.put(name, seal(input));
      }
      byte[] reference = bodies.get("SunJCE");
      assertEquals(Cobblestone.bodyLength(size), reference.length);
      for (Map.Entry<String, byte[]> e : bodies.entrySet()) {
        assertArrayEquals(reference, e.getValue(), e.getKey() + " differs from SunJCE at " + size);
      }
      for (String name : PROVIDERS) {
        use(name);
        for (Map.Entry<String, byte[]> e : bodies.entrySet()) {
          assertArrayEquals(input, open(e.getValue()), name + " opening " + e.getKey() + "'s");
        }
      }
      System.out.println(
          "[equivalence] " + size + " B: SHA-256 " + hex(sha256(reference)) + " on " + bodies.keySet());
    }
  }

  @Test
  void everyProviderRejectsATamperedChunk() throws Exception {
    byte[] body = seal(input(16384 + 10));
    body[Cobblestone.PREFIX_BYTES + 16384 + 3] ^= 1; // inside the final chunk
    for (String name : PROVIDERS) {
      use(name);
      assertThrows(AuthenticationException.class, () -> open(body), name);
    }
  }

  private static void use(String name) throws Exception {
    MatrixProviderListener.install(name);
    assertEquals(name, Providers.aesGcmProvider().getName());
  }

  private static byte[] input(int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) (i * 31 + (i >>> 8));
    }
    return b;
  }

  /** The writer's chunking: full chunks, then a final chunk shorter than 16384 (maybe empty). */
  static byte[] seal(byte[] input) throws Exception {
    byte[] prefix = new byte[Cobblestone.PREFIX_BYTES];
    Cobblestone c = Cobblestone.seal(KEY.clone(), SALT.clone(), CONTEXT, prefix, null);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(prefix);
    byte[] chunk = new byte[Cobblestone.CHUNK_CIPHERTEXT_BYTES];
    long index = 0;
    int off = 0;
    while (true) {
      int len = Math.min(Cobblestone.CHUNK_PLAINTEXT_BYTES, input.length - off);
      boolean last = len < Cobblestone.CHUNK_PLAINTEXT_BYTES;
      int n = c.sealChunk(index++, input, off, len, chunk, 0);
      out.write(chunk, 0, n);
      off += len;
      if (last) {
        return out.toByteArray();
      }
    }
  }

  static byte[] open(byte[] body) throws Exception {
    Cobblestone c =
        Cobblestone.open(
            KEY.clone(),
            Arrays.copyOfRange(body, 0, Cobblestone.SALT_BYTES),
            CONTEXT,
            Arrays.copyOfRange(body, Cobblestone.SALT_BYTES, Cobblestone.PREFIX_BYTES),
            null);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] plain = new byte[Cobblestone.CHUNK_PLAINTEXT_BYTES];
    long index = 0;
    for (int off = Cobblestone.PREFIX_BYTES; off < body.length; ) {
      int len = Math.min(Cobblestone.CHUNK_CIPHERTEXT_BYTES, body.length - off);
      out.write(plain, 0, c.openChunk(index++, body, off, len, plain, 0));
      off += len;
    }
    return out.toByteArray();
  }

  private static byte[] sha256(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }

  private static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      sb.append(String.format("%02x", b[i]));
    }
    return sb.append("…").toString();
  }
}
