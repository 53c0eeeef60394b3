package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 through the CLI: {@code decrypt --from/--to} writes a playable clip of a WAV or Ogg
 * Opus recording, {@code inspect} with a key reports format and duration. The fixtures are the
 * core module's speech recordings (core/src/test/resources/audio, made by make-fixtures.sh).
 */
class AudioClipCliTest extends CliTestBase {
  static final Path FIXTURES = Paths.get("..", "core", "src", "test", "resources", "audio");

  @TempDir Path dir;
  private Path keys;

  @BeforeEach
  void keyset() {
    keys = dir.resolve("keys.json");
    ok("keys", "create", "--keyset", keys.toString(), "--insecure", "--name", "keys");
  }

  private Path encrypt(String fixture) throws Exception {
    Path plain = dir.resolve(fixture);
    Files.copy(FIXTURES.resolve(fixture), plain);
    Path rec = dir.resolve(fixture + ".oxr");
    ok("encrypt", "--keyset", keys.toString(), plain.toString(), rec.toString());
    return rec;
  }

  private Result fails(int code, String... args) {
    return assertFails(code, run(args));
  }

  private static int le32(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
  }

  /** The offset of a RIFF chunk's body; the chunk's size is at offset - 4. */
  private static int chunk(byte[] wav, String id) {
    int at = 12;
    while (at + 8 <= wav.length) {
      if (new String(wav, at, 4, StandardCharsets.US_ASCII).equals(id)) {
        return at + 8;
      }
      at += 8 + le32(wav, at + 4) + (le32(wav, at + 4) & 1);
    }
    throw new AssertionError("no " + id + " chunk");
  }

  @Test
  void aWavClipIsSampleExactWithAFreshHeader() throws Exception {
    Path rec = encrypt("speech-16k-mono-16bit.wav");
    byte[] original = Files.readAllBytes(FIXTURES.resolve("speech-16k-mono-16bit.wav"));
    Path clip = dir.resolve("clip.wav");
    ok("decrypt", "--keyset", keys.toString(), "--from", "1.5", "--to", "0:03", rec.toString(), clip.toString());
    byte[] out = Files.readAllBytes(clip);
    assertEquals("RIFF", new String(out, 0, 4, StandardCharsets.US_ASCII));
    assertEquals(out.length - 8, le32(out, 4), "RIFF size");
    int data = chunk(out, "data");
    assertEquals(out.length - data, le32(out, data - 4), "data size");
    // 16 kHz mono 16-bit: 1.5 s is frame 24000, 3 s frame 48000.
    int originalData = chunk(original, "data");
    byte[] expected = Arrays.copyOfRange(original, originalData + 2 * 24000, originalData + 2 * 48000);
    assertArrayEquals(expected, Arrays.copyOfRange(out, data, out.length));

    Path again = dir.resolve("again.wav");
    String json = ok("decrypt", "--json", "--keyset", keys.toString(), "--from", "1.5", "--to", "0:03",
        rec.toString(), again.toString()).out();
    com.fasterxml.jackson.databind.JsonNode doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    assertEquals(1_500_000L, doc.get("fromMicros").asLong(), json);
    assertEquals(3_000_000L, doc.get("toMicros").asLong(), json);
    assertEquals(out.length, doc.get("clipBytes").asLong(), json);
    assertEquals("WAV PCM 16-bit 16000 Hz 1 ch", doc.get("format").asText(), json);
    assertArrayEquals(out, Files.readAllBytes(again));
  }

  @Test
  void anOpusClipIsOggOpusAndAWavNameForItIsRefused() throws Exception {
    Path rec = encrypt("speech-24kbps.opus");
    Path clip = dir.resolve("clip.opus");
    ok("decrypt", "--keyset", keys.toString(), "--from", "0:10", "--to", "0:12.5", rec.toString(), clip.toString());
    byte[] out = Files.readAllBytes(clip);
    assertEquals("OggS", new String(out, 0, 4, StandardCharsets.US_ASCII));
    assertEquals("OpusHead", new String(out, 28, 8, StandardCharsets.US_ASCII));
    assertEquals(2, out[5], "the first page begins the stream");
    assertTrue(out.length < Files.size(FIXTURES.resolve("speech-24kbps.opus")) / 4, "a 2.5 s clip of 37 s");

    Path wrong = dir.resolve("clip.wav");
    Result r = fails(OxCrypt.USAGE, "decrypt", "--keyset", keys.toString(), "--from", "10", rec.toString(), wrong.toString());
    assertTrue(r.stderr.contains("*.opus"), r.stderr);
    assertFalse(Files.exists(wrong));
  }

