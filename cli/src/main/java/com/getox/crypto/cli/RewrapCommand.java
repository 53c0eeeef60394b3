package com.getox.crypto.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.getox.crypto.BulkRewrap;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.Recordings;
import com.getox.crypto.TruncationException;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.local.LocalKms;
import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code oxcrypt rewrap}: after {@code keys rotate}, re-wraps every recording under some files and
 * directories with the keyset's new primary version ({@link BulkRewrap}). Only headers change;
 * each file is replaced atomically, and with {@code --journal} a killed run resumes where it
 * stopped.
 */
@Command(
    name = "rewrap",
    mixinStandardHelpOptions = true,
    description = {
      "Re-wrap the data keys of every recording under PATH... (files, or directories walked "
          + "recursively; other files are ignored) with the keyset's primary version.",
      "Only the header changes: the body bytes are copied unchanged and each file is replaced "
          + "atomically, so a crash leaves the old or the new file, and both open. Keys of other "
          + "KEKs (recipients) are kept. Prints what it re-wrapped, what was already current, what "
          + "an earlier run with the same --journal finished, and what failed and why.",
      "With " + UnstoredContextOptions.OPTION + ", only recordings bound to those entries and values "
          + "are re-wrapped; the others fail with exit 3 (run once per set of values).",
      "With " + DetachedHeaderOptions.OPTION + " H.oxh (instead of PATH), the detached header "
          + "H.oxh is re-wrapped in place; " + DetachedHeaderOptions.BODY_OPTION + " BODY gives its "
          + "body, of which at most the first 56 bytes are read, only to unwrap. The body is never "
          + "written.",
      "Exit 0 if nothing failed; otherwise the exit code of the first failure (in path order): 4 "
          + "for a recording none of whose keys the keyset made (it is not the keyset's to re-wrap; "
          + "never counted as already current), 3 for a damaged recording, a detached header found "
          + "under PATH (one line says to use " + DetachedHeaderOptions.OPTION + ") or a body that "
          + "is not H.oxh's, 2 for a missing " + DetachedHeaderOptions.BODY_OPTION + " that is "
          + "needed. Each failed file is listed on one line, named as PATH gave it."
    },
    footer = {
      "%nExample:",
      "  oxcrypt keys rotate --keyset keys.json",
      "  oxcrypt rewrap --keyset keys.json --threads 2 --journal rewrap.journal recordings/",
      "  oxcrypt rewrap --keyset keys.json --detached-header talk.oxh --body talk.body",
      ""
    })
