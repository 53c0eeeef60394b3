package com.getox.crypto.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.getox.crypto.EncryptionContext;
import com.getox.crypto.RecordingHeader;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.internal.AtomicFile;
import com.getox.crypto.internal.Streams;
import com.getox.crypto.kek.Kek;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code oxcrypt encrypt}: streams IN into an encrypted recording. From stdin each 16 KiB is
 * sealed and written as soon as it is read, so stdin is never buffered whole; a regular file IN is
 * sealed on several threads ({@link ThreadsOption}), a batch of 1 MiB per thread at a time, and
 * written in order. A new file OUT is written in
 * place (a killed run leaves a recording that {@code decrypt --recover} salvages); an existing one
 * through an owner-only temporary file beside it, replaced only once the recording is complete.
 * With {@code --flush-every}, a new file OUT is written by position ({@link
 * Recordings#newFileWriter}) and flushed at that interval, even while stdin blocks.
 */
@Command(
    name = "encrypt",
    mixinStandardHelpOptions = true,
    description = {
      "Encrypt IN ('-' for stdin) into the recording OUT ('-' for stdout).",
      "The data key is wrapped under the keyset's primary KEK version and under each --kek. Stdin is streamed: each 16 KiB "
          + "is sealed and written as soon as it is read. A new file OUT is owner-only and written in "
          + "place: if IN fails or the process is killed, OUT is left truncated, and 'decrypt "
          + "--recover' salvages it. An existing OUT is written to a temporary file beside it and "
          + "replaced only when all of IN was encrypted: if anything fails, it is left as it was, "
          + "with its permissions.",
      "With --flush-every, OUT must be a new file: the bytes read are made durable at that interval, "
          + "also while IN pauses, so a recorder killed at any moment loses at most that much; "
          + "'decrypt --recover' returns everything flushed and 'resume' goes on writing OUT.",
      "With " + DetachedHeaderOptions.OPTION + " H.oxh, OUT receives the body alone and H.oxh the "
          + "header (a sidecar, as the S3 module stores next to an object). Both are written "
          + "through temporary files beside them: H.oxh's is made first (a missing directory, or a "
          + "directory named H.oxh, fails before IN is read), then OUT's, which replaces OUT once "
          + "all of IN was encrypted, then H.oxh is replaced. So a failure leaves neither a partial "
          + "OUT nor a header without its body: both are left as they were. Read it back with "
          + "'decrypt " + DetachedHeaderOptions.OPTION + " H.oxh'.",
      "A regular file IN is read whole and sealed on several threads (" + ThreadsOption.OPTION
          + "), the same recording as on one; stdin is streamed on one.",
      "Exit codes: 0 done; 2 bad options, --flush-every with an existing OUT or stdout or with "
          + DetachedHeaderOptions.OPTION + ", " + ThreadsOption.OPTION + " with a stdin, pipe or "
          + "device IN or with --flush-every or " + DetachedHeaderOptions.OPTION + ", a KEY in "
          + "both --context and --unstored-context; 4 no usable keyset; 5 IN or OUT cannot be read "
          + "or written (a new OUT then holds what was read, truncated; with "
          + DetachedHeaderOptions.OPTION + ", OUT and H.oxh are left as they were), or, rarely, "
          + "H.oxh cannot be renamed into place after OUT was replaced (the message says so: OUT is "
          + "then useless, encrypt again); 6 a cloud KMS (--kek) "
          + "refused or could not be reached."
    },
    footer = {
      "%nExamples:",
      "  oxcrypt encrypt --keyset keys.json --context user-id=u-7 talk.pcm talk.oxr",
      "  arecord -t raw | oxcrypt encrypt --keyset k.json --flush-every 1s - live.oxr",
      "  oxcrypt encrypt --keyset keys.json --unstored-context user-id=u-7 a.pcm a.oxr",
      "  oxcrypt encrypt --kek aws-kms://arn:aws:kms:eu-west-1:111122223333:key/... a.pcm a.oxr",
      "  oxcrypt encrypt --keyset keys.json --detached-header talk.oxh talk.pcm talk.body",
      ""
    })
final class EncryptCommand implements Callable<Integer> {
  @ParentCommand OxCrypt root;
  @Mixin KeyOptions keys;

  @Option(names = "--context", paramLabel = "KEY=VALUE",
      description = "An encryption context entry, authenticated and bound to the data key, and "
          + "stored in the header in clear. Repeatable, each KEY once.")
  List<String> context = new ArrayList<>();

  @Option(names = UnstoredContextOptions.OPTION, paramLabel = "KEY=VALUE",
      description = "A context entry bound to the recording like --context, but whose value is never "
          + "written (only its name is, which 'inspect' shows): every reader must give the same "
          + UnstoredContextOptions.OPTION + " KEY=VALUE. For personal data such as a user id. "
          + "Repeatable, each KEY once, and not also in --context.")
  List<String> unstored = new ArrayList<>();

  @Option(names = UnstoredContextOptions.FILE_OPTION, paramLabel = "FILE",
      description = "The same entries read from FILE, one KEY=VALUE per line, so that the values "
          + "are not on the command line (other local users see /proc/PID/cmdline).")
  Path unstoredFile;

  @Option(names = "--flush-every", paramLabel = "DURATION",
      description = "Make what was read durable at this interval (200ms, 1s, 2m, 1h), also while IN "
          + "pauses: a kill loses at most that much. OUT must be a new file (not '-', not "
          + "existing), written in place.")
  String flushEvery;

  @Option(names = DetachedHeaderOptions.OPTION, paramLabel = "H.oxh",
      description = "Write the header to this file alone and only the body to OUT (a detached "
          + "header), replaced after OUT is complete; its directory must exist. Not with "
          + "--flush-every.")
  Path detachedHeader;

  @Mixin ThreadsOption threads;

  @Parameters(index = "0", paramLabel = "IN", converter = CliPaths.NotEmpty.class, description = "The plaintext file, or '-' for stdin.")
  String in;

  @Parameters(index = "1", paramLabel = "OUT", converter = CliPaths.NotEmpty.class, description = "The recording to write, or '-' for stdout.")
  String out;

  @Override
  public Integer call() throws Exception {
    long flushNanos = flushEvery == null ? 0 : RecordingPump.parseInterval("--flush-every", flushEvery);
    // IllegalArgumentException: usage
    EncryptionContext ctx = context(CliPaths.keyValues("--context", context),
        CliPaths.keyValues(
            UnstoredContextOptions.OPTION, UnstoredContextOptions.all(unstored, unstoredFile)));
    CliPaths.checkDistinct(in, out);
    ObjectNode j = root.json("encrypt").put("in", in).put("out", out);
    root.checkStdoutFree(out);
    if (flushNanos > 0) {
      if (detachedHeader != null) {
        throw new CliException(OxCrypt.USAGE, "--flush-every cannot be combined with "
            + DetachedHeaderOptions.OPTION + ": a detached header is written once the body is complete");
      }
      checkNewFile();
    }
    if (detachedHeader != null) {
      CliPaths.checkDistinct(in, detachedHeader.toString());
      CliPaths.checkDistinct(out, detachedHeader.toString());
      j.put("detachedHeader", detachedHeader.toString());
    }
    // A regular file IN is read whole on several threads; stdin streams, 16 KiB at a time.
    boolean parallel = threads.applies(in, flushNanos > 0 ? "--flush-every"
        : detachedHeader != null ? DetachedHeaderOptions.OPTION : null);
    java.util.List<Kek> keks = keys.open(root);
    Recordings recordings = root.recordings().wrapWith(keks.toArray(new Kek[0])).build();
    ArrayNode wrapped = j.putArray("wrappedUnder");
    keks.forEach(k -> wrapped.add(k.uri()));
    try (Progress.Meter src = root.meter("encrypt", "-".equals(in) ? root.stdinNonClosing() : Files.newInputStream(Path.of(in)),
        "-".equals(in) ? -1 : Files.size(Path.of(in)))) {
      if (detachedHeader != null) {
        RecordingHeader header = encryptDetached(src, recordings, ctx);
        j.put("headerBytes", header.toByteArray().length);
      } else if (flushNanos > 0) {
        // Written by position, so that a flush is durable; newFileWriter refuses an existing OUT
        // (a race lost since the check above: exit 2 too).
        encrypt(src, c -> recordings.newFileWriter(new File(out), c), ctx, flushNanos);
      } else {
        // The same bytes either way, written in order: the parallel path seals the final chunk
        // last and never after a failure, so OUT's handling below is the same for both.
        CliPaths.Content body = parallel
            ? sink -> recordings.encrypt(Streams.readableChannel(src), Streams.writableChannel(sink), ctx,
                threads.parallelism())
            : sink -> encrypt(src, c -> recordings.newWriter(sink, c), ctx, 0);
        if ("-".equals(out)) {
          body.writeTo(root.stdoutNonClosing());
        } else if (!CliPaths.createInPlace(new File(out), body)) {
          // OUT exists: replace it only once the new recording is complete, so a failure keeps it.
          CliPaths.write(out, AtomicFile.Mode.KEEP, body);
        }
      }
      // A new OUT is written in place: a kill or a failing IN leaves the truncated recording
      // there, and 'decrypt --recover' salvages its authenticated prefix.
      j.put("plaintextBytes", src.bytes());
    }
    return OxCrypt.OK;
  }

  /**
   * The body to OUT and the header to {@link #detachedHeader}, in an order that cannot lose a
   * recording: H.oxh's temporary file (beside it) is created first, so a missing directory or a
   * directory in H.oxh's place fails before IN is read or OUT touched; it gets the header as soon
   * as the writer makes it; then the body goes to OUT's temporary file (or stdout), which replaces
   * OUT once complete; last, H.oxh's temporary replaces H.oxh. A failure before that last step
   * leaves OUT and H.oxh as they were (a failure writing stdout leaves H.oxh as it was). Only if
   * H.oxh's complete temporary cannot be synced and renamed over it, after OUT was replaced, is
   * the new body left without its header: the message says so.
   */
  private RecordingHeader encryptDetached(InputStream src, Recordings recordings, EncryptionContext ctx)
      throws Exception {
    RecordingHeader[] header = new RecordingHeader[1];
    boolean[] headerTempMade = {false};
    boolean[] outReplaced = {false};
    try {
      CliPaths.write(detachedHeader.toString(), AtomicFile.Mode.KEEP, headerSink -> {
        headerTempMade[0] = true;
        CliPaths.Content body = sink -> encrypt(src, c -> {
          RecordingWriter w = recordings.newDetachedWriter(sink, c);
          header[0] = w.header();
          headerSink.write(header[0].toByteArray()); // into H.oxh's temporary, before OUT changes
          return w;
        }, ctx, 0);
        if ("-".equals(out)) {
          try (OutputStream sink = root.stdoutNonClosing()) {
            body.writeTo(sink);
          }
        } else {
          CliPaths.write(out, AtomicFile.Mode.KEEP, body);
        }
        outReplaced[0] = true;
      });
    } catch (Exception e) {
      if (outReplaced[0]) {
        throw new CliException(OxCrypt.IO_ERROR, "the body " + ("-".equals(out) ? "on stdout" : out)
            + " is complete, but its header "
            + detachedHeader + " could not be written (" + OxCrypt.messageOf(e) + "): the body "
            + "cannot be read without it; encrypt again");
      }
      if (!headerTempMade[0]) {
        throw new CliException(OxCrypt.IO_ERROR, "cannot write the header " + detachedHeader + " ("
            + OxCrypt.messageOf(e) + "); nothing was read or written" + ("-".equals(out) ? ""
                : ": " + out + " and " + detachedHeader + " are left as they were"));
      }
      throw e; // IN, OUT or the header's temporary failed: OUT and H.oxh are left as they were
    }
    return header[0];
  }

  /** The stored and the unstored entries; a usage error if a KEY is in both. */
  private EncryptionContext context(Map<String, String> stored, Map<String, String> unstoredValues)
      throws CliException {
    unstoredValues.values().forEach(root::neverPrint);
    EncryptionContext.Builder b = EncryptionContext.builder();
    stored.forEach(b::put);
    for (Map.Entry<String, String> e : unstoredValues.entrySet()) {
      if (stored.containsKey(e.getKey())) {
        throw new CliException(OxCrypt.USAGE, "the key '" + e.getKey() + "' is given by both --context and "
            + UnstoredContextOptions.OPTION + ": give it once");
      }
      b.putUnstored(e.getKey(), e.getValue());
    }
    return b.build();
  }

  /** For --flush-every: OUT is a new file, written in place. */
  private void checkNewFile() throws CliException {
    if ("-".equals(out)) {
      throw new CliException(OxCrypt.USAGE, "--flush-every needs a new file OUT, not stdout: a flush "
          + "goes back to where the partial chunk is kept, which a stream cannot");
    }
    if (Files.exists(Path.of(out), LinkOption.NOFOLLOW_LINKS)) {
      throw new CliException(OxCrypt.USAGE, "--flush-every needs a new file OUT, and " + out + " exists: "
          + "remove it or choose another name");
    }
  }

  /** Starts the recording once IN gave its first bytes. */
  private interface WriterFactory {
    RecordingWriter start(EncryptionContext ctx) throws Exception;
  }

  /**
   * Seals IN into a writer from {@code start}. If IN fails midway the recording is left unsealed
   * (truncated, never mistaken for the whole input) and the failure is thrown.
   */
  private static void encrypt(InputStream src, WriterFactory start, EncryptionContext ctx, long flushNanos)
      throws Exception {
    byte[] buf = new byte[RecordingPump.BUFFER_BYTES];
    // IN is read once before anything is written: an IN that cannot be read at all (a directory,
    // a broken pipe) leaves no OUT behind, not an empty truncated recording.
    int n;
    RecordingWriter writer;
    try {
      n = src.read(buf);
      writer = start.start(ctx);
    } catch (Exception e) {
      Arrays.fill(buf, (byte) 0);
      throw e;
    }
    RecordingPump.pump(src, writer, buf, n, flushNanos);
  }
}
