package com.getox.crypto.cli;

import picocli.CommandLine.ITypeConverter;

/**
 * Times on the command line: {@code 83}, {@code 83.25}, {@code 1:23}, {@code 1:23.250} or {@code
 * 1:02:03.5}, as a player shows them, parsed to microseconds exactly (no floating point).
 */
final class AudioTimes implements ITypeConverter<Long> {
  @Override
  public Long convert(String value) {
    try {
      return parseMicros(value);
    } catch (IllegalArgumentException e) {
      // picocli prints this message as is ("Invalid value for option '--from': ..."), where any
      // other exception would be quoted with its class name.
      throw new picocli.CommandLine.TypeConversionException(e.getMessage());
    }
  }

  static long parseMicros(String text) {
    String bad = "not a time: '" + text + "' (use SECONDS, M:SS or H:MM:SS, with an optional "
        + ".fraction, such as 83, 1:23 or 1:23.250)";
    if (!text.matches("\\d{1,7}(:\\d{1,2}){0,2}(\\.\\d{1,6})?")) {
      throw new IllegalArgumentException(bad);
    }
    String whole = text;
    long fractionMicros = 0;
    int dot = text.indexOf('.');
    if (dot >= 0) {
      whole = text.substring(0, dot);
      String f = (text.substring(dot + 1) + "00000").substring(0, 6);
      fractionMicros = Long.parseLong(f);
    }
    String[] parts = whole.split(":");
    long seconds = 0;
    for (int i = 0; i < parts.length; i++) {
      long v = Long.parseLong(parts[i]);
      if (i > 0 && v >= 60) {
        throw new IllegalArgumentException(bad);
      }
      seconds = seconds * 60 + v;
    }
    return seconds * 1_000_000L + fractionMicros;
  }

  /** {@code m:ss.mmm}, as the SDK's messages write times. */
  static String format(long micros) {
    long ms = micros / 1000;
    return String.format(java.util.Locale.ROOT, "%d:%02d.%03d", ms / 60000, ms / 1000 % 60, ms % 1000);
  }
}
