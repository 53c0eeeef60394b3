package com.getox.crypto.examples.cli;

import com.getox.crypto.local.KeyVersion;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code oxcrypt keys ...}: manages the KEK versions in a local keyset file. */
@Command(
    name = "keys",
    description = "Create a keyset file and manage its KEK versions.",
    mixinStandardHelpOptions = true,
    subcommands = {
      KeysCommand.Create.class,
      KeysCommand.Rotate.class,
      KeysCommand.List.class,
      KeysCommand.Disable.class,
      KeysCommand.Enable.class,
      KeysCommand.Destroy.class
    })
final class KeysCommand {
  @ParentCommand OxCrypt root;

  static PrintStream out(OxCrypt root) {
    return new PrintStream(root.stdoutNonClosing(), true, StandardCharsets.UTF_8);
  }

  static void printVersions(OxCrypt root, LocalKms kms) {
    PrintStream out = out(root);
    out.printf("keyset      %s%n", kms.file());
    out.printf("kek         %s%n", kms.uri());
    out.printf("protection  %s%s%n", kms.protection(),
        kms.protection() == KeysetProtection.Kind.INSECURE_PLAINTEXT ? " (INSECURE)" : "");
    out.printf("%-12s %-10s %s%n", "VERSION", "STATUS", "PRIMARY");
    for (KeyVersion v : kms.versions()) {
      out.printf("%-12d %-10s %s%n", v.id(), v.status(), v.isPrimary() ? "yes" : "");
    }
    out.flush();
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Create a keyset file holding one new AES-256-GCM KEK version.",
        "The file is encrypted under a passphrase (--passphrase-file or " + KeysetOptions.PASSPHRASE_ENV
            + "), or stored in the clear with --insecure (demos and tests only)."
      })
  static final class Create implements Callable<Integer> {
    @ParentCommand KeysCommand parent;
    @Mixin KeysetOptions keyset;

    @Option(names = "--name", paramLabel = "NAME",
        description = "The KEK's name, [A-Za-z0-9._-]{1,64}; its URI is local://NAME. "
            + "Default: the keyset file's name without extension.")
    String name;

    @Option(names = "--insecure",
        description = "Store the keys in the clear (no passphrase). For demos and tests only.")
    boolean insecure;

    @Override
    public Integer call() throws Exception {
      OxCrypt root = parent.root;
      if (Files.exists(keyset.keyset)) {
        throw new CliException(OxCrypt.USAGE, "keyset file already exists: " + keyset.keyset);
      }
      String kekName = name != null ? name : defaultName(keyset.keyset.getFileName().toString());
      LocalKms kms;
      if (insecure) {
        if (keyset.passphraseFile != null) {
          throw new CliException(OxCrypt.USAGE, "--insecure and --passphrase-file exclude each other");
        }
        kms = LocalKms.create(keyset.keyset.toFile(), KeysetProtection.insecurePlaintext(), kekName);
        root.warn("created an INSECURE plaintext keyset " + keyset.keyset
            + ": anyone who can read it can decrypt every recording");
      } else {
        char[] pass = keyset.passphrase(root);
        if (pass == null) {
          throw new CliException(OxCrypt.USAGE, "refusing to create a plaintext keyset: give "
              + "--passphrase-file FILE, set " + KeysetOptions.PASSPHRASE_ENV + ", or pass --insecure");
        }
        KeysetProtection protection = KeysetProtection.passphrase(pass);
        Arrays.fill(pass, '\0');
        try {
          kms = LocalKms.create(keyset.keyset.toFile(), protection, kekName);
        } finally {
          protection.destroy();
        }
      }
      printVersions(root, kms);
      return OxCrypt.OK;
    }

    static String defaultName(String fileName) {
      int dot = fileName.indexOf('.');
      String base = dot > 0 ? fileName.substring(0, dot) : fileName;
      base = base.replaceAll("[^A-Za-z0-9._-]", "-");
      if (base.length() > 64) {
        base = base.substring(0, 64);
      }
      return base.isEmpty() ? "oxcrypt" : base;
    }
  }

  @Command(name = "rotate", mixinStandardHelpOptions = true,
      description = "Add a new KEK version and make it the primary; old versions keep decrypting.")
  static final class Rotate implements Callable<Integer> {
    @ParentCommand KeysCommand parent;
    @Mixin KeysetOptions keyset;

    @Override
    public Integer call() throws Exception {
      LocalKms kms = keyset.open(parent.root);
      kms.rotate();
      printVersions(parent.root, kms);
      return OxCrypt.OK;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List the keyset's KEK versions, their status and which is the primary.")
  static final class List implements Callable<Integer> {
    @ParentCommand KeysCommand parent;
    @Mixin KeysetOptions keyset;

    @Override
    public Integer call() throws Exception {
      printVersions(parent.root, keyset.open(parent.root));
      return OxCrypt.OK;
    }
  }

  /** Shared by disable, enable and destroy. */
  abstract static class VersionChange implements Callable<Integer> {
    @ParentCommand KeysCommand parent;
    @Mixin KeysetOptions keyset;

    @Option(names = "--version", required = true, paramLabel = "V",
        description = "The version id, as 'keys list' shows it.")
    long version;

    abstract void apply(LocalKms kms, long id) throws Exception;

    @Override
    public Integer call() throws Exception {
      LocalKms kms = keyset.open(parent.root);
      KeyVersion target = null;
      for (KeyVersion v : kms.versions()) {
        if (v.id() == version) {
          target = v;
        }
      }
      if (target == null) {
        throw new CliException(OxCrypt.USAGE, "keyset " + keyset.keyset + " has no version " + version);
      }
      if (target.isPrimary()) {
        throw new CliException(OxCrypt.USAGE,
            "version " + version + " is the primary: run 'keys rotate' first");
      }
      apply(kms, version);
      printVersions(parent.root, kms);
      return OxCrypt.OK;
    }
  }

  @Command(name = "disable", mixinStandardHelpOptions = true,
      description = "Make a (non-primary) version refuse to unwrap until enabled again.")
  static final class Disable extends VersionChange {
    @Override
    void apply(LocalKms kms, long id) throws Exception {
      kms.disable(id);
    }
  }

  @Command(name = "enable", mixinStandardHelpOptions = true,
      description = "Let a disabled version unwrap again.")
  static final class Enable extends VersionChange {
    @Override
    void apply(LocalKms kms, long id) throws Exception {
      kms.enable(id);
    }
  }

  @Command(name = "destroy", mixinStandardHelpOptions = true,
      description = "Delete a (non-primary) version's key material for good: every recording only it "
          + "can open becomes unrecoverable.")
  static final class Destroy extends VersionChange {
    @Override
    void apply(LocalKms kms, long id) throws Exception {
      kms.destroy(id);
    }
  }
}
