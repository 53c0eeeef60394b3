package com.getox.crypto.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingHeader;
import com.getox.crypto.Recordings;
import com.getox.crypto.SeekableRecording;
import com.getox.crypto.audio.AudioRecording;
import com.getox.crypto.kek.WrappedKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code oxcrypt inspect}: prints a recording's header and body layout as JSON. Needs no keys and
 * decrypts nothing, so nothing it prints is authenticated; the plaintext length is what the body's
 * size implies (a reader authenticates it by decrypting the final chunk).
 */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Print the header and body layout of the recording IN ('-' for stdin) as JSON.",
      "Needs no keys and authenticates nothing: plaintextBytes is what the body's length implies.",
      "A file holding a header alone (from 'encrypt " + DetachedHeaderOptions.OPTION + "') has "
          + "\"detachedHeader\": true and null body fields.",
      "\"recipients\" lists the ID (KEK URI) of everyone who can open it: 'revoke --recipient' takes these.",
      "\"unstoredContext\" lists the names of the context entries the recording is bound to but does "
          + "not store (format version 2): readers give their values with --unstored-context. Their "
          + "values are not in the file and never printed.",
      "With a key (--keyset, --identity or --kek) and a file IN, \"audio\" gives the format and duration of a "
          + "WAV or Ogg Opus recording, read through authenticated random access (the header and, "
          + "for Ogg, the last page); it is null, with \"audioUnavailable\" saying why, when the "
          + "recording holds no such audio. A key or context that cannot open the recording is an "
          + "error, as for decrypt (exit 3 or 4), and prints nothing. No audio bytes are printed."
    },
    footer = {"%nExamples:%n  oxcrypt inspect talk.oxr%n  oxcrypt inspect --keyset keys.json talk.oxr", ""})
final class InspectCommand implements Callable<Integer> {
  @ParentCommand OxCrypt root;

  @Option(names = "--keyset", paramLabel = "FILE",
      description = "Open the recording with this keyset to report its audio format and duration.")
  Path keysetFile;

  @Option(names = "--passphrase-file", paramLabel = "FILE",
      description = "File holding the keyset passphrase (default: the environment variable "
          + KeysetOptions.PASSPHRASE_ENV + ").")
  Path passphraseFile;

  @Option(names = "--identity", paramLabel = "NAME.key",
      description = "Open a recording shared with this recipient key, to report its audio.")
  Path identity;

  @Option(names = "--expect", paramLabel = "KEY=VALUE",
      description = "Require this encryption context entry when opening. Repeatable.")
  List<String> expect = new ArrayList<>();

  @Mixin UnstoredContextOptions unstored;

  @Mixin KekOptions cloud;

  @Parameters(index = "0", paramLabel = "IN", converter = CliPaths.NotEmpty.class, description = "The recording, or '-' for stdin.")
  String in;

