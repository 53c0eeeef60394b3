package com.getox.crypto.android;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.getox.crypto.AuthenticationException;
import com.getox.crypto.EncryptionContext;
import com.getox.crypto.KmsException;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.kek.WrappedKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.Security;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AndroidKeystoreKek#create(String)}, the public factory, against {@link KeystoreEmulation}:
 * a JVM stand-in for the Android Keystore's JCA contract (opaque keys, IV chosen by the Keystore,
 * caller IVs refused on encrypt). Proves the KEK works under those constraints; it is an emulation
 * of the documented behaviour, not the Android Keystore.
 */
class AndroidKeystoreEmulationTest {
  private static final EncryptionContext CTX = EncryptionContext.builder().put("user-id", "u-7").build();
  private ProviderOrder order;

  @BeforeEach
  void install() throws Exception {
    order = ProviderOrder.snapshot();
    Security.addProvider(new KeystoreEmulation()); // last, as a keystore provider is
    KeystoreEmulation.KEYS.clear();
    KeystoreEmulation.generate("recordings");
  }

  @AfterEach
  void uninstall() {
    order.restore();
    KeystoreEmulation.KEYS.clear();
  }

  @Test
  void theEmulationRefusesCallerIvsAndHasNoKeyBytes() throws Exception {
    KeyStore ks = KeyStore.getInstance("AndroidKeyStore");
    ks.load(null);
    Key k = ks.getKey("recordings", null);
    assertNull(k.getEncoded());
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    int before = KeystoreEmulation.callerIvRefusals.get();
    // JCA's delayed provider selection reports the refusal as "no provider supports this key".
    assertThrows(
        GeneralSecurityException.class,
        () -> c.init(Cipher.ENCRYPT_MODE, k, new GCMParameterSpec(128, new byte[12])));
    assertEquals(before + 1, KeystoreEmulation.callerIvRefusals.get());
    Cipher fresh = Cipher.getInstance("AES/GCM/NoPadding"); // a failed init uses up `c`
    fresh.init(Cipher.ENCRYPT_MODE, k);
    assertEquals(KeystoreEmulation.NAME, fresh.getProvider().getName());
    assertEquals(12, fresh.getIV().length);
  }

  @Test
  void thePublicFactoryWrapsAndUnwrapsThroughTheKeystoreType() throws Exception {
    int refusalsBefore = KeystoreEmulation.callerIvRefusals.get();
    AndroidKeystoreKek kek = AndroidKeystoreKek.create("recordings");
    byte[] dek = new byte[32];
    new Random(3).nextBytes(dek);
    WrappedKey w = kek.wrap(dek, CTX);
    assertEquals("android-keystore://recordings", w.kekUri());
    assertArrayEquals(dek, kek.unwrap(w, CTX));
    assertThrows(AuthenticationException.class, () -> kek.unwrap(w, EncryptionContext.empty()));
    assertEquals(refusalsBefore, KeystoreEmulation.callerIvRefusals.get(), "the KEK offered an IV");

    KeystoreEmulation.KEYS.remove("recordings"); // e.g. KeyPermanentlyInvalidated + deleted
    assertThrows(KmsException.class, () -> kek.unwrap(w, CTX));
  }

  @Test
  void recordingsRoundTripUnderTheEmulatedKeystore() throws Exception {
    Recordings recordings = Recordings.builder().wrapWith(AndroidKeystoreKek.create("recordings")).build();
    byte[] pcm = new byte[40_000];
    new Random(5).nextBytes(pcm);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RecordingWriter w = recordings.newWriter(out, CTX)) {
      w.write(pcm, 0, pcm.length);
    }
    try (InputStream in =
        recordings.newInputStream(new ByteArrayInputStream(out.toByteArray()), ReadOptions.defaults())) {
      ByteArrayOutputStream back = new ByteArrayOutputStream();
      in.transferTo(back);
      assertArrayEquals(pcm, back.toByteArray());
    }
  }
}
