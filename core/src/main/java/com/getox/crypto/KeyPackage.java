package com.getox.crypto;

import java.util.Arrays;

/**
 * A secret shared with the holders of some KEKs, as the base key of a live session (SFrame).
 * Its bytes are an empty recording: the envelope header wrapping the secret, plus a 72-byte body
 * whose key commitment lets recipients check that they all got the same secret.
 *
 * <pre>{@code
 * EncryptionContext ctx = EncryptionContext.builder()
 *     .put("session-id", "ptt-9").put("epoch", "3").build();
 * KeyPackage kp = recordings.newKeyPackage(ctx);       // sender
 * send(kp.toByteArray());
 * KeyPackage got = recordings.openKeyPackage(bytes,     // each receiver
 *     ReadOptions.builder().expect("session-id", "ptt-9").build());
 * byte[] baseKey = got.secret();  // ... use, then wipe; got.destroy() wipes the package's copy
 * }</pre>
 *
 * <p>{@link #toString()} never shows the secret.
 */
public final class KeyPackage {
  private final byte[] bytes;
  private final byte[] secret;
  private final RecordingHeader header;
  private volatile boolean destroyed;

  KeyPackage(byte[] bytes, byte[] secret, RecordingHeader header) {
    this.bytes = bytes.clone();
    this.secret = secret.clone();
    this.header = header;
  }

  /**
   * The serialized package, safe to send: it holds the secret only in wrapped form.
   *
   * @return a copy of the package bytes, for {@link Recordings#openKeyPackage}
   */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  /**
   * The package's envelope header: its encryption context, header id and wrapped keys.
   *
   * @return the header (authenticated when the package was opened)
   */
  public RecordingHeader header() {
    return header;
  }

  /**
   * The shared secret.
   *
   * @return a copy of the 32-byte secret; the caller wipes it when done
   * @throws IllegalStateException if {@link #destroy()} was called
   */
  public byte[] secret() {
    if (destroyed) {
      throw new IllegalStateException("key package was destroyed");
    }
    return secret.clone();
  }

  /** Wipes this object's copy of the secret. */
  public void destroy() {
    destroyed = true;
    Arrays.fill(secret, (byte) 0);
  }

  @Override
  public String toString() {
    return "KeyPackage{" + header.headerIdHex() + " " + header.context() + "}";
  }
}
