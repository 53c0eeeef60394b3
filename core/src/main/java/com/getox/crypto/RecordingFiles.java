package com.getox.crypto;

import com.getox.crypto.internal.AtomicFile;
import com.getox.crypto.internal.Cobblestone;
import com.getox.crypto.internal.Streams;
import com.getox.crypto.kek.Kek;
import java.io.BufferedInputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;

/**
 * Header-only edits of recording files: re-wrap, share, revoke. The body bytes are copied
 * unchanged, and the file is replaced atomically (temporary file in the same directory, fsync,
 * rename), so a crash at any moment leaves either the old file or the new one, and both open.
 *
 * <pre>{@code
 * kms.rotate();
 * boolean changed = RecordingFiles.rewrap(recordings, new File("talk.oxr"), ReadOptions.defaults());
 * RecordingFiles.share(recordings, new File("talk.oxr"), colleagueKek, ReadOptions.defaults());
 * RecordingFiles.revoke(recordings, new File("talk.oxr"), colleagueKek.uri(), ReadOptions.defaults());
 * }</pre>
 *
 * For a detached header, use {@link Recordings#rewrap}, {@link Recordings#share} and {@link
 * Recordings#revoke} on the header bytes directly: the body does not move.
 */
public final class RecordingFiles {
  /** Suffix of the temporary files written next to a recording while it is replaced. */
  public static final String TEMP_SUFFIX = AtomicFile.TEMP_SUFFIX;

  private RecordingFiles() {}

  /** A header edit: gets the old header and body prefix, returns the new header. */
  interface HeaderEdit {
    RecordingHeader apply(RecordingHeader header, byte[] bodyPrefix)
        throws GeneralSecurityException;
  }

  /**
   * Re-wraps {@code file}'s data key under the current versions of {@code recordings}' wrap KEKs.
   *
   * @return true if the file was rewritten, false if its keys were already current
   */
  public static boolean rewrap(Recordings recordings, File file, ReadOptions options)
      throws IOException, GeneralSecurityException {
    return edit(file, options, (h, prefix) -> recordings.rewrap(h, prefix, options));
  }

  /** Adds a wrapped key for {@code recipient} to {@code file}'s header. */
  public static boolean share(Recordings recordings, File file, Kek recipient, ReadOptions options)
      throws IOException, GeneralSecurityException {
    return edit(file, options, (h, prefix) -> recordings.share(h, prefix, recipient, options));
  }

  /** Removes the wrapped keys of {@code kekUri} from {@code file}'s header. */
  public static boolean revoke(Recordings recordings, File file, String kekUri, ReadOptions options)
      throws IOException, GeneralSecurityException {
    return edit(file, options, (h, prefix) -> recordings.revoke(h, kekUri));
  }

  /**
   * The recordings under {@code paths} (files or directory trees) that only KEK {@code kekUri}
   * version {@code kekVersion} can open: destroying that version crypto-shreds exactly these.
   * Reads headers only; needs no key.
   */
  public static java.util.List<File> dependingOnlyOn(
      java.util.List<File> paths, String kekUri, String kekVersion, ReadOptions options)
      throws IOException {
    java.util.List<File> out = new java.util.ArrayList<>();
    for (File f : BulkRewrap.walk(paths, false)) {
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

  /** True if {@code file} starts with the recording magic bytes. */
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

  /** Reads {@code file}'s header (without keys). */
  public static RecordingHeader readHeader(File file, ReadOptions options)
      throws IOException, OxCryptoException {
    try (InputStream in = new BufferedInputStream(new FileInputStream(file))) {
      return RecordingHeader.read(in, options);
    }
  }

  static boolean edit(File file, ReadOptions options, HeaderEdit edit)
      throws IOException, GeneralSecurityException {
    RecordingHeader header;
    byte[] prefix = new byte[Cobblestone.PREFIX_BYTES];
    long bodyStart;
    try (InputStream in = new BufferedInputStream(new FileInputStream(file))) {
      header = RecordingHeader.read(in, options);
      Streams.readFully(
          in, prefix, 0, prefix.length, "recording ends before its body's salt and commitment");
    }
    bodyStart = header.toByteArray().length;
    RecordingHeader next = edit.apply(header, prefix);
    if (next == header) {
      return false;
    }
    replace(file, next.toByteArray(), bodyStart);
    return true;
  }

  /** Writes {@code header} followed by {@code file}'s bytes from {@code bodyStart}, then renames. */
  private static void replace(final File file, final byte[] header, final long bodyStart)
      throws IOException {
    AtomicFile.replace(
        file,
        AtomicFile.Mode.KEEP,
        out -> {
          out.write(header);
          try (FileInputStream in = new FileInputStream(file)) {
            long skipped = 0;
            while (skipped < bodyStart) {
              long k = in.skip(bodyStart - skipped);
              if (k <= 0) {
                throw new IOException("cannot skip the old header of " + file);
              }
              skipped += k;
            }
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
              out.write(buf, 0, n);
            }
          }
        });
  }
}
