package com.getox.crypto.cli;

import com.getox.crypto.AuthenticationException;
import com.getox.crypto.FormatException;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import picocli.CommandLine.Option;

/**
 * The {@code --keyset} and {@code --passphrase-file} options shared by every command that needs
 * keys, and how a keyset file is opened from them.
 */
final class KeysetOptions {
  static final String PASSPHRASE_ENV = "OXCRYPT_PASSPHRASE";
  private static final int MAX_PASSPHRASE_FILE_BYTES = 4096;

  @Option(names = "--keyset", required = true, paramLabel = "FILE", description = "The keyset file.")
  Path keyset;

  @Option(
      names = "--passphrase-file",
      paramLabel = "FILE",
      description = "File holding the keyset passphrase (one trailing newline is ignored). "
          + "Default: the environment variable " + PASSPHRASE_ENV + ".")
  Path passphraseFile;

  /** The options for a keyset named some other way (e.g. share's --to-keyset). */
  static KeysetOptions of(Path keyset, Path passphraseFile) {
    KeysetOptions o = new KeysetOptions();
    o.keyset = keyset;
    o.passphraseFile = passphraseFile;
    return o;
  }

  /** The passphrase from --passphrase-file or the environment, or null if neither is given. */
  char[] passphrase(OxCrypt root) throws IOException, CliException {
    String source;
    byte[] bytes;
    if (passphraseFile != null) {
      if (!Files.exists(passphraseFile)) {
        // A name the user typed that is not there: a usage error, like a missing passphrase.
        throw new CliException(OxCrypt.USAGE, "no such passphrase file: " + passphraseFile);
      }
      if (Files.size(passphraseFile) > MAX_PASSPHRASE_FILE_BYTES) {
        throw new CliException(OxCrypt.USAGE, "passphrase file " + passphraseFile + " is over 4 KiB");
      }
      bytes = Files.readAllBytes(passphraseFile);
      source = "passphrase file " + passphraseFile;
    } else {
      String v = root.env == null ? null : root.env.get(PASSPHRASE_ENV);
      if (v == null) {
        return null;
      }
      bytes = v.getBytes(StandardCharsets.UTF_8);
      source = "environment variable " + PASSPHRASE_ENV;
    }
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      int end = chars.limit();
      if (end > 0 && chars.get(end - 1) == '\n') {
        end--;
        if (end > 0 && chars.get(end - 1) == '\r') {
          end--;
        }
      }
      char[] out = new char[end];
      chars.get(out);
      Arrays.fill(chars.array(), '\0');
      if (out.length == 0) {
        throw new CliException(OxCrypt.USAGE, "the " + source + " holds an empty passphrase");
      }
      return out;
    } catch (CharacterCodingException e) {
      throw new CliException(OxCrypt.USAGE, "the " + source + " is not valid UTF-8");
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /**
   * Opens the keyset as its file says it is protected: a plaintext keyset with a warning, a
   * passphrase keyset with the passphrase (a usage error if none was given).
   */
  LocalKms open(OxCrypt root) throws IOException, GeneralSecurityException, CliException {
    if (!Files.isRegularFile(keyset)) {
      throw new CliException(OxCrypt.IO_ERROR, "keyset file not found: " + keyset);
    }
    try {
      KeysetProtection.Kind kind = LocalKms.protectionOf(keyset.toFile()); // without any key
      return switch (kind) { // every kind: the compiler checks it
        case INSECURE_PLAINTEXT -> openPlaintext(root);
        case PASSPHRASE_ARGON2ID -> openWithPassphrase(root);
        case KEK -> throw new CliException(OxCrypt.CRYPTO_ERROR,
            "keyset " + keyset + " is protected by a KMS key, which this CLI cannot open");
      };
    } catch (FormatException e) {
      throw new CliException(OxCrypt.NO_USABLE_KEY,
          "keyset " + keyset + " cannot be used: " + e.getMessage());
    }
  }

  private LocalKms openPlaintext(OxCrypt root) throws IOException, GeneralSecurityException, CliException {
    if (passphraseFile != null) {
      // A passphrase was meant for a protected keyset: a plaintext one in its place may be a
      // swap by whoever can write the directory, and would wrap new recordings under keys
      // they know. Never silently downgrade.
      throw new CliException(OxCrypt.NO_USABLE_KEY, "keyset " + keyset
          + " is an INSECURE plaintext keyset, but --passphrase-file was given: refusing to use"
          + " it (was a protected keyset replaced?)");
    }
    root.warn("keyset " + keyset + " is an INSECURE plaintext keyset: "
        + "anyone who can read it can decrypt every recording");
    return LocalKms.open(keyset.toFile(), KeysetProtection.insecurePlaintext()).auditTo(root.audit());
  }

  private LocalKms openWithPassphrase(OxCrypt root)
      throws IOException, GeneralSecurityException, CliException {
    char[] pass = passphrase(root);
    if (pass == null) {
      throw new CliException(OxCrypt.USAGE, "keyset " + keyset
          + " is passphrase-protected: give --passphrase-file FILE or set " + PASSPHRASE_ENV);
    }
    KeysetProtection protection = KeysetProtection.passphrase(pass);
    Arrays.fill(pass, '\0');
    try {
      return LocalKms.open(keyset.toFile(), protection).auditTo(root.audit());
    } catch (AuthenticationException e) {
      throw new CliException(OxCrypt.NO_USABLE_KEY,
          "cannot open keyset " + keyset + ": wrong passphrase (or the file was modified)");
    } finally {
      protection.destroy();
    }
  }
}
