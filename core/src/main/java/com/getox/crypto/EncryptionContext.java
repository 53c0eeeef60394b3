package com.getox.crypto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An immutable map of UTF-8 strings that describes a recording: who owns it, what it is, how it
 * is classified. It is not secret, but it is authenticated: it is part of the body's key
 * commitment and the additional authenticated data of every data-key wrap, so a reader that
 * {@linkplain ReadOptions.Builder#expect(String, String) expects} a value can trust it.
 *
 * <pre>{@code
 * EncryptionContext ctx = EncryptionContext.builder()
 *     .put("recording-id", "rec-42")
 *     .put("user-id", "u-7")
 *     .put("data-class", "Confidential")
 *     .build();
 * }</pre>
 *
 * <p><b>Unstored entries</b> ({@link Builder#putUnstored}, format version 2) are bound exactly
 * like stored ones, but their values are never written to the recording: the reader supplies them
 * ({@link ReadOptions.Builder#expect}), and a missing or wrong value fails before any plaintext.
 * Use them for personal data such as a user id. Only their names are stored. {@link #toString()}
 * never prints their values.
 *
 * <pre>{@code
 * EncryptionContext ctx = EncryptionContext.builder()
 *     .put("data-class", "Confidential")
 *     .putUnstored("user-id", "u-7")       // bound, not stored: readers give it back
 *     .build();
 * }</pre>
 *
 * <p>Limits (checked by {@link Builder#build()}): at most {@value #MAX_ENTRIES} entries, keys of 1
 * to {@value #MAX_KEY_BYTES} UTF-8 bytes, values of at most {@value #MAX_VALUE_BYTES} UTF-8 bytes.
 * Entries are ordered by the unsigned bytes of their UTF-8 keys, which makes {@link
 * #canonicalBytes()} unique for each map.
 */
public final class EncryptionContext {
  /** The most entries a context may hold, stored and unstored together. */
  public static final int MAX_ENTRIES = 64;

  /** The longest key, in UTF-8 bytes. */
  public static final int MAX_KEY_BYTES = 255;

  /** The longest value, in UTF-8 bytes. */
  public static final int MAX_VALUE_BYTES = 1024;

  /**
   * {@link #compareUtf8} as a comparator: the canonical order of context keys and unstored names.
   * A class, not a method reference: spinning the lambda made a fresh JVM's first
   * builder().put(..).build() take ~11 ms instead of ~3 ms (cold start, issue 7).
   */
  static final Comparator<String> UTF8_ORDER =
      new Comparator<String>() {
        @Override
        public int compare(String a, String b) {
          return compareUtf8(a, b);
        }
      };

  private static final EncryptionContext EMPTY =
      new EncryptionContext(new TreeMap<>(UTF8_ORDER), new TreeSet<>(UTF8_ORDER));

  private final SortedMap<String, String> entries;
  private final SortedSet<String> unstored;
  private final byte[] canonical;

  private EncryptionContext(TreeMap<String, String> entries, TreeSet<String> unstored) {
    this.entries = Collections.unmodifiableSortedMap(entries);
    this.unstored = Collections.unmodifiableSortedSet(unstored);
    this.canonical = encode(entries);
  }

  /**
   * The context with no entries.
   *
   * @return the shared empty context
   */
  public static EncryptionContext empty() {
    return EMPTY;
  }

  /**
   * A context holding exactly {@code map}'s entries, all stored.
   *
   * @param map the entries; not null, no null key or value
   * @return the context
   * @throws NullPointerException if {@code map}, a key or a value is null
   * @throws IllegalArgumentException if a limit is exceeded or a string is not valid Unicode
   */
  public static EncryptionContext of(Map<String, String> map) {
    Builder b = builder();
    for (Map.Entry<String, String> e : map.entrySet()) {
      b.put(e.getKey(), e.getValue());
    }
    return b.build();
  }

  /**
   * A builder of a context, empty.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The entries, stored and unstored, ordered canonically (by the unsigned UTF-8 bytes of the
   * keys). Unmodifiable.
   *
   * @return every entry, unstored values included
   */
  public Map<String, String> asMap() {
    return entries;
  }

  /**
   * The names of the unstored entries.
   *
   * @return the names in canonical order, unmodifiable; empty for most contexts
   */
  public SortedSet<String> unstoredKeys() {
    return unstored;
  }

  /**
   * This context without its unstored entries: what a header stores.
   *
   * @return this context if it has no unstored entries, else a new one with the stored entries
   *     only
   */
  public EncryptionContext stored() {
    if (unstored.isEmpty()) {
      return this;
    }
    TreeMap<String, String> kept = new TreeMap<>(UTF8_ORDER);
    for (Map.Entry<String, String> e : entries.entrySet()) {
      if (!unstored.contains(e.getKey())) {
        kept.put(e.getKey(), e.getValue());
      }
    }
    return new EncryptionContext(kept, new TreeSet<>(UTF8_ORDER));
  }

  /** This context plus one more stored entry; for the library's own bindings. */
  EncryptionContext with(String key, String value) {
    TreeMap<String, String> all = new TreeMap<>(UTF8_ORDER);
    all.putAll(entries);
    all.put(key, value);
    TreeSet<String> names = new TreeSet<>(UTF8_ORDER);
    names.addAll(unstored);
    return new EncryptionContext(all, names);
  }

  /**
   * The value for {@code key}, stored or unstored.
   *
   * @param key the entry's key
   * @return the value, or null if there is no such entry
   */
  public String get(String key) {
    return entries.get(key);
  }

  /**
   * Whether the context has no entries.
   *
   * @return true if there are no entries, stored or unstored
   */
  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /**
   * The canonical encoding: {@code u16 count || (u16 len || key || u16 len || value)*}, big-endian,
   * entries in canonical order. This is the exact byte string KEKs receive as associated data.
   *
   * @return a copy of the encoding, unstored entries included
   */
  public byte[] canonicalBytes() {
    return canonical.clone();
  }

  /** Length of {@link #canonicalBytes()} without copying. */
  int canonicalLength() {
    return canonical.length;
  }

  /** Writes {@link #canonicalBytes()} without copying. */
  void writeCanonical(ByteArrayOutputStream out) {
    out.write(canonical, 0, canonical.length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncryptionContext
        && entries.equals(((EncryptionContext) o).entries)
        && unstored.equals(((EncryptionContext) o).unstored);
  }

  @Override
  public int hashCode() {
    return entries.hashCode() * 31 + unstored.hashCode();
  }

  /**
   * The stored entries, which are authenticated metadata and may be logged, and the names of the
   * unstored ones with their values left out: {@code {data-class=Confidential, user-id=(unstored)}}.
   */
  @Override
  public String toString() {
    if (unstored.isEmpty()) {
      return entries.toString();
    }
    StringBuilder sb = new StringBuilder("{");
    for (Map.Entry<String, String> e : entries.entrySet()) {
      sb.append(sb.length() == 1 ? "" : ", ").append(e.getKey()).append('=');
      sb.append(unstored.contains(e.getKey()) ? "(unstored)" : e.getValue());
    }
    return sb.append('}').toString();
  }

  private static byte[] encode(TreeMap<String, String> entries) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeU16(out, entries.size());
    for (Map.Entry<String, String> e : entries.entrySet()) {
      byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
      byte[] v = e.getValue().getBytes(StandardCharsets.UTF_8);
      writeU16(out, k.length);
      out.write(k, 0, k.length);
      writeU16(out, v.length);
      out.write(v, 0, v.length);
    }
    return out.toByteArray();
  }

  private static void writeU16(ByteArrayOutputStream out, int v) {
    out.write(v >>> 8);
    out.write(v);
  }

  /** Orders strings by the unsigned bytes of their UTF-8 encodings (not by UTF-16 code units). */
  static int compareUtf8(String a, String b) {
    byte[] x = a.getBytes(StandardCharsets.UTF_8);
    byte[] y = b.getBytes(StandardCharsets.UTF_8);
    int n = Math.min(x.length, y.length);
    for (int i = 0; i < n; i++) {
      int c = (x[i] & 0xff) - (y[i] & 0xff);
      if (c != 0) {
        return c;
      }
    }
    return x.length - y.length;
  }

  /** Builds an {@link EncryptionContext}; {@link #build()} validates the limits. */
  public static final class Builder {
    private final TreeMap<String, String> entries = new TreeMap<>(UTF8_ORDER);
    private final TreeSet<String> unstored = new TreeSet<>(UTF8_ORDER);

    private Builder() {}

    /**
     * Adds a stored entry; a later {@code put} or {@code putUnstored} of the same key replaces it.
     *
     * @param key the key, 1 to {@value #MAX_KEY_BYTES} UTF-8 bytes (checked by {@link #build()})
     * @param value the value, at most {@value #MAX_VALUE_BYTES} UTF-8 bytes (checked by {@link
     *     #build()})
     * @return this builder
     * @throws NullPointerException if {@code key} or {@code value} is null
     */
    public Builder put(String key, String value) {
      entries.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      unstored.remove(key);
      return this;
    }

    /**
     * Adds an entry that is bound to the recording but never stored in it (format version 2):
     * every reader must supply the same value ({@link ReadOptions.Builder#expect}). A later
     * {@code put} or {@code putUnstored} of the same key replaces it.
     *
     * @param key the key, stored in the recording; 1 to {@value #MAX_KEY_BYTES} UTF-8 bytes
     * @param value the value, never stored; at most {@value #MAX_VALUE_BYTES} UTF-8 bytes
     * @return this builder
     * @throws NullPointerException if {@code key} or {@code value} is null
     */
    public Builder putUnstored(String key, String value) {
      put(key, value);
      unstored.add(key);
      return this;
    }

    /**
     * Builds the context after checking the limits.
     *
     * @return the context, immutable
     * @throws IllegalArgumentException if a limit is exceeded or a string is not valid Unicode
     */
    public EncryptionContext build() {
      if (entries.size() > MAX_ENTRIES) {
        throw new IllegalArgumentException(
            "encryption context has " + entries.size() + " entries; at most " + MAX_ENTRIES);
      }
      for (Map.Entry<String, String> e : entries.entrySet()) {
        int k = utf8Length(e.getKey());
        int v = utf8Length(e.getValue());
        if (k < 1 || k > MAX_KEY_BYTES) {
          throw new IllegalArgumentException(
              "encryption context key must be 1 to " + MAX_KEY_BYTES + " UTF-8 bytes, got " + k);
        }
        if (v > MAX_VALUE_BYTES) {
          throw new IllegalArgumentException(
              "encryption context value for '"
                  + e.getKey()
                  + "' is "
                  + v
                  + " UTF-8 bytes; at most "
                  + MAX_VALUE_BYTES);
        }
      }
      return entries.isEmpty()
          ? EMPTY
          : new EncryptionContext(new TreeMap<>(entries), new TreeSet<>(unstored));
    }

    private static int utf8Length(String s) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (Character.isSurrogate(c)) {
          boolean paired =
              Character.isHighSurrogate(c)
                  && i + 1 < s.length()
                  && Character.isLowSurrogate(s.charAt(i + 1));
          if (!paired) {
            throw new IllegalArgumentException("encryption context holds an unpaired surrogate");
          }
          i++;
        }
      }
      return s.getBytes(StandardCharsets.UTF_8).length;
    }
  }
}
