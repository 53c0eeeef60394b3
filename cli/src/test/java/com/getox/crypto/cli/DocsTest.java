package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The generated completion script and man page cover every command and option. */
class DocsTest {
  @TempDir Path dir;

  /** Every visible command, depth first, from the same model as --help. */
  private static List<CommandLine> commands(CommandLine cl, List<CommandLine> out) {
    if (!cl.getCommandSpec().usageMessage().hidden()) {
      out.add(cl);
      for (CommandLine sub : cl.getSubcommands().values()) {
        if (sub.getCommandName().equals(sub.getCommandSpec().name())) { // not an alias
          commands(sub, out);
        }
      }
    }
    return out;
  }

  @Test
  void theManPageHasASectionAndEveryOptionOfEveryCommand() {
    String man = Docs.manPage();
    assertTrue(man.startsWith(".TH OXCRYPT 1 "), man);
    for (String section : List.of(".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH OPTIONS",
        ".SH COMMANDS", ".SH \"EXIT STATUS\"", ".SH ENVIRONMENT")) {
      assertTrue(man.contains("\n" + section + "\n"), section);
    }
    for (CommandLine c : commands(Docs.commandLine(), new ArrayList<>())) {
      String name = c.getCommandSpec().qualifiedName();
      if (!name.equals("oxcrypt")) {
        assertTrue(man.contains(".SS \"" + Docs.roff(name) + "\"\n"), name);
      }
      for (OptionSpec o : c.getCommandSpec().options()) {
        if (!o.hidden()) {
          assertTrue(man.contains("\\fB" + Docs.roff(o.longestName()) + "\\fR"), name + " " + o.longestName());
        }
      }
    }
    for (String line : man.split("\n")) { // every request is one of the man macros used
      if (line.startsWith(".") || line.startsWith("'")) {
        assertTrue(line.matches("\\.(TH|SH|SS|PP|TP|B|nf|fi|sp)( .*)?"), line);
      }
    }
    assertFalse(man.contains("%n") || man.contains("${"), "unrendered format or variable");
  }

  @Test
  void theCompletionScriptNamesEveryCommandAndOption() {
    String script = Docs.completion();
    assertTrue(script.contains("complete -F _complete_oxcrypt"), script);
    for (CommandLine c : commands(Docs.commandLine(), new ArrayList<>())) {
      assertTrue(script.contains(c.getCommandName()), c.getCommandName());
      for (OptionSpec o : c.getCommandSpec().options()) {
        if (!o.hidden()) {
          assertTrue(script.contains(o.longestName()), c.getCommandName() + " " + o.longestName());
        }
      }
    }
  }

  /** Bash completes a command prefix and an option prefix with the generated script. */
  @Test
  void bashCompletesWithTheScript() throws Exception {
    Path script = Files.writeString(dir.resolve(Docs.COMPLETION), Docs.completion());
    String probe = "source " + script + " 2>/dev/null\n"
        + "COMP_WORDS=(oxcrypt enc); COMP_CWORD=1; COMP_LINE='oxcrypt enc'; _complete_oxcrypt 2>/dev/null\n"
        + "echo \"1:${COMPREPLY[*]}\"\n"
        + "COMP_WORDS=(oxcrypt encrypt --ke); COMP_CWORD=2; COMP_LINE='oxcrypt encrypt --ke'; _complete_oxcrypt 2>/dev/null\n"
        + "echo \"2:${COMPREPLY[*]}\"\n";
    Process p;
    try {
      p = new ProcessBuilder("bash", "-c", probe).redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      Assumptions.abort("no bash on this machine: " + e.getMessage());
      return;
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "bash did not finish");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(out.contains("1:encrypt\n"), out);
    assertTrue(out.contains("2:--keyset --kek\n"), out);
  }

  @Test
  void mainWritesBothFilesIntoEachDirectory() throws Exception {
    Docs.main(new String[] {dir.resolve("a").toString(), dir.resolve("b").toString()});
    for (String d : List.of("a", "b")) {
      assertEquals(Docs.manPage(), Files.readString(dir.resolve(d).resolve(Docs.MAN_PAGE)));
      assertEquals(Docs.completion(), Files.readString(dir.resolve(d).resolve(Docs.COMPLETION)));
    }
  }
}
