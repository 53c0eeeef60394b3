package com.getox.crypto.sframe;

import com.getox.crypto.AuthenticationException;
import com.getox.crypto.EncryptionContext;
import com.getox.crypto.FormatException;
import com.getox.crypto.KeyPackage;
import com.getox.crypto.OxCryptoException;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.Recordings;
import com.getox.crypto.audit.AuditEvent;
import com.getox.crypto.audit.AuditSink;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import javax.crypto.Cipher;

/**
 * Decrypts the frames of one {@link SFrameSender}'s stream, each on its own, in any order: keeps
 * the keys of a few recent epochs (installed from key packages) and an RFC 3711 style replay
 * window per epoch, and reports gaps.
 *
 * <pre>{@code
 * SFrameReceiver receiver = SFrameReceiver.builder(myRecordings, "ptt-9").build();
 * receiver.addKeyPackage(bytesFromControlChannel);      // each epoch's package, as it comes
 * try {
 *   SFrameReceiver.DecryptedFrame f = receiver.decrypt(wire, rtpHeader);
 *   if (f.missedBefore() > 0) conceal(f.missedBefore());
 *   play(f.plaintext());
 * } catch (OxCryptoException e) {
 *   // discard: FormatException, UnknownEpochException, AuthenticationException,
 *   // ReplayedFrameException
 * }
 * }</pre>
 *
 * <p><b>Failures.</b> Every frame, good or bad, costs one AES-GCM decryption over all of its
 * bytes: a frame whose header does not parse or whose epoch is unknown is run through a throwaway
 * key, and the replay check's verdict is applied only after the tag check. Nothing from a failed
 * frame is released, and a failed frame never moves the replay window.
 *
 * <p><b>Epochs.</b> At most {@link Builder#maxEpochs} epochs are held (the oldest is dropped and
 * wiped to make room), and once a frame of a newer epoch has decrypted, older epochs are dropped
 * {@link Builder#retireAfterMillis} later: late frames of the previous epoch still decrypt during
 * a rotation, and old keys do not linger. Thread-safe; frames are decrypted one at a time.
 */
public final class SFrameReceiver {
  private final Recordings recordings;
  private final String sessionId;
  private final SFrameSuite suite;
  private final int windowFrames;
  private final int maxEpochs;
  private final long retireAfterMillis;
  private final LongSupplier clockMillis;
  private final AuditSink audit;
  private final SFrameKey.Ciphers ciphers;
  private final SFrameKey decoy;
  private final TreeMap<Long, Epoch> epochs = new TreeMap<>();

  private SFrameReceiver(Builder b) throws GeneralSecurityException {
    this.recordings = b.recordings;
    this.sessionId = b.sessionId;
    this.suite = b.suite;
    this.windowFrames = b.windowFrames;
    this.maxEpochs = b.maxEpochs;
    this.retireAfterMillis = b.retireAfterMillis;
    this.clockMillis = b.clockMillis;
    this.audit = b.audit;
    this.ciphers = new SFrameKey.Ciphers();
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    this.decoy = SFrameKey.derive(suite, random, 0);
    Arrays.fill(random, (byte) 0);
  }

  /**
   * A builder of a receiver for one sender's session.
   *
   * @param recordings unwraps key packages with this member's KEK; not null
   * @param sessionId the session whose key packages are accepted (the sender's); not null
   * @return a builder with the defaults
   * @throws NullPointerException if an argument is null
   */
  public static Builder builder(Recordings recordings, String sessionId) {
    return new Builder(recordings, sessionId);
  }

