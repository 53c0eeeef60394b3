package com.getox.crypto.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
          + "re-encrypt the audio into a new recording.",
      "With " + DetachedHeaderOptions.OPTION + " H.oxh instead of IN, the detached header H.oxh is "
          + "changed in place and no body byte is needed: the keyset's KEK must then be one of its "
          + "recipients. With " + DetachedHeaderOptions.BODY_OPTION + " BODY too, the keyset must "
          + "open it, as for IN (the body's first 56 bytes are read; exit 3 if BODY is not H.oxh's)."
    },
    footer = {"%nExamples:",
      "  oxcrypt revoke --keyset keys.json --recipient hpke://x25519/3f9a... talk.oxr",
      "  oxcrypt revoke --keyset keys.json --recipient hpke://x25519/3f9a... --detached-header talk.oxh",
      ""})
final class RevokeCommand implements Callable<Integer> {
  @ParentCommand OxCrypt root;
  @Mixin KeyOptions keys;
  @Mixin UnstoredContextOptions unstored;

  @Option(names = "--recipient", required = true, paramLabel = "ID",
      description = "The recipient's ID: its KEK URI (local://NAME or hpke://x25519/...).")
  String recipient;

  @Mixin DetachedHeaderOptions detached;

  @Parameters(index = "0", arity = "0..1", paramLabel = "IN",
      description = "The recording file, changed in place (or " + DetachedHeaderOptions.OPTION + ").")
  Path in;

  @Override
  public Integer call() throws Exception {
    detached.checkExclusive(in != null, "IN");
    Path in = this.in != null ? this.in : detached.header;
    if (!Files.isRegularFile(in)) {
      throw new CliException(OxCrypt.IO_ERROR, "not a file: " + in);
    }
    ObjectNode j = root.json("revoke").put("file", in.toString()).put("recipient", recipient);
    ReadOptions options = unstored.readOptions(root);
    byte[] detachedBytes = this.in == null ? DetachedHeaderOptions.read(in, options) : null;
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
    if (detachedBytes != null) {
      revokeDetached(j, recordings, kms, recipients, options, detachedBytes);
    } else {
      // Header, data key and key commitment: only someone who can open IN edits who else can.
      try (FileChannel channel = FileChannel.open(in, StandardOpenOption.READ);
          SeekableRecording ignored = recordings.openSeekable(channel, options)) {
        // opened: the keyset holds a working key to this recording
      }
      try (Progress bar = root.bodyCopyBar("revoke", in, options)) {
        RecordingFiles.revoke(recordings, in.toFile(), recipient, options,
            bar == null ? null : copied -> bar.update(copied, -1));
      }
    }
    PrintWriter out = KeysCommand.out(root);
    out.printf("revoked %s from %s (header only). A data key it already unwrapped, or an older "
        + "copy of the file, still opens: revoking cannot take those back.%n", recipient, in);
    out.flush();
    return OxCrypt.OK;
  }

  /**
   * Revokes from the detached header: with {@code --body}, after opening it (the body's first 56
   * bytes); without, after checking that a KEK of the keyset is one of its recipients.
   */
  private void revokeDetached(ObjectNode j, Recordings recordings, List<Kek> kms,
      List<String> recipients, ReadOptions options, byte[] detachedBytes) throws Exception {
    try (DetachedHeaderOptions.Body body = detached.body()) {
      if (detached.body != null) {
        ReadOptions withHeader = unstored.addTo(root,
            ReadOptions.builder().detachedHeader(detachedBytes), java.util.Map.of()).build();
        recordings.newInputStream(body.stream(), withHeader).close(); // unwraps, checks the commitment
      } else if (kms.stream().noneMatch(k -> recipients.contains(k.uri()))) {
        throw new CliException(OxCrypt.NO_USABLE_KEY, "the keyset is not a recipient of "
            + detached.header + ", so it cannot revoke others from it; its recipients are " + recipients);
      }
      RecordingFiles.revokeDetached(recordings, detached.header.toFile(), recipient, options);
      detached.report(j, body);
    }
  }
}
