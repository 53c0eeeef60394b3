package com.getox.crypto.android;

import java.nio.ByteBuffer;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.CipherSpi;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.ShortBufferException;

/**
 * A JCA provider whose AES/GCM/NoPadding records every call the {@link Cipher} front end makes to
 * it ({@code init}, {@code update}, {@code updateAAD}, {@code doFinal}, with the length of each
 * {@code update}/{@code doFinal} input and the calling class), then delegates to SunJCE. Installed
 * at position 1, it sees every AES-GCM cipher the SDK creates.
 */
final class SpyProvider extends Provider {
  private static final long serialVersionUID = 1L;
  static final String NAME = "OxSpy";

  final AtomicInteger inits = new AtomicInteger();
  final AtomicInteger updates = new AtomicInteger();
  final AtomicInteger aadUpdates = new AtomicInteger();
  final AtomicInteger doFinals = new AtomicInteger();
  /** Input length of each doFinal, in call order. */
  final List<Integer> doFinalLengths = new CopyOnWriteArrayList<>();
  /** Calling class (first frame outside javax.crypto and this class) per operation kind. */
  final Map<String, String> callers = new ConcurrentHashMap<>();

  SpyProvider() {
    super(NAME, "1.0", "records AES-GCM calls, delegates to SunJCE");
    putService(
        new Service(this, "Cipher", "AES/GCM/NoPadding", SpyCipher.class.getName(), null, null) {
          @Override
          public Object newInstance(Object param) {
            return new SpyCipher(SpyProvider.this);
          }
        });
  }

  void reset() {
    inits.set(0);
    updates.set(0);
    aadUpdates.set(0);
    doFinals.set(0);
    doFinalLengths.clear();
    callers.clear();
  }

  void called(String op) {
    String caller =
        StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
            .walk(
                s ->
                    s.map(f -> f.getDeclaringClass().getName())
                        .filter(c -> !c.startsWith("javax.crypto.") && !c.startsWith(SpyCipher.class.getName())
                            && !c.equals(SpyProvider.class.getName()))
                        .findFirst()
                        .orElse("?"));
    callers.merge(op, caller, (a, b) -> a.equals(b) ? a : a + "," + b);
  }

  static final class SpyCipher extends CipherSpi {
    private final SpyProvider spy;
    private final Cipher d;

    SpyCipher(SpyProvider spy) {
      this.spy = spy;
      try {
        this.d = Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    protected void engineSetMode(String mode) throws java.security.NoSuchAlgorithmException {
      if (!"GCM".equalsIgnoreCase(mode)) {
        throw new java.security.NoSuchAlgorithmException(mode);
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
      spy.inits.incrementAndGet();
      spy.called("init");
      d.init(opmode, key, random);
    }

    @Override
    protected void engineInit(
        int opmode, Key key, AlgorithmParameterSpec params, SecureRandom random)
        throws InvalidKeyException, InvalidAlgorithmParameterException {
      spy.inits.incrementAndGet();
      spy.called("init");
      d.init(opmode, key, params, random);
    }

    @Override
    protected void engineInit(int opmode, Key key, AlgorithmParameters params, SecureRandom random)
        throws InvalidKeyException, InvalidAlgorithmParameterException {
      spy.inits.incrementAndGet();
      spy.called("init");
      d.init(opmode, key, params, random);
    }

    @Override
    protected byte[] engineUpdate(byte[] input, int off, int len) {
      spy.updates.incrementAndGet();
      spy.called("update");
      return d.update(input == null ? new byte[0] : input, off, len);
    }

    @Override
    protected int engineUpdate(byte[] input, int off, int len, byte[] out, int outOff)
        throws ShortBufferException {
      spy.updates.incrementAndGet();
      spy.called("update");
      return d.update(input, off, len, out, outOff);
    }

    @Override
    protected void engineUpdateAAD(byte[] src, int off, int len) {
      spy.aadUpdates.incrementAndGet();
      spy.called("updateAAD");
      d.updateAAD(src, off, len);
    }

    @Override
    protected void engineUpdateAAD(ByteBuffer src) {
      spy.aadUpdates.incrementAndGet();
      spy.called("updateAAD");
      d.updateAAD(src);
    }

    @Override
    protected byte[] engineDoFinal(byte[] input, int off, int len)
        throws IllegalBlockSizeException, BadPaddingException {
      spy.doFinals.incrementAndGet();
      spy.doFinalLengths.add(len);
      spy.called("doFinal");
      return d.doFinal(input == null ? new byte[0] : input, off, len);
    }

    @Override
    protected int engineDoFinal(byte[] input, int off, int len, byte[] out, int outOff)
        throws ShortBufferException, IllegalBlockSizeException, BadPaddingException {
      spy.doFinals.incrementAndGet();
      spy.doFinalLengths.add(len);
      spy.called("doFinal");
      return d.doFinal(input, off, len, out, outOff);
    }
  }
}
