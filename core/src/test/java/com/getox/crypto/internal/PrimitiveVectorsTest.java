package com.getox.crypto.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.AuthenticationException;
import com.getox.crypto.VectorsAccess;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The primitives core wraps by hand run the Wycheproof (and RFC 5869) vectors: AES-256-GCM as
 * {@link Cobblestone#sealChunk}/{@link Cobblestone#openChunk} use it, and {@link HkdfExpand}.
 * Each file prints one summary line with its counts and skip reasons.
 */
class PrimitiveVectorsTest {

  @Test
  void wycheproofAesGcmThroughCobblestoneChunks() throws Exception {
    Map<String, Object> root = VectorsAccess.json("wycheproof/aes_gcm_test.json");
    int total = 0;
    int validPassed = 0;
    int invalidRejected = 0;
    Map<String, Integer> skipped = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    java.util.Set<Long> passedIds = new java.util.TreeSet<>();
    java.util.Set<Long> rejectedIds = new java.util.TreeSet<>();
    for (Map<String, Object> g : VectorsAccess.list(root.get("testGroups"))) {
      long keyBits = (Long) g.get("keySize");
      long ivBits = (Long) g.get("ivSize");
      long tagBits = (Long) g.get("tagSize");
      for (Map<String, Object> t : VectorsAccess.list(g.get("tests"))) {
        total++;
        long tcId = (Long) t.get("tcId");
        byte[] key = VectorsAccess.hex(t.get("key"));
        byte[] iv = VectorsAccess.hex(t.get("iv"));
        byte[] aad = VectorsAccess.hex(t.get("aad"));
        byte[] msg = VectorsAccess.hex(t.get("msg"));
        byte[] ct = VectorsAccess.hex(t.get("ct"));
        byte[] tag = VectorsAccess.hex(t.get("tag"));
        boolean valid = t.get("result").equals("valid");
        assertTrue(valid || t.get("result").equals("invalid"), "tc" + tcId + " result");
        try {
          if (keyBits != 256) {
            skipped.merge("key size " + keyBits + " (Cobblestone-256 uses 256-bit keys)", 1, Integer::sum);
            continue;
          }
          if (tagBits != 128) {
            skipped.merge("tag size " + tagBits, 1, Integer::sum);
            continue;
          }
          if (ivBits != 96) {
            // Cobblestone only takes 96-bit nonces: its raw() guard must refuse every other size.
            assertThrows(GeneralSecurityException.class, () -> Cobblestone.raw(key, iv));
            if (valid) {
              skipped.merge("IV size other than 96 bits (raw() refuses it)", 1, Integer::sum);
            } else {
              invalidRejected++; // the 0-bit IV cases: refused before any AES
            }
            continue;
          }
          if (aad.length > 0) {
            skipped.merge("non-empty AAD (Cobblestone chunks have empty AAD)", 1, Integer::sum);
            continue;
          }
          byte[] sealed = concat(ct, tag);
          // Index 0 uses the base nonce as is; a random index with a pre-XORed base nonce must
          // land on the same nonce, which also checks the big-endian counter XOR.
          long index = new Random(tcId).nextLong() & (Cobblestone.MAX_CHUNKS - 1);
          for (long i : new long[] {0, index}) {
            Cobblestone c = Cobblestone.raw(key, xorIndex(iv, i));
            if (valid) {
              byte[] out = new byte[msg.length + 16];
              assertEquals(out.length, c.sealChunk(i, msg, 0, msg.length, out, 0));
              assertArrayEquals(sealed, out, "seal");
              byte[] plain = new byte[msg.length];
              assertEquals(msg.length, c.openChunk(i, sealed, 0, sealed.length, plain, 0));
              assertArrayEquals(msg, plain, "open");
            } else {
              byte[] plain = new byte[Math.max(sealed.length, 16)];
              assertThrows(
                  AuthenticationException.class,
                  () -> c.openChunk(i, sealed, 0, sealed.length, plain, 0));
            }
          }
          if (valid) {
            validPassed++;
            passedIds.add(tcId);
          } else {
            invalidRejected++;
            rejectedIds.add(tcId);
          }
        } catch (AssertionError | Exception e) {
          failures.add("tc" + tcId + " (" + t.get("comment") + "): " + e);
        }
      }
    }
    int skips = skipped.values().stream().mapToInt(Integer::intValue).sum();
    System.out.println(
        "[conformance] wycheproof/aes_gcm_test.json via Cobblestone.sealChunk/openChunk: "
            + total
            + " tests; valid passed "
            + validPassed
            + ", invalid rejected "
            + invalidRejected
            + ", skipped "
            + skips
            + " "
            + skipped);
    assertTrue(failures.isEmpty(), String.join("\n", failures));
    assertEquals(((Number) root.get("numberOfTests")).intValue(), total);
    // Exact counts, and named cases that must have run: the empty and one-byte messages, the
    // 16-byte-boundary lengths, the two GCM special cases, and tags flipped at both ends.
    assertEquals(21, validPassed);
    assertEquals(27, rejectedIds.size()); // the modified tags with a 96-bit IV; the other 2 have a 0-bit IV
    assertEquals(29, invalidRejected);
    assertTrue(passedIds.containsAll(Arrays.asList(93L, 94L, 97L, 98L, 115L, 128L, 129L)), passedIds.toString());
    assertTrue(rejectedIds.containsAll(Arrays.asList(130L, 148L, 152L, 153L, 156L)), rejectedIds.toString());
  }

  @Test
  void wycheproofHkdfSha512ThroughHkdfExpand() throws Exception {
    hkdfFile("wycheproof/hkdf_sha512_test.json", "HmacSHA512", 64, 83, new java.util.TreeSet<>(Arrays.asList(22L, 45L, 68L)));
  }

  @Test
  void wycheproofHkdfSha256ThroughHkdfExpand() throws Exception {
    hkdfFile("wycheproof/hkdf_sha256_test.json", "HmacSHA256", 32, 86, new java.util.TreeSet<>(Arrays.asList(25L, 48L, 74L)));
  }

  private static void hkdfFile(String file, String mac, int hashLen, int expectedTotal, java.util.Set<Long> expectedRejected)
      throws Exception {
    Map<String, Object> root = VectorsAccess.json(file);
    int total = 0;
    int validPassed = 0;
    int invalidRejected = 0;
    List<String> failures = new ArrayList<>();
    java.util.Set<Long> rejectedIds = new java.util.TreeSet<>();
    for (Map<String, Object> g : VectorsAccess.list(root.get("testGroups"))) {
      for (Map<String, Object> t : VectorsAccess.list(g.get("tests"))) {
        total++;
        long tcId = (Long) t.get("tcId");
        byte[] ikm = VectorsAccess.hex(t.get("ikm"));
        byte[] salt = VectorsAccess.hex(t.get("salt"));
        byte[] info = VectorsAccess.hex(t.get("info"));
        int size = ((Long) t.get("size")).intValue();
        byte[] okm = VectorsAccess.hex(t.get("okm"));
        boolean valid = t.get("result").equals("valid");
        try {
          byte[] prk = extract(mac, hashLen, salt, ikm);
          if (valid) {
            assertArrayEquals(okm, HkdfExpand.expand(mac, prk, info, size));
            validPassed++;
          } else {
            assertThrows(GeneralSecurityException.class, () -> HkdfExpand.expand(mac, prk, info, size));
            invalidRejected++;
            rejectedIds.add(tcId);
          }
        } catch (AssertionError | Exception e) {
          failures.add("tc" + tcId + " (" + t.get("comment") + "): " + e);
        }
      }
    }
    System.out.println(
        "[conformance] "
            + file
            + " via HkdfExpand (Extract by javax.crypto.Mac in the test): "
            + total
            + " tests; valid passed "
            + validPassed
            + ", invalid rejected "
            + invalidRejected
            + ", skipped 0");
    assertTrue(failures.isEmpty(), String.join("\n", failures));
    assertEquals(expectedTotal, total);
    assertEquals(((Number) root.get("numberOfTests")).intValue(), total);
    assertEquals(3, invalidRejected); // the SizeTooLarge cases
    assertEquals(expectedRejected, rejectedIds);
    assertEquals(total - 3, validPassed);
  }

  /**
   * {@code hmac_sha256_test.json} through {@link HkdfExpand}. Ox never calls HMAC on a message of
   * its own: HMAC-SHA-256 appears only inside HKDF, as JCA's {@code HmacSHA256}, used unchanged. The
   * one place Ox's code shapes an HMAC input is HkdfExpand's first block, HMAC(prk, info || 0x01),
   * truncated to the requested length. So a Wycheproof HMAC case reaches Ox's code exactly when
   * its message ends in 0x01: expand(key, msg without the 0x01, tagSize) must equal the tag for a
   * valid case and differ for an invalid one. The file has one such case (tcId 84); the other 173
   * test JCA's HMAC and are skipped.
   */
  @Test
  void wycheproofHmacSha256ThroughHkdfExpandFirstBlock() throws Exception {
    Map<String, Object> root = VectorsAccess.json("wycheproof/hmac_sha256_test.json");
    int total = 0;
    java.util.Set<Long> ran = new java.util.TreeSet<>();
    for (Map<String, Object> g : VectorsAccess.list(root.get("testGroups"))) {
      int tagBytes = ((Long) g.get("tagSize")).intValue() / 8;
      for (Map<String, Object> t : VectorsAccess.list(g.get("tests"))) {
        total++;
        byte[] msg = VectorsAccess.hex(t.get("msg"));
        if (msg.length == 0 || msg[msg.length - 1] != 1) {
          continue;
        }
        byte[] key = VectorsAccess.hex(t.get("key"));
        byte[] tag = VectorsAccess.hex(t.get("tag"));
        byte[] out = HkdfExpand.expand("HmacSHA256", key, Arrays.copyOf(msg, msg.length - 1), tagBytes);
        long tcId = (Long) t.get("tcId");
        assertEquals(t.get("result").equals("valid"), Arrays.equals(tag, out), "tc" + tcId);
        ran.add(tcId);
      }
    }
    System.out.println(
        "[conformance] wycheproof/hmac_sha256_test.json via HkdfExpand's first block: "
            + total + " tests; " + ran.size() + " ran " + ran
            + ", skipped " + (total - ran.size()) + " (message does not end in 0x01: JCA's HMAC alone)");
    assertEquals(174, total);
    assertEquals(java.util.Collections.singleton(84L), ran);
  }

  @Test
  void rfc5869Sha256ThroughHkdfExpand() throws Exception {
    Map<String, Object> root = VectorsAccess.json("rfc5869/rfc5869_sha256.json");
    int passed = 0;
    for (Map<String, Object> t : VectorsAccess.list(root.get("tests"))) {
      assertEquals("SHA-256", t.get("hash"));
      byte[] prk = extract("HmacSHA256", 32, VectorsAccess.hex(t.get("salt")), VectorsAccess.hex(t.get("ikm")));
      assertArrayEquals(VectorsAccess.hex(t.get("prk")), prk, t.get("name") + " PRK");
      byte[] okm =
          HkdfExpand.expand(
              "HmacSHA256", prk, VectorsAccess.hex(t.get("info")), ((Long) t.get("L")).intValue());
      assertArrayEquals(VectorsAccess.hex(t.get("okm")), okm, t.get("name") + " OKM");
      passed++;
    }
    System.out.println(
        "[conformance] rfc5869/rfc5869_sha256.json via HkdfExpand: "
            + passed
            + " tests; valid passed "
            + passed
            + ", invalid rejected 0, skipped 0");
    assertEquals(3, passed);
  }

  @Test
  void hkdfExpandRejectsOutOfRangeLengths() throws Exception {
    byte[] prk = new byte[64];
    assertEquals(255 * 64, HkdfExpand.expand("HmacSHA512", prk, new byte[0], 255 * 64).length);
    assertThrows(GeneralSecurityException.class, () -> HkdfExpand.expand("HmacSHA512", prk, new byte[0], 255 * 64 + 1));
    assertThrows(GeneralSecurityException.class, () -> HkdfExpand.expand("HmacSHA512", prk, new byte[0], -1));
    assertEquals(0, HkdfExpand.expand("HmacSHA512", prk, new byte[0], 0).length);
  }

  /** HKDF-Extract (RFC 5869 2.2): HMAC(salt, ikm), an empty salt meaning HashLen zero bytes. */
  static byte[] extract(String mac, int hashLen, byte[] salt, byte[] ikm) throws Exception {
    Mac m = Mac.getInstance(mac);
    m.init(new SecretKeySpec(salt.length == 0 ? new byte[hashLen] : salt, mac));
    return m.doFinal(ikm);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** The base nonce that makes chunk {@code index} use {@code nonce}. */
  static byte[] xorIndex(byte[] nonce, long index) {
    byte[] out = nonce.clone();
    for (int i = 0; i < 8; i++) {
      out[out.length - 1 - i] ^= (byte) (index >>> (8 * i));
    }
    return out;
  }
}
