package com.getox.crypto;

import static com.getox.crypto.VectorJson.obj;

import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.hpke.HpkeRecipient;
import com.getox.crypto.internal.FlushRecords;
import com.getox.crypto.internal.HkdfExpand;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.local.KeyVersion;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.hybrid.HpkePrivateKey;
import com.google.crypto.tink.subtle.AesGcmJce;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Generates {@code docs/vectors/ox-recordings.json}, the Ox format's known-answer vectors
 * (docs/vectors/README.md says what is in it and how to regenerate it).
 *
 * <p>Everything the library draws from its {@link SecureRandom} (header ids, data keys, salts, the
 * salt of a resume) comes from {@link SeededRandom}, seeded per case, so a case does not change
 * when another is added. Two things cannot be seeded through the public API: a local KEK draws its
 * wrap IV (and a new keyset its keys, salt and IVs) from its own {@code SecureRandom}, and Tink's
 * HPKE draws its ephemeral key internally. So the keyset files, the HPKE recipient's key and every
 * wrapped key are <em>pinned</em>: when the committed file is given, they are taken from it
 * (a wrapped key only after it unwrapped, under the real KEK and the same associated data, to the
 * same key); only what is missing or no longer valid is made afresh. Regenerating therefore
 * reproduces the committed file byte for byte, and a change anywhere shows up as a diff.
 */
final class RecordingVectors {
  static final String FORMAT = "ox-recording-vectors/1";
  static final String PATH = "docs/vectors/ox-recordings.json";
  static final String SEED_PREFIX = "ox-recording-vectors/1/";

  static final String LOCAL_PLAINTEXT = "local-plaintext";
  static final String LOCAL_PASSPHRASE = "local-passphrase";
  static final String LOCAL_KEK = "local-kek-protected";
  static final String HPKE = "hpke-recipient";
  static final String PASSPHRASE = "ox vectors: correct horse battery staple";
  /** The cheapest Argon2id cost a keyset may have (docs/FORMAT.md section 4): fast tests. */
  static final int ARGON2_MEMORY_KIB = 19 * 1024;
  static final int ARGON2_ITERATIONS = 2;
  static final int ARGON2_PARALLELISM = 1;

  static final int CHUNK = 16384;
  static final int SEALED = 16400;
  static final int PREFIX = 56;
  static final int MULTI_CHUNK = 2 * CHUNK + 100;

  private RecordingVectors() {}

  /**
   * Rewrites the vector file: {@code [--fresh] [path]}. Without {@code --fresh} the keys and
   * wrapped keys of the existing file are kept (see the class comment); with it, all are new.
   */
  public static void main(String[] args) throws Exception {
    boolean fresh = false;
    File out = null;
    for (String a : args) {
      if (a.equals("--fresh")) {
        fresh = true;
      } else {
        out = new File(a);
      }
    }
    if (out == null) {
      out = locate();
    }
    String text = generate(out.isFile() && !fresh ? Vectors.jsonFile(out) : null);
    Files.write(out.toPath(), text.getBytes(StandardCharsets.UTF_8));
    System.out.println("wrote " + out + " (" + text.length() + " bytes)");
  }

  /** The vector file: {@code -Dox.recording.vectors=...}, else found walking up from user.dir. */
  static File locate() {
    String override = System.getProperty("ox.recording.vectors");
    if (override != null) {
      return new File(override);
    }
    File start = new File(System.getProperty("user.dir")).getAbsoluteFile();
    for (File d = start; d != null; d = d.getParentFile()) {
      if (new File(d, "docs/FORMAT.md").isFile()) {
        return new File(d, PATH);
      }
    }
    throw new IllegalStateException(
        "cannot find the repository (docs/FORMAT.md) walking up from "
            + start
            + "; set -Dox.recording.vectors=path/to/ox-recordings.json");
  }

  /**
   * The vector file's text.
   *
   * @param committed the committed file, parsed, whose keys and wrapped keys are kept; null to
   *     make all of them afresh
   */
  static String generate(Map<String, Object> committed) throws Exception {
    File work = Files.createTempDirectory("ox-vectors").toFile();
    try {
      return generate(committed, work);
    } finally {
      deleteTree(work);
    }
  }

  /** As {@link #generate(Map)}, with its keyset files and recordings in {@code work}. */
  static String generate(Map<String, Object> committed, File work) throws Exception {
    return new Generator(Pins.of(committed), work).run();
  }

  private static void deleteTree(File f) {
    File[] children = f.listFiles();
    if (children != null) {
      for (File c : children) {
        deleteTree(c);
      }
    }
    if (!f.delete()) {
      f.deleteOnExit();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Plaintexts, hashing, hex

  /** Bytes {@code from..to} of the plaintext pattern: byte i is {@code i mod 251}. */
  static byte[] pattern(long from, long to) {
    byte[] b = new byte[(int) (to - from)];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) ((from + i) % 251);
    }
    return b;
  }

  static String hex(byte[] b) {
    return Vectors.toHex(b);
  }

