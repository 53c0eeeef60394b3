package com.getox.crypto.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingHeader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import picocli.CommandLine.Option;

/**
 * {@code --detached-header H.oxh} and {@code --body BODY} of {@code rewrap}, {@code share} and
 * {@code revoke}: edit a header kept apart from its body (a sidecar file, as {@code encrypt
 * --detached-header} writes it) in place, reading at most the body's first 56 bytes (its salt and
 * commitment), and only when a data key must be unwrapped.
 *
 * <pre>{@code
 * oxcrypt share --keyset keys.json --detached-header talk.oxh --body talk.body --to-public-key a.pub
 * }</pre>
 */
final class DetachedHeaderOptions {
  static final String OPTION = "--detached-header";
  static final String BODY_OPTION = "--body";
  /** The body's salt and commitment: all that an edit ever reads of it. */
  static final int BODY_PREFIX_BYTES = 56;

  @Option(names = OPTION, paramLabel = "H.oxh",
      description = "Edit this detached header (a file holding the header alone, from 'encrypt "
          + OPTION + "') in place instead of a recording file. Only H.oxh is replaced, "
          + "atomically; the body is never written.")
  Path header;

  @Option(names = BODY_OPTION, paramLabel = "BODY",
      description = "The body of " + OPTION + ": needed only when a data key must be unwrapped "
          + "(exit 2 naming " + BODY_OPTION + " otherwise); at most its first 56 bytes are read.")
  Path body;

  /** Whether {@code --detached-header} was given; a usage error for {@code --body} without it. */
  boolean given() throws CliException {
    if (body != null && header == null) {
      throw new CliException(OxCrypt.USAGE, BODY_OPTION + " goes with " + OPTION + " H.oxh");
    }
    return header != null;
  }

  /** A usage error if {@code --detached-header} and the positional recording(s) are both given or neither. */
  void checkExclusive(boolean positional, String what) throws CliException {
    if (given() == positional) {
      throw new CliException(OxCrypt.USAGE, positional
          ? "give " + what + " or " + OPTION + " H.oxh, not both"
          : "give " + what + " or " + OPTION + " H.oxh");
    }
  }

  /** Adds {@code detachedHeader}, {@code body} and {@code bodyBytesRead} to a --json document. */
  void report(ObjectNode j, Body b) {
    j.put("detachedHeader", header.toString());
    if (body == null) {
      j.putNull("body");
    } else {
      j.put("body", body.toString());
    }
    j.put("bodyBytesRead", b.bytesRead());
  }

  /**
   * The detached header in {@code file}: exit 5 if it cannot be read, exit 3 if it is not a header
   * alone (a recording file, or not Ox's).
   */
  static byte[] read(Path file, ReadOptions options) throws Exception {
    if (!Files.isRegularFile(file)) {
      throw new CliException(Files.exists(file) ? OxCrypt.USAGE : OxCrypt.IO_ERROR,
          (Files.exists(file) ? "not a regular file: " : "no such file: ") + file
              + " (" + OPTION + " takes a header file)");
    }
    if (Files.size(file) > RecordingHeader.MAX_HEADER_BYTES) {
      throw new CliException(OxCrypt.INTEGRITY, file + " is too large to be a detached header");
    }
    byte[] bytes = Files.readAllBytes(file);
    RecordingHeader header;
    try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
      header = RecordingHeader.read(in, options);
    }
    if (header.toByteArray().length != bytes.length) {
      throw new CliException(OxCrypt.INTEGRITY, file + " holds more than a header: it is a "
          + "recording file, not a detached header (drop " + OPTION + ")");
    }
    return bytes;
  }

  /**
   * Whether {@code file} is a regular file holding exactly one Ox header and nothing after it (a
   * detached header, given where a recording goes); false if it cannot be read or parsed.
   */
  static boolean holdsHeaderAlone(Path file) {
    if (!Files.isRegularFile(file)) {
      return false;
    }
    try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file))) {
      return RecordingHeader.read(in, ReadOptions.defaults()).toByteArray().length == Files.size(file);
    } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** The body given by {@code --body}, or none (then reading it is a usage error naming it). */
  Body body() {
    return new Body(body, "this edit must unwrap the data key, which needs the body's first "
        + BODY_PREFIX_BYTES + " bytes: give " + BODY_OPTION + " BODY (the file 'encrypt "
        + OPTION + "' wrote the body to)");
  }

  /** Thrown by a {@link Body} that is needed but was not given; {@link #usage} makes it exit 2. */
  static final class BodyNeeded extends IOException {
    private static final long serialVersionUID = 1L;

    BodyNeeded(String message) {
      super(message);
    }
  }

  /** Runs an edit, turning {@link BodyNeeded} into the usage error it stands for. */
  static <T> T usage(Edit<T> edit) throws Exception {
    try {
      return edit.run();
    } catch (BodyNeeded e) {
      throw new CliException(OxCrypt.USAGE, e.getMessage());
    }
  }

  /** An edit that may need the body. */
  interface Edit<T> {
    T run() throws Exception;
  }

  /**
   * A body of which at most the first 56 bytes are ever read, once: the file is opened on the
   * first read only, and each {@link #channel()} replays what was read.
   */
  static final class Body implements AutoCloseable {
    private final Path path;
    private final String missing;
    private FileChannel file;
    private byte[] read = new byte[0];
    private boolean ended;

    Body(Path path, String missing) {
      this.path = path;
      this.missing = missing;
    }

    /** Bytes read from the body file so far, at most 56. */
    long bytesRead() {
      return read.length;
    }

    /** A channel over the body's first 56 bytes at most, from its first byte. */
    ReadableByteChannel channel() {
      return new ReadableByteChannel() {
        private int position;

        @Override
        public int read(ByteBuffer dst) throws IOException {
          if (!dst.hasRemaining()) {
            return 0;
          }
          if (position == read.length && !fill(position + dst.remaining())) {
            return -1;
          }
          int n = Math.min(dst.remaining(), read.length - position);
          dst.put(read, position, n);
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

    /** An input stream over {@link #channel()}. */
    InputStream stream() {
      return Channels.newInputStream(channel());
    }

    /** Reads up to {@code want} bytes (never past 56) into {@link #read}; false at the end. */
    private boolean fill(int want) throws IOException {
      int limit = Math.min(want, BODY_PREFIX_BYTES);
      if (ended || read.length >= limit) {
        return false;
      }
      if (path == null) {
        throw new BodyNeeded(missing);
      }
      if (file == null) {
        file = FileChannel.open(path, StandardOpenOption.READ);
      }
      ByteBuffer buf = ByteBuffer.allocate(limit - read.length);
      int n = file.read(buf);
      if (n < 0) {
        ended = true;
        return false;
      }
      byte[] more = Arrays.copyOf(read, read.length + n);
      System.arraycopy(buf.array(), 0, more, read.length, n);
      read = more;
      return n > 0 || fill(want);
    }

    @Override
    public void close() throws IOException {
      if (file != null) {
        file.close();
      }
    }
  }
}
