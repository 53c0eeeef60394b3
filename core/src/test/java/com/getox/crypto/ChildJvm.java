package com.getox.crypto;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A child JVM running a test {@code main}, talked to by lines; for multi-process tests. */
public final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final BufferedReader out;
  private final Writer in;
  private final File stderr;

  private ChildJvm(Process process, File stderr) {
    this.process = process;
    this.stderr = stderr;
    this.out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
  }

  /** Starts {@code main} of {@code mainClass} with {@code args}; its stderr goes to {@code stderr}. */
  public static ChildJvm start(Class<?> mainClass, File stderr, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(new File(System.getProperty("java.home"), "bin/java").getPath());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass.getName());
    cmd.addAll(Arrays.asList(args));
    Process p = new ProcessBuilder(cmd).redirectError(stderr).start();
    return new ChildJvm(p, stderr);
  }

  /** The next stdout line, or null at its end. */
  public String readLine() throws IOException {
    return out.readLine();
  }

  /** Reads lines until one starts with {@code prefix}; returns it (fails at the end of output). */
  public String await(String prefix) throws IOException {
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    throw new AssertionError("child ended without \"" + prefix + "\"; stderr:\n" + stderr());
  }

  /** Whether a stdout line (or part of one) can be read without blocking. */
  public boolean ready() throws IOException {
    return out.ready();
  }

  public void send(String line) throws IOException {
    in.write(line + "\n");
    in.flush();
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL, and waits (bounded) until it is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      throw new AssertionError("child did not die");
    }
  }

  /** Waits (bounded, 120 s: only a hang hits it) and returns the exit code. */
  public int waitFor() throws InterruptedException {
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("child hung");
    }
    return process.exitValue();
  }

  public String stderr() {
    try {
      return new String(Files.readAllBytes(stderr.toPath()), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no stderr: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