  @Override
  public Integer call() throws Exception {
    boolean withKey = keysetFile != null || identity != null || !cloud.keks.isEmpty();
    if (!withKey && (!expect.isEmpty() || !unstored.entries.isEmpty() || unstored.file != null)) {
      unstored.values(root); // registered as never to be printed, like every other command's
      throw new CliException(OxCrypt.USAGE, "--expect and " + UnstoredContextOptions.OPTION
          + " are for opening the recording: give a key too (--keyset, --identity or --kek)");
    }
    RecordingHeader header;
    long bodyBytes;
    try (InputStream src = "-".equals(in) ? root.stdinNonClosing() : Files.newInputStream(Path.of(in))) {
      header = RecordingHeader.read(src, ReadOptions.defaults());
      bodyBytes = count(src);
    }
    int headerBytes = header.toByteArray().length;
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode json = mapper.createObjectNode();
    json.put("formatVersion", header.formatVersion());
    json.put("suiteId", header.suiteId());
    json.put("suite", header.suiteId() == RecordingHeader.SUITE_COBBLESTONE_256
        ? "Cobblestone-256 (AES-256-GCM, HKDF-Expand-SHA-512, 16 KiB chunks, key commitment)"
        : "unknown");
    json.put("headerId", header.headerIdHex());
    json.put("headerBytes", headerBytes);
    ObjectNode context = json.putObject("context");
    for (Map.Entry<String, String> e : header.context().stored().asMap().entrySet()) {
      context.put(e.getKey(), e.getValue());
    }
    // Names only: the values are not in the file (version 2; always empty in version 1).
    ArrayNode unstored = json.putArray("unstoredContext");
    header.unstoredKeys().forEach(unstored::add);
    // A recipient is a KEK that can open the recording: its URI is the ID that 'revoke' takes.
    ArrayNode recipients = json.putArray("recipients");
    header.wrappedKeys().stream().map(WrappedKey::kekUri).distinct().forEach(recipients::add);
    ArrayNode keys = json.putArray("wrappedKeys");
    for (WrappedKey k : header.wrappedKeys()) {
      ObjectNode key = keys.addObject();
      key.put("kekUri", k.kekUri());
      if (header.formatVersion() >= 2) {
        // DATA_KEY: an owner's KEK (opens what its data key encrypts); RECORDING_KEY: a share
        // (opens this recording only).
        key.put("scope", k.scope().name());
      }
      key.put("kekVersion", k.kekVersion());
      key.put("algorithm", k.algorithm());
      key.put("wrappedBytes", k.wrappedLength());
    }
    json.put("chunkSize", Recordings.chunkSizeBytes());
    boolean detached = bodyBytes == 0; // a recording's body is never empty: a header alone
    json.put("detachedHeader", detached);
    long plaintext = Recordings.plaintextLength(bodyBytes);
    if (detached) {
      json.putNull("bodyBytes");
      json.putNull("plaintextBytes");
      json.putNull("chunks");
      json.put("layout", "detached header: the header alone, its body is stored apart (decrypt "
          + DetachedHeaderOptions.OPTION + " " + in + " BODY OUT)");
    } else if (plaintext < 0) {
      json.put("bodyBytes", bodyBytes);
      json.putNull("plaintextBytes");
      json.putNull("chunks");
      json.put("layout", "invalid: the body length fits no chunk layout (truncated or trailing data)");
    } else {
      json.put("bodyBytes", bodyBytes);
      json.put("plaintextBytes", plaintext);
      json.put("chunks", plaintext / Recordings.chunkSizeBytes() + 1);
      json.put("layout", "valid (not authenticated: inspect decrypts nothing)");
    }
    if (withKey && detached) {
      json.putNull("audio");
      json.put("audioUnavailable", "a detached header: its body is not here");
    } else if (withKey) {
      audio(json);
    }
    // Jackson escapes C0 controls; the text stdout escapes DEL, C1 and format characters as
    // JSON-valid backslash-u escapes.
    if (root.json) { // the --json document: the same fields, after "command"
      root.json("inspect").setAll(json);
      return OxCrypt.OK;
    }
    PrintWriter out = root.text();
    out.println(mapper.writeValueAsString(json));
    out.flush();
    return OxCrypt.OK;
  }

  /**
   * Adds {@code audio} (format and duration) or, when it cannot be had, {@code audio: null} and
   * {@code audioUnavailable}: inspect describes, so a recording that is not audio is no error.
   * Wrong keys or context still are (exit 3 or 4), as for decrypt.
   */
  private void audio(ObjectNode json) throws Exception {
    if ("-".equals(in)) {
      throw new CliException(OxCrypt.USAGE, "reporting audio needs a file IN, not stdin");
    }
    ReadOptions.Builder options = ReadOptions.builder();
    Map<String, String> expected = CliPaths.keyValues("--expect", expect);
    expected.forEach(options::expect);
    ReadOptions readOptions = unstored.addTo(root, options, expected).build();
    Recordings recordings = DecryptCommand.recordings(root, keysetFile, passphraseFile, identity, cloud);
    try (FileChannel channel = FileChannel.open(Path.of(in), StandardOpenOption.READ);
        SeekableRecording rec = recordings.openSeekable(channel, readOptions)) {
      AudioRecording audio;
      try {
        audio = AudioRecording.open(rec);
      } catch (com.getox.crypto.audio.AudioException e) {
        json.putNull("audio");
        json.put("audioUnavailable", OxCrypt.oneLine(e.getMessage()));
        return;
      }
      ObjectNode a = json.putObject("audio");
      a.put("container", audio.format().container().name());
      a.put("format", audio.format().toString());
      if (audio.format().container() == com.getox.crypto.audio.AudioFormat.Container.OGG_OPUS) {
        a.put("sampleRateHz", 48000); // what Opus decodes to, whatever the input was
        a.put("inputSampleRateHz", audio.format().sampleRateHz());
      } else {
        a.put("sampleRateHz", audio.format().sampleRateHz());
      }
      a.put("channels", audio.format().channels());
      a.put("bitsPerSample", audio.format().bitsPerSample());
      a.put("durationMicros", audio.durationMicros());
      a.put("duration", AudioTimes.format(audio.durationMicros()));
    }
  }

  private static long count(InputStream in) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    int n;
    while ((n = in.read(buf)) >= 0) {
      total += n;
    }
    return total;
  }
}
