package com.getox.crypto.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's Java cannot drift from code that compiles: each block after a {@code <!-- checked:
 * FILE#REGION ... -->} line must equal those regions of the files (between {@code // README:REGION
 * begin} and {@code end}, indentation removed, joined by a blank line). The files compile in their
 * modules (QuickStart here, the cloud KEKs in kms-aws and kms-gcp, Android in android-compat, ACCP
 * in benchmarks), and QuickStartTest runs the Quick start.
 */
class ReadmeSnippetsTest {
  private static final Pattern CHECKED = Pattern.compile("<!-- checked: (.+) -->");

  private static Path repo() {
    return Paths.get(System.getProperty("basedir", ".")).toAbsolutePath().getParent();
  }

  @Test
  void everyCheckedBlockEqualsItsRegions() throws IOException {
    List<String> readme = Files.readAllLines(repo().resolve("README.md"), StandardCharsets.UTF_8);
    int checked = 0;
    for (int i = 0; i < readme.size(); i++) {
      Matcher m = CHECKED.matcher(readme.get(i).trim());
      if (!m.matches()) {
        continue;
      }
      List<String> expected = new ArrayList<>();
      for (String ref : m.group(1).trim().split("\\s+")) {
        if (!expected.isEmpty()) {
          expected.add("");
        }
        int hash = ref.indexOf('#');
        expected.addAll(region(repo().resolve(ref.substring(0, hash)), ref.substring(hash + 1)));
      }
      int open = i + 1;
      assertTrue(readme.get(open).startsWith("```"), "README line " + (open + 1) + ": a fenced block must follow the checked line");
      List<String> block = new ArrayList<>();
      int j = open + 1;
      while (!readme.get(j).startsWith("```")) {
        block.add(readme.get(j++));
      }
      assertEquals(
          String.join("\n", expected),
          String.join("\n", block),
          "README lines " + (open + 2) + "-" + j + " differ from " + m.group(1) + ": edit both");
      checked++;
    }
    assertEquals(5, checked, "checked blocks in the README (Quick start, durable, cloud KEKs, ACCP, Android)");
  }

  @Test
  void everyJavaBlockOfTheQuickStartAndAndroidSectionsIsChecked() throws IOException {
    List<String> readme = Files.readAllLines(repo().resolve("README.md"), StandardCharsets.UTF_8);
    String section = "";
    for (int i = 0; i < readme.size(); i++) {
      String line = readme.get(i);
      if (line.startsWith("## ")) {
        section = line.substring(3).trim();
      }
      if (line.equals("```java") && (section.equals("Quick start") || section.equals("Android"))) {
        assertTrue(i > 0 && CHECKED.matcher(readme.get(i - 1).trim()).matches(),
            "README line " + (i + 1) + " (" + section + "): a Java block without a <!-- checked: --> line");
      }
    }
  }

  /** The lines between the region's markers, without their common indentation. */
  static List<String> region(Path file, String name) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    String begin = "// README:" + name + " begin";
    String end = "// README:" + name + " end";
    int from = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).trim().equals(begin)) {
        from = i + 1;
      } else if (lines.get(i).trim().equals(end) && from >= 0) {
        List<String> body = lines.subList(from, i);
        int indent = Integer.MAX_VALUE;
        for (String l : body) {
          if (!l.isBlank()) {
            indent = Math.min(indent, l.length() - l.stripLeading().length());
          }
        }
        List<String> out = new ArrayList<>();
        for (String l : body) {
          out.add(l.isBlank() ? "" : l.substring(indent));
        }
        return out;
      }
    }
    fail(file + " has no region " + name);
    return null;
  }
}