  @Test
  void timesOutsideTheRecordingAreUsageErrorsAndWriteNothing() throws Exception {
    Path rec = encrypt("speech-8k-mono-8bit.wav"); // 3 s
    Path clip = dir.resolve("clip.wav");
    Result r = fails(OxCrypt.USAGE, "decrypt", "--keyset", keys.toString(), "--from", "0:04", rec.toString(), clip.toString());
    assertTrue(r.stderr.contains("past the end"), r.stderr);
    fails(OxCrypt.USAGE, "decrypt", "--keyset", keys.toString(), "--from", "2", "--to", "1", rec.toString(), clip.toString());
    fails(OxCrypt.USAGE, "decrypt", "--keyset", keys.toString(), "--from", "1:75", rec.toString(), clip.toString());
    fails(OxCrypt.USAGE, "decrypt", "--keyset", keys.toString(), "--from", "1", "--offset", "0", rec.toString(), clip.toString());
    fails(OxCrypt.USAGE, "decrypt", "--keyset", keys.toString(), "--from", "1", "-", clip.toString());
    assertFalse(Files.exists(clip));
  }

  @Test
  void aRecordingThatIsNotAudioExits9() throws Exception {
    Path plain = dir.resolve("notes.txt");
    Files.write(plain, "meeting notes, not audio".getBytes(StandardCharsets.UTF_8));
    Path rec = dir.resolve("notes.oxr");
    ok("encrypt", "--keyset", keys.toString(), plain.toString(), rec.toString());
    Result r = fails(OxCrypt.NOT_SEEKABLE_AUDIO, "decrypt", "--keyset", keys.toString(), "--from", "0", rec.toString(), "-");
    assertTrue(r.stderr.contains("audio: "), r.stderr);
    assertFalse(r.stderr.contains("meeting"), "no plaintext in the message: " + r.stderr);
    assertEquals(0, r.stdout.length);

    String json = ok("inspect", "--keyset", keys.toString(), rec.toString()).out();
    assertTrue(json.contains("\"audio\" : null"), json);
    assertTrue(json.contains("audioUnavailable"), json);
    assertFalse(json.contains("meeting"), json);
  }

  @Test
  void inspectWithAKeyReportsFormatAndDuration() throws Exception {
    Path rec = encrypt("speech-16k-mono-16bit.wav");
    String json = ok("inspect", "--keyset", keys.toString(), rec.toString()).out();
    assertTrue(json.contains("\"container\" : \"WAV\""), json);
    assertTrue(json.contains("\"durationMicros\" : 5000000"), json);
    assertTrue(json.contains("\"duration\" : \"0:05.000\""), json);
    assertTrue(json.contains("\"sampleRateHz\" : 16000"), json);
    assertFalse(ok("inspect", rec.toString()).out().contains("\"audio\""), "no key, no audio");

    Path opus = encrypt("speech-24kbps.opus");
    String o = ok("inspect", "--keyset", keys.toString(), opus.toString()).out();
    assertTrue(o.contains("\"sampleRateHz\" : 48000"), "Opus decodes at 48 kHz: " + o);
    assertTrue(o.contains("\"inputSampleRateHz\" : 22050"), o);
    assertTrue(o.contains("\"format\" : \"Ogg Opus 1 ch (input 22050 Hz)\""), o);
  }

  @Test
  void timesParseAsAPlayerWritesThem() {
    assertEquals(83_000_000L, AudioTimes.parseMicros("83"));
    assertEquals(83_000_000L, AudioTimes.parseMicros("1:23"));
    assertEquals(83_250_000L, AudioTimes.parseMicros("1:23.25"));
    assertEquals(3_723_500_000L, AudioTimes.parseMicros("1:02:03.5"));
    assertEquals(1L, AudioTimes.parseMicros("0.000001"));
    for (String bad : new String[] {"", "-1", "1:60", "1:2:3:4", "1.2.3", "abc", "1:23.1234567", "1e3"}) {
      assertThrows(IllegalArgumentException.class, () -> AudioTimes.parseMicros(bad), bad);
    }
  }

  @Test
  void aBadTimeIsOneLineWithoutJavaNames() throws Exception {
    Path rec = encrypt("speech-8k-mono-8bit.wav");
    Result r = fails(OxCrypt.USAGE, "decrypt", "--keyset", keys.toString(), "--from", "abc",
        rec.toString(), dir.resolve("x.wav").toString());
    assertTrue(r.stderr.contains("not a time: 'abc'"), r.stderr);
    assertFalse(r.stderr.contains("java."), r.stderr);
    assertFalse(r.stderr.contains("Long"), r.stderr);
    assertEquals("1:23.250", AudioTimes.format(83_250_000L));
  }
}
