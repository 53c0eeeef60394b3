package com.getox.crypto;

import com.getox.crypto.audit.AuditEvent;
import com.getox.crypto.audit.AuditEvent.Operation;
import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.internal.Audit;
import com.getox.crypto.internal.Cobblestone;
import com.getox.crypto.internal.FlushRecords;
import com.getox.crypto.internal.Streams;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.KekRegistry;
import com.getox.crypto.kek.NotMyKeyException;
import com.getox.crypto.kek.WrappedKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The entry point: encrypts audio recordings under a fresh data key each, wrapped by your KEKs,
 * and opens them again sequentially or by random access.
 *
 * <pre>{@code
 * LocalKms kms = LocalKms.create(new File("keys.json"), KeysetProtection.insecurePlaintext(), "demo");
 * Recordings recordings = Recordings.builder().wrapWith(kms).build();
 *
 * EncryptionContext ctx = EncryptionContext.builder().put("user-id", "u-7").build();
 * try (RecordingWriter w = recordings.newWriter(new FileOutputStream("talk.oxr"), ctx)) {
 *   w.write(pcm);                                     // any chunk size, as audio arrives
 * }
 * try (InputStream in = recordings.newInputStream(new FileInputStream("talk.oxr"),
 *     ReadOptions.builder().expect("user-id", "u-7").build())) {
 *   play(in);
 * }
 * }</pre>
 *
 * <p>A recording is an envelope header (format version, suite, header id, encryption context,
 * wrapped data keys) followed by a Cobblestone-256 body (docs/FORMAT.md). Opening checks, in
 * order: the header's format and limits, the expected context, unwrapping the data key with any
 * KEK that can, and the key commitment; only then are chunks decrypted, each authenticated before
 * release.
 *
 * <p>Immutable and thread-safe; each writer or reader it returns is for one thread.
 */
public final class Recordings {
  private final List<Kek> wrapKeks;
  private final List<Kek> unwrapKeks;
  private final KekRegistry registry;
  private final SecureRandom random;
  private final DekCache cache;
  private final ClassificationPolicy policy;
  private final AuditSink audit;
  private final Provider cipherProvider;
  private final boolean writeVersion1;

  private Recordings(Builder b) {
    this.writeVersion1 = b.writeVersion1;
    this.wrapKeks = Collections.unmodifiableList(new ArrayList<>(b.wrapKeks));
    List<Kek> unwrap = new ArrayList<>(b.unwrapKeks);
    for (Kek k : b.wrapKeks) {
      if (!unwrap.contains(k)) {
        unwrap.add(k);
      }
    }
    this.unwrapKeks = Collections.unmodifiableList(unwrap);
    this.registry = b.registry;
    this.random = b.random != null ? b.random : new SecureRandom();
    this.cache = b.cache;
    this.policy = b.policy;
    this.audit = b.audit;
    this.cipherProvider = b.cipherProvider;
  }

  /**
   * A builder; give it at least one KEK ({@link Builder#wrapWith} to write, {@link
   * Builder#unwrapWith} to read).
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The plaintext length that a body of {@code bodyBytes} (everything after the header) holds if
   * it is intact, or -1 if no valid chunk layout has that length. Not authenticated: see {@link
   * SeekableRecording#size()}.
   *
   * @param bodyBytes the body's length in bytes (the file's length minus its header's)
   * @return the plaintext length in bytes, or -1 if no valid chunk layout has that length
   */
  public static long plaintextLength(long bodyBytes) {
    return Cobblestone.plaintextLength(bodyBytes);
  }

  /**
   * The body's chunk size: writes are sealed, and random reads decrypted, a chunk at a time.
   *
   * @return the chunk size in plaintext bytes (16384 for Cobblestone-256)
   */
  public static int chunkSizeBytes() {
    return Cobblestone.CHUNK_PLAINTEXT_BYTES;
  }

  /**
   * The KEKs every new recording's data key is wrapped under.
   *
   * @return the wrap KEKs in the order given to {@link Builder#wrapWith}; unmodifiable, empty for
   *     a read-only instance
   */
  public List<Kek> wrapKeks() {
    return wrapKeks;
  }

  /**
   * Starts a recording whose header precedes the body in {@code out}. The header is written
   * before this returns, so a recording cut short by a crash still names its keys.
   *
   * @param out where the header and body go; closed when the writer is closed
   * @param context the recording's encryption context
   * @return the writer; close it to seal the final chunk
   * @throws IOException if writing the header fails
   * @throws NullPointerException if {@code context} is null
   * @throws IllegalStateException if this instance has no wrap KEK
   * @throws IllegalArgumentException if a context key starts with the reserved {@code oxcrypt:}
   * @throws PolicyViolationException if the {@link ClassificationPolicy} refuses the recording
   * @throws FormatException if the header would exceed the default reader's limits (64 KiB, 16
   *     wrapped keys: too large a context); nothing is written
   * @throws GeneralSecurityException if a KEK fails to wrap the data key
   */
  public RecordingWriter newWriter(OutputStream out, EncryptionContext context)
      throws IOException, GeneralSecurityException {
    return start(RecordingWriter.Sink.of(out), context, true, null);
  }

  /**
   * Starts a recording in a new file, written by position so that {@link RecordingWriter#flush()}
   * is durable: after it returns, a crash of this process loses nothing written before it ({@link
   * RecordingWriter#sync()} extends that to a power loss), {@link #recover} returns it and {@link
   * #resume} goes on from it. Each flush costs one AES-GCM seal and {@value
   * FlushRecords#OVERHEAD_BYTES} bytes; a closed recording is the same as one from {@link
   * #newWriter(OutputStream, EncryptionContext)}. The file is created owner-only (0600).
   *
   * <pre>{@code
   * try (RecordingWriter w = recordings.newFileWriter(new File("talk.oxr"), ctx)) {
   *   w.write(frame);
   *   w.flush();                     // every 200 ms, say
   * }
   * }</pre>
   *
   * @param file the recording file to create; it must not exist
   * @param context the recording's encryption context
   * @return the writer; close it to seal the final chunk
   * @throws java.nio.file.FileAlreadyExistsException (an IOException) if {@code file} exists
   * @throws IOException if the file cannot be created or written (it is then deleted)
   * @throws NullPointerException if {@code context} is null
   * @throws IllegalStateException if this instance has no wrap KEK
   * @throws IllegalArgumentException if a context key starts with the reserved {@code oxcrypt:}
   * @throws PolicyViolationException if the {@link ClassificationPolicy} refuses the recording
   * @throws GeneralSecurityException if a KEK fails to wrap the data key, or the header would
   *     exceed the default reader's limits ({@link FormatException})
   */
  public RecordingWriter newFileWriter(java.io.File file, EncryptionContext context)
      throws IOException, GeneralSecurityException {
    if (!com.getox.crypto.internal.AtomicFile.createOwnerOnly(file)) {
      throw com.getox.crypto.internal.AtomicFile.alreadyExists(file);
    }
    com.getox.crypto.internal.AtomicFile.syncDirectoryOf(file); // the new name survives a power loss
    java.io.RandomAccessFile raf = new java.io.RandomAccessFile(file, "rw");
    boolean ok = false;
    try {
      claimWriter(raf, file);
      RecordingWriter w = start(RecordingWriter.Sink.file(raf.getChannel()), context, true, null);
      ok = true;
      return w;
    } finally {
      if (!ok) {
        raf.close();
        if (!file.delete()) {
          file.deleteOnExit();
        }
      }
    }
  }

