package com.getox.crypto.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.UnsupportedFormatException;
import com.getox.crypto.kek.Kek;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code oxcrypt resume}: goes on writing a recording whose writer died ({@link
 * Recordings#resume}): everything it had flushed is kept, IN is appended, and the recording is
 * closed.
 */
@Command(
    name = "resume",
    mixinStandardHelpOptions = true,
    description = {
      "Go on writing the recording FILE, whose writer died before closing it (a killed "
          + "'encrypt --flush-every', a crash): append IN ('-' or absent for stdin) to everything "
          + "it had flushed or sealed, then close it. The result is one recording: what was "
          + "recovered followed by IN.",
      "FILE is first re-sealed under fresh keys into a temporary file that replaces it, so no "
          + "key and nonce is used twice; it keeps its header, recipients and mode. It must not be "
          + "written by another process meanwhile. If IN fails, FILE is left unclosed again with "
          + "what was read, and can be resumed again.",
      "Exit codes: 0 done; 2 bad options; 3 FILE is damaged, not a recording, of format version 1 "
          + "(which cannot be resumed: 'decrypt --recover' it), or its context does not match "
          + UnstoredContextOptions.OPTION + "; 4 the keyset cannot open it; 5 FILE or IN cannot be "
          + "read or written; " + OxCrypt.RECORDING_COMPLETE + " FILE was closed normally: nothing "
          + "can be appended to it (start a new recording)."
    },
    footer = {
      "%nExamples:",
      "  arecord -t raw | oxcrypt resume --keyset keys.json --flush-every 1s live.oxr",
      "  oxcrypt resume --keyset keys.json --unstored-context user-id=u-7 a.oxr b.pcm",
      ""
    })
final class ResumeCommand implements Callable<Integer> {
  @ParentCommand OxCrypt root;
  @Mixin KeyOptions keys;
  @Mixin UnstoredContextOptions unstored;

  @Option(names = "--flush-every", paramLabel = "DURATION",
      description = "As encrypt --flush-every: make what was read durable at this interval (200ms, "
          + "1s, 2m), also while IN pauses.")
  String flushEvery;

  @Parameters(index = "0", paramLabel = "FILE", description = "The unclosed recording, changed in place.")
  Path file;

  @Parameters(index = "1", paramLabel = "IN", converter = CliPaths.NotEmpty.class, arity = "0..1", defaultValue = "-",
      description = "The plaintext to append, or '-' for stdin (the default).")
  String in;

  @Override
  public Integer call() throws Exception {
    long flushNanos = flushEvery == null ? 0 : RecordingPump.parseInterval("--flush-every", flushEvery);
    ReadOptions options = unstored.readOptions(root);
    CliPaths.checkDistinct(in, file.toString());
    ObjectNode j = root.json("resume").put("file", file.toString()).put("in", in);
    if (!Files.isRegularFile(file)) {
      throw new CliException(OxCrypt.IO_ERROR, "not a file: " + file);
    }
    Recordings recordings = root.recordings().unwrapWith(keys.open(root).toArray(new Kek[0])).build();
    try (InputStream src = root.meter("resume", "-".equals(in) ? root.stdinNonClosing()
        : Files.newInputStream(Path.of(in)), "-".equals(in) ? -1 : Files.size(Path.of(in)))) {
      RecordingWriter writer;
      try {
        // Header, context, key and everything recovered are checked before FILE is replaced.
        writer = recordings.resume(file.toFile(), options);
      } catch (UnsupportedFormatException e) {
        throw new CliException(OxCrypt.INTEGRITY, "cannot resume " + file + ": " + e.getMessage());
      }
      RecordingPump.pump(src, writer, new byte[RecordingPump.BUFFER_BYTES], 0, flushNanos);
      j.put("appendedBytes", ((Progress.Meter) src).bytes());
    }
    return OxCrypt.OK;
  }
}
