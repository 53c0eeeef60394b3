package com.getox.crypto.cli;

import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingFiles;
import com.getox.crypto.RecordingHeader;
import com.getox.crypto.Recordings;
import com.getox.crypto.SeekableRecording;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.WrappedKey;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code oxcrypt revoke}: removes a recipient's wrapped data key from a recording's header. Only
 * the header changes. It cannot take back a data key the recipient already unwrapped.
 */
@Command(
    name = "revoke",
    mixinStandardHelpOptions = true,
    description = {
      "Remove the recipient ID (a KEK URI, as 'inspect' lists under \"recipients\") from the "
          + "recording IN, so that its key no longer opens this file. Only the header changes; IN is "
          + "replaced atomically.",
      "The keyset must open IN itself (checked first), and cannot revoke its own KEK. Revocation "
          + "cannot take back what a recipient already has: a data key they unwrapped before, or a "
          + "copy of the file made before the revoke, still opens. To cut off such a copy, "
          + "re-encrypt the audio into a new recording."
    },
    footer = {"%nExample:%n  oxcrypt revoke --keyset keys.json --recipient hpke://x25519/3f9a... talk.oxr", ""})
final class RevokeCommand implements Callable<Integer> {
  @ParentCommand OxCrypt root;
  @Mixin KeyOptions keys;
  @Mixin UnstoredContextOptions unstored;

  @Option(names = "--recipient", required = true, paramLabel = "ID",
      description = "The recipient's ID: its KEK URI (local://NAME or hpke://x25519/...).")
  String recipient;

  @Parameters(index = "0", paramLabel = "IN", description = "The recording file, changed in place.")
  Path in;

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(in)) {
      throw new CliException(OxCrypt.IO_ERROR, "not a file: " + in);
    }
    root.json("revoke").put("file", in.toString()).put("recipient", recipient);
    ReadOptions options = unstored.readOptions(root);
    List<Kek> kms = keys.open(root);
    RecordingHeader header = RecordingFiles.readHeader(in.toFile(), options);
    List<String> recipients = new ArrayList<>();
    for (WrappedKey w : header.wrappedKeys()) {
      if (!recipients.contains(w.kekUri())) {
        recipients.add(w.kekUri());
      }
    }
    if (!recipients.contains(recipient)) {
      throw new CliException(OxCrypt.USAGE,
          in + " has no recipient " + recipient + "; its recipients are " + recipients);
    }
    if (kms.stream().anyMatch(k -> recipient.equals(k.uri()))) {
      throw new CliException(OxCrypt.USAGE, "refusing to revoke " + recipient + " with its own "
          + "keyset: " + in + " would no longer open with it (revoke it with another recipient's keyset)");
    }
    Recordings recordings = root.recordings().unwrapWith(kms.toArray(new Kek[0])).build();
    // Header, data key and key commitment: only someone who can open IN edits who else can.
    try (FileChannel channel = FileChannel.open(in, StandardOpenOption.READ);
        SeekableRecording ignored = recordings.openSeekable(channel, options)) {
      // opened: the keyset holds a working key to this recording
    }
    RecordingFiles.revoke(recordings, in.toFile(), recipient, options);
    PrintWriter out = KeysCommand.out(root);
    out.printf("revoked %s from %s (header only). A data key it already unwrapped, or an older "
        + "copy of the file, still opens: revoking cannot take those back.%n", recipient, in);
    out.flush();
    return OxCrypt.OK;
  }
}
