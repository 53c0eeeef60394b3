package com.getox.crypto.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.getox.crypto.ContextMismatchException;
import com.getox.crypto.OxCryptoException;
import com.getox.crypto.kek.NotMyKeyException;
import com.getox.crypto.kek.WrappedKey;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Issue 12 defect 14: no Ox message carries a control character from a hostile header. */
class PrintableTest {
  private static void assertPrintable(String s) {
    s.codePoints().forEach(cp -> {
      int t = Character.getType(cp);
      assertFalse(t == Character.CONTROL || t == Character.FORMAT || t == Character.SURROGATE
          || t == Character.LINE_SEPARATOR || t == Character.PARAGRAPH_SEPARATOR,
          "U+" + Integer.toHexString(cp) + " in " + s.replace('\u001b', '?'));
    });
  }

  @Test
  void escapesControlsAndKeepsTheRest() {
    assertEquals("a\\u001b[2Jb\\u0007\\r\\n\\t\\u202e\\u0085é😀", Printable.escape("a\u001b[2Jb\u0007\r\n\t\u202e\u0085é😀"));
    assertEquals("line\nnext\\u001b", Printable.escape("line\nnext\u001b", true));
    assertEquals("\\ud800x", Printable.escape("\ud800x"), "an unpaired surrogate");
    String plain = "local://keys-3f9a1c2e#1842051372";
    assertSame(plain, Printable.escape(plain));
  }

  @Test
  void isIdempotentAndLeavesNothingToEscapeOnSeededRandomText() {
    long seed = Long.getLong("printable.seed", 0x5EED12L);
    Random rnd = new Random(seed);
    for (int i = 0; i < 2000; i++) {
      StringBuilder sb = new StringBuilder();
      for (int k = rnd.nextInt(40); k > 0; k--) {
        sb.append((char) (rnd.nextBoolean() ? rnd.nextInt(0x100) : rnd.nextInt(0x10000)));
      }
      String once = Printable.escape(sb);
      assertPrintable(once);
      assertEquals(once, Printable.escape(once), "seed " + seed + ", case " + i);
    }
  }

  @Test
  void everyOxExceptionMessageIsEscaped() throws Exception {
    String hostile = "local://x\u001b]0;pwned\u0007\u001b[2J";
    WrappedKey w = WrappedKey.create(hostile, "1\u001b[31m", "tink-aes256-gcm", new byte[48]);
    assertPrintable(new NotMyKeyException(w, "local://mine").getMessage());
    assertPrintable(new OxCryptoException("value '" + hostile + "'").getMessage());
    assertPrintable(new OxCryptoException("value '" + hostile + "'", new RuntimeException()).getMessage());
    assertPrintable(new ContextMismatchException("user-id is '\u001b[8m'").getMessage());
  }
}
