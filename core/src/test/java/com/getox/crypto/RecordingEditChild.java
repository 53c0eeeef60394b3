package com.getox.crypto;

import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.hpke.HpkeRecipient;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A separate JVM editing recording files, for the multi-process tests ({@link
 * RecordingEditRaceTest}, {@link RecordingEditKillTest}, BulkRewrapKillTest). Talks to its parent
 * through stdout lines and waits for "go" on stdin where runs must start together.
 *
 * <ul>
 *   <li>{@code share-rounds KEYSET FILE ROUNDS OUT_JSON}: each round shares FILE with a fresh HPKE
 *       recipient, checks it opens for that recipient, and (but in the last round) revokes it;
 *       writes the last recipient's private key to OUT_JSON.
 *   <li>{@code bulk KEYSET THREADS PATH...}: one BulkRewrap run; prints {@code report R C S F}.
 *   <li>{@code step OP STEP KEYSET FILE [RECIPIENT_JSON]}: runs OP (share, revoke, rewrap) and
 *       blocks at STEP ("before", "locked", "written", "replaced") for the parent to kill.
 * </ul>
 */
public final class RecordingEditChild {
  private RecordingEditChild() {}

  /** Blocks this JVM, forever, when the {@code occurrence}-th (from 1) edit reaches {@code step}. */
  public static void blockAt(String step, int occurrence) {
    AtomicInteger seen = new AtomicInteger();
    RecordingFiles.steps =
        (name, file) -> {
          if (name.equals(step) && seen.incrementAndGet() == occurrence) {
            say("at " + step);
            parkUntilKilled();
          }
        };
  }

  static void say(String line) {
    synchronized (System.out) {
      System.out.println(line);
      System.out.flush();
    }
  }

  /** Waits to be killed by the parent (SIGKILL); never returns normally. */
  public static void parkUntilKilled() {
    try {
      new CountDownLatch(1).await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new IllegalStateException("interrupted while waiting to be killed");
  }

  static Recordings owner(File keyset) throws Exception {
    LocalKms kms = LocalKms.open(keyset, KeysetProtection.insecurePlaintext()).auditTo(AuditSink.none());
    return Recordings.builder().wrapWith(kms).auditSink(AuditSink.none()).build();
  }

  static void awaitGo() throws Exception {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    say("ready");
    if (!"go".equals(in.readLine())) {
      throw new IllegalStateException("expected go");
    }
  }

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "share-rounds":
        shareRounds(new File(args[1]), new File(args[2]), Integer.parseInt(args[3]), new File(args[4]));
        break;
      case "bulk":
        bulk(new File(args[1]), Integer.parseInt(args[2]), Arrays.copyOfRange(args, 3, args.length));
        break;
      case "step":
        step(args[1], args[2], new File(args[3]), new File(args[4]), args.length > 5 ? new File(args[5]) : null);
        break;
      default:
        throw new IllegalArgumentException(args[0]);
    }
  }

  private static void shareRounds(File keyset, File file, int rounds, File out) throws Exception {
    Recordings me = owner(keyset);
    byte[] plain = RewrapTest.read(me, file);
    awaitGo();
    for (int round = 0; round < rounds; round++) {
      HpkeRecipient x = HpkeRecipient.generate();
      if (!RecordingFiles.share(me, file, x, ReadOptions.defaults())) {
        throw new AssertionError("round " + round + ": share changed nothing");
      }
      Recordings them = Recordings.builder().unwrapWith(x).auditSink(AuditSink.none()).build();
      if (!Arrays.equals(plain, RewrapTest.read(them, file))) {
        throw new AssertionError("round " + round + ": the recipient read other bytes");
      }
      if (round == rounds - 1) {
        Files.write(out.toPath(), x.insecurePrivateKeysetJson().getBytes(StandardCharsets.UTF_8));
      } else if (!RecordingFiles.revoke(me, file, x.uri(), ReadOptions.defaults())) {
        throw new AssertionError("round " + round + ": revoke changed nothing");
      }
      say("round " + round);
    }
    say("done");
  }

  private static void bulk(File keyset, int threads, String[] paths) throws Exception {
    Recordings me = owner(keyset);
    List<File> files = new ArrayList<>();
    for (String p : paths) {
      files.add(new File(p));
    }
    awaitGo();
    BulkRewrap.Report r = BulkRewrap.builder(me).threads(threads).build().run(files);
    for (java.util.Map.Entry<File, Exception> e : r.failed().entrySet()) {
      System.err.println("failed " + e.getKey() + ": " + e.getValue());
    }
    say("report " + r.rewrapped() + " " + r.alreadyCurrent() + " " + r.resumedSkipped() + " " + r.failed().size());
  }

  private static void step(String op, String step, File keyset, File file, File recipientJson)
      throws Exception {
    Recordings me = owner(keyset);
    HpkeRecipient x =
        recipientJson == null
            ? null
            : HpkeRecipient.fromInsecurePrivateKeyset(
                new String(Files.readAllBytes(recipientJson.toPath()), StandardCharsets.UTF_8));
    RecordingFiles.Steps blocking;
    if (step.equals("before")) {
      // Before the edit takes the lock or writes anything: the header is read, the KMS called.
      blocking = null;
    } else {
      blockAt(step, 1);
      blocking = RecordingFiles.steps;
    }
    RecordingFiles.HeaderEdit edit;
    switch (op) {
      case "share":
        edit = (h, prefix) -> me.share(h, prefix, x, ReadOptions.defaults());
        break;
      case "revoke":
        edit = (h, prefix) -> me.revoke(h, x.uri());
        break;
      case "rewrap":
        edit = (h, prefix) -> me.rewrap(h, prefix, ReadOptions.defaults());
        break;
      default:
        throw new IllegalArgumentException(op);
    }
    RecordingFiles.HeaderEdit run =
        blocking != null
            ? edit
            : (h, prefix) -> {
              RecordingHeader next = edit.apply(h, prefix);
              say("at before");
              parkUntilKilled();
              return next;
            };
    RecordingFiles.edit(file, ReadOptions.defaults(), run);
    say("finished");
  }
}
