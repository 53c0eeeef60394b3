package com.getox.crypto.cli;

import com.getox.crypto.audit.AuditEvent;
import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.audit.AuditWriteException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * {@code --audit-log FILE}: the SDK's audit events ({@link AuditSink#toJson}), one JSON object per
 * line, appended to FILE. A new FILE is created owner-only (0600). Each line is written whole and
 * flushed as the event happens, so a killed command leaves every event before the kill. The log
 * fails closed: an event that cannot be written throws {@link AuditWriteException}, which stops
 * the key operation it reports (the SDK releases no key, plaintext or header: exit 5), and so
 * does every later event of the run.
 *
 * <pre>{@code
 * oxcrypt --audit-log audit.jsonl encrypt --keyset keys.json talk.pcm talk.oxr
 * {"ts":1765070000000,"op":"GENERATE_DEK","kek":"local://keys-3f9a1c2e","kekVersion":"1915332843",...}
 * }</pre>
 */
final class AuditLog implements AuditSink, AutoCloseable {
  private final OutputStream out;
  private final Path file;
  private volatile String failure;
  /** Tests only: when set, every write of an event fails with it (a log on a full disk). */
  static volatile IOException failWritesForTest;

  private AuditLog(Path file, OutputStream out) {
    this.file = file;
    this.out = out;
  }

  static AuditLog open(Path file) throws IOException {
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException e) {
      // appended to
    } catch (UnsupportedOperationException e) {
      // no POSIX permissions on this file system: created by the append below
    }
    return new AuditLog(file, Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
        StandardOpenOption.WRITE));
  }

  /**
   * Reads the deployment's audit key, 64 hex digits (surrounding white space ignored), and makes
   * it the key of every event's context digest ({@link AuditEvent#useDeploymentKey}).
   */
  static void useDeploymentKey(Path file) throws IOException, CliException {
    if (!Files.isRegularFile(file) || Files.size(file) > 1024) {
      throw new CliException(OxCrypt.USAGE, "--audit-key-file " + file + ": not a small regular file");
    }
    String hex = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).trim();
    if (!hex.matches("[0-9a-fA-F]{64}")) {
      throw new CliException(OxCrypt.USAGE, "--audit-key-file " + file + " must hold 64 hex digits (32 bytes)");
    }
    byte[] key = java.util.HexFormat.of().parseHex(hex);
    try {
      AuditEvent.useDeploymentKey(key);
    } finally {
      java.util.Arrays.fill(key, (byte) 0);
    }
  }

  @Override
  public synchronized void record(AuditEvent event) {
    if (failure != null) {
      throw new AuditWriteException(failure, null);
    }
    try {
      IOException injected = failWritesForTest;
      if (injected != null) {
        throw injected;
      }
      out.write((AuditSink.toJson(event) + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException | RuntimeException e) {
      failure = "cannot write the audit log " + file + ": "
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
      throw new AuditWriteException(failure, e);
    }
  }

  /** Why a write failed, or null. */
  String failure() {
    return failure;
  }

  @Override
  public synchronized void close() throws IOException {
    out.close();
  }
}
