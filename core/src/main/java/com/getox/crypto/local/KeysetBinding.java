package com.getox.crypto.local;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * The associated data of a format-2 keyset file ({@code "ox-local-keyset/2"}): everything in the
 * file outside the encrypted keyset that a reader acts on, in one unambiguous byte string, so that
 * changing any of it makes the keyset fail authentication. docs/FORMAT.md section 4 specifies it
 * for other implementations:
 *
 * <pre>
 * lp(x) = u32(len(x)) || x                           (u32: 4 bytes, unsigned, big-endian)
 * ad    = lp("ox-local-keyset/2") || lp(name) || lp(protection)
 *         || PASSPHRASE_ARGON2ID: lp(salt) || u32(memoryKiB) || u32(iterations) || u32(parallelism)
 *         || KEK:                 lp(uri) || lp(version) || lp(algorithm) || lp(wrapped)
 *         || u32(n) || u32(destroyed[0]) || ... || u32(destroyed[n-1])   (strictly ascending)
 * </pre>
 *
 * Strings are their UTF-8 bytes; {@code salt} and {@code wrapped} are the decoded bytes, not
 * their hex. Nothing here is secret.
 */
final class KeysetBinding {
  private KeysetBinding() {}

  /** The associated data of a passphrase-protected format-2 keyset. */
  static byte[] passphrase(
      String name,
      byte[] salt,
      int memoryKiB,
      int iterations,
      int parallelism,
      Collection<Long> destroyed) {
    ByteArrayOutputStream out = start(name, KeysetProtection.Kind.PASSPHRASE_ARGON2ID);
    lp(out, salt);
    u32(out, memoryKiB);
    u32(out, iterations);
    u32(out, parallelism);
    return end(out, destroyed);
  }

  /** The associated data of a KEK-protected format-2 keyset, given its {@code kek} block. */
  static byte[] kek(
      String name,
      String uri,
      String version,
      String algorithm,
      byte[] wrapped,
      Collection<Long> destroyed) {
    ByteArrayOutputStream out = start(name, KeysetProtection.Kind.KEK);
    lp(out, utf8(uri));
    lp(out, utf8(version));
    lp(out, utf8(algorithm));
    lp(out, wrapped);
    return end(out, destroyed);
  }

  private static ByteArrayOutputStream start(String name, KeysetProtection.Kind protection) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    lp(out, utf8(LocalKms.FORMAT_2));
    lp(out, utf8(name));
    lp(out, utf8(protection.name()));
    return out;
  }

  /** Appends the destroyed ids, which must be strictly ascending unsigned 32-bit values. */
  private static byte[] end(ByteArrayOutputStream out, Collection<Long> destroyed) {
    u32(out, destroyed.size());
    long last = -1;
    for (long id : destroyed) {
      if (id <= last || id > 0xffffffffL) {
        throw new IllegalArgumentException("destroyed ids must be strictly ascending 32-bit ids");
      }
      u32(out, id);
      last = id;
    }
    return out.toByteArray();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void lp(ByteArrayOutputStream out, byte[] bytes) {
    u32(out, bytes.length);
    out.write(bytes, 0, bytes.length);
  }

  private static void u32(ByteArrayOutputStream out, long v) {
    if (v < 0 || v > 0xffffffffL) {
      throw new IllegalArgumentException("not an unsigned 32-bit value");
    }
    out.write((int) (v >>> 24));
    out.write((int) (v >>> 16));
    out.write((int) (v >>> 8));
    out.write((int) v);
  }
}
