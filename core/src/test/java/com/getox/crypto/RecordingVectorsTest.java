package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.hpke.HpkeRecipient;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.local.KeyVersion;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Ox known-answer vectors, docs/vectors/ox-recordings.json: every case through the public
 * API (each positive check gives the expected bytes, each negative one the named exception class,
 * exactly), the intermediates recomputed from docs/FORMAT.md, and a regeneration that must
 * reproduce the committed file byte for byte.
 *
 * <p>{@code -Dox.vectors.regenerate=true} rewrites the file instead of comparing (then every case
 * runs against the new file); add {@code -Dox.vectors.fresh=true} for new keys and wraps. See
 * docs/vectors/README.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecordingVectorsTest {
  @TempDir static Path dir;

  private static Map<String, Object> vectors;
  private static Map<String, Kek> keks;

  @Test
  @Order(1)
  void regeneratingReproducesTheCommittedFile() throws Exception {
    File file = RecordingVectors.locate();
    boolean regenerate = Boolean.getBoolean("ox.vectors.regenerate");
    boolean fresh = Boolean.getBoolean("ox.vectors.fresh");
    Map<String, Object> committed = file.isFile() ? Vectors.jsonFile(file) : null;
    File work = Files.createDirectories(dir.resolve("generator")).toFile();
    String text = RecordingVectors.generate(fresh ? null : committed, work);
    if (regenerate) {
      Files.createDirectories(file.getParentFile().toPath());
      Files.write(file.toPath(), text.getBytes(StandardCharsets.UTF_8));
      return;
    }
    assertTrue(file.isFile(), "missing " + file + ": regenerate (docs/vectors/README.md)");
    String old = new String(Files.readAllBytes(file.toPath()), StandardCharsets.UTF_8);
    if (!old.equals(text)) {
      String[] a = old.split("\n", -1);
      String[] b = text.split("\n", -1);
      int i = 0;
      while (i < Math.min(a.length, b.length) && a[i].equals(b[i])) {
        i++;
      }
      fail(
          "regenerating "
              + file
              + " changes it, first at line "
              + (i + 1)
              + ":\n- "
              + clip(i < a.length ? a[i] : "(end)")
              + "\n+ "
              + clip(i < b.length ? b[i] : "(end)")
              + "\nIf the change is intended, regenerate it (docs/vectors/README.md) and commit it.");
    }
  }

  private static String clip(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  @TestFactory
  @Order(2)
  Stream<DynamicTest> everyCase() throws Exception {
    load();
    List<DynamicTest> tests = new ArrayList<>();
    int checks = 0;
    for (Map<String, Object> c : Vectors.list(vectors.get("cases"))) {
      checks += Vectors.list(c.get("checks")).size();
      tests.add(DynamicTest.dynamicTest((String) c.get("id"), () -> runCase(c)));
    }
    System.out.println(
        "[conformance] docs/vectors/ox-recordings.json: "
            + tests.size()
            + " cases, "
            + checks
            + " checks, each through the public API");
    return tests.stream();
  }

  @Test
  @Order(3)
  void theKeysAreWhatTheyClaim() throws Exception {
    load();
    @SuppressWarnings("unchecked")
    Map<String, Object> keys = (Map<String, Object>) vectors.get("keys");
    for (Map.Entry<String, Object> e : keys.entrySet()) {
      @SuppressWarnings("unchecked")
      Map<String, Object> k = (Map<String, Object>) e.getValue();
      Kek kek = keks.get(e.getKey());
      assertEquals(k.get("uri"), kek.uri(), e.getKey());
      if (kek instanceof LocalKms) {
        List<Map<String, Object>> versions = Vectors.list(k.get("versions"));
        List<KeyVersion> actual = ((LocalKms) kek).versions();
        assertEquals(versions.size(), actual.size(), e.getKey());
        for (int i = 0; i < actual.size(); i++) {
          assertEquals(RecordingVectors.num(versions.get(i).get("id")), actual.get(i).id());
          assertEquals(versions.get(i).get("primary"), actual.get(i).isPrimary());
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static synchronized void load() throws Exception {
    if (vectors != null) {
      return;
    }
    vectors = Vectors.jsonFile(RecordingVectors.locate());
    assertEquals(RecordingVectors.FORMAT, vectors.get("format"));
    keks = new LinkedHashMap<>();
    @SuppressWarnings("unchecked")
    Map<String, Object> keys = (Map<String, Object>) vectors.get("keys");
    for (Map.Entry<String, Object> e : keys.entrySet()) {
      @SuppressWarnings("unchecked")
      Map<String, Object> k = (Map<String, Object>) e.getValue();
      if ("hpke".equals(k.get("kind"))) {
        keks.put(e.getKey(), HpkeRecipient.fromInsecurePrivateKeyset((String) k.get("privateKeysetJson")));
        continue;
      }
      File f = dir.resolve(e.getKey() + ".json").toFile();
      Files.write(f.toPath(), ((String) k.get("keysetFile")).getBytes(StandardCharsets.UTF_8));
      KeysetProtection p;
      switch ((String) k.get("protection")) {
        case "INSECURE_PLAINTEXT":
          p = KeysetProtection.insecurePlaintext();
          break;
        case "PASSPHRASE_ARGON2ID":
          p = KeysetProtection.passphrase(((String) k.get("passphrase")).toCharArray());
          break;
        case "KEK":
          p = KeysetProtection.kek(keks.get((String) k.get("protectedBy")));
          break;
        default:
          throw new AssertionError(k.get("protection"));
      }
      keks.put(e.getKey(), LocalKms.open(f, p).auditTo(AuditSink.none()));
    }
  }

  private static Map<String, Object> caseById(String id) {
    for (Map<String, Object> c : Vectors.list(vectors.get("cases"))) {
      if (id.equals(c.get("id"))) {
        return c;
      }
    }
    throw new AssertionError("no case " + id);
  }

  /** The recording a case gives a reader (the body alone when its header is detached). */
  @SuppressWarnings("unchecked")
  static byte[] input(Map<String, Object> c) {
    if (c.containsKey("recordingHex")) {
      return Vectors.hex(c.get("recordingHex"));
    }
    Map<String, Object> base = caseById((String) c.get("derivedFrom"));
    return RecordingVectors.mutate(
        Vectors.hex(base.get("recordingHex")), (List<Map<String, Object>>) c.get("mutations"));
  }

  @SuppressWarnings("unchecked")
  private void runCase(Map<String, Object> c) throws Exception {
    byte[] input = input(c);
    byte[] detached =
        c.containsKey("detachedHeaderHex") ? Vectors.hex(c.get("detachedHeaderHex")) : null;
    int i = 0;
    for (Map<String, Object> check : Vectors.list(c.get("checks"))) {
      String where = c.get("id") + " check " + i++ + " (" + check.get("operation") + ")";
      List<String> readerKeys =
          (List<String>) (check.containsKey("readerKeys") ? check.get("readerKeys") : c.get("readerKeys"));
      Map<String, Object> expect =
          (Map<String, Object>) (check.containsKey("expect") ? check.get("expect") : c.get("expect"));
      ReadOptions.Builder ob = ReadOptions.builder();
      for (Map.Entry<String, Object> e : expect.entrySet()) {
        ob.expect(e.getKey(), (String) e.getValue());
      }
      if (detached != null) {
        ob.detachedHeader(detached);
      }
      ReadOptions options = ob.build();
      Recordings.Builder rb = Recordings.builder().auditSink(AuditSink.none());
      for (String k : readerKeys) {
        rb.unwrapWith(keks.get(k));
      }
      switch ((String) check.get("operation")) {
        case "decrypt":
          checkDecrypt(where, rb.build(), input, options, check);
          break;
        case "recover":
          checkRecover(where, rb.build(), input, options, check);
          break;
        case "rangeRead":
          checkRange(where, rb.build(), input, options, check);
          break;
        case "resume":
          checkResume(where, rb, input, options, check, c);
          break;
        default:
          fail(where + ": unknown operation");
      }
    }
    if (c.containsKey("intermediates")) {
      checkIntermediates((String) c.get("id"), c, input, detached);
    }
  }

  private interface Action {
    void run() throws Exception;
  }

  /** Runs {@code a} expecting {@code error} (an exact class name), or no error if null. */
  private static void outcome(String where, String error, Action a) throws Exception {
    Exception thrown = null;
    try {
      a.run();
    } catch (IOException e) {
      thrown = e.getCause() instanceof GeneralSecurityException ? (Exception) e.getCause() : e;
    } catch (GeneralSecurityException e) {
      thrown = e;
    }
    if (error == null) {
      if (thrown != null) {
        throw new AssertionError(where + ": expected success, got " + thrown, thrown);
      }
      return;
    }
    if (thrown == null) {
      fail(where + ": expected " + error + ", but it succeeded");
    }
    assertEquals(error, thrown.getClass().getSimpleName(), where + ": " + thrown);
    assertEquals("com.getox.crypto", thrown.getClass().getPackage().getName(), where);
  }

  @SuppressWarnings("unchecked")
  private static void checkPlaintext(String where, Object expected, byte[] actual) {
    Map<String, Object> p = (Map<String, Object>) expected;
    long n = RecordingVectors.num(p.get("length"));
    assertEquals(n, actual.length, where + ": plaintext length");
    assertEquals(p.get("sha256"), RecordingVectors.hex(RecordingVectors.sha256(actual)), where);
    assertArrayEquals(RecordingVectors.pattern(0, n), actual, where + ": the plaintext pattern");
    if (p.containsKey("hex")) {
      assertEquals(p.get("hex"), RecordingVectors.hex(actual), where);
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    try (InputStream s = in) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[7000]; // not a chunk multiple: exercises the copying path too
      int n;
      while ((n = s.read(buf)) >= 0) {
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    }
  }

  private static void checkDecrypt(
      String where, Recordings r, byte[] input, ReadOptions options, Map<String, Object> check)
      throws Exception {
    byte[][] out = new byte[1][];
    outcome(
        where,
        (String) check.get("error"),
        () -> out[0] = readAll(r.newInputStream(new ByteArrayInputStream(input), options)));
    if (check.containsKey("plaintext")) {
      checkPlaintext(where, check.get("plaintext"), out[0]);
    }
  }

  @SuppressWarnings("unchecked")
  private static void checkRecover(
      String where, Recordings r, byte[] input, ReadOptions options, Map<String, Object> check)
      throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RecoveryReport[] report = new RecoveryReport[1];
    outcome(
        where,
        (String) check.get("error"),
        () -> report[0] = r.recover(new ByteArrayInputStream(input), out, options));
    if (check.containsKey("plaintext")) {
      checkPlaintext(where, check.get("plaintext"), out.toByteArray());
      Map<String, Object> rep = (Map<String, Object>) check.get("report");
      assertEquals(RecordingVectors.num(rep.get("plaintextBytes")), report[0].plaintextBytes(), where);
      assertEquals(RecordingVectors.num(rep.get("chunks")), report[0].chunks(), where + ": chunks");
      assertEquals(rep.get("truncated"), report[0].truncated(), where + ": truncated");
      assertEquals(RecordingVectors.num(rep.get("flushedBytes")), report[0].flushedBytes(), where);
    }
  }

  private static void checkRange(
      String where, Recordings r, byte[] input, ReadOptions options, Map<String, Object> check)
      throws Exception {
    long offset = RecordingVectors.num(check.get("offset"));
    int length = (int) RecordingVectors.num(check.get("length"));
    try (SeekableRecording s = r.openSeekable(new InMemoryChannel(input), options)) {
      if (Boolean.TRUE.equals(check.get("endOfFile"))) {
        assertEquals(-1, s.read(offset, new byte[Math.max(1, length)], 0, Math.max(1, length)), where);
        return;
      }
      byte[] buf = new byte[length];
      int total = 0;
      int n;
      while (total < length && (n = s.read(offset + total, buf, total, length - total)) > 0) {
        total += n;
      }
      assertEquals(check.get("hex"), RecordingVectors.hex(Arrays.copyOf(buf, total)), where);
    }
  }

  private static void checkResume(
      String where,
      Recordings.Builder rb,
      byte[] input,
      ReadOptions options,
      Map<String, Object> check,
      Map<String, Object> c)
      throws Exception {
    File f = Files.createTempFile(dir, "resume", ".oxr").toFile();
    Files.write(f.toPath(), input);
    String error = (String) check.get("error");
    if (error != null) {
      Recordings r = rb.secureRandom(new RecordingVectors.SeededRandom("not used")).build();
      outcome(where, error, () -> r.resume(f, options).close());
      assertArrayEquals(input, Files.readAllBytes(f.toPath()), where + ": the file changed");
      return;
    }
    byte[] salt = Vectors.hex(check.get("resumeSaltHex"));
    Recordings r = rb.secureRandom(new FixedRandom(salt)).build();
    long recovered = RecordingVectors.num(check.get("recoveredLength"));
    long append = RecordingVectors.num(check.get("appendLength"));
    RecordingWriter w = r.resume(f, options);
    byte[] after = Files.readAllBytes(f.toPath());
    @SuppressWarnings("unchecked")
    Map<String, Object> a = (Map<String, Object>) check.get("afterResume");
    assertEquals(RecordingVectors.num(a.get("length")), after.length, where + ": after resume");
    assertEquals(a.get("sha256"), RecordingVectors.hex(RecordingVectors.sha256(after)), where);
    w.write(RecordingVectors.pattern(recovered, recovered + append));
    w.close();
    byte[] result = Files.readAllBytes(f.toPath());
    @SuppressWarnings("unchecked")
    Map<String, Object> expected = (Map<String, Object>) check.get("result");
    assertEquals(RecordingVectors.num(expected.get("length")), result.length, where + ": closed file");
    assertEquals(expected.get("sha256"), RecordingVectors.hex(RecordingVectors.sha256(result)), where);
    byte[] plain = readAll(r.newInputStream(new ByteArrayInputStream(result), options));
    checkPlaintext(where, check.get("plaintext"), plain);
  }

  // ---------------------------------------------------------------------------------------------

  /** Recomputes the intermediates from docs/FORMAT.md and the case's inputs. */
  @SuppressWarnings("unchecked")
  private static void checkIntermediates(
      String id, Map<String, Object> c, byte[] input, byte[] detached) throws Exception {
    Map<String, Object> m = (Map<String, Object>) c.get("intermediates");
    byte[] headerBytes =
        detached != null
            ? detached
            : Arrays.copyOf(input, (int) RecordingVectors.num(m.get("headerLength")));
    byte[] body =
        detached != null ? input : Arrays.copyOfRange(input, headerBytes.length, input.length);
    RecordingHeader h = RecordingHeader.parse(headerBytes, ReadOptions.defaults());
    assertEquals(RecordingVectors.num(c.get("formatVersion")), h.formatVersion(), id);
    assertEquals(m.get("headerIdHex"), h.headerIdHex(), id);
    Map<String, Object> context = (Map<String, Object>) c.get("context");
    assertEquals(context.get("stored"), new LinkedHashMap<>(h.context().asMap()), id);
    Map<String, Object> unstored = (Map<String, Object>) context.get("unstored");
    assertEquals(new ArrayList<>(unstored.keySet()), new ArrayList<>(h.unstoredKeys()), id);
    EncryptionContext.Builder fb = EncryptionContext.builder();
    for (Map.Entry<String, String> e : h.context().asMap().entrySet()) {
      fb.put(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, Object> e : unstored.entrySet()) {
      fb.putUnstored(e.getKey(), (String) e.getValue());
    }
    EncryptionContext full = fb.build();
    assertEquals(m.get("contextCanonicalHex"), RecordingVectors.hex(full.canonicalBytes()), id);
    byte[] ab = RecordingVectors.authenticatedBytes(h, full);
    assertEquals(m.get("authenticatedBytesHex"), RecordingVectors.hex(ab), id);

    List<Map<String, Object>> wrapped = Vectors.list(m.get("wrappedKeys"));
    assertEquals(wrapped.size(), h.wrappedKeys().size(), id);
    for (int i = 0; i < wrapped.size(); i++) {
      Map<String, Object> e = wrapped.get(i);
      WrappedKey w = h.wrappedKeys().get(i);
      assertEquals(e.get("scope"), w.scope().name(), id);
      assertEquals(e.get("kekUri"), w.kekUri(), id);
      assertEquals(e.get("kekVersion"), w.kekVersion(), id);
      assertEquals(e.get("algorithm"), w.algorithm(), id);
      assertEquals(e.get("wrappedHex"), RecordingVectors.hex(w.wrappedBytes()), id);
      if (!e.containsKey("keyHex")) {
        continue;
      }
      // The associated data is the full context, plus the recording id for a recording key.
      EncryptionContext.Builder ab2 = EncryptionContext.builder();
      for (Map.Entry<String, String> x : full.asMap().entrySet()) {
        ab2.put(x.getKey(), x.getValue());
      }
      if (w.scope() == WrappedKey.Scope.RECORDING_KEY) {
        ab2.put("oxcrypt:recording-id", h.headerIdHex());
      }
      // (An entry pasted from another recording was bound to that one: not checked here.)
      boolean own =
          e.get("keyHex").equals(m.get(w.scope() == WrappedKey.Scope.DATA_KEY ? "dataKeyHex" : "recordingKeyHex"));
      if (own) {
        assertEquals(e.get("associatedDataHex"), RecordingVectors.hex(ab2.build().canonicalBytes()), id);
      }
      openLocalWrapByHand(id, e);
    }
    if (m.get("commitmentHex") == null) {
      return; // a crafted header whose keys do not open the body: nothing more to derive
    }
    byte[] ik = Vectors.hex(m.get("inputKeyHex"));
    if (h.formatVersion() == 2) {
      byte[] rk =
          RecordingVectors.hkdfExpand(
              Vectors.hex(m.get("dataKeyHex")), RecordingVectors.concat(RecordingVectors.RK_LABEL, h.headerId()), 32);
      assertEquals(m.get("recordingKeyHex"), RecordingVectors.hex(rk), id);
      assertArrayEquals(rk, ik, id);
    } else {
      assertEquals(m.get("dataKeyHex"), m.get("inputKeyHex"), id);
    }
    Map<String, Object> keys = RecordingVectors.bodyKeys(h.formatVersion(), ik, ab, body);
    assertNotNull(keys, id + ": the commitment");
    for (Map.Entry<String, Object> e : keys.entrySet()) {
      assertEquals(e.getValue(), m.get(e.getKey()), id + ": " + e.getKey());
    }
    if (m.containsKey("flushRecords")) {
      for (Map<String, Object> r : Vectors.list(m.get("flushRecords"))) {
        openFlushRecordByHand(id, m, body, r);
      }
    }
  }

  /**
   * A flush record opened as FORMAT.md section 2.2 says: {@code len(2) || seq(8) || ct || tag},
   * AES-256-GCM under the flush key, nonce = flush nonce XOR I2OSP(seq, 12), aad = I2OSP(chunk, 8)
   * || I2OSP(offset in chunk, 2).
   */
  private static void openFlushRecordByHand(
      String id, Map<String, Object> m, byte[] body, Map<String, Object> r) throws Exception {
    int at = (int) RecordingVectors.num(r.get("bodyOffset"));
    int len = (int) RecordingVectors.num(r.get("length"));
    long seq = RecordingVectors.num(r.get("seq"));
    long chunk = RecordingVectors.num(r.get("chunk"));
    int offset = (int) RecordingVectors.num(r.get("offsetInChunk"));
    assertEquals(len, ((body[at] & 0xff) << 8) | (body[at + 1] & 0xff), id + ": record length");
    byte[] nonce = Vectors.hex(m.get("flushNonceHex"));
    byte[] aad = new byte[10];
    long s = 0;
    for (int i = 0; i < 8; i++) {
      s = (s << 8) | (body[at + 2 + i] & 0xff);
      nonce[11 - i] ^= (byte) (seq >>> (8 * i));
      aad[7 - i] = (byte) (chunk >>> (8 * i));
    }
    assertEquals(seq, s, id + ": record seq");
    aad[8] = (byte) (offset >>> 8);
    aad[9] = (byte) offset;
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(
        Cipher.DECRYPT_MODE,
        new SecretKeySpec(Vectors.hex(m.get("flushKeyHex")), "AES"),
        new GCMParameterSpec(128, nonce));
    gcm.updateAAD(aad);
    byte[] plain = gcm.doFinal(body, at + 10, len + 16);
    long start = chunk * RecordingVectors.CHUNK + offset;
    assertArrayEquals(RecordingVectors.pattern(start, start + len), plain, id + ": record " + r);
  }

  /**
   * A local wrap opened as FORMAT.md section 3 says, with the version key the vector derived from
   * the keyset file: {@code 01 || key_id(4) || iv(12) || ct || tag}, AES-256-GCM.
   */
  @SuppressWarnings("unchecked")
  private static void openLocalWrapByHand(String id, Map<String, Object> e) throws Exception {
    if (!LocalKms.ALGORITHM.equals(e.get("algorithm"))) {
      return;
    }
    Map<String, Object> keys = (Map<String, Object>) vectors.get("keys");
    Map<String, Object> derived = null;
    for (Object k : keys.values()) {
      Map<String, Object> km = (Map<String, Object>) k;
      if (km.get("uri").equals(e.get("kekUri"))) {
        derived = (Map<String, Object>) km.get("derived");
      }
    }
    if (derived == null) {
      return; // a keyset format this generator does not decode
    }
    Object keyHex = ((Map<String, Object>) derived.get("versionKeys")).get(e.get("kekVersion"));
    if (keyHex == null) {
      return; // a mislabelled version
    }
    byte[] w = Vectors.hex(e.get("wrappedHex"));
    assertEquals(1, w[0], id);
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(
        Cipher.DECRYPT_MODE,
        new SecretKeySpec(Vectors.hex(keyHex), "AES"),
        new GCMParameterSpec(128, w, 5, 12));
    gcm.updateAAD(Vectors.hex(e.get("associatedDataHex")));
    assertEquals(e.get("keyHex"), RecordingVectors.hex(gcm.doFinal(w, 17, w.length - 17)), id);
  }

  /** Returns the given bytes, then fails: the resume must draw exactly its salt. */
  static final class FixedRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;

    FixedRandom(byte[] bytes) {
      super(new Spi(bytes), null);
    }

    private static final class Spi extends SecureRandomSpi {
      private static final long serialVersionUID = 1L;
      private final byte[] bytes;
      private int used;

      Spi(byte[] bytes) {
        this.bytes = bytes.clone();
      }

      @Override
      protected void engineSetSeed(byte[] seed) {
        throw new UnsupportedOperationException();
      }

      @Override
      protected void engineNextBytes(byte[] out) {
        if (out.length > bytes.length - used) {
          throw new IllegalStateException("the vector gives " + bytes.length + " random bytes");
        }
        System.arraycopy(bytes, used, out, 0, out.length);
        used += out.length;
      }

      @Override
      protected byte[] engineGenerateSeed(int n) {
        throw new UnsupportedOperationException();
      }
    }
  }
}
