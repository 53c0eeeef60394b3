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

  public static final int FORMAT_VERSION = 1;
  /** Cobblestone-256: AES-256-GCM, HKDF-Expand-SHA-512, 16 KiB chunks, 24-byte salt. */
  public static final int SUITE_COBBLESTONE_256 = 0x0001;

  public static final int HEADER_ID_BYTES = 16;
  /** magic, version, total length. */
  static final int PREAMBLE_BYTES = 4 + 1 + 4;
  /** The hard limit; a reader's own limit ({@link ReadOptions}) is usually lower. */
  public static final int MAX_HEADER_BYTES = 1 << 20;

  private final int suiteId;
  private final byte[] headerId;
  private final EncryptionContext context;
  private final List<WrappedKey> wrappedKeys;

  RecordingHeader(
      int suiteId, byte[] headerId, EncryptionContext context, List<WrappedKey> wrappedKeys) {
    this.suiteId = suiteId;
    this.headerId = headerId.clone();
    this.context = context;
    this.wrappedKeys = Collections.unmodifiableList(new ArrayList<>(wrappedKeys));
  }

  public int formatVersion() {
    return FORMAT_VERSION;
  }

  public int suiteId() {
    return suiteId;
  }

  /** The random 16-byte header id, in lowercase hex. */
  public String headerIdHex() {
    return com.google.crypto.tink.subtle.Hex.encode(headerId);
  }

  public EncryptionContext context() {
    return context;
  }

  public List<WrappedKey> wrappedKeys() {
    return wrappedKeys;
  }

  /** The same header with another wrapped-key list: what re-wrapping writes. */
  public RecordingHeader withWrappedKeys(List<WrappedKey> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("a header needs at least one wrapped key");
    }
    return new RecordingHeader(suiteId, headerId, context, keys);
  }

  /**
   * The body's C2SP context: {@code magic || version || suite || header id || canonical context}.
   * Leaves out the wrapped keys so re-wrapping never touches the body.
   */
  byte[] authenticatedBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(MAGIC, 0, MAGIC.length);
    out.write(FORMAT_VERSION);
    out.write(suiteId >>> 8);
    out.write(suiteId);
    out.write(headerId, 0, headerId.length);
    context.writeCanonical(out);
    return out.toByteArray();
  }

  /** The serialized header, as it precedes the body or is stored apart from it. */
  public byte[] toByteArray() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] auth = authenticatedBytes();
    out.write(auth, 0, 5); // magic and version
    out.write(new byte[4], 0, 4); // total length, patched below
    out.write(auth, 5, auth.length - 5);
    writeU16(out, wrappedKeys.size());
    for (WrappedKey k : wrappedKeys) {
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
    if (version != FORMAT_VERSION) {
      throw new UnsupportedFormatException(
          "recording format version " + version + " is not supported (this build reads 1)");
    }
    long total = ByteBuffer.wrap(b, 5, 4).getInt() & 0xffffffffL;
    if (total > options.maxHeaderBytes()) {
      throw new FormatException(
          "header is " + total + " bytes, over the limit of " + options.maxHeaderBytes());
    }
    if (total < PREAMBLE_BYTES + 2 + HEADER_ID_BYTES + 2 + 2) {
      throw new FormatException("header length " + total + " is too small");
    }
    return (int) total;
  }

  private static RecordingHeader parseBody(byte[] b, ReadOptions options)
      throws OxCryptoException {
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
      String uri = c.utf8(c.u16(), 1, WrappedKey.MAX_URI_BYTES, "KEK URI");
      String version = c.utf8(c.u8(), 0, WrappedKey.MAX_LABEL_BYTES, "KEK version");
      String algorithm = c.utf8(c.u8(), 1, WrappedKey.MAX_LABEL_BYTES, "wrapping algorithm");
      int n = c.u16();
      if (n < 1 || n > WrappedKey.MAX_WRAPPED_BYTES) {
        throw new FormatException("wrapped key length " + n + " is out of range");
      }
      keys.add(WrappedKey.create(uri, version, algorithm, c.bytes(n)));
    }
    if (c.pos != b.length) {
      throw new FormatException("header has " + (b.length - c.pos) + " unexpected trailing bytes");
    }
    return new RecordingHeader(suite, headerId, ctx.build(), keys);
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
    return suiteId == h.suiteId
        && Arrays.equals(headerId, h.headerId)
        && context.equals(h.context)
        && wrappedKeys.equals(h.wrappedKeys);
  }

  @Override
  public int hashCode() {
    return Objects.hash(suiteId, Arrays.hashCode(headerId), context, wrappedKeys);
  }

  @Override
  public String toString() {
    return "RecordingHeader{v1 suite=0x"
        + Integer.toHexString(suiteId)
        + " id="
        + headerIdHex()
        + " context="
        + context
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