  /**
   * Opens a key package from the sender and installs its epoch's key. Installing a package again
   * is harmless.
   *
   * @param keyPackage a key package as the sender's {@link SFrameSender.Builder#onKeyPackage}
   *     listener received it (or {@link SFrameSender#currentKeyPackage()} returned it)
   * @return the epoch it installed
   * @throws IOException never in practice (the package is read from memory)
   * @throws com.getox.crypto.NoUsableKeyException if it is not wrapped for this member
   * @throws com.getox.crypto.ContextMismatchException if it is for another session or suite
   * @throws AuthenticationException if it holds a different key for an epoch already installed
   * @throws OxCryptoException if its epoch is older than every epoch held while the set is full
   */
  public long addKeyPackage(byte[] keyPackage) throws IOException, GeneralSecurityException {
    KeyPackage kp =
        recordings.openKeyPackage(
            keyPackage,
            ReadOptions.builder()
                .expect(SFrameSender.CTX_SESSION, sessionId)
                .expect(SFrameSender.CTX_SUITE, suite.hexId())
                .build());
    byte[] base = kp.secret();
    try {
      long number = SFrameSender.parseEpoch(kp.header().context().get(SFrameSender.CTX_EPOCH));
      SFrameKey key = SFrameKey.derive(suite, base, number);
      synchronized (this) {
        retire();
        Epoch held = epochs.get(number);
        if (held != null) {
          byte[] a = held.key.keyBytes();
          byte[] b = key.keyBytes();
          boolean same = MessageDigest.isEqual(a, b);
          Arrays.fill(a, (byte) 0);
          Arrays.fill(b, (byte) 0);
          key.destroy();
          if (!same) {
            throw new AuthenticationException(
                "key package for epoch " + number + " holds a different key than the one installed");
          }
          return number;
        }
        if (epochs.size() >= maxEpochs) {
          if (number < epochs.firstKey()) {
            key.destroy();
            throw new OxCryptoException(
                "key package for epoch " + number + " is older than every epoch held");
          }
          retire(epochs.pollFirstEntry().getValue());
        }
        epochs.put(number, new Epoch(number, key, windowFrames, kp));
        return number;
      }
    } finally {
      Arrays.fill(base, (byte) 0);
      kp.destroy();
    }
  }

  /**
   * Decrypts one frame. {@code metadata} must be the bytes the sender passed.
   *
   * @param frame the frame as the sender produced it, header included; not null
   * @param metadata the associated data the sender passed for it (such as the RTP header), may
   *     be empty; not null
   * @return the plaintext and where the frame sits in its epoch's stream
   * @throws NullPointerException if an argument is null
   * @throws FormatException if the header is malformed
   * @throws UnknownEpochException if no key for the frame's epoch is held
   * @throws AuthenticationException if the frame or metadata was altered (or forged)
   * @throws ReplayedFrameException if the frame is authentic but was accepted before, or is older
   *     than the replay window
   */
  public synchronized DecryptedFrame decrypt(byte[] frame, byte[] metadata) throws OxCryptoException {
    Objects.requireNonNull(frame, "frame");
    Objects.requireNonNull(metadata, "metadata");
    retire();
    FormatException malformed = null;
    SFrameHeader header = null;
    int headerLength = 0;
    try {
      header = SFrameHeader.parse(frame);
      headerLength = header.encodedLength();
    } catch (FormatException e) {
      malformed = e;
    }
    Epoch epoch = header == null || header.kid() < 0 ? null : epochs.get(header.kid());
    long ctr = header == null ? 0 : header.ctr();
    int verdict = epoch == null ? ReplayWindow.FRESH : epoch.window.check(ctr);
    byte[] plaintext;
    try {
      // The same work for every frame, good or not, known epoch or not: nothing throws here.
      plaintext = (epoch == null ? decoy : epoch.key).open(ciphers, ctr, frame, headerLength, metadata);
    } catch (GeneralSecurityException e) {
      throw new OxCryptoException("AES-GCM failed", e);
    }
    if (malformed != null) {
      wipe(plaintext);
      throw malformed;
    }
    if (epoch == null) {
      wipe(plaintext);
      throw new UnknownEpochException(
          "no key held for epoch " + Long.toHexString(header.kid()) + " (hex) of session " + sessionId,
          header.kid());
    }
    if (plaintext == null) {
      throw new AuthenticationException("SFrame frame failed authentication");
    }
    if (verdict != ReplayWindow.FRESH) {
      wipe(plaintext);
      throw new ReplayedFrameException(
          verdict == ReplayWindow.DUPLICATE
              ? "frame " + Long.toHexString(ctr) + " (hex) of epoch " + epoch.number + " was already accepted"
              : "frame " + Long.toHexString(ctr) + " (hex) of epoch " + epoch.number + " is older than the replay window");
    }
    long skipped = epoch.window.accept(ctr);
    if (!epoch.used) {
      epoch.used = true;
      long deadline = clockMillis.getAsLong() + retireAfterMillis;
      for (Epoch older : epochs.headMap(epoch.number).values()) {
        if (older.retireAtMillis == Long.MAX_VALUE) {
          older.retireAtMillis = deadline;
        }
      }
    }
    return new DecryptedFrame(plaintext, epoch.number, ctr, skipped < 0 ? 0 : skipped, skipped < 0);
  }

