package com.getox.crypto.internal;

/**
 * Makes text from untrusted input safe to print on a terminal or in a log line. A recording's
 * header is not authenticated until its data key opens it, so the KEK URIs, versions and context
 * values in an error message may hold ESC, BEL or other control characters that would drive a
 * terminal. Every {@link com.getox.crypto.OxCryptoException} message passes through {@link
 * #escape} (in its constructor, so no message can forget it), and the CLI uses the same function
 * for everything it prints.
 *
 * <pre>{@code
 * Printable.escape("bad\u001b[2Jvalue")   // "bad\\u001b[2Jvalue"
 * }</pre>
 */
public final class Printable {
  private Printable() {}

  /**
   * {@code s} with control, format, line- and paragraph-separator characters and unpaired
   * surrogates written as {@code \n}, {@code \r}, {@code \t}, {@code \}{@code uXXXX} or {@code
   * \}{@code UXXXXXXXX}; newlines kept if {@code keepNewlines}. Idempotent: its output has none of
   * those characters left. Returns {@code s} itself when nothing needs escaping.
   */
  public static String escape(CharSequence s, boolean keepNewlines) {
    if (s == null) {
      return null;
    }
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); ) {
      int cp = Character.codePointAt(s, i);
      int n = Character.charCount(cp);
      if (needsEscape(cp) && !(keepNewlines && cp == '\n')) {
        if (sb == null) {
          sb = new StringBuilder(s.length() + 16).append(s, 0, i);
        }
        switch (cp) {
          case '\n':
            sb.append("\\n");
            break;
          case '\r':
            sb.append("\\r");
            break;
          case '\t':
            sb.append("\\t");
            break;
          default:
            sb.append(cp > 0xffff ? String.format("\\U%08x", cp) : String.format("\\u%04x", cp));
        }
      } else if (sb != null) {
        sb.appendCodePoint(cp);
      }
      i += n;
    }
    return sb == null ? s.toString() : sb.toString();
  }

  /** {@link #escape(CharSequence, boolean)} for one line: newlines escaped too. */
  public static String escape(CharSequence s) {
    return escape(s, false);
  }

  private static boolean needsEscape(int cp) {
    switch (Character.getType(cp)) {
      case Character.CONTROL:
      case Character.FORMAT:
      case Character.LINE_SEPARATOR:
      case Character.PARAGRAPH_SEPARATOR:
      case Character.SURROGATE: // an unpaired half
        return true;
      default:
        return false;
    }
  }
}
