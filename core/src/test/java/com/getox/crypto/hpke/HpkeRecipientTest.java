package com.getox.crypto.hpke;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.AuthenticationException;
import com.getox.crypto.EncryptionContext;
import com.getox.crypto.UnsupportedFormatException;
import com.getox.crypto.kek.NotMyKeyException;
import com.getox.crypto.kek.WrappedKey;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.hybrid.HpkeParameters;
import com.google.crypto.tink.hybrid.HpkePublicKey;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link HpkeRecipient} directly. No RFC 9180 vectors run here: none are in ../shared/vectors
 * (none were available offline), and they would not apply as they stand: every encryption vector
 * of RFC 9180 Appendix A has non-empty associated data ("Count-0", ...), while Tink's
 * HybridEncrypt, which HpkeRecipient uses, runs HPKE base mode single-shot with the context as
 * {@code info} and empty associated data. What is checked instead: the shape of a wrapped key
 * (enc of 32 bytes, the data key, a 16-byte tag, no Tink prefix), the binding to the recipient
 * and to the context, every single-bit change, public-key-only recipients, the URI derivation,
 * and refusal of other HPKE parameter sets.
 */
class HpkeRecipientTest {
  static final EncryptionContext CTX = EncryptionContext.builder().put("user-id", "u").put("r", "1").build();

  @Test
  void wrapsForTheRecipientOnlyInTheSameContext() throws Exception {
    HpkeRecipient alice = HpkeRecipient.generate();
    byte[] dek = new byte[32];
    new Random(1).nextBytes(dek);
    WrappedKey w = alice.wrap(dek, CTX);
    assertEquals(alice.uri(), w.kekUri());
    assertEquals(HpkeRecipient.ALGORITHM, w.algorithm());
    assertEquals("", w.kekVersion());
    // X25519 enc (32) || AES-256-GCM(dek) (32) || tag (16): HPKE base mode, no Tink prefix.
    assertEquals(32 + dek.length + 16, w.wrappedLength());
    assertArrayEquals(dek, alice.unwrap(w, CTX));
    assertFalse(Arrays.equals(w.wrappedBytes(), alice.wrap(dek, CTX).wrappedBytes()), "a fresh ephemeral key per wrap");

    EncryptionContext other = EncryptionContext.builder().put("user-id", "u").put("r", "2").build();
    assertThrows(AuthenticationException.class, () -> alice.unwrap(w, other));
    assertThrows(AuthenticationException.class, () -> alice.unwrap(w, EncryptionContext.builder().build()));

    HpkeRecipient bob = HpkeRecipient.generate();
    assertThrows(NotMyKeyException.class, () -> bob.unwrap(w, CTX));
    // Bob's key under Alice's URI: the URI matches, the key does not.
    WrappedKey relabelled = WrappedKey.create(bob.uri(), "", HpkeRecipient.ALGORITHM, w.wrappedBytes());
    assertThrows(AuthenticationException.class, () -> bob.unwrap(relabelled, CTX));
    WrappedKey otherAlgorithm = WrappedKey.create(alice.uri(), "", "hpke-p256", w.wrappedBytes());
    assertThrows(UnsupportedFormatException.class, () -> alice.unwrap(otherAlgorithm, CTX));
  }

  @Test
  void everySingleBitFlipFailsAuthentication() throws Exception {
    HpkeRecipient alice = HpkeRecipient.generate();
    byte[] dek = new byte[32];
    WrappedKey w = alice.wrap(dek, CTX);
    byte[] bytes = w.wrappedBytes();
    int failed = 0;
    for (int bit = 0; bit < 8 * bytes.length; bit++) {
      byte[] b = bytes.clone();
      b[bit / 8] ^= (byte) (1 << (bit % 8));
      WrappedKey t = WrappedKey.create(w.kekUri(), "", w.algorithm(), b);
      assertThrows(AuthenticationException.class, () -> alice.unwrap(t, CTX), "bit " + bit);
      failed++;
    }
    assertEquals(8 * 80, failed);
    for (int len : new int[] {1, 31, 32, 47, 48, 79}) {
      WrappedKey cut = WrappedKey.create(w.kekUri(), "", w.algorithm(), Arrays.copyOf(bytes, len));
      assertThrows(AuthenticationException.class, () -> alice.unwrap(cut, CTX), "cut to " + len);
    }
  }