  /**
   * Reopens a recording whose writer died (a crash, a killed app) and goes on writing it. Its
   * authenticated content, every complete chunk and the flushed bytes after them ({@link
   * #recover}), is sealed again under a fresh salt into a temporary file that then replaces it, so
   * no chunk key and nonce is ever used for two contents (docs/FORMAT.md, section 2.3); what the
   * returned writer is given follows it. Closed, it is one recording of everything flushed before
   * the crash followed by everything written after this call. Costs one pass over the recording.
   *
   * <pre>{@code
   * try (RecordingWriter w = recordings.resume(new File("talk.oxr"), ReadOptions.defaults())) {
   *   pump(mic, w);
   * }
   * }</pre>
   *
   * @param file the recording file, header attached
   * @param options how to open it (its expected and unstored context entries)
   * @return a writer positioned after the recovered content; close it to seal the final chunk
   * @throws IllegalArgumentException if {@code options} holds a detached header
   * @throws ConcurrentEditException (an IOException) if a live writer still holds the file
   * @throws IOException if the file cannot be read or replaced
   * @throws RecordingCompleteException if the recording was closed normally: its final chunk
   *     authenticates its length, so nothing can follow it
   * @throws UnsupportedFormatException for a version 1 recording (recover it instead)
   * @throws GeneralSecurityException if the recording cannot be opened: a {@link FormatException},
   *     {@link UnsupportedFormatException} or {@link TruncationException} for the header, a {@link
   *     ContextMismatchException} for an expected entry, a {@link NoUsableKeyException} if no KEK
   *     unwraps the data key, an {@link AuthenticationException} if the key commitment fails; or
   *     a chunk in the middle fails authentication
   */
  public RecordingWriter resume(final java.io.File file, ReadOptions options)
      throws IOException, GeneralSecurityException {
    if (options.detachedHeader() != null) {
      throw new IllegalArgumentException("resume needs a recording with its header attached");
    }
    final RecordingInputStream old;
    final Unlocked opened;
    final RecordingHeader header;
    // One writer per recording: a live writer holds an fcntl lock on its file for its lifetime
    // (dropped by the kernel when it dies). Everything here reads through this one descriptor:
    // closing another one of this process would drop the lock.
    final java.io.RandomAccessFile guard = new java.io.RandomAccessFile(file, "rw");
    InputStream in =
        new java.io.BufferedInputStream(java.nio.channels.Channels.newInputStream(guard.getChannel()), 1 << 16);
    try {
      claimWriter(guard, file);
      header = RecordingHeader.read(in, options);
      if (header.formatVersion() == RecordingHeader.FORMAT_VERSION_1) {
        throw new UnsupportedFormatException(
            "a format version 1 recording has no flush records and cannot be resumed; recover it");
      }
      byte[] prefix = new byte[Cobblestone.PREFIX_BYTES];
      Streams.readFully(
          in, prefix, 0, prefix.length, "recording ends before its body's salt and commitment");
      opened = unlock(header, prefix, options, true);
      try {
        refuseComplete(file, guard.getChannel(), header.toByteArray().length, opened.cipher);
      } catch (GeneralSecurityException | IOException | RuntimeException e) {
        opened.wipe();
        throw e;
      }
      old = new RecordingInputStream(in, header, opened.cipher, opened.flush, true);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      in.close();
      throw e;
    }
    final EncryptionContext full = header.fullContext(options);
    final RecordingWriter[] made = new RecordingWriter[1];
    final byte[][] start = new byte[1][];
    try {
      com.getox.crypto.internal.AtomicFile.replace(
          file,
          com.getox.crypto.internal.AtomicFile.Mode.KEEP,
          out -> {
            RecordingWriter w;
            try {
              w = restart(RecordingWriter.Sink.of(out), header, full, opened.inputKey, start);
            } catch (GeneralSecurityException e) {
              throw new IOException(e.getMessage(), e);
            }
            byte[] buf = new byte[Cobblestone.CHUNK_PLAINTEXT_BYTES];
            try {
              int n;
              while ((n = old.read(buf, 0, buf.length)) > 0) {
                w.write(buf, 0, n);
              }
            } finally {
              Arrays.fill(buf, (byte) 0);
            }
            if (!old.wasTruncated()) {
              throw new IOException(closedNormally(file)); // what refuseComplete found up front
            }
            w.writeRecord(); // the partial chunk, behind its slot: durable before the rename
            made[0] = w;
          });
    } catch (IOException e) {
      if (e.getCause() instanceof GeneralSecurityException) {
        throw (GeneralSecurityException) e.getCause();
      }
      throw e;
    } finally {
      old.close();
      opened.wipe();
    }
    // Reopened by name: it must still be the file written above (a second resume or an edit in
    // between would have given it another salt or header).
    java.io.RandomAccessFile raf = new java.io.RandomAccessFile(file, "rw");
    boolean ok = false;
    try {
      claimWriter(raf, file);
      byte[] now = new byte[start[0].length];
      if (raf.length() < now.length) {
        throw new ConcurrentEditException("recording " + file + " changed while it was resumed");
      }
      raf.readFully(now);
      if (!Arrays.equals(now, start[0])) {
        throw new ConcurrentEditException(
            "recording " + file + " was replaced while it was resumed (another writer?)");
      }
      made[0].moveTo(RecordingWriter.Sink.file(raf.getChannel()));
      ok = true;
      return made[0];
    } finally {
      if (!ok) {
        raf.close();
      }
    }
  }

  /**
   * Takes the writer's lock on {@code raf}'s file for as long as it stays open.
   *
   * @throws ConcurrentEditException if a live writer (this JVM or another process) holds it
   */
  private static void claimWriter(java.io.RandomAccessFile raf, java.io.File file)
      throws IOException {
    java.nio.channels.FileLock l;
    try {
      l = raf.getChannel().tryLock();
    } catch (java.nio.channels.OverlappingFileLockException inThisJvm) {
      l = null;
    }
    if (l == null) {
      throw new ConcurrentEditException(
          "recording " + file + " is being written by a live writer; resume it after that one ends");
    }
  }

