package com.getox.crypto;

import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.WrappedKey;
import com.google.crypto.tink.subtle.Hex;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Reuses one data key for several recordings to save KMS round trips (latency on phones, cost on
 * servers). Safe because every recording still draws its own 24-byte salt, so every recording has
 * its own AES key and nonces. A hit makes no KMS call.
 *
 * <pre>{@code
 * DekCache cache = DekCache.builder()
 *     .maxAgeMillis(TimeUnit.MINUTES.toMillis(5))
 *     .maxRecordings(1000)
 *     .maxBytes(1L << 30)
 *     .build();
 * Recordings recordings = Recordings.builder().wrapWith(awsKek).dekCache(cache).build();
 * }</pre>
 *
 * <p>With {@link Builder#servesReaders} it also serves readers: a recording whose wrapped data
 * key (in the same encryption context) this cache has wrapped or opened before, within {@code
 * maxAgeMillis}, opens without a KMS call; the key commitment is still checked. A reader's hit
 * skips the KMS, so a KEK that is disabled or destroyed stops opening cached recordings only when
 * their entries age out (or at {@link #clear()}); that is why it is off by default.
 *
 * <p>Partitioned by the set of wrapping KEKs and the whole encryption context, so a data key never
 * crosses users or data classes (the wrapped keys it reuses are bound to that exact context
 * anyway). Contexts that differ per recording (a recording id) therefore never hit; put such ids
 * in the recording's name, not its context, where caching matters. Limits are checked when a
 * recording starts; a key past any limit is evicted and wiped, and so is a key whose wrapped keys a
 * KEK no longer calls current ({@link Kek#isCurrent}: a rotation), so a recording is never
 * wrapped under a version that was rotated away from, and may since be disabled or destroyed.
 * Thread-safe.
 */
public final class DekCache {
  private final long maxAgeNanos;
  private final long maxRecordings;
  private final long maxBytes;
  private final int maxEntries;
  private final boolean servesReaders;
  private final LongSupplier nanoClock;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  /** Readers' side: data keys by wrapped key and context (see {@link #opened}). */
  private final LinkedHashMap<String, Entry> opened = new LinkedHashMap<>(16, 0.75f, true);

  private static final class Entry {
    final byte[] dek;
    final List<WrappedKey> wrapped;
    final long createdNanos;
    long recordings;
    long bytes;

    Entry(byte[] dek, List<WrappedKey> wrapped, long createdNanos) {
      this.dek = dek.clone();
      this.wrapped = wrapped;
      this.createdNanos = createdNanos;
    }

    void wipe() {
      Arrays.fill(dek, (byte) 0);
    }
  }

  private DekCache(Builder b) {
    this.maxAgeNanos = TimeUnit.MILLISECONDS.toNanos(b.maxAgeMillis);
    this.maxRecordings = b.maxRecordings;
    this.maxBytes = b.maxBytes;
    this.maxEntries = b.maxEntries;
    this.servesReaders = b.servesReaders;
    this.nanoClock = b.nanoClock;
  }

  /**
   * A builder of a cache; {@code maxAgeMillis}, {@code maxRecordings} and {@code maxBytes} must
   * all be set.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** A cached key handed to one recording. */
  static final class Lease {
    private final Entry entry;
    final byte[] dek;
    final List<WrappedKey> wrapped;

    Lease(Entry entry) {
      this.entry = entry;
      this.dek = entry.dek.clone();
      this.wrapped = entry.wrapped;
    }
  }

  /**
   * A usable cached key for {@code partition} (counted as one more recording), or null. An entry
   * is usable only while every KEK in {@code keks} (the partition's, in wrapping order) still
   * considers its wrapped key {@link Kek#isCurrent current}: after a rotation, and so before the
   * old version can be disabled or destroyed, the next recording gets a new data key wrapped under
   * the new version instead of one that the old version alone can open.
   */
  synchronized Lease acquire(String partition, List<? extends Kek> keks) {
    Entry e = entries.get(partition);
    if (e == null) {
      return null;
    }
    if (expired(e)
        || e.recordings >= maxRecordings
        || e.bytes >= maxBytes
        || !allCurrent(e.wrapped, keks)) {
      entries.remove(partition);
      e.wipe();
      return null;
    }
    e.recordings++;
    return new Lease(e);
  }

  private static boolean allCurrent(List<WrappedKey> wrapped, List<? extends Kek> keks) {
    if (wrapped.size() != keks.size()) {
      return false;
    }
    for (int i = 0; i < wrapped.size(); i++) {
      if (!keks.get(i).isCurrent(wrapped.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** Caches a freshly wrapped key, already used by one recording. */
  synchronized Lease put(String partition, byte[] dek, List<WrappedKey> wrapped) {
    Entry e = new Entry(dek, wrapped, nanoClock.getAsLong());
    e.recordings = 1;
    putWithin(entries, partition, e);
    return new Lease(e);
  }

  /** Puts {@code e}, wiping the entry it replaces and the least recently used past maxEntries. */
  private void putWithin(LinkedHashMap<String, Entry> map, String key, Entry e) {
    Entry old = map.put(key, e);
    if (old != null) {
      old.wipe();
    }
    Iterator<Map.Entry<String, Entry>> it = map.entrySet().iterator();
    while (map.size() > maxEntries && it.hasNext()) {
      it.next().getValue().wipe();
      it.remove();
    }
  }

  private boolean expired(Entry e) {
    return nanoClock.getAsLong() - e.createdNanos > maxAgeNanos;
  }

  /** Whether readers may use this cache ({@link Builder#servesReaders}). */
  boolean servesReaders() {
    return servesReaders;
  }

  /** Adds a finished recording's plaintext bytes to its key's count. */
  synchronized void addBytes(Lease lease, long bytes) {
    lease.entry.bytes += bytes;
  }

  /**
   * The data key that {@code wrapped}, in a header with this context, was opened or wrapped with
   * before, within {@code maxAgeMillis}; a copy, or null. The caller still checks the key
   * commitment, so a stale or mismatched entry can never open a recording it does not belong to.
   * Callers use it only when {@link #servesReaders()}.
   */
  synchronized byte[] opened(WrappedKey wrapped, byte[] canonicalContext) {
    String key = openedKey(wrapped, canonicalContext);
    Entry e = opened.get(key);
    if (e == null) {
      return null;
    }
    if (expired(e)) {
      opened.remove(key);
      e.wipe();
      return null;
    }
    return e.dek.clone();
  }

  /** Remembers the data key behind {@code wrapped} for {@link #opened}. */
  synchronized void rememberOpened(WrappedKey wrapped, byte[] canonicalContext, byte[] dek) {
    putWithin(
        opened,
        openedKey(wrapped, canonicalContext),
        new Entry(dek, Collections.<WrappedKey>emptyList(), nanoClock.getAsLong()));
  }

  /** Wrapped keys and contexts are not secret; the key names both exactly. */
  private static String openedKey(WrappedKey w, byte[] canonicalContext) {
    return w.kekUri() + '\n' + w.kekVersion() + '\n' + w.algorithm() + '\n'
        + Hex.encode(w.wrappedBytes()) + '\n' + Hex.encode(canonicalContext);
  }

  /** Wipes and drops every cached key, on both the writers' and the readers' side. */
  public synchronized void clear() {
    for (Entry e : entries.values()) {
      e.wipe();
    }
    entries.clear();
    for (Entry e : opened.values()) {
      e.wipe();
    }
    opened.clear();
  }

  long maxAgeMillis() {
    return TimeUnit.NANOSECONDS.toMillis(maxAgeNanos);
  }

  long maxRecordings() {
    return maxRecordings;
  }

  long maxBytes() {
    return maxBytes;
  }

  /**
   * Number of cached keys for starting recordings (the readers' side is not counted).
   *
   * @return the number of partitions holding a data key, 0 to {@code maxEntries}
   */
  public synchronized int size() {
    return entries.size();
  }

  /** Builds a {@link DekCache}. Every limit must be set. */
  public static final class Builder {
    private long maxAgeMillis = -1;
    private long maxRecordings = -1;
    private long maxBytes = -1;
    private int maxEntries = 1000;
    private boolean servesReaders;
    private LongSupplier nanoClock = System::nanoTime;

    private Builder() {}

    /**
     * How long a data key may be reused after it was generated. Required.
     *
     * @param maxAgeMillis the age limit in milliseconds, more than 0 (checked by {@link
     *     #build()})
     * @return this builder
     */
    public Builder maxAgeMillis(long maxAgeMillis) {
      this.maxAgeMillis = maxAgeMillis;
      return this;
    }

    /**
     * How many recordings one data key may encrypt. Required.
     *
     * @param maxRecordings the limit, more than 0 (checked by {@link #build()})
     * @return this builder
     */
    public Builder maxRecordings(long maxRecordings) {
      this.maxRecordings = maxRecordings;
      return this;
    }

    /**
     * How many plaintext bytes one data key may encrypt before it is retired. Required. Checked
     * when a recording starts, so the recording that crosses the limit finishes under the key.
     *
     * @param maxBytes the limit in bytes, more than 0 (checked by {@link #build()})
     * @return this builder
     */
    public Builder maxBytes(long maxBytes) {
      this.maxBytes = maxBytes;
      return this;
    }

    /**
     * How many partitions are kept (least recently used go first). Default 1000.
     *
     * @param maxEntries the limit, more than 0 (checked by {@link #build()})
     * @return this builder
     */
    public Builder maxEntries(int maxEntries) {
      this.maxEntries = maxEntries;
      return this;
    }

    /**
     * Also opens recordings whose data key this cache wrapped or opened before, without a KMS
     * call (see the class comment for what that means for disabling a KEK). Off by default.
     *
     * @param servesReaders true to serve readers too
     * @return this builder
     */
    public Builder servesReaders(boolean servesReaders) {
      this.servesReaders = servesReaders;
      return this;
    }

    /**
     * The clock for {@link #maxAgeMillis}; {@code System::nanoTime} by default (tests swap it).
     *
     * @param nanoClock returns a monotonic time in nanoseconds from any fixed origin
     * @return this builder
     */
    public Builder nanoClock(LongSupplier nanoClock) {
      this.nanoClock = nanoClock;
      return this;
    }

    /**
     * Builds the cache, empty.
     *
     * @return the cache; pass it to {@code Recordings.Builder.dekCache}
     * @throws IllegalArgumentException if {@code maxAgeMillis}, {@code maxRecordings} or {@code
     *     maxBytes} was not set to more than 0, or {@code maxEntries} is not more than 0
     */
    public DekCache build() {
      if (maxAgeMillis <= 0 || maxRecordings <= 0 || maxBytes <= 0) {
        throw new IllegalArgumentException(
            "set maxAgeMillis, maxRecordings and maxBytes, each > 0: a cache without limits"
                + " would reuse one data key forever");
      }
      if (maxEntries <= 0) {
        throw new IllegalArgumentException("maxEntries must be > 0");
      }
      return new DekCache(this);
    }
  }
}
