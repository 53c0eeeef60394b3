package com.getox.crypto.benchmarks;

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
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.CipherSpi;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.ShortBufferException;

/**
 * A JCA provider whose {@code AES/GCM/NoPadding} counts seals (a {@code doFinal} in encrypt mode)
 * and opens, then delegates to SunJCE. For counting the AES-GCM work a code path does, not for
 * timing it (every call goes through one more {@link Cipher}).
 *
 * <p>Installed at priority 1 ({@link java.security.Security#insertProviderAt}) it sees every
 * AES-GCM operation that asks JCA without naming a provider; given to {@code
 * Recordings.builder().cipherProvider(...)} it sees what core routes through that option.
 */
final class SealCounter extends Provider {
  private static final long serialVersionUID = 1L;
  private final AtomicLong seals = new AtomicLong();
  private final AtomicLong opens = new AtomicLong();

  SealCounter(String name) {
    super(name, "1.0", "counts AES-GCM seals and opens, delegates to SunJCE");
    putService(
        new Service(this, "Cipher", "AES/GCM/NoPadding", Spi.class.getName(), null, null) {
          @Override
          public Object newInstance(Object param) {
            return new Spi(SealCounter.this);
          }
        });
  }

  /** AES-GCM encryptions finished ({@code doFinal} in encrypt mode) so far. */
  long seals() {
    return seals.get();
  }

  /** AES-GCM decryptions finished so far. */
  long opens() {
    return opens.get();
  }

  static final class Spi extends CipherSpi {
    private final SealCounter counter;
    private final Cipher d;
    private boolean encrypting;

    Spi(SealCounter counter) {
      this.counter = counter;
      try {
        this.d = Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    private void count() {
      (encrypting ? counter.seals : counter.opens).incrementAndGet();
    }

    private void mode(int opmode) {
      encrypting = opmode == Cipher.ENCRYPT_MODE || opmode == Cipher.WRAP_MODE;
    }

    @Override
    protected void engineSetMode(String m) throws NoSuchAlgorithmException {
      if (!"GCM".equalsIgnoreCase(m)) {
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
      mode(opmode);
      d.init(opmode, key, random);
    }

    @Override
    protected void engineInit(
        int opmode, Key key, AlgorithmParameterSpec params, SecureRandom random)
        throws InvalidKeyException, InvalidAlgorithmParameterException {
      mode(opmode);
      d.init(opmode, key, params, random);
    }

    @Override
    protected void engineInit(int opmode, Key key, AlgorithmParameters params, SecureRandom random)
        throws InvalidKeyException, InvalidAlgorithmParameterException {
      mode(opmode);
      d.init(opmode, key, params, random);
    }

    @Override
    protected byte[] engineUpdate(byte[] input, int off, int len) {
      return d.update(input == null ? new byte[0] : input, off, len);
    }

    @Override
    protected int engineUpdate(byte[] input, int off, int len, byte[] out, int outOff)
        throws ShortBufferException {
      return d.update(input, off, len, out, outOff);
    }

    @Override
    protected int engineUpdate(ByteBuffer input, ByteBuffer output) throws ShortBufferException {
      return d.update(input, output);
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
    protected byte[] engineDoFinal(byte[] input, int off, int len)
        throws IllegalBlockSizeException, BadPaddingException {
      count();
      return d.doFinal(input == null ? new byte[0] : input, off, len);
    }

    @Override
    protected int engineDoFinal(byte[] input, int off, int len, byte[] out, int outOff)
        throws ShortBufferException, IllegalBlockSizeException, BadPaddingException {
      count();
      return d.doFinal(input, off, len, out, outOff);
    }

    @Override
    protected int engineDoFinal(ByteBuffer input, ByteBuffer output)
        throws ShortBufferException, IllegalBlockSizeException, BadPaddingException {
      count();
      return d.doFinal(input, output);
    }
  }
}