  @Test
  void publicKeyOnlyRecipientsWrapButNeverUnwrap() throws Exception {
    HpkeRecipient alice = HpkeRecipient.generate();
    HpkeRecipient toAlice = HpkeRecipient.fromPublicKeyset(alice.publicKeysetJson());
    assertFalse(toAlice.hasPrivateKey());
    assertTrue(alice.hasPrivateKey());
    assertEquals(alice.uri(), toAlice.uri());
    byte[] dek = new byte[32];
    dek[0] = 9;
    WrappedKey w = toAlice.wrap(dek, CTX);
    assertArrayEquals(dek, alice.unwrap(w, CTX));
    assertThrows(NotMyKeyException.class, () -> toAlice.unwrap(w, CTX));
    assertThrows(java.security.GeneralSecurityException.class, toAlice::insecurePrivateKeysetJson);
    assertFalse(alice.publicKeysetJson().contains("privateKey"), "the public keyset holds no secret");
    assertFalse(toAlice.toString().contains("private"), toAlice.toString());

    HpkeRecipient restored = HpkeRecipient.fromInsecurePrivateKeyset(alice.insecurePrivateKeysetJson());
    assertEquals(alice.uri(), restored.uri());
    assertArrayEquals(dek, restored.unwrap(w, CTX));
  }

  @Test
  void uriIsTheFirst16BytesOfSha256OfThePublicKey() throws Exception {
    HpkeRecipient alice = HpkeRecipient.generate();
    KeysetHandle pub = TinkJsonProtoKeysetFormat.parseKeysetWithoutSecret(alice.publicKeysetJson());
    byte[] key = ((HpkePublicKey) pub.getPrimary().getKey()).getPublicKeyBytes().toByteArray();
    assertEquals(32, key.length);
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < 16; i++) {
      hex.append(String.format("%02x", digest[i]));
    }
    assertEquals("hpke://x25519/" + hex, alice.uri());
    assertFalse(alice.uri().equals(HpkeRecipient.generate().uri()));
  }

  @Test
  void refusesOtherHpkeParameterSets() throws Exception {
    HpkeParameters[] others = {
      HpkeParameters.builder().setKemId(HpkeParameters.KemId.DHKEM_P256_HKDF_SHA256).setKdfId(HpkeParameters.KdfId.HKDF_SHA256)
          .setAeadId(HpkeParameters.AeadId.AES_256_GCM).setVariant(HpkeParameters.Variant.NO_PREFIX).build(),
      HpkeParameters.builder().setKemId(HpkeParameters.KemId.DHKEM_X25519_HKDF_SHA256).setKdfId(HpkeParameters.KdfId.HKDF_SHA256)
          .setAeadId(HpkeParameters.AeadId.AES_128_GCM).setVariant(HpkeParameters.Variant.NO_PREFIX).build(),
      HpkeParameters.builder().setKemId(HpkeParameters.KemId.DHKEM_X25519_HKDF_SHA256).setKdfId(HpkeParameters.KdfId.HKDF_SHA256)
          .setAeadId(HpkeParameters.AeadId.AES_256_GCM).setVariant(HpkeParameters.Variant.TINK).build(),
    };
    for (HpkeParameters p : others) {
      KeysetHandle priv = KeysetHandle.generateNew(p);
      String pubJson = TinkJsonProtoKeysetFormat.serializeKeysetWithoutSecret(priv.getPublicKeysetHandle());
      assertThrows(UnsupportedFormatException.class, () -> HpkeRecipient.fromPublicKeyset(pubJson), p.toString());
    }
  }
}
