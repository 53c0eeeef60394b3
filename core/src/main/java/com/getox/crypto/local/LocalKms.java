package com.getox.crypto.local;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.getox.crypto.AuthenticationException;
import com.getox.crypto.EncryptionContext;
import com.getox.crypto.FormatException;
import com.getox.crypto.KmsException;
import com.getox.crypto.OxCryptoException;
import com.getox.crypto.UnsupportedFormatException;
import com.getox.crypto.audit.AuditEvent;
import com.getox.crypto.audit.AuditEvent.Operation;
import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.internal.AtomicFile;
import com.getox.crypto.internal.FileLocks;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.NotMyKeyException;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.local.JsonReader.Token;
import com.google.crypto.tink.subtle.Hex;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;
import javax.crypto.spec.SecretKeySpec;

/**
 * The embedded local KMS: one KEK, with versions, held in a keyset file (Tink's JSON keyset
 * format inside a small Ox wrapper, see docs/FORMAT.md). The default KEK, so everything runs
 * without a cloud account. Its URI is {@code local://NAME}.
 *
 * <pre>{@code
 * LocalKms kms = LocalKms.create(new File("keys.json"),
 *     KeysetProtection.passphrase(passphrase), "team-keys");
 * Recordings recordings = Recordings.builder().wrapWith(kms).build();
 * kms.rotate();                      // new recordings use the new version; old ones still open
 * }</pre>
 *
 * <p>Each version is a Tink AES-256-GCM key; wrapping is Tink's AEAD with the encryption context's
 * canonical bytes as associated data. Opening and wrapping do not load Tink (it costs a cold JVM
 * more than the rest of a first recording, see {@link AesGcmKeyset}); creating and changing a
 * keyset do. Rotating adds a new primary; disabling makes a version
 * refuse to unwrap; destroying deletes its key material for good.
 *
 * <p>Several instances and processes may share one keyset file. Every change takes the lock of
 * the file's directory ({@link FileLocks#lockDirectoryOf}), re-reads the file under it, applies
 * the change to what the file holds then, and replaces the file atomically ({@link AtomicFile}:
 * an owner-only temporary file, synced, renamed) before releasing the lock; so concurrent
 * changes never lose a version, and a destroyed version never comes back. The file is always
 * written 0600, whatever its protection. An instance notices another process's changes when it
 * changes the file, when it meets a version it does not know, and, before every wrap and unwrap,
 * when the file's size or modification time changed. Thread-safe.
 */
public final class LocalKms implements Kek {
  public static final String SCHEME = "local";
  /** The wrapping algorithm recorded in {@link WrappedKey#algorithm()}. */
  public static final String ALGORITHM = "tink-aes256-gcm";

  static final String FORMAT = "ox-local-keyset/1";
  private static final int MAX_FILE_BYTES = 1 << 20;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final File file;
  private final String name;
  private final String uri; // built once: a concatenation costs a cold JVM its bootstrap
  private final KeysetProtection protection;
  private volatile State state;
  private volatile AuditSink audit = AuditSink.slf4j();

  /** Test hook: called at named steps of a change (a child JVM blocks there to be killed). */
  static volatile StepHook testHook;

  interface StepHook {
    void at(String step);
  }

  /**
   * A keyset and the ids of its destroyed versions, swapped together, with what identifies the
   * file they were read from or written as: its SHA-256 (not secret: a plaintext keyset's bytes
   * are never kept), and its size and modification time, to notice cheaply that it changed.
   */
  private static final class State {
    final AesGcmKeyset keyset;
    final TreeSet<Long> destroyed;
    final byte[] fileDigest;
    final long fileBytes;
    final long fileModified;

    State(AesGcmKeyset keyset, TreeSet<Long> destroyed, byte[] fileDigest, long fileBytes, long fileModified) {
      this.keyset = keyset;
      this.destroyed = destroyed;
      this.fileDigest = fileDigest;
      this.fileBytes = fileBytes;
      this.fileModified = fileModified;
    }

