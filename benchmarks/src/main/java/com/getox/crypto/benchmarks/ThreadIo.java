package com.getox.crypto.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The calling thread's I/O counters from Linux's {@code /proc/thread-self/io}: {@code wchar},
 * the bytes it handed to {@code write}/{@code pwrite} (any file or socket), and {@code
 * write_bytes}, the bytes of page cache it dirtied (what the kernel will write to the device, in
 * whole pages). Reading the file adds to {@code rchar} only. Elsewhere {@link #available()} is
 * false and the counters read -1.
 */
final class ThreadIo {
  private static final Path FILE = Paths.get("/proc/thread-self/io");

  final long wchar;
  final long writeBytes;

  private ThreadIo(long wchar, long writeBytes) {
    this.wchar = wchar;
    this.writeBytes = writeBytes;
  }

  static boolean available() {
    return now().wchar >= 0;
  }

  static ThreadIo now() {
    try {
      long wchar = -1;
      long writeBytes = -1;
      for (String line : new String(Files.readAllBytes(FILE), StandardCharsets.US_ASCII).split("\n")) {
        if (line.startsWith("wchar:")) {
          wchar = Long.parseLong(line.substring(6).trim());
        } else if (line.startsWith("write_bytes:")) {
          writeBytes = Long.parseLong(line.substring(12).trim());
        }
      }
      return new ThreadIo(wchar, writeBytes);
    } catch (IOException | RuntimeException e) {
      return new ThreadIo(-1, -1);
    }
  }
}
