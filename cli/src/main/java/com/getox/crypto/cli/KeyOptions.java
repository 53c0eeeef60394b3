package com.getox.crypto.cli;

import com.getox.crypto.kek.Kek;
import com.getox.crypto.local.LocalKms;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The keys of a command that wraps or unwraps data keys: a local keyset ({@code --keyset FILE},
 * {@code --passphrase-file FILE}) and/or cloud KMS KEKs ({@code --kek URI}, repeatable). At least
 * one is needed.
 *
 * <pre>{@code
 * oxcrypt encrypt --keyset keys.json --kek aws-kms://arn:aws:kms:... talk.pcm talk.oxr
 * }</pre>
 */
final class KeyOptions {
  @Option(names = "--keyset", paramLabel = "FILE",
      description = "The local keyset file. At least one of --keyset and --kek is needed.")
  Path keyset;

  @Option(names = "--passphrase-file", paramLabel = "FILE",
      description = "File holding the keyset passphrase (one trailing newline is ignored). "
          + "Default: the environment variable " + KeysetOptions.PASSPHRASE_ENV + ".")
  Path passphraseFile;

  @Mixin KekOptions cloud;

  /** The opened --keyset, or null if none was given; set by {@link #open}. */
  LocalKms local;

  /**
   * The keyset's KEK (if --keyset) first, then each --kek; a usage error if there are none (or
   * {@code alsoHave} says another source, such as decrypt's --identity, is given).
   */
  List<Kek> open(OxCrypt root, boolean alsoHave) throws Exception {
    if (passphraseFile != null && keyset == null) {
      throw new CliException(OxCrypt.USAGE, "--passphrase-file goes with --keyset");
    }
    if (keyset == null && cloud.keks.isEmpty() && !alsoHave) {
      throw new CliException(OxCrypt.USAGE, "give --keyset FILE or --kek URI (or both)");
    }
    List<Kek> all = new ArrayList<>();
    if (keyset != null) {
      local = KeysetOptions.of(keyset, passphraseFile).open(root);
      all.add(local);
    }
    all.addAll(cloud.open(root));
    return all;
  }

  List<Kek> open(OxCrypt root) throws Exception {
    return open(root, false);
  }
}
