package com.getox.crypto.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.getox.crypto.NoUsableKeyException;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingFiles;
import com.getox.crypto.RecordingHeader;
import com.getox.crypto.Recordings;
import com.getox.crypto.SeekableRecording;
import com.getox.crypto.hpke.HpkeRecipient;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.KekRegistry;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.local.LocalKms;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code oxcrypt share}: adds a recipient's wrapped data key to a recording's header, so that
 * another keyset or the holder of an HPKE private key can open it. Only the header changes.
 */
@Command(
    name = "share",
    mixinStandardHelpOptions = true,
    description = {
      "Let another KEK open the recording IN: unwrap its data key with --keyset or --kek and add a copy "
          + "wrapped for the recipient to the header. Only the header changes; the body bytes are "
          + "copied unchanged and IN is replaced atomically.",
      "The recipient is another keyset file (--to-keyset; its passphrase comes from "
          + "--to-passphrase-file or " + KeysetOptions.PASSPHRASE_ENV + ") or a public key made by "
          + "'keys create-recipient' (--to-public-key NAME.pub). --to-kek URI names the recipient "
          + "by its KEK URI: local:// with --to-keyset, hpke:// with --to-public-key (checked "
          + "against the file). A cloud KMS key (--to-kek aws-kms://... or gcp-kms://...) is named by "
          + "--to-kek alone and called like --kek.",
      "Sharing again with the same recipient changes nothing. A keyset is known by its KEK URI: "
          + "if IN already has a key for the --to-keyset's URI that this keyset cannot open (another "
          + "keyset of the same name), share fails with exit 4. 'revoke' undoes a share.",
      "With " + DetachedHeaderOptions.OPTION + " H.oxh instead of IN, the detached header H.oxh is "
          + "changed in place; " + DetachedHeaderOptions.BODY_OPTION + " BODY gives its body, of "
          + "which at most the first 56 bytes are read, only to unwrap the data key (exit 2 naming "
          + DetachedHeaderOptions.BODY_OPTION + " if it is needed and missing; exit 3 if BODY is "
          + "not H.oxh's). The body is never written."
    },
    footer = {
      "%nExamples:",
      "  oxcrypt share --keyset keys.json --to-public-key alice.pub talk.oxr",
      "  oxcrypt share --keyset keys.json --to-keyset team.json --to-passphrase-file team-pass.txt talk.oxr",
      "  oxcrypt share --keyset keys.json --to-public-key alice.pub --detached-header talk.oxh --body talk.body",
      ""
    })
final class ShareCommand implements Callable<Integer> {
  private static final int MAX_PUBLIC_KEY_BYTES = 64 * 1024;

  @ParentCommand OxCrypt root;
  @Mixin KeyOptions keys;
  @Mixin UnstoredContextOptions unstored;

  @Option(names = "--to-keyset", paramLabel = "FILE", description = "The recipient's keyset file.")
  Path toKeyset;

  @Option(names = "--to-passphrase-file", paramLabel = "FILE",
      description = "The passphrase of --to-keyset (default: " + KeysetOptions.PASSPHRASE_ENV + ").")
  Path toPassphraseFile;

  @Option(names = "--to-public-key", paramLabel = "NAME.pub",
      description = "The recipient's public key, from 'keys create-recipient'.")
  Path toPublicKey;

  @Option(names = "--to-kek", paramLabel = "URI",
      description = "The recipient's KEK URI: a cloud KMS key (aws-kms://arn:... or "
          + "gcp-kms://projects/..., on its own, called like --kek), or local://NAME (with "
          + "--to-keyset) or hpke://x25519/... (with --to-public-key) as a check of that file.")
  String toKek;

  @Mixin DetachedHeaderOptions detached;

  @Parameters(index = "0", arity = "0..1", paramLabel = "IN",
      description = "The recording file, changed in place (or " + DetachedHeaderOptions.OPTION + ").")
  Path in;

  /** --to-kek names a cloud KMS key: the recipient is that KEK. */
  private boolean cloudRecipient;

  @Override
  public Integer call() throws Exception {
    detached.checkExclusive(in != null, "IN");
    Path file = in != null ? in : detached.header;
    ObjectNode j = root.json("share").put("file", file.toString());
    checkRecipientOptions();
    ReadOptions options = unstored.readOptions(root);
    // Everything the user named is checked before IN is touched.
    Kek recipient = cloudRecipient ? keys.cloud.withKeks(toKek).open(root).get(0)
        : toKeyset != null ? openRecipientKeyset() : readPublicKey(toPublicKey);
    if (!cloudRecipient && toKek != null && !toKek.equals(recipient.uri())) {
      throw new CliException(OxCrypt.USAGE, "--to-kek " + toKek + " does not match "
          + (toKeyset != null ? "--to-keyset " + toKeyset : "--to-public-key " + toPublicKey)
          + ", whose KEK is " + recipient.uri());
    }
    if (!Files.isRegularFile(file)) {
      throw new CliException(OxCrypt.IO_ERROR, "not a file: " + file);
    }
    byte[] detachedBytes = in == null ? DetachedHeaderOptions.read(file, options) : null;
    Recordings recordings = root.recordings().unwrapWith(keys.open(root).toArray(new Kek[0])).build();
    try (DetachedHeaderOptions.Body body = detached.body()) {
      if (recipient instanceof LocalKms) {
        DetachedHeaderOptions.usage(() -> {
          checkSameUriIsSameKeyset(file, (LocalKms) recipient, options, detachedBytes, body);
          return null;
        });
      }
      boolean changed;
      if (in != null) {
        try (Progress bar = root.bodyCopyBar("share", file, options)) {
          changed = RecordingFiles.share(recordings, file.toFile(), recipient, options,
              bar == null ? null : copied -> bar.update(copied, -1));
        }
      } else {
        changed = DetachedHeaderOptions.usage(() -> RecordingFiles.shareDetached(
            recordings, file.toFile(), body.channel(), recipient, options));
      }
      j.put("recipient", recipient.uri()).put("changed", changed);
      String only = "header only; the body is unchanged";
      if (in == null) {
        detached.report(j, body);
        only = "header only; " + body.bytesRead() + " body bytes read, none written";
      }
      PrintWriter out = KeysCommand.out(root);
      if (changed) {
        out.printf("shared %s with %s (%s)%n", file, recipient.uri(), only);
      } else {
        out.printf("%s was already shared with %s: unchanged%n", file, recipient.uri());
      }
      out.flush();
    }
    return OxCrypt.OK;
  }

