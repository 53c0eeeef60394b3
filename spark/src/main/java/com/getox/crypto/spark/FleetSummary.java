package com.getox.crypto.spark;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a fleet job did, counted from its result table: objects per status, bytes and audit
 * events. Failed objects are counted here (status {@code failed}), never thrown.
 *
 * <pre>{@code
 * FleetSummary s = VerifyJob.run(spark, options);
 * System.out.println(s);                 // verify: 200 objects (ok 198, failed 2), ...
 * if (s.count("failed") > 0) { ... }     // the rows are in s.results()
 * }</pre>
 */
public final class FleetSummary {
  private final String job;
  private final String results;
  private final Map<String, Long> counts;
  private final long bytes;
  private final long auditEvents;

  /**
   * A summary.
   *
   * @param job the job's name ({@code encrypt}, {@code rewrap}, {@code verify}, {@code
   *     shred-scan})
   * @param results where the result table was written
   * @param counts objects per status
   * @param bytes the bytes column's sum
   * @param auditEvents the audit events emitted for all objects
   */
  public FleetSummary(String job, String results, Map<String, Long> counts, long bytes,
      long auditEvents) {
    this.job = job;
    this.results = results;
    this.counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    this.bytes = bytes;
    this.auditEvents = auditEvents;
  }

  /**
   * The job's name.
   *
   * @return {@code encrypt}, {@code rewrap}, {@code verify} or {@code shred-scan}
   */
  public String job() {
    return job;
  }

  /**
   * Where the per-object result table is.
   *
   * @return the results directory
   */
  public String results() {
    return results;
  }

  /**
   * Objects per status. Statuses: {@code encrypted}, {@code skipped} (already encrypted), {@code
   * rewrapped}, {@code current}, {@code ok}, {@code shreds} (only the scanned KEK version opens
   * it), {@code safe}, {@code failed}.
   *
   * @return status to count, in status order; unmodifiable
   */
  public Map<String, Long> counts() {
    return counts;
  }

  /**
   * The number of objects with a status.
   *
   * @param status a status
   * @return its count, 0 if none
   */
  public long count(String status) {
    Long n = counts.get(status);
    return n == null ? 0 : n;
  }

  /**
   * All objects.
   *
   * @return the number of rows in the result table
   */
  public long objects() {
    long n = 0;
    for (long c : counts.values()) {
      n += c;
    }
    return n;
  }

  /**
   * The bytes column's sum: plaintext bytes for encrypt and full verify, object bytes otherwise.
   *
   * @return the bytes
   */
  public long bytes() {
    return bytes;
  }

  /**
   * Key operations audited (each also logged as JSON to the SLF4J audit logger {@code
   * com.getox.crypto.audit} on its executor).
   *
   * @return the number of audit events
   */
  public long auditEvents() {
    return auditEvents;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(job).append(": ").append(objects()).append(" objects (");
    boolean first = true;
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      sb.append(first ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue());
      first = false;
    }
    return sb.append("), ").append(bytes).append(" bytes, ").append(auditEvents)
        .append(" audit events; results in ").append(results).toString();
  }
}
