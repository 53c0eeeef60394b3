package com.getox.crypto.lifecycle;

import com.getox.crypto.BulkRewrap;
import com.getox.crypto.RecordingEditChild;
import com.getox.crypto.Recordings;
import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.File;
import java.util.Collections;

/**
 * A separate JVM running a bulk re-wrap on one thread (so files go in walk order), for {@link
 * BulkRewrapKillTest} to kill at a chosen point. Prints {@code done K} after each finished file.
 *
 * <p>Args: keyset file, journal file, directory, then where to stop: {@code after-files N} (park
 * after the N-th file is journaled) or {@code in-file N STEP} (park when the (N+1)-th file's
 * replacement reaches STEP: "written" = temporary file complete before the rename, "replaced" =
 * renamed, not yet journaled).
 */
public final class BulkRewrapChild {
  private BulkRewrapChild() {}

  public static void main(String[] args) throws Exception {
    LocalKms kms = LocalKms.open(new File(args[0]), KeysetProtection.insecurePlaintext());
    Recordings r = Recordings.builder().wrapWith(kms).auditSink(AuditSink.none()).build();
    final String mode = args[3];
    final int n = Integer.parseInt(args[4]);
    if (mode.equals("in-file")) {
      RecordingEditChild.blockAt(args[5], n + 1);
    }
    BulkRewrap.builder(r)
        .journal(new File(args[1]))
        .threads(1)
        .listener(
            (file, outcome, done, total) -> {
              System.out.println("done " + done);
              System.out.flush();
              if (mode.equals("after-files") && done == n) {
                System.out.println("at after-files");
                System.out.flush();
                RecordingEditChild.parkUntilKilled();
              }
            })
        .build()
        .run(Collections.singletonList(new File(args[2])));
    System.out.println("finished");
  }
}