  /**
   * The epochs whose keys are held, after dropping those due to retire.
   *
   * @return the epoch numbers, oldest first; a new list
   */
  public synchronized List<Long> epochs() {
    retire();
    return new ArrayList<>(epochs.keySet());
  }

  /** Drops and wipes every key. */
  public synchronized void destroy() {
    for (Epoch e : epochs.values()) {
      retire(e);
    }
    epochs.clear();
  }

  private void retire() {
    long now = clockMillis.getAsLong();
    for (Iterator<Map.Entry<Long, Epoch>> it = epochs.entrySet().iterator(); it.hasNext(); ) {
      Epoch e = it.next().getValue();
      if (e.retireAtMillis != Long.MAX_VALUE && now - e.retireAtMillis >= 0) {
        retire(e);
        it.remove();
      }
    }
  }

  /** Wipes an epoch's key and records a DESTROY audit event naming its key package. */
  private void retire(Epoch e) {
    long t = System.nanoTime();
    e.key.destroy();
    audit.record(AuditEvent.of(AuditEvent.Operation.DESTROY, null, null, e.headerId, e.context, null, t));
  }

  private static void wipe(byte[] b) {
    if (b != null) {
      Arrays.fill(b, (byte) 0);
    }
  }

  @Override
  public String toString() {
    return "SFrameReceiver{session=" + sessionId + ", suite=" + suite + "}";
  }

  private static final class Epoch {
    final long number;
    final SFrameKey key;
    final ReplayWindow window;
    final String headerId;
    final EncryptionContext context;
    boolean used;
    long retireAtMillis = Long.MAX_VALUE;

    Epoch(long number, SFrameKey key, int windowFrames, KeyPackage kp) {
      this.number = number;
      this.key = key;
      this.window = new ReplayWindow(windowFrames);
      this.headerId = kp.header().headerIdHex();
      this.context = kp.header().context();
    }
  }

  /**
   * A decrypted frame and where it sits in the stream.
   *
   * <pre>{@code
   * DecryptedFrame f = receiver.decrypt(wire, meta);
   * jitterBuffer.put(f.epoch(), f.counter(), f.plaintext());
   * }</pre>
   */
  public static final class DecryptedFrame {
    private final byte[] plaintext;
    private final long epoch;
    private final long counter;
    private final long missedBefore;
    private final boolean late;

    DecryptedFrame(byte[] plaintext, long epoch, long counter, long missedBefore, boolean late) {
      this.plaintext = plaintext;
      this.epoch = epoch;
      this.counter = counter;
      this.missedBefore = missedBefore;
      this.late = late;
    }

    /**
     * The frame's plaintext.
     *
     * @return the plaintext; the array is the caller's (not copied, not kept)
     */
    public byte[] plaintext() {
      return plaintext;
    }

    /**
     * The epoch the frame belongs to.
     *
     * @return the epoch number (the frame's KID)
     */
    public long epoch() {
      return epoch;
    }

    /**
     * The frame's counter within its epoch.
     *
     * @return the counter (CTR), unsigned 64-bit
     */
    public long counter() {
      return counter;
    }

    /**
     * How many counters this frame skipped past when it became the newest of its epoch: frames
     * lost or still on their way (for the first frame seen in an epoch, all frames before it).
     * 0 when it directly follows the newest, or when it is {@linkplain #isLate() late}.
     *
     * @return the number of counters skipped, 0 or more
     */
    public long missedBefore() {
      return missedBefore;
    }

