package com.getox.crypto.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingFiles;
import com.getox.crypto.hpke.HpkeRecipient;
import com.getox.crypto.internal.AtomicFile;
import com.getox.crypto.internal.FileLocks;
import com.getox.crypto.local.KeyVersion;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.File;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code oxcrypt keys ...}: manages the KEK versions in a local keyset file, and creates the HPKE
 * key pairs of recipients that recordings can be shared with.
 */
@Command(
    name = "keys",
    description = "Create a keyset file and manage its KEK versions; create a recipient key pair.",
    mixinStandardHelpOptions = true,
    subcommands = {
      KeysCommand.Create.class,
      KeysCommand.Rotate.class,
      KeysCommand.List.class,
      KeysCommand.Disable.class,
      KeysCommand.Enable.class,
      KeysCommand.Destroy.class,
      KeysCommand.CreateRecipient.class
    })
final class KeysCommand {
  @ParentCommand OxCrypt root;

  /** The escaped text stdout ({@link OxCrypt#text()}). */
  static PrintWriter out(OxCrypt root) {
    return root.text();
  }

  /** The listing on stdout, and in the --json document: keyset, kek, protection, versions. */
  static void printVersions(OxCrypt root, LocalKms kms) {
    ObjectNode j = root.document();
    j.put("keyset", kms.file().getPath());
    j.put("kek", kms.uri());
    j.put("protection", kms.protection().name());
    ArrayNode versions = j.putArray("versions");
    for (KeyVersion v : kms.versions()) {
      versions.addObject().put("version", Long.toString(v.id())).put("status", v.status().name())
          .put("primary", v.isPrimary());
    }
    PrintWriter out = out(root);
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
        description = "The KEK's name, [A-Za-z0-9._-]{1,64}; its URI is local://NAME and must "
            + "differ from every other keyset's. Default: the keyset file's name without extension "
            + "and a random suffix (keys.json: local://keys-3f9a1c2e).")
    String name;

    @Option(names = "--insecure",
        description = "Store the keys in the clear (no passphrase). For demos and tests only.")
    boolean insecure;