final class RewrapCommand implements Callable<Integer> {
  @ParentCommand OxCrypt root;
  @Mixin KeyOptions keys;
  @Mixin UnstoredContextOptions unstored;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
      description = "Re-wrap N files at a time, 1 to 256 (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--journal", paramLabel = "FILE",
      description = "Append each finished file here, and skip the files it lists: run the same "
          + "command again after a crash or kill to resume. Delete it before the next rotation.")
  Path journal;

  @Mixin DetachedHeaderOptions detached;

  @Parameters(arity = "0..*", paramLabel = "PATH",
      description = "Recordings, or directories of them (or " + DetachedHeaderOptions.OPTION + ").")
  List<Path> paths = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (threads < 1 || threads > 256) {
      throw new CliException(OxCrypt.USAGE, "--threads must be 1 to 256, not " + threads);
    }
    detached.checkExclusive(!paths.isEmpty(), "PATH...");
    if (detached.header != null) {
      if (journal != null) {
        throw new CliException(OxCrypt.USAGE, "--journal is for PATH...: one detached header needs none");
      }
      return rewrapDetached();
    }
    for (Path p : paths) {
      if (Files.exists(p) && !Files.isDirectory(p) && !Files.isRegularFile(p)) {
        // A FIFO or a device is never edited; saying "no recordings found" hid the mistake.
        throw new CliException(OxCrypt.USAGE, "not a recording or a directory: " + p);
      }
    }
    ObjectNode j = root.json("rewrap");
    ReadOptions options = unstored.readOptions(root);
    List<Kek> keks = keys.open(root);
    Recordings recordings = root.recordings().wrapWith(keks.toArray(new Kek[0])).build();
    List<File> files = new ArrayList<>();
    for (Path p : paths) {
      files.add(p.toFile());
    }
    boolean showProgress = root.wantsProgress(true); // a tree of recordings is large input
    BulkRewrap.Report report;
    try (Progress bar = showProgress ? Progress.start(root.stderr, root.env, "rewrap", "files") : null) {
      BulkRewrap.Builder b = BulkRewrap.builder(recordings).threads(threads).readOptions(options);
      if (journal != null) {
        b.journal(journal.toFile());
      }
      if (bar != null) {
        b.listener((file, outcome, done, total) -> bar.update(done, total));
      }
      report = b.build().run(files);
    }

    // Failures come in path order, so the report and the exit code do not depend on thread timing.
    Map<java.io.File, Exception> failed = report.failed();
    ArrayNode under = j.putArray("wrappedUnder");
    for (Kek k : keks) {
      ObjectNode u = under.addObject().put("kek", k.uri());
      if (k instanceof LocalKms) {
        u.put("version", Long.toString(((LocalKms) k).primary().id()));
      }
    }
    j.put("rewrapped", report.rewrapped()).put("alreadyCurrent", report.alreadyCurrent())
        .put("doneByEarlierRun", report.resumedSkipped());
    ArrayNode failedJson = j.putArray("failed");
    for (Map.Entry<java.io.File, Exception> e : failed.entrySet()) {
      failedJson.addObject().put("file", e.getKey().getPath())
          .put("reason", root.redact(OxCrypt.oneLine(reason(e.getKey(), e.getValue()))));
    }
    PrintWriter out = KeysCommand.out(root);
    for (Kek k : keks) {
      out.printf("%-24s%s%n", "now wrapped under",
          k instanceof LocalKms ? k.uri() + " version " + ((LocalKms) k).primary().id() : k.uri());
    }
    out.printf("%-24s%d%n", "re-wrapped", report.rewrapped());
    out.printf("%-24s%d%n", "already current", report.alreadyCurrent());
    out.printf("%-24s%d%s%n", "done by an earlier run", report.resumedSkipped(),
        journal == null ? "" : "  (journal " + journal + ")");
    out.printf("%-24s%d%n", "failed", failed.size());
    for (Map.Entry<java.io.File, Exception> e : failed.entrySet()) {
      out.printf("  %s: %s%n", e.getKey(), root.redact(OxCrypt.oneLine(reason(e.getKey(), e.getValue()))));
    }
    out.flush();
    if (report.rewrapped() + report.alreadyCurrent() + report.resumedSkipped() + failed.size() == 0) {
      root.warn("no recordings found under " + paths);
    }
    if (failed.isEmpty()) {
      return OxCrypt.OK;
    }
    Map.Entry<java.io.File, Exception> first = failed.entrySet().iterator().next();
    throw new CliException(OxCrypt.exitCodeOf(first.getValue()),
        failed.size() + " recording" + (failed.size() == 1 ? "" : "s") + " could not be re-wrapped"
            + " (first: " + first.getKey() + ": " + OxCrypt.oneLine(reason(first.getKey(), first.getValue())) + ")");
  }

  /** {@code --detached-header H.oxh [--body BODY]}: re-wraps H.oxh in place. */
  private int rewrapDetached() throws Exception {
    ObjectNode j = root.json("rewrap");
    ReadOptions options = unstored.readOptions(root);
    DetachedHeaderOptions.read(detached.header, options); // exit 3 now if it is no header
    List<Kek> keks = keys.open(root);
    Recordings recordings = root.recordings().wrapWith(keks.toArray(new Kek[0])).build();
    boolean changed;
    try (DetachedHeaderOptions.Body body = detached.body()) {
      changed = DetachedHeaderOptions.usage(() -> com.getox.crypto.RecordingFiles.rewrapDetached(
          recordings, detached.header.toFile(), body.channel(), options));
      ArrayNode under = j.putArray("wrappedUnder");
      for (Kek k : keks) {
        ObjectNode u = under.addObject().put("kek", k.uri());
        if (k instanceof LocalKms) {
          u.put("version", Long.toString(((LocalKms) k).primary().id()));
        }
      }
      j.put("rewrapped", changed ? 1 : 0).put("alreadyCurrent", changed ? 0 : 1)
          .put("doneByEarlierRun", 0);
      j.putArray("failed");
      detached.report(j, body);
      PrintWriter out = KeysCommand.out(root);
      out.printf("%s %s (header only; %d body bytes read, none written)%n",
          changed ? "re-wrapped" : "already current:", detached.header, body.bytesRead());
      out.flush();
    }
    return OxCrypt.OK;
  }

  /**
   * One line in the CLI's words ({@link OxCrypt#messageOf}) on why {@code file} failed, naming it
   * as the walk of the user's PATH found it, never by its absolute path.
   */
  private static String reason(File file, Exception e) {
    if (e instanceof TruncationException && DetachedHeaderOptions.holdsHeaderAlone(file.toPath())) {
      // A sidecar is a whole header, not a truncated recording.
      return "a detached header (the header alone): re-wrap it with 'rewrap "
          + DetachedHeaderOptions.OPTION + " " + file + " " + DetachedHeaderOptions.BODY_OPTION
          + " BODY'";
    }
    String m = OxCrypt.messageOf(e);
    for (String longName : longNamesOf(file)) {
      m = m.replace(longName, file.getPath());
    }
    return m;
  }

  /** The absolute and canonical names of {@code file} that the SDK's messages may use. */
  private static List<String> longNamesOf(File file) {
    List<String> names = new ArrayList<>();
    try {
      names.add(file.getCanonicalPath());
    } catch (java.io.IOException e) {
      // no canonical name: the absolute one is still replaced
    }
    names.add(file.getAbsolutePath());
    names.removeIf(n -> n.equals(file.getPath()));
    return names;
  }
}