  /**
   * A keyset is known by its URI, so "IN already has a key for local://NAME" proves nothing when
   * two different keysets are both local://NAME: then the recipient keyset must open IN itself,
   * or the share is refused instead of reported as done.
   */
  private void checkSameUriIsSameKeyset(Path file, LocalKms to, ReadOptions options,
      byte[] detachedBytes, DetachedHeaderOptions.Body body) throws Exception {
    RecordingHeader header = RecordingFiles.readHeader(file.toFile(), options);
    boolean listed = false;
    for (WrappedKey w : header.wrappedKeys()) {
      listed |= w.kekUri().equals(to.uri());
    }
    if (!listed) {
      return;
    }
    Recordings theirs = root.recordings().unwrapWith(to).build();
    try {
      if (detachedBytes != null) {
        // Opening unwraps and checks the commitment: the body's first 56 bytes, no chunk.
        ReadOptions withHeader = unstored.addTo(root,
            ReadOptions.builder().detachedHeader(detachedBytes), java.util.Map.of()).build();
        theirs.newInputStream(body.stream(), withHeader).close();
        return;
      }
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
          SeekableRecording opened = theirs.openSeekable(channel, options)) {
        return; // the same keyset: already shared
      }
    } catch (NoUsableKeyException e) {
      throw new CliException(OxCrypt.NO_USABLE_KEY, file + " already holds a data key for "
          + to.uri() + ", but --to-keyset " + toKeyset + " cannot open it: it is a different "
          + "keyset with the same KEK URI (or the version that wrapped it is disabled or destroyed). "
          + "Nothing was changed; give the recipient keyset a distinct name ('keys create --name').");
    }
  }

  /** Exactly one recipient source; --to-kek only as a check of it, never on its own. */
  private void checkRecipientOptions() throws CliException {
    if (toKek != null) {
      String scheme = KekRegistry.schemeOf(toKek);
      String s = scheme == null ? "" : scheme.toLowerCase(Locale.ROOT);
      if (s.equals("aws-kms") || s.equals("gcp-kms")) {
        if (toKeyset != null || toPublicKey != null || toPassphraseFile != null) {
          throw new CliException(OxCrypt.USAGE, "--to-kek " + s + "://... names the recipient on its "
              + "own: drop --to-keyset, --to-passphrase-file and --to-public-key");
        }
        cloudRecipient = true;
        return;
      }
      if (s.equals(LocalKms.SCHEME)) {
        if (toKeyset == null) {
          throw new CliException(OxCrypt.USAGE,
              "--to-kek " + toKek + " needs the recipient's keyset file: add --to-keyset FILE");
        }
      } else if (s.equals(HpkeRecipient.SCHEME)) {
        if (toPublicKey == null) {
          throw new CliException(OxCrypt.USAGE,
              "--to-kek " + toKek + " needs the recipient's public key: add --to-public-key NAME.pub");
        }
      } else {
        throw new CliException(OxCrypt.USAGE, "--to-kek " + toKek
            + ": unknown KEK URI scheme (this CLI shares with local:// and hpke:// KEKs)");
      }
    }
    if ((toKeyset == null) == (toPublicKey == null)) {
      throw new CliException(OxCrypt.USAGE, "give exactly one recipient: --to-keyset FILE, "
          + "--to-public-key NAME.pub or --to-kek aws-kms://...|gcp-kms://...");
    }
    if (toPassphraseFile != null && toKeyset == null) {
      throw new CliException(OxCrypt.USAGE, "--to-passphrase-file goes with --to-keyset");
    }
  }

  private LocalKms openRecipientKeyset() throws Exception {
    try {
      return KeysetOptions.of(toKeyset, toPassphraseFile).open(root);
    } catch (CliException e) {
      throw new CliException(e.exitCode(), "recipient " + e.getMessage());
    }
  }

  /** A public key file from 'keys create-recipient'; exit 4 if it is not one. */
  static HpkeRecipient readPublicKey(Path file) throws Exception {
    String json = readSmallFile(file, "public key");
    try {
      return HpkeRecipient.fromPublicKeyset(json);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new CliException(OxCrypt.NO_USABLE_KEY, file + " is not a recipient public key "
          + "(made by 'keys create-recipient'" + (json.contains("ASYMMETRIC_PRIVATE")
              ? "; this looks like the private .key file: share needs the .pub file)" : ")"));
    }
  }

  /** A key file's text; exit 5 if it is missing, 4 if it is too big to be a key. */
  static String readSmallFile(Path file, String what) throws Exception {
    if (!Files.isRegularFile(file)) {
      throw new CliException(OxCrypt.IO_ERROR, what + " file not found: " + file);
    }
    if (Files.size(file) > MAX_PUBLIC_KEY_BYTES) {
      throw new CliException(OxCrypt.NO_USABLE_KEY, file + " is over 64 KiB: not a " + what + " file");
    }
    return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
  }
}
