package com.getox.crypto.sframe;

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
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import javax.crypto.Cipher;

/**
 * Encrypts a live audio stream frame by frame (RFC 9605 SFrame), with key epochs: each epoch has
 * a fresh 32-byte base key, delivered to the session's members as a {@link KeyPackage} wrapped
 * under their KEKs, and the frame header's KID is the epoch number.
 *
 * <pre>{@code
 * CounterStore store = CounterStore.file(new File(dir, "ptt-9.counters"));
 * SFrameSender sender = SFrameSender.builder(membersRecordings, "ptt-9", store)
 *     .onKeyPackage(bytes -> controlChannel.broadcast(bytes))  // called for every new epoch
 *     .rotateEveryFrames(30_000).rotateEveryMillis(10 * 60_000).graceFrames(25)
 *     .build();                                  // creates epoch 0's key package
 * byte[] wire = sender.encrypt(opusFrame, rtpHeader);  // rtpHeader is sent in clear, authenticated
 * ...
 * sender.membersChanged(remainingMembersRecordings);    // someone left: new key, at once
 * }</pre>
 *
 * <p><b>Counters.</b> The counter starts at 0 in every epoch and never repeats for a key: the
 * sender stores the next unreserved counter in its {@link CounterStore} before using the counters
 * below it (in blocks of {@link Builder#counterReservation}), and refuses to encrypt with a
 * {@link CounterExhaustedException} rather than wrap around. Epoch numbers are reserved the same
 * way, so a restarted sender never reuses one.
 *
 * <p><b>Rotation.</b> After {@link Builder#rotateEveryFrames} frames or {@link
 * Builder#rotateEveryMillis} milliseconds, the sender wraps a fresh key for the next epoch and
 * hands its key package to the {@link Builder#onKeyPackage} listener, but keeps encrypting under
 * the current key for {@link Builder#graceFrames} more frames, so receivers can install the new
 * key before its first frame arrives. {@link #membersChanged} rotates with no grace: a member who
 * left must not read one more frame.
 *
 * <p>Wrapping a key package calls each KEK, so the frame that triggers a rotation takes as long
 * as a KMS round trip (none with {@code LocalKms}). Thread-safe; frames are encrypted one at a
 * time.
 */
public final class SFrameSender {
  static final String CTX_SESSION = "sframe-session";
  static final String CTX_EPOCH = "sframe-epoch";
  static final String CTX_SUITE = "sframe-suite";

  private final String sessionId;
  private final SFrameSuite suite;
  private final CounterStore store;
  private final long rotateEveryFrames;
  private final long rotateEveryMillis;
  private final long graceFrames;
  private final long counterReservation;
  private final LongSupplier clockMillis;
  private final Consumer<byte[]> listener;
  private final AuditSink audit;
  private final Cipher cipher;
  private Recordings members;

  private Epoch current;
  private boolean destroyed;
  private Epoch pending;
  private long pendingFrames;

  private SFrameSender(Builder b) throws GeneralSecurityException {
    this.sessionId = b.sessionId;
    this.suite = b.suite;
    this.store = b.store;
    this.rotateEveryFrames = b.rotateEveryFrames;
    this.rotateEveryMillis = b.rotateEveryMillis;
    this.graceFrames = b.graceFrames;
    this.counterReservation = b.counterReservation;
    this.clockMillis = b.clockMillis;
    this.listener = b.listener;
    this.members = b.members;
    this.audit = b.audit;
    this.cipher = SFrameKey.newCipher();
  }

  /**
   * A builder of a sender for one session.
   *
   * @param members wraps each epoch's key for the session's current members (build it with {@code
   *     wrapWith(...)} every member's KEK; include the sender's own KEK to be able to {@link
   *     Builder#resume} after a restart)
   * @param sessionId names the session in every key package's context and in {@code store}
   * @param store where the next counter and epoch are persisted before use; one sender per store
   * @return a builder with the defaults
   * @throws NullPointerException if an argument is null
   */
  public static Builder builder(Recordings members, String sessionId, CounterStore store) {
    return new Builder(members, sessionId, store);
  }

