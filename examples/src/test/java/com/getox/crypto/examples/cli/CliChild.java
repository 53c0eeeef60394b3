package com.getox.crypto.examples.cli;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A child JVM for the multi-process tests: prints {@code ready}, waits for a line on stdin, then
 * runs {@code oxcrypt ARGS} ROUNDS times ({@code {i}} in an argument becomes the round number) and
 * prints {@code exit <i> <code>} after each. Its stderr goes where the test sends it.
 *
 * <pre>{@code
 * java -cp ... CliChild 8 keys rotate --keyset keys.json
 * }</pre>
 */
public final class CliChild {
  private CliChild() {}

  public static void main(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[0]);
    System.out.println("ready");
    System.out.flush();
    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    for (int i = 0; i < rounds; i++) {
      String[] a = new String[args.length - 1];
      for (int j = 1; j < args.length; j++) {
        a[j - 1] = args[j].replace("{i}", Integer.toString(i));
      }
      int code = OxCrypt.run(a, new ByteArrayInputStream(new byte[0]), OutputStream.nullOutputStream(),
          System.err, System.getenv());
      System.out.println("exit " + i + " " + code);
      System.out.flush();
    }
  }
}
