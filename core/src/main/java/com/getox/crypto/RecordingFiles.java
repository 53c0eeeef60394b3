package com.getox.crypto;

import com.getox.crypto.internal.AtomicFile;
import com.getox.crypto.internal.Cobblestone;
import com.getox.crypto.internal.FileLocks;
import com.getox.crypto.internal.Streams;
import com.getox.crypto.kek.Kek;
import java.io.BufferedInputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * Header-only edits of recording files: re-wrap, share, revoke. The body bytes are copied
 * unchanged, and the file is replaced atomically (temporary file in the same directory, fsync,
 * rename), so a crash at any moment leaves either the old file or the new one, and both open.
 *
 * <p>Edits by several threads or processes serialize on the directory's lock: each checks, under
 * the lock and through the one handle it copies the body from, that the header is still the one
 * its change was computed from, and starts over otherwise, so no edit is lost and no body is
 * copied from the wrong offset. The new file is checked to open with the default reader before it
 * replaces the old one, keeps the old file's permission bits, and a header the default reader
 * would refuse is never written ({@link FormatException}). Only regular files are edited (a
 * symlink's target is); a FIFO or device is refused.
 *
 * <pre>{@code
 * kms.rotate();
 * boolean changed = RecordingFiles.rewrap(recordings, new File("talk.oxr"), ReadOptions.defaults());
 * RecordingFiles.share(recordings, new File("talk.oxr"), colleagueKek, ReadOptions.defaults());
 * RecordingFiles.revoke(recordings, new File("talk.oxr"), colleagueKek.uri(), ReadOptions.defaults());
 * }</pre>
 *
 * <p>A file that holds a detached header alone (a sidecar such as {@code talk.oxr.oxh}) is edited
 * with {@link #rewrapDetached}, {@link #shareDetached} and {@link #revokeDetached}, under the same
 * lock and checks: only the sidecar is replaced, and the body is read at most once and at most its
 * first 56 bytes, only when a data key must be unwrapped.
 *
 * <pre>{@code
 * try (FileChannel body = FileChannel.open(Paths.get("talk.oxr"))) {
 *   RecordingFiles.rewrapDetached(recordings, new File("talk.oxr.oxh"), body, ReadOptions.defaults());
 * }
 * }</pre>
 */
public final class RecordingFiles {
  /** Suffix of the temporary files written next to a recording while it is replaced. */
  public static final String TEMP_SUFFIX = AtomicFile.TEMP_SUFFIX;

  private RecordingFiles() {}

  /** A header edit: gets the old header and body prefix, returns the new header. */
  interface HeaderEdit {
    RecordingHeader apply(RecordingHeader header, byte[] bodyPrefix)
        throws IOException, GeneralSecurityException;
  }

  /**
   * Re-wraps {@code file}'s data key under the current versions of {@code recordings}' wrap KEKs.
   * See {@link Recordings#rewrap}.
   *
   * @param recordings holds the wrap KEKs, and KEKs that can unwrap the recording
   * @param file the recording file
   * @param options how to open the header (expected context entries, limits)
   * @return true if the file was rewritten, false if its keys were already current
   * @throws IOException if the file cannot be read or replaced, is not a regular file, or is
   *     changed by a program that does not take Ox's lock ({@link ConcurrentEditException}); the
   *     file is then unchanged
   * @throws GeneralSecurityException if the recording cannot be opened with {@code recordings}'
   *     KEKs (for example {@link NoUsableKeyException}, {@link ContextMismatchException}), none of
   *     its keys was made by them ({@link NoUsableKeyException}: not theirs to re-wrap), or a KEK
   *     fails to wrap
   */
  public static boolean rewrap(Recordings recordings, File file, ReadOptions options)
      throws IOException, GeneralSecurityException {
    return edit(file, options, (h, prefix) -> recordings.rewrap(h, prefix, options));
  }

  /**
   * Adds a wrapped key for {@code recipient} to {@code file}'s header. See {@link
   * Recordings#share}.
   *
   * @param recordings holds KEKs that can unwrap the recording (unless {@code recipient} can
   *     re-wrap on the service side)
   * @param file the recording file
   * @param recipient the KEK to share with; only its public part is needed for an {@link
   *     com.getox.crypto.hpke.HpkeRecipient}
   * @param options how to open the header (expected context entries, limits)
   * @return true if the file was rewritten, false if {@code recipient} already had a wrapped key
   * @throws IOException if the file cannot be read or replaced, is not a regular file, or is
   *     changed by a program that does not take Ox's lock ({@link ConcurrentEditException}); the
   *     file is then unchanged
   * @throws HeaderLimitException if the new header would exceed the default reader's limits
   * @throws GeneralSecurityException if the data key cannot be obtained or wrapped for {@code
   *     recipient}
   */
  public static boolean share(Recordings recordings, File file, Kek recipient, ReadOptions options)
      throws IOException, GeneralSecurityException {
    return share(recordings, file, recipient, options, null);
  }

  /**
   * {@link #share(Recordings, File, Kek, ReadOptions)}, reporting the body copy's progress, for
   * example to draw a progress bar: the body is copied in blocks of at most 64 KiB, and after each
   * block {@code bodyBytesCopied} gets the running total of body bytes copied, ending at the body's
   * length. It is not called if the file is not rewritten, and it runs on the calling thread while
   * the directory's lock is held, so it should return quickly.
   *
   * <pre>{@code
   * RecordingFiles.share(recordings, file, colleagueKek, ReadOptions.defaults(),
   *     copied -> bar.stepTo(copied));
   * }</pre>
   *
   * @param recordings holds KEKs that can unwrap the recording (unless {@code recipient} can
   *     re-wrap on the service side)
   * @param file the recording file
   * @param recipient the KEK to share with; only its public part is needed for an {@link
   *     com.getox.crypto.hpke.HpkeRecipient}
   * @param options how to open the header (expected context entries, limits)
   * @param bodyBytesCopied gets the running total of body bytes copied after each block, or null
   * @return true if the file was rewritten, false if {@code recipient} already had a wrapped key
   * @throws IOException if the file cannot be read or replaced, is not a regular file, or is
   *     changed by a program that does not take Ox's lock ({@link ConcurrentEditException}); the
   *     file is then unchanged
   * @throws HeaderLimitException if the new header would exceed the default reader's limits
   * @throws GeneralSecurityException if the data key cannot be obtained or wrapped for {@code
   *     recipient}
   */
  public static boolean share(
      Recordings recordings,
      File file,
      Kek recipient,
      ReadOptions options,
      LongConsumer bodyBytesCopied)
      throws IOException, GeneralSecurityException {
    return edit(
        file,
        false,
        options,
        (h, prefix) -> recordings.share(h, prefix, recipient, options),
        bodyBytesCopied);
  }

  /**
   * Removes the wrapped keys of {@code kekUri} from {@code file}'s header. Needs no key. See
   * {@link Recordings#revoke} for what revocation cannot undo.
   *
   * @param recordings the instance whose audit sink records the revocation
   * @param file the recording file
   * @param kekUri the URI of the KEK to remove
   * @param options how to read the header (expected context entries, limits)
   * @return true if the file was rewritten
   * @throws IOException if the file cannot be read or replaced, is not a regular file, or is
   *     changed by a program that does not take Ox's lock ({@link ConcurrentEditException}); the
   *     file is then unchanged
   * @throws GeneralSecurityException an {@link OxCryptoException} if {@code kekUri} has no
   *     wrapped key in the file or is the only KEK that has one, or the header cannot be read
   */
  public static boolean revoke(Recordings recordings, File file, String kekUri, ReadOptions options)
      throws IOException, GeneralSecurityException {
    return revoke(recordings, file, kekUri, options, null);
  }

  /**
   * {@link #revoke(Recordings, File, String, ReadOptions)}, reporting the body copy's progress as
   * {@link #share(Recordings, File, Kek, ReadOptions, LongConsumer)} does.
   *
   * <pre>{@code
   * RecordingFiles.revoke(recordings, file, colleagueKek.uri(), ReadOptions.defaults(),
   *     copied -> bar.stepTo(copied));
   * }</pre>
   *
   * @param recordings the instance whose audit sink records the revocation
   * @param file the recording file
   * @param kekUri the URI of the KEK to remove
   * @param options how to read the header (expected context entries, limits)
   * @param bodyBytesCopied gets the running total of body bytes copied after each block, or null
   * @return true if the file was rewritten
   * @throws IOException if the file cannot be read or replaced, is not a regular file, or is
   *     changed by a program that does not take Ox's lock ({@link ConcurrentEditException}); the
   *     file is then unchanged
   * @throws GeneralSecurityException an {@link OxCryptoException} if {@code kekUri} has no
   *     wrapped key in the file or is the only KEK that has one, or the header cannot be read
   */
  public static boolean revoke(
      Recordings recordings,
      File file,
      String kekUri,
      ReadOptions options,
      LongConsumer bodyBytesCopied)
      throws IOException, GeneralSecurityException {
    return edit(
        file, false, options, (h, prefix) -> recordings.revoke(h, kekUri), bodyBytesCopied);
  }

  /**
   * Re-wraps the data key of a detached header kept in {@code headerFile} (a file holding the
   * header alone), replacing that file only. See {@link Recordings#rewrap(RecordingHeader,
   * ReadableByteChannel, ReadOptions)}.
   *
   * @param recordings holds the wrap KEKs, and KEKs that can unwrap the recording
   * @param headerFile the file holding the detached header alone
   * @param body the recording's body, positioned at its first byte; read only if a data key must
   *     be unwrapped, then at most 56 bytes, once (also when the edit starts over); not closed
   * @param options how to open the header (expected context entries, limits)
   * @return true if the file was rewritten, false if its keys were already current
   * @throws IOException if a file cannot be read or replaced, reading {@code body} fails, {@code
   *     headerFile} is not a regular file, or it is changed by a program that does not take Ox's
   *     lock ({@link ConcurrentEditException}); the file is then unchanged
   * @throws FormatException if {@code headerFile} holds more than a header (a recording file)
   * @throws TruncationException if the body ends before its salt and commitment
   * @throws GeneralSecurityException if the data key cannot be obtained ({@link
   *     NoUsableKeyException}, {@link ContextMismatchException}, an {@link
   *     AuthenticationException} for a body that is not this header's) or a KEK fails to wrap
   */
  public static boolean rewrapDetached(
      Recordings recordings, File headerFile, ReadableByteChannel body, ReadOptions options)
      throws IOException, GeneralSecurityException {
    final BodyPrefixOnce prefix = new BodyPrefixOnce(body);
    return edit(
        headerFile, true, options, (h, none) -> recordings.rewrap(h, prefix.channel(), options));
  }

  /**
   * Adds a wrapped key for {@code recipient} to the detached header kept in {@code headerFile},
   * replacing that file only. See {@link Recordings#share(RecordingHeader, ReadableByteChannel,
   * Kek, ReadOptions)}.
   *
   * @param recordings holds KEKs that can unwrap the recording (unless {@code recipient} can
   *     re-wrap on the service side)
   * @param headerFile the file holding the detached header alone
   * @param body the recording's body, positioned at its first byte; read only if the data key must
   *     be unwrapped, then at most 56 bytes, once; not closed
   * @param recipient the KEK to share with
   * @param options how to open the header (expected context entries, limits)
   * @return true if the file was rewritten, false if {@code recipient} already had a wrapped key
   * @throws IOException as for {@link #rewrapDetached}
   * @throws FormatException if {@code headerFile} holds more than a header
   * @throws HeaderLimitException if the new header would exceed the default reader's limits
   * @throws GeneralSecurityException if the data key cannot be obtained (an {@link
   *     AuthenticationException} for a body that is not this header's) or wrapped for {@code
   *     recipient}
   */
  public static boolean shareDetached(
      Recordings recordings,
      File headerFile,
      ReadableByteChannel body,
      Kek recipient,
      ReadOptions options)
      throws IOException, GeneralSecurityException {
    final BodyPrefixOnce prefix = new BodyPrefixOnce(body);
    return edit(
        headerFile,
        true,
        options,
        (h, none) -> recordings.share(h, prefix.channel(), recipient, options));
  }

  /**
   * Removes the wrapped keys of {@code kekUri} from the detached header kept in {@code
   * headerFile}. Needs no key and no body. See {@link Recordings#revoke}.
   *
   * @param recordings the instance whose audit sink records the revocation
   * @param headerFile the file holding the detached header alone
   * @param kekUri the URI of the KEK to remove
   * @param options how to read the header (limits)
   * @return true if the file was rewritten
   * @throws IOException as for {@link #rewrapDetached}
   * @throws GeneralSecurityException a {@link FormatException} if {@code headerFile} holds more
   *     than a header; an {@link OxCryptoException} if {@code kekUri} has no wrapped key in it or
   *     is the only KEK that has one
   */
  public static boolean revokeDetached(
      Recordings recordings, File headerFile, String kekUri, ReadOptions options)
      throws IOException, GeneralSecurityException {
    return edit(headerFile, true, options, (h, none) -> recordings.revoke(h, kekUri));
  }

  /**
   * The recordings under {@code paths} (files or directory trees) that only KEK {@code kekUri}
   * version {@code kekVersion} can open: destroying that version crypto-shreds exactly these.
   * Reads headers only; needs no key. Files whose header cannot be read are left out.
   *
   * @param paths files and directories to walk; each must exist
   * @param kekUri the KEK's URI
   * @param kekVersion the version, as recorded in wrapped keys ({@link
   *     com.getox.crypto.kek.WrappedKey#kekVersion()})
   * @param options limits for reading the headers
   * @return the recordings every wrapped key of which is that KEK version's, in walk order
   * @throws IOException if a path does not exist or a directory cannot be walked
   */
  public static java.util.List<File> dependingOnlyOn(
      java.util.List<File> paths, String kekUri, String kekVersion, ReadOptions options)
      throws IOException {
    java.util.List<File> out = new java.util.ArrayList<>();
    for (File f : BulkRewrap.walk(paths)) {
      RecordingHeader h;
      try {
        h = readHeader(f, options);
      } catch (OxCryptoException e) {
        continue; // unreadable headers are not ours to judge
      }
      boolean only = true;
      for (com.getox.crypto.kek.WrappedKey w : h.wrappedKeys()) {
        only &= w.kekUri().equals(kekUri) && w.kekVersion().equals(kekVersion);
      }
      if (only) {
        out.add(f);
      }
    }
    return out;
  }

  /**
   * Encrypts the file {@code in} into the recording file {@code out} on several threads, as {@link
   * Recordings#encrypt(ReadableByteChannel, java.nio.channels.WritableByteChannel,
   * EncryptionContext, Parallelism)} does (see there for when it helps). The recording goes to an
   * owner-only temporary file beside {@code out}, is synced, and is renamed over {@code out} only
   * once complete: {@code out} is never seen partial, and a failure leaves it as it was. A new
   * {@code out} is owner-only (0600); an existing one keeps its permission bits.
   *
   * <pre>{@code
   * RecordingFiles.encrypt(recordings, new File("talk.wav"), new File("talk.oxr"), ctx,
   *     Parallelism.availableProcessors());
   * }</pre>
   *
   * @param recordings holds the wrap KEKs
   * @param in the plaintext file
   * @param out the recording file to write or replace
   * @param context the recording's encryption context
   * @param parallelism how many threads
   * @return the recording's header
   * @throws IOException if {@code in} cannot be read or {@code out} written; {@code out} is then
   *     as it was
   * @throws GeneralSecurityException as {@link Recordings#encrypt(ReadableByteChannel,
   *     java.nio.channels.WritableByteChannel, EncryptionContext, Parallelism)}
   */
  public static RecordingHeader encrypt(
      final Recordings recordings,
      File in,
      File out,
      final EncryptionContext context,
      final Parallelism parallelism)
      throws IOException, GeneralSecurityException {
    final RecordingHeader[] header = new RecordingHeader[1];
    try (FileInputStream src = new FileInputStream(in)) {
      final ReadableByteChannel channel = src.getChannel();
      AtomicFile.replace(
          out,
          AtomicFile.Mode.KEEP,
          sink -> {
            try {
              header[0] = recordings.encrypt(channel, Streams.writableChannel(sink), context, parallelism);
            } catch (GeneralSecurityException e) {
              throw new Tunnel(e);
            }
          });
    } catch (Tunnel t) {
      throw t.failure;
    }
    return header[0];
  }

  /**
   * Decrypts the recording file {@code in} into the file {@code out} on several threads, as {@link
   * Recordings#decrypt(ReadableByteChannel, java.nio.channels.WritableByteChannel, ReadOptions,
   * Parallelism)} does. The plaintext goes to an owner-only temporary file beside {@code out},
   * which replaces {@code out} only once every chunk authenticated: on any failure (damage, a cut,
   * a wrong key) {@code out} is left as it was and no plaintext stays behind. {@code out} is
   * owner-only (0600), whatever it was before.
   *
   * <pre>{@code
   * long n = RecordingFiles.decrypt(recordings, new File("talk.oxr"), new File("talk.wav"),
   *     ReadOptions.defaults(), Parallelism.availableProcessors());
   * }</pre>
   *
   * @param recordings holds KEKs that can unwrap the recording
   * @param in the recording file (or its body, with a detached header in {@code options})
   * @param out the plaintext file to write or replace
   * @param options expected context entries, a detached header, limits
   * @param parallelism how many threads
   * @return the number of plaintext bytes
   * @throws IOException if {@code in} cannot be read or {@code out} written; {@code out} is then
   *     as it was
   * @throws GeneralSecurityException as {@link Recordings#decrypt(ReadableByteChannel,
   *     java.nio.channels.WritableByteChannel, ReadOptions, Parallelism)}; {@code out} is then as
   *     it was
   */
  public static long decrypt(
      final Recordings recordings,
      File in,
      File out,
      final ReadOptions options,
      final Parallelism parallelism)
      throws IOException, GeneralSecurityException {
    final long[] n = new long[1];
    try (FileInputStream src = new FileInputStream(in)) {
      final ReadableByteChannel channel = src.getChannel();
      AtomicFile.replace(
          out,
          AtomicFile.Mode.OWNER_ONLY,
          sink -> {
            try {
              n[0] = recordings.decrypt(channel, Streams.writableChannel(sink), options, parallelism);
            } catch (GeneralSecurityException e) {
              throw new Tunnel(e);
            }
          });
    } catch (Tunnel t) {
      throw t.failure;
    }
    return n[0];
  }

  /** Carries a security failure through {@link AtomicFile}, which takes only IOExceptions. */
  private static final class Tunnel extends IOException {
    private static final long serialVersionUID = 1L;
    final GeneralSecurityException failure;

    Tunnel(GeneralSecurityException failure) {
      super(failure.getMessage(), failure);
      this.failure = failure;
    }
  }

  /**
   * Whether {@code file} looks like a recording: a regular file that starts with the recording
   * magic bytes. Never throws for an unreadable file.
   *
   * @param file the file to check
   * @return true if it is a regular file at least as long as a header's preamble and starts with
   *     the magic bytes; false otherwise, or if it cannot be read
   */
  public static boolean looksLikeRecording(File file) {
    if (!file.isFile() || file.length() < RecordingHeader.PREAMBLE_BYTES) {
      return false;
    }
    try (InputStream in = new FileInputStream(file)) {
      byte[] magic = new byte[RecordingHeader.MAGIC.length];
      int n = 0;
      while (n < magic.length) {
        int k = in.read(magic, n, magic.length - n);
        if (k < 0) {
          return false;
        }
        n += k;
      }
      return java.util.Arrays.equals(magic, RecordingHeader.MAGIC);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Reads {@code file}'s header (without keys).
   *
   * @param file the recording file
   * @param options limits for reading the header; a detached header in them is ignored
   * @return the header, not yet authenticated (that happens when the recording is opened)
   * @throws IOException if the file cannot be read
   * @throws OxCryptoException if the header is malformed or exceeds the limits ({@link
   *     FormatException}, {@link UnsupportedFormatException}, {@link TruncationException})
   */
  public static RecordingHeader readHeader(File file, ReadOptions options)
      throws IOException, OxCryptoException {
    try (InputStream in = new BufferedInputStream(new FileInputStream(file))) {
      return RecordingHeader.read(in, options);
    }
  }

  /**
   * Edits computed outside the lock (KMS calls can be slow) before one made wholly under it. Each
   * failed attempt means another edit of the same file finished in between, so the last, locked
   * attempt always makes progress: edits never starve, however many processes contend.
   */
  static final int OPTIMISTIC_ATTEMPTS = 4;

  /** Test seam: told each step of a file edit. Null outside tests. */
  interface Steps {
    /**
     * {@code "locked"}: under the lock, the header re-read and unchanged, before the temporary
     * file; {@code "written"}: the temporary file complete and verified, before the rename; {@code
     * "replaced"}: after the rename, before the lock is released.
     */
    void reached(String step, File file) throws IOException;
  }

  static volatile Steps steps;

  /**
   * Applies {@code edit} to {@code file}'s header. Reads the header and computes the new one
   * without the lock; then, under the directory lock, opens the file once, checks through that
   * handle that the header and body prefix are still the bytes the edit was computed from, and
   * writes the new header and the body copied from that same handle through {@link
   * AtomicFile#replace} (mode kept), which first checks that the new file opens. If another edit
   * changed the file in between, starts over; the last attempt computes under the lock.
   */
  static boolean edit(File file, ReadOptions options, HeaderEdit edit)
      throws IOException, GeneralSecurityException {
    return edit(file, false, options, edit);
  }

  /**
   * {@link #edit(File, ReadOptions, HeaderEdit)} of a recording file, or, if {@code detached}, of a
   * file holding a detached header alone (its edit gets an empty body prefix).
   */
  static boolean edit(File file, boolean detached, ReadOptions options, HeaderEdit edit)
      throws IOException, GeneralSecurityException {
    return edit(file, detached, options, edit, null);
  }

  /**
   * {@link #edit(File, boolean, ReadOptions, HeaderEdit)}, giving {@code bodyBytesCopied} (if not
   * null) the running total of body bytes copied after each block.
   */
  static boolean edit(
      File file,
      boolean detached,
      ReadOptions options,
      HeaderEdit edit,
      LongConsumer bodyBytesCopied)
      throws IOException, GeneralSecurityException {
    File real = file.getCanonicalFile(); // a symlink's target is edited, the link stays
    for (int attempt = 1; ; attempt++) {
      boolean last = attempt > OPTIMISTIC_ATTEMPTS;
      FileLocks.Held whole = last ? FileLocks.lockDirectoryOf(real) : null;
      try {
        Snapshot before = Snapshot.read(real, options, detached);
        RecordingHeader next = edit.apply(before.header, before.prefix.clone());
        if (next == before.header) {
          return false;
        }
        byte[] nextBytes = next.checkWritable().toByteArray();
        try (FileLocks.Held lock = FileLocks.lockDirectoryOf(real)) {
          requireRegular(real);
          try (RandomAccessFile in = new RandomAccessFile(real, "r")) {
            if (!before.matches(in)) {
              if (last) {
                throw new ConcurrentEditException(
                    (detached ? "detached header " : "recording ")
                        + real
                        + " changed while locked for an edit: a program that does not take Ox's"
                        + " lock is writing it; nothing was changed");
              }
              continue; // another edit came first: start over from its header
            }
            step("locked", real);
            replace(real, in, before, nextBytes, detached, bodyBytesCopied);
            step("replaced", real);
            return true;
          }
        }
      } finally {
        if (whole != null) {
          whole.close();
        }
      }
    }
  }

  /**
   * Writes {@code header} followed by the body read from {@code in}, checked, then renames;
   * {@code bodyBytesCopied} (if not null) gets the running total after each block.
   */
  private static void replace(
      final File file,
      final RandomAccessFile in,
      final Snapshot before,
      final byte[] header,
      final boolean detached,
      final LongConsumer bodyBytesCopied)
      throws IOException {
    final long bodyStart = before.headerBytes.length;
    final long bodyBytes = in.length() - bodyStart;
    AtomicFile.replace(
        file,
        AtomicFile.Mode.KEEP,
        out -> {
          out.write(header);
          in.seek(bodyStart);
          byte[] buf = new byte[64 * 1024];
          long left = bodyBytes;
          while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
              throw new ConcurrentEditException(
                  "recording " + file + " shrank while its body was copied; nothing was changed");
            }
            out.write(buf, 0, n);
            left -= n;
            if (bodyBytesCopied != null) {
              bodyBytesCopied.accept(bodyBytes - left);
            }
          }
        },
        written -> {
          verify(written, header, before.prefix, bodyBytes, detached);
          step("written", file);
        });
  }

  /**
   * The new file opens with the default reader, holds exactly the new header, and the same body
   * length and salt and commitment as the old one.
   */
  private static void verify(
      File written, byte[] header, byte[] prefix, long bodyBytes, boolean detached)
      throws IOException {
    if (written.length() != header.length + bodyBytes) {
      throw new IOException("the rewritten recording has the wrong length; nothing was changed");
    }
    Snapshot now;
    try {
      now = Snapshot.read(written, ReadOptions.defaults(), detached);
    } catch (OxCryptoException e) {
      throw new IOException("the rewritten recording would not open: " + e.getMessage(), e);
    }
    if (!Arrays.equals(now.headerBytes, header) || !Arrays.equals(now.prefix, prefix)) {
      throw new IOException("the rewritten recording differs from what was written");
    }
  }

  private static void requireRegular(File real) throws IOException {
    if (!real.exists()) {
      throw new java.io.FileNotFoundException("no such file: " + real);
    }
    if (!real.isFile()) {
      throw new IOException("not a regular file, not edited: " + real);
    }
  }

  private static void step(String name, File file) throws IOException {
    Steps s = steps;
    if (s != null) {
      s.reached(name, file);
    }
  }

  /**
   * A detached body's salt and commitment, read from its channel on first use only, at most 56
   * bytes and once however often an edit starts over; each {@link #channel()} replays them.
   */
  private static final class BodyPrefixOnce {
    private final ReadableByteChannel body;
    private byte[] read;

    BodyPrefixOnce(ReadableByteChannel body) {
      if (body == null) {
        throw new NullPointerException("body");
      }
      this.body = body;
    }

    /** A channel over the prefix; it reads {@code body} on its first read. */
    ReadableByteChannel channel() {
      return new ReadableByteChannel() {
        private int position;

        @Override
        public int read(ByteBuffer dst) throws IOException {
          byte[] prefix = prefix();
          if (position == prefix.length) {
            return -1;
          }
          int n = Math.min(dst.remaining(), prefix.length - position);
          dst.put(prefix, position, n);
          position += n;
          return n;
        }

        @Override
        public boolean isOpen() {
          return true;
        }

        @Override
        public void close() {}
      };
    }

    private synchronized byte[] prefix() throws IOException {
      if (read == null) {
        ByteBuffer buf = ByteBuffer.allocate(Cobblestone.PREFIX_BYTES);
        // A short body gives a short prefix: the reader reports the truncation.
        int n = 0;
        while (buf.hasRemaining() && n >= 0) {
          n = body.read(buf);
        }
        read = Arrays.copyOf(buf.array(), buf.position());
      }
      return read;
    }
  }

  /** A header's exact bytes and the body's salt and commitment, as one edit saw them. */
  private static final class Snapshot {
    final byte[] headerBytes;
    final RecordingHeader header;
    final byte[] prefix;

    private Snapshot(byte[] headerBytes, RecordingHeader header, byte[] prefix) {
      this.headerBytes = headerBytes;
      this.header = header;
      this.prefix = prefix;
    }

    /** A detached header's snapshot has an empty prefix: the file holds the header alone. */
    static Snapshot read(File real, ReadOptions options, boolean detached)
        throws IOException, OxCryptoException {
      requireRegular(real); // never open a FIFO: it would block
      try (InputStream in = new BufferedInputStream(new FileInputStream(real))) {
        byte[] bytes = RecordingHeader.readBytes(in, options);
        RecordingHeader header = RecordingHeader.parse(bytes, options);
        if (detached) {
          if (real.length() != bytes.length) {
            throw new FormatException(
                real
                    + " holds more than a header (a recording file, not a detached header):"
                    + " edit it with rewrap, share or revoke");
          }
          return new Snapshot(bytes, header, new byte[0]);
        }
        byte[] prefix = new byte[Cobblestone.PREFIX_BYTES];
        if (real.length() == bytes.length) {
          throw new TruncationException(
              real
                  + " holds a header alone (a detached header): edit it with"
                  + " RecordingFiles.rewrapDetached, shareDetached or revokeDetached and its body");
        }
        Streams.readFully(
            in, prefix, 0, prefix.length, "recording ends before its body's salt and commitment");
        return new Snapshot(bytes, header, prefix);
      }
    }

    /** Whether {@code in} still starts with these bytes; leaves it positioned anywhere. */
    boolean matches(RandomAccessFile in) throws IOException {
      byte[] now = new byte[headerBytes.length + prefix.length];
      if (in.length() < now.length || (prefix.length == 0 && in.length() != now.length)) {
        return false; // a detached header's file holds it alone
      }
      in.seek(0);
      in.readFully(now);
      return Arrays.equals(Arrays.copyOf(now, headerBytes.length), headerBytes)
          && Arrays.equals(Arrays.copyOfRange(now, headerBytes.length, now.length), prefix);
    }
  }
}