  /**
   * Refuses a recording whose final chunk authenticates (closed normally), before any work: its
   * length decides where the final chunk would be.
   */
  private static void refuseComplete(
      java.io.File file, java.nio.channels.FileChannel ch, int headerBytes, Cobblestone cipher)
      throws IOException, GeneralSecurityException {
    long body = ch.size() - headerBytes;
    if (Cobblestone.plaintextLength(body) < 0) {
      return;
    }
    long chunks = body - Cobblestone.PREFIX_BYTES;
    long full = chunks / Cobblestone.CHUNK_CIPHERTEXT_BYTES;
    int rem = (int) (chunks % Cobblestone.CHUNK_CIPHERTEXT_BYTES);
    byte[] sealed = new byte[rem];
    ByteBuffer buf = ByteBuffer.wrap(sealed);
    long pos = headerBytes + Cobblestone.PREFIX_BYTES + full * Cobblestone.CHUNK_CIPHERTEXT_BYTES;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos); // by position: the reader's stream shares this channel
      if (n < 0) {
        return;
      }
      pos += n;
    }
    byte[] plain = new byte[Cobblestone.CHUNK_PLAINTEXT_BYTES];
    try {
      cipher.openChunk(full, sealed, 0, rem, plain, 0);
    } catch (AuthenticationException notFinal) {
      return; // cut short, or flush records behind a hole: resumable
    } finally {
      Arrays.fill(plain, (byte) 0);
      cipher.wipe(); // what it staged of the final chunk (Conscrypt), before any reader owns it
    }
    throw closedNormally(file);
  }

  private static RecordingCompleteException closedNormally(java.io.File file) {
    return new RecordingCompleteException(
        "recording "
            + file
            + " was closed normally: its final chunk authenticates its length, so nothing can be"
            + " appended; start a new recording");
  }

  /**
   * A writer for an existing header under a fresh salt: the body is sealed anew. Puts the bytes
   * it starts with (header and prefix) in {@code startOut[0]}.
   */
  private RecordingWriter restart(
      RecordingWriter.Sink sink,
      RecordingHeader header,
      EncryptionContext full,
      byte[] ik,
      byte[][] startOut)
      throws IOException, GeneralSecurityException {
    byte[] salt = new byte[Cobblestone.SALT_BYTES];
    random.nextBytes(salt);
    byte[] prefix = new byte[Cobblestone.PREFIX_BYTES];
    byte[] ab = header.authenticatedBytes(full);
    Cobblestone cipher = Cobblestone.seal(ik, salt, ab, prefix, cipherProvider);
    byte[] h = header.toByteArray();
    sink.write(0, h, 0, h.length);
    sink.write(h.length, prefix, 0, prefix.length);
    byte[] start = Arrays.copyOf(h, h.length + prefix.length);
    System.arraycopy(prefix, 0, start, h.length, prefix.length);
    startOut[0] = start;
    return new RecordingWriter(
        sink, header, cipher, FlushRecords.derive(ik, salt, ab, cipherProvider), h.length, null);
  }

  /** A writer over {@code sink}: for tests, a simulated disk that fails at a chosen byte. */
  RecordingWriter newWriter(RecordingWriter.Sink sink, EncryptionContext context)
      throws IOException, GeneralSecurityException {
    return start(sink, context, true, null);
  }

  /**
   * As {@link #newWriter(OutputStream, EncryptionContext)}, to a channel.
   *
   * @param out where the header and body go; closed when the writer is closed
   * @param context the recording's encryption context
   * @return the writer; close it to seal the final chunk
   * @throws IOException if writing the header fails
   * @throws NullPointerException if {@code context} is null
   * @throws IllegalStateException if this instance has no wrap KEK
   * @throws IllegalArgumentException if a context key starts with the reserved {@code oxcrypt:}
   * @throws PolicyViolationException if the {@link ClassificationPolicy} refuses the recording
   * @throws GeneralSecurityException if a KEK fails to wrap the data key, or the header would
   *     exceed the default reader's limits ({@link FormatException})
   */
  public RecordingWriter newWriter(WritableByteChannel out, EncryptionContext context)
      throws IOException, GeneralSecurityException {
    return start(RecordingWriter.Sink.of(out), context, true, null);
  }

  /**
   * Starts a recording whose header is kept apart: {@code body} receives only the body, and
   * {@link RecordingWriter#header()}{@code .toByteArray()} is yours to store (a sidecar file,
   * object metadata). Read it back with {@link ReadOptions.Builder#detachedHeader(byte[])}.
   *
   * @param body where the body goes; closed when the writer is closed
   * @param context the recording's encryption context
   * @return the writer; its {@link RecordingWriter#header()} is complete at once
   * @throws IOException if writing the start of the body fails
   * @throws NullPointerException if {@code context} is null
   * @throws IllegalStateException if this instance has no wrap KEK
   * @throws IllegalArgumentException if a context key starts with the reserved {@code oxcrypt:}
   * @throws PolicyViolationException if the {@link ClassificationPolicy} refuses the recording
   * @throws GeneralSecurityException if a KEK fails to wrap the data key, or the header would
   *     exceed the default reader's limits ({@link FormatException})
   */
  public RecordingWriter newDetachedWriter(OutputStream body, EncryptionContext context)
      throws IOException, GeneralSecurityException {
    return start(RecordingWriter.Sink.of(body), context, false, null);
  }

  /**
   * Encrypts all of {@code src} into a recording in {@code dst} on several threads: the same bytes
   * as {@link #newWriter(WritableByteChannel, EncryptionContext)} with everything written to it at
   * once (one data key and one wrap per KEK, the same audit events), sealed a batch of 64 chunks
   * per thread at a time and written in order.
   *
   * <pre>{@code
   * try (FileChannel in = FileChannel.open(Paths.get("talk.wav"));
   *     FileChannel out = FileChannel.open(Paths.get("talk.oxr"), CREATE_NEW, WRITE)) {
   *   recordings.encrypt(in, out, ctx, Parallelism.availableProcessors());
   * }
   * }</pre>
   *
   * <p><b>When it helps:</b> a whole blob that is already there (a file, an upload) of a few MiB
   * or more, on a machine with cores to spare: AES-GCM runs on every thread, while reading and
   * writing overlap it; two threads seal about twice as fast as one. It does not help audio as
   * it arrives (there is nothing to work ahead on: use {@link #newWriter} or {@link
   * #newFileWriter}, which also flush durably), a blob shorter than one batch (1 MiB: it runs on
   * the caller alone), or a machine whose cores are busy. Memory: about {@code threads × 2 MiB}.
   *
   * <p>{@code src} is read to its end before the final chunk is sealed; the first batch is read
   * before anything else happens, so a source that cannot be read fails before a key is wrapped
   * or a byte written. If anything fails (reading, writing, a thread), the other threads stop,
   * the final chunk is never sealed (so what {@code dst} got reads as truncated, never as a
   * shorter complete recording) and the failure is thrown. To write a file that only ever
   * appears complete, write to a temporary file and rename it. Neither channel is closed.
   *
   * @param src the plaintext, read to its end (a blocking channel)
   * @param dst where the header and body go, in order
   * @param context the recording's encryption context
   * @param parallelism how many threads, and from where
   * @return the recording's header
   * @throws IOException if reading {@code src} or writing {@code dst} fails; an {@link
   *     java.io.InterruptedIOException} if the calling thread is interrupted
   * @throws NullPointerException if an argument is null
   * @throws IllegalStateException if this instance has no wrap KEK
   * @throws IllegalArgumentException if a context key starts with the reserved {@code oxcrypt:}
   * @throws PolicyViolationException if the {@link ClassificationPolicy} refuses the recording
   * @throws GeneralSecurityException if a KEK fails to wrap the data key, or the header would
   *     exceed the default reader's limits ({@link FormatException})
   */
  public RecordingHeader encrypt(
      ReadableByteChannel src,
      WritableByteChannel dst,
      EncryptionContext context,
      Parallelism parallelism)
      throws IOException, GeneralSecurityException {
    Objects.requireNonNull(src, "src");
    Objects.requireNonNull(dst, "dst");
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(parallelism, "parallelism");
    ParallelChunks chunks = ParallelChunks.sealing(src, parallelism);
    chunks.readFirst();
    final RecordingWriter w;
    try {
      w = start(RecordingWriter.Sink.of(nonClosing(dst)), context, true, null);
    } catch (IOException | GeneralSecurityException | RuntimeException | Error e) {
      chunks.discard();
      throw e;
    }
    byte[] tail = null;
    boolean ok = false;
    try {
      ParallelChunks.End end =
          chunks.run(
              w.cipher(),
              new ParallelChunks.Output() {
                @Override
                public void write(long firstChunk, byte[] b, int off, int len) throws IOException {
                  w.sink().write(w.chunkPosition(firstChunk), b, off, len);
                }
              });
      tail = end.rest; // less than a chunk of plaintext: the final chunk
      w.advance(end.chunk);
      w.write(tail, 0, tail.length);
      w.close();
      ok = true;
      return w.header();
    } finally {
      if (tail != null) {
        Arrays.fill(tail, (byte) 0);
      }
      if (!ok) {
        try {
          w.abort(); // the final chunk is never sealed: the output reads as truncated
        } catch (IOException ignored) {
          // the failure being thrown is the one to report
        }
      }
    }
  }

  /** {@code dst} for a writer that must not close it. */
  private static WritableByteChannel nonClosing(final WritableByteChannel dst) {
    return new WritableByteChannel() {
      @Override
      public int write(ByteBuffer src) throws IOException {
        return dst.write(src);
      }

      @Override
      public boolean isOpen() {
        return dst.isOpen();
      }

      @Override
      public void close() {}
    };
  }

  /**
   * Creates a key package for a live session: a fresh 32-byte secret wrapped under this
   * instance's KEKs, bound to {@code context} (put the session id and epoch there). It is an empty
   * recording, so a recipient checks the key commitment when opening it.
   *
   * @param context the package's encryption context, which recipients can require with {@link
   *     ReadOptions.Builder#expect}
   * @return the package, holding the secret until {@link KeyPackage#destroy()}
   * @throws IOException never in practice (the package is built in memory)
   * @throws NullPointerException if {@code context} is null
   * @throws IllegalStateException if this instance has no wrap KEK
   * @throws IllegalArgumentException if a context key starts with the reserved {@code oxcrypt:}
   * @throws PolicyViolationException if the {@link ClassificationPolicy} refuses the recording
   * @throws GeneralSecurityException if a KEK fails to wrap the secret, or the header would
   *     exceed the default reader's limits ({@link FormatException})
   */
  public KeyPackage newKeyPackage(EncryptionContext context)
      throws IOException, GeneralSecurityException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] secret = new byte[Cobblestone.KEY_BYTES];
    try {
      RecordingWriter w = start(RecordingWriter.Sink.of(out), context, true, secret);
      w.close();
      return new KeyPackage(out.toByteArray(), secret, w.header());
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  /**
   * Opens a key package made by {@link #newKeyPackage}: checks expectations, unwraps the secret
   * with any KEK that can, and verifies its commitment and its empty body.
   *
   * @param keyPackage the bytes of {@link KeyPackage#toByteArray()}
   * @param options what the package's context must hold, and limits
   * @return the opened package; {@link KeyPackage#destroy()} it when done
   * @throws IOException never in practice (the package is read from memory)
   * @throws GeneralSecurityException if the recording cannot be opened: a {@link FormatException},
   *     {@link UnsupportedFormatException} or {@link TruncationException} for the header, a {@link
   *     ContextMismatchException} for an expected entry, a {@link NoUsableKeyException} if no KEK
   *     unwraps the data key, an {@link AuthenticationException} if the key commitment fails, or
   *     a {@link FormatException} if its body is not empty
   */
  public KeyPackage openKeyPackage(byte[] keyPackage, ReadOptions options)
      throws IOException, GeneralSecurityException {
    byte[] secret = new byte[Cobblestone.KEY_BYTES];
    try (RecordingInputStream in =
        openStream(new java.io.ByteArrayInputStream(keyPackage), options, false, secret)) {
      try {
        if (in.read() != -1) {
          throw new FormatException("a key package has an empty body");
        }
      } catch (IOException e) {
        if (e.getCause() instanceof GeneralSecurityException) {
          throw (GeneralSecurityException) e.getCause();
        }
        throw e;
      }
      return new KeyPackage(keyPackage, secret, in.header());
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  private RecordingWriter start(
      RecordingWriter.Sink sink, EncryptionContext context, boolean attached, byte[] keyOut)
      throws IOException, GeneralSecurityException {
    Objects.requireNonNull(context, "context");
    if (wrapKeks.isEmpty()) {
      throw new IllegalStateException("no KEK to wrap under: use Recordings.builder().wrapWith(...)");
    }
    for (String key : context.asMap().keySet()) {
      if (key.startsWith(RecordingHeader.RESERVED_PREFIX)) {
        throw new IllegalArgumentException(
            "context keys starting with '" + RecordingHeader.RESERVED_PREFIX + "' are reserved");
      }
    }
    if (writeVersion1 && !context.unstoredKeys().isEmpty()) {
      throw new IllegalArgumentException("format version 1 has no unstored context entries");
    }
    if (policy != null) {
      policy.check(context, wrapKeks, cache);
    }
    EncryptionContext logged = context.stored(); // unstored values never reach the audit trail
    byte[] headerId = new byte[RecordingHeader.HEADER_ID_BYTES];
    random.nextBytes(headerId);
    String headerHex = com.google.crypto.tink.subtle.Hex.encode(headerId);
    DekCache.Lease lease = null;
    String partition = null;
    long cacheT = System.nanoTime();
    if (cache != null) {
      partition = partitionOf(context);
      lease = cache.acquire(partition, wrapKeks);
    }
    byte[] dek = lease != null ? lease.dek : new byte[Cobblestone.KEY_BYTES];
    byte[] ik = null;
    try {
      if (cache != null) { // in the try: a failing sink leaves no copy of a cached key unwiped
        Audit.record(audit, AuditEvent.of(lease != null ? Operation.CACHE_HIT : Operation.CACHE_MISS,
            null, null, headerHex, logged, null, cacheT));
      }
      List<WrappedKey> wrapped;
      if (lease != null) {
        wrapped = lease.wrapped;
      } else {
        long t = System.nanoTime();
        random.nextBytes(dek);
        Audit.record(audit, AuditEvent.of(Operation.GENERATE_DEK, null, null, headerHex, logged, null, t));
        wrapped = new ArrayList<>(wrapKeks.size());
        for (Kek kek : wrapKeks) {
          wrapped.add(wrapAudited(kek, dek, context, headerHex, logged));
        }
        if (cache != null) {
          lease = cache.put(partition, dek, wrapped);
          if (cache.servesReaders()) {
            byte[] canonical = context.canonicalBytes();
            for (WrappedKey w : wrapped) {
              cache.rememberOpened(w, canonical, dek);
            }
          }
        }
      }
      RecordingHeader header =
          (writeVersion1
                  ? new RecordingHeader(
                      RecordingHeader.FORMAT_VERSION_1,
                      RecordingHeader.SUITE_COBBLESTONE_256,
                      headerId,
                      context,
                      new java.util.TreeSet<String>(),
                      wrapped)
                  : RecordingHeader.create(headerId, context, wrapped))
              .checkWritable();
      ik = inputKey(header, dek, WrappedKey.Scope.DATA_KEY);
      byte[] salt = new byte[Cobblestone.SALT_BYTES];
      random.nextBytes(salt);
      byte[] prefix = new byte[Cobblestone.PREFIX_BYTES];
      byte[] ab = header.authenticatedBytes(context);
      Cobblestone cipher = Cobblestone.seal(ik, salt, ab, prefix, cipherProvider);
      FlushRecords flush = writeVersion1 ? null : FlushRecords.derive(ik, salt, ab, cipherProvider);
      if (keyOut != null) {
        System.arraycopy(ik, 0, keyOut, 0, ik.length);
      }
      long pos = 0;
      if (attached) {
        byte[] h = header.toByteArray();
        sink.write(0, h, 0, h.length);
        pos = h.length;
      }
      sink.write(pos, prefix, 0, prefix.length);
      final DekCache.Lease used = lease;
      return new RecordingWriter(
          sink, header, cipher, flush, pos, used == null ? null : bytes -> cache.addBytes(used, bytes));
    } finally {
      Arrays.fill(dek, (byte) 0);
      if (ik != null && ik != dek) {
        Arrays.fill(ik, (byte) 0);
      }
    }
  }

  private static final byte[] RECORDING_KEY_LABEL =
      "ox.getox.com/recording-key@v2\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /**
   * The body's input key for a key of {@code scope} unwrapped from {@code header}: in version 2,
   * the recording key {@code HKDF-Expand-SHA-512(DEK, "ox.getox.com/recording-key@v2" || 0x00 ||
   * header_id, 32)} from a data key, or the recording key itself; in version 1 the data key. A
   * new array the caller wipes, or {@code key} itself (version 1 and recording keys).
   */
  static byte[] inputKey(RecordingHeader header, byte[] key, WrappedKey.Scope scope)
      throws GeneralSecurityException {
    if (key.length != Cobblestone.KEY_BYTES) {
      throw new AuthenticationException(
          "an unwrapped key is " + key.length + " bytes, not 32: not this recording's key");
    }
    if (header.formatVersion() == RecordingHeader.FORMAT_VERSION_1
        || scope == WrappedKey.Scope.RECORDING_KEY) {
      return key;
    }
    byte[] id = header.headerId();
    byte[] info = new byte[RECORDING_KEY_LABEL.length + id.length];
    System.arraycopy(RECORDING_KEY_LABEL, 0, info, 0, RECORDING_KEY_LABEL.length);
    System.arraycopy(id, 0, info, RECORDING_KEY_LABEL.length, id.length);
    return com.getox.crypto.internal.HkdfExpand.expand(
        "HmacSHA512", key, info, Cobblestone.KEY_BYTES);
  }

  private WrappedKey wrapAudited(
      Kek kek, byte[] dek, EncryptionContext context, String headerHex, EncryptionContext logged)
      throws GeneralSecurityException {
    long t = System.nanoTime();
    WrappedKey w;
    try {
      w = kek.wrap(dek, context);
    } catch (GeneralSecurityException | RuntimeException e) {
      Audit.record(audit, AuditEvent.of(Operation.WRAP, kek.uri(), null, headerHex, logged, e, t));
      throw e;
    }
    Audit.record(audit,
        AuditEvent.of(Operation.WRAP, kek.uri(), w.kekVersion(), headerHex, logged, null, t));
    return w;
  }

  /** The cache partition: the wrapping KEKs and the whole context. */
  private String partitionOf(EncryptionContext context) {
    StringBuilder sb = new StringBuilder();
    for (Kek k : wrapKeks) {
      sb.append(k.uri()).append('\n');
    }
    return sb.append(com.google.crypto.tink.subtle.Hex.encode(context.canonicalBytes())).toString();
  }

  /**
   * Opens a recording for sequential reading. Checks the header, the expected context, the data
   * key and the key commitment before returning; chunk errors then surface as {@link IOException}s
   * whose cause is the {@link OxCryptoException}.
   *
   * @param in the recording (or its body, with a detached header in {@code options}); closed
   *     when the stream is closed
   * @param options expected context entries, a detached header, limits
   * @return the plaintext stream
   * @throws IOException if reading {@code in} fails
   * @throws GeneralSecurityException if the recording cannot be opened: a {@link FormatException},
   *     {@link UnsupportedFormatException} or {@link TruncationException} for the header, a {@link
   *     ContextMismatchException} for an expected entry, a {@link NoUsableKeyException} if no KEK
   *     unwraps the data key, an {@link AuthenticationException} if the key commitment fails
   */
  public RecordingInputStream newInputStream(InputStream in, ReadOptions options)
      throws IOException, GeneralSecurityException {
    return openStream(in, options, false, null);
  }

  /**
   * As {@link #newInputStream(InputStream, ReadOptions)}, for a recording that is already in
   * memory as a whole (a blob fetched from object storage into a {@code byte[]}): each chunk is
   * decrypted straight out of {@code recording}, without first copying its ciphertext into the
   * stream's buffer as a stream source needs. The checks, audit events and errors are those of
   * the stream version: header, expected context, key and commitment before this returns; chunk
   * errors (tampering, truncation, trailing data, an unclosed recording) then surface as {@link
   * IOException}s whose cause is the {@link OxCryptoException}, after the authenticated prefix.
   *
   * <pre>{@code
   * byte[] blob = objectStore.get("talk.oxr");            // the whole recording
   * try (InputStream in = recordings.newInputStream(blob,
   *     ReadOptions.builder().expect("user-id", "u-7").build())) {
   *   play(in);
   * }
   * }</pre>
   *
   * <p>The stream reads {@code recording} in place, without a copy: do not modify it until the
   * stream is closed. The stream never writes into it, nor wipes it on close (it holds only
   * ciphertext). For a recording that arrives from a file or the network, use {@link
   * #newInputStream(InputStream, ReadOptions)} rather than reading it into memory first.
   *
   * @param recording the whole recording (or its whole body, with a detached header in {@code
   *     options}); read in place, not copied
   * @param options expected context entries, a detached header, limits
   * @return the plaintext stream
   * @throws GeneralSecurityException if the recording cannot be opened: a {@link FormatException},
   *     {@link UnsupportedFormatException} or {@link TruncationException} for the header, a {@link
   *     ContextMismatchException} for an expected entry, a {@link NoUsableKeyException} if no KEK
   *     unwraps the data key, an {@link AuthenticationException} if the key commitment fails
   */
  public RecordingInputStream newInputStream(byte[] recording, ReadOptions options)
      throws GeneralSecurityException {
    Objects.requireNonNull(recording, "recording");
    Objects.requireNonNull(options, "options");
    try {
      return openStream(new java.io.ByteArrayInputStream(recording), recording, options, false, null);
    } catch (IOException e) {
      throw new IllegalStateException("reading a byte array failed", e); // it cannot
    }
  }

  /**
   * As {@link #newInputStream}, over channels.
   *
   * @param in the recording (or its body, with a detached header in {@code options}); closed
   *     when the returned channel is closed
   * @param options expected context entries, a detached header, limits
   * @return a channel of the plaintext; chunk errors surface as {@link IOException}s whose cause
   *     is the {@link OxCryptoException}
   * @throws IOException if reading {@code in} fails
   * @throws GeneralSecurityException if the recording cannot be opened: a {@link FormatException},
   *     {@link UnsupportedFormatException} or {@link TruncationException} for the header, a {@link
   *     ContextMismatchException} for an expected entry, a {@link NoUsableKeyException} if no KEK
   *     unwraps the data key, an {@link AuthenticationException} if the key commitment fails
   */
  public ReadableByteChannel newReadableChannel(ReadableByteChannel in, ReadOptions options)
      throws IOException, GeneralSecurityException {
    final RecordingInputStream stream = openStream(Channels.newInputStream(in), options, false, null);
    // Not Channels.newChannel(stream): that copies through its own 8 KiB array.
    return new ReadableByteChannel() {
      @Override
      public int read(ByteBuffer dst) throws IOException {
        return stream.read(dst);
      }

      @Override
      public boolean isOpen() {
        return stream.isOpen();
      }

      @Override
      public void close() throws IOException {
        stream.close();
      }
    };
  }

  /**
   * Decrypts a whole recording from {@code src} into {@code dst} on several threads: the checks
   * of {@link #newInputStream} (header, expected context, key, commitment, the same audit
   * events), then the chunks opened a batch of 64 per thread at a time and written in order.
   *
   * <pre>{@code
   * try (FileChannel in = FileChannel.open(Paths.get("talk.oxr"));
   *     FileChannel out = FileChannel.open(tmp, CREATE_NEW, WRITE)) {
   *   recordings.decrypt(in, out, ReadOptions.defaults(), Parallelism.availableProcessors());
   * }
   * Files.move(tmp, Paths.get("talk.wav"), ATOMIC_MOVE);   // only a complete file appears
   * }</pre>
   *
   * <p><b>When it helps:</b> as for {@link #encrypt(ReadableByteChannel, WritableByteChannel,
   * EncryptionContext, Parallelism) encrypt}: a recording of a few MiB or more that is already
   * there, with cores to spare. To play audio as it is read, use {@link #newInputStream}.
   *
   * <p>Fails closed as the sequential reader does: a chunk is written to {@code dst} only once it
   * and every chunk before it authenticated, in order. Truncation, reordering, damage and trailing
   * data raise what {@link #newInputStream} raises, but thrown directly (not inside an {@link
   * IOException}); {@code dst} then holds the authenticated prefix, so write a file through a
   * temporary and rename it only on success. Neither channel is closed.
   *
   * @param src the recording (or its body, with a detached header in {@code options}), read to
   *     its end (a blocking channel)
   * @param dst where the plaintext goes, in order
   * @param options expected context entries, a detached header, limits
   * @param parallelism how many threads, and from where
   * @return the number of plaintext bytes written
   * @throws IOException if reading {@code src} or writing {@code dst} fails; an {@link
   *     java.io.InterruptedIOException} if the calling thread is interrupted
   * @throws GeneralSecurityException if the recording cannot be opened (as {@link
   *     #newInputStream}), or a {@link TruncationException} or {@link AuthenticationException} for
   *     a chunk
   */
  public long decrypt(
      ReadableByteChannel src, WritableByteChannel dst, ReadOptions options, Parallelism parallelism)
      throws IOException, GeneralSecurityException {
    Objects.requireNonNull(src, "src");
    Objects.requireNonNull(dst, "dst");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(parallelism, "parallelism");
    // The header and prefix are read through this stream, exactly (no read-ahead); the bytes the
    // parallel part leaves at its end are put back in front of the channel for the sequential
    // reader, which finishes: the final chunk, or the failure exactly as it would report it.
    final Resumable body = new Resumable(Channels.newInputStream(src));
    RecordingInputStream rin = openStream(body, options, false, null);
    byte[] buf = new byte[Cobblestone.CHUNK_PLAINTEXT_BYTES];
    try {
      ParallelChunks chunks = ParallelChunks.opening(src, parallelism);
      chunks.readFirst();
      final WritableByteChannel out = dst;
      ParallelChunks.End end =
          chunks.run(
              rin.cipher(),
              new ParallelChunks.Output() {
                @Override
                public void write(long firstChunk, byte[] b, int off, int len) throws IOException {
                  writeFully(out, b, off, len);
                }
              });
      body.putBack(end.rest);
      rin.startAt(end.chunk);
      long total = end.chunk * Cobblestone.CHUNK_PLAINTEXT_BYTES;
      int n;
      try {
        while ((n = rin.read(buf, 0, buf.length)) >= 0) {
          writeFully(dst, buf, 0, n);
          total += n;
        }
      } catch (IOException e) {
        if (e.getCause() instanceof GeneralSecurityException) {
          throw (GeneralSecurityException) e.getCause();
        }
        throw e;
      }
      return total;
    } finally {
      Arrays.fill(buf, (byte) 0);
      rin.close(); // wipes its buffer; the source is not closed (Resumable)
    }
  }

  private static void writeFully(WritableByteChannel dst, byte[] b, int off, int len)
      throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(b, off, len);
    while (buf.hasRemaining()) {
      dst.write(buf);
    }
  }

  /** A channel's stream that bytes can be put back in front of; closing it closes nothing. */
  private static final class Resumable extends InputStream {
    private InputStream in;

    Resumable(InputStream in) {
      this.in = in;
    }

    void putBack(byte[] bytes) {
      if (bytes.length > 0) {
        in = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(bytes), in);
      }
    }

    @Override
    public int read() throws IOException {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return in.read(b, off, len);
    }

    @Override
    public void close() {}
  }

  /**
   * Salvages a recording whose writer may have died before {@code close()}: writes every
   * authenticated complete chunk to {@code out}, then (format version 2) the bytes of the last
   * chunk that the writer had {@linkplain RecordingWriter#flush() flushed}, and reports whether
   * the recording was cut short. Everything written is authenticated. Damage in the middle (a
   * chunk that fails authentication with intact chunks after it) still fails.
   *
   * @param in the recording (or its body, with a detached header in {@code options}); closed
   *     before this returns
   * @param out where the recovered plaintext goes; flushed, not closed
   * @param options expected context entries, a detached header, limits
   * @return how much was recovered and whether the recording was cut short
   * @throws IOException if reading {@code in} or writing {@code out} fails
   * @throws GeneralSecurityException if the recording cannot be opened: a {@link FormatException},
   *     {@link UnsupportedFormatException} or {@link TruncationException} for the header, a {@link
   *     ContextMismatchException} for an expected entry, a {@link NoUsableKeyException} if no KEK
   *     unwraps the data key, an {@link AuthenticationException} if the key commitment fails; or
   *     a chunk in the middle fails authentication
   */
  public RecoveryReport recover(InputStream in, OutputStream out, ReadOptions options)
      throws IOException, GeneralSecurityException {
    try (RecordingInputStream rin = openStream(in, options, true, null)) {
      byte[] buf = new byte[Cobblestone.CHUNK_PLAINTEXT_BYTES];
      long total = 0;
      int n;
      try {
        while ((n = rin.read(buf, 0, buf.length)) > 0) {
          out.write(buf, 0, n);
          total += n;
        }
      } catch (IOException e) {
        if (e.getCause() instanceof GeneralSecurityException) {
          throw (GeneralSecurityException) e.getCause();
        }
        throw e;
      } finally {
        Arrays.fill(buf, (byte) 0);
      }
      out.flush();
      return new RecoveryReport(total, rin.chunksRead(), rin.wasTruncated(), rin.flushedBytes());
    }
  }

  /**
   * Opens a recording for random access (see {@link SeekableRecording}). The channel is positioned
   * by this call and by reads.
   *
   * @param channel the recording (or its body, with a detached header in {@code options});
   *     closed when the returned recording is closed
   * @param options expected context entries, a detached header, limits
   * @return random access to the plaintext
   * @throws IOException if reading {@code channel} fails
   * @throws GeneralSecurityException if the recording cannot be opened: a {@link FormatException},
   *     {@link UnsupportedFormatException} or {@link TruncationException} for the header, a {@link
   *     ContextMismatchException} for an expected entry, a {@link NoUsableKeyException} if no KEK
   *     unwraps the data key, an {@link AuthenticationException} if the key commitment fails
   */
  public SeekableRecording openSeekable(SeekableByteChannel channel, ReadOptions options)
      throws IOException, GeneralSecurityException {
    channel.position(0);
    InputStream in = Channels.newInputStream(channel);
    RecordingHeader header = headerOf(in, options);
    long bodyStart = options.detachedHeader() == null ? header.toByteArray().length : 0;
    channel.position(bodyStart);
    byte[] prefix = new byte[Cobblestone.PREFIX_BYTES];
    ByteBuffer buf = ByteBuffer.wrap(prefix);
    while (buf.hasRemaining()) {
      if (channel.read(buf) < 0) {
        throw new TruncationException("recording ends before its body's salt and commitment");
      }
    }
    Cobblestone cipher = unlockInto(header, prefix, options, null).cipher;
    return new SeekableRecording(channel, header, cipher, bodyStart + Cobblestone.PREFIX_BYTES);
  }

  /**
   * Re-wraps a recording's data key under the current version of each of this instance's wrap
   * KEKs, replacing the wrapped keys those KEKs made under older versions. Keys of other KEKs
   * (recipients, escrow) are kept. Only the header changes: the body does not depend on the
   * wrapped-key list. A recording none of whose keys these KEKs wrapped (another keyset's) is not
   * theirs to re-wrap: that fails with {@link NoUsableKeyException} rather than return it as
   * already current.
   *
   * <p>Uses the KEK's service-side re-wrap where it has one (AWS KMS {@code ReEncrypt}, so the
   * data key never leaves the KMS); otherwise unwraps, checks the data key against the body's
   * key commitment, and wraps it again.
   *
   * @param header the recording's header
   * @param bodyPrefix the first 56 bytes of the body (salt and commitment)
   * @param options supplies the unstored context entries' values, if any
   * @return the new header, or {@code header} itself if every key was already current
   * @throws IllegalArgumentException if {@code bodyPrefix} is not 56 bytes
   * @throws NoUsableKeyException if none of this instance's wrap KEKs wraps a key of the
   *     recording (it is not theirs to re-wrap), or the data key cannot be unwrapped
   * @throws GeneralSecurityException if the data key cannot be obtained ({@link
   *     ContextMismatchException}, {@link AuthenticationException}) or a KEK fails to wrap it
   */
  public RecordingHeader rewrap(RecordingHeader header, byte[] bodyPrefix, ReadOptions options)
      throws GeneralSecurityException {
    checkPrefix(bodyPrefix);
    return rewrap(header, BodyPrefix.of(bodyPrefix), options);
  }

  /**
   * As {@link #rewrap(RecordingHeader, byte[], ReadOptions)}, for a header kept apart from its body
   * (a sidecar, object metadata): the body is read only if a data key must be unwrapped, and then
   * only its first 56 bytes, once. A KEK that re-wraps on the service side (AWS KMS {@code
   * ReEncrypt}), or a header whose keys are all current, reads nothing.
   *
   * <pre>{@code
   * RecordingHeader next = recordings.rewrap(header, FileChannel.open(bodyPath), ReadOptions.defaults());
   * if (next != header) {
   *   storeSidecar(next.toByteArray());               // the body is never rewritten
   * }
   * }</pre>
   *
   * @param header the recording's header
   * @param body the body alone, positioned at its first byte (a ranged read of an object is
   *     enough); read lazily, at most 56 bytes, and not closed
   * @param options supplies the unstored context entries' values, if any
   * @return the new header, or {@code header} itself if every key was already current
   * @throws IOException if reading the body's first bytes fails
   * @throws TruncationException if the body ends before its salt and commitment
   * @throws NoUsableKeyException if none of this instance's wrap KEKs wraps a key of the
   *     recording (it is not theirs to re-wrap; nothing is read), or the data key cannot be
   *     unwrapped
   * @throws GeneralSecurityException if the data key cannot be obtained ({@link
   *     ContextMismatchException}, {@link AuthenticationException}) or a KEK fails to wrap it
   */
  public RecordingHeader rewrap(
      RecordingHeader header, ReadableByteChannel body, ReadOptions options)
      throws IOException, GeneralSecurityException {
    BodyPrefix prefix = BodyPrefix.of(body);
    try {
      return rewrap(header, prefix, options);
    } catch (BodyPrefix.Failed e) {
      throw e.getCause();
    }
  }

  private RecordingHeader rewrap(RecordingHeader header, BodyPrefix bodyPrefix, ReadOptions options)
      throws GeneralSecurityException {
    EncryptionContext full = header.fullContext(options);
    List<WrappedKey> next = new ArrayList<>(header.wrappedKeys().size());
    boolean changed = false;
    boolean owned = false;
    for (WrappedKey w : header.wrappedKeys()) {
      for (Kek k : wrapKeks) {
        owned |= k.uri().equals(w.kekUri());
      }
    }
    if (!owned) {
      // Nothing of ours to re-wrap is not "already current": this instance never wrapped it.
      throw new NoUsableKeyException(
          "none of the re-wrapping KEKs (" + urisOf(wrapKeks) + ") wraps a key of this recording"
              + " (its recipients: " + recipientsOf(header) + "): it is not theirs to re-wrap",
          Collections.<Exception>emptyList());
    }
    Unlocked opened = null;
    try {
      for (WrappedKey w : header.wrappedKeys()) {
        Kek owner = null;
        for (Kek k : wrapKeks) {
          if (k.uri().equals(w.kekUri())) {
            owner = k;
          }
        }
        if (owner == null || owner.isCurrent(w)) {
          next.add(w);
          continue;
        }
        changed = true;
        EncryptionContext wrapContext = header.wrapContext(full, w.scope());
        WrappedKey rewrapped;
        long t = System.nanoTime();
        try {
          try {
            rewrapped = owner.rewrap(w, wrapContext).withScope(w.scope());
          } catch (NotMyKeyException e) {
            if (opened == null) {
              opened = unlock(header, bodyPrefix.get(), options, true);
            }
            rewrapped = owner.wrap(keyFor(opened, w.scope()), wrapContext).withScope(w.scope());
          }
        } catch (GeneralSecurityException | RuntimeException e) {
          Audit.record(audit,
              AuditEvent.of(
                  Operation.REWRAP, owner.uri(), w.kekVersion(),
                  header.headerIdHex(), header.context(), e, t));
          throw e;
        }
        Audit.record(audit,
            AuditEvent.of(
                Operation.REWRAP, owner.uri(), rewrapped.kekVersion(),
                header.headerIdHex(), header.context(), null, t));
        next.add(rewrapped);
      }
    } finally {
      if (opened != null) {
        opened.wipe();
      }
    }
    return changed ? header.withWrappedKeys(next).checkWritable() : header;
  }

  private static String urisOf(List<Kek> keks) {
    StringBuilder sb = new StringBuilder();
    for (Kek k : keks) {
      sb.append(sb.length() == 0 ? "" : ", ").append(k.uri());
    }
    return sb.toString();
  }

  private static String recipientsOf(RecordingHeader header) {
    List<String> uris = new ArrayList<>();
    for (WrappedKey w : header.wrappedKeys()) {
      if (!uris.contains(w.kekUri())) {
        uris.add(w.kekUri());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String u : uris) {
      sb.append(sb.length() == 0 ? "" : ", ").append(u);
    }
    return sb.toString();
  }

  /** The key a wrap of {@code scope} holds, from what opened the recording. */
  private static byte[] keyFor(Unlocked opened, WrappedKey.Scope scope) throws OxCryptoException {
    if (scope == WrappedKey.Scope.RECORDING_KEY || opened.scope == WrappedKey.Scope.DATA_KEY) {
      return scope == WrappedKey.Scope.RECORDING_KEY ? opened.inputKey : opened.unwrapped;
    }
    throw new OxCryptoException(
        "re-wrapping this entry needs the recording's data key, and only a key shared for this"
            + " recording alone opened it");
  }

  private static void checkPrefix(byte[] bodyPrefix) {
    if (bodyPrefix.length != Cobblestone.PREFIX_BYTES) {
      throw new IllegalArgumentException("bodyPrefix must be the body's first 56 bytes");
    }
  }

  /**
   * Shares a recording with another KEK (a colleague's, an escrow key, an HPKE recipient's public
   * key) by adding a wrapped key to its header. The body is untouched. Where the recipient KEK can
   * re-wrap on the service side from one of the existing wrapped keys (AWS KMS {@code ReEncrypt}),
   * the data key never leaves the KMS; otherwise it is unwrapped, checked against the body's key
   * commitment and wrapped for the recipient.
   *
   * @param header the recording's header
   * @param bodyPrefix the first 56 bytes of the body (salt and commitment)
   * @param recipient the KEK to share with
   * @param options supplies the unstored context entries' values, if any, and the wrapped-key
   *     limit
   * @return the new header, or {@code header} itself if {@code recipient} already has a wrapped
   *     key in it
   * @throws IllegalArgumentException if {@code bodyPrefix} is not 56 bytes
   * @throws FormatException if the new header would exceed the reader's limits
   * @throws GeneralSecurityException if the data key cannot be obtained or wrapped for {@code
   *     recipient}
   */
  public RecordingHeader share(
      RecordingHeader header, byte[] bodyPrefix, Kek recipient, ReadOptions options)
      throws GeneralSecurityException {
    checkPrefix(bodyPrefix);
    return share(header, BodyPrefix.of(bodyPrefix), recipient, options);
  }

  /**
   * As {@link #share(RecordingHeader, byte[], Kek, ReadOptions)}, for a header kept apart from its
   * body: the body is read only if the key must be unwrapped, and then only its first 56 bytes,
   * once. A recipient that re-wraps on the service side, or one that already has a wrapped key,
   * reads nothing.
   *
   * <pre>{@code
   * RecordingHeader next = recordings.share(header, bodyChannel, colleagueKek, ReadOptions.defaults());
   * storeSidecar(next.toByteArray());
   * }</pre>
   *
   * @param header the recording's header
   * @param body the body alone, positioned at its first byte; read lazily, at most 56 bytes, and
   *     not closed
   * @param recipient the KEK to share with
   * @param options supplies the unstored context entries' values, if any, and the wrapped-key
   *     limit
   * @return the new header, or {@code header} itself if {@code recipient} already has a wrapped
   *     key in it
   * @throws IOException if reading the body's first bytes fails
   * @throws TruncationException if the body ends before its salt and commitment
   * @throws FormatException if the new header would exceed the reader's limits
   * @throws GeneralSecurityException if the data key cannot be obtained or wrapped for {@code
   *     recipient}
   */
  public RecordingHeader share(
      RecordingHeader header, ReadableByteChannel body, Kek recipient, ReadOptions options)
      throws IOException, GeneralSecurityException {
    BodyPrefix prefix = BodyPrefix.of(body);
    try {
      return share(header, prefix, recipient, options);
    } catch (BodyPrefix.Failed e) {
      throw e.getCause();
    }
  }

  private RecordingHeader share(
      RecordingHeader header, BodyPrefix bodyPrefix, Kek recipient, ReadOptions options)
      throws GeneralSecurityException {
    for (WrappedKey w : header.wrappedKeys()) {
      if (w.kekUri().equals(recipient.uri())) {
        return header; // already shared
      }
    }
    if (header.wrappedKeys().size() >= options.maxWrappedKeys()) {
      throw new FormatException(
          "recording already has " + options.maxWrappedKeys() + " wrapped keys, the reader limit");
    }
    EncryptionContext full = header.fullContext(options);
    // Version 2 shares the recording key, which opens this recording only; version 1 can only
    // share its data key (FORMAT.md, section 3.1).
    WrappedKey.Scope scope =
        header.formatVersion() == RecordingHeader.FORMAT_VERSION_1
            ? WrappedKey.Scope.DATA_KEY
            : WrappedKey.Scope.RECORDING_KEY;
    EncryptionContext wrapContext = header.wrapContext(full, scope);
    long t = System.nanoTime();
    // Service-side first (AWS KMS ReEncrypt) from an entry that holds the same key: the key never
    // leaves the KMS. A wrapped key that does not match the body's commitment then simply fails
    // when the recipient opens it.
    for (WrappedKey existing : header.wrappedKeys()) {
      if (existing.scope() != scope) {
        continue;
      }
      WrappedKey w;
      try {
        w = recipient.rewrap(existing, wrapContext).withScope(scope);
      } catch (NotMyKeyException e) {
        continue;
      } catch (GeneralSecurityException | RuntimeException e) {
        continue; // fall back to unwrap and wrap below
      }
      List<WrappedKey> next = new ArrayList<>(header.wrappedKeys());
      next.add(w);
      RecordingHeader shared = header.withWrappedKeys(next).checkWritable();
      Audit.record(audit,
          AuditEvent.of(
              Operation.SHARE, recipient.uri(), w.kekVersion(),
              header.headerIdHex(), header.context(), null, t));
      return shared;
    }
    Unlocked opened = unlock(header, bodyPrefix.get(), options, true);
    WrappedKey w;
    RecordingHeader shared;
    try {
      List<WrappedKey> next = new ArrayList<>(header.wrappedKeys());
      w = recipient.wrap(keyFor(opened, scope), wrapContext).withScope(scope);
      next.add(w);
      shared = header.withWrappedKeys(next).checkWritable();
    } catch (GeneralSecurityException | RuntimeException e) {
      Audit.record(audit,
          AuditEvent.of(
              Operation.SHARE, recipient.uri(), null, header.headerIdHex(), header.context(), e, t));
      throw e;
    } finally {
      opened.wipe();
    }
    Audit.record(audit,
        AuditEvent.of(
            Operation.SHARE, recipient.uri(), w.kekVersion(),
            header.headerIdHex(), header.context(), null, t));
    return shared;
  }

  /**
   * Removes every wrapped key of the KEK {@code kekUri} from a header. Revocation cannot take back
   * a data key that a recipient already unwrapped, nor copies of the old header: it only stops
   * this copy of the recording from being opened with that KEK.
   *
   * @param header the recording's header
   * @param kekUri the URI of the KEK to remove
   * @return a new header without that KEK's wrapped keys
   * @throws OxCryptoException if the KEK has no wrapped key here, or it is the only one
   */
  public RecordingHeader revoke(RecordingHeader header, String kekUri) throws OxCryptoException {
    long t = System.nanoTime();
    RecordingHeader next;
    try {
      next = revokeKeys(header, kekUri);
    } catch (OxCryptoException e) {
      Audit.record(audit,
          AuditEvent.of(
              Operation.REVOKE, kekUri, null, header.headerIdHex(), header.context(), e, t));
      throw e;
    }
    Audit.record(audit,
        AuditEvent.of(
            Operation.REVOKE, kekUri, null, header.headerIdHex(), header.context(), null, t));
    return next;
  }

  private static RecordingHeader revokeKeys(RecordingHeader header, String kekUri)
      throws OxCryptoException {
    List<WrappedKey> next = new ArrayList<>();
    for (WrappedKey w : header.wrappedKeys()) {
      if (!w.kekUri().equals(kekUri)) {
        next.add(w);
      }
    }
    if (next.size() == header.wrappedKeys().size()) {
      throw new OxCryptoException("recording has no wrapped key for " + kekUri);
    }
    if (next.isEmpty()) {
      throw new OxCryptoException(
          "cannot revoke " + kekUri + ": it is the recording's only key (destroy the KEK instead)");
    }
    return header.withWrappedKeys(next);
  }

  private RecordingInputStream openStream(
      InputStream in, ReadOptions options, boolean recover, byte[] dekOut)
      throws IOException, GeneralSecurityException {
    return openStream(in, null, options, recover, dekOut);
  }

  /**
   * Reads the header and the body's salt and commitment from {@code in}, unlocks the body and
   * returns its reader. With {@code inMemory}, {@code in} reads that array (no read-ahead), and the
   * reader then opens the chunks in place from it, from where {@code in} stopped.
   */
  private RecordingInputStream openStream(
      InputStream in, byte[] inMemory, ReadOptions options, boolean recover, byte[] dekOut)
      throws IOException, GeneralSecurityException {
    RecordingHeader header = headerOf(in, options);
    byte[] prefix = new byte[Cobblestone.PREFIX_BYTES];
    Streams.readFully(
        in, prefix, 0, prefix.length, "recording ends before its body's salt and commitment");
    Unlocked u = unlockInto(header, prefix, options, dekOut);
    return inMemory == null
        ? new RecordingInputStream(in, header, u.cipher, u.flush, recover)
        : new RecordingInputStream(
            inMemory, inMemory.length - in.available(), header, u.cipher, u.flush);
  }

  private static RecordingHeader headerOf(InputStream in, ReadOptions options)
      throws IOException, OxCryptoException {
    byte[] detached = options.detachedHeader();
    if (detached != null) {
      return RecordingHeader.parse(detached, options);
    }
    return RecordingHeader.read(in, options);
  }

  /**
   * The body's salt and commitment, given or read from a channel on first use only (a detached
   * header's edit needs them only to unwrap).
   */
  private abstract static class BodyPrefix {
    /** An I/O failure reading the prefix, carried through the key code and unwrapped by callers. */
    static final class Failed extends OxCryptoException {
      private static final long serialVersionUID = 1L;

      Failed(IOException cause) {
        super("reading the body's first bytes failed", cause);
      }

      @Override
      public synchronized IOException getCause() {
        return (IOException) super.getCause();
      }
    }

    abstract byte[] get() throws GeneralSecurityException;

    static BodyPrefix of(final byte[] prefix) {
      return new BodyPrefix() {
        @Override
        byte[] get() {
          return prefix;
        }
      };
    }

    static BodyPrefix of(final ReadableByteChannel body) {
      Objects.requireNonNull(body, "body");
      return new BodyPrefix() {
        private byte[] read;

        @Override
        byte[] get() throws GeneralSecurityException {
          if (read == null) {
            ByteBuffer buf = ByteBuffer.allocate(Cobblestone.PREFIX_BYTES);
            try {
              while (buf.hasRemaining()) {
                if (body.read(buf) < 0) {
                  throw new TruncationException(
                      "body ends before its salt and commitment (" + buf.position() + " bytes)");
                }
              }
            } catch (IOException e) {
              throw new Failed(e);
            }
            read = buf.array();
          }
          return read;
        }
      };
    }
  }

  /** What opening a header gives: the body's cipher, its flush keys and, if asked, its keys. */
  static final class Unlocked {
    final Cobblestone cipher;
    final FlushRecords flush;
    /** The body's input key (the recording key in version 2), if asked for; the caller wipes it. */
    byte[] inputKey;
    /** The key the wrapped entry held (data key or recording key), if asked for; wiped by caller. */
    byte[] unwrapped;
    WrappedKey.Scope scope;

    Unlocked(Cobblestone cipher, FlushRecords flush) {
      this.cipher = cipher;
      this.flush = flush;
    }

    void wipe() {
      if (inputKey != null) {
        Arrays.fill(inputKey, (byte) 0);
      }
      if (unwrapped != null) {
        Arrays.fill(unwrapped, (byte) 0);
      }
    }
  }

  /**
   * As {@link #unlock(RecordingHeader, byte[], ReadOptions, boolean)}; copies the input key to
   * {@code keyOut} unless it is null, and keeps no key.
   */
  private Unlocked unlockInto(
      RecordingHeader header, byte[] prefix, ReadOptions options, byte[] keyOut)
      throws GeneralSecurityException {
    Unlocked u = unlock(header, prefix, options, keyOut != null);
    if (keyOut != null) {
      System.arraycopy(u.inputKey, 0, keyOut, 0, keyOut.length);
      u.wipe();
    }
    return u;
  }

  /**
   * Checks expectations, unwraps a key and verifies the body's key commitment. Tries every
   * (wrapped key, KEK) pair; a key that unwraps but fails the commitment (a header that wraps
   * different keys for different readers, an entry copied from another header) is skipped, not
   * trusted.
   */
  Unlocked unlock(RecordingHeader header, byte[] prefix, ReadOptions options, boolean wantKeys)
      throws GeneralSecurityException {
    EncryptionContext full = header.fullContext(options);
    options.checkExpectations(full);
    byte[] salt = Arrays.copyOfRange(prefix, 0, Cobblestone.SALT_BYTES);
    byte[] commitment = Arrays.copyOfRange(prefix, Cobblestone.SALT_BYTES, prefix.length);
    byte[] context = header.authenticatedBytes(full);
    EncryptionContext logged = header.context();
    boolean cached =
        cache != null
            && cache.servesReaders()
            && (policy == null || policy.permitsCache(full, cache));
    byte[] canonical = cached ? full.canonicalBytes() : null;
    if (cached) {
      for (WrappedKey wrapped : header.wrappedKeys()) {
        if (wrapped.scope() != WrappedKey.Scope.DATA_KEY) {
          continue; // the cache holds data keys
        }
        byte[] dek = cache.opened(wrapped, canonical);
        if (dek == null) {
          continue;
        }
        long t = System.nanoTime();
        try {
          Unlocked u = openBody(header, dek, wrapped.scope(), salt, context, commitment, wantKeys);
          try {
            Audit.record(audit,
                AuditEvent.of(
                    Operation.CACHE_HIT, wrapped.kekUri(), wrapped.kekVersion(),
                    header.headerIdHex(), logged, null, t));
          } catch (AuditFailedException e) {
            u.wipe();
            throw e;
          }
          return u;
        } catch (AuthenticationException e) {
          // Not this body's key after all: ask the KEKs, as without a cache.
        } finally {
          Arrays.fill(dek, (byte) 0);
        }
      }
    }
    List<Exception> failures = new ArrayList<>();
    AuthenticationException commitmentFailure = null;
    for (WrappedKey wrapped : header.wrappedKeys()) {
      EncryptionContext wrapContext = header.wrapContext(full, wrapped.scope());
      for (Kek kek : candidates(wrapped, failures)) {
        byte[] key;
        long t = System.nanoTime();
        try {
          key = kek.unwrap(wrapped, wrapContext);
        } catch (NotMyKeyException e) {
          continue;
        } catch (GeneralSecurityException | RuntimeException e) {
          Audit.record(audit,
              AuditEvent.of(
                  Operation.UNWRAP, wrapped.kekUri(), wrapped.kekVersion(),
                  header.headerIdHex(), logged, e, t));
          failures.add(e);
          continue;
        }
        try {
          // Fail closed: a key whose unwrap was not recorded opens nothing.
          Audit.record(audit,
              AuditEvent.of(
                  Operation.UNWRAP, wrapped.kekUri(), wrapped.kekVersion(),
                  header.headerIdHex(), logged, null, t));
        } catch (AuditFailedException e) {
          Arrays.fill(key, (byte) 0);
          throw e;
        }
        try {
          Unlocked u = openBody(header, key, wrapped.scope(), salt, context, commitment, wantKeys);
          if (cached && wrapped.scope() == WrappedKey.Scope.DATA_KEY) {
            cache.rememberOpened(wrapped, canonical, key);
          }
          return u;
        } catch (AuthenticationException e) {
          commitmentFailure = e;
        } catch (GeneralSecurityException e) {
          failures.add(e);
        } finally {
          Arrays.fill(key, (byte) 0);
        }
      }
    }
    if (commitmentFailure != null) {
      throw commitmentFailure;
    }
    StringBuilder uris = new StringBuilder();
    for (WrappedKey w : header.wrappedKeys()) {
      uris.append(uris.length() == 0 ? "" : ", ").append(w.kekUri());
    }
    if (!header.unstoredKeys().isEmpty() && !failures.isEmpty() && !anyRetryable(failures)) {
      // Every wrap binds the unstored values: a wrong one fails every unwrap alike.
      throw new ContextMismatchException(
          "no KEK unwrapped the key with the values given for the unstored context entries "
              + header.unstoredKeys()
              + ": a wrong value, or no KEK of this recording (wrapped for: "
              + uris
              + ")",
          failures.get(0));
    }
    throw new NoUsableKeyException("no KEK could unwrap the data key (wrapped for: " + uris + ")", failures);
  }

  /** Whether a KMS said "try again" (an outage, throttling): not a wrong context value. */
  private static boolean anyRetryable(List<Exception> failures) {
    for (Exception e : failures) {
      if (e instanceof KmsException && ((KmsException) e).isRetryable()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The body's cipher if {@code key} (of {@code scope}) passes the key commitment; the caller
   * wipes {@code key}.
   */
  private Unlocked openBody(
      RecordingHeader header,
      byte[] key,
      WrappedKey.Scope scope,
      byte[] salt,
      byte[] context,
      byte[] commitment,
      boolean wantKeys)
      throws GeneralSecurityException {
    byte[] ik = inputKey(header, key, scope);
    try {
      Cobblestone cipher = Cobblestone.open(ik, salt, context, commitment, cipherProvider);
      FlushRecords flush =
          header.formatVersion() == RecordingHeader.FORMAT_VERSION_1
              ? null
              : FlushRecords.derive(ik, salt, context, cipherProvider);
      Unlocked u = new Unlocked(cipher, flush);
      if (wantKeys) {
        u.inputKey = ik.clone();
        u.unwrapped = key.clone();
        u.scope = scope;
      }
      return u;
    } finally {
      if (ik != key) {
        Arrays.fill(ik, (byte) 0);
      }
    }
  }

  private List<Kek> candidates(WrappedKey wrapped, List<Exception> failures) {
    if (registry == null || !registry.canResolve(wrapped.kekUri())) {
      return unwrapKeks;
    }
    List<Kek> all = new ArrayList<>(unwrapKeks);
    try {
      Kek k = registry.resolve(wrapped.kekUri());
      if (!all.contains(k)) {
        all.add(k);
      }
    } catch (NotMyKeyException e) {
      // not resolvable after all
    } catch (GeneralSecurityException | RuntimeException e) {
      failures.add(e);
    }
    return all;
  }

  /** Builds {@link Recordings}. */
  public static final class Builder {
    private final List<Kek> wrapKeks = new ArrayList<>();
    private final List<Kek> unwrapKeks = new ArrayList<>();
    private KekRegistry registry;
    private SecureRandom random;
    private DekCache cache;
    private ClassificationPolicy policy;
    private AuditSink audit = AuditSink.slf4j();
    private Provider cipherProvider;
    private boolean writeVersion1;

    private Builder() {}

    /**
     * Writes format version 1 (no unstored context, sharing hands over the data key, no flush
     * records): only for tests and the known-answer vectors, which must cover the version that
     * every reader still opens.
     */
    Builder writeVersion1() {
      this.writeVersion1 = true;
      return this;
    }

    /**
     * Reuses data keys within the cache's limits (see {@link DekCache}). Off by default.
     *
     * @param cache the cache, which may be shared by several instances; not null
     * @return this builder
     */
    public Builder dekCache(DekCache cache) {
      this.cache = Objects.requireNonNull(cache, "cache");
      return this;
    }

    /**
     * Enforces rules per data class when a recording starts. None by default.
     *
     * @param policy the policy; not null
     * @return this builder
     */
    public Builder policy(ClassificationPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Where key-operation events go; {@link AuditSink#slf4j()} by default.
     *
     * @param audit the sink; not null
     * @return this builder
     */
    public Builder auditSink(AuditSink audit) {
      this.audit = Objects.requireNonNull(audit, "audit");
      return this;
    }

    /**
     * New recordings' data keys are wrapped under each of these (all must succeed); they also
     * open recordings. Calls add up.
     *
     * @param keks the KEKs, none null
     * @return this builder
     * @throws NullPointerException if a KEK is null
     */
    public Builder wrapWith(Kek... keks) {
      for (Kek k : keks) {
        wrapKeks.add(Objects.requireNonNull(k, "kek"));
      }
      return this;
    }

    /**
     * Extra KEKs to try when opening (the wrap KEKs are always tried). Calls add up.
     *
     * @param keks the KEKs, none null
     * @return this builder
     * @throws NullPointerException if a KEK is null
     */
    public Builder unwrapWith(Kek... keks) {
      for (Kek k : keks) {
        unwrapKeks.add(Objects.requireNonNull(k, "kek"));
      }
      return this;
    }

    /**
     * Resolves the KEK of each wrapped key by its URI when opening, after the KEKs given
     * directly. Replaces an earlier registry.
     *
     * @param registry the registry; not null
     * @return this builder
     */
    public Builder unwrapWith(KekRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * The randomness for data keys, salts and header ids; a new {@link SecureRandom} by default.
     *
     * @param random the source; not null
     * @return this builder
     */
    public Builder secureRandom(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * The JCA provider that seals and opens chunks (AES-256-GCM), for servers that want a faster
     * one without installing it process-wide. Off by default: JCA's choice, which is SunJCE on a
     * stock JDK and the platform's provider on Android. Neither is required. On this project's
     * benchmark machine ACCP was the fastest (benchmarks/README.md):
     *
     * <pre>{@code
     * Recordings recordings = Recordings.builder()
     *     .wrapWith(kek)
     *     .cipherProvider(AmazonCorrettoCryptoProvider.INSTANCE)   // or Conscrypt.newProvider()
     *     .build();
     * }</pre>
     *
     * <p>Only the body's chunks use it; KEKs and key derivation use their own. The output is the
     * same on every provider. With Conscrypt on a JVM, which copies Java arrays across JNI, each
     * open writer or reader of more than one chunk stages its chunks in two direct buffers (32 KiB
     * off the heap, counted against {@code -XX:MaxDirectMemorySize}), zeroed when it is closed.
     *
     * @param provider the provider; not null. Checked by {@link #build()}
     * @return this builder
     */
    public Builder cipherProvider(Provider provider) {
      this.cipherProvider = Objects.requireNonNull(provider, "provider");
      return this;
    }

    /**
     * Builds the instance.
     *
     * @return an immutable, thread-safe {@code Recordings}
     * @throws IllegalStateException if no KEK and no registry were given
     * @throws IllegalArgumentException if the cipher provider has no AES/GCM/NoPadding
     */
    public Recordings build() {
      if (wrapKeks.isEmpty() && unwrapKeks.isEmpty() && registry == null) {
        throw new IllegalStateException("Recordings needs at least one KEK or a KekRegistry");
      }
      if (cipherProvider != null) {
        try {
          Cobblestone.newCipher(cipherProvider);
        } catch (GeneralSecurityException e) {
          throw new IllegalArgumentException(
              "provider " + cipherProvider.getName() + " has no AES/GCM/NoPadding", e);
        }
      }
      return new Recordings(this);
    }
  }
}
