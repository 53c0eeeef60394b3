package com.getox.crypto.internal;

import com.getox.crypto.TruncationException;
import java.io.IOException;
import java.io.InputStream;

/** Reading helpers for exact-length fields. */
public final class Streams {
  private Streams() {}

  /**
   * Reads exactly {@code len} bytes.
   *
   * @throws TruncationException with {@code whatEnded} if the stream ends first
   */
  public static void readFully(InputStream in, byte[] b, int off, int len, String whatEnded)
      throws IOException, TruncationException {
    while (len > 0) {
      int n = in.read(b, off, len);
      if (n < 0) {
        throw new TruncationException(whatEnded);
      }
      off += n;
      len -= n;
    }
  }
}