  /**
   * Encrypts one frame: returns {@code header || ciphertext || tag}. {@code metadata} (for example
   * an RTP-like header that travels in clear) is authenticated, not encrypted; the receiver must
   * pass the same bytes.
   *
   * @param frame the plaintext frame (for example one Opus packet); not null
   * @param metadata associated data to authenticate, may be empty; not null
   * @return a new array: the SFrame header, the ciphertext and the 16-byte tag
   * @throws NullPointerException if an argument is null
   * @throws IllegalStateException if the sender was destroyed
   * @throws CounterExhaustedException if the counter would wrap
   * @throws IOException if the counter store cannot be written (nothing is encrypted then)
   * @throws GeneralSecurityException if a scheduled rotation cannot wrap the new key
   */
  public synchronized byte[] encrypt(byte[] frame, byte[] metadata)
      throws IOException, GeneralSecurityException {
    Objects.requireNonNull(frame, "frame");
    Objects.requireNonNull(metadata, "metadata");
    checkNotDestroyed();
    if (pending == null
        && (current.frames >= rotateEveryFrames
            || clockMillis.getAsLong() - current.startMillis >= rotateEveryMillis)) {
      pending = newEpoch();
      pendingFrames = 0;
    }
    if (pending != null && pendingFrames >= graceFrames) {
      switchToPending();
    }
    Epoch e = current;
    long ctr = e.nextCtr;
    if (ctr == -1L) {
      throw new CounterExhaustedException(
          "SFrame counter of epoch " + e.number + " is exhausted; rotate to a new epoch");
    }
    if (ctr == e.reservedUpTo) {
      long limit = ctr + counterReservation;
      if (!ReplayWindow.greater(limit, ctr)) {
        limit = -1L; // reserve up to 2^64-1, which is never used itself
      }
      store.store(counterName(e.number), limit);
      e.reservedUpTo = limit;
    }
    byte[] out = e.key.seal(cipher, ctr, metadata, frame, 0, frame.length);
    e.nextCtr = ctr + 1;
    e.frames++;
    if (pending != null) {
      pendingFrames++;
    }
    return out;
  }

  /**
   * Rotates now, with no grace period: wraps a fresh key for {@code members} only, hands its key
   * package to the listener and encrypts every later frame under it. Call it when a member leaves
   * (so they cannot read later audio) or joins (so they cannot read earlier audio).
   *
   * @param members wraps the new epoch's key for the session's members from now on; not null
   * @throws NullPointerException if {@code members} is null
   * @throws IllegalStateException if the sender was destroyed
   * @throws IOException if the counter store cannot be written
   * @throws GeneralSecurityException if the new key cannot be wrapped for {@code members}
   */
  public synchronized void membersChanged(Recordings members)
      throws IOException, GeneralSecurityException {
    checkNotDestroyed();
    this.members = Objects.requireNonNull(members, "members");
    if (pending != null) {
      retire(pending);
      pending = null;
    }
    pending = newEpoch();
    switchToPending();
  }

  /**
   * The epoch new frames are encrypted under.
   *
   * @return the epoch number (the KID of new frames)
   */
  public synchronized long currentEpoch() {
    return current.number;
  }

  /**
   * The key package of the current epoch, for a member who missed it.
   *
   * @return a copy of the key package bytes (ciphertext: safe to send)
   */
  public synchronized byte[] currentKeyPackage() {
    return current.keyPackage.clone();
  }

  /**
   * The key package of the announced next epoch during its grace period.
   *
   * @return a copy of the key package bytes, or null if no rotation is pending
   */
  public synchronized byte[] pendingKeyPackage() {
    return pending == null ? null : pending.keyPackage.clone();
  }

  /** Wipes the keys; later calls to {@link #encrypt} fail. */
  public synchronized void destroy() {
    if (destroyed) {
      return;
    }
    destroyed = true;
    retire(current);
    if (pending != null) {
      retire(pending);
      pending = null;
    }
  }

  private void checkNotDestroyed() {
    if (destroyed) {
      throw new IllegalStateException("SFrameSender was destroyed");
    }
  }

  /**
   * The cipher suite of every frame this sender encrypts.
   *
   * @return the suite
   */
  public SFrameSuite suite() {
    return suite;
  }

  /** Wipes an epoch's key and records a DESTROY audit event naming its key package. */
  private void retire(Epoch e) {
    long t = System.nanoTime();
    e.key.destroy();
    audit.record(AuditEvent.of(AuditEvent.Operation.DESTROY, null, null, e.headerId, e.context, null, t));
  }

  private void switchToPending() {
    Epoch old = current;
    current = pending;
    current.startMillis = clockMillis.getAsLong();
    pending = null;
    retire(old);
    try {
      // Only the latest epoch can be resumed, so an older epoch's counter is never needed again.
      store.remove(counterName(old.number));
    } catch (IOException e) {
      // harmless: the stale entry stays in the store
    }
  }

