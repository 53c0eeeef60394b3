package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Drives {@link OxCrypt} in-process over temporary files, with captured stdin, stdout, stderr. */
class OxCryptTest extends CliTestBase {

  @TempDir Path dir;
  private Path keys;


  @BeforeEach
  void setUp() {
    keys = dir.resolve("keys.json");
  }


  /** As the base's, and the one error line names no exception class either. */
  static Result assertFails(int code, Result r) {
    CliTestBase.assertFails(code, r);
    assertFalse(r.stderr.contains("Exception:"), r.stderr);
    return r;
  }

  private void createInsecureKeyset() {
    Result r = ok("keys", "create", "--keyset", keys.toString(), "--insecure", "--name", "keys");
    assertTrue(r.stderr.contains("INSECURE"), r.stderr);
  }


  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  private Path encrypt(byte[] plain, String... context) throws IOException {
    Path in = write("plain.bin", plain);
    Path out = dir.resolve("rec.oxr");
    List<String> args = new ArrayList<>(List.of("encrypt", "--keyset", keys.toString()));
    for (String c : context) {
      args.add("--context");
      args.add(c);
    }
    args.add(in.toString());
    args.add(out.toString());
    ok(args.toArray(new String[0]));
    return out;
  }

  private Listing names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return new Listing(s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()));
    }
  }

  /** The directory listing, for "no temporary file is left behind" checks. */
  record Listing(List<String> names) {}

  private static List<Long> versionIds(String listing) {
    List<Long> ids = new ArrayList<>();
    for (String line : listing.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 2 && f[0].matches("\\d+")) {
        ids.add(Long.parseLong(f[0]));
      }
    }
    return ids;
  }

  private static String primaryOf(String listing) {
    return listing.lines().filter(l -> l.trim().endsWith("yes")).map(l -> l.trim().split("\\s+")[0])
        .findFirst().orElseThrow();
  }

  // ---------------------------------------------------------------- keys

  @Test
  void keysCreateRotateList() {
    createInsecureKeyset();
    Result list = ok("keys", "list", "--keyset", keys.toString());
    assertTrue(list.out().contains("local://keys"), list.out());
    assertTrue(list.out().contains("INSECURE_PLAINTEXT"), list.out());
    assertEquals(1, versionIds(list.out()).size(), list.out());
    assertEquals(1, list.stderr.lines().count(), "one warning line for a plaintext keyset: " + list.stderr);
    String firstPrimary = primaryOf(list.out());

    ok("keys", "rotate", "--keyset", keys.toString());
    Result after = ok("keys", "list", "--keyset", keys.toString());
    List<Long> ids = versionIds(after.out());
    assertEquals(2, ids.size(), after.out());
    assertTrue(ids.contains(Long.parseLong(firstPrimary)));
    assertNotEquals(firstPrimary, primaryOf(after.out()));
  }

  @Test
  void createRefusesPlaintextWithoutInsecureAndAnExistingFile() {
    assertFails(OxCrypt.USAGE, run("keys", "create", "--keyset", keys.toString()));
    assertFalse(Files.exists(keys));
    createInsecureKeyset();
    assertFails(OxCrypt.USAGE, run("keys", "create", "--keyset", keys.toString(), "--insecure"));
  }

  @Test
  void passphraseKeysetFromFileAndEnvironment() throws IOException {
    Path pass = write("pass.txt", "correct horse battery staple\n".getBytes(StandardCharsets.UTF_8));
    Result created = ok("keys", "create", "--keyset", keys.toString(), "--passphrase-file", pass.toString());
    assertEquals("", created.stderr);
    String file = Files.readString(keys);
    assertTrue(file.contains("PASSPHRASE_ARGON2ID"), file);
    assertFalse(file.contains("INSECURE"), file);

    // The same passphrase from the environment (without the newline) opens it.
    env.put("OXCRYPT_PASSPHRASE", "correct horse battery staple");
    byte[] plain = random(40_000, 1);
    Path rec = encrypt(plain);
    Path back = dir.resolve("back.bin");
    env.clear();
    assertFails(OxCrypt.USAGE, run("decrypt", "--keyset", keys.toString(), rec.toString(), back.toString()));
    env.put("OXCRYPT_PASSPHRASE", "wrong");
    assertFails(OxCrypt.NO_USABLE_KEY,
        run("decrypt", "--keyset", keys.toString(), rec.toString(), back.toString()));
    assertFalse(Files.exists(back));
    env.clear();
    ok("decrypt", "--keyset", keys.toString(), "--passphrase-file", pass.toString(), rec.toString(), back.toString());
    assertArrayEquals(plain, Files.readAllBytes(back));
  }

  @Test
  void disabledVersionCannotUnwrapAndEnableRestoresIt() throws IOException {
    createInsecureKeyset();
    String v1 = primaryOf(ok("keys", "list", "--keyset", keys.toString()).out());
    byte[] plain = random(1000, 2);
    Path rec = encrypt(plain);
    assertFails(OxCrypt.USAGE, run("keys", "disable", "--keyset", keys.toString(), "--key-version", v1)); // primary
    assertFails(OxCrypt.USAGE, run("keys", "destroy", "--keyset", keys.toString(), "--key-version", "12345"));
    ok("keys", "rotate", "--keyset", keys.toString());
    ok("keys", "disable", "--keyset", keys.toString(), "--key-version", v1);
    Path back = dir.resolve("back.bin");
    assertFails(OxCrypt.NO_USABLE_KEY, run("decrypt", "--keyset", keys.toString(), rec.toString(), back.toString()));
    assertFalse(Files.exists(back));
    ok("keys", "enable", "--keyset", keys.toString(), "--key-version", v1);
    ok("decrypt", "--keyset", keys.toString(), rec.toString(), back.toString());
    assertArrayEquals(plain, Files.readAllBytes(back));
    ok("keys", "destroy", "--keyset", keys.toString(), "--key-version", v1);
    Result r = run("decrypt", "--keyset", keys.toString(), rec.toString(), dir.resolve("gone.bin").toString());
    assertFails(OxCrypt.NO_USABLE_KEY, r);
    assertTrue(r.stderr.contains("destroyed"), r.stderr);
  }

  // ---------------------------------------------------------------- encrypt / decrypt

  @ParameterizedTest
  @ValueSource(ints = {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 500, 200_000})
  void fileRoundTrip(int size) throws IOException {
    createInsecureKeyset();
    byte[] plain = random(size, size);
    Path rec = encrypt(plain, "user-id=u-7", "recording-id=rec-42");
    Path back = dir.resolve("back.bin");
    ok("decrypt", "--keyset", keys.toString(), "--expect", "user-id=u-7", rec.toString(), back.toString());
    assertArrayEquals(plain, Files.readAllBytes(back));
  }

  @Test
  void stdinToStdoutRoundTrip() {
    createInsecureKeyset();
    byte[] plain = random(3 * CHUNK + 77, 3);
    Result enc = run(plain, "encrypt", "--keyset", keys.toString(), "--context", "k=v", "-", "-");
    assertEquals(0, enc.code, enc.stderr);
    assertEquals(plain.length + 3 * 16 + 16 + 56, enc.stdout.length - headerLength(enc.stdout));
    Result dec = run(enc.stdout, "decrypt", "--keyset", keys.toString(), "--expect", "k=v", "-", "-");
    assertEquals(0, dec.code, dec.stderr);
    assertArrayEquals(plain, dec.stdout);
  }

  private static int headerLength(byte[] recording) {
    return ((recording[5] & 0xff) << 24) | ((recording[6] & 0xff) << 16) | ((recording[7] & 0xff) << 8)
        | (recording[8] & 0xff);
  }

  @Test
  void encryptStreamsStdinWithoutBufferingItWhole() {
    createInsecureKeyset();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long total = 4L << 20;
    long[] sawOutputAt = {-1};
    InputStream endless = new InputStream() {
      long served;

      @Override
      public int read() {
        throw new UnsupportedOperationException();
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (served >= total) {
          return -1;
        }
        if (sawOutputAt[0] < 0 && out.size() > 0) {
          sawOutputAt[0] = served;
        }
        int n = (int) Math.min(len, Math.min(8192, total - served));
        Arrays.fill(b, off, off + n, (byte) served);
        served += n;
        return n;
      }
    };
    int code = OxCrypt.run(new String[] {"encrypt", "--keyset", keys.toString(), "-", "-"}, endless, out,
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), env);
    assertEquals(0, code);
    assertTrue(sawOutputAt[0] >= 0 && sawOutputAt[0] < 256 * 1024,
        "ciphertext must flow while stdin is still being read; first output after " + sawOutputAt[0]);
    assertTrue(out.size() > total);
  }

  @Test
  void contextMismatchExits3AndLeavesNoOutput() throws IOException {
    createInsecureKeyset();
    Path rec = encrypt(random(50_000, 4), "user-id=u-7");
    Listing before = names();
    Path back = dir.resolve("back.bin");
    Result wrongValue = run("decrypt", "--keyset", keys.toString(), "--expect", "user-id=u-8", rec.toString(),
        back.toString());
    assertFails(OxCrypt.INTEGRITY, wrongValue);
    assertTrue(wrongValue.stderr.contains("context mismatch"), wrongValue.stderr);
    assertFails(OxCrypt.INTEGRITY, run("decrypt", "--keyset", keys.toString(), "--expect", "tenant=t1",
        rec.toString(), back.toString()));
    assertFalse(Files.exists(back));
    assertEquals(before, names(), "no temporary file left behind");
    Result toStdout = run("decrypt", "--keyset", keys.toString(), "--expect", "user-id=u-8", rec.toString(), "-");
    assertFails(OxCrypt.INTEGRITY, toStdout);
    assertEquals(0, toStdout.stdout.length);
  }

  @Test
  void tamperedBodyExits3AndLeavesNoPartialOutput() throws IOException {
    createInsecureKeyset();
    byte[] plain = random(5 * CHUNK + 100, 5);
    Path rec = encrypt(plain);
    byte[] bytes = Files.readAllBytes(rec);
    int chunk3 = headerLength(bytes) + 56 + 3 * (CHUNK + 16);
    bytes[chunk3 + 1000] ^= 1; // chunks 0 to 2 are still authentic
    Path bad = write("bad.oxr", bytes);
    Listing before = names();
    Path back = dir.resolve("back.bin");
    Result r = run("decrypt", "--keyset", keys.toString(), bad.toString(), back.toString());
    assertFails(OxCrypt.INTEGRITY, r);
    assertTrue(r.stderr.contains("chunk 3"), r.stderr);
    assertFalse(Files.exists(back), "a failed decryption leaves no OUT at all");
    assertEquals(before, names(), "no temporary file left behind");

    // To stdout, only the authenticated chunks before the bad one are released.
    Result out = run("decrypt", "--keyset", keys.toString(), bad.toString(), "-");
    assertFails(OxCrypt.INTEGRITY, out);
    assertArrayEquals(Arrays.copyOf(plain, 3 * CHUNK), out.stdout);

    // --recover still refuses corruption before the end: a file OUT is not written at all (to
    // stdout, the authenticated prefix has gone out already).
    Result rec2 = run("decrypt", "--keyset", keys.toString(), "--recover", bad.toString(), back.toString());
    assertFails(OxCrypt.INTEGRITY, rec2);
    assertFalse(Files.exists(back));
    assertEquals(before, names(), "no temporary file left behind");
    Result rec3 = run("decrypt", "--keyset", keys.toString(), "--recover", bad.toString(), "-");
    assertFails(OxCrypt.INTEGRITY, rec3);
    assertArrayEquals(Arrays.copyOf(plain, 3 * CHUNK), rec3.stdout);
  }

  @Test
  void tamperedHeaderExits3() throws IOException {
    createInsecureKeyset();
    Path rec = encrypt(random(1000, 6), "user-id=u-7");
    byte[] original = Files.readAllBytes(rec);
    int headerLength = headerLength(original);
    for (int i : new int[] {0, 4, 10, 30, headerLength - 1}) {
      byte[] bytes = original.clone();
      bytes[i] ^= 0x01;
      Path bad = write("bad.oxr", bytes);
      Result r = run("decrypt", "--keyset", keys.toString(), bad.toString(), dir.resolve("back.bin").toString());
      assertTrue(r.code == OxCrypt.INTEGRITY || r.code == OxCrypt.NO_USABLE_KEY,
          "header byte " + i + ": exit " + r.code + " " + r.stderr);
      assertEquals(1, r.errors().size(), r.stderr);
      assertFalse(Files.exists(dir.resolve("back.bin")));
    }
  }

  @Test
  void truncatedRecordingFailsAndRecoverReturnsTheAuthenticatedPrefix() throws IOException {
    createInsecureKeyset();
    byte[] plain = random(4 * CHUNK + 1234, 7);
    Path rec = encrypt(plain);
    byte[] bytes = Files.readAllBytes(rec);
    int body = headerLength(bytes) + 56;
    // Cut at a chunk boundary (the writer died after chunk 1) and inside chunk 2.
    for (int cut : new int[] {body + 2 * (CHUNK + 16), body + 2 * (CHUNK + 16) + 5000}) {
      Path cutFile = write("cut.oxr", Arrays.copyOf(bytes, cut));
      Path back = dir.resolve("back.bin");
      Files.deleteIfExists(back);
      Result plainRun = run("decrypt", "--keyset", keys.toString(), cutFile.toString(), back.toString());
      assertFails(OxCrypt.INTEGRITY, plainRun);
      // At a boundary the missing final chunk is named; inside a chunk the torn chunk is
      // indistinguishable from a corrupt final chunk. Both are integrity failures.
      assertTrue(plainRun.stderr.contains(cut == body + 2 * (CHUNK + 16) ? "truncated" : "chunk 2"),
          plainRun.stderr);
      assertFalse(Files.exists(back));

      Result recovered = run("decrypt", "--keyset", keys.toString(), "--recover", cutFile.toString(), back.toString());
      assertEquals(OxCrypt.RECOVERED_PREFIX, recovered.code, recovered.stderr);
      assertTrue(recovered.stderr.contains("cut short"), recovered.stderr);
      assertArrayEquals(Arrays.copyOf(plain, 2 * CHUNK), Files.readAllBytes(back));
    }
    // A complete recording through --recover is simply decrypted, without a warning.
    Path back = dir.resolve("whole.bin");
    Result whole = run("decrypt", "--keyset", keys.toString(), "--recover", rec.toString(), back.toString());
    assertEquals(0, whole.code, whole.stderr);
    assertFalse(whole.stderr.contains("cut short"), whole.stderr);
    assertArrayEquals(plain, Files.readAllBytes(back));
  }

  @Test
  void trailingDataExits3() throws IOException {
    createInsecureKeyset();
    Path rec = encrypt(random(CHUNK + 10, 8));
    byte[] bytes = Files.readAllBytes(rec);
    Path longer = write("longer.oxr", Arrays.copyOf(bytes, bytes.length + 16));
    assertFails(OxCrypt.INTEGRITY,
        run("decrypt", "--keyset", keys.toString(), longer.toString(), dir.resolve("back.bin").toString()));
  }

  @Test
  void wrongKeysetExits4() throws IOException {
    createInsecureKeyset();
    Path rec = encrypt(random(1000, 9));
    Path other = dir.resolve("other.json");
    ok("keys", "create", "--keyset", other.toString(), "--insecure");
    Path sameName = dir.resolve("sub");
    Files.createDirectory(sameName);
    Path twin = sameName.resolve("keys.json"); // also local://keys, different key material
    ok("keys", "create", "--keyset", twin.toString(), "--insecure", "--name", "keys");
    for (Path k : List.of(other, twin)) {
      Path back = dir.resolve("back.bin");
      Result r = run("decrypt", "--keyset", k.toString(), rec.toString(), back.toString());
      assertFails(OxCrypt.NO_USABLE_KEY, r);
      assertTrue(r.stderr.contains("no usable key"), r.stderr);
      assertFalse(Files.exists(back));
    }
  }

  @Test
  void randomAccessMatchesThePlaintextSlice() throws IOException {
    createInsecureKeyset();
    byte[] plain = random(10 * CHUNK + 321, 10);
    Path rec = encrypt(plain);
    long[][] ranges = {{0, 1}, {CHUNK - 3, 6}, {5 * CHUNK + 17, 3 * CHUNK}, {plain.length - 10, 10},
        {plain.length - 10, 1000}, {plain.length, 5}, {plain.length + 100, 5}, {123, 0}};
    for (long[] r : ranges) {
      Path back = dir.resolve("slice.bin");
      ok("decrypt", "--keyset", keys.toString(), "--offset", Long.toString(r[0]), "--length", Long.toString(r[1]),
          rec.toString(), back.toString());
      int from = (int) Math.min(r[0], plain.length);
      int to = (int) Math.min(r[0] + r[1], plain.length);
      assertArrayEquals(Arrays.copyOfRange(plain, from, to), Files.readAllBytes(back), Arrays.toString(r));
    }
    Result tail = ok("decrypt", "--keyset", keys.toString(), "--offset", Long.toString(7 * CHUNK), rec.toString(), "-");
    assertArrayEquals(Arrays.copyOfRange(plain, 7 * CHUNK, plain.length), tail.stdout);
    Result head = ok("decrypt", "--keyset", keys.toString(), "--length", "100", rec.toString(), "-");
    assertArrayEquals(Arrays.copyOf(plain, 100), head.stdout);
  }

  @Test
  void randomAccessIntoATamperedChunkExits3() throws IOException {
    createInsecureKeyset();
    byte[] plain = random(6 * CHUNK, 11);
    Path rec = encrypt(plain);
    byte[] bytes = Files.readAllBytes(rec);
    bytes[headerLength(bytes) + 56 + 4 * (CHUNK + 16) + 7] ^= 0x40;
    Path bad = write("bad.oxr", bytes);
    Path back = dir.resolve("slice.bin");
    assertFails(OxCrypt.INTEGRITY, run("decrypt", "--keyset", keys.toString(), "--offset", Long.toString(3 * CHUNK),
        "--length", Long.toString(2 * CHUNK), bad.toString(), back.toString()));
    assertFalse(Files.exists(back));
    // A range that does not touch the bad chunk is fine: only the chunks holding it are read.
    ok("decrypt", "--keyset", keys.toString(), "--offset", "0", "--length", Long.toString(CHUNK), bad.toString(),
        back.toString());
    assertArrayEquals(Arrays.copyOf(plain, CHUNK), Files.readAllBytes(back));
  }

  // ---------------------------------------------------------------- inspect

  @Test
  void inspectPrintsTheHeaderAndLayoutAsJson() throws IOException {
    createInsecureKeyset();
    String primary = primaryOf(ok("keys", "list", "--keyset", keys.toString()).out());
    byte[] plain = random(3 * CHUNK + 5, 12);
    Path rec = encrypt(plain, "user-id=u-7", "data-class=voice");
    Result r = ok("inspect", rec.toString());
    JsonNode json = new ObjectMapper().readTree(r.stdout);
    assertEquals(2, json.get("formatVersion").asInt()); // what encrypt writes since format version 2
    assertEquals(1, json.get("suiteId").asInt());
    assertTrue(json.get("suite").asText().startsWith("Cobblestone-256"));
    assertEquals(32, json.get("headerId").asText().length());
    assertEquals("u-7", json.get("context").get("user-id").asText());
    assertEquals("voice", json.get("context").get("data-class").asText());
    assertEquals(0, json.get("unstoredContext").size());
    JsonNode key = json.get("wrappedKeys").get(0);
    assertEquals("local://keys", key.get("kekUri").asText());
    assertEquals("DATA_KEY", key.get("scope").asText());
    assertEquals(primary, key.get("kekVersion").asText());
    assertEquals("tink-aes256-gcm", key.get("algorithm").asText());
    assertEquals(CHUNK, json.get("chunkSize").asInt());
    assertEquals(plain.length, json.get("plaintextBytes").asLong());
    assertEquals(4, json.get("chunks").asLong());
    assertEquals(Files.size(rec), json.get("headerBytes").asLong() + json.get("bodyBytes").asLong());

    // From stdin, and for a body whose length fits no layout.
    byte[] bytes = Files.readAllBytes(rec);
    Result fromStdin = run(bytes, "inspect", "-");
    assertEquals(0, fromStdin.code, fromStdin.stderr);
    assertEquals(json, new ObjectMapper().readTree(fromStdin.stdout));
    Result cut = run(Arrays.copyOf(bytes, bytes.length - (CHUNK + 16) - 5 - 8), "inspect", "-");
    assertEquals(0, cut.code, cut.stderr);
    assertTrue(new ObjectMapper().readTree(cut.stdout).get("plaintextBytes").isNull(), cut.out());
  }

  @Test
  void inspectRejectsWhatIsNotARecording() throws IOException {
    Path junk = write("junk.bin", "hello, this is not a recording".getBytes(StandardCharsets.UTF_8));
    assertFails(OxCrypt.INTEGRITY, run("inspect", junk.toString()));
    assertFails(OxCrypt.IO_ERROR, run("inspect", dir.resolve("missing.oxr").toString()));
  }

  // ---------------------------------------------------------------- usage and I/O errors

  @Test
  void helpAndVersionSucceed() {
    Result help = ok("--help");
    assertTrue(help.out().contains("Exit codes"), help.out());
    assertTrue(help.out().contains("integrity failure"), help.out());
    assertTrue(ok("decrypt", "--help").out().contains("--recover"));
    assertTrue(ok("--version").out().startsWith("oxcrypt"));
  }

  @Test
  void usageErrorsExit2WithOneLine() throws IOException {
    createInsecureKeyset();
    Path rec = encrypt(random(100, 13));
    String k = keys.toString();
    String back = dir.resolve("back.bin").toString();
    assertFails(OxCrypt.USAGE, run());
    assertFails(OxCrypt.USAGE, run("frobnicate"));
    assertFails(OxCrypt.USAGE, run("encrypt", "--keyset", k, "only-one-arg"));
    assertFails(OxCrypt.USAGE, run("decrypt", rec.toString(), back)); // no --keyset
    assertFails(OxCrypt.USAGE, run("decrypt", "--keyset", k, "--offset", "ten", rec.toString(), back));
    assertFails(OxCrypt.USAGE, run("decrypt", "--keyset", k, "--offset", "-1", rec.toString(), back));
    assertFails(OxCrypt.USAGE, run("decrypt", "--keyset", k, "--offset", "1", "--recover", rec.toString(), back));
    assertFails(OxCrypt.USAGE, run("decrypt", "--keyset", k, "--offset", "1", "-", back));
    assertFails(OxCrypt.USAGE, run("decrypt", "--keyset", k, "--expect", "no-equals-sign", rec.toString(), back));
    assertFails(OxCrypt.USAGE, run("encrypt", "--keyset", k, "--context", "=empty-key", rec.toString(), back));
    assertFails(OxCrypt.USAGE, run("decrypt", "--keyset", k, rec.toString(), rec.toString()));
    assertFails(OxCrypt.USAGE, run("keys", "disable", "--keyset", k, "--key-version", "x"));
    assertFalse(Files.exists(Path.of(back)));
  }

  @Test
  void ioErrorsExit5() throws IOException {
    createInsecureKeyset();
    Path rec = encrypt(random(100, 14));
    assertFails(OxCrypt.IO_ERROR, run("encrypt", "--keyset", keys.toString(), dir.resolve("nope").toString(),
        dir.resolve("out.oxr").toString()));
    assertFalse(Files.exists(dir.resolve("out.oxr")));
    assertFails(OxCrypt.IO_ERROR, run("decrypt", "--keyset", keys.toString(), rec.toString(),
        dir.resolve("no/such/dir/out.bin").toString()));
    assertFails(OxCrypt.IO_ERROR, run("keys", "list", "--keyset", dir.resolve("missing.json").toString()));
  }

  @Test
  void notAKeysetExits4() throws IOException {
    Path notKeys = write("not-keys.json", "{\"hello\": 1}".getBytes(StandardCharsets.UTF_8));
    assertFails(OxCrypt.NO_USABLE_KEY, run("keys", "list", "--keyset", notKeys.toString()));
    Path garbage = write("garbage.json", "\u0000\u0001 not json".getBytes(StandardCharsets.UTF_8));
    assertFails(OxCrypt.NO_USABLE_KEY, run("keys", "list", "--keyset", garbage.toString()));
    Path huge = write("huge.json", new byte[(1 << 20) + 1]); // no keyset is that large: not read
    assertFails(OxCrypt.NO_USABLE_KEY, run("keys", "list", "--keyset", huge.toString()));
  }

  @Test
  void aKeysetProtectedByAKmsKeyIsRefused() throws Exception {
    com.getox.crypto.local.LocalKms inner = com.getox.crypto.local.LocalKms.create(
        dir.resolve("inner.json").toFile(), com.getox.crypto.local.KeysetProtection.insecurePlaintext(), "inner");
    Path wrapped = dir.resolve("wrapped.json");
    com.getox.crypto.local.LocalKms.create(
        wrapped.toFile(), com.getox.crypto.local.KeysetProtection.kek(inner), "wrapped");
    Result r = assertFails(OxCrypt.CRYPTO_ERROR, run("keys", "list", "--keyset", wrapped.toString()));
    assertTrue(r.stderr.contains("protected by a KMS key"), r.stderr);
  }

  @Test
  void demoSubcommandRuns() throws IOException {
    Path demoDir = dir.resolve("demo");
    Result r = ok("demo", "--seconds", "11", "--dir", demoDir.toString());
    assertTrue(r.out().contains("OK: every check passed"), r.out());
    assertTrue(Files.exists(demoDir.resolve("recording.oxr")));
  }
}
