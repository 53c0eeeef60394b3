package com.getox.crypto.sframe;

import com.getox.crypto.internal.AtomicFile;
import com.getox.crypto.internal.FileLocks;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The file-backed {@link CounterStore}: see {@link CounterStore#file(File)}. It keeps the values
 * in memory, which is safe only because it is the file's one live store: it claims {@code
 * FILE.lock} ({@link FileLocks#tryClaim}, across threads and processes) from open to close.
 */
final class FileCounterStore implements CounterStore {
  private final File file;
  private final Map<String, Long> values;
  private final FileLocks.Held claim;
  private boolean closed; // guarded by this

  private FileCounterStore(File file, Map<String, Long> values, FileLocks.Held claim) {
    this.file = file;
    this.values = values;
    this.claim = claim;
  }

  static FileCounterStore open(File file) throws IOException {
    File lockFile = new File(file.getCanonicalPath() + ".lock");
    FileLocks.Held claim = FileLocks.tryClaim(lockFile);
    if (claim == null) {
      throw new CounterStoreInUseException(
          "counter store "
              + file
              + " is in use by another sender (in this process or another): two senders on one"
              + " counter file would reuse nonces; close the other store first");
    }
    try {
      return new FileCounterStore(file, read(file), claim);
    } catch (IOException | RuntimeException e) {
      claim.close();
      throw e;
    }
  }

  /** Reads the values; the caller holds the claim, so no live store changes them. */
  private static Map<String, Long> read(File file) throws IOException {
    File source = file.exists() ? file : null;
    Map<String, Long> values = new TreeMap<>();
    if (source != null) {
      Properties p = new Properties();
      try (InputStream in = new FileInputStream(source)) {
        p.load(in);
      } catch (IllegalArgumentException e) {
        throw new IOException("counter store " + source + " is malformed", e);
      }
      for (String name : p.stringPropertyNames()) {
        values.put(name, parseUnsignedHex(p.getProperty(name), source));
      }
    }
    return values;
  }

  @Override
  public synchronized long load(String name) throws IOException {
    checkOpen();
    Long v = values.get(name);
    return v == null ? 0 : v;
  }

  @Override
  public synchronized void store(String name, long value) throws IOException {
    checkOpen();
    Long old = values.put(name, value);
    try {
      write();
    } catch (IOException e) {
      if (old == null) {
        values.remove(name);
      } else {
        values.put(name, old);
      }
      throw e;
    }
  }

  @Override
  public synchronized void remove(String name) throws IOException {
    checkOpen();
    Long old = values.remove(name);
    if (old == null) {
      return;
    }
    try {
      write();
    } catch (IOException e) {
      values.put(name, old);
      throw e;
    }
  }

  /** Releases the counter file for another store; later calls fail. */
  @Override
  public synchronized void close() throws IOException {
    if (!closed) {
      closed = true;
      claim.close();
    }
  }

  private void checkOpen() throws IOException {
    if (closed) {
      throw new IOException("counter store " + file + " is closed");
    }
  }

  private void write() throws IOException {
    Properties p = new Properties();
    for (Map.Entry<String, Long> e : values.entrySet()) {
      p.setProperty(e.getKey(), Long.toHexString(e.getValue()));
    }
    AtomicFile.replace(
        file,
        AtomicFile.Mode.OWNER_ONLY,
        out -> p.store(out, "SFrame sender counters (next unused value, hex); do not edit or copy"));
  }

  private static long parseUnsignedHex(String s, File source) throws IOException {
    if (s.isEmpty() || s.length() > 16) {
      throw new IOException("counter store " + source + " holds a malformed value");
    }
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      int d = Character.digit(s.charAt(i), 16);
      if (d < 0) {
        throw new IOException("counter store " + source + " holds a malformed value");
      }
      v = v << 4 | d;
    }
    return v;
  }

  @Override
  public String toString() {
    return "CounterStore.file(" + file + ")";
  }
}