  private Epoch newEpoch() throws IOException, GeneralSecurityException {
    String name = sessionId + "/next-epoch";
    long number = store.load(name);
    if (number < 0 || number == Long.MAX_VALUE) {
      throw new CounterExhaustedException("SFrame epoch numbers of session " + sessionId + " are exhausted");
    }
    store.store(name, number + 1);
    KeyPackage kp = members.newKeyPackage(context(number));
    byte[] base = kp.secret();
    try {
      Epoch e = new Epoch(number, SFrameKey.derive(suite, base, number), kp);
      e.nextCtr = store.load(counterName(number));
      e.reservedUpTo = e.nextCtr;
      e.startMillis = clockMillis.getAsLong();
      listener.accept(e.keyPackage.clone());
      return e;
    } finally {
      Arrays.fill(base, (byte) 0);
      kp.destroy();
    }
  }

  private Epoch resume(byte[] keyPackage) throws IOException, GeneralSecurityException {
    KeyPackage kp =
        members.openKeyPackage(
            keyPackage,
            ReadOptions.builder().expect(CTX_SESSION, sessionId).expect(CTX_SUITE, suite.hexId()).build());
    byte[] base = kp.secret();
    try {
      long number = parseEpoch(kp.header().context().get(CTX_EPOCH));
      long next = store.load(sessionId + "/next-epoch");
      if (next != number + 1) {
        throw new OxCryptoException(
            "can only resume session " + sessionId + "'s latest epoch"
                + (next == 0 ? " (the counter store knows none)" : " (" + (next - 1) + ")")
                + "; this key package is for epoch " + number);
      }
      Epoch e = new Epoch(number, SFrameKey.derive(suite, base, number), kp);
      e.nextCtr = store.load(counterName(number));
      e.reservedUpTo = e.nextCtr;
      e.startMillis = clockMillis.getAsLong();
      return e;
    } finally {
      Arrays.fill(base, (byte) 0);
      kp.destroy();
    }
  }

  EncryptionContext context(long epoch) {
    return EncryptionContext.builder()
        .put(CTX_SESSION, sessionId)
        .put(CTX_EPOCH, Long.toString(epoch))
        .put(CTX_SUITE, suite.hexId())
        .build();
  }

  private String counterName(long epoch) {
    return sessionId + "/ctr/" + epoch;
  }

