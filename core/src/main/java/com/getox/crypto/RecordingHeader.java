package com.getox.crypto;

import com.getox.crypto.internal.Streams;
import com.getox.crypto.kek.WrappedKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The envelope header of a recording: format version, algorithm suite, a random header id, the
 * encryption context and the data key wrapped under one or more KEKs. See docs/FORMAT.md for the
 * bytes. It travels in front of the body, or apart from it (a sidecar file, object metadata) when
 * written with {@link Recordings#newDetachedWriter}.
 *
 * <pre>{@code
 * RecordingHeader header = RecordingHeader.parse(sidecarBytes, ReadOptions.defaults());
 * System.out.println(header.context().get("recording-id") + " " + header.wrappedKeys());
 * }</pre>
 *
 * <p>Only the version, suite, header id and context are authenticated (through the body's key
 * commitment); the wrapped-key list is not, so it can change without touching the body. A
 * tampered wrapped key fails to unwrap or yields a key that fails the commitment.
 */
public final class RecordingHeader {
  /** The magic bytes that start every attached header: ASCII "OXRC". */
  static final byte[] MAGIC = {'O', 'X', 'R', 'C'};

  /** The version this library writes: 2 (per-recording sharing keys, unstored context, flush). */
  public static final int FORMAT_VERSION = 2;
  /** The first version, still read (and edited) in place. */
  public static final int FORMAT_VERSION_1 = 1;
  /** The key and entry name that bind a recording-key wrap to its header (version 2). */
  static final String RECORDING_ID_KEY = "oxcrypt:recording-id";
  /** Context keys with this prefix are the library's own (version 2). */
  static final String RESERVED_PREFIX = "oxcrypt:";
  /** Cobblestone-256: AES-256-GCM, HKDF-Expand-SHA-512, 16 KiB chunks, 24-byte salt. */
  public static final int SUITE_COBBLESTONE_256 = 0x0001;

  /** Length of the random header id, in bytes. */
  public static final int HEADER_ID_BYTES = 16;
  /** magic, version, total length. */
  static final int PREAMBLE_BYTES = 4 + 1 + 4;
  static final int SCOPE_DATA_KEY = 1;
  static final int SCOPE_RECORDING_KEY = 2;
  /** The hard limit; a reader's own limit ({@link ReadOptions}) is usually lower. */
  public static final int MAX_HEADER_BYTES = 1 << 20;

  private final int version;
  private final int suiteId;
  private final byte[] headerId;
  private final EncryptionContext context;
  private final SortedSet<String> unstoredKeys;
  private final List<WrappedKey> wrappedKeys;

  /**
   * @param context the stored entries only
   * @param unstoredKeys the names of the unstored entries (version 2), in canonical order
   */
  RecordingHeader(
      int version,
      int suiteId,
      byte[] headerId,
      EncryptionContext context,
      SortedSet<String> unstoredKeys,
      List<WrappedKey> wrappedKeys) {
    this.version = version;
    this.suiteId = suiteId;
    this.headerId = headerId.clone();
    this.context = context;
    this.unstoredKeys = Collections.unmodifiableSortedSet(new TreeSet<>(unstoredKeys));
    this.wrappedKeys = Collections.unmodifiableList(new ArrayList<>(wrappedKeys));
  }

  /**
   * The format version the header was written in.
   *
   * @return {@link #FORMAT_VERSION_1} or {@link #FORMAT_VERSION} (2)
   */
  public int formatVersion() {
    return version;
  }

  /**
   * The names of the context entries bound to this recording but not stored in it (version 2):
   * a reader supplies their values with {@link ReadOptions.Builder#expect}.
   *
   * @return the names in canonical order, unmodifiable; empty for version 1 and most recordings
   */
  public SortedSet<String> unstoredKeys() {
    return unstoredKeys;
  }

  /**
   * The whole context: the stored entries plus the unstored ones, whose values {@code options}
   * supplies through {@link ReadOptions.Builder#expect}.
   *
   * @throws ContextMismatchException if a value for an unstored entry is missing
   */
  EncryptionContext fullContext(ReadOptions options) throws ContextMismatchException {
    if (unstoredKeys.isEmpty()) {
      return context;
    }
    EncryptionContext.Builder b = EncryptionContext.builder();
    for (java.util.Map.Entry<String, String> e : context.asMap().entrySet()) {
      b.put(e.getKey(), e.getValue());
    }
    for (String name : unstoredKeys) {
      String value = options.expected().get(name);
      if (value == null) {
        throw new ContextMismatchException(
            "the recording's context entry '"
                + name
                + "' is not stored in it: supply its value with ReadOptions.builder().expect(\""
                + name
                + "\", value)");
      }
      b.putUnstored(name, value);
    }
    return b.build();
  }

  /** The raw 16-byte header id. */
  byte[] headerId() {
    return headerId.clone();
  }

  /**
   * The algorithm suite of the body.
   *
   * @return the suite id; {@link #SUITE_COBBLESTONE_256} is the only one
   */
  public int suiteId() {
    return suiteId;
  }

  /**
   * The random header id, which names the recording in audit events.
   *
   * @return the {@value #HEADER_ID_BYTES}-byte id as 32 lowercase hex characters
   */
  public String headerIdHex() {
    return com.google.crypto.tink.subtle.Hex.encode(headerId);
  }

  /**
   * The stored part of the encryption context. Authenticated only once the recording has been
   * opened (a header from {@link #parse} or {@link #read} alone is not).
   *
   * @return the stored entries; the unstored ones are named by {@link #unstoredKeys()}
   */
  public EncryptionContext context() {
    return context;
  }

  /**
   * The wrapped data keys, one or more per KEK that can open the recording. They are outside the
   * body's authentication (so re-wrapping never touches the body); a key unwrapped from one is
   * checked against the body's key commitment before use.
   *
   * @return the wrapped keys in header order, unmodifiable
   */
  public List<WrappedKey> wrappedKeys() {
    return wrappedKeys;
  }

  /**
   * The same header with another wrapped-key list: what re-wrapping writes. Does not check the
   * reader's limits; {@link Recordings#rewrap}, {@link Recordings#share} and {@link
   * Recordings#revoke} are the checked ways to change the list.
   *
   * @param keys the new wrapped keys, at least one; copied
   * @return a new header with the same version, suite, id and context
   * @throws IllegalArgumentException if {@code keys} is empty, or holds a recording-key wrap for
   *     a version 1 header
   */
  public RecordingHeader withWrappedKeys(List<WrappedKey> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("a header needs at least one wrapped key");
    }
    if (version == FORMAT_VERSION_1) {
      for (WrappedKey k : keys) {
        if (k.scope() != WrappedKey.Scope.DATA_KEY) {
          throw new IllegalArgumentException("a version 1 header holds only data-key wraps");
        }
      }
    }
    return new RecordingHeader(version, suiteId, headerId, context, unstoredKeys, keys);
  }

  /**
   * The body's C2SP context. Version 1: {@code magic || 01 || suite || header id || canonical
   * context}. Version 2: {@code magic || 02 || suite || header id || canonical full context ||
   * unstored names}, the full context holding the unstored entries' values too. Leaves out the
   * wrapped keys so re-wrapping never touches the body.
   *
   * @param full the whole context ({@link #fullContext}); its stored part must be this header's
   */
  byte[] authenticatedBytes(EncryptionContext full) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(MAGIC, 0, MAGIC.length);
    out.write(version);
    out.write(suiteId >>> 8);
    out.write(suiteId);
    out.write(headerId, 0, headerId.length);
    if (version == FORMAT_VERSION_1) {
      context.writeCanonical(out);
    } else {
      if (!full.stored().equals(context) || !full.unstoredKeys().equals(unstoredKeys)) {
        throw new IllegalArgumentException("not this header's context");
      }
      full.writeCanonical(out);
      writeNames(out);
    }
    return out.toByteArray();
  }

  /**
   * The associated data a wrapped key of {@code scope} is bound to: the full context, plus the
   * header id for a recording key (version 2).
   */
  EncryptionContext wrapContext(EncryptionContext full, WrappedKey.Scope scope) {
    return scope == WrappedKey.Scope.RECORDING_KEY ? full.with(RECORDING_ID_KEY, headerIdHex()) : full;
  }

  private void writeNames(ByteArrayOutputStream out) {
    writeU16(out, unstoredKeys.size());
    for (String name : unstoredKeys) {
      writeString16(out, name);
    }
  }

  /**
   * The serialized header, as it precedes the body or is stored apart from it.
   *
   * @return a new array holding the encoded header
   */
  public byte[] toByteArray() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(MAGIC, 0, MAGIC.length);
    out.write(version);
    out.write(new byte[4], 0, 4); // total length, patched below
    out.write(suiteId >>> 8);
    out.write(suiteId);
    out.write(headerId, 0, headerId.length);
    context.writeCanonical(out);
    if (version != FORMAT_VERSION_1) {
      writeNames(out);
    }
    writeU16(out, wrappedKeys.size());
    for (WrappedKey k : wrappedKeys) {
      if (version != FORMAT_VERSION_1) {
        out.write(k.scope() == WrappedKey.Scope.DATA_KEY ? SCOPE_DATA_KEY : SCOPE_RECORDING_KEY);
      }
      writeString16(out, k.kekUri());
      writeString8(out, k.kekVersion());
      writeString8(out, k.algorithm());
      byte[] w = k.wrappedBytes();
      writeU16(out, w.length);
      out.write(w, 0, w.length);
    }
    byte[] bytes = out.toByteArray();
    ByteBuffer.wrap(bytes, 5, 4).putInt(bytes.length);
    return bytes;
  }

  /**
   * Parses a header held whole in {@code bytes} (a detached header). The array must hold exactly
   * one header.
   *
   * @param bytes the whole header; not null
   * @param options the limits to apply ({@link ReadOptions#maxHeaderBytes()}, {@link
   *     ReadOptions#maxWrappedKeys()})
   * @return the header, not yet authenticated
   * @throws OxCryptoException if the bytes are not exactly one well-formed header within the
   *     limits: a {@link FormatException}, an {@link UnsupportedFormatException} for an unknown
   *     version or suite, a {@link TruncationException} if it is shorter than its preamble
   */
  public static RecordingHeader parse(byte[] bytes, ReadOptions options) throws OxCryptoException {
    int total = checkPreamble(bytes, options);
    if (total != bytes.length) {
      throw new FormatException(
          "header says it is " + total + " bytes but " + bytes.length + " were given");
    }
    return parseBody(bytes, options);
  }

  /**
   * Reads one header from the front of {@code in}, leaving {@code in} at the first body byte. Reads
   * the 9-byte preamble first and allocates only after checking its length against {@code
   * options}.
   *
   * @param in the stream, positioned at the header; not closed
   * @param options the limits to apply ({@link ReadOptions#maxHeaderBytes()}, {@link
   *     ReadOptions#maxWrappedKeys()})
   * @return the header, not yet authenticated
   * @throws IOException if reading {@code in} fails
   * @throws OxCryptoException if the header is malformed, over the limits, of an unknown version
   *     or suite, or cut short ({@link TruncationException})
   */
  public static RecordingHeader read(InputStream in, ReadOptions options)
      throws IOException, OxCryptoException {
    return parseBody(readBytes(in, options), options);
  }

  /** Reads one header's bytes, unparsed, checking only the preamble and length. */
  static byte[] readBytes(InputStream in, ReadOptions options)
      throws IOException, OxCryptoException {
    byte[] preamble = new byte[PREAMBLE_BYTES];
    Streams.readFully(in, preamble, 0, PREAMBLE_BYTES, "recording ends inside its header");
    int total = checkPreamble(preamble, options);
    byte[] bytes = Arrays.copyOf(preamble, total);
    Streams.readFully(
        in, bytes, PREAMBLE_BYTES, total - PREAMBLE_BYTES, "recording ends inside its header");
    return bytes;
  }

  /**
   * Refuses a header that the default reader ({@link ReadOptions#defaults()}) would refuse: more
   * than {@value ReadOptions#DEFAULT_MAX_HEADER_BYTES} bytes or more than {@value
   * ReadOptions#DEFAULT_MAX_WRAPPED_KEYS} wrapped keys. Every writer (new recordings, share,
   * re-wrap) calls it before writing anything. The context and wrapped-key field limits are
   * already the reader's, checked when they are built.
   *
   * @return this header
   */
  RecordingHeader checkWritable() throws HeaderLimitException {
    if (wrappedKeys.size() > ReadOptions.DEFAULT_MAX_WRAPPED_KEYS) {
      throw new HeaderLimitException(
          "header would hold "
              + wrappedKeys.size()
              + " wrapped keys, over the default reader's limit of "
              + ReadOptions.DEFAULT_MAX_WRAPPED_KEYS
              + ": nothing was written");
    }
    int bytes = toByteArray().length;
    if (bytes > ReadOptions.DEFAULT_MAX_HEADER_BYTES) {
      throw new HeaderLimitException(
          "header would be "
              + bytes
              + " bytes, over the default reader's limit of "
              + ReadOptions.DEFAULT_MAX_HEADER_BYTES
              + " (a smaller encryption context, or fewer recipients): nothing was written");
    }
    return this;
  }

  /** A new header (version 2) for {@code full}: its stored entries, and its unstored names. */
  static RecordingHeader create(byte[] headerId, EncryptionContext full, List<WrappedKey> keys) {
    return new RecordingHeader(
        FORMAT_VERSION, SUITE_COBBLESTONE_256, headerId, full.stored(), full.unstoredKeys(), keys);
  }

  private static int checkPreamble(byte[] b, ReadOptions options) throws OxCryptoException {
    if (b.length < PREAMBLE_BYTES) {
      throw new TruncationException("header is shorter than its 9-byte preamble");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (b[i] != MAGIC[i]) {
        throw new FormatException("not an Ox recording: bad magic bytes");
      }
    }
    int version = b[4] & 0xff;
    if (version != FORMAT_VERSION_1 && version != FORMAT_VERSION) {
      throw new UnsupportedFormatException(
          "recording format version " + version + " is not supported (this build reads 1 and 2)");
    }
    long total = ByteBuffer.wrap(b, 5, 4).getInt() & 0xffffffffL;
    if (total > options.maxHeaderBytes()) {
      throw new FormatException(
          "header is " + total + " bytes, over the limit of " + options.maxHeaderBytes());
    }
    if (total < minimumLength(version)) {
      throw new FormatException("header length " + total + " is too small");
    }
    return (int) total;
  }

  /**
   * The smallest header: preamble, suite, header id, an empty context and one wrapped key with a
   * 1-byte URI, an empty version, a 1-byte algorithm and 1 wrapped byte: 40 bytes in version 1;
   * version 2 adds the unstored-name count and the key's scope: 43.
   */
  static int minimumLength(int version) {
    int oneKey = 2 + 1 + 1 + 1 + 1 + 2 + 1;
    int v1 = PREAMBLE_BYTES + 2 + HEADER_ID_BYTES + 2 + 2 + oneKey;
    return version == FORMAT_VERSION_1 ? v1 : v1 + 2 + 1;
  }

  private static RecordingHeader parseBody(byte[] b, ReadOptions options)
      throws OxCryptoException {
    int version = b[4] & 0xff;
    Cursor c = new Cursor(b, PREAMBLE_BYTES);
    int suite = c.u16();
    if (suite != SUITE_COBBLESTONE_256) {
      throw new UnsupportedFormatException(
          "algorithm suite 0x" + Integer.toHexString(suite) + " is not supported");
    }
    byte[] headerId = c.bytes(HEADER_ID_BYTES);
    int entries = c.u16();
    if (entries > EncryptionContext.MAX_ENTRIES) {
      throw new FormatException(
          "context has " + entries + " entries, over " + EncryptionContext.MAX_ENTRIES);
    }
    EncryptionContext.Builder ctx = EncryptionContext.builder();
    String previous = null;
    for (int i = 0; i < entries; i++) {
      String key = c.utf8(c.u16(), 1, EncryptionContext.MAX_KEY_BYTES, "context key");
      String value = c.utf8(c.u16(), 0, EncryptionContext.MAX_VALUE_BYTES, "context value");
      if (previous != null && EncryptionContext.compareUtf8(previous, key) >= 0) {
        throw new FormatException("context keys are not in canonical order or repeat");
      }
      previous = key;
      ctx.put(key, value);
      reserved(version, key);
    }
    EncryptionContext stored = ctx.build();
    TreeSet<String> unstored = new TreeSet<>(EncryptionContext.UTF8_ORDER);
    if (version != FORMAT_VERSION_1) {
      int names = c.u16();
      if (entries + names > EncryptionContext.MAX_ENTRIES) {
        throw new FormatException(
            "context has " + (entries + names) + " entries, over " + EncryptionContext.MAX_ENTRIES);
      }
      String prev = null;
      for (int i = 0; i < names; i++) {
        String name = c.utf8(c.u16(), 1, EncryptionContext.MAX_KEY_BYTES, "unstored entry name");
        if (prev != null && EncryptionContext.compareUtf8(prev, name) >= 0) {
          throw new FormatException("unstored entry names are not in canonical order or repeat");
        }
        if (stored.get(name) != null) {
          throw new FormatException("context entry '" + name + "' is both stored and unstored");
        }
        reserved(version, name);
        prev = name;
        unstored.add(name);
      }
    }
    int keyCount = c.u16();
    if (keyCount < 1) {
      throw new FormatException("header holds no wrapped key");
    }
    if (keyCount > options.maxWrappedKeys()) {
      throw new FormatException(
          "header holds "
              + keyCount
              + " wrapped keys, over the reader's limit of "
              + options.maxWrappedKeys());
    }
    List<WrappedKey> keys = new ArrayList<>(keyCount);
    for (int i = 0; i < keyCount; i++) {
      WrappedKey.Scope scope = WrappedKey.Scope.DATA_KEY;
      if (version != FORMAT_VERSION_1) {
        int s = c.u8();
        if (s == SCOPE_RECORDING_KEY) {
          scope = WrappedKey.Scope.RECORDING_KEY;
        } else if (s != SCOPE_DATA_KEY) {
          throw new FormatException("wrapped key scope " + s + " is not 1 or 2");
        }
      }
      String uri = c.utf8(c.u16(), 1, WrappedKey.MAX_URI_BYTES, "KEK URI");
      String kekVersion = c.utf8(c.u8(), 0, WrappedKey.MAX_LABEL_BYTES, "KEK version");
      String algorithm = c.utf8(c.u8(), 1, WrappedKey.MAX_LABEL_BYTES, "wrapping algorithm");
      int n = c.u16();
      if (n < 1 || n > WrappedKey.MAX_WRAPPED_BYTES) {
        throw new FormatException("wrapped key length " + n + " is out of range");
      }
      keys.add(WrappedKey.create(uri, kekVersion, algorithm, c.bytes(n)).withScope(scope));
    }
    if (c.pos != b.length) {
      throw new FormatException("header has " + (b.length - c.pos) + " unexpected trailing bytes");
    }
    return new RecordingHeader(version, suite, headerId, stored, unstored, keys);
  }

  /** Version 2 writers never store the library's own keys; a header that does was crafted. */
  private static void reserved(int version, String key) throws FormatException {
    if (version != FORMAT_VERSION_1 && key.startsWith(RESERVED_PREFIX)) {
      throw new FormatException("context key '" + key + "' uses the reserved prefix " + RESERVED_PREFIX);
    }
  }

  private static void writeU16(ByteArrayOutputStream out, int v) {
    out.write(v >>> 8);
    out.write(v);
  }

  private static void writeString16(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    writeU16(out, b.length);
    out.write(b, 0, b.length);
  }

  private static void writeString8(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write(b.length);
    out.write(b, 0, b.length);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RecordingHeader)) {
      return false;
    }
    RecordingHeader h = (RecordingHeader) o;
    return version == h.version
        && suiteId == h.suiteId
        && Arrays.equals(headerId, h.headerId)
        && context.equals(h.context)
        && unstoredKeys.equals(h.unstoredKeys)
        && wrappedKeys.equals(h.wrappedKeys);
  }

  @Override
  public int hashCode() {
    return Objects.hash(version, suiteId, Arrays.hashCode(headerId), context, wrappedKeys);
  }

  @Override
  public String toString() {
    return "RecordingHeader{v"
        + version
        + " suite=0x"
        + Integer.toHexString(suiteId)
        + " id="
        + headerIdHex()
        + " context="
        + context
        + (unstoredKeys.isEmpty() ? "" : " unstored=" + unstoredKeys)
        + " keys="
        + wrappedKeys
        + "}";
  }

  /** A bounds-checked reader over the header bytes: every length is checked before use. */
  private static final class Cursor {
    private final byte[] b;
    private int pos;

    Cursor(byte[] b, int pos) {
      this.b = b;
      this.pos = pos;
    }

    private void need(int n) throws FormatException {
      if (n > b.length - pos) {
        throw new FormatException("header field runs past the header's end");
      }
    }

    int u8() throws FormatException {
      need(1);
      return b[pos++] & 0xff;
    }

    int u16() throws FormatException {
      need(2);
      int v = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
      pos += 2;
      return v;
    }

    byte[] bytes(int n) throws FormatException {
      need(n);
      byte[] out = Arrays.copyOfRange(b, pos, pos + n);
      pos += n;
      return out;
    }

    String utf8(int n, int min, int max, String what) throws FormatException {
      if (n < min || n > max) {
        throw new FormatException(what + " length " + n + " is out of range");
      }
      need(n);
      try {
        String s =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(b, pos, n))
                .toString();
        pos += n;
        return s;
      } catch (CharacterCodingException e) {
        throw new FormatException(what + " is not valid UTF-8");
      }
    }
  }
}
