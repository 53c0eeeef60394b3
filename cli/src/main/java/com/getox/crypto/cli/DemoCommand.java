package com.getox.crypto.cli;

import com.getox.crypto.examples.Demo;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code oxcrypt demo}: runs {@link Demo}. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the demo: encrypt ~30 s of synthetic speech in 20 ms frames.",
      "Uses a new INSECURE plaintext demo keyset; decrypts the recording sequentially and by random "
          + "access, catches a flipped bit, rotates the KEK and opens the old recording again."
    })
final class DemoCommand implements Callable<Integer> {
  @ParentCommand OxCrypt root;

  @Option(names = "--seconds", paramLabel = "N", defaultValue = "30",
      description = "Seconds of audio, " + Demo.MIN_SECONDS + " to 600 (default ${DEFAULT-VALUE}).")
  int seconds;

  @Option(names = "--dir", paramLabel = "DIR",
      description = "Keep the keyset and recordings in DIR (default: a temporary directory, deleted afterwards).")
  Path dir;

  @Override
  public Integer call() throws Exception {
    // With --json the report's lines go into the document instead of onto stdout.
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    PrintStream out = new PrintStream(root.json ? captured : root.stdoutNonClosing(), true, StandardCharsets.UTF_8);
    int code = Demo.runIn(dir, seconds, out);
    out.flush();
    com.fasterxml.jackson.databind.node.ArrayNode lines =
        root.json("demo").put("seconds", seconds).put("checksPassed", code == 0).putArray("report");
    captured.toString(StandardCharsets.UTF_8).lines().forEach(lines::add);
    if (out.checkError()) {
      throw new CliException(OxCrypt.IO_ERROR, "I/O error: cannot write to standard output");
    }
    if (code != 0) {
      throw new CliException(OxCrypt.INTERNAL_ERROR, "demo failed: a check did not pass (see above)");
    }
    return OxCrypt.OK;
  }
}
