package com.getox.crypto.cli;

/**
 * A failure the CLI reports with a specific exit code and a message written for the user.
 *
 * <pre>{@code
 * throw new CliException(OxCrypt.USAGE, "--offset needs a file, not stdin");
 * }</pre>
 */
final class CliException extends Exception {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
