package com.getox.crypto.benchmarks;

import com.amazonaws.encryptionsdk.AwsCrypto;
import com.amazonaws.encryptionsdk.CommitmentPolicy;
import com.amazonaws.encryptionsdk.CryptoAlgorithm;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import software.amazon.cryptography.materialproviders.IKeyring;
import software.amazon.cryptography.materialproviders.MaterialProviders;
import software.amazon.cryptography.materialproviders.model.AesWrappingAlg;
import software.amazon.cryptography.materialproviders.model.CreateRawAesKeyringInput;
import software.amazon.cryptography.materialproviders.model.MaterialProvidersConfig;

/**
 * The peers, measured exactly like {@link Throughput}'s ours (same op size, pieces, sinks) on the
 * JDK's default provider: Tink StreamingAead (AES256_GCM_HKDF_1MB and _4KB) and the AWS
 * Encryption SDK's streaming API (raw AES keyring, committing unsigned suite 0x0478, 16 KiB
 * frames).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class Peers {
  /** The streaming encryptor/decryptor of one peer. */
  interface Impl {
    OutputStream encrypting(OutputStream sink) throws Exception;

    InputStream decrypting(InputStream ciphertext) throws Exception;
  }

  static Impl tink(boolean oneMegabyteSegments) throws Exception {
    StreamingAeadConfig.register();
    KeysetHandle handle =
        KeysetHandle.generateNew(
            oneMegabyteSegments
                ? PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB
                : PredefinedStreamingAeadParameters.AES256_GCM_HKDF_4KB);
    StreamingAead aead = handle.getPrimitive(StreamingAead.class);
    byte[] aad = Fixtures.CONTEXT.canonicalBytes();
    return new Impl() {
      @Override
      public OutputStream encrypting(OutputStream sink) throws Exception {
        return aead.newEncryptingStream(sink, aad);
      }

      @Override
      public InputStream decrypting(InputStream ciphertext) throws Exception {
        return aead.newDecryptingStream(ciphertext, aad);
      }
    };
  }

  static Impl esdk() {
    AwsCrypto crypto =
        AwsCrypto.builder()
            .withCommitmentPolicy(CommitmentPolicy.RequireEncryptRequireDecrypt)
            .withEncryptionAlgorithm(CryptoAlgorithm.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY)
            .withEncryptionFrameSize(16384)
            .build();
    MaterialProviders mpl =
        MaterialProviders.builder()
            .MaterialProvidersConfig(MaterialProvidersConfig.builder().build())
            .build();
    IKeyring keyring =
        mpl.CreateRawAesKeyring(
            CreateRawAesKeyringInput.builder()
                .keyName("bench")
                .keyNamespace("ox-bench")
                .wrappingKey(ByteBuffer.wrap(Fixtures.bytes(32, 9)))
                .wrappingAlg(AesWrappingAlg.ALG_AES256_GCM_IV12_TAG16)
                .build());
    Map<String, String> context = Fixtures.CONTEXT.asMap();
    return new Impl() {
      @Override
      public OutputStream encrypting(OutputStream sink) {
        return crypto.createEncryptingStream(keyring, sink, context);
      }

      @Override
      public InputStream decrypting(InputStream ciphertext) {
        return crypto.createUnsignedMessageDecryptingStream(keyring, ciphertext, context);
      }
    };
  }

  @State(Scope.Thread)
  public static class Peer extends Fixtures.StreamingRead {
    @Param({"tink1MB", "tink4KB", "esdk"})
    public String peer;

    @Param({"640", "4096", "16384", "65536", "1048576"})
    public int pieceBytes;

    Impl impl;
    byte[] piece;
    byte[] ciphertext;
    boolean decrypting;
    Fixtures.Discard sink;
    OutputStream writer;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws Exception {
      setUp(params.getBenchmark().endsWith("Decrypt"));
    }

    /** The trial set-up without JMH (for {@link Versus}). */
    void setUp(boolean decrypt) throws Exception {
      Warm.aesGcm(Throughput.WARM_MILLIS);
      switch (peer) {
        case "tink1MB":
          impl = tink(true);
          break;
        case "tink4KB":
          impl = tink(false);
          break;
        case "esdk":
          impl = esdk();
          break;
        default:
          throw new IllegalArgumentException(peer);
      }
      piece = Fixtures.bytes(pieceBytes, 1);
      readBuf = new byte[pieceBytes];
      decrypting = decrypt;
      ciphertext = Fixtures.ciphertext(impl::encrypting, 4 << 20);
      open();
      Warm.untilStable(
          peer,
          () -> {
            Fixtures.writeInPieces(writer, piece, Fixtures.OP_BYTES);
            readOp();
            return 2L * Fixtures.OP_BYTES;
          },
          Throughput.WARM_MILLIS,
          Throughput.MAX_WARM_MILLIS);
      close();
      ciphertext =
          !decrypting ? null : Fixtures.ciphertext(impl::encrypting, Fixtures.DECRYPT_MESSAGE_BYTES);
    }

    @Setup(Level.Iteration)
    public void open() throws Exception {
      sink = new Fixtures.Discard();
      writer = impl.encrypting(sink);
      if (ciphertext != null) {
        reopenReader();
      }
    }

    @Override
    void reopenReader() throws Exception {
      reader = impl.decrypting(new ByteArrayInputStream(ciphertext));
    }

    @TearDown(Level.Iteration)
    public void close() throws Exception {
      writer.close();
      if (reader != null) {
        reader.close();
        reader = null;
      }
    }
  }

  @Benchmark
  public long peerEncrypt(Peer s) throws Exception {
    Fixtures.writeInPieces(s.writer, s.piece, Fixtures.OP_BYTES);
    return s.sink.bytes;
  }

  @Benchmark
  public long peerDecrypt(Peer s) throws Exception {
    return s.readOp();
  }

}
