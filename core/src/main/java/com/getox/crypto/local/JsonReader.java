package com.getox.crypto.local;

import com.getox.crypto.FormatException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A strict JSON (RFC 8259) pull reader over one small document, for reading keyset files.
 *
 * <p>Why by hand, with Jackson already a dependency: in a fresh JVM, Jackson's JsonFactory and
 * parser cost ~50 ms of class loading and verification before the first token (2-core Ice Lake,
 * JDK 17, {@code -Xlog:class+load}), a sixth of a whole raw-JCE cold start, for a file of a few
 * hundred bytes. Reading into arrays this class owns also lets the caller wipe the key material
 * ({@link #wipe}), which Jackson's recycled buffers do not allow. Writing keyset files still uses
 * Jackson. Errors never quote the document: it may hold keys.
 */
final class JsonReader {
  enum Token { START_OBJECT, END_OBJECT, START_ARRAY, END_ARRAY, FIELD_NAME, STRING, NUMBER, TRUE, FALSE, NULL, END }

  private static final int MAX_DEPTH = 32;
  private final char[] in;
  private final int length;
  private int pos;
  private Token token;
  private int start; // the current string's or number's text: [start, end)
  private int end;
  private boolean escaped; // the current string holds escapes
  private boolean integer; // the current number has no fraction or exponent
  private final boolean[] inObject = new boolean[MAX_DEPTH];
  private int depth;

  /** Reads UTF-8 {@code json}; the caller still owns (and wipes) {@code json}. */
  JsonReader(byte[] json) throws FormatException {
    CharBuffer chars;
    try {
      chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(json));
    } catch (CharacterCodingException e) {
      throw new FormatException("keyset file is not valid UTF-8");
    }
    this.in = chars.array();
    this.length = chars.limit();
  }

  /** Overwrites the document's characters. */
  void wipe() {
    Arrays.fill(in, '\0');
  }

  Token token() {
    return token;
  }

  /** Advances to the next token; {@link Token#END} once after the one root value. */
  Token next() throws FormatException {
    skipWhitespace();
    if (token == null) {
      return value();
    }
    if (depth == 0) {
      if (pos != length) {
        throw error("content after the end of the document");
      }
      return token = Token.END;
    }
    boolean object = inObject[depth - 1];
    if (token == Token.FIELD_NAME) {
      expectChar(':');
      skipWhitespace();
      return value();
    }
    if (token == Token.START_OBJECT || token == Token.START_ARRAY) {
      if (pos < length && in[pos] == (object ? '}' : ']')) {
        pos++;
        depth--;
        return token = object ? Token.END_OBJECT : Token.END_ARRAY;
      }
      return object ? fieldName() : value();
    }
    if (pos < length && in[pos] == ',') {
      pos++;
      skipWhitespace();
      return object ? fieldName() : value();
    }
    if (pos < length && in[pos] == (object ? '}' : ']')) {
      pos++;
      depth--;
      return token = object ? Token.END_OBJECT : Token.END_ARRAY;
    }
    throw error(object ? "expected ',' or '}'" : "expected ',' or ']'");
  }

  /** If at START_OBJECT or START_ARRAY, advances to its matching end; otherwise does nothing. */
  void skipChildren() throws FormatException {
    if (token != Token.START_OBJECT && token != Token.START_ARRAY) {
      return;
    }
    int target = depth - 1;
    while (depth > target) {
      next();
    }
  }

  /** The current STRING's or FIELD_NAME's value. */
  String text() throws FormatException {
    if (token != Token.STRING && token != Token.FIELD_NAME) {
      throw error("expected a string");
    }
    if (!escaped) {
      return new String(in, start, end - start);
    }
    char[] out = unescaped();
    try {
      return new String(out);
    } finally {
      Arrays.fill(out, '\0');
    }
  }

  /**
   * The current STRING decoded as padded standard base64 (RFC 4648), leaving no other copy behind
   * (java.util.Base64 is not on Android API 24, and Tink's decoder leaves a spare buffer).
   */
  byte[] base64() throws FormatException {
    if (token != Token.STRING) {
      throw error("expected a base64 string");
    }
    char[] s = escaped ? unescaped() : Arrays.copyOfRange(in, start, end);
    try {
      int n = s.length;
      if (n % 4 != 0) {
        throw error("malformed base64");
      }
      int pad = n == 0 || s[n - 1] != '=' ? 0 : s[n - 2] == '=' ? 2 : 1;
      byte[] out = new byte[n / 4 * 3 - pad];
      for (int i = 0, o = 0; i < n; i += 4) {
        int v = 0;
        for (int j = i; j < i + 4; j++) {
          int d = j >= n - pad ? 0 : base64Digit(s[j]);
          if (d < 0) {
            Arrays.fill(out, (byte) 0);
            throw error("malformed base64");
          }
          v = v << 6 | d;
        }
        out[o++] = (byte) (v >> 16);
        if (o < out.length) {
          out[o++] = (byte) (v >> 8);
        }
        if (o < out.length) {
          out[o++] = (byte) v;
        }
      }
      return out;
    } finally {
      Arrays.fill(s, '\0');
    }
  }

  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
  }

  private static int base64Digit(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return c == '+' ? 62 : c == '/' ? 63 : -1;
  }

  /** The current NUMBER, which must be an integer that fits a long. */
  long longValue() throws FormatException {
    if (token != Token.NUMBER || !integer) {
      throw error("expected an integer");
    }
    boolean negative = in[start] == '-';
    long v = 0;
    for (int i = negative ? start + 1 : start; i < end; i++) {
      int d = in[i] - '0';
      if (v > (Long.MAX_VALUE - d) / 10) {
        throw error("integer out of range");
      }
      v = v * 10 + d;
    }
    return negative ? -v : v;
  }

  int intValue() throws FormatException {
    long v = longValue();
    if (v != (int) v) {
      throw error("integer out of range");
    }
    return (int) v;
  }

  private Token value() throws FormatException {
    if (pos >= length) {
      throw error("unexpected end of the document");
    }
    char c = in[pos];
    switch (c) {
      case '{':
      case '[':
        if (depth == MAX_DEPTH) {
          throw error("nested too deeply");
        }
        inObject[depth++] = c == '{';
        pos++;
        return token = c == '{' ? Token.START_OBJECT : Token.START_ARRAY;
      case '"':
        string();
        return token = Token.STRING;
      case 't':
        literal("true");
        return token = Token.TRUE;
      case 'f':
        literal("false");
        return token = Token.FALSE;
      case 'n':
        literal("null");
        return token = Token.NULL;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          number();
          return token = Token.NUMBER;
        }
        throw error("unexpected character");
    }
  }

  private Token fieldName() throws FormatException {
    if (pos >= length || in[pos] != '"') {
      throw error("expected a field name");
    }
    string();
    return token = Token.FIELD_NAME;
  }

  private void string() throws FormatException {
    pos++; // the opening quote
    start = pos;
    escaped = false;
    boolean highSurrogate = false; // the last escape was a high surrogate
    while (pos < length) {
      char c = in[pos];
      if (c == '"') {
        if (highSurrogate) {
          throw error("unpaired surrogate escape");
        }
        end = pos++;
        return;
      }
      if (c < 0x20) {
        throw error("control character in a string");
      }
      if (c == '\\') {
        escaped = true;
        if (pos + 1 >= length) {
          break;
        }
        char e = in[pos + 1];
        if (e == 'u') {
          if (pos + 6 > length) {
            break;
          }
          int unit = 0;
          for (int i = pos + 2; i < pos + 6; i++) {
            int d = hexDigit(in[i]);
            if (d < 0) {
              throw error("malformed \\u escape");
            }
            unit = unit << 4 | d;
          }
          boolean low = Character.isLowSurrogate((char) unit);
          if (low != highSurrogate) {
            throw error("unpaired surrogate escape");
          }
          highSurrogate = Character.isHighSurrogate((char) unit);
          pos += 6;
          continue;
        }
        if ("\"\\/bfnrt".indexOf(e) < 0) {
          throw error("unknown escape");
        }
      }
      if (highSurrogate) {
        throw error("unpaired surrogate escape");
      }
      pos += c == '\\' ? 2 : 1;
    }
    throw error("unterminated string");
  }

  /** The current string with its escapes resolved (validated by {@link #string}). */
  private char[] unescaped() {
    char[] buf = new char[end - start];
    int n = 0;
    for (int i = start; i < end; i++) {
      char c = in[i];
      if (c != '\\') {
        buf[n++] = c;
        continue;
      }
      char e = in[++i];
      switch (e) {
        case 'b': buf[n++] = '\b'; break;
        case 'f': buf[n++] = '\f'; break;
        case 'n': buf[n++] = '\n'; break;
        case 'r': buf[n++] = '\r'; break;
        case 't': buf[n++] = '\t'; break;
        case 'u':
          buf[n++] = (char) (hexDigit(in[i + 1]) << 12 | hexDigit(in[i + 2]) << 8 | hexDigit(in[i + 3]) << 4 | hexDigit(in[i + 4]));
          i += 4;
          break;
        default: buf[n++] = e; // " \ /
      }
    }
    char[] out = Arrays.copyOf(buf, n);
    Arrays.fill(buf, '\0');
    return out;
  }

  private void number() throws FormatException {
    start = pos;
    integer = true;
    if (in[pos] == '-') {
      pos++;
    }
    if (pos < length && in[pos] == '0') {
      pos++;
    } else if (digits() == 0) {
      throw error("malformed number");
    }
    if (pos < length && in[pos] == '.') {
      pos++;
      integer = false;
      if (digits() == 0) {
        throw error("malformed number");
      }
    }
    if (pos < length && (in[pos] == 'e' || in[pos] == 'E')) {
      pos++;
      integer = false;
      if (pos < length && (in[pos] == '+' || in[pos] == '-')) {
        pos++;
      }
      if (digits() == 0) {
        throw error("malformed number");
      }
    }
    end = pos;
  }

  private int digits() {
    int from = pos;
    while (pos < length && in[pos] >= '0' && in[pos] <= '9') {
      pos++;
    }
    return pos - from;
  }

  private void literal(String word) throws FormatException {
    if (pos + word.length() > length) {
      throw error("unexpected end of the document");
    }
    for (int i = 0; i < word.length(); i++) {
      if (in[pos + i] != word.charAt(i)) {
        throw error("unexpected character");
      }
    }
    pos += word.length();
  }

  private void expectChar(char c) throws FormatException {
    skipWhitespace();
    if (pos >= length || in[pos] != c) {
      throw error(c == ':' ? "expected ':'" : "unexpected character");
    }
    pos++;
  }

  private void skipWhitespace() {
    while (pos < length) {
      char c = in[pos];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return;
      }
      pos++;
    }
  }

  /** Names the line, never the content. */
  private FormatException error(String what) {
    int line = 1;
    for (int i = 0; i < Math.min(pos, length); i++) {
      if (in[i] == '\n') {
        line++;
      }
    }
    return new FormatException("keyset file is not valid JSON near line " + line + ": " + what);
  }
}
