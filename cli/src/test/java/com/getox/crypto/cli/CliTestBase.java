package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

/** Runs {@code oxcrypt} in-process with captured streams and a private environment. */
abstract class CliTestBase {
  static final int CHUNK = 16_384;

  /** Not System.getenv(): a real OXCRYPT_PASSPHRASE must not leak in. */
  final Map<String, String> env = new HashMap<>();

  /** One run's outcome. */
  static final class Result {
    final int code;
    final byte[] stdout;
    final String stderr;

    Result(int code, byte[] stdout, String stderr) {
      this.code = code;
      this.stdout = stdout;
      this.stderr = stderr;
    }

    String out() {
      return new String(stdout, StandardCharsets.UTF_8);
    }

    /** Lines on stderr other than warnings. */
    List<String> errors() {
      return stderr.lines().filter(l -> !l.startsWith("oxcrypt: warning:")).collect(Collectors.toList());
    }
  }

  Result run(InputStream stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = OxCrypt.run(args, stdin, out, new PrintStream(err, true, StandardCharsets.UTF_8), env);
    return new Result(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }

  Result run(byte[] stdin, String... args) {
    return run(new ByteArrayInputStream(stdin), args);
  }

  Result run(String... args) {
    return run(new byte[0], args);
  }

  /** Success: exit 0 and nothing on stderr but warnings. */
  Result ok(String... args) {
    Result r = run(args);
    assertEquals(0, r.code, () -> "exit " + r.code + " for " + Arrays.toString(args) + ", stderr: " + r.stderr);
    assertEquals(List.of(), r.errors());
    return r;
  }

  /** Failure: the exit code, and exactly one "oxcrypt: ..." line on stderr, no stack trace. */
  static Result assertFails(int code, Result r) {
    assertEquals(code, r.code, () -> "stderr: " + r.stderr + " stdout: " + r.out());
    List<String> errors = r.errors();
    assertEquals(1, errors.size(), () -> "expected one error line, got: " + r.stderr);
    assertTrue(errors.get(0).startsWith("oxcrypt: "), errors.get(0));
    assertFalse(r.stderr.contains("\tat "), r.stderr);
    return r;
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }
}
