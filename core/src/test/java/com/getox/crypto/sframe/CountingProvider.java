package com.getox.crypto.sframe;

import java.nio.ByteBuffer;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.CipherSpi;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.ShortBufferException;

/**
 * A JCA provider whose AES/GCM/NoPadding and AES/CTR/NoPadding log every call the {@link Cipher}
 * front end makes ({@code "GCM init"}, {@code "CTR doFinal 37"}: operation and input length),
 * then delegate to the first other provider that has them (SunJCE on a stock JDK). For counting the work a code path does, not for timing it.
 */
public final class CountingProvider extends Provider {
  private static final long serialVersionUID = 1L;
  final List<String> calls = new ArrayList<>();
  /** Every AES-GCM encryption's key and nonce, as {@code hex(key) + ":" + hex(nonce)}. */
  public final List<String> gcmSeals = new ArrayList<>();

  public CountingProvider() {
    super("OxCounting", "1.0", "logs AES-GCM and AES-CTR calls, delegates to the next provider");
    for (String mode : new String[] {"GCM", "CTR"}) {
      putService(new Service(this, "Cipher", "AES/" + mode + "/NoPadding", Spi.class.getName(), null, null) {
        @Override
        public Object newInstance(Object param) {
          return new Spi(CountingProvider.this, mode);
        }
      });
    }
  }

  synchronized List<String> take() {
    List<String> out = new ArrayList<>(calls);
    calls.clear();
    return out;
  }

  synchronized void log(String mode, String op, int len) {
    calls.add(mode + " " + op + (len < 0 ? "" : " " + len));
  }

  static final class Spi extends CipherSpi {
    private final CountingProvider log;
    private final String mode;
    private final Cipher d;

    Spi(CountingProvider log, String mode) {
      this.log = log;
      this.mode = mode;
      try {
        this.d = delegate("AES/" + mode + "/NoPadding");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    /**
     * The first installed provider's cipher other than this one: SunJCE on a stock JDK, the
     * provider under test in android-compat's matrix (which may remove SunJCE's AES).
     */
    private static Cipher delegate(String transformation) throws GeneralSecurityException {
      for (java.security.Provider p : java.security.Security.getProviders()) {
        if (p instanceof CountingProvider) {
          continue;
        }
        try {
          return Cipher.getInstance(transformation, p); // SunJCE has CTR as a mode of "AES"
        } catch (java.security.NoSuchAlgorithmException | NoSuchPaddingException notHere) {
          // the next one
        }
      }
      throw new java.security.NoSuchAlgorithmException(transformation);
    }

    @Override
    protected void engineSetMode(String m) throws NoSuchAlgorithmException {
      if (!mode.equalsIgnoreCase(m)) {
        throw new NoSuchAlgorithmException(m);
      }
    }

    @Override
    protected void engineSetPadding(String padding) throws NoSuchPaddingException {
      if (!"NoPadding".equalsIgnoreCase(padding)) {
        throw new NoSuchPaddingException(padding);
      }
    }

    @Override
    protected int engineGetBlockSize() {
      return d.getBlockSize();
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
    protected void engineInit(int opmode, Key key, SecureRandom random) throws InvalidKeyException {
      log.log(mode, "init", -1);
      d.init(opmode, key, random);
    }

    @Override
    protected void engineInit(int opmode, Key key, AlgorithmParameterSpec params, SecureRandom random)
        throws InvalidKeyException, InvalidAlgorithmParameterException {
      log.log(mode, "init", -1);
      if (opmode == Cipher.ENCRYPT_MODE && params instanceof javax.crypto.spec.GCMParameterSpec) {
        synchronized (log) {
          log.gcmSeals.add(
              com.google.crypto.tink.subtle.Hex.encode(key.getEncoded())
                  + ":"
                  + com.google.crypto.tink.subtle.Hex.encode(
                      ((javax.crypto.spec.GCMParameterSpec) params).getIV()));
        }
      }
      d.init(opmode, key, params, random);
    }

    @Override
    protected void engineInit(int opmode, Key key, AlgorithmParameters params, SecureRandom random)
        throws InvalidKeyException, InvalidAlgorithmParameterException {
      log.log(mode, "init", -1);
      d.init(opmode, key, params, random);
    }

    @Override
    protected byte[] engineUpdate(byte[] input, int off, int len) {
      log.log(mode, "update", len);
      return d.update(input == null ? new byte[0] : input, off, len);
    }

    @Override
    protected int engineUpdate(byte[] input, int off, int len, byte[] out, int outOff) throws ShortBufferException {
      log.log(mode, "update", len);
      return d.update(input, off, len, out, outOff);
    }

    @Override
    protected void engineUpdateAAD(byte[] src, int off, int len) {
      log.log(mode, "updateAAD", len);
      d.updateAAD(src, off, len);
    }

    @Override
    protected void engineUpdateAAD(ByteBuffer src) {
      log.log(mode, "updateAAD", src.remaining());
      d.updateAAD(src);
    }

    @Override
    protected byte[] engineDoFinal(byte[] input, int off, int len) throws IllegalBlockSizeException, BadPaddingException {
      log.log(mode, "doFinal", len);
      return d.doFinal(input == null ? new byte[0] : input, off, len);
    }

    @Override
    protected int engineDoFinal(byte[] input, int off, int len, byte[] out, int outOff)
        throws ShortBufferException, IllegalBlockSizeException, BadPaddingException {
      log.log(mode, "doFinal", len);
      return d.doFinal(input, off, len, out, outOff);
    }
  }
}
