package com.getox.crypto.internal;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Replaces a file atomically: writes a temporary file in the same directory, syncs it, and
 * renames it over the target, so a crash leaves the old file or the new one, never a mix. Uses
 * java.io only (java.nio.file is Android API 26). Relies on POSIX rename-over semantics (Linux,
 * Android, macOS); where a rename cannot replace an existing file it fails closed with an
 * IOException rather than delete-then-rename, which could lose the file in a crash.
 */
public final class AtomicFile {
  /** Writes the new content. */
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  private AtomicFile() {}

  /**
   * @param tempSuffix the temporary file's suffix; it is named {@code .<target name>.<random><suffix>}
   */
  public static void replace(File target, String tempSuffix, Content content) throws IOException {
    File dir = target.getAbsoluteFile().getParentFile();
    File tmp = File.createTempFile("." + target.getName() + ".", tempSuffix, dir);
    boolean ok = false;
    try {
      try (FileOutputStream out = new FileOutputStream(tmp)) {
        content.writeTo(out);
        out.flush();
        out.getFD().sync();
      }
      if (!tmp.renameTo(target)) {
        throw new IOException("cannot replace " + target);
      }
      ok = true;
    } finally {
      if (!ok && !tmp.delete()) {
        tmp.deleteOnExit();
      }
    }
  }
}
