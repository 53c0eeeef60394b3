package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.kms.aws.CliLocalAwsKms;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository README's CLI parts cannot rot: its walkthrough is the one CI runs
 * (cli/walkthrough.sh, minus CI's stand-ins), and its {@code oxcrypt encrypt --kek aws-kms://…}
 * line runs against the local AWS KMS.
 */
class ReadmeCliTest extends CliTestBase {
  /** Tests run in the module directory (surefire's default). */
  private static final Path README = Path.of("..", "README.md");
  private static final Path SCRIPT = Path.of("walkthrough.sh");

  @TempDir Path dir;

  /** What {@code walkthrough.sh --print-readme} prints: the rules are in the script's header. */
  static String walkthroughForReadme() throws Exception {
    List<String> out = new ArrayList<>();
    boolean in = false;
    for (String line : Files.readAllLines(SCRIPT, StandardCharsets.UTF_8)) {
      if (line.equals("# >>> README")) {
        in = true;
      } else if (line.equals("# <<< README")) {
        in = false;
      } else if (in && !line.matches(".*# ci(:.*)?$")) {
        out.add(line.startsWith("#readme ") ? line.substring("#readme ".length()) : line);
      }
    }
    return String.join("\n", out) + "\n";
  }

  @Test
  void theReadmeWalkthroughIsTheScriptCiRuns() throws Exception {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    int intro = readme.indexOf("A walk-through with the CLI");
    assertTrue(intro >= 0, "README lost its walkthrough");
    int start = readme.indexOf("```sh\n", intro) + "```sh\n".length();
    String block = readme.substring(start, readme.indexOf("```\n", start));
    assertEquals(walkthroughForReadme(), block,
        "README.md's walkthrough differs from cli/walkthrough.sh: paste 'bash cli/walkthrough.sh --print-readme'");
    assertTrue(block.contains("mkdir -p recordings"), "the walkthrough must create its directories");
    assertTrue(Files.readString(Path.of("..", ".ci", "run")).contains("cli/walkthrough.sh"), "CI must run it");
  }

  @Test
  void theReadmeAwsKekLineWorksAgainstTheLocalAwsKms() throws Exception {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("(?m)^oxcrypt encrypt --kek (aws-kms://\\S+) (\\S+) (\\S+)$").matcher(readme);
    assertTrue(m.find(), "README lost its 'oxcrypt encrypt --kek aws-kms://...' line");
    byte[] plain = random(CHUNK + 1, 5);
    Path in = Files.write(dir.resolve(m.group(2)), plain);
    Path out = dir.resolve(m.group(3));
    try (CliLocalAwsKms aws = CliLocalAwsKms.start()) {
      env.putAll(aws.credentialsEnv());
      // The README's key is an example: the same line with a key of the local server and its endpoint.
      String kek = aws.newKeyUri();
      assertEquals(m.group(1).replaceAll("key/.*", ""), kek.replaceAll("key/.*", ""),
          "the README's example ARN names the local server's Region and account");
      ok("encrypt", "--kek", kek, "--aws-kms-endpoint", aws.endpoint(), in.toString(), out.toString());
      Path back = dir.resolve("back.pcm");
      ok("decrypt", "--kek", kek, "--aws-kms-endpoint", aws.endpoint(), out.toString(), back.toString());
      assertArrayEquals(plain, Files.readAllBytes(back));
    }
  }
}
