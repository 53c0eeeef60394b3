package com.getox.crypto.android;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyStoreSpi;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Collections;
import java.util.Date;
import java.util.Enumeration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.CipherSpi;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.SecretKey;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A JVM stand-in for the Android Keystore's documented contract, NOT the Keystore: a provider
 * registering {@code KeyStore.AndroidKeyStore} whose keys are opaque handles ({@code getEncoded()}
 * and {@code getFormat()} return null, as Keystore keys do), and an AES/GCM/NoPadding that accepts
 * only those handles, generates the IV itself on encrypt and refuses a caller-provided one (as
 * the Keystore does for randomized encryption). It lets the tests run {@code
 * AndroidKeystoreKek.create(alias)}, the public factory, through {@code
 * KeyStore.getInstance("AndroidKeyStore")} and JCA delayed provider selection, and checks that the
 * KEK never needs key bytes or an IV of its own choosing.
 */
final class KeystoreEmulation extends Provider {
  private static final long serialVersionUID = 1L;
  static final String NAME = "OxAndroidKeyStoreEmulation";

  /** Keys by alias: the emulated secure element. */
  static final Map<String, Handle> KEYS = new ConcurrentHashMap<>();

  static final AtomicInteger callerIvRefusals = new AtomicInteger();

  KeystoreEmulation() {
    super(NAME, "1.0", "emulates the Android Keystore's JCA contract for JVM tests");
    putService(
        new Service(this, "KeyStore", "AndroidKeyStore", Store.class.getName(), null, null) {
          @Override
          public Object newInstance(Object p) {
            return new Store();
          }
        });
    putService(
        new Service(
            this,
            "Cipher",
            "AES/GCM/NoPadding",
            Gcm.class.getName(),
            null,
            Collections.singletonMap("SupportedKeyClasses", Handle.class.getName())) {
          @Override
          public Object newInstance(Object p) {
            return new Gcm();
          }
        });
  }

  /** Creates a key in the emulated Keystore, as KeyGenParameterSpec + KeyGenerator would. */
  static void generate(String alias) throws GeneralSecurityException {
    javax.crypto.KeyGenerator g = javax.crypto.KeyGenerator.getInstance("AES", "SunJCE");
    g.init(256);
    KEYS.put(alias, new Handle(alias, (SecretKeySpec) new SecretKeySpec(g.generateKey().getEncoded(), "AES")));
  }

  /** An opaque key handle: no encoded form leaves the emulated Keystore. */
  static final class Handle implements SecretKey {
    private static final long serialVersionUID = 1L;
    final String alias;
    private final transient SecretKeySpec material;

    Handle(String alias, SecretKeySpec material) {
      this.alias = alias;
      this.material = material;
    }

    @Override
    public String getAlgorithm() {
      return "AES";
    }

    @Override
    public String getFormat() {
      return null;
    }

    @Override
    public byte[] getEncoded() {
      return null;
    }
  }

  public static final class Store extends KeyStoreSpi {
    @Override
    public Key engineGetKey(String alias, char[] password) {
      return KEYS.get(alias);
    }

    @Override
    public Certificate[] engineGetCertificateChain(String alias) {
      return null;
    }

    @Override
    public Certificate engineGetCertificate(String alias) {
      return null;
    }

    @Override
    public Date engineGetCreationDate(String alias) {
      return KEYS.containsKey(alias) ? new Date(0) : null;
    }

    @Override
    public void engineSetKeyEntry(String alias, Key key, char[] password, Certificate[] chain) {
      throw new UnsupportedOperationException("import is not emulated");
    }

    @Override
    public void engineSetKeyEntry(String alias, byte[] key, Certificate[] chain) {
      throw new UnsupportedOperationException("import is not emulated");
    }

    @Override
    public void engineSetCertificateEntry(String alias, Certificate cert) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void engineDeleteEntry(String alias) {
      KEYS.remove(alias);
    }

    @Override
    public Enumeration<String> engineAliases() {
      return Collections.enumeration(KEYS.keySet());
    }

    @Override
    public boolean engineContainsAlias(String alias) {
      return KEYS.containsKey(alias);
    }

