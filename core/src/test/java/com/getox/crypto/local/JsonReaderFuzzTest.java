package com.getox.crypto.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.getox.crypto.FormatException;
import com.getox.crypto.local.JsonReader.Token;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Tag;

/**
 * Jazzer target for {@link JsonReader}, the hand-written reader of keyset files, differential
 * against Jackson. See core/README.md and fuzz/run.sh to fuzz it; a normal build replays
 * {@code src/test/resources/com/getox/crypto/local/JsonReaderFuzzTestInputs/jsonReader/}.
 */
@Tag("fuzz")
class JsonReaderFuzzTest {
  /**
   * On any bytes: only FormatException escapes, and its message never quotes the document. What
   * we accept, Jackson reads as the same tokens (unless it exceeds one of Jackson's own size
   * limits); what we refuse, Jackson refuses too, except where we are stricter on purpose
   * (unpaired surrogate escapes, invalid UTF-8 that Jackson decodes, nesting deeper than 32,
   * documents Jackson decodes as UTF-16 or UTF-32).
   * base64() agrees with java.util.Base64 on every string it accepts, and refuses only what that
   * decoder refuses or what lacks padding.
   */
  @FuzzTest(maxDuration = "5m")
  void jsonReader(byte[] doc) throws Exception {
    List<String> mine;
    try {
      mine = JsonReaderTest.ours(doc);
    } catch (FormatException e) {
      String m = e.getMessage();
      assertFalse(m.contains("\""), "errors never quote the document: " + m);
      if (m.endsWith("unpaired surrogate escape") || m.endsWith("UTF-8") || m.endsWith("nested too deeply")) {
        return;
      }
      mine = null;
    }
    List<String> theirs;
    try {
      theirs = JsonReaderTest.jackson(doc);
    } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException tooBigForJackson) {
      return;
    } catch (Exception e) {
      theirs = null;
    }
    if (mine == null && theirs != null && indexOfNul(doc) >= 0 && indexOfNul(doc) < 4) {
      // A zero among the first four bytes makes Jackson read the document as UTF-16 or UTF-32
      // (its encoding detection: "1\0" is UTF-16LE "1"); RFC 8259 section 8.1 requires UTF-8, and
      // we refuse every NUL outside a string escape.
      return;
    }
    assertEquals(theirs, mine);
    if (mine == null) {
      return;
    }
    JsonReader p = new JsonReader(doc);
    for (Token t = p.next(); t != Token.END; t = p.next()) {
      if (t == Token.STRING) {
        String text = p.text();
        byte[] ours;
        try {
          ours = p.base64();
        } catch (FormatException e) {
          ours = null;
        }
        byte[] java;
        try {
          java = text.length() % 4 == 0 ? Base64.getDecoder().decode(text) : null;
        } catch (IllegalArgumentException e) {
          java = null;
        }
        assertArrayEquals(java, ours, "base64");
      } else if (t == Token.NUMBER) {
        try {
          assertEquals(p.longValue(), (long) p.intValue(), "intValue");
          assertTrue(p.longValue() == (int) p.longValue());
        } catch (FormatException notAnInt) {
          // not an integer, or out of int range
        }
      }
    }
    p.wipe();
  }

  private static int indexOfNul(byte[] doc) {
    for (int i = 0; i < doc.length; i++) {
      if (doc[i] == 0) {
        return i;
      }
    }
    return -1;
  }
}