  static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.write(p, 0, p.length);
    }
    return out.toByteArray();
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code {length, sha256, hex}} of the first {@code n} pattern bytes (hex up to 1 KiB). */
  static Map<String, Object> plaintext(long n) {
    byte[] p = pattern(0, n);
    Map<String, Object> m = obj("length", n, "sha256", hex(sha256(p)));
    if (n <= 1024) {
      m.put("hex", hex(p));
    }
    return m;
  }

  // ---------------------------------------------------------------------------------------------
  // Mutations: how a derived case's bytes follow from its base case's (the tests apply them too)

  static Map<String, Object> truncate(long length) {
    return obj("truncate", length);
  }

  static Map<String, Object> xor(long offset, String mask) {
    return obj("xor", obj("offset", offset, "hex", mask));
  }

  static Map<String, Object> overwrite(long offset, String bytes) {
    return obj("overwrite", obj("offset", offset, "hex", bytes));
  }

  static Map<String, Object> append(String bytes) {
    return obj("append", bytes);
  }

  static Map<String, Object> swap(long a, long b, long length) {
    return obj("swap", obj("offsetA", a, "offsetB", b, "length", length));
  }

  @SuppressWarnings("unchecked")
  static byte[] mutate(byte[] in, List<Map<String, Object>> mutations) {
    byte[] b = in.clone();
    for (Map<String, Object> m : mutations) {
      if (m.containsKey("truncate")) {
        b = Arrays.copyOf(b, (int) num(m.get("truncate")));
      } else if (m.containsKey("append")) {
        b = concat(b, Vectors.hex(m.get("append")));
      } else if (m.containsKey("xor")) {
        Map<String, Object> x = (Map<String, Object>) m.get("xor");
        byte[] mask = Vectors.hex(x.get("hex"));
        int at = (int) num(x.get("offset"));
        for (int i = 0; i < mask.length; i++) {
          b[at + i] ^= mask[i];
        }
      } else if (m.containsKey("overwrite")) {
        Map<String, Object> x = (Map<String, Object>) m.get("overwrite");
        byte[] with = Vectors.hex(x.get("hex"));
        System.arraycopy(with, 0, b, (int) num(x.get("offset")), with.length);
      } else if (m.containsKey("swap")) {
        Map<String, Object> x = (Map<String, Object>) m.get("swap");
        int a = (int) num(x.get("offsetA"));
        int c = (int) num(x.get("offsetB"));
        int n = (int) num(x.get("length"));
        byte[] t = Arrays.copyOfRange(b, a, a + n);
        System.arraycopy(b, c, b, a, n);
        System.arraycopy(t, 0, b, c, n);
      } else {
        throw new IllegalArgumentException("unknown mutation " + m.keySet());
      }
    }
    return b;
  }

  static long num(Object o) {
    return ((Number) o).longValue();
  }

  // ---------------------------------------------------------------------------------------------
  // Derivations, computed here from docs/FORMAT.md (not through the library), for the intermediates

  static final byte[] C2SP_LABEL = ascii("c2sp.org/chunked-encryption@v1+AEAD_AES_256_GCM\0");
  static final byte[] RK_LABEL = ascii("ox.getox.com/recording-key@v2\0");
  static final byte[] FLUSH_LABEL = ascii("ox.getox.com/flush@v2\0");

  static byte[] hkdfExpand(byte[] prk, byte[] info, int length) throws GeneralSecurityException {
    return HkdfExpand.expand("HmacSHA512", prk, info, length);
  }

  /** count(2) || (len(2) || name)* in UTF-8 byte order. */
  static byte[] unstoredNames(Iterable<String> names) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<byte[]> all = new ArrayList<>();
    for (String n : names) {
      all.add(ascii(n));
    }
    all.sort(Arrays::compareUnsigned);
    out.write(all.size() >>> 8);
    out.write(all.size());
    for (byte[] n : all) {
      out.write(n.length >>> 8);
      out.write(n.length);
      out.write(n, 0, n.length);
    }
    return out.toByteArray();
  }

  /** AB: magic || version || suite || header id || canonical(F) [|| unstored names (v2)]. */
  static byte[] authenticatedBytes(RecordingHeader h, EncryptionContext full) {
    byte[] v = {(byte) h.formatVersion(), 0, 1};
    return h.formatVersion() == 1
        ? concat(ascii("OXRC"), v, h.headerId(), h.context().canonicalBytes())
        : concat(ascii("OXRC"), v, h.headerId(), full.canonicalBytes(), unstoredNames(h.unstoredKeys()));
  }

  /**
   * The body's keys from its input key: chunk key, base nonce, commitment and flush keys; null if
   * the commitment they give is not the body's.
   */
  static Map<String, Object> bodyKeys(int version, byte[] ik, byte[] ab, byte[] body)
      throws GeneralSecurityException {
    byte[] salt = Arrays.copyOf(body, 24);
    byte[] okm = hkdfExpand(ik, concat(C2SP_LABEL, salt, ab), 76);
    byte[] commitment = Arrays.copyOfRange(okm, 44, 76);
    if (!Arrays.equals(commitment, Arrays.copyOfRange(body, 24, 56))) {
      return null;
    }
    Map<String, Object> m =
        obj(
            "saltHex", hex(salt),
            "chunkKeyHex", hex(Arrays.copyOf(okm, 32)),
            "baseNonceHex", hex(Arrays.copyOfRange(okm, 32, 44)),
            "commitmentHex", hex(commitment));
    if (version == 2) {
      byte[] f = hkdfExpand(ik, concat(FLUSH_LABEL, salt, ab), 44);
      m.put("flushKeyHex", hex(Arrays.copyOf(f, 32)));
      m.put("flushNonceHex", hex(Arrays.copyOfRange(f, 32, 44)));
    }
    return m;
  }

  // ---------------------------------------------------------------------------------------------
  // Randomness

  /**
   * A deterministic {@link SecureRandom} for the vectors: the stream {@code SHA-256(seed ||
   * I2OSP(0, 8)) || SHA-256(seed || I2OSP(1, 8)) || ...}, seed in UTF-8, consumed in order.
   */
  static final class SeededRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;

    SeededRandom(String seed) {
      super(new Spi(ascii(seed)), null);
    }

    private static final class Spi extends SecureRandomSpi {
      private static final long serialVersionUID = 1L;
      private final byte[] seed;
      private long counter;
      private byte[] block = new byte[0];
      private int used;

      Spi(byte[] seed) {
        this.seed = seed;
      }

      @Override
      protected void engineSetSeed(byte[] s) {
        throw new UnsupportedOperationException("a seeded vector random cannot be reseeded");
      }

      @Override
      protected void engineNextBytes(byte[] out) {
        for (int i = 0; i < out.length; i++) {
          if (used == block.length) {
            byte[] ctr = new byte[8];
            for (int k = 0; k < 8; k++) {
              ctr[7 - k] = (byte) (counter >>> (8 * k));
            }
            counter++;
            block = sha256(concat(seed, ctr));
            used = 0;
          }
          out[i] = block[used++];
        }
      }

      @Override
      protected byte[] engineGenerateSeed(int n) {
        throw new UnsupportedOperationException();
      }
    }
  }

  /** The first {@code n} bytes of {@link SeededRandom}'s stream for {@code seed}. */
  static byte[] seededBytes(String seed, int n) {
    byte[] b = new byte[n];
    new SeededRandom(seed).nextBytes(b);
    return b;
  }

  // ---------------------------------------------------------------------------------------------
  // Pinning

  static String pinId(String uri, String keyHex, String aadHex) {
    return uri + "|" + keyHex + "|" + aadHex;
  }

  /** What a committed vector file fixes: keyset files, the HPKE key, wrapped keys. */
  static final class Pins {
    final Map<String, Map<String, Object>> keys = new HashMap<>();
    final Map<String, WrappedKey> wraps = new HashMap<>();

    @SuppressWarnings("unchecked")
    static Pins of(Map<String, Object> committed) {
      Pins p = new Pins();
      if (committed == null || !FORMAT.equals(committed.get("format"))) {
        return p;
      }
      Map<String, Object> keys = (Map<String, Object>) committed.get("keys");
      for (Map.Entry<String, Object> e : keys.entrySet()) {
        p.keys.put(e.getKey(), (Map<String, Object>) e.getValue());
      }
      for (Map<String, Object> c : Vectors.list(committed.get("cases"))) {
        Map<String, Object> inter = (Map<String, Object>) c.get("intermediates");
        if (inter == null || inter.get("wrappedKeys") == null) {
          continue;
        }
        for (Map<String, Object> w : Vectors.list(inter.get("wrappedKeys"))) {
          if (w.get("keyHex") == null) {
            continue;
          }
          String uri = (String) w.get("kekUri");
          p.wraps.put(
              pinId(uri, (String) w.get("keyHex"), (String) w.get("associatedDataHex")),
              WrappedKey.create(
                  uri,
                  (String) w.get("kekVersion"),
                  (String) w.get("algorithm"),
                  Vectors.hex(w.get("wrappedHex"))));
        }
      }
      return p;
    }
  }

  /** What a wrap was made of: the key and the associated data (canonical context). */
  static final class Made {
    final String keyHex;
    final String aadHex;

    Made(String keyHex, String aadHex) {
      this.keyHex = keyHex;
      this.aadHex = aadHex;
    }
  }

  /**
   * A KEK whose wraps are pinned: a pinned wrap of the same key under the same associated data is
   * returned if it still unwraps to that key; otherwise the real KEK wraps. Logs every wrap.
   */
  static final class PinnedKek implements Kek {
    final Kek real;
    private final Pins pins;
    private final Map<String, Made> made;

    PinnedKek(Kek real, Pins pins, Map<String, Made> made) {
      this.real = real;
      this.pins = pins;
      this.made = made;
    }

    @Override
    public String uri() {
      return real.uri();
    }

    @Override
    public WrappedKey wrap(byte[] key, EncryptionContext context) throws GeneralSecurityException {
      String aad = hex(context.canonicalBytes());
      WrappedKey w = pins.wraps.get(pinId(uri(), hex(key), aad));
      if (w == null || !opens(w, key, context)) {
        w = real.wrap(key, context);
        pins.wraps.put(pinId(uri(), hex(key), aad), w); // the same wrap again in this run
      }
      made.put(hex(w.wrappedBytes()), new Made(hex(key), aad));
      return w;
    }

    private boolean opens(WrappedKey w, byte[] key, EncryptionContext context) {
      try {
        return Arrays.equals(real.unwrap(w, context), key);
      } catch (GeneralSecurityException | RuntimeException e) {
        return false;
      }
    }

    @Override
    public byte[] unwrap(WrappedKey wrapped, EncryptionContext context)
        throws GeneralSecurityException {
      return real.unwrap(wrapped, context);
    }

    @Override
    public boolean isCurrent(WrappedKey wrapped) {
      return real.isCurrent(wrapped);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Local keyset files

  /** The keyset file's {@code format} field, or null. */
  static String keysetFormat(String fileText) {
    try {
      return (String) Vectors.jsonText(fileText).get("format");
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * The key bytes of each version of a local keyset, read from its file as docs/FORMAT.md
   * section 4 describes (Tink's public API for the keyset itself), or null if this generator does
   * not know the file's layout (another {@code format}): the key hex is then left out.
   *
   * @param kekOfKeyset the KEK that protects a {@code KEK} keyset, else null
   */
  static Map<String, Object> keysetSecrets(String fileText, char[] passphrase, Kek kekOfKeyset)
      throws Exception {
    AeadConfig.register();
    Map<String, Object> file = Vectors.jsonText(fileText);
    String format = (String) file.get("format");
    try {
      return keysetSecrets(file, format, passphrase, kekOfKeyset);
    } catch (GeneralSecurityException | RuntimeException e) {
      return null; // not the layout of ox-local-keyset/1 (FORMAT.md section 4)
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> keysetSecrets(
      Map<String, Object> file, String format, char[] passphrase, Kek kekOfKeyset)
      throws GeneralSecurityException {
    String name = (String) file.get("name");
    String protection = (String) file.get("protection");
    String keysetJson = VectorJson.write(file.get("keyset"));
    Map<String, Object> out = new LinkedHashMap<>();
    KeysetHandle handle;
    byte[] ad = ascii(format + "\n" + name + "\n" + protection);
    if (protection.equals("INSECURE_PLAINTEXT")) {
      handle = TinkJsonProtoKeysetFormat.parseKeyset(keysetJson, InsecureSecretKeyAccess.get());
    } else {
      byte[] key;
      if (protection.equals("PASSPHRASE_ARGON2ID")) {
        Map<String, Object> a = (Map<String, Object>) file.get("argon2id");
        org.bouncycastle.crypto.generators.Argon2BytesGenerator gen =
            new org.bouncycastle.crypto.generators.Argon2BytesGenerator();
        gen.init(
            new org.bouncycastle.crypto.params.Argon2Parameters.Builder(
                    org.bouncycastle.crypto.params.Argon2Parameters.ARGON2_id)
                .withVersion(org.bouncycastle.crypto.params.Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(Vectors.hex(a.get("salt")))
                .withMemoryAsKB((int) num(a.get("memoryKiB")))
                .withIterations((int) num(a.get("iterations")))
                .withParallelism((int) num(a.get("parallelism")))
                .build());
        key = new byte[32];
        gen.generateBytes(ascii(new String(passphrase)), key);
        out.put("argon2idKeyHex", hex(key));
      } else {
        Map<String, Object> k = (Map<String, Object>) file.get("kek");
        key =
            kekOfKeyset.unwrap(
                WrappedKey.create(
                    (String) k.get("uri"),
                    (String) k.get("version"),
                    (String) k.get("algorithm"),
                    Vectors.hex(k.get("wrapped"))),
                EncryptionContext.builder().put("ox-keyset", format + "/" + name).build());
        out.put("keysetKeyHex", hex(key));
      }
      out.put("keysetAssociatedDataHex", hex(ad));
      handle = TinkJsonProtoKeysetFormat.parseEncryptedKeyset(keysetJson, new AesGcmJce(key), ad);
    }
    Map<String, Object> versions = new TreeMap<>();
    for (int i = 0; i < handle.size(); i++) {
      AesGcmKey k = (AesGcmKey) handle.getAt(i).getKey();
      versions.put(
          Long.toString(handle.getAt(i).getId() & 0xffffffffL),
          hex(k.getKeyBytes().toByteArray(InsecureSecretKeyAccess.get())));
    }
    out.put("versionKeys", versions);
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Header offsets, parsed here by hand for the mutations

  /** Where the fields of a header's first wrapped key are. */
  static final class Layout {
    final int length;
    final int contextLength;
    final int keyCountOffset;
    final int scopeOffset; // v2 only, else -1
    final int versionOffset; // ver_len byte
    final int wrappedOffset; // first wrapped byte
    final int wrappedLength;
    final int firstValueOffset; // first byte of the first context value (the value is non-empty)

    Layout(byte[] h) {
      int version = h[4];
      length = h.length;
      int p = 27;
      int entries = u16(h, p);
      p += 2;
      int firstValue = -1;
      for (int i = 0; i < entries; i++) {
        p += 2 + u16(h, p);
        if (firstValue < 0) {
          firstValue = p + 2;
        }
        p += 2 + u16(h, p);
      }
      firstValueOffset = firstValue;
      contextLength = p - 27;
      if (version == 2) {
        int names = u16(h, p);
        p += 2;
        for (int i = 0; i < names; i++) {
          p += 2 + u16(h, p);
        }
      }
      keyCountOffset = p;
      p += 2;
      scopeOffset = version == 2 ? p++ : -1;
      p += 2 + u16(h, p); // uri
      versionOffset = p;
      p += 1 + (h[p] & 0xff);
      p += 1 + (h[p] & 0xff); // algorithm
      wrappedLength = u16(h, p);
      wrappedOffset = p + 2;
    }

    private static int u16(byte[] b, int p) {
      return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
    }
  }

  static String u32(long v) {
    return String.format("%08x", v);
  }

  // ---------------------------------------------------------------------------------------------

  /** One recording as the generator made it. */
  static final class Rec {
    final RecordingHeader header;
    final byte[] headerBytes;
    final byte[] body;
    final boolean detached;
    final EncryptionContext full;

    Rec(RecordingHeader header, byte[] body, boolean detached, EncryptionContext full) {
      this.header = header;
      this.headerBytes = header.toByteArray();
      this.body = body;
      this.detached = detached;
      this.full = full;
    }

    byte[] attached() {
      return concat(headerBytes, body);
    }

    /** What a reader is given as the recording: the body alone when detached. */
    byte[] input() {
      return detached ? body : attached();
    }

    /** The seed of the SecureRandom that made it. */
    String seed;

    Rec seeded(String s) {
      this.seed = s;
      return this;
    }

    Rec withHeader(RecordingHeader h) {
      return new Rec(h, body, detached, full).seeded(seed);
    }
  }

  /** Drives a file writer and keeps, by the rules of docs/FORMAT.md 2.2, where its records went. */
  static final class FlushScript {
    final RecordingWriter w;
    long written;
    long chunk;
    int pending;
    int flushed;
    long seq;
    long recordPos = PREFIX + SEALED;
    final List<Map<String, Object>> records = new ArrayList<>();
    final List<Map<String, Object>> steps = new ArrayList<>();

    FlushScript(RecordingWriter w) {
      this.w = w;
    }

    FlushScript write(int n) throws IOException {
      w.write(pattern(written, written + n));
      written += n;
      steps.add(obj("write", (long) n));
      while (n > 0) {
        int take = Math.min(n, CHUNK - pending);
        pending += take;
        n -= take;
        if (pending == CHUNK) {
          chunk++;
          pending = 0;
          flushed = 0;
          recordPos = PREFIX + (chunk + 1) * SEALED;
        }
      }
      return this;
    }

    FlushScript flush() throws IOException {
      w.flush();
      steps.add(obj("flush", true));
      if (pending > flushed) {
        int len = pending - flushed;
        records.add(
            obj(
                "bodyOffset", recordPos,
                "chunk", chunk,
                "offsetInChunk", (long) flushed,
                "length", (long) len,
                "seq", seq));
        seq++;
        recordPos += len + FlushRecords.OVERHEAD_BYTES;
        flushed = pending;
      }
      return this;
    }

    /** The plaintext a recover returns: the sealed chunks and the flushed part of the last. */
    long flushedTotal() {
      return chunk * CHUNK + flushed;
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static final class Generator {
    private final Pins pins;
    private final File work;
    private final Map<String, Made> made = new HashMap<>();
    private final Map<String, Kek> keks = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> keyJson = new LinkedHashMap<>();
    private final List<Map<String, Object>> cases = new ArrayList<>();
    private final Map<String, Map<String, Object>> byId = new HashMap<>();
    private final Map<String, Rec> recs = new HashMap<>();
    private final Map<Recordings, String> seeds = new java.util.IdentityHashMap<>();
    private String hpkePrivateJson;
    private String hpkePublicJson;
    private LocalKms plain;
    private LocalKms passphrase;
    private LocalKms kekProtected;
    private HpkeRecipient hpke;
    private boolean rotatePlain;

    Generator(Pins pins, File work) {
      this.pins = pins;
      this.work = work;
    }

    String run() throws Exception {
      setUpKeys();
      cases();
      describeKeys();
      Set<String> recorded = new HashSet<>();
      for (Map<String, Object> c : cases) {
        @SuppressWarnings("unchecked")
        Map<String, Object> inter = (Map<String, Object>) c.get("intermediates");
        if (inter != null && inter.get("wrappedKeys") != null) {
          for (Map<String, Object> w : Vectors.list(inter.get("wrappedKeys"))) {
            recorded.add((String) w.get("wrappedHex"));
          }
        }
      }
      for (String w : made.keySet()) {
        if (!recorded.contains(w)) {
          throw new AssertionError("a wrap is in no case's intermediates, so it cannot be pinned");
        }
      }
      Map<String, Object> root =
          obj(
              "format", FORMAT,
              "description",
                  "Known-answer vectors for the Ox recording format (docs/FORMAT.md), versions 1 and 2."
                      + " See docs/vectors/README.md for the fields and how to regenerate them.",
              "plaintextPattern",
                  "every plaintext, and every expected output, is the first n bytes of the pattern"
                      + " byte[i] = i mod 251",
              "randomSource",
                  "what the library drew from its SecureRandom (header id, data key, salt, in that"
                      + " order per recording; the salt of a resume) is SHA-256(seed || I2OSP(0, 8)) ||"
                      + " SHA-256(seed || I2OSP(1, 8)) || ..., seed in UTF-8 = intermediates.randomSeed"
                      + " (a resume: resumeSeed); the intermediates give every value drawn",
              "errors",
                  "an expected error is the exact Ox exception class (com.getox.crypto); from a"
                      + " stream read it is the cause of the IOException",
              "keys", keyJson,
              "cases", cases);
      return VectorJson.write(root);
    }

    // -- keys ------------------------------------------------------------------------------------

    private void setUpKeys() throws Exception {
      plain = openPinned(LOCAL_PLAINTEXT, KeysetProtection.insecurePlaintext());
      if (plain == null) {
        plain = create(LOCAL_PLAINTEXT, KeysetProtection.insecurePlaintext(), "ox-vectors-plaintext");
        rotatePlain = true; // after the old-version case, see cases()
      }
      KeysetProtection pp =
          KeysetProtection.passphrase(
              PASSPHRASE.toCharArray(), ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_PARALLELISM);
      passphrase = openPinned(LOCAL_PASSPHRASE, pp);
      if (passphrase == null) {
        passphrase = create(LOCAL_PASSPHRASE, pp, "ox-vectors-passphrase");
      }
      KeysetProtection byKek = KeysetProtection.kek(plain);
      kekProtected = openPinned(LOCAL_KEK, byKek);
      if (kekProtected == null) {
        kekProtected = create(LOCAL_KEK, byKek, "ox-vectors-kek-protected");
      }
      Map<String, Object> h = pins.keys.get(HPKE);
      if (h != null) {
        try {
          // The pinned JSON is kept as it is, not serialized again by this Tink.
          hpkePrivateJson = (String) h.get("privateKeysetJson");
          hpkePublicJson = (String) h.get("publicKeysetJson");
          hpke = HpkeRecipient.fromInsecurePrivateKeyset(hpkePrivateJson);
          if (!hpke.uri().equals(HpkeRecipient.fromPublicKeyset(hpkePublicJson).uri())) {
            throw new GeneralSecurityException("the pinned public key is not the private key's");
          }
        } catch (GeneralSecurityException | RuntimeException e) {
          hpke = null;
        }
      }
      if (hpke == null) {
        hpke = HpkeRecipient.generate();
        hpkePrivateJson = hpke.insecurePrivateKeysetJson();
        hpkePublicJson = hpke.publicKeysetJson();
      }
      keks.put(LOCAL_PLAINTEXT, new PinnedKek(plain, pins, made));
      keks.put(LOCAL_PASSPHRASE, new PinnedKek(passphrase, pins, made));
      keks.put(LOCAL_KEK, new PinnedKek(kekProtected, pins, made));
      keks.put(HPKE, new PinnedKek(hpke, pins, made));
    }

    /** The format a new keyset file with protection {@code p} gets from this build's LocalKms. */
    private String currentKeysetFormat(KeysetProtection p) throws Exception {
      File probe = new File(work, "format-probe.json");
      if (probe.exists() && !probe.delete()) {
        throw new IOException("cannot delete " + probe);
      }
      LocalKms.create(probe, p, "format-probe");
      return (String) Vectors.jsonFile(probe).get("format");
    }

    private LocalKms create(String key, KeysetProtection p, String name) throws Exception {
      File f = new File(work, key + ".json");
      if (f.exists() && !f.delete()) {
        throw new IOException("cannot delete " + f);
      }
      return LocalKms.create(f, p, name).auditTo(AuditSink.none());
    }

    /** The pinned keyset, if it has this build's format and opens; else null. */
    private LocalKms openPinned(String key, KeysetProtection p) throws Exception {
      Map<String, Object> k = pins.keys.get(key);
      if (k == null || !(k.get("keysetFile") instanceof String)) {
        return null;
      }
      String text = (String) k.get("keysetFile");
      if (!currentKeysetFormat(p).equals(keysetFormat(text))) {
        return null;
      }
      File f = new File(work, key + ".json");
      try {
        Files.write(f.toPath(), ascii(text));
        return LocalKms.open(f, p).auditTo(AuditSink.none());
      } catch (Exception e) {
        f.delete();
        return null;
      }
    }

    private void describeKeys() throws Exception {
      describeLocal(LOCAL_PLAINTEXT, plain, null, null);
      describeLocal(LOCAL_PASSPHRASE, passphrase, PASSPHRASE, null);
      describeLocal(LOCAL_KEK, kekProtected, null, LOCAL_PLAINTEXT);
      KeysetHandle priv =
          TinkJsonProtoKeysetFormat.parseKeyset(hpkePrivateJson, InsecureSecretKeyAccess.get());
      HpkePrivateKey k = (HpkePrivateKey) priv.getPrimary().getKey();
      keyJson.put(
          HPKE,
          obj(
              "kind", "hpke",
              "uri", hpke.uri(),
              "algorithm", HpkeRecipient.ALGORITHM,
              "description",
                  "an HPKE recipient (RFC 9180 base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,"
                      + " AES-256-GCM); its private keyset is Tink JSON, as"
                      + " HpkeRecipient.insecurePrivateKeysetJson() writes it",
              "privateKeysetJson", hpkePrivateJson,
              "publicKeysetJson", hpkePublicJson,
              "privateKeyHex",
                  hex(k.getPrivateKeyBytes().toByteArray(InsecureSecretKeyAccess.get())),
              "publicKeyHex", hex(k.getPublicKey().getPublicKeyBytes().toByteArray())));
    }

    private void describeLocal(String key, LocalKms kms, String pass, String protectedBy)
        throws Exception {
      String text = new String(Files.readAllBytes(kms.file().toPath()), StandardCharsets.UTF_8);
      Map<String, Object> m =
          obj(
              "kind", "local",
              "uri", kms.uri(),
              "algorithm", LocalKms.ALGORITHM,
              "protection", kms.protection().name());
      if (pass != null) {
        m.put("passphrase", pass);
      }
      if (protectedBy != null) {
        m.put("protectedBy", protectedBy);
      }
      List<Object> versions = new ArrayList<>();
      for (KeyVersion v : kms.versions()) {
        versions.add(obj("id", v.id(), "status", v.status().name(), "primary", v.isPrimary()));
      }
      m.put("versions", versions);
      Map<String, Object> secrets =
          keysetSecrets(
              text, pass == null ? null : pass.toCharArray(), protectedBy == null ? null : plain);
      if (secrets != null) {
        m.put("derived", secrets);
      }
      m.put("keysetFile", text);
      keyJson.put(key, m);
    }

    // -- recordings ------------------------------------------------------------------------------

    private Recordings recordings(String seed, boolean v1, String... wrapKeys) {
      Recordings.Builder b =
          Recordings.builder()
              .secureRandom(new SeededRandom(SEED_PREFIX + seed))
              .auditSink(AuditSink.none());
      for (String k : wrapKeys) {
        b.wrapWith(keks.get(k));
      }
      for (Kek k : keks.values()) {
        b.unwrapWith(k);
      }
      if (v1) {
        b.writeVersion1();
      }
      Recordings r = b.build();
      seeds.put(r, SEED_PREFIX + seed);
      return r;
    }

    private static EncryptionContext ctx(String id) {
      return EncryptionContext.builder().put("app", "ox-vectors").put("recording-id", id).build();
    }

    private Rec encrypt(Recordings r, EncryptionContext ctx, long length, boolean detached)
        throws Exception {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      RecordingWriter w = detached ? r.newDetachedWriter(out, ctx) : r.newWriter(out, ctx);
      w.write(pattern(0, length));
      w.close();
      byte[] all = out.toByteArray();
      int h = detached ? 0 : w.header().toByteArray().length;
      return new Rec(w.header(), Arrays.copyOfRange(all, h, all.length), detached, ctx)
          .seeded(seeds.get(r));
    }

    private Rec simple(String id, boolean v1, long length, String... wrapKeys) throws Exception {
      return encrypt(recordings(id, v1, wrapKeys), ctx(id), length, false);
    }

    private static Map<String, String> unstoredValues(EncryptionContext full) {
      Map<String, String> m = new TreeMap<>();
      for (String k : full.unstoredKeys()) {
        m.put(k, full.get(k));
      }
      return m;
    }

    private Map<String, Object> addCase(
        String id, String description, Rec rec, List<String> readerKeys, Object... checks)
        throws Exception {
      Map<String, Object> stored = new LinkedHashMap<>(rec.header.context().asMap());
      Map<String, Object> c =
          obj(
              "id", id,
              "description", description,
              "formatVersion", (long) rec.header.formatVersion(),
              "readerKeys", new ArrayList<Object>(readerKeys),
              "context", obj("stored", stored, "unstored", new LinkedHashMap<>(unstoredValues(rec.full))),
              "expect", new LinkedHashMap<>(unstoredValues(rec.full)),
              "checks", new ArrayList<>(Arrays.asList(checks)),
              "intermediates", intermediates(rec));
      if (rec.detached) {
        c.put("detachedHeaderHex", hex(rec.headerBytes));
      }
      c.put("recordingHex", hex(rec.input()));
      add(id, c);
      recs.put(id, rec);
      return c;
    }

    private void add(String id, Map<String, Object> c) {
      if (byId.put(id, c) != null) {
        throw new IllegalStateException("two cases named " + id);
      }
      cases.add(c);
    }

    /** A case whose bytes are its base's with {@code mutations} applied. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> derive(
        String id, String description, String from, List<Map<String, Object>> mutations, Object... checks) {
      Map<String, Object> base = byId.get(from);
      Map<String, Object> c =
          obj(
              "id", id,
              "description", description,
              "formatVersion", base.get("formatVersion"),
              "readerKeys", base.get("readerKeys"),
              "context", base.get("context"),
              "expect", base.get("expect"),
              "checks", new ArrayList<>(Arrays.asList(checks)),
              "derivedFrom", from,
              "mutations", mutations);
      if (base.containsKey("detachedHeaderHex")) {
        c.put("detachedHeaderHex", base.get("detachedHeaderHex"));
      }
      add(id, c);
      return c;
    }

    private Map<String, Object> intermediates(Rec rec) throws Exception {
      RecordingHeader h = rec.header;
      int version = h.formatVersion();
      Map<String, Object> m = new LinkedHashMap<>();
      if (rec.seed != null) {
        m.put("randomSeed", rec.seed);
      }
      m.put("headerLength", (long) rec.headerBytes.length);
      m.put("headerIdHex", h.headerIdHex());
      byte[] canonical = version == 1 ? h.context().canonicalBytes() : rec.full.canonicalBytes();
      m.put("contextCanonicalHex", hex(canonical));
      if (version == 2) {
        m.put("unstoredNamesHex", hex(unstoredNames(h.unstoredKeys())));
      }
      byte[] ab = authenticatedBytes(h, rec.full);
      if (!Arrays.equals(ab, h.authenticatedBytes(rec.full))) {
        throw new AssertionError("AB computed from FORMAT.md differs from the library's");
      }
      m.put("authenticatedBytesHex", hex(ab));
      List<Object> wrapped = new ArrayList<>();
      String dek = null;
      String rk = null;
      for (WrappedKey w : h.wrappedKeys()) {
        Made how = made.get(hex(w.wrappedBytes()));
        Map<String, Object> e =
            obj(
                "scope", w.scope().name(),
                "kekUri", w.kekUri(),
                "kekVersion", w.kekVersion(),
                "algorithm", w.algorithm());
        if (how != null) {
          e.put("keyHex", how.keyHex);
          e.put("associatedDataHex", how.aadHex);
          if (how.keyHex.length() == 64) {
            if (w.scope() == WrappedKey.Scope.DATA_KEY && dek == null) {
              dek = how.keyHex;
            } else if (w.scope() == WrappedKey.Scope.RECORDING_KEY && rk == null) {
              rk = how.keyHex;
            }
          }
        }
        e.put("wrappedHex", hex(w.wrappedBytes()));
        wrapped.add(e);
      }
      m.put("wrappedKeys", wrapped);
      if (dek != null && version == 2) {
        rk = hex(hkdfExpand(Vectors.hex(dek), concat(RK_LABEL, h.headerId()), 32));
      }
      String ik = version == 1 ? dek : rk;
      Map<String, Object> body = ik == null ? null : bodyKeys(version, Vectors.hex(ik), ab, rec.body);
      if (body != null) { // null: a crafted header whose keys do not open this body
        if (dek != null) {
          m.put("dataKeyHex", dek);
        }
        if (version == 2) {
          m.put("recordingKeyHex", rk);
        }
        m.put("inputKeyHex", ik);
        m.putAll(body);
      }
      return m;
    }

    // -- checks ----------------------------------------------------------------------------------

    private static Map<String, Object> decryptOk(long length) {
      return obj("operation", "decrypt", "plaintext", plaintext(length));
    }

    private static Map<String, Object> decryptError(String error) {
      return obj("operation", "decrypt", "error", error);
    }

    private static Map<String, Object> recoverOk(
        long bytes, long chunks, boolean truncated, long flushed) {
      return obj(
          "operation", "recover",
          "plaintext", plaintext(bytes),
          "report",
              obj(
                  "plaintextBytes", bytes,
                  "chunks", chunks,
                  "truncated", truncated,
                  "flushedBytes", flushed));
    }

    private static Map<String, Object> recoverError(String error) {
      return obj("operation", "recover", "error", error);
    }

    private static Map<String, Object> complete(long n) {
      return recoverOk(n, n / CHUNK + 1, false, 0);
    }

    private static Map<String, Object> range(long offset, long length, long size) {
      Map<String, Object> m = obj("operation", "rangeRead", "offset", offset, "length", length);
      if (offset >= size) {
        m.put("endOfFile", true);
      } else {
        m.put("hex", hex(pattern(offset, Math.min(size, offset + length))));
      }
      return m;
    }

    private static Map<String, Object> resumeError(String error) {
      return obj("operation", "resume", "error", error);
    }

    /** {@code check} with other reader keys or other expected context values. */
    private static Map<String, Object> with(Map<String, Object> check, String name, Object value) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("operation", check.remove("operation"));
      m.put(name, value);
      m.putAll(check);
      return m;
    }

    private static List<String> keys(String... names) {
      return Arrays.asList(names);
    }

    @SafeVarargs
    private static List<Map<String, Object>> muts(Map<String, Object>... m) {
      return Arrays.asList(m);
    }

    // -- the cases -------------------------------------------------------------------------------

    private void cases() throws Exception {
      // First, because a fresh local-plaintext keyset is rotated right after it: this entry is
      // wrapped by the version that is no longer primary.
      String oldId = "v2-local-plaintext-old-version";
      Rec old = simple(oldId, false, 100, LOCAL_PLAINTEXT);
      if (rotatePlain) {
        plain.rotate();
      }
      if (old.header.wrappedKeys().get(0).kekVersion().equals(Long.toString(plain.primary().id()))) {
        throw new AssertionError(
            "the old-version case is wrapped by the primary version: its pinned wrap was lost;"
                + " regenerate with -Dox.vectors.fresh=true");
      }
      addCase(
          oldId,
          "wrapped by the local keyset's older version (kek_version names it; the primary is"
              + " another): a reader picks the version by the key id in the Tink prefix",
          old,
          keys(LOCAL_PLAINTEXT),
          decryptOk(100));

      sizes(2);
      sizes(1);
      multiChunk();
      otherKeks();
      detached();
      unstored();
      canonicalOrder();
      twoKeks();
      shared();
      headerNegatives();
      bodyNegatives();
      entryNegatives();
      flushed();
    }

    private void sizes(int version) throws Exception {
      for (long n : new long[] {0, 1, CHUNK, CHUNK + 1}) {
        String id = "v" + version + "-local-plaintext-" + n;
        Rec r = simple(id, version == 1, n, LOCAL_PLAINTEXT);
        List<Object> checks = new ArrayList<>();
        checks.add(decryptOk(n));
        checks.add(complete(n));
        if (n == 0) {
          checks.add(range(0, 1, n));
        } else if (n == 1) {
          checks.add(range(0, 1, n));
          checks.add(range(1, 1, n));
          checks.add(
              version == 1
                  ? resumeError("UnsupportedFormatException")
                  : resumeError("RecordingCompleteException"));
          checks.add(with(decryptError("NoUsableKeyException"), "readerKeys", keys(LOCAL_PASSPHRASE)));
          checks.add(
              with(
                  decryptError("ContextMismatchException"),
                  "expect",
                  obj("app", "another-app")));
        } else if (n == CHUNK) {
          checks.add(range(CHUNK - 4, 8, n));
          checks.add(range(CHUNK, 1, n));
        } else {
          checks.add(range(CHUNK - 1, 2, n));
          checks.add(range(CHUNK, 5, n));
          checks.add(range(CHUNK + 1, 1, n));
        }
        String what =
            n == 0
                ? "an empty plaintext: one empty final chunk (16 bytes)"
                : n == 1
                    ? "a one-byte plaintext"
                    : n == CHUNK
                        ? "16384 bytes: one full chunk and an empty final chunk"
                        : "16385 bytes: one full chunk and a one-byte final chunk";
        addCase(
            id,
            "format version " + version + ", attached header, local plaintext keyset; " + what,
            r,
            keys(LOCAL_PLAINTEXT),
            checks.toArray());
      }
    }

    private void multiChunk() throws Exception {
      String id = "v2-local-plaintext-multi-chunk";
      long n = MULTI_CHUNK;
      Rec r = simple(id, false, n, LOCAL_PLAINTEXT);
      addCase(
          id,
          "three chunks (two full, 100 bytes in the final one), with range reads across chunk"
              + " boundaries, an empty read and reads at and past the end",
          r,
          keys(LOCAL_PLAINTEXT),
          decryptOk(n),
          complete(n),
          range(0, 16, n),
          range(5000, 0, n),
          range(CHUNK - 8, 16, n),
          range(2 * CHUNK - 8, 16, n),
          range(n - 8, 100, n),
          range(n, 1, n),
          range(n + 1000, 1, n));
    }

    private void otherKeks() throws Exception {
      for (int version : new int[] {2, 1}) {
        String[][] kinds = {
          {LOCAL_PASSPHRASE, "local keyset protected by a passphrase (Argon2id)"},
          {LOCAL_KEK, "local keyset protected by another local keyset (local-plaintext) as its KEK"},
          {HPKE, "HPKE recipient as the recording's KEK (a data-key entry)"},
        };
        for (String[] k : kinds) {
          String id = "v" + version + "-" + k[0];
          Rec r = simple(id, version == 1, 200, k[0]);
          addCase(
              id,
              "format version " + version + ", wrapped by the " + k[1],
              r,
              keys(k[0]),
              decryptOk(200),
              range(10, 20, 200));
        }
      }
    }

    private void detached() throws Exception {
      for (int version : new int[] {2, 1}) {
        String id = "v" + version + "-detached";
        Rec r = encrypt(recordings(id, version == 1, LOCAL_PLAINTEXT), ctx(id), 1000, true);
        addCase(
            id,
            "format version "
                + version
                + ", detached header: recordingHex is the body alone, detachedHeaderHex the header",
            r,
            keys(LOCAL_PLAINTEXT),
            decryptOk(1000),
            range(990, 20, 1000),
            complete(1000));
      }
      Rec other = recs.get("v2-local-plaintext-1");
      Rec body = recs.get("v2-detached");
      Map<String, Object> c =
          obj(
              "id", "v2-detached-header-of-another-recording",
              "description",
                  "v2-detached's body given with v2-local-plaintext-1's header: the data key"
                      + " unwraps, the commitment fails",
              "formatVersion", 2L,
              "readerKeys", keys(LOCAL_PLAINTEXT),
              "context", byId.get("v2-local-plaintext-1").get("context"),
              "expect", obj(),
              "checks", new ArrayList<>(Arrays.asList(decryptError("AuthenticationException"))),
              "detachedHeaderHex", hex(other.headerBytes),
              "recordingHex", hex(body.body));
      add((String) c.get("id"), c);
    }

    private void unstored() throws Exception {
      String id = "v2-unstored-context";
      EncryptionContext full =
          EncryptionContext.builder()
              .put("app", "ox-vectors")
              .put("data-class", "voice")
              .put("recording-id", id)
              .putUnstored("user-id", "u-7")
              .putUnstored("tenant", "t-1")
              .build();
      Rec r = encrypt(recordings(id, false, LOCAL_PLAINTEXT), full, 300, false);
      addCase(
          id,
          "two unstored context entries (their names are in the header, their values only in the"
              + " reader's expect): bound into AB and into the wrap's associated data",
          r,
          keys(LOCAL_PLAINTEXT),
          decryptOk(300),
          range(290, 20, 300),
          with(decryptError("ContextMismatchException"), "expect", obj("user-id", "u-7")),
          with(decryptError("ContextMismatchException"), "expect", obj()),
          with(
              decryptError("ContextMismatchException"),
              "expect",
              obj("tenant", "t-1", "user-id", "u-8")),
          with(recoverError("ContextMismatchException"), "expect", obj("tenant", "t-1")));
    }

    private void canonicalOrder() throws Exception {
      String id = "v2-context-canonical-order";
      EncryptionContext full =
          EncryptionContext.builder()
              .put("a", "")
              .put("Z", "upper case sorts first")
              .put("\u00e9", "e acute (c3 a9)")
              .put("\uff5e", "fullwidth tilde (ef bd 9e)")
              .put("\ud83c\udfb5", "musical note (f0 9f 8e b5): after ef in UTF-8, before ff5e in UTF-16")
              .putUnstored("\u00fc", "u umlaut, unstored")
              .build();
      Rec r = encrypt(recordings(id, false, LOCAL_PLAINTEXT), full, 50, false);
      addCase(
          id,
          "context keys ordered by their UTF-8 bytes (not UTF-16 code units), an empty value, and a"
              + " non-ASCII unstored name",
          r,
          keys(LOCAL_PLAINTEXT),
          decryptOk(50),
          with(
              decryptError("ContextMismatchException"),
              "expect",
              obj("\u00fc", "u umlaut, unstored", "a", "not empty")));
    }

    private void twoKeks() throws Exception {
      String id = "v2-two-keks";
      Rec r = simple(id, false, 100, LOCAL_PLAINTEXT, HPKE);
      addCase(
          id,
          "one data key wrapped by two KEKs (local-plaintext, then the HPKE recipient): either"
              + " reader opens it, skipping the entry that is not its own",
          r,
          keys(HPKE),
          decryptOk(100),
          with(decryptOk(100), "readerKeys", keys(LOCAL_PLAINTEXT)),
          with(decryptError("NoUsableKeyException"), "readerKeys", keys(LOCAL_PASSPHRASE)));
    }

    private void shared() throws Exception {
      // Version 2: share adds a recording-key entry, bound to the header id.
      String id = "v2-shared-recording-key";
      EncryptionContext full = ctxBuilder(id).putUnstored("user-id", "u-7").build();
      Recordings r = recordings(id, false, LOCAL_PLAINTEXT);
      Rec owner = encrypt(r, full, 500, false);
      ReadOptions opts = ReadOptions.builder().expect("user-id", "u-7").build();
      RecordingHeader sharedHeader =
          r.share(owner.header, Arrays.copyOf(owner.body, PREFIX), keks.get(HPKE), opts);
      addCase(
          id,
          "a v2 recording shared with the HPKE recipient: a RECORDING_KEY entry wrapping RK, whose"
              + " associated data is the full context plus oxcrypt:recording-id = hex(header id);"
              + " the recipient opens it with its private key alone",
          owner.withHeader(sharedHeader),
          keys(HPKE),
          decryptOk(500),
          range(100, 10, 500),
          complete(500));

      String v1 = "v1-shared-data-key";
      Recordings r1 = recordings(v1, true, LOCAL_PLAINTEXT);
      Rec owner1 = encrypt(r1, ctx(v1), 500, false);
      RecordingHeader shared1 =
          r1.share(
              owner1.header, Arrays.copyOf(owner1.body, PREFIX), keks.get(HPKE), ReadOptions.defaults());
      addCase(
          v1,
          "a v1 recording shared with the HPKE recipient: version 1 can only hand over the data key"
              + " (a DATA_KEY entry)",
          owner1.withHeader(shared1),
          keys(HPKE),
          decryptOk(500));

      // Two recordings from one cached data key; A is shared. A's recipient entry pasted into B's
      // header must not open B.
      Recordings cached =
          Recordings.builder()
              .secureRandom(new SeededRandom(SEED_PREFIX + "v2-cached-pair"))
              .auditSink(AuditSink.none())
              .wrapWith(keks.get(LOCAL_PLAINTEXT))
              .dekCache(
                  DekCache.builder()
                      .maxAgeMillis(60_000)
                      .maxRecordings(10)
                      .maxBytes(1 << 20)
                      .nanoClock(() -> 0L)
                      .build())
              .build();
      seeds.put(cached, SEED_PREFIX + "v2-cached-pair");
      EncryptionContext pair =
          EncryptionContext.builder().put("app", "ox-vectors").put("session", "cached-pair").build();
      Rec a = encrypt(cached, pair, 64, false);
      Rec b = encrypt(cached, pair, 64, false);
      RecordingHeader aShared =
          cached.share(a.header, Arrays.copyOf(a.body, PREFIX), keks.get(HPKE), ReadOptions.defaults());
      addCase(
          "v2-cached-pair-a-shared",
          "recording A of two that one DekCache made with the same data key (and context); A is"
              + " shared with the HPKE recipient (one seeded random made A, then B)",
          a.withHeader(aShared),
          keys(HPKE),
          decryptOk(64));
      List<WrappedKey> bKeys = new ArrayList<>(b.header.wrappedKeys());
      bKeys.add(aShared.wrappedKeys().get(1));
      addCase(
          "v2-cached-pair-b-with-a-recipient-entry",
          "recording B (same data key as A) with A's RECORDING_KEY entry for the HPKE recipient"
              + " pasted into its header: the recipient cannot open B (the entry's associated data"
              + " names A's header id; and A's RK would fail B's commitment); the owner still can",
          b.withHeader(b.header.withWrappedKeys(bKeys)),
          keys(HPKE),
          decryptError("NoUsableKeyException"),
          with(decryptOk(64), "readerKeys", keys(LOCAL_PLAINTEXT)));
    }

    private static EncryptionContext.Builder ctxBuilder(String id) {
      return EncryptionContext.builder().put("app", "ox-vectors").put("recording-id", id);
    }

    private void headerNegatives() throws Exception {
      String base = "v2-local-plaintext-1";
      Rec r = recs.get(base);
      Layout l = new Layout(r.headerBytes);
      long file = r.attached().length;
      derive("v2-bad-magic", "magic OXRZ: not a recording", base,
          muts(overwrite(0, hex(ascii("OXRZ")))), decryptError("FormatException"));
      derive("v2-version-3", "format version 3", base,
          muts(overwrite(4, "03")), decryptError("UnsupportedFormatException"));
      derive("v2-version-0", "format version 0", base,
          muts(overwrite(4, "00")), decryptError("UnsupportedFormatException"));
      derive("v2-suite-2", "algorithm suite 0x0002", base,
          muts(overwrite(9, "0002")), decryptError("UnsupportedFormatException"));
      derive("v2-header-too-large",
          "header_length 65537, over the default reader limit of 65536: refused before reading"
              + " or allocating it",
          base, muts(overwrite(5, u32(65537))), decryptError("FormatException"));
      derive("v2-header-length-below-minimum", "header_length 42, below the v2 minimum of 43",
          base, muts(overwrite(5, u32(42))), decryptError("FormatException"));
      derive("v2-header-length-past-end", "header_length one byte longer than the whole input",
          base, muts(overwrite(5, u32(file + 1))), decryptError("TruncationException"));
      derive("v2-header-length-plus-one",
          "header_length one more than the fields: a byte remains after the last wrapped key",
          base, muts(overwrite(5, u32(l.length + 1))), decryptError("FormatException"));
      derive("v2-wrapped-key-scope-3", "a wrapped key's scope byte is 3 (only 1 and 2 exist)",
          base, muts(overwrite(l.scopeOffset, "03")), decryptError("FormatException"));
      // The two stored entries, app and recording-id, in the other order.
      byte[] canonical = r.header.context().canonicalBytes();
      int first = 2 + 2 + 3 + 2 + "ox-vectors".length();
      byte[] swapped =
          concat(
              Arrays.copyOf(canonical, 2),
              Arrays.copyOfRange(canonical, first, canonical.length),
              Arrays.copyOfRange(canonical, 2, first));
      derive("v2-context-not-canonical", "the stored context's entries out of order",
          base, muts(overwrite(27, hex(swapped))), decryptError("FormatException"));
      derive("v2-tampered-header-id",
          "one header-id bit flipped: the data key still unwraps (its associated data is the"
              + " context), but RK and AB change, so the commitment fails",
          base, muts(xor(11, "01")), decryptError("AuthenticationException"));
      derive("v2-tampered-context-value",
          "one bit of a stored context value flipped: the wrap's associated data changes",
          base, muts(xor(l.firstValueOffset, "01")), decryptError("NoUsableKeyException"));
      derive("v2-tampered-wrapped-key", "the last byte of the wrapped key (its GCM tag) flipped",
          base, muts(xor(l.wrappedOffset + l.wrappedLength - 1, "01")),
          decryptError("NoUsableKeyException"));
      byte[] h = r.headerBytes;
      int verLen = h[l.versionOffset] & 0xff;
      int lastDigit = l.versionOffset + verLen;
      byte other = (byte) ('0' + ((h[lastDigit] - '0' + 1) % 10));
      derive("v2-kek-version-mislabelled",
          "kek_version changed (last digit + 1) so it disagrees with the key id in the Tink prefix:"
              + " the local KEK refuses it",
          base, muts(overwrite(lastDigit, hex(new byte[] {other}))),
          decryptError("NoUsableKeyException"));
      // Rebuilt headers: the length changes.
      byte[] noKeys = concat(Arrays.copyOf(h, l.keyCountOffset), new byte[] {0, 0});
      System.arraycopy(Vectors.hex(u32(noKeys.length)), 0, noKeys, 5, 4);
      raw("v2-no-wrapped-keys", "key_count 0 (header_length adjusted)", base,
          concat(noKeys, r.body), decryptError("FormatException"));
      int namesAt = 27 + l.contextLength;
      byte[] sameName =
          concat(
              Arrays.copyOf(h, namesAt),
              unstoredNames(Arrays.asList("app")),
              Arrays.copyOfRange(h, namesAt + 2, h.length));
      System.arraycopy(Vectors.hex(u32(sameName.length)), 0, sameName, 5, 4);
      raw("v2-name-stored-and-unstored",
          "the unstored names list holds 'app', which is also a stored entry (header_length"
              + " adjusted)",
          base, concat(sameName, r.body), decryptError("FormatException"));
    }

    /** A case whose whole input is given (a rebuilt header), derived from {@code from}. */
    private void raw(String id, String description, String from, byte[] input, Object... checks) {
      Map<String, Object> base = byId.get(from);
      Map<String, Object> c =
          obj(
              "id", id,
              "description", description,
              "formatVersion", base.get("formatVersion"),
              "readerKeys", base.get("readerKeys"),
              "context", base.get("context"),
              "expect", base.get("expect"),
              "checks", new ArrayList<>(Arrays.asList(checks)),
              "derivedFrom", from,
              "recordingHex", hex(input));
      add(id, c);
    }

    private void bodyNegatives() throws Exception {
      String base = "v2-local-plaintext-1";
      Rec r = recs.get(base);
      long hl = r.headerBytes.length;
      derive("v2-tampered-salt", "one salt bit flipped: another commitment", base,
          muts(xor(hl, "01")), decryptError("AuthenticationException"));
      derive("v2-tampered-commitment", "one commitment bit flipped", base,
          muts(xor(hl + 24, "01")), decryptError("AuthenticationException"),
          recoverError("AuthenticationException"));
      derive("v2-tampered-final-chunk",
          "one bit of the only (final) chunk flipped. Recover drops a final chunk that fails (it"
              + " cannot tell it from a torn last write) and reports the recording truncated",
          base, muts(xor(hl + PREFIX, "01")), decryptError("AuthenticationException"),
          recoverOk(0, 0, true, 0));
      derive("v2-trailing-byte", "one byte appended: the final chunk no longer authenticates",
          base, muts(append("00")), decryptError("AuthenticationException"));
      derive("v2-truncated-inside-short-final",
          "cut to 10 bytes of the final chunk, fewer than a tag: truncation", base,
          muts(truncate(hl + PREFIX + 10)), decryptError("TruncationException"),
          recoverOk(0, 0, true, 0));
      derive("v2-truncated-in-body-prefix", "cut inside the salt and commitment", base,
          muts(truncate(hl + 30)), decryptError("TruncationException"),
          recoverError("TruncationException"));
      derive("v2-truncated-in-header", "cut inside the header", base, muts(truncate(20)),
          decryptError("TruncationException"), recoverError("TruncationException"));
      Rec empty = recs.get("v2-local-plaintext-0");
      derive("v2-truncated-without-any-chunk",
          "an empty recording without its empty final chunk: the body is only salt and"
              + " commitment",
          "v2-local-plaintext-0", muts(truncate(empty.headerBytes.length + PREFIX)),
          decryptError("TruncationException"), recoverOk(0, 0, true, 0));
      Rec two = recs.get("v2-local-plaintext-16385");
      long twoLen = two.attached().length;
      derive("v2-truncated-at-chunk-boundary",
          "16385 bytes without the final chunk: it ends right after a full chunk", "v2-local-plaintext-16385",
          muts(truncate(twoLen - 17)), decryptError("TruncationException"),
          recoverOk(CHUNK, 1, true, 0));
      derive("v2-damaged-middle",
          "a bit of chunk 0 flipped while chunk 1 is intact: damage, not a cut, so recover fails"
              + " too", "v2-local-plaintext-16385",
          muts(xor(two.headerBytes.length + PREFIX + 100, "80")),
          decryptError("AuthenticationException"), recoverError("AuthenticationException"));
      Rec multi = recs.get("v2-local-plaintext-multi-chunk");
      long mh = multi.headerBytes.length;
      derive("v2-chunks-swapped", "chunks 0 and 1 swapped", "v2-local-plaintext-multi-chunk",
          muts(swap(mh + PREFIX, mh + PREFIX + SEALED, SEALED)),
          decryptError("AuthenticationException"));
      derive("v2-truncated-inside-full-chunk",
          "cut 8000 bytes into chunk 1 (of 3): a cut inside a chunk, at 16 bytes or more, reads as"
              + " a final chunk that fails, like corruption; recover keeps chunk 0",
          "v2-local-plaintext-multi-chunk", muts(truncate(mh + PREFIX + SEALED + 8000)),
          decryptError("AuthenticationException"), recoverOk(CHUNK, 1, true, 0));

      String v1 = "v1-local-plaintext-1";
      Rec r1 = recs.get(v1);
      Layout l1 = new Layout(r1.headerBytes);
      derive("v1-tampered-header-id", "one header-id bit flipped: AB changes, the commitment fails",
          v1, muts(xor(11, "01")), decryptError("AuthenticationException"));
      derive("v1-tampered-final-chunk", "one bit of the final chunk flipped", v1,
          muts(xor(r1.headerBytes.length + PREFIX, "01")), decryptError("AuthenticationException"));
      derive("v1-tampered-wrapped-key", "the last byte of the wrapped key flipped", v1,
          muts(xor(l1.wrappedOffset + l1.wrappedLength - 1, "01")),
          decryptError("NoUsableKeyException"));
      derive("v1-version-3", "format version 3", v1, muts(overwrite(4, "03")),
          decryptError("UnsupportedFormatException"));
      Rec two1 = recs.get("v1-local-plaintext-16385");
      derive("v1-truncated-inside-final-chunk",
          "16385 bytes with the last byte cut: the 17-byte final chunk becomes 16 bytes, which"
              + " reads as an empty final chunk and fails (a cut and corruption look alike; fewer"
              + " than 16 bytes would be a TruncationException); recover keeps the full chunk",
          "v1-local-plaintext-16385", muts(truncate(two1.attached().length - 1)),
          decryptError("AuthenticationException"), recoverOk(CHUNK, 1, true, 0));
    }

    private void entryNegatives() throws Exception {
      // Two recordings under one context: D's data-key entry in E's header.
      EncryptionContext pair =
          EncryptionContext.builder().put("app", "ox-vectors").put("session", "pair-d-e").build();
      Rec d = encrypt(recordings("v2-pair-d", false, LOCAL_PLAINTEXT), pair, 32, false);
      Rec e = encrypt(recordings("v2-pair-e", false, LOCAL_PLAINTEXT), pair, 32, false);
      addCase("v2-pair-d", "recording D; D and E share a context but not a data key", d,
          keys(LOCAL_PLAINTEXT), decryptOk(32));
      addCase("v2-pair-e", "recording E (see v2-pair-d)", e, keys(LOCAL_PLAINTEXT), decryptOk(32));
      addCase(
          "v2-data-key-entry-from-another-recording",
          "E's body under E's header whose data-key entry is D's: it unwraps (same context), but"
              + " to D's data key, which fails E's commitment",
          e.withHeader(e.header.withWrappedKeys(d.header.wrappedKeys())),
          keys(LOCAL_PLAINTEXT),
          decryptError("AuthenticationException"));
      // A 16-byte key wrapped properly for E's context.
      byte[] shortKey = seededBytes(SEED_PREFIX + "v2-unwrapped-key-not-32-bytes", 16);
      WrappedKey w = keks.get(LOCAL_PLAINTEXT).wrap(shortKey, pair);
      addCase(
          "v2-unwrapped-key-not-32-bytes",
          "E's header whose only entry wraps a 16-byte key (for E's context): an unwrapped data key"
              + " that is not 32 bytes is refused",
          e.withHeader(e.header.withWrappedKeys(Arrays.asList(w))),
          keys(LOCAL_PLAINTEXT),
          decryptError("AuthenticationException"));
    }

    // -- flush and resume ------------------------------------------------------------------------

    private void flushed() throws Exception {
      // A: flushes inside chunk 0; the writer dies with 20 bytes unflushed.
      String a = "v2-flushed-in-first-chunk";
      Recordings ra = recordings(a, false, LOCAL_PLAINTEXT);
      File fa = new File(work, a + ".oxr");
      FlushScript sa = new FlushScript(ra.newFileWriter(fa, ctx(a)));
      sa.write(500).flush().write(300).flush().write(20);
      sa.w.abort();
      Map<String, Object> ca =
          flushCase(
              a,
              "an unterminated v2 file (Recordings.newFileWriter): 500 bytes, flush, 300 bytes,"
                  + " flush, 20 bytes, then the writer died (no close). Slot 0 is a hole of zeros;"
                  + " the two flush records of chunk 0 follow it at body offset 56 + 16400",
              fa,
              sa,
              decryptError("TruncationException"),
              recoverOk(800, 0, true, 800));
      addResume(ca, fa, a, sa.flushedTotal(), 16000);
      long lenA = fa.length();
      derive("v2-flushed-torn-record",
          "v2-flushed-in-first-chunk with its last 5 bytes cut (a torn second record): recover"
              + " stops at the first record that does not authenticate",
          a, muts(truncate(lenA - 5)), decryptError("TruncationException"),
          recoverOk(500, 0, true, 500));

      // B: chunk 0 fills after a flush, so a stale record of chunk 0 stays in slot 1.
      String b = "v2-flushed-after-full-chunk";
      Recordings rb = recordings(b, false, LOCAL_PLAINTEXT);
      File fb = new File(work, b + ".oxr");
      FlushScript sb = new FlushScript(rb.newFileWriter(fb, ctx(b)));
      sb.write(10000).flush().write(7000).flush().write(100).flush();
      sb.w.abort();
      Map<String, Object> cb =
          flushCase(
              b,
              "an unterminated v2 file: 10000 bytes, flush (a record of chunk 0 behind slot 0), 7000"
                  + " bytes (chunk 0 fills and is sealed into slot 0; the stale record stays in slot"
                  + " 1), flush, 100 bytes, flush, then the writer died. Chunk 1's records start at"
                  + " body offset 56 + 2 x 16400",
              fb,
              sb,
              decryptError("TruncationException"),
              recoverOk(17100, 1, true, 716));
      addResume(cb, fb, b, sb.flushedTotal(), 100);

      // C: the same writes, closed: an exact Cobblestone-256 body, no flush records left.
      String c = "v2-file-writer-closed";
      Recordings rc = recordings(c, false, LOCAL_PLAINTEXT);
      File fc = new File(work, c + ".oxr");
      FlushScript sc = new FlushScript(rc.newFileWriter(fc, ctx(c)));
      sc.write(10000).flush().write(7000).flush();
      sc.w.close();
      byte[] closed = Files.readAllBytes(fc.toPath());
      Rec same = simple(c, false, 17000, LOCAL_PLAINTEXT); // same seed, a stream writer
      if (!Arrays.equals(closed, same.attached())) {
        throw new AssertionError("a closed file writer's recording differs from a stream writer's");
      }
      addCase(
          c,
          "a file writer that flushed twice and was closed: the final chunk overwrote the stale"
              + " record and the file was cut after it, so it is byte for byte what a stream writer"
              + " makes (same seed); it cannot be resumed",
          same,
          keys(LOCAL_PLAINTEXT),
          decryptOk(17000),
          complete(17000),
          resumeError("RecordingCompleteException"));
    }

    private Map<String, Object> flushCase(
        String id, String description, File f, FlushScript s, Object... checks) throws Exception {
      byte[] bytes = Files.readAllBytes(f.toPath());
      RecordingHeader h = RecordingHeader.read(new java.io.ByteArrayInputStream(bytes), ReadOptions.defaults());
      int hl = h.toByteArray().length;
      Rec rec =
          new Rec(h, Arrays.copyOfRange(bytes, hl, bytes.length), false, ctx(id)).seeded(SEED_PREFIX + id);
      Map<String, Object> c = addCase(id, description, rec, keys(LOCAL_PLAINTEXT), checks);
      @SuppressWarnings("unchecked")
      Map<String, Object> inter = (Map<String, Object>) c.get("intermediates");
      // Check every record where the script says it is, and mark the stale ones.
      FlushRecords fr =
          FlushRecords.derive(
              Vectors.hex(inter.get("inputKeyHex")),
              Arrays.copyOf(rec.body, 24),
              authenticatedBytes(h, rec.full),
              null);
      for (Map<String, Object> r : s.records) {
        int at = (int) num(r.get("bodyOffset"));
        int len = (int) num(r.get("length"));
        long chunk = num(r.get("chunk"));
        int offset = (int) num(r.get("offsetInChunk"));
        byte[] out = new byte[len];
        if (fr.open(chunk, offset, rec.body, at, len + FlushRecords.OVERHEAD_BYTES, out, 0) != len
            || !Arrays.equals(out, pattern(chunk * CHUNK + offset, chunk * CHUNK + offset + len))) {
          throw new AssertionError("flush record not where FORMAT.md 2.2 puts it: " + r);
        }
        r.put("stale", chunk < s.chunk);
      }
      inter.put("writerSteps", s.steps);
      inter.put("flushRecords", s.records);
      return c;
    }

    /** A resume check on {@code c}: the resumer draws its salt from seed "resume/" + id. */
    private void addResume(Map<String, Object> c, File f, String id, long recovered, int append)
        throws Exception {
      String seed = "resume/" + id;
      Recordings r = recordings(seed, false, LOCAL_PLAINTEXT);
      File copy = new File(work, id + ".resumed.oxr");
      Files.copy(f.toPath(), copy.toPath());
      RecordingWriter w = r.resume(copy, ReadOptions.defaults());
      byte[] after = Files.readAllBytes(copy.toPath());
      w.write(pattern(recovered, recovered + append));
      w.close();
      byte[] result = Files.readAllBytes(copy.toPath());
      RecordingHeader h = RecordingHeader.read(new java.io.ByteArrayInputStream(result), ReadOptions.defaults());
      int hl = h.toByteArray().length;
      @SuppressWarnings("unchecked")
      Map<String, Object> inter = (Map<String, Object>) c.get("intermediates");
      byte[] ik = Vectors.hex(inter.get("inputKeyHex"));
      Map<String, Object> check =
          obj(
              "operation", "resume",
              "resumeSeed", SEED_PREFIX + seed,
              "resumeSaltHex", hex(seededBytes(SEED_PREFIX + seed, 24)),
              "recoveredLength", recovered,
              "appendLength", (long) append,
              "afterResume",
                  obj(
                      "description",
                          "the file when resume returns: header, new salt and commitment, the full"
                              + " chunks sealed again, a hole, one flush record (seq 0) of the partial"
                              + " chunk behind its slot",
                      "length", (long) after.length,
                      "sha256", hex(sha256(after))),
              "plaintext", plaintext(recovered + append),
              "result",
                  obj(
                      "description",
                          "the file once closed: the same header, a body under the new salt (an exact"
                              + " Cobblestone-256 body of the plaintext below)",
                      "length", (long) result.length,
                      "sha256", hex(sha256(result))),
              "resultIntermediates",
                  java.util.Objects.requireNonNull(
                      bodyKeys(
                          2, ik, authenticatedBytes(h, ctx(id)), Arrays.copyOfRange(result, hl, result.length))));
      @SuppressWarnings("unchecked")
      List<Object> checks = (List<Object>) c.get("checks");
      checks.add(check);
    }
  }
}
