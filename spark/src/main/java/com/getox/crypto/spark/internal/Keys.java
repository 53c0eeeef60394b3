package com.getox.crypto.spark.internal;

import com.getox.crypto.Recordings;
import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import com.getox.crypto.spark.FleetOptions;
import java.io.File;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The KEKs of a job, resolved on the executor that uses them, once per JVM and key
 * configuration: the local keyset file (found by its path, or by its name among the files the job
 * shipped with {@code --files}), and cloud KMS clients built there with their default
 * credentials. Nothing secret travels with the task: a passphrase is read from an environment
 * variable of the executor, named in the options.
 *
 * <p>Every key operation is reported to the SDK's SLF4J audit logger and counted per thread, so a
 * task can put the number of audit events of each object in its result row.
 */
public final class Keys {
  private static final Map<String, Recordings> CACHE = new ConcurrentHashMap<>();
  private static final ThreadLocal<int[]> EVENTS = ThreadLocal.withInitial(() -> new int[1]);

  /** The SDK's SLF4J audit sink, counting on the calling thread. */
  static final AuditSink AUDIT = event -> {
    EVENTS.get()[0]++;
    AuditSink.slf4j().record(event);
  };

  private Keys() {}

  /** Resets this thread's audit event count. */
  static void resetEvents() {
    EVENTS.get()[0] = 0;
  }

  /** This thread's audit events since {@link #resetEvents}. */
  static int events() {
    return EVENTS.get()[0];
  }

  /**
   * The Recordings of {@code options}' KEKs (wrapping and unwrapping), built on first use in this
   * JVM and shared by its tasks.
   */
  static Recordings recordings(FleetOptions options) throws IOException, GeneralSecurityException {
    String id = options.keyConfigurationId();
    Recordings r = CACHE.get(id);
    if (r == null) {
      synchronized (CACHE) {
        r = CACHE.get(id);
        if (r == null) {
          r = build(options);
          CACHE.put(id, r);
        }
      }
    }
    return r;
  }

  /** Test seam: makes {@code recordings} the KEKs of {@code options}' configuration in this JVM. */
  public static void useForTests(FleetOptions options, Recordings recordings) {
    CACHE.put(options.keyConfigurationId(), recordings);
  }

  /** Test seam: the audit sink the jobs' Recordings use (SLF4J, counted per thread). */
  public static AuditSink auditSink() {
    return AUDIT;
  }

  private static Recordings build(FleetOptions o) throws IOException, GeneralSecurityException {
    List<Kek> keks = new ArrayList<>();
    if (o.keyset() != null) {
      keks.add(openKeyset(o));
    }
    for (String uri : o.keks()) {
      keks.add(CloudKeks.resolve(uri, o));
    }
    if (keks.isEmpty()) {
      throw new IllegalArgumentException("no KEK: give a keyset file or at least one KEK URI");
    }
    return Recordings.builder().wrapWith(keks.toArray(new Kek[0])).auditSink(AUDIT).build();
  }

  private static LocalKms openKeyset(FleetOptions o) throws IOException, GeneralSecurityException {
    File file = locate(o.keyset());
    KeysetProtection.Kind kind = LocalKms.protectionOf(file);
    if (kind == KeysetProtection.Kind.INSECURE_PLAINTEXT) {
      return LocalKms.open(file, KeysetProtection.insecurePlaintext()).auditTo(AUDIT);
    }
    if (kind == KeysetProtection.Kind.PASSPHRASE_ARGON2ID) {
      String pass = System.getenv(o.passphraseEnv());
      if (pass == null || pass.isEmpty()) {
        throw new IllegalArgumentException("keyset " + file.getName() + " is passphrase-protected: set "
            + o.passphraseEnv() + " in the executors' environment (spark.executorEnv."
            + o.passphraseEnv() + ")");
      }
      char[] chars = pass.toCharArray();
      KeysetProtection p = KeysetProtection.passphrase(chars);
      java.util.Arrays.fill(chars, '\0');
      try {
        return LocalKms.open(file, p).auditTo(AUDIT);
      } finally {
        p.destroy();
      }
    }
    throw new IllegalArgumentException("keyset " + file.getName() + " is protected by another KEK ("
        + kind + "): not supported by the Spark jobs; use the cloud KEK itself with --kek");
  }

  /** The keyset's path if it exists here, else the file of that name shipped with the job. */
  private static File locate(String keyset) throws IOException {
    File f = new File(keyset);
    if (f.isFile()) {
      return f;
    }
    File shipped = new File(org.apache.spark.SparkFiles.get(f.getName()));
    if (shipped.isFile()) {
      return shipped;
    }
    throw new IOException("keyset " + keyset + " not found on this executor (ship it with --files)");
  }
}