    @Override
    public int engineSize() {
      return KEYS.size();
    }

    @Override
    public boolean engineIsKeyEntry(String alias) {
      return KEYS.containsKey(alias);
    }

    @Override
    public boolean engineIsCertificateEntry(String alias) {
      return false;
    }

    @Override
    public String engineGetCertificateAlias(Certificate cert) {
      return null;
    }

    @Override
    public void engineStore(OutputStream stream, char[] password) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void engineLoad(InputStream stream, char[] password) {
      if (stream != null) {
        throw new IllegalArgumentException("the Android Keystore loads with null");
      }
    }
  }

  public static final class Gcm extends CipherSpi {
    private final Cipher d;
    private final SecureRandom random = new SecureRandom();

    public Gcm() {
      try {
        d = Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    private static SecretKeySpec unwrapHandle(Key key) throws InvalidKeyException {
      if (!(key instanceof Handle)) {
        throw new InvalidKeyException("only Keystore key handles");
      }
      return ((Handle) key).material;
    }

    @Override
    protected void engineSetMode(String mode) {}

    @Override
    protected void engineSetPadding(String padding) {}

    @Override
    protected int engineGetBlockSize() {
      return 16;
    }

    @Override
    protected int engineGetOutputSize(int inputLen) {
      return d.getOutputSize(inputLen);
    }

    @Override
    protected byte[] engineGetIV() {
      return d.getIV();
    }

    @Override
    protected AlgorithmParameters engineGetParameters() {
      return d.getParameters();
    }

    @Override
    protected void engineInit(int opmode, Key key, SecureRandom r) throws InvalidKeyException {
      if (opmode != Cipher.ENCRYPT_MODE) {
        throw new InvalidKeyException("decryption needs the IV (GCMParameterSpec)");
      }
      byte[] iv = new byte[12];
      random.nextBytes(iv);
      try {
        d.init(opmode, unwrapHandle(key), new GCMParameterSpec(128, iv));
      } catch (InvalidAlgorithmParameterException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    protected void engineInit(int opmode, Key key, AlgorithmParameterSpec params, SecureRandom r)
        throws InvalidKeyException, InvalidAlgorithmParameterException {
      if (params == null) {
        engineInit(opmode, key, r);
        return;
      }
      if (opmode == Cipher.ENCRYPT_MODE) {
        callerIvRefusals.incrementAndGet();
        throw new InvalidAlgorithmParameterException(
            "Caller-provided IV not permitted"); // the Keystore's own message
      }
      d.init(opmode, unwrapHandle(key), params);
    }

    @Override
    protected void engineInit(int opmode, Key key, AlgorithmParameters params, SecureRandom r)
        throws InvalidKeyException, InvalidAlgorithmParameterException {
      try {
        engineInit(opmode, key, params == null ? null : params.getParameterSpec(GCMParameterSpec.class), r);
      } catch (java.security.spec.InvalidParameterSpecException e) {
        throw new InvalidAlgorithmParameterException(e);
      }
    }

    @Override
    protected byte[] engineUpdate(byte[] in, int off, int len) {
      return d.update(in, off, len);
    }

    @Override
    protected int engineUpdate(byte[] in, int off, int len, byte[] out, int outOff)
        throws ShortBufferException {
      return d.update(in, off, len, out, outOff);
    }

    @Override
    protected void engineUpdateAAD(byte[] src, int off, int len) {
      d.updateAAD(src, off, len);
    }

    @Override
    protected void engineUpdateAAD(ByteBuffer src) {
      d.updateAAD(src);
    }

    @Override
    protected byte[] engineDoFinal(byte[] in, int off, int len)
        throws IllegalBlockSizeException, BadPaddingException {
      return d.doFinal(in == null ? new byte[0] : in, off, len);
    }

    @Override
    protected int engineDoFinal(byte[] in, int off, int len, byte[] out, int outOff)
        throws ShortBufferException, IllegalBlockSizeException, BadPaddingException {
      return d.doFinal(in, off, len, out, outOff);
    }
  }
}
