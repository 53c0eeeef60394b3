package com.getox.crypto.audio;

/** Formats microseconds as {@code m:ss.mmm} for messages. */
final class Times {
  private Times() {}

  static String format(long micros) {
    String sign = micros < 0 ? "-" : "";
    long ms = Math.abs(micros / 1000);
    return String.format(java.util.Locale.ROOT, "%s%d:%02d.%03d", sign, ms / 60000, ms / 1000 % 60, ms % 1000);
  }
}