    @Override
    public Integer call() throws Exception {
      OxCrypt root = parent.root;
      root.json("keys create");
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

    /**
     * The file's base name and 8 random hex digits: a keyset is known by its URI, so two keysets
     * both called keys.json (in different directories) must not both be local://keys.
     */
    static String defaultName(String fileName) {
      int dot = fileName.indexOf('.');
      String base = dot > 0 ? fileName.substring(0, dot) : fileName;
      base = base.replaceAll("[^A-Za-z0-9._-]", "-");
      if (base.length() > 55) {
        base = base.substring(0, 55);
      }
      byte[] suffix = new byte[4];
      RANDOM.nextBytes(suffix);
      return (base.isEmpty() ? "oxcrypt" : base) + "-" + String.format("%08x",
          ((suffix[0] & 0xffL) << 24) | ((suffix[1] & 0xff) << 16) | ((suffix[2] & 0xff) << 8) | (suffix[3] & 0xff));
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
  }

  @Command(name = "rotate", mixinStandardHelpOptions = true,
      description = "Add a new KEK version and make it the primary; old versions keep decrypting.")
  static final class Rotate implements Callable<Integer> {
    @ParentCommand KeysCommand parent;
    @Mixin KeysetOptions keyset;

    @Override
    public Integer call() throws Exception {
      parent.root.json("keys rotate");
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
      parent.root.json("keys list");
      printVersions(parent.root, keyset.open(parent.root));
      return OxCrypt.OK;
    }
  }

  /** Shared by disable, enable and destroy. */
  abstract static class VersionChange implements Callable<Integer> {
    @ParentCommand KeysCommand parent;
    @Mixin KeysetOptions keyset;

    // Not --version: that is the standard -V, --version, and the clash broke --help.
    @Option(names = "--key-version", required = true, paramLabel = "V",
        description = "The version id, as 'keys list' shows it.")
    long version;

    abstract void apply(LocalKms kms, long id) throws Exception;

    @Override
    public Integer call() throws Exception {
      parent.root.json("keys " + getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT))
          .put("keyVersion", Long.toString(version));
      LocalKms kms = keyset.open(parent.root);
      check(kms);
      apply(kms, version);
      printVersions(parent.root, kms);
      return OxCrypt.OK;
    }

    /** Usage errors for a version that is missing, the primary, or already destroyed. */
    void check(LocalKms kms) throws CliException {
      KeyVersion target = null;
      for (KeyVersion v : kms.versions()) {
        if (v.id() == version) {
          target = v;
        }
      }
      if (target == null) {
        throw new CliException(OxCrypt.USAGE, "keyset " + keyset.keyset + " has no version " + version);
      }
      if (target.status() == KeyVersion.Status.DESTROYED) {
        throw new CliException(OxCrypt.USAGE, "version " + version + " was destroyed already");
      }
      if (target.isPrimary()) {
        throw new CliException(OxCrypt.USAGE,
            "version " + version + " is the primary: run 'keys rotate' first");
      }
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
      description = {
        "Delete a (non-primary) version's key material for good: every recording only it "
            + "can open becomes unrecoverable (crypto-shredding).",
        "With --scan, first list the recordings under PATH... that depend on this version alone "
            + "(read from their headers, no key needed); with --dry-run, only list them and "
            + "destroy nothing. Recordings that another KEK or a recipient can also open are not "
            + "listed: they stay readable."
      },
      footer = {
        "%nExamples:",
        "  oxcrypt keys destroy --dry-run --scan recordings/ --keyset keys.json --key-version 1842051372",
        "  oxcrypt keys destroy --scan recordings/ --keyset keys.json --key-version 1842051372",
        ""
      })
  static final class Destroy extends VersionChange {
    @Option(names = "--dry-run",
        description = "Destroy nothing: list what destroying would shred (needs --scan).")
    boolean dryRun;

    @Option(names = "--scan", arity = "1..*", paramLabel = "PATH",
        description = "Recordings, or directories of them, to check for dependence on the version.")
    java.util.List<Path> scan;

    @Override
    public Integer call() throws Exception {
      if (dryRun && scan == null) {
        throw new CliException(OxCrypt.USAGE, "--dry-run needs --scan PATH... to know what to check");
      }
      OxCrypt root = parent.root;
      ObjectNode j = root.json("keys destroy").put("keyVersion", Long.toString(version)).put("dryRun", dryRun);
      LocalKms kms = keyset.open(root);
      check(kms);
      java.util.List<File> dependent = null;
      if (scan != null) {
        java.util.List<File> files = new java.util.ArrayList<>();
        for (Path p : scan) {
          files.add(p.toFile());
        }
        // Before destroying: a scan that fails (a missing PATH) must leave the keyset untouched.
        dependent = scan(root, files, kms.uri(), Long.toString(version));
      }
      if (dependent != null) {
        ArrayNode files = j.putArray(dryRun ? "wouldShred" : "shredded");
        dependent.forEach(f -> files.add(f.getPath()));
      }
      PrintWriter out = out(root);
      if (dryRun) {
        out.printf("dry run: nothing was destroyed. Destroying version %d of %s would make %s "
            + "unreadable%s%n", version, kms.uri(), recordings(dependent.size()),
            dependent.isEmpty() ? "." : ":");
        printFiles(out, dependent);
        return OxCrypt.OK;
      }
      int staleCopies = kms.destroy(version);
      printVersions(root, kms);
      j.put("staleCopiesDeleted", staleCopies);
      if (staleCopies > 0) {
        out.printf("also deleted %d stale cop%s of the keyset (left by a killed process) that still "
            + "held version %d%n", staleCopies, staleCopies == 1 ? "y" : "ies", version);
      }
      if (dependent != null) {
        out.printf(dependent.isEmpty()
            ? "destroyed version %d of %s: none of the scanned recordings depended on it alone.%n"
            : "destroyed version %d of %s: %s can no longer be opened:%n",
            version, kms.uri(), recordings(dependent.size()));
        printFiles(out, dependent);
      }
      return OxCrypt.OK;
    }

    /**
     * {@link RecordingFiles#dependingOnlyOn}, with a progress bar over the files when one is
     * wanted: then the tree is listed first (each file once, by canonical path, in the SDK's
     * order) and each file is asked on its own, so the bar can count them.
     */
    private static java.util.List<File> scan(OxCrypt root, java.util.List<File> paths, String uri,
        String version) throws Exception {
      if (!root.wantsProgress(true)) {
        return RecordingFiles.dependingOnlyOn(paths, uri, version, ReadOptions.defaults());
      }
      java.util.List<File> files = new java.util.ArrayList<>();
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (File p : paths) {
        if (!p.exists()) {
          throw new java.io.IOException("no such file or directory: " + p); // as the SDK says
        }
        list(p, files, seen);
      }
      java.util.List<File> out = new java.util.ArrayList<>();
      try (Progress bar = Progress.start(root.stderr, root.env, "destroy --scan", "files")) {
        for (int i = 0; i < files.size(); i++) {
          out.addAll(RecordingFiles.dependingOnlyOn(
              java.util.List.of(files.get(i)), uri, version, ReadOptions.defaults()));
          bar.update(i + 1, files.size());
        }
      }
      return out;
    }

    /** The files under {@code p}, sorted, each file and directory once (symlinks, loops). */
    private static void list(File p, java.util.List<File> out, java.util.Set<String> seen)
        throws java.io.IOException {
      if (!seen.add(p.getCanonicalPath() + (p.isDirectory() ? "/" : ""))) {
        return;
      }
      if (p.isDirectory()) {
        File[] children = p.listFiles();
        if (children != null) {
          java.util.Arrays.sort(children);
          for (File c : children) {
            list(c, out, seen);
          }
        }
      } else {
        out.add(p);
      }
    }

    private static String recordings(int n) {
      return n == 0 ? "no scanned recording" : n + " scanned recording" + (n == 1 ? "" : "s");
    }

    private static void printFiles(PrintWriter out, java.util.List<File> files) {
      for (File f : files) {
        out.println("  " + f.getPath());
      }
      out.flush();
    }

    @Override
    void apply(LocalKms kms, long id) throws Exception {
      kms.destroy(id); // call() above uses destroy's count of stale copies
    }
  }

  @Command(name = "create-recipient", mixinStandardHelpOptions = true,
      description = {
        "Create an HPKE (X25519, HKDF-SHA256, AES-256-GCM) key pair for someone recordings can be "
            + "shared with: NAME.pub holds the public key (give it to whoever shares with you: "
            + "'share --to-public-key NAME.pub'), NAME.key the private key ('decrypt --identity "
            + "NAME.key').",
        "NAME.key is INSECURE plaintext: anyone who can read it opens everything shared with the "
            + "recipient. Both files are created readable and writable by their owner only (where "
            + "the file system has POSIX permissions); neither may exist. Of two runs creating one "
            + "NAME at once, exactly one succeeds."
      },
      footer = {"%nExample:%n  oxcrypt keys create-recipient --out alice", ""})
  static final class CreateRecipient implements Callable<Integer> {
    @ParentCommand KeysCommand parent;

    @Option(names = "--out", required = true, paramLabel = "NAME", converter = CliPaths.NotEmpty.class,
        description = "Where to write: NAME.pub and NAME.key (neither may exist).")
    String name;

    @Override
    public Integer call() throws Exception {
      OxCrypt root = parent.root;
      Path pub = Path.of(name + ".pub");
      Path key = Path.of(name + ".key");
      HpkeRecipient recipient = HpkeRecipient.generate();
      byte[] secret = recipient.insecurePrivateKeysetJson().getBytes(StandardCharsets.UTF_8);
      byte[] publicKey = recipient.publicKeysetJson().getBytes(StandardCharsets.UTF_8);
      // Both files live in one directory: holding its lock from the check to the last write makes
      // this run either create both or touch nothing, whoever else creates NAME at the same time.
      try (FileLocks.Held lock = FileLocks.lockDirectoryOf(key.toFile().getCanonicalFile())) {
        for (Path p : new Path[] {pub, key}) {
          if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new CliException(OxCrypt.USAGE, "file already exists: " + p);
          }
        }
        CliPaths.createNew(key.toFile(), AtomicFile.Mode.OWNER_ONLY, o -> o.write(secret));
        boolean done = false;
        try {
          CliPaths.createNew(pub.toFile(), AtomicFile.Mode.KEEP, o -> o.write(publicKey));
          done = true;
        } finally {
          if (!done) {
            Files.deleteIfExists(key); // this run's own: created under the lock still held
          }
        }
      } finally {
        Arrays.fill(secret, (byte) 0);
      }
      root.warn(key + " holds the private key in the clear (INSECURE): anyone who can read it "
          + "opens every recording shared with " + recipient.uri() + ". Keep it owner-only.");
      root.json("keys create-recipient").put("recipient", recipient.uri())
          .put("publicKey", pub.toString()).put("privateKey", key.toString());
      PrintWriter out = out(root);
      out.printf("recipient   %s%n", recipient.uri());
      out.printf("public key  %s  (shareable: 'share --to-public-key %s')%n", pub, pub);
      out.printf("private key %s  (INSECURE plaintext: 'decrypt --identity %s')%n", key, key);
      out.flush();
      return OxCrypt.OK;
    }
  }
}
