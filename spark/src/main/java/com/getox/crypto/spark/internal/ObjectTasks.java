package com.getox.crypto.spark.internal;

import com.getox.crypto.KmsException;
import com.getox.crypto.OxCryptoException;
import com.getox.crypto.EncryptionContext;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingFiles;
import com.getox.crypto.RecordingHeader;
import com.getox.crypto.RecordingInputStream;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.spark.FleetOptions;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * What each job does to one object, on an executor. Every outcome, failures included, is one
 * result row; nothing here throws for an object. Errors are reported by class name only (their
 * messages may name a key or a path's secrets; classes never do).
 *
 * <p>Writes never leave a partial file where a recording was or is expected: the new bytes go to
 * a temporary file beside the target ({@code .NAME.RANDOM.oxtmp}, skipped by every listing),
 * which is synced where the file system can and checked to open with the default reader, with
 * the expected lengths, before it is renamed over the target. On the local file system, re-wraps go through {@link
 * RecordingFiles#rewrap} itself (directory lock, re-check, fsync, atomic rename).
 */
public final class ObjectTasks {
  /** Job names, also the first word of the summary. */
  public static final String ENCRYPT = "encrypt";
  /** The re-wrap job. */
  public static final String REWRAP = "rewrap";
  /** The verify job. */
  public static final String VERIFY = "verify";
  /** The shred-scan job. */
  public static final String SHRED_SCAN = "shred-scan";

  /** Test seam: told the target's path after the temporary file is verified, before the rename. */
  public static volatile Consumer<String> beforeRename;
  /** Test seam: re-wrap local files through the Hadoop path too. */
  public static volatile boolean hadoopPathForLocalFiles;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int BODY_PREFIX_BYTES = 56;

  private ObjectTasks() {}

  /** One object: the job's result row (see {@link Fleet#SCHEMA}). */
  static Row process(String job, String path, Configuration conf, FleetOptions o, String base) {
    Keys.resetEvents();
    Result r = new Result(path);
    for (int attempt = 1; ; attempt++) {
      try {
        switch (job) {
          case ENCRYPT: encrypt(r, conf, o, base); break;
          case REWRAP:
            if (isS3(path) && !o.s3WholeFiles()) {
              S3Objects.rewrap(r, o);
            } else {
              rewrap(r, conf, o);
            }
            break;
          case VERIFY:
            if (isS3(path) && !o.s3WholeFiles()) {
              S3Objects.verify(r, o);
            } else {
              verify(r, conf, o);
            }
            break;
          case SHRED_SCAN:
            if (isS3(path) && !o.s3WholeFiles()) {
              S3Objects.shredScan(r, o);
            } else {
              shredScan(r, conf, o);
            }
            break;
          default: throw new IllegalArgumentException("unknown job " + job);
        }
        r.errorClass = null;
        break;
      } catch (Exception | LinkageError e) {
        r.status = "failed";
        r.errorClass = errorClass(e);
        if (attempt >= o.kmsAttempts() || !retryable(e)) {
          break;
        }
        try {
          Thread.sleep(Math.min(10_000L, 200L << (attempt - 1)));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    return RowFactory.create(r.path, r.status, r.before, r.after, r.bytes, r.errorClass,
        Keys.events(), r.bodyBytesMoved);
  }

  /** One object's row, filled in by the job. */
  static final class Result {
    final String path;
    String status = "failed";
    String before;
    String after;
    long bytes;
    /** Object bytes this task downloaded or uploaded (headers and metadata requests aside). */
    long bodyBytesMoved;
    String errorClass;

    Result(String path) {
      this.path = path;
    }
  }

  private static void encrypt(Result r, Configuration conf, FleetOptions o, String base)
      throws IOException, GeneralSecurityException {
    Path src = new Path(r.path);
    FileSystem sfs = src.getFileSystem(conf);
    long length = sfs.getFileStatus(src).getLen();
    Path target = targetOf(sfs.makeQualified(src), base, o);
    FileSystem tfs = raw(target.getFileSystem(conf));
    if (tfs.exists(target)) {
      // A finished earlier run: only complete, checked files are ever renamed to a target.
      RecordingHeader h = checkWritten(tfs, target, length);
      r.before = r.after = versions(h);
      r.bytes = length;
      r.status = "skipped";
      return;
    }
    Recordings recordings = Keys.recordings(o);
    tfs.mkdirs(target.getParent());
    Path tmp = tempBeside(target);
    try {
      try (InputStream in = sfs.open(src);
          OutputStream out = synced(tfs.create(tmp, false));
          RecordingWriter w = recordings.newWriter(out, EncryptionContext.empty())) {
        byte[] buf = new byte[Recordings.chunkSizeBytes()];
        int n;
        while ((n = in.read(buf)) > 0) {
          w.write(buf, 0, n);
        }
      }
      RecordingHeader h = checkWritten(tfs, tmp, length);
      long written = tfs.getFileStatus(tmp).getLen();
      renameIntoPlace(tfs, conf, tmp, target, false);
      r.after = versions(h);
      r.bytes = length;
      r.bodyBytesMoved = length + written; // the source read, the recording written
      r.status = "encrypted";
    } finally {
      tfs.delete(tmp, false);
    }
  }

  private static void rewrap(Result r, Configuration conf, FleetOptions o)
      throws IOException, GeneralSecurityException {
    Path p = new Path(r.path);
    FileSystem fs = p.getFileSystem(conf);
    Recordings recordings = Keys.recordings(o);
    if (fs instanceof LocalFileSystem && !hadoopPathForLocalFiles) {
      File f = ((LocalFileSystem) fs).pathToFile(fs.makeQualified(p));
      r.before = versions(RecordingFiles.readHeader(f, ReadOptions.defaults()));
      boolean changed = RecordingFiles.rewrap(recordings, f, ReadOptions.defaults());
      r.after = versions(RecordingFiles.readHeader(f, ReadOptions.defaults()));
      r.bytes = f.length();
      r.bodyBytesMoved = changed ? 2 * f.length() : 0; // the body copied: read and written
      r.status = changed ? "rewrapped" : "current";
      return;
    }
    fs = raw(fs);
    FileStatus st = fs.getFileStatus(p);
    RecordingHeader h;
    byte[] prefix = new byte[BODY_PREFIX_BYTES];
    int headerBytes;
    try (FSDataInputStream in = fs.open(p)) {
      h = RecordingHeader.read(in, ReadOptions.defaults());
      headerBytes = h.toByteArray().length;
      in.readFully(headerBytes, prefix);
    }
    r.before = versions(h);
    r.bytes = st.getLen();
    RecordingHeader next = recordings.rewrap(h, prefix, ReadOptions.defaults());
    if (next == h) {
      r.after = r.before;
      r.status = "current";
      return;
    }
    byte[] newHeader = next.toByteArray();
    long bodyBytes = st.getLen() - headerBytes;
    Path tmp = tempBeside(p);
    try {
      try (FSDataInputStream in = fs.open(p); OutputStream out = synced(fs.create(tmp, false))) {
        out.write(newHeader);
        in.seek(headerBytes);
        byte[] buf = new byte[64 * 1024];
        long left = bodyBytes;
        while (left > 0) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, left));
          if (n < 0) {
            throw new com.getox.crypto.ConcurrentEditException("recording shrank while copied");
          }
          out.write(buf, 0, n);
          left -= n;
        }
      }
      // The copy holds exactly the new header, the same body length and salt and commitment.
      try (FSDataInputStream in = fs.open(tmp)) {
        RecordingHeader back = RecordingHeader.read(in, ReadOptions.defaults());
        byte[] again = new byte[BODY_PREFIX_BYTES];
        in.readFully(newHeader.length, again);
        if (!Arrays.equals(back.toByteArray(), newHeader) || !Arrays.equals(again, prefix)
            || fs.getFileStatus(tmp).getLen() != newHeader.length + bodyBytes) {
          throw new IOException("the re-wrapped copy does not read back as written");
        }
      }
      FileStatus now = fs.getFileStatus(p);
      if (now.getLen() != st.getLen() || now.getModificationTime() != st.getModificationTime()) {
        throw new com.getox.crypto.ConcurrentEditException("recording changed while re-wrapped");
      }
      renameIntoPlace(fs, conf, tmp, p, true);
      r.after = versions(next);
      r.bytes = newHeader.length + bodyBytes;
      r.bodyBytesMoved = 2 * bodyBytes; // the body copied: read and written
      r.status = "rewrapped";
    } finally {
      fs.delete(tmp, false);
    }
  }

  private static void verify(Result r, Configuration conf, FleetOptions o)
      throws IOException, GeneralSecurityException {
    Path p = new Path(r.path);
    FileSystem fs = p.getFileSystem(conf);
    Recordings recordings = Keys.recordings(o);
    long bytes = 0;
    try (RecordingInputStream in = recordings.newInputStream(fs.open(p), ReadOptions.defaults())) {
      r.before = r.after = versions(in.header());
      if (!o.headerOnly()) {
        byte[] buf = new byte[Recordings.chunkSizeBytes()];
        int n;
        while ((n = in.read(buf, 0, buf.length)) > 0) {
          bytes += n;
        }
        Arrays.fill(buf, (byte) 0);
      }
    }
    r.bytes = o.headerOnly() ? fs.getFileStatus(p).getLen() : bytes;
    r.bodyBytesMoved = o.headerOnly() ? BODY_PREFIX_BYTES : fs.getFileStatus(p).getLen();
    r.status = "ok";
  }

  private static void shredScan(Result r, Configuration conf, FleetOptions o) throws IOException,
      OxCryptoException {
    Path p = new Path(r.path);
    FileSystem fs = p.getFileSystem(conf);
    RecordingHeader h;
    try (InputStream in = fs.open(p)) {
      h = RecordingHeader.read(in, ReadOptions.defaults());
    }
    r.before = r.after = versions(h);
    r.bytes = fs.getFileStatus(p).getLen();
    r.status = dependsOnlyOn(h, o.kekUri(), o.kekVersion()) ? "shreds" : "safe";
  }

  /**
   * Whether {@code path} names an S3 object ({@code s3://} or {@code s3a://}), handled by {@link
   * S3Objects} (which alone loads the s3 module's classes).
   */
  static boolean isS3(String path) {
    return path.startsWith("s3://") || path.startsWith("s3a://");
  }

  /** The rule of {@link RecordingFiles#dependingOnlyOn}: every wrapped key is that version's. */
  static boolean dependsOnlyOn(RecordingHeader h, String kekUri, String kekVersion) {
    boolean only = true;
    for (WrappedKey w : h.wrappedKeys()) {
      only &= w.kekUri().equals(kekUri) && w.kekVersion().equals(kekVersion);
    }
    return only;
  }

  /** Where the encrypt job writes {@code src}: its path below {@code base}, under the output. */
  static Path targetOf(Path src, String base, FleetOptions o) {
    String s = src.toString();
    String rel = base != null && s.startsWith(base.endsWith("/") ? base : base + "/")
        ? s.substring(base.length() + (base.endsWith("/") ? 0 : 1))
        : src.getName();
    return new Path(new Path(o.output()), rel + o.suffix());
  }

  /** A complete recording of {@code plaintextBytes}: its header parses, its length fits. */
  private static RecordingHeader checkWritten(FileSystem fs, Path p, long plaintextBytes)
      throws IOException, OxCryptoException {
    try (InputStream in = fs.open(p)) {
      RecordingHeader h = RecordingHeader.read(in, ReadOptions.defaults());
      long body = fs.getFileStatus(p).getLen() - h.toByteArray().length;
      if (Recordings.plaintextLength(body) != plaintextBytes) {
        throw new com.getox.crypto.TruncationException(
            "recording's length does not hold the source's bytes");
      }
      return h;
    }
  }

  private static void renameIntoPlace(FileSystem fs, Configuration conf, Path tmp, Path target,
      boolean overwrite) throws IOException {
    Consumer<String> hook = beforeRename;
    if (hook != null) {
      hook.accept(target.toString());
    }
    if (overwrite) {
      // Atomic on HDFS and local file systems; a copy then delete on object stores (documented).
      FileContext.getFileContext(target.toUri(), conf).rename(tmp, target, Options.Rename.OVERWRITE);
    } else if (!fs.rename(tmp, target)) {
      throw new org.apache.hadoop.fs.FileAlreadyExistsException("target appeared meanwhile");
    }
  }

  /**
   * {@code out}, made durable before it is closed where the file system can (hsync: local disks,
   * HDFS; an object store's upload is durable once complete), so a rename never publishes a file
   * whose bytes a power cut could still lose.
   */
  private static OutputStream synced(FSDataOutputStream stream) {
    return new java.io.FilterOutputStream(stream) {
      private boolean closed;

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        stream.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        if (closed) {
          return; // closed by the writer, then by try-with-resources
        }
        closed = true;
        try {
          if (stream.hasCapability(StreamCapabilities.HSYNC)) {
            stream.hsync();
          }
        } finally {
          stream.close();
        }
      }
    };
  }

  private static Path tempBeside(Path target) {
    byte[] r = new byte[6];
    RANDOM.nextBytes(r);
    StringBuilder sb = new StringBuilder(".").append(target.getName()).append('.');
    for (byte b : r) {
      sb.append(String.format("%02x", b & 0xff));
    }
    return new Path(target.getParent(), sb.append(RecordingFiles.TEMP_SUFFIX).toString());
  }

  /** The local file system without its .crc side files; any other file system as it is. */
  private static FileSystem raw(FileSystem fs) {
    return fs instanceof LocalFileSystem ? ((LocalFileSystem) fs).getRaw() : fs;
  }

  /** {@code uri#version} of each wrapped key, in header order, joined by {@code ;}. */
  static String versions(RecordingHeader h) {
    StringBuilder sb = new StringBuilder();
    for (WrappedKey w : h.wrappedKeys()) {
      if (sb.length() > 0) {
        sb.append(';');
      }
      sb.append(w.kekUri()).append('#').append(w.kekVersion());
    }
    return sb.toString();
  }

  /** The SDK exception behind {@code e} (a stream's IOException wraps it), else {@code e}. */
  private static Throwable kmsError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof GeneralSecurityException) {
        return t;
      }
    }
    return e;
  }

  /**
   * Whether a KMS said "try again" (throttling, an outage) anywhere in {@code e}: its causes, or
   * the per-KEK failures a {@link com.getox.crypto.NoUsableKeyException} keeps as suppressed.
   */
  static boolean retryable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof KmsException && ((KmsException) t).isRetryable()) {
        return true;
      }
      for (Throwable s : t.getSuppressed()) {
        if (retryable(s)) {
          return true;
        }
      }
    }
    return false;
  }

  private static String errorClass(Throwable e) {
    return kmsError(e).getClass().getSimpleName();
  }
}
