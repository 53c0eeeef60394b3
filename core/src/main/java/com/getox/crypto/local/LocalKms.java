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
import com.getox.crypto.internal.Audit;
import com.getox.crypto.internal.AtomicFile;
import com.getox.crypto.internal.FileLocks;
import com.getox.crypto.internal.Printable;
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
 * <p>A protected keyset (passphrase or KEK) is written in keyset format 2, whose encryption
 * authenticates everything else in the file too: a file changed by whoever can write it (its
 * destroyed list, Argon2id cost, kek block, name) fails to open with an {@link
 * AuthenticationException} before any of its keys is used. Format-1 files, which authenticate
 * only their name and protection, still open, and are rewritten in format 2 by their first change
 * (rotate, disable, enable, destroy). A plaintext keyset stays format 1: nothing in it can be
 * authenticated, and whoever can write it can change anything in it.
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
  /** The URI scheme of local KEKs: {@code local://NAME}. */
  public static final String SCHEME = "local";
  /** The wrapping algorithm recorded in {@link WrappedKey#algorithm()}. */
  public static final String ALGORITHM = "tink-aes256-gcm";

  /**
   * Format 1: still read, with its weaker binding (the associated data covers only the format,
   * name and protection); still written for INSECURE_PLAINTEXT keysets, which nothing protects.
   */
  static final String FORMAT_1 = "ox-local-keyset/1";
  /**
   * Format 2, written for every protected keyset: the encrypted keyset's associated data binds
   * everything else in the file ({@link KeysetBinding}), and the reader refuses unknown fields.
   */
  static final String FORMAT_2 = "ox-local-keyset/2";
  private static final int MAX_FILE_BYTES = 1 << 20;
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
   * @param file where to create the keyset file; it must not exist, its directory must
   * @param protection how to protect the file: a passphrase (needs Bouncy Castle), another KEK,
   *     or {@link KeysetProtection#insecurePlaintext()}
   * @param name the KEK's name, {@code [A-Za-z0-9._-]{1,64}}; its URI is {@code local://name}
   * @return the KEK over the new file, its one version primary
   * @throws IllegalArgumentException if {@code name} does not match the pattern
   * @throws IOException if {@code file} already exists (use {@link #open} for an existing
   *     keyset) or cannot be written
   * @throws GeneralSecurityException if the keyset cannot be protected: an {@link
   *     OxCryptoException} if a passphrase is given without Bouncy Castle on the classpath, or
   *     the protecting KEK's error (such as a {@link KmsException})
   */
  public static LocalKms create(File file, KeysetProtection protection, String name)
      throws IOException, GeneralSecurityException {
    if (!validName(name)) {
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
   * plaintext file opens only with {@link KeysetProtection#insecurePlaintext()}. A passphrase
   * file is opened with the Argon2id cost recorded in it, whatever cost {@code protection} names.
   *
   * @param file the keyset file, at most 1 MiB
   * @param protection the passphrase or KEK that protects the file, or {@link
   *     KeysetProtection#insecurePlaintext()}; use {@link #protectionOf(File)} to find out which
   * @return the KEK over the file
   * @throws IOException if the file cannot be read (a {@link java.io.FileNotFoundException} if it
   *     does not exist)
   * @throws GeneralSecurityException if it cannot be opened: a {@link FormatException} if it is
   *     not a keyset file, an {@link UnsupportedFormatException} for an unknown format version, an
   *     {@link OxCryptoException} if {@code protection} is of another kind than the file's (or a
   *     passphrase file is opened without Bouncy Castle on the classpath), an {@link
   *     AuthenticationException} for a wrong passphrase or KEK or a file changed by someone
   *     without them, or the protecting KEK's error (such as a {@link KmsException})
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

  /**
   * Decrypts a parsed keyset file with {@code protection} (its kind must match the file's). A
   * format-2 file whose bound fields were changed fails here with an {@link
   * AuthenticationException}, before any of its keys is used.
   */
  private static AesGcmKeyset decode(File file, KeysetProtection protection, KeysetFile parsed)
      throws GeneralSecurityException {
    if (parsed.protection != protection.kind()) {
      throw new OxCryptoException(
          "keyset file " + file + " is protected as " + parsed.protection
              + " but was opened as " + protection.kind());
    }
    boolean v2 = parsed.version == 2;
    AesGcmKeyset keyset;
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
            keyset =
                decryptKeyset(
                    parsed.keyset,
                    key,
                    parsed.associatedData(),
                    "cannot decrypt the keyset file " + file
                        + ": wrong passphrase, or the file was modified");
          } finally {
            Arrays.fill(key, (byte) 0);
          }
          break;
        }
      case KEK:
        {
          byte[] key = unwrapKeysetKey(file, protection.kekOrNull(), parsed);
          try {
            keyset =
                decryptKeyset(
                    parsed.keyset,
                    key,
                    parsed.associatedData(),
                    "cannot decrypt the keyset file " + file
                        + ": wrong KEK, or the file was modified");
          } finally {
            Arrays.fill(key, (byte) 0);
          }
          break;
        }
      default:
        throw new AssertionError(parsed.protection);
    }
    if (v2) {
      // Authenticated, so only a faulty writer gets here; a version is live or destroyed, not both.
      for (Long id : parsed.destroyed) {
        if (keyset.find(id) != null) {
          throw new FormatException(
              "keyset file is not valid: version " + id + " is both in the keyset and destroyed");
        }
      }
    }
    return keyset;
  }

  /**
   * Unwraps the key of a KEK-protected keyset. In format 2 a {@code kek} block that names another
   * KEK fails before any call to {@code kek}, and one that {@code kek} refuses (not its key,
   * tampered, another algorithm) is reported as a modified file, not as its own error.
   */
  private static byte[] unwrapKeysetKey(File file, Kek kek, KeysetFile parsed)
      throws GeneralSecurityException {
    WrappedKey w = parsed.wrappedKeysetKey;
    if (parsed.version == 1) {
      try {
        return kek.unwrap(w, keysetContext(FORMAT_1, parsed.name));
      } catch (AuthenticationException e) {
        throw new AuthenticationException(
            "keyset file " + file + ": its kek block does not unwrap under " + kek.uri()
                + " (the file was modified, or this is not its KEK)",
            e);
      }
    }
    if (!kek.uri().equals(w.kekUri())) {
      throw new AuthenticationException(
          "keyset file " + file + " is wrapped under " + Printable.escape(w.kekUri())
              + ", not under " + kek.uri() + ": the file was modified, or this is not its KEK");
    }
    try {
      return kek.unwrap(w, keysetContext(FORMAT_2, parsed.name));
    } catch (NotMyKeyException | AuthenticationException | FormatException e) {
      throw new AuthenticationException(
          "keyset file " + file + ": its kek block does not unwrap under " + kek.uri()
              + " (the file was modified, or this is not its KEK)",
          e);
    }
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

  /**
   * Whether {@code name} matches {@code [A-Za-z0-9._-]{1,64}}. A loop, not a regex: every open
   * checks the name, and compiling a pattern cost a cold start about 5 ms (async-profiler).
   */
  static boolean validName(String name) {
    if (name == null || name.isEmpty() || name.length() > 64) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
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

  /**
   * How the keyset file {@code file} is protected, read without any key (to pick a prompt).
   *
   * @param file the keyset file, at most 1 MiB
   * @return the protection recorded in the file; not authenticated (a format-2 file's is checked
   *     only when {@link #open} decrypts it)
   * @throws IOException if the file cannot be read
   * @throws OxCryptoException if it is not a keyset file ({@link FormatException}) or is of an
   *     unknown format version
   */
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

  /**
   * Opens Tink's encrypted keyset: AES-GCM (no prefix) of the binary Keyset proto; {@code
   * failure} is the message if it does not authenticate.
   */
  private static AesGcmKeyset decryptKeyset(
      AesGcmKeyset.Json json, byte[] key, byte[] ad, String failure)
      throws GeneralSecurityException {
    if (!json.isEncrypted() || json.keys != null) {
      throw new FormatException("keyset file is not valid: the keyset is not an encrypted keyset");
    }
    if (key.length != AesGcmKeyset.KEY_BYTES) {
      throw new AuthenticationException(failure);
    }
    byte[] proto;
    try {
      proto = AesGcmKeyset.decrypt(new SecretKeySpec(key, "AES"), json.encrypted, 0, ad);
    } catch (AEADBadTagException e) {
      throw new AuthenticationException(failure, e);
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

  /**
   * The KEK's name.
   *
   * @return the name given to {@link #create}, the part of the URI after {@code local://}
   */
  public String name() {
    return name;
  }

  /**
   * The keyset file.
   *
   * @return the file given to {@link #create} or {@link #open}
   */
  public File file() {
    return file;
  }

  /**
   * How the keyset file is protected.
   *
   * @return the kind of protection, as recorded in the file
   */
  public KeysetProtection.Kind protection() {
    return protection.kind();
  }

  /**
   * Every version, including destroyed ones, as this instance last saw the file (a change made
   * by another process shows after this instance's next wrap, unwrap or change).
   *
   * @return the versions in keyset order, destroyed ones last; unmodifiable
   */
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

  /**
   * The primary version: the one that wraps new data keys.
   *
   * @return the primary, always enabled
   */
  public KeyVersion primary() {
    return new KeyVersion(state.keyset.primary().id, KeyVersion.Status.ENABLED, true);
  }

  /**
   * Sends this KEK's lifecycle events (rotate, disable, enable, destroy) to {@code sink} instead
   * of the default {@link AuditSink#slf4j()}.
   *
   * @param sink where the events go; not null
   * @return this KEK
   * @throws NullPointerException if {@code sink} is null
   */
  public LocalKms auditTo(AuditSink sink) {
    this.audit = java.util.Objects.requireNonNull(sink, "sink");
    return this;
  }

  /**
   * Adds a new version and makes it the primary. Old versions keep unwrapping. Applied to the
   * keyset as the file holds it under the directory lock, so concurrent rotations (threads or
   * processes) each add their own version.
   *
   * @return the new primary version
   * @throws IOException if the directory cannot be locked or the file cannot be read or
   *     replaced; the file is then unchanged
   * @throws GeneralSecurityException if the file as it is now cannot be opened with this
   *     instance's protection (see {@link #open}) or the new keyset cannot be protected
   */
  public synchronized KeyVersion rotate() throws IOException, GeneralSecurityException {
    long t = System.nanoTime();
    State next;
    try {
      next = change(current -> new State(TinkKeysets.rotate(current.keyset), current.destroyed));
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      Audit.record(audit, AuditEvent.of(Operation.ROTATE, uri(), null, null, null, e, t));
      throw e;
    }
    KeyVersion p = new KeyVersion(next.keyset.primary().id, KeyVersion.Status.ENABLED, true);
    Audit.record(audit, AuditEvent.of(Operation.ROTATE, uri(), Long.toString(p.id()), null, null, null, t));
    return p;
  }

  /**
   * Makes version {@code id} refuse to unwrap. The primary cannot be disabled: rotate first.
   *
   * @param id the version's id, as {@link KeyVersion#id()} gives it
   * @throws IOException if the directory cannot be locked or the file cannot be read or
   *     replaced; the file is then unchanged
   * @throws GeneralSecurityException an {@link OxCryptoException} if there is no such version (or
   *     it is destroyed) or it is the primary; or the file cannot be opened or protected again
   */
  public synchronized void disable(long id) throws IOException, GeneralSecurityException {
    setEnabled(id, false, Operation.DISABLE);
  }

  /**
   * Lets a disabled version unwrap again.
   *
   * @param id the version's id, as {@link KeyVersion#id()} gives it
   * @throws IOException if the directory cannot be locked or the file cannot be read or
   *     replaced; the file is then unchanged
   * @throws GeneralSecurityException an {@link OxCryptoException} if there is no such version (a
   *     destroyed one cannot come back); or the file cannot be opened or protected again
   */
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
   * @param id the version's id, as {@link KeyVersion#id()} gives it
   * @return how many stale copies of the keyset file were deleted (0 in the normal case)
   * @throws IOException if the directory cannot be locked or the file cannot be read or
   *     replaced; the file is then unchanged
   * @throws GeneralSecurityException an {@link OxCryptoException} if there is no such version (or
   *     it is already destroyed) or it is the primary; or the file cannot be opened or protected
   *     again
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
      Audit.record(audit, AuditEvent.of(Operation.DESTROY, uri(), Long.toString(id), null, null, e, t));
      throw e;
    }
    Audit.record(audit, AuditEvent.of(Operation.DESTROY, uri(), Long.toString(id), null, null, null, t));
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
      Audit.record(audit, AuditEvent.of(op, uri(), Long.toString(id), null, null, e, t));
      throw e;
    }
    Audit.record(audit, AuditEvent.of(op, uri(), Long.toString(id), null, null, null, t));
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

  /** Format 1's associated data: the format, name and protection only. */
  private static byte[] associatedData1(String name, KeysetProtection.Kind kind) {
    String s = new StringBuilder(FORMAT_1).append('\n').append(name).append('\n').append(kind).toString();
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The context of the keyset key a KEK wraps: {@code {"ox-keyset": format + "/" + name}}. */
  private static EncryptionContext keysetContext(String format, String name) {
    return EncryptionContext.builder().put("ox-keyset", format + "/" + name).build();
  }

  /**
   * Writes {@code s} to the file, 0600, through {@link AtomicFile} ({@code createNew}: only if
   * the file does not exist), and returns it with the written file's identity. A protected keyset
   * is written in format 2 (so a format-1 file is upgraded by its first change), a plaintext one
   * in format 1, unchanged: nothing in it could be authenticated.
   */
  private State save(State s, boolean createNew) throws IOException, GeneralSecurityException {
    boolean plaintext = protection.kind() == KeysetProtection.Kind.INSECURE_PLAINTEXT;
    TreeSet<Long> destroyed = plaintext ? s.destroyed : destroyedToWrite(s);
    StringWriter text = new StringWriter();
    JsonFactory json = new JsonFactory(); // Jackson only to write; see JsonReader
    try (JsonGenerator g = json.createGenerator(text)) {
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeStringField("format", plaintext ? FORMAT_1 : FORMAT_2);
      g.writeStringField("name", name);
      g.writeStringField("protection", protection.kind().name());
      if (plaintext) {
        g.writeStringField(
            "warning", "INSECURE: these keys are in the clear; anyone who reads this file can decrypt");
      }
      g.writeArrayFieldStart("destroyed");
      for (Long id : destroyed) {
        g.writeNumber(id);
      }
      g.writeEndArray();
      switch (protection.kind()) {
        case INSECURE_PLAINTEXT:
          g.writeFieldName("keyset");
          try (JsonParser p = json.createParser(TinkKeysets.json(s.keyset))) {
            p.nextToken();
            g.copyCurrentStructure(p);
          }
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
            byte[] ad =
                KeysetBinding.passphrase(
                    name,
                    salt,
                    protection.memoryKiB(),
                    protection.iterations(),
                    protection.parallelism(),
                    destroyed);
            byte[] key =
                Argon2id.derive(
                    protection.passphraseChars(),
                    salt,
                    protection.memoryKiB(),
                    protection.iterations(),
                    protection.parallelism());
            try {
              writeEncryptedKeyset(g, TinkKeysets.encryptedKeyset(s.keyset, key, ad));
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
              WrappedKey w = protection.kekOrNull().wrap(key, keysetContext(FORMAT_2, name));
              byte[] wrapped = w.wrappedBytes();
              g.writeObjectFieldStart("kek");
              g.writeStringField("uri", w.kekUri());
              g.writeStringField("version", w.kekVersion());
              g.writeStringField("algorithm", w.algorithm());
              g.writeStringField("wrapped", Hex.encode(wrapped));
              g.writeEndObject();
              byte[] ad =
                  KeysetBinding.kek(
                      name, w.kekUri(), w.kekVersion(), w.algorithm(), wrapped, destroyed);
              writeEncryptedKeyset(g, TinkKeysets.encryptedKeyset(s.keyset, key, ad));
            } finally {
              Arrays.fill(key, (byte) 0);
            }
            break;
          }
        default:
          throw new AssertionError(protection.kind());
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
      return new State(s.keyset, destroyed, sha256(bytes), bytes.length, file.lastModified());
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** Format 2's {@code keyset} object: Tink's JSON encrypted keyset without its keysetInfo. */
  private static void writeEncryptedKeyset(JsonGenerator g, byte[] encrypted) throws IOException {
    g.writeObjectFieldStart("keyset");
    g.writeBinaryField("encryptedKeyset", encrypted); // standard base64 with padding
    g.writeEndObject();
  }

  /**
   * The destroyed ids a format-2 file records: a format-1 file's list was not authenticated, so
   * ids that no Tink key can have (outside 32 bits) and ids of versions still in the keyset (its
   * key material wins, as it always did when unwrapping) are dropped on the upgrade.
   */
  private static TreeSet<Long> destroyedToWrite(State s) {
    TreeSet<Long> out = new TreeSet<>();
    for (Long id : s.destroyed) {
      if (id >= 0 && id <= 0xffffffffL && s.keyset.find(id) == null) {
        out.add(id);
      }
    }
    return out;
  }

  /**
   * The Ox wrapper around a Tink JSON keyset, read with {@link JsonReader}. Format 1 is read as it
   * always was (unknown fields skipped, a repeated field's last value kept); format 2 refuses
   * whatever its associated data does not cover: unknown or repeated fields, Tink's keysetInfo, the
   * other protection's block, destroyed ids out of order, upper-case hex.
   */
  private static final class KeysetFile {
    private static final List<String> FIELDS =
        Arrays.asList("format", "name", "protection", "destroyed", "argon2id", "kek", "keyset");
    private static final List<String> ARGON2ID_FIELDS =
        Arrays.asList("salt", "memoryKiB", "iterations", "parallelism");
    private static final List<String> KEK_FIELDS =
        Arrays.asList("uri", "version", "algorithm", "wrapped");
    private static final int MAX_SALT_BYTES = 64;

    int version; // 1 or 2
    String name;
    KeysetProtection.Kind protection;
    AesGcmKeyset.Json keyset;
    TreeSet<Long> destroyed = new TreeSet<>();
    byte[] argonSalt;
    int memoryKiB;
    int iterations;
    int parallelism;
    WrappedKey wrappedKeysetKey;
    private int seen; // a bit per FIELDS entry read
    private String refusal; // why format 2 refuses the file, noted while parsing (format may come last)

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

    /** The associated data the encrypted keyset was sealed with. */
    byte[] associatedData() {
      if (version == 1) {
        return associatedData1(name, protection);
      }
      switch (protection) {
        case PASSPHRASE_ARGON2ID:
          return KeysetBinding.passphrase(
              name, argonSalt, memoryKiB, iterations, parallelism, destroyed);
        case KEK:
          WrappedKey w = wrappedKeysetKey;
          return KeysetBinding.kek(
              name, w.kekUri(), w.kekVersion(), w.algorithm(), w.wrappedBytes(), destroyed);
        default:
          throw new AssertionError(protection);
      }
    }

    /** Notes the first reason format 2 refuses this file. */
    private void refuse(String why) {
      if (refusal == null) {
        refusal = why;
      }
    }

    /** Marks field {@code bit} of {@code fields} read; the updated mask. */
    private int once(int mask, int bit, String where, String field) {
      if ((mask & (1 << bit)) != 0) {
        refuse(where + "field " + AesGcmKeyset.quote(field) + " appears twice");
      }
      return mask | (1 << bit);
    }

    /** Decodes hex (either case, as format 1 always accepted); format 2 wants lower case. */
    private byte[] hex(String s, String what) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c >= 'A' && c <= 'F') {
          refuse(what + " is not lower-case hex");
          break;
        }
      }
      return Hex.decode(s);
    }

    private void parseFields(JsonReader p) throws OxCryptoException {
      String format = null;
      boolean argon2id = false;
      boolean destroyedSeen = false;
      try {
        expect(p.next() == Token.START_OBJECT, "not a JSON object");
        while (p.next() == Token.FIELD_NAME) {
          String field = p.text();
          Token t = p.next();
          int bit = FIELDS.indexOf(field);
          if (bit >= 0) {
            seen = once(seen, bit, "", field);
          }
          switch (field) {
            case "format":
              format = p.text();
              break;
            case "name":
              name = p.text();
              break;
            case "protection":
              try {
                protection = KeysetProtection.Kind.valueOf(p.text());
              } catch (IllegalArgumentException e) {
                throw new FormatException(
                    "unknown keyset protection " + AesGcmKeyset.quote(p.text()));
              }
              break;
            case "destroyed":
              expect(t == Token.START_ARRAY, "destroyed is not an array");
              destroyedSeen = true;
              long last = -1;
              while (p.next() == Token.NUMBER) {
                long id = p.longValue();
                if (id <= last || id > 0xffffffffL) {
                  refuse("destroyed is not strictly ascending unsigned 32-bit key ids");
                }
                last = Math.max(last, id);
                destroyed.add(id);
              }
              expect(p.token() == Token.END_ARRAY, "destroyed holds a non-number");
              break;
            case "argon2id":
              {
                expect(t == Token.START_OBJECT, "argon2id is not an object");
                argon2id = true;
                int fields = 0;
                while (p.next() == Token.FIELD_NAME) {
                  String k = p.text();
                  p.next();
                  int b = ARGON2ID_FIELDS.indexOf(k);
                  if (b < 0) {
                    refuse("argon2id has an unknown field " + AesGcmKeyset.quote(k));
                    p.skipChildren();
                    continue;
                  }
                  fields = once(fields, b, "argon2id ", k);
                  if (b == 0) {
                    argonSalt = hex(p.text(), "argon2id salt");
                  } else if (b == 1) {
                    memoryKiB = p.intValue();
                  } else if (b == 2) {
                    iterations = p.intValue();
                  } else {
                    parallelism = p.intValue();
                  }
                }
                if (fields != 0xf) {
                  refuse("argon2id lacks a field");
                }
                break;
              }
            case "kek":
              {
                expect(t == Token.START_OBJECT, "kek is not an object");
                String uri = null;
                String kekVersion = "";
                String algorithm = null;
                byte[] wrapped = null;
                int fields = 0;
                while (p.next() == Token.FIELD_NAME) {
                  String k = p.text();
                  p.next();
                  int b = KEK_FIELDS.indexOf(k);
                  if (b < 0) {
                    refuse("kek has an unknown field " + AesGcmKeyset.quote(k));
                    p.skipChildren();
                    continue;
                  }
                  fields = once(fields, b, "kek ", k);
                  if (b == 0) {
                    uri = p.text();
                  } else if (b == 1) {
                    kekVersion = p.text();
                  } else if (b == 2) {
                    algorithm = p.text();
                  } else {
                    wrapped = hex(p.text(), "kek wrapped");
                  }
                }
                if (fields != 0xf) {
                  refuse("kek lacks a field");
                }
                expect(uri != null && algorithm != null && wrapped != null, "kek is incomplete");
                wrappedKeysetKey = WrappedKey.create(uri, kekVersion, algorithm, wrapped);
                break;
              }
            case "keyset":
              expect(t == Token.START_OBJECT && keyset == null, "keyset is not one object");
              keyset = AesGcmKeyset.readJson(p);
              break;
            default:
              refuse("unknown field " + AesGcmKeyset.quote(field));
              p.skipChildren();
          }
        }
        expect(p.next() == Token.END, "content after the keyset object");
      } catch (IllegalArgumentException e) {
        throw new FormatException("keyset file holds a malformed hex field or kek block");
      }
      if (FORMAT_1.equals(format)) {
        version = 1;
      } else if (FORMAT_2.equals(format)) {
        version = 2;
      } else {
        throw new UnsupportedFormatException(
            "keyset file format is "
                + (format == null ? "missing" : AesGcmKeyset.quote(format))
                + ", not "
                + FORMAT_1
                + " or "
                + FORMAT_2);
      }
      expect(validName(name), "keyset name is missing or invalid");
      expect(protection != null, "keyset protection is missing");
      expect(keyset != null, "keyset is missing");
      if (version == 2) {
        expect(refusal == null, refusal);
        expect(
            protection != KeysetProtection.Kind.INSECURE_PLAINTEXT,
            "format 2 is for protected keysets; a plaintext keyset is format 1");
        expect(destroyedSeen, "destroyed is missing");
        expect(
            argon2id == (protection == KeysetProtection.Kind.PASSPHRASE_ARGON2ID),
            "an argon2id block belongs to PASSPHRASE_ARGON2ID keysets, and only to them");
        expect(
            (wrappedKeysetKey != null) == (protection == KeysetProtection.Kind.KEK),
            "a kek block belongs to KEK keysets, and only to them");
        expect(
            keyset.isEncrypted()
                && keyset.keys == null
                && keyset.primaryId < 0
                && !keyset.keysetInfo,
            "the keyset holds something besides encryptedKeyset");
        expect(
            argonSalt == null || argonSalt.length <= MAX_SALT_BYTES,
            "argon2id salt is over " + MAX_SALT_BYTES + " bytes");
      }
      if (protection == KeysetProtection.Kind.PASSPHRASE_ARGON2ID) {
        expect(argonSalt != null && argonSalt.length >= 16, "argon2id salt is missing");
        try {
          Argon2id.checkCost(memoryKiB, iterations, parallelism);
        } catch (IllegalArgumentException e) {
          throw new FormatException("keyset file's " + e.getMessage());
        }
      }
      expect(
          protection != KeysetProtection.Kind.KEK || wrappedKeysetKey != null,
          "kek-protected keyset has no wrapped key");
    }

    private static void expect(boolean ok, String message) throws FormatException {
      if (!ok) {
        throw new FormatException("keyset file is not valid: " + message);
      }
    }
  }
}