  static long parseEpoch(String s) throws FormatException {
    if (s == null || s.isEmpty() || s.length() > 19 || (s.length() > 1 && s.charAt(0) == '0')) {
      throw new FormatException("key package has no valid " + CTX_EPOCH + " entry");
    }
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw new FormatException("key package has no valid " + CTX_EPOCH + " entry");
      }
      v = v * 10 + (c - '0');
      if (v < 0) {
        throw new FormatException("key package has no valid " + CTX_EPOCH + " entry");
      }
    }
    return v;
  }

  @Override
  public String toString() {
    return "SFrameSender{session=" + sessionId + ", suite=" + suite + "}";
  }

  private static final class Epoch {
    final long number;
    final SFrameKey key;
    final byte[] keyPackage;
    final String headerId;
    final EncryptionContext context;
    long nextCtr;
    long reservedUpTo;
    long frames;
    long startMillis;

    Epoch(long number, SFrameKey key, KeyPackage kp) {
      this.number = number;
      this.key = key;
      this.keyPackage = kp.toByteArray();
      this.headerId = kp.header().headerIdHex();
      this.context = kp.header().context();
    }
  }

  /**
   * Builds an {@link SFrameSender}; {@link #build()} validates and creates the first epoch.
   *
   * <pre>{@code
   * SFrameSender s = SFrameSender.builder(members, "ptt-9", store)
   *     .suite(SFrameSuite.AES_256_GCM_SHA512_128).rotateEveryFrames(30_000).graceFrames(25)
   *     .onKeyPackage(control::broadcast).build();
   * }</pre>
   */
  public static final class Builder {
    private final Recordings members;
    private final String sessionId;
    private final CounterStore store;
    private SFrameSuite suite = SFrameSuite.AES_256_GCM_SHA512_128;
    private long rotateEveryFrames = 1L << 16;
    private long rotateEveryMillis = 15 * 60_000L;
    private long graceFrames = 25;
    private long counterReservation = 256;
    private LongSupplier clockMillis = () -> System.nanoTime() / 1_000_000L;
    private Consumer<byte[]> listener = bytes -> {};
    private AuditSink audit = AuditSink.slf4j();
    private byte[] resume;

    private Builder(Recordings members, String sessionId, CounterStore store) {
      this.members = Objects.requireNonNull(members, "members");
      this.sessionId = Objects.requireNonNull(sessionId, "sessionId");
      this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * The cipher suite; {@link SFrameSuite#AES_256_GCM_SHA512_128} by default. Receivers must be
     * built with the same one.
     *
     * @param suite the suite; not null
     * @return this builder
     */
    public Builder suite(SFrameSuite suite) {
      this.suite = Objects.requireNonNull(suite, "suite");
      return this;
    }

    /**
     * Rotate after this many frames of an epoch (default 65,536: about 22 minutes of 20 ms
     * frames).
     *
     * @param frames the frame count, at least 1 (checked by {@link #build()})
     * @return this builder
     */
    public Builder rotateEveryFrames(long frames) {
      this.rotateEveryFrames = frames;
      return this;
    }

    /**
     * Rotate after an epoch has been in use this long (default 900000: 15 minutes).
     *
     * @param millis the epoch lifetime in milliseconds, at least 1 (checked by {@link #build()})
     * @return this builder
     */
    public Builder rotateEveryMillis(long millis) {
      this.rotateEveryMillis = millis;
      return this;
    }

    /**
     * Frames still encrypted under the old key after a scheduled rotation's key package is out
     * (default 25).
     *
     * @param frames 0 to {@code rotateEveryFrames - 1} (checked by {@link #build()})
     * @return this builder
     */
    public Builder graceFrames(long frames) {
      this.graceFrames = frames;
      return this;
    }

    /**
     * Counters reserved per counter-store write (default 256): a restart skips at most this
     * many counters.
     *
     * @param counters the block size, at least 1 (checked by {@link #build()})
     * @return this builder
     */
    public Builder counterReservation(long counters) {
      this.counterReservation = counters;
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
     * Receives each new epoch's key package (from {@link #build()} on), to send to the members.
     * Called on the thread that encrypts, inside the sender's lock.
     *
     * @param listener receives the key package bytes (its own copy); not null
     * @return this builder
     */
    public Builder onKeyPackage(Consumer<byte[]> listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Where to record the retirement of each epoch's key (a DESTROY event naming its key package's
     * header id and context); {@link AuditSink#slf4j()} by default. Creating and opening key
     * packages is recorded by the {@link Recordings}' own sink.
     *
     * @param audit the sink; not null
     * @return this builder
     */
    public Builder auditSink(AuditSink audit) {
      this.audit = Objects.requireNonNull(audit, "audit");
      return this;
    }

    /**
     * Continues the epoch of {@code keyPackage} after a restart instead of starting a new one: the
     * key is unwrapped again with the builder's {@link Recordings}, so it must include a KEK of
     * this sender's, and counting resumes from the value in the counter store. It must be the
     * latest key package this sender handed out (the counter store's latest epoch), else {@link
     * #build()} throws an {@link OxCryptoException}: older epochs' counters are not kept.
     *
     * @param keyPackage the latest key package this sender handed out; copied
     * @return this builder
     * @throws NullPointerException if {@code keyPackage} is null
     */
    public Builder resume(byte[] keyPackage) {
      this.resume = Objects.requireNonNull(keyPackage, "keyPackage").clone();
      return this;
    }

    /**
     * Builds the sender and creates its first epoch (or resumes the given one), handing a new key
     * package to the listener.
     *
     * @return the sender
     * @throws IllegalArgumentException if a setting is out of range or the session id is not 1 to
     *     256 characters
     * @throws IOException if the counter store cannot be read or written
     * @throws GeneralSecurityException if the first epoch's key cannot be wrapped (or, with {@link
     *     #resume}, unwrapped)
     */
    public SFrameSender build() throws IOException, GeneralSecurityException {
      if (sessionId.isEmpty() || sessionId.length() > 256) {
        throw new IllegalArgumentException("sessionId must be 1 to 256 characters");
      }
      if (rotateEveryFrames < 1 || rotateEveryMillis < 1) {
        throw new IllegalArgumentException("rotateEveryFrames and rotateEveryMillis must be positive");
      }
      if (graceFrames < 0 || graceFrames >= rotateEveryFrames) {
        throw new IllegalArgumentException("graceFrames must be 0 to rotateEveryFrames - 1");
      }
      if (counterReservation < 1) {
        throw new IllegalArgumentException("counterReservation must be positive");
      }
      SFrameSender s = new SFrameSender(this);
      synchronized (s) {
        s.current = resume != null ? s.resume(resume) : s.newEpoch();
      }
      return s;
    }
  }
}
