package com.getox.crypto.sframe;

import com.getox.crypto.internal.AtomicFile;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** The file-backed {@link CounterStore}: see {@link CounterStore#file(File)}. */
final class FileCounterStore implements CounterStore {
  private final File file;
  private final Map<String, Long> values;

  private FileCounterStore(File file, Map<String, Long> values) {
    this.file = file;
    this.values = values;
  }

  static FileCounterStore open(File file) throws IOException {
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
    return new FileCounterStore(file, values);
  }

  @Override
  public synchronized long load(String name) {
    Long v = values.get(name);
    return v == null ? 0 : v;
  }

  @Override
  public synchronized void store(String name, long value) throws IOException {
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