    /**
     * Whether the frame arrived out of order.
     *
     * @return true if it arrived after a newer frame of its epoch, filling a gap reported earlier
     */
    public boolean isLate() {
      return late;
    }

    @Override
    public String toString() {
      return "DecryptedFrame{epoch=" + epoch + ", counter=0x" + Long.toHexString(counter)
          + ", bytes=" + plaintext.length + ", missedBefore=" + missedBefore + ", late=" + late + "}";
    }
  }

  /**
   * Builds an {@link SFrameReceiver}; {@link #build()} validates.
   *
   * <pre>{@code
   * SFrameReceiver r = SFrameReceiver.builder(mine, "ptt-9")
   *     .replayWindowFrames(256).maxEpochs(3).retireAfterMillis(10_000).build();
   * }</pre>
   */
  public static final class Builder {
    private final Recordings recordings;
    private final String sessionId;
    private SFrameSuite suite = SFrameSuite.AES_256_GCM_SHA512_128;
    private int windowFrames = 128;
    private int maxEpochs = 3;
    private long retireAfterMillis = 10_000;
    private LongSupplier clockMillis = () -> System.nanoTime() / 1_000_000L;
    private AuditSink audit = AuditSink.slf4j();

    private Builder(Recordings recordings, String sessionId) {
      this.recordings = Objects.requireNonNull(recordings, "recordings");
      this.sessionId = Objects.requireNonNull(sessionId, "sessionId");
    }

    /**
     * The cipher suite the sender uses; {@link SFrameSuite#AES_256_GCM_SHA512_128} by default.
     * Key packages for another suite are refused.
     *
     * @param suite the suite; not null
     * @return this builder
     */
    public Builder suite(SFrameSuite suite) {
      this.suite = Objects.requireNonNull(suite, "suite");
      return this;
    }

    /**
     * Replay window size in frames (default 128: 2.56 s of 20 ms frames).
     *
     * @param frames 1 to 4096 (checked by {@link #build()})
     * @return this builder
     */
    public Builder replayWindowFrames(int frames) {
      this.windowFrames = frames;
      return this;
    }

    /**
     * Epochs held at once (default 3).
     *
     * @param epochs 1 to 16 (checked by {@link #build()})
     * @return this builder
     */
    public Builder maxEpochs(int epochs) {
      this.maxEpochs = epochs;
      return this;
    }

    /**
     * How long older epochs stay after a newer epoch's first frame decrypts (default 10000).
     *
     * @param millis the delay in milliseconds, 0 or more (checked by {@link #build()}); 0 drops
     *     them at once
     * @return this builder
     */
    public Builder retireAfterMillis(long millis) {
      this.retireAfterMillis = millis;
      return this;
    }

    /**
     * A monotonic millisecond clock, for tests; {@code System.nanoTime()} based by default.
     *
     * @param clock returns the current time in milliseconds from any fixed origin; not null
     * @return this builder
     */
    public Builder clockMillis(LongSupplier clock) {
      this.clockMillis = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Where to record each epoch key's retirement (a DESTROY event naming its key package's header
     * id and context); {@link AuditSink#slf4j()} by default. Opening key packages is recorded by
     * the {@link Recordings}' own sink.
     *
     * @param audit the sink; not null
     * @return this builder
     */
    public Builder auditSink(AuditSink audit) {
      this.audit = Objects.requireNonNull(audit, "audit");
      return this;
    }

    /**
     * Builds the receiver, holding no epoch yet.
     *
     * @return the receiver
     * @throws IllegalArgumentException if a setting is out of range
     * @throws GeneralSecurityException if the suite's HKDF or AES-GCM is not available here
     */
    public SFrameReceiver build() throws GeneralSecurityException {
      if (windowFrames < 1 || windowFrames > 4096) {
        throw new IllegalArgumentException("replayWindowFrames must be 1 to 4096");
      }
      if (maxEpochs < 1 || maxEpochs > 16) {
        throw new IllegalArgumentException("maxEpochs must be 1 to 16");
      }
      if (retireAfterMillis < 0) {
        throw new IllegalArgumentException("retireAfterMillis must not be negative");
      }
      return new SFrameReceiver(this);
    }
  }
}
