package com.getox.crypto.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.getox.crypto.FormatException;
import com.getox.crypto.local.JsonReader.Token;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link JsonReader} against Jackson: the same tokens for random documents Jackson writes, the
 * same verdict on random single-byte mutations of them (except that unpaired surrogate escapes,
 * which Jackson takes in values, and overlong UTF-8, which it decodes, are refused), and refusal of what RFC 8259 forbids.
 * Seeded: replay a failure with {@code -Dox.seed=S}.
 */
class JsonReaderTest {
  private static final JsonFactory JACKSON = new JsonFactory();

  static LongStream seeds() {
    String one = System.getProperty("ox.seed");
    if (one != null) {
      return LongStream.of(Long.parseLong(one));
    }
    long base = 0x150dL;
    return LongStream.range(0, Integer.getInteger("ox.seeds", 40)).map(i -> base + i * 0x9E3779B97F4A7C15L);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void readsWhatJacksonWritesAsJacksonReadsIt(long seed) throws Exception {
    Random r = new Random(seed);
    for (int i = 0; i < 20; i++) {
      byte[] doc = randomDocument(r);
      assertEquals(jackson(doc), ours(doc), "seed " + seed + ": " + new String(doc, StandardCharsets.UTF_8));
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void agreesWithJacksonOnMutatedDocuments(long seed) throws Exception {
    Random r = new Random(seed);
    for (int i = 0; i < 100; i++) {
      byte[] doc = randomDocument(r);
      int at = r.nextInt(doc.length);
      byte[] bad = doc.clone();
      byte[] palette = "{}[],:\"\\0123456789-+.eEtfnul \n/*'xu".getBytes(StandardCharsets.US_ASCII);
      bad[at] = r.nextInt(8) == 0 ? (byte) r.nextInt(256) : palette[r.nextInt(palette.length)];
      List<String> theirs;
      try {
        theirs = jackson(bad);
      } catch (Exception e) {
        theirs = null;
      }
      List<String> mine;
      try {
        mine = ours(bad);
      } catch (FormatException e) {
        assertFalse(e.getMessage().contains("\""), "errors never quote the document: " + e.getMessage());
        if (e.getMessage().endsWith("unpaired surrogate escape") || e.getMessage().endsWith("UTF-8")) {
          continue; // stricter than Jackson, which takes these in values, and overlong UTF-8
        }
        mine = null;
      }
      String what = "seed " + seed + ": " + new String(bad, StandardCharsets.ISO_8859_1);
      assertEquals(theirs, mine, what);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", " ", "{", "}", "{]", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":}", "{1:2}", "{'a':1}",
        "[01]", "[1.]", "[.5]", "[-]", "[1e]", "[+1]", "[NaN]", "[tru]", "[nul]", "[\"a]",
        "[\"\\x\"]", "[\"\\u12G4\"]", "[\"\\uD83D\"]", "[\"\\uDE00\"]", "[\"\\uD83Dx\"]", "[\"\t\"]", "{} {}", "[1] x", "// c\n{}", "[1]]", "\uFEFF{}", "1\u0000", "[1]\u0000", "{}\u0000\u0000", "1\u00001\u0000"
      })
  void refusesWhatRfc8259Forbids(String doc) {
    assertThrows(FormatException.class, () -> ours(doc.getBytes(StandardCharsets.UTF_8)), doc);
  }

  @ParameterizedTest
  @ValueSource(ints = {31, 32, 33, 200})
  void boundsNesting(int depth) throws Exception {
    String doc = "[".repeat(depth) + "]".repeat(depth);
    if (depth <= 32) {
      assertEquals(2 * depth, ours(doc.getBytes(StandardCharsets.UTF_8)).size());
    } else {
      assertThrows(FormatException.class, () -> ours(doc.getBytes(StandardCharsets.UTF_8)));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Zg==", "Zm8=", "Zm9v", "GiBjpTqnW8EtYfNGpTYuGwZDuzDHc16R4PTqk1Flzdn2cw=="})
  void decodesBase64AsJacksonDoes(String b64) throws Exception {
    byte[] doc = ("\"" + b64 + "\"").getBytes(StandardCharsets.UTF_8);
    JsonReader ours = new JsonReader(doc);
    ours.next();
    try (JsonParser p = JACKSON.createParser(doc)) {
      p.nextToken();
      assertArrayEquals(p.getBinaryValue(), ours.base64());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"Zg", "Zg=", "Z===", "Zm9v!A==", "Zm=v", "Zg==Zg==", "\\u005Ag=="})
  void refusesMalformedOrUnpaddedBase64(String b64) throws Exception {
    JsonReader ours = new JsonReader(("\"" + b64 + "\"").getBytes(StandardCharsets.UTF_8));
    ours.next();
    if (b64.startsWith("\\u")) {
      assertArrayEquals(new byte[] {'f'}, ours.base64(), "escapes are resolved first");
    } else {
      assertThrows(FormatException.class, ours::base64, b64);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"9223372036854775808", "-9223372036854775809", "1.0", "1e3", "\"1\""})
  void integersMustBeIntegersInRange(String n) throws Exception {
    JsonReader ours = new JsonReader(n.getBytes(StandardCharsets.UTF_8));
    ours.next();
    assertThrows(FormatException.class, ours::longValue, n);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-0", "9223372036854775807", "-9223372036854775807", "4294967295"})
  void readsIntegersInRange(String n) throws Exception {
    JsonReader ours = new JsonReader(n.getBytes(StandardCharsets.UTF_8));
    ours.next();
    assertEquals(Long.parseLong(n), ours.longValue());
    assertEquals(Token.END, ours.next());
  }

  // ---- helpers ----

  /** Tokens as strings; for STRING tokens that are base64, the decoded bytes too. */
  static List<String> ours(byte[] doc) throws FormatException {
    JsonReader p = new JsonReader(doc);
    List<String> out = new ArrayList<>();
    for (Token t = p.next(); t != Token.END; t = p.next()) {
      switch (t) {
        case FIELD_NAME:
          out.add("name " + p.text());
          break;
        case STRING:
          out.add("string " + p.text());
          break;
        case NUMBER:
          String n;
          try {
            n = Long.toString(p.longValue());
          } catch (FormatException notALong) {
            n = "non-long";
          }
          out.add("number " + n);
          break;
        default:
          out.add(t.name());
      }
    }
    return out;
  }

  static List<String> jackson(byte[] doc) throws Exception {
    List<String> out = new ArrayList<>();
    try (JsonParser p = JACKSON.createParser(doc)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new IllegalArgumentException("empty");
      }
      for (; t != null; t = p.nextToken()) {
        switch (t) {
          case FIELD_NAME: out.add("name " + p.getCurrentName()); break;
          case VALUE_STRING: out.add("string " + p.getText()); break;
          case VALUE_NUMBER_INT:
            out.add("number " + (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? "non-long" : Long.toString(p.getLongValue())));
            break;
          case VALUE_NUMBER_FLOAT: out.add("number non-long"); break;
          case START_OBJECT: out.add("START_OBJECT"); break;
          case END_OBJECT: out.add("END_OBJECT"); break;
          case START_ARRAY: out.add("START_ARRAY"); break;
          case END_ARRAY: out.add("END_ARRAY"); break;
          case VALUE_TRUE: out.add("TRUE"); break;
          case VALUE_FALSE: out.add("FALSE"); break;
          case VALUE_NULL: out.add("NULL"); break;
          default: throw new AssertionError(t);
        }
        if (p.getParsingContext().inRoot() && p.currentToken().isStructEnd() || p.getParsingContext().inRoot() && p.currentToken().isScalarValue()) {
          // One root value only, as RFC 8259 says (Jackson would read further roots).
          if (p.nextToken() != null) {
            throw new IllegalArgumentException("more than one root value");
          }
          break;
        }
      }
    }
    return out;
  }

  private static byte[] randomDocument(Random r) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JACKSON.createGenerator(out)) {
      if (r.nextBoolean()) {
        g.useDefaultPrettyPrinter();
      }
      writeValue(g, r, 0);
    }
    return out.toByteArray();
  }

  private static void writeValue(JsonGenerator g, Random r, int depth) throws Exception {
    switch (depth > 5 ? 2 + r.nextInt(5) : r.nextInt(7)) {
      case 0:
        g.writeStartObject();
        for (int i = r.nextInt(4); i > 0; i--) {
          g.writeFieldName(randomString(r));
          writeValue(g, r, depth + 1);
        }
        g.writeEndObject();
        break;
      case 1:
        g.writeStartArray();
        for (int i = r.nextInt(4); i > 0; i--) {
          writeValue(g, r, depth + 1);
        }
        g.writeEndArray();
        break;
      case 2:
        g.writeString(randomString(r));
        break;
      case 3:
        g.writeNumber(r.nextBoolean() ? r.nextInt(1000) - 500 : r.nextLong());
        break;
      case 4:
        g.writeNumber(r.nextDouble() * 1e6);
        break;
      case 5:
        g.writeBinary(randomBytes(r));
        break;
      default:
        if (r.nextBoolean()) {
          g.writeBoolean(r.nextBoolean());
        } else {
          g.writeNull();
        }
    }
  }

  private static String randomString(Random r) {
    StringBuilder sb = new StringBuilder();
    String alphabet = "abcXYZ019 _-/+=\"\\\n\t\u00e9\u20ac\ud83d\ude00\u0001";
    for (int i = r.nextInt(12); i > 0; i--) {
      int at = r.nextInt(alphabet.length());
      char c = alphabet.charAt(at);
      if (Character.isHighSurrogate(c)) {
        sb.append(c).append(alphabet.charAt(at + 1));
      } else if (!Character.isLowSurrogate(c)) {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static byte[] randomBytes(Random r) {
    byte[] b = new byte[r.nextInt(40)];
    r.nextBytes(b);
    return b;
  }
}