    /** The next state, not yet written. */
    State(AesGcmKeyset keyset, TreeSet<Long> destroyed) {
      this(keyset, destroyed, null, -1, 0);
    }
  }

  private LocalKms(File file, String name, KeysetProtection protection, State state) {
    this.file = file;
    this.name = name;
    this.uri = new StringBuilder(SCHEME).append("://").append(name).toString();
    this.protection = protection;
    this.state = state;
  }

  /**
   * Creates a keyset file (0600) holding one new KEK version. Fails, changing nothing, if {@code
   * file} exists: of two processes creating one file, exactly one succeeds.
   *
   * @param name the KEK's name, {@code [A-Za-z0-9._-]{1,64}}; its URI is {@code local://name}
   */
  public static LocalKms create(File file, KeysetProtection protection, String name)
      throws IOException, GeneralSecurityException {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("KEK name must match [A-Za-z0-9._-]{1,64}: " + name);
    }
    if (file.exists()) {
      throw new IOException("keyset file already exists: " + file);
    }
    State next = new State(TinkKeysets.create(), new TreeSet<Long>());
    LocalKms kms = new LocalKms(file, name, protection, next);
    kms.state = kms.save(next, true); // AtomicFile.createNew: of two racing creators, one wins
    return kms;
  }

  /**
   * Opens an existing keyset file. {@code protection} must match how the file is protected: a
   * plaintext file opens only with {@link KeysetProtection#insecurePlaintext()}.
   */
  public static LocalKms open(File file, KeysetProtection protection)
      throws IOException, GeneralSecurityException {
    long modified = file.lastModified();
    byte[] bytes = readKeysetFile(file);
    try {
      byte[] digest = sha256(bytes);
      KeysetFile parsed = KeysetFile.parse(bytes);
      try {
        AesGcmKeyset keyset = decode(file, protection, parsed);
        KeysetProtection effective = protection;
        if (parsed.protection == KeysetProtection.Kind.PASSPHRASE_ARGON2ID) {
          effective =
              KeysetProtection.passphrase(
                  protection.passphraseChars(), parsed.memoryKiB, parsed.iterations, parsed.parallelism);
        }
        State s = new State(keyset, parsed.destroyed, digest, bytes.length, modified);
        return new LocalKms(file, parsed.name, effective, s);
      } finally {
        parsed.wipe();
      }
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** Decrypts a parsed keyset file with {@code protection} (its kind must match the file's). */
  private static AesGcmKeyset decode(File file, KeysetProtection protection, KeysetFile parsed)
      throws GeneralSecurityException {
    if (parsed.protection != protection.kind()) {
      throw new OxCryptoException(
          "keyset file " + file + " is protected as " + parsed.protection
              + " but was opened as " + protection.kind());
    }
    AesGcmKeyset keyset;
    byte[] ad = associatedData(parsed.name, parsed.protection);
    switch (parsed.protection) {
      case INSECURE_PLAINTEXT:
        keyset = AesGcmKeyset.fromJson(parsed.keyset);
        break;
      case PASSPHRASE_ARGON2ID:
        {
          byte[] key =
              Argon2id.derive(
                  protection.passphraseChars(),
                  parsed.argonSalt,
                  parsed.memoryKiB,
                  parsed.iterations,
                  parsed.parallelism);
          try {
            keyset = decryptKeyset(parsed.keyset, key, ad, "wrong passphrase");
          } finally {
            Arrays.fill(key, (byte) 0);
          }
          break;
        }
      case KEK:
        {
          byte[] key =
              protection.kekOrNull().unwrap(parsed.wrappedKeysetKey, keysetContext(parsed.name));
          try {
            keyset = decryptKeyset(parsed.keyset, key, ad, "wrong KEK");
          } finally {
            Arrays.fill(key, (byte) 0);
          }
          break;
        }
      default:
        throw new AssertionError(parsed.protection);
    }
    return keyset;
  }

  /** Reads a whole keyset file, refusing one over {@code MAX_FILE_BYTES}. The caller wipes it. */
  private static byte[] readKeysetFile(File file) throws IOException, FormatException {
    long size = file.length();
    if (size > MAX_FILE_BYTES) {
      throw new FormatException("keyset file is " + size + " bytes, over " + MAX_FILE_BYTES);
    }
    try (InputStream in = new FileInputStream(file)) {
      return KeysetFile.readAtMost(in, MAX_FILE_BYTES);
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e); // every JVM and Android has SHA-256
    }
  }

  /**
   * The keyset as its file holds it now: this instance's state if the file is the one it last
   * read or wrote (same SHA-256), else the file decrypted again with this instance's protection
   * (a passphrase keyset derives its key again). Lock-free: a rename replaces the file whole.
   */
  private State reread() throws IOException, GeneralSecurityException {
    State s = state;
    long modified = file.lastModified();
    byte[] bytes = readKeysetFile(file);
    try {
      byte[] digest = sha256(bytes);
      if (MessageDigest.isEqual(digest, s.fileDigest)) {
        return s.fileModified == modified
            ? s
            : new State(s.keyset, s.destroyed, digest, bytes.length, modified);
      }
      KeysetFile parsed = KeysetFile.parse(bytes);
      try {
        if (!name.equals(parsed.name)) {
          throw new OxCryptoException(
              "keyset file " + file + " now holds another KEK (" + parsed.name + "), not " + name);
        }
        return new State(
            decode(file, protection, parsed), parsed.destroyed, digest, bytes.length, modified);
      } finally {
        parsed.wipe();
      }
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** Adopts what the file holds now (another instance or process may have changed it). */
  private synchronized State refresh() throws IOException, GeneralSecurityException {
    State s = reread();
    state = s;
    return s;
  }

  /** This instance's state, re-read first if the file's size or modification time changed. */
  private State fresh() throws GeneralSecurityException {
    State s = state;
    if (file.length() == s.fileBytes && file.lastModified() == s.fileModified) {
      return s;
    }
    try {
      return refresh();
    } catch (IOException e) {
      throw new KmsException("cannot re-read the keyset file " + file, true, e);
    }
  }

  /** How the keyset file {@code file} is protected, read without any key (to pick a prompt). */
  public static KeysetProtection.Kind protectionOf(File file) throws IOException, OxCryptoException {
    byte[] bytes = readKeysetFile(file);
    try {
      KeysetFile parsed = KeysetFile.parse(bytes);
      parsed.wipe();
      return parsed.protection;
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** Opens Tink's encrypted keyset: AES-GCM (no prefix) of the binary Keyset proto. */
  private static AesGcmKeyset decryptKeyset(
      AesGcmKeyset.Json json, byte[] key, byte[] ad, String hint) throws GeneralSecurityException {
    if (!json.isEncrypted() || json.keys != null) {
      throw new FormatException("keyset file is not valid: the keyset is not an encrypted keyset");
    }
    if (key.length != AesGcmKeyset.KEY_BYTES) {
      throw new AuthenticationException("cannot decrypt the keyset (" + hint + "?)");
    }
    byte[] proto;
    try {
      proto = AesGcmKeyset.decrypt(new SecretKeySpec(key, "AES"), json.encrypted, 0, ad);
    } catch (AEADBadTagException e) {
      throw new AuthenticationException("cannot decrypt the keyset (" + hint + "?)", e);
    }
    try {
      return AesGcmKeyset.fromProto(proto);
    } finally {
      Arrays.fill(proto, (byte) 0);
    }
  }

  @Override
  public String uri() {
    return uri;
  }

  public String name() {
    return name;
  }

  public File file() {
    return file;
  }

  /** How the keyset file is protected. */
  public KeysetProtection.Kind protection() {
    return protection.kind();
  }

  /** Every version, including destroyed ones, in keyset order (destroyed last). */
  public List<KeyVersion> versions() {
    State s = state;
    List<KeyVersion> out = new ArrayList<>();
    for (AesGcmKeyset.Version v : s.keyset.versions()) {
      KeyVersion.Status status = v.enabled ? KeyVersion.Status.ENABLED : KeyVersion.Status.DISABLED;
      out.add(new KeyVersion(v.id, status, v == s.keyset.primary()));
    }
    for (Long id : s.destroyed) {
      out.add(new KeyVersion(id, KeyVersion.Status.DESTROYED, false));
    }
    return Collections.unmodifiableList(out);
  }

  /** The primary version: the one that wraps new data keys. */
  public KeyVersion primary() {
    return new KeyVersion(state.keyset.primary().id, KeyVersion.Status.ENABLED, true);
  }

  /** Sends this KEK's lifecycle events (rotate, disable, enable, destroy) to {@code sink}. */
  public LocalKms auditTo(AuditSink sink) {
    this.audit = java.util.Objects.requireNonNull(sink, "sink");
    return this;
  }

  /**
   * Adds a new version and makes it the primary. Old versions keep unwrapping. Applied to the
   * keyset as the file holds it under the directory lock, so concurrent rotations (threads or
   * processes) each add their own version.
   */
  public synchronized KeyVersion rotate() throws IOException, GeneralSecurityException {
    long t = System.nanoTime();
    State next;
    try {
      next = change(current -> new State(TinkKeysets.rotate(current.keyset), current.destroyed));
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      audit.record(AuditEvent.of(Operation.ROTATE, uri(), null, null, null, e, t));
      throw e;
    }
    KeyVersion p = new KeyVersion(next.keyset.primary().id, KeyVersion.Status.ENABLED, true);
    audit.record(AuditEvent.of(Operation.ROTATE, uri(), Long.toString(p.id()), null, null, null, t));
    return p;
  }

  /** Makes version {@code id} refuse to unwrap. The primary cannot be disabled: rotate first. */
  public synchronized void disable(long id) throws IOException, GeneralSecurityException {
    setEnabled(id, false, Operation.DISABLE);
  }

  /** Lets a disabled version unwrap again. */
  public synchronized void enable(long id) throws IOException, GeneralSecurityException {
    setEnabled(id, true, Operation.ENABLE);
  }

  /**
   * Deletes version {@code id}'s key material from the file: every data key it wrapped, and so
   * every recording only it can open, becomes unrecoverable. The primary cannot be destroyed.
   *
   * <p>Under the directory lock it also deletes the stale copies of the keyset that killed
   * writers left beside it (temporary files: {@code .NAME.*.oxtmp}, and {@code .NAME.<digits>.tmp}
   * left by earlier releases), which may hold the version. Copies made any other way (backups,
   * snapshots, a copy on another disk) are out of its reach.
   *
   * @return how many stale copies of the keyset file were deleted (0 in the normal case)
   */
  public synchronized int destroy(long id) throws IOException, GeneralSecurityException {
    long t = System.nanoTime();
    final int[] removed = new int[1];
    try {
      change(
          current -> {
            if (versionOf(current, id) == current.keyset.primary()) {
              throw new OxCryptoException(
                  "version " + id + " is the primary: rotate before destroying it");
            }
            removed[0] = removeStaleCopies();
            step("stale-removed");
            TreeSet<Long> destroyed = new TreeSet<>(current.destroyed);
            destroyed.add(id);
            return new State(current.keyset.without(id), destroyed);
          });
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      audit.record(AuditEvent.of(Operation.DESTROY, uri(), Long.toString(id), null, null, e, t));
      throw e;
    }
    audit.record(AuditEvent.of(Operation.DESTROY, uri(), Long.toString(id), null, null, null, t));
    return removed[0];
  }

  private void setEnabled(long id, boolean enabled, Operation op)
      throws IOException, GeneralSecurityException {
    long t = System.nanoTime();
    try {
      change(
          current -> {
            if (versionOf(current, id) == current.keyset.primary() && !enabled) {
              throw new OxCryptoException(
                  "version " + id + " is the primary: rotate before disabling it");
            }
            return new State(current.keyset.withEnabled(id, enabled), current.destroyed);
          });
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      audit.record(AuditEvent.of(op, uri(), Long.toString(id), null, null, e, t));
      throw e;
    }
    audit.record(AuditEvent.of(op, uri(), Long.toString(id), null, null, null, t));
  }

  private AesGcmKeyset.Version versionOf(State s, long id) throws OxCryptoException {
    AesGcmKeyset.Version v = s.keyset.find(id);
    if (v != null) {
      return v;
    }
    throw new OxCryptoException(
        "no version " + id + " in " + uri() + (s.destroyed.contains(id) ? " (destroyed)" : ""));
  }

  /** A change to the keyset, applied to what the file holds under the lock. */
  private interface Change {
    State apply(State current) throws IOException, GeneralSecurityException;
  }

  /**
   * The one path of every change: lock the file's directory, re-read the file, apply {@code
   * change} to it, replace the file, then release the lock. Callers hold this instance's monitor.
   */
  private State change(Change change) throws IOException, GeneralSecurityException {
    try (FileLocks.Held lock = FileLocks.lockDirectoryOf(file.getCanonicalFile())) {
      step("locked");
      State current = reread();
      state = current;
      step("reread");
      State next = save(change.apply(current), false);
      state = next;
      step("committed");
      return next;
    }
  }

  /**
   * Deletes the keyset's stale temporary files; the caller holds the directory lock, so no live
   * writer's temporary file is among them.
   */
  private int removeStaleCopies() throws IOException {
    File real = file.getCanonicalFile();
    int n = AtomicFile.removeStaleTemps(real);
    File[] all = real.getParentFile().listFiles();
    String prefix = "." + real.getName() + ".";
    for (File f : all == null ? new File[0] : all) {
      String name = f.getName();
      // Earlier releases wrote File.createTempFile("." + name + ".", ".tmp"): digits in between.
      if (name.startsWith(prefix)
          && name.endsWith(".tmp")
          && name.length() > prefix.length() + 4
          && name.substring(prefix.length(), name.length() - 4).matches("[0-9]+")
          && f.isFile()) {
        if (!f.delete()) {
          throw new IOException("cannot delete the stale copy of the keyset " + f);
        }
        n++;
      }
    }
    return n;
  }

  private static void step(String name) {
    StepHook h = testHook;
    if (h != null) {
      h.at(name);
    }
  }

  /**
   * True if {@code wrapped} is this KEK's and was made by the current primary version (the
   * keyset file is re-read first if it changed, so a rotation by another process counts).
   */
  @Override
  public boolean isCurrent(WrappedKey wrapped) {
    if (!wrapped.kekUri().equals(uri())) {
      return false;
    }
    try {
      return wrapped.kekVersion().equals(Long.toString(fresh().keyset.primary().id));
    } catch (GeneralSecurityException e) {
      return false; // the wrap that follows reports it
    }
  }

  /**
   * Wraps under the primary version. If the keyset file's size or modification time changed
   * since this instance last read it, it is re-read first, so a version that another process
   * rotated away from (and perhaps destroyed) does not go on wrapping here.
   */
  @Override
  public WrappedKey wrap(byte[] dek, EncryptionContext context) throws GeneralSecurityException {
    AesGcmKeyset keyset = fresh().keyset;
    byte[] wrapped = keyset.encrypt(dek, context.canonicalBytes(), RANDOM);
    return WrappedKey.create(uri(), Long.toString(keyset.primary().id), ALGORITHM, wrapped);
  }

  @Override
  public byte[] unwrap(WrappedKey wrapped, EncryptionContext context)
      throws GeneralSecurityException {
    if (!wrapped.kekUri().equals(uri())) {
      throw new NotMyKeyException(wrapped, uri());
    }
    if (!ALGORITHM.equals(wrapped.algorithm())) {
      throw new UnsupportedFormatException(
          "wrapping algorithm " + wrapped.algorithm() + " is not " + ALGORITHM);
    }
    byte[] bytes = wrapped.wrappedBytes();
    // Tink's output prefix: 0x01 then the 4-byte key id that made the ciphertext.
    if (bytes.length < AesGcmKeyset.PREFIX_BYTES + AesGcmKeyset.IV_BYTES + AesGcmKeyset.TAG_BYTES
        || bytes[0] != 1) {
      throw new AuthenticationException("wrapped data key for " + uri() + " is malformed");
    }
    long id =
        ((bytes[1] & 0xffL) << 24) | ((bytes[2] & 0xff) << 16) | ((bytes[3] & 0xff) << 8) | (bytes[4] & 0xff);
    // The header's version field is not covered by the body's commitment: check it against the
    // key id that really made the ciphertext, so a tampered or mislabelled version fails closed.
    if (!Long.toString(id).equals(wrapped.kekVersion())) {
      throw new AuthenticationException(
          "wrapped data key says version '"
              + wrapped.kekVersion()
              + "' of "
              + uri()
              + " but was made by version "
              + id);
    }
    State s = fresh(); // a version destroyed or disabled by another process stops here too
    AesGcmKeyset.Version version = s.keyset.find(id);
    if (version == null && !s.destroyed.contains(id)) {
      // Perhaps another process rotated since this instance read the file: read it again.
      try {
        s = refresh();
      } catch (IOException e) {
        throw new KmsException("cannot re-read the keyset file " + file, true, e);
      }
      version = s.keyset.find(id);
    }
    if (version == null) {
      throw new KmsException(
          s.destroyed.contains(id)
              ? "version " + id + " of " + uri() + " was destroyed: this data key is unrecoverable"
              : "version " + id + " of " + uri() + " is not in the keyset",
          false);
    }
    if (!version.enabled) {
      throw new KmsException("version " + id + " of " + uri() + " is disabled", false);
    }
    try {
      return AesGcmKeyset.decrypt(version, bytes, context.canonicalBytes());
    } catch (AEADBadTagException e) {
      throw new AuthenticationException(
          "wrapped data key failed authentication under "
              + uri()
              + " version "
              + id
              + " (tampered, or another encryption context)");
    }
  }

  @Override
  public String toString() {
    return "LocalKms{" + uri() + ", " + protection.kind() + ", " + file + "}";
  }

  private static byte[] associatedData(String name, KeysetProtection.Kind kind) {
    String s = new StringBuilder(FORMAT).append('\n').append(name).append('\n').append(kind).toString();
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static EncryptionContext keysetContext(String name) {
    return EncryptionContext.builder().put("ox-keyset", FORMAT + "/" + name).build();
  }

  /**
   * Writes {@code s} to the file, 0600, through {@link AtomicFile} ({@code createNew}: only if
   * the file does not exist), and returns it with the written file's identity.
   */
  private State save(State s, boolean createNew) throws IOException, GeneralSecurityException {
    StringWriter text = new StringWriter();
    JsonFactory json = new JsonFactory(); // Jackson only to write; see JsonReader
    try (JsonGenerator g = json.createGenerator(text)) {
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeStringField("format", FORMAT);
      g.writeStringField("name", name);
      g.writeStringField("protection", protection.kind().name());
      if (protection.kind() == KeysetProtection.Kind.INSECURE_PLAINTEXT) {
        g.writeStringField(
            "warning", "INSECURE: these keys are in the clear; anyone who reads this file can decrypt");
      }
      g.writeArrayFieldStart("destroyed");
      for (Long id : s.destroyed) {
        g.writeNumber(id);
      }
      g.writeEndArray();
      byte[] ad = associatedData(name, protection.kind());
      String keysetJson;
      switch (protection.kind()) {
        case INSECURE_PLAINTEXT:
          keysetJson = TinkKeysets.json(s.keyset);
          break;
        case PASSPHRASE_ARGON2ID:
          {
            byte[] salt = new byte[16];
            RANDOM.nextBytes(salt);
            g.writeObjectFieldStart("argon2id");
            g.writeStringField("salt", Hex.encode(salt));
            g.writeNumberField("memoryKiB", protection.memoryKiB());
            g.writeNumberField("iterations", protection.iterations());
            g.writeNumberField("parallelism", protection.parallelism());
            g.writeEndObject();
            byte[] key =
                Argon2id.derive(
                    protection.passphraseChars(),
                    salt,
                    protection.memoryKiB(),
                    protection.iterations(),
                    protection.parallelism());
            try {
              keysetJson = TinkKeysets.encryptedJson(s.keyset, key, ad);
            } finally {
              Arrays.fill(key, (byte) 0);
            }
            break;
          }
        case KEK:
          {
            byte[] key = new byte[32];
            RANDOM.nextBytes(key);
            try {
              WrappedKey w = protection.kekOrNull().wrap(key, keysetContext(name));
              g.writeObjectFieldStart("kek");
              g.writeStringField("uri", w.kekUri());
              g.writeStringField("version", w.kekVersion());
              g.writeStringField("algorithm", w.algorithm());
              g.writeStringField("wrapped", Hex.encode(w.wrappedBytes()));
              g.writeEndObject();
              keysetJson = TinkKeysets.encryptedJson(s.keyset, key, ad);
            } finally {
              Arrays.fill(key, (byte) 0);
            }
            break;
          }
        default:
          throw new AssertionError(protection.kind());
      }
      g.writeFieldName("keyset");
      try (JsonParser p = json.createParser(keysetJson)) {
        p.nextToken();
        g.copyCurrentStructure(p);
      }
      g.writeEndObject();
    }
    final byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    // The lock (reentrant: change() holds it already) also covers reading the new file's time.
    try (FileLocks.Held lock = FileLocks.lockDirectoryOf(file.getCanonicalFile())) {
      if (createNew) {
        AtomicFile.createNew(file, AtomicFile.Mode.OWNER_ONLY, out -> out.write(bytes));
      } else {
        AtomicFile.replace(
            file, AtomicFile.Mode.OWNER_ONLY, out -> out.write(bytes), written -> step("written"));
      }
      return new State(s.keyset, s.destroyed, sha256(bytes), bytes.length, file.lastModified());
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** The Ox wrapper around a Tink JSON keyset, read with {@link JsonReader}. */
  private static final class KeysetFile {
    String name;
    KeysetProtection.Kind protection;
    AesGcmKeyset.Json keyset;
    TreeSet<Long> destroyed = new TreeSet<>();
    byte[] argonSalt;
    int memoryKiB;
    int iterations;
    int parallelism;
    WrappedKey wrappedKeysetKey;

    /** Parses a keyset file; the caller wipes it when done. */
    static KeysetFile parse(byte[] bytes) throws OxCryptoException {
      JsonReader p = null;
      KeysetFile f = new KeysetFile();
      try {
        p = new JsonReader(bytes);
        f.parseFields(p);
        return f;
      } catch (Throwable e) {
        f.wipe();
        throw e;
      } finally {
        if (p != null) {
          p.wipe();
        }
      }
    }

    static byte[] readAtMost(InputStream in, int max) throws IOException, FormatException {
      byte[] buf = new byte[8192];
      int n = 0;
      for (int r; (r = in.read(buf, n, buf.length - n)) > 0; ) {
        n += r;
        if (n > max) {
          Arrays.fill(buf, (byte) 0);
          throw new FormatException("keyset file is over " + max + " bytes");
        }
        if (n == buf.length) {
          byte[] bigger = Arrays.copyOf(buf, buf.length * 2);
          Arrays.fill(buf, (byte) 0);
          buf = bigger;
        }
      }
      byte[] out = Arrays.copyOf(buf, n);
      Arrays.fill(buf, (byte) 0);
      return out;
    }

    void wipe() {
      if (keyset != null) {
        keyset.wipe();
      }
    }

    private void parseFields(JsonReader p) throws OxCryptoException {
      KeysetFile f = this;
      String format = null;
      try {
        expect(p.next() == Token.START_OBJECT, "not a JSON object");
        while (p.next() == Token.FIELD_NAME) {
          String field = p.text();
          Token t = p.next();
          switch (field) {
            case "format":
              format = p.text();
              break;
            case "name":
              f.name = p.text();
              break;
            case "protection":
              try {
                f.protection = KeysetProtection.Kind.valueOf(p.text());
              } catch (IllegalArgumentException e) {
                throw new FormatException("unknown keyset protection " + p.text());
              }
              break;
            case "destroyed":
              expect(t == Token.START_ARRAY, "destroyed is not an array");
              while (p.next() == Token.NUMBER) {
                f.destroyed.add(p.longValue());
              }
              expect(p.token() == Token.END_ARRAY, "destroyed holds a non-number");
              break;
            case "argon2id":
              expect(t == Token.START_OBJECT, "argon2id is not an object");
              while (p.next() == Token.FIELD_NAME) {
                String k = p.text();
                p.next();
                if (k.equals("salt")) {
                  f.argonSalt = Hex.decode(p.text());
                } else if (k.equals("memoryKiB")) {
                  f.memoryKiB = p.intValue();
                } else if (k.equals("iterations")) {
                  f.iterations = p.intValue();
                } else if (k.equals("parallelism")) {
                  f.parallelism = p.intValue();
                } else {
                  p.skipChildren();
                }
              }
              break;
            case "kek":
              expect(t == Token.START_OBJECT, "kek is not an object");
              String uri = null;
              String version = "";
              String algorithm = null;
              byte[] wrapped = null;
              while (p.next() == Token.FIELD_NAME) {
                String k = p.text();
                p.next();
                if (k.equals("uri")) {
                  uri = p.text();
                } else if (k.equals("version")) {
                  version = p.text();
                } else if (k.equals("algorithm")) {
                  algorithm = p.text();
                } else if (k.equals("wrapped")) {
                  wrapped = Hex.decode(p.text());
                } else {
                  p.skipChildren();
                }
              }
              expect(uri != null && algorithm != null && wrapped != null, "kek is incomplete");
              f.wrappedKeysetKey = WrappedKey.create(uri, version, algorithm, wrapped);
              break;
            case "keyset":
              expect(t == Token.START_OBJECT && f.keyset == null, "keyset is not one object");
              f.keyset = AesGcmKeyset.readJson(p);
              break;
            default:
              p.skipChildren();
          }
        }
        expect(p.next() == Token.END, "content after the keyset object");
      } catch (IllegalArgumentException e) {
        throw new FormatException("keyset file holds a malformed hex field");
      }
      if (!FORMAT.equals(format)) {
        throw new UnsupportedFormatException("keyset file format is " + format + ", not " + FORMAT);
      }
      expect(f.name != null && NAME.matcher(f.name).matches(), "keyset name is missing or invalid");
      expect(f.protection != null, "keyset protection is missing");
      expect(f.keyset != null, "keyset is missing");
      if (f.protection == KeysetProtection.Kind.PASSPHRASE_ARGON2ID) {
        expect(f.argonSalt != null && f.argonSalt.length >= 16, "argon2id salt is missing");
        try {
          Argon2id.checkCost(f.memoryKiB, f.iterations, f.parallelism);
        } catch (IllegalArgumentException e) {
          throw new FormatException("keyset file's " + e.getMessage());
        }
      }
      expect(
          f.protection != KeysetProtection.Kind.KEK || f.wrappedKeysetKey != null,
          "kek-protected keyset has no wrapped key");
      return;
    }

    private static void expect(boolean ok, String message) throws FormatException {
      if (!ok) {
        throw new FormatException("keyset file is not valid: " + message);
      }
    }
  }
}
