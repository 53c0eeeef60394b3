package com.getox.crypto.cli;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A child JVM for the multi-process tests: prints {@code ready}, waits for a line on stdin, then
 * runs {@code oxcrypt ARGS} ROUNDS times ({@code {i}} in an argument becomes the round number) and
 * prints {@code exit <i> <code>} after each. Its stderr goes where the test sends it. With ROUNDS
 * written {@code N:stdout}, oxcrypt writes to the real stdout (which the test may have closed by
 * then) and the exit lines go to stderr.
 *
 * <pre>{@code
 * java -cp ... CliChild 8 keys rotate --keyset keys.json
 * }</pre>
 */
public final class CliChild {
  private CliChild() {}

  public static void main(String[] args) throws Exception {
    boolean realStdout = args[0].endsWith(":stdout");
    int rounds = Integer.parseInt(args[0].replace(":stdout", ""));
    System.out.println("ready");
    System.out.flush();
    PrintStream report = realStdout ? System.err : System.out;
    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    for (int i = 0; i < rounds; i++) {
      String[] a = new String[args.length - 1];
      for (int j = 1; j < args.length; j++) {
        a[j - 1] = args[j].replace("{i}", Integer.toString(i));
      }
      OutputStream stdout = realStdout ? new FileOutputStream(FileDescriptor.out) : OutputStream.nullOutputStream();
      int code = OxCrypt.run(a, new ByteArrayInputStream(new byte[0]), stdout, System.err, System.getenv());
      report.println("exit " + i + " " + code);
      report.flush();
    }
  }
}
