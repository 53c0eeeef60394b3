package com.getox.crypto.internal;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one way Ox writes a file: every keyset, counter file, edited recording and CLI output goes
 * through {@link #replace} or {@link #createNew}.
 *
 * <ul>
 *   <li><b>Regular files</b> are replaced atomically: an owner-only temporary file {@code
 *       .<name>.<random>.oxtmp} in the same directory is written and synced; then, under the
 *       directory's {@link FileLocks lock}, it gets its final mode and is renamed over the target,
 *       and the directory is synced. A crash leaves the old file or the new one, never a mix, and
 *       never a file that others could read for a moment. The content is written outside the lock,
 *       so a long write does not hold up other changes in the directory.
 *   <li><b>Modes:</b> {@link Mode#OWNER_ONLY} (secrets, plaintext) is always 0600; {@link
 *       Mode#KEEP} keeps an existing file's permission bits and makes new files 0600.
 *   <li><b>Symlinks</b> are followed: the file they point to is replaced, the link stays.
 *   <li><b>FIFOs and devices</b> are written through, never replaced by a regular file.
 *   <li><b>Left-over temporaries:</b> a process killed mid-write leaves its temporary file. A live
 *       writer holds a lock on its temporary (taken under the directory lock when it is created),
 *       and the kernel drops it when the process dies; so an unlocked temporary is stale, and
 *       {@link #replace} deletes its target's stale ones ({@link #removeStaleTemps}). This matters
 *       for keysets: a stale temporary can hold a version that was destroyed since.
 * </ul>
 *
 * <p>Relies on POSIX rename-over (Linux, Android, macOS); where a rename cannot replace a file it
 * fails closed rather than delete-then-rename. Uses {@code java.nio.file} for permissions and the
 * directory sync where the platform has it (JVMs, Android API 26+); on Android 24–25 it falls back
 * to {@code java.io.File}'s owner-only bits, inside the app's already-private directory.
 *
 * <pre>{@code
 * AtomicFile.replace(keysetFile, AtomicFile.Mode.OWNER_ONLY, out -> out.write(bytes));
 * }</pre>
 */
public final class AtomicFile {
  /** Suffix of every temporary file Ox writes beside a target. */
  public static final String TEMP_SUFFIX = ".oxtmp";

  /** Writes the new content; it may close the stream (the file is synced and closed after it). */
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Checks the complete temporary file before it replaces the target; throws to keep the old. */
  public interface Check {
    void verify(File written) throws IOException;
  }

  /** The permission bits the new file gets. */
  public enum Mode {
    /** 0600, whatever the old file had: keysets, private keys, plaintext. */
    OWNER_ONLY,
    /** The existing file's bits; 0600 for a new file. */
    KEEP
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final boolean NIO = hasNioFiles();

  private AtomicFile() {}

  /** Replaces (or creates) {@code target} with {@code content}. */
  public static void replace(File target, Mode mode, Content content) throws IOException {
    replace(target, mode, content, null);
  }

  /**
   * Replaces (or creates) {@code target}; {@code check}, if not null, must accept the complete
   * temporary file first. A non-regular target (FIFO, device) is written through, unchecked.
   */
  public static void replace(File target, Mode mode, Content content, Check check)
      throws IOException {
    File real = resolve(target); // follows symlinks: write what they point to
    if (real.isDirectory()) {
      throw new IOException("is a directory: " + target);
    }
    if (real.exists() && !real.isFile()) {
      if (check != null) {
        throw new IOException("not a regular file: " + target);
      }
      try (FileOutputStream out = new FileOutputStream(real)) {
        content.writeTo(new NonClosing(out));
      }
      return;
    }
    write(real, mode, content, check, false);
  }

  /**
   * Creates {@code target} with {@code content}; fails, changing nothing, if it exists. Two
   * processes creating one name: exactly one succeeds.
   */
  public static void createNew(File target, Mode mode, Content content) throws IOException {
    File real = resolve(target);
    if (real.exists()) {
      throw alreadyExists(target);
    }
    write(real, mode, content, null, true);
  }

  /**
   * Creates {@code target} (owner-only) and lets {@code content} stream straight into it, for a
   * recording being captured: a crash or a failing source leaves the partial recording under its
   * own name, where {@code Recordings.recover} finds it, instead of in a temporary file; a failure
   * before the first byte leaves no file. Not atomic, by design; use it only for a file that does
   * not exist yet.
   *
   * @return false, having written nothing, if {@code target} exists (then {@link #replace} it)
   */
  public static boolean createInPlace(File target, Content content) throws IOException {
    File real = resolve(target);
    if (!createOwnerOnly(real)) {
      return false;
    }
    try (FileOutputStream out = new FileOutputStream(real)) {
      try {
        content.writeTo(new NonClosing(out));
      } finally {
        out.flush();
        out.getFD().sync(); // what was written before a failure is kept, durably
      }
    } catch (IOException | RuntimeException e) {
      if (real.length() == 0) { // FileOutputStream keeps no buffer: every byte written is there
        real.delete(); // refused before its first byte (say, a header too large): leave no file
      }
      throw e;
    }
    if (NIO) {
      Nio.syncDirectory(FileLocks.directoryOf(real));
    }
    return true;
  }

  /**
   * Deletes the temporary files that killed writers left beside {@code target}; a temporary that
   * a live writer (this process or another) still holds is kept. Call it holding {@code target}'s
   * directory lock.
   *
   * @return how many were deleted
   */
  public static int removeStaleTemps(File target) throws IOException {
    File real = resolve(target);
    return sweep(FileLocks.directoryOf(real), "." + real.getName() + ".");
  }

  /** Deletes the stale temporaries in {@code dir} whose names start with {@code prefix} (any if null). */
  private static int sweep(File dir, String prefix) throws IOException {
    File[] files = dir.listFiles();
    int n = 0;
    if (files == null) {
      return 0;
    }
    for (File f : files) {
      String name = f.getName();
      if (name.startsWith(prefix == null ? "." : prefix)
          && name.endsWith(TEMP_SUFFIX)
          && f.isFile()
          && !LIVE.contains(f.getCanonicalPath())
          && deleteIfUnlocked(f)) {
        n++;
      }
    }
    return n;
  }

  /**
   * {@code target} with every symlink followed, a dangling one included (its target is what gets
   * created), and made canonical.
   */
  static File resolve(File target) throws IOException {
    return NIO ? Nio.followLinks(target).getCanonicalFile() : target.getCanonicalFile();
  }

  /**
   * Creates {@code f} empty and owner-only before anything is written to it; false if it exists.
   * The one way Ox creates a file (lock files, temporaries, captures).
   */
  public static boolean createOwnerOnly(File f) throws IOException {
    if (NIO) {
      return Nio.createOwnerOnly(f);
    }
    if (!f.createNewFile()) {
      return false;
    }
    ownerOnlyIo(f);
    return true;
  }

  /**
   * Temporaries of live writers in this JVM. Never opened by the cleaner: on POSIX, closing any
   * descriptor of a file drops every lock this process holds on it, the writer's included.
   */
  private static final Set<String> LIVE = ConcurrentHashMap.newKeySet();

  /**
   * The content is written outside the directory lock (an encrypt from a microphone may take an
   * hour and must not block a key rotation in the same directory); the temporary is created and
   * locked under it, so the cleaner never sees an unlocked live temporary, and the stale-temp
   * sweep, the mode, the existence check and the rename happen under it.
   */
  private static void write(File real, Mode mode, Content content, Check check, boolean mustBeNew)
      throws IOException {
    File dir = FileLocks.directoryOf(real);
    File tmp;
    FileOutputStream out;
    try (FileLocks.Held lock = FileLocks.lockDirectoryOf(real)) {
      tmp = newTemp(dir, real.getName());
      out = lockedStream(tmp);
    }
    boolean ok = false;
    try {
      content.writeTo(new NonClosing(out));
      out.flush();
      out.getFD().sync();
      if (check != null) {
        check.verify(tmp);
      }
      try (FileLocks.Held lock = FileLocks.lockDirectoryOf(real)) {
        if (mustBeNew && real.exists()) {
          throw alreadyExists(real);
        }
        sweep(dir, null); // every stale temporary here: a killed decrypt's plaintext too
        if (NIO && real.exists()) {
          Nio.copyOwner(real, tmp); // an edit by root must not take a user's file away
        }
        Set<PosixFilePermission> keep =
            mode == Mode.KEEP && real.exists() && NIO ? Nio.modeOf(real) : null;
        if (keep != null) {
          Nio.setMode(tmp, keep);
        }
        if (!tmp.renameTo(real)) {
          throw new IOException("cannot replace " + real);
        }
        ok = true;
        if (NIO) {
          Nio.syncDirectory(dir);
        }
      }
    } finally {
      try {
        out.close(); // after the rename it is the target's descriptor; closing drops the temp lock
      } finally {
        LIVE.remove(tmp.getCanonicalPath());
        if (!ok && !tmp.delete()) {
          tmp.deleteOnExit();
        }
      }
    }
  }

  /** Syncs the directory that holds {@code file}, so a new name in it survives a power loss. */
  public static void syncDirectoryOf(File file) throws IOException {
    if (NIO) {
      Nio.syncDirectory(FileLocks.directoryOf(file));
    }
  }

  /** {@code java.nio.file.FileAlreadyExistsException} where the platform has it, for callers to tell apart. */
  public static IOException alreadyExists(File f) {
    return NIO ? Nio.alreadyExists(f) : new IOException("already exists: " + f);
  }

  /** Opens {@code tmp} and locks it for as long as the stream is open: the mark of a live writer. */
  private static FileOutputStream lockedStream(File tmp) throws IOException {
    FileOutputStream out = new FileOutputStream(tmp);
    try {
      out.getChannel().lock();
      return out;
    } catch (IOException | RuntimeException e) {
      out.close();
      LIVE.remove(tmp.getCanonicalPath());
      tmp.delete();
      throw e;
    }
  }

  /** Deletes {@code f} if no process holds its lock (its writer died); false if one does. */
  private static boolean deleteIfUnlocked(File f) throws IOException {
    RandomAccessFile raf;
    try {
      raf = new RandomAccessFile(f, "rw");
    } catch (java.io.FileNotFoundException gone) {
      return false;
    }
    try {
      FileLock l;
      try {
        l = raf.getChannel().tryLock();
      } catch (java.nio.channels.OverlappingFileLockException inThisJvm) {
        return false;
      }
      if (l == null) {
        return false; // a live writer in another process
      }
      if (!f.delete()) {
        throw new IOException("cannot delete the stale temporary file " + f);
      }
      return true;
    } finally {
      raf.close();
    }
  }

  private static File newTemp(File dir, String name) throws IOException {
    for (int attempt = 0; ; attempt++) {
      File tmp =
          new File(dir, "." + name + "." + Long.toHexString(RANDOM.nextLong() >>> 1) + TEMP_SUFFIX);
      String key = tmp.getCanonicalPath();
      LIVE.add(key);
      boolean created = createOwnerOnly(tmp);
      if (created) {
        return tmp;
      }
      LIVE.remove(key);
      if (attempt > 100) {
        throw new IOException("cannot create a temporary file in " + dir);
      }
    }
  }

  /** What a {@link Content} writes to: it may close it; the file is synced and closed here. */
  private static final class NonClosing extends java.io.FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }

  /** Android 24-25: empty file first, then owner-only bits, before any content is written. */
  private static void ownerOnlyIo(File f) throws IOException {
    boolean ok =
        f.setReadable(false, false)
            & f.setWritable(false, false)
            & f.setExecutable(false, false)
            & f.setReadable(true, true)
            & f.setWritable(true, true);
    if (!ok) {
      throw new IOException("cannot make " + f + " owner-only");
    }
  }

  private static boolean hasNioFiles() {
    try {
      Class.forName("java.nio.file.Files");
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** The java.nio.file parts, loaded only where the platform has them (not Android 24-25). */
  @IgnoreJreRequirement
  private static final class Nio {
    private static final Set<PosixFilePermission> OWNER_ONLY =
        PosixFilePermissions.fromString("rw-------");

    /** Creates {@code f} as 0600 in one step; false if it exists. */
    static boolean createOwnerOnly(File f) throws IOException {
      Path p = f.toPath();
      try {
        if (isPosix(p)) {
          Files.createFile(p, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } else {
          Files.createFile(p);
        }
        return true;
      } catch (java.nio.file.FileAlreadyExistsException e) {
        return false;
      }
    }

    static Set<PosixFilePermission> modeOf(File f) throws IOException {
      Path p = f.toPath();
      return isPosix(p) ? Files.getPosixFilePermissions(p) : null;
    }

    static void setMode(File f, Set<PosixFilePermission> mode) throws IOException {
      Files.setPosixFilePermissions(f.toPath(), mode);
    }

    static IOException alreadyExists(File f) {
      return new java.nio.file.FileAlreadyExistsException(f.getPath());
    }

    /** Follows symlinks in the last path element, dangling ones too (at most 40, as Linux). */
    static File followLinks(File f) throws IOException {
      Path p = f.toPath().toAbsolutePath();
      for (int i = 0; i < 40 && Files.isSymbolicLink(p); i++) {
        Path parent = p.getParent();
        Path link = Files.readSymbolicLink(p);
        p = parent == null ? link : parent.resolve(link);
      }
      return p.toFile();
    }

    /** Gives {@code tmp} the owner and group of {@code original} where this process may. */
    static void copyOwner(File original, File tmp) {
      try {
        Path o = original.toPath();
        if (!isPosix(o)) {
          return;
        }
        java.nio.file.attribute.PosixFileAttributes a =
            Files.readAttributes(o, java.nio.file.attribute.PosixFileAttributes.class);
        java.nio.file.attribute.PosixFileAttributeView t =
            Files.getFileAttributeView(tmp.toPath(), java.nio.file.attribute.PosixFileAttributeView.class);
        if (!a.owner().equals(t.getOwner())) {
          t.setOwner(a.owner());
        }
        if (!a.group().equals(t.readAttributes().group())) {
          t.setGroup(a.group());
        }
      } catch (IOException | UnsupportedOperationException | SecurityException e) {
        // Not permitted (not root, not the owner): the file stays this process's, as any write's.
      }
    }

    static void syncDirectory(File dir) {
      try (FileChannel ch = FileChannel.open(dir.toPath(), StandardOpenOption.READ)) {
        ch.force(true);
      } catch (IOException e) {
        // Some file systems cannot sync a directory; the rename stands either way.
      }
    }

    private static boolean isPosix(Path p) {
      return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
  }
}
