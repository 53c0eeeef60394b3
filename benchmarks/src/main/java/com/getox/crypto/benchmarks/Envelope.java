package com.getox.crypto.benchmarks;

import com.getox.crypto.DekCache;
import com.getox.crypto.EncryptionContext;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingInputStream;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.kms.aws.LocalAwsKms;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Envelope cost: opening a recording (header parse, DEK unwrap, HKDF, commitment check) and
 * starting one (DEK generation, wrap, header), with a local KEK ({@code openLocal}, {@code
 * startLocal}) and with an AWS KMS KEK ({@code openAws}, {@code startAws}: {@code AwsKms} through
 * the SDK to kms-aws's local KMS server on 127.0.0.1, plain HTTP, keep-alive). KMS calls are
 * counted by a delegating {@link Kek} and reported as the secondary metrics {@code kmsCalls} and
 * {@code opens}; the AWS cases also report {@code serverRequests}, the requests the server received
 * (SDK retries would show there and not in {@code kmsCalls}). {@code startCacheHit} starts
 * recordings through a {@link DekCache}: after the first, no KMS call. {@code openCacheHit} opens
 * through a cache built with {@code servesReaders(true)}: after the first open, no KMS call (the
 * key commitment is still checked). Without that option every open unwraps.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class Envelope {
  /** Counts wrap and unwrap calls on its delegate. */
  static final class CountingKek implements Kek {
    final Kek delegate;
    long calls;

    CountingKek(Kek delegate) {
      this.delegate = delegate;
    }

    @Override
    public String uri() {
      return delegate.uri();
    }

    @Override
    public WrappedKey wrap(byte[] dek, EncryptionContext ctx) throws GeneralSecurityException {
      calls++;
      return delegate.wrap(dek, ctx);
    }

    @Override
    public byte[] unwrap(WrappedKey w, EncryptionContext ctx) throws GeneralSecurityException {
      calls++;
      return delegate.unwrap(w, ctx);
    }
  }

  @State(Scope.Thread)
  public static class Env {
    CountingKek kek;
    Recordings recordings;
    Recordings cached;
    byte[] recording;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      kek = new CountingKek(Fixtures.newLocalKek());
      recordings = Recordings.builder().wrapWith(kek).build();
      DekCache cache =
          DekCache.builder()
              .maxAgeMillis(TimeUnit.HOURS.toMillis(1))
              .maxRecordings(Long.MAX_VALUE)
              .maxBytes(Long.MAX_VALUE)
              .servesReaders(true)
              .build();
      cached = Recordings.builder().wrapWith(kek).dekCache(cache).build();
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      try (RecordingWriter w = recordings.newWriter(bos, Fixtures.CONTEXT)) {
        w.write(Fixtures.bytes(640, 3));
      }
      recording = bos.toByteArray();
    }
  }

  /** An AWS KMS KEK on the local server, and a recording it wrapped. */
  @State(Scope.Thread)
  public static class AwsEnv {
    LocalAwsKms kms;
    CountingKek kek;
    Recordings recordings;
    byte[] recording;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      kms = LocalAwsKms.start();
      kek = new CountingKek(kms.kek());
      recordings = Recordings.builder().wrapWith(kek).build();
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      try (RecordingWriter w = recordings.newWriter(bos, Fixtures.CONTEXT)) {
        w.write(Fixtures.bytes(640, 3));
      }
      recording = bos.toByteArray();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
      kms.close();
    }
  }

  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Counts {
    public long opens;
    public long kmsCalls;

    @Setup(Level.Iteration)
    public void reset() {
      opens = kmsCalls = 0;
    }
  }

  /** {@link Counts} plus the requests the local AWS KMS server received. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class AwsCounts {
    public long opens;
    public long kmsCalls;
    public long serverRequests;

    @Setup(Level.Iteration)
    public void reset() {
      opens = kmsCalls = serverRequests = 0;
    }
  }

  /** Opens {@code e.recording} through {@code r}, counting the KMS calls it made. */
  static int open(Recordings r, Env e, Counts c) throws Exception {
    long before = e.kek.calls;
    RecordingInputStream in =
        r.newInputStream(new ByteArrayInputStream(e.recording), ReadOptions.defaults());
    c.opens++;
    c.kmsCalls += e.kek.calls - before;
    return in.available();
  }

  /** Starts a recording through {@code r}, counting the KMS calls it made. */
  static int start(Recordings r, Env e, Counts c) throws Exception {
    long before = e.kek.calls;
    RecordingWriter w = r.newWriter(new Fixtures.Discard(), Fixtures.CONTEXT);
    c.opens++;
    c.kmsCalls += e.kek.calls - before;
    return w.header().hashCode();
  }

  @Benchmark
  public int openLocal(Env e, Counts c) throws Exception {
    return open(e.recordings, e, c);
  }

  @Benchmark
  public int startLocal(Env e, Counts c) throws Exception {
    return start(e.recordings, e, c);
  }

  @Benchmark
  public int startCacheHit(Env e, Counts c) throws Exception {
    return start(e.cached, e, c);
  }

  @Benchmark
  public int openCacheHit(Env e, Counts c) throws Exception {
    return open(e.cached, e, c);
  }

  @Benchmark
  @Warmup(iterations = 15, time = 2) // the SDK's code takes ~30 s of calls to settle (C2)
  public int openAws(AwsEnv e, AwsCounts c) throws Exception {
    long before = e.kek.calls;
    long received = e.kms.requestsReceived();
    RecordingInputStream in =
        e.recordings.newInputStream(new ByteArrayInputStream(e.recording), ReadOptions.defaults());
    c.opens++;
    c.kmsCalls += e.kek.calls - before;
    c.serverRequests += e.kms.requestsReceived() - received;
    return in.available();
  }

  @Benchmark
  @Warmup(iterations = 15, time = 2) // the SDK's code takes ~30 s of calls to settle (C2)
  public int startAws(AwsEnv e, AwsCounts c) throws Exception {
    long before = e.kek.calls;
    long received = e.kms.requestsReceived();
    RecordingWriter w = e.recordings.newWriter(new Fixtures.Discard(), Fixtures.CONTEXT);
    c.opens++;
    c.kmsCalls += e.kek.calls - before;
    c.serverRequests += e.kms.requestsReceived() - received;
    return w.header().hashCode();
  }
}
