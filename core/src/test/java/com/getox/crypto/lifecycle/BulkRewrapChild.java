package com.getox.crypto.lifecycle;

import com.getox.crypto.BulkRewrap;
import com.getox.crypto.Recordings;
import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.File;
import java.util.Collections;

/** A separate JVM running a bulk re-wrap, for {@link BulkRewrapKillTest} to kill mid-run. */
public final class BulkRewrapChild {
  private BulkRewrapChild() {}

  /** Args: keyset file, journal file, directory. */
  public static void main(String[] args) throws Exception {
    LocalKms kms = LocalKms.open(new File(args[0]), KeysetProtection.insecurePlaintext());
    Recordings r = Recordings.builder().wrapWith(kms).auditSink(AuditSink.none()).build();
    BulkRewrap.builder(r)
        .journal(new File(args[1]))
        .threads(2)
        .listener(
            (file, outcome, done, total) -> {
              if (done == 1) {
                System.out.println("started");
                System.out.flush();
              }
            })
        .build()
        .run(Collections.singletonList(new File(args[2])));
  }
}
