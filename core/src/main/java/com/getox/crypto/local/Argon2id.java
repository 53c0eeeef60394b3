package com.getox.crypto.local;

import com.getox.crypto.OxCryptoException;

/**
 * Argon2id through Bouncy Castle, kept in its own class so that core loads without Bouncy Castle
 * (an optional dependency) unless a passphrase-protected keyset is used.
 */
final class Argon2id {
  /*
   * The accepted cost, checked before any derivation (a keyset file names its own cost, so a
   * hostile file could otherwise take minutes and gigabytes before a wrong passphrase is even
   * reported). The floor is OWASP's (19 MiB, 2 passes); the ceiling is about 5x the default cost
   * (64 MiB x 3 passes): at most 256 MiB, 16 passes, 8 lanes, and memory x passes at most 1 GiB.
   * Documented in docs/FORMAT.md section 4.
   */
  static final int MIN_MEMORY_KIB = 19 * 1024;
  static final int MAX_MEMORY_KIB = 256 * 1024;
  static final int MIN_ITERATIONS = 2;
  static final int MAX_ITERATIONS = 16;
  static final int MAX_PARALLELISM = 8;
  static final long MAX_MEMORY_KIB_TIMES_ITERATIONS = 1024L * 1024;

  private Argon2id() {}

  static void checkCost(int memoryKiB, int iterations, int parallelism) {
    if (memoryKiB < MIN_MEMORY_KIB || memoryKiB > MAX_MEMORY_KIB) {
      throw new IllegalArgumentException(
          "Argon2id memory must be " + MIN_MEMORY_KIB + " to " + MAX_MEMORY_KIB + " KiB");
    }
    if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException(
          "Argon2id iterations must be " + MIN_ITERATIONS + " to " + MAX_ITERATIONS);
    }
    if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
      throw new IllegalArgumentException("Argon2id parallelism must be 1 to " + MAX_PARALLELISM);
    }
    if ((long) memoryKiB * iterations > MAX_MEMORY_KIB_TIMES_ITERATIONS) {
      throw new IllegalArgumentException(
          "Argon2id memory x iterations must be at most "
              + MAX_MEMORY_KIB_TIMES_ITERATIONS
              + " KiB (1 GiB)");
    }
  }

  /** Derives a 32-byte key. The caller wipes it. */
  static byte[] derive(char[] passphrase, byte[] salt, int memoryKiB, int iterations, int lanes)
      throws OxCryptoException {
    try {
      return Bc.derive(passphrase, salt, memoryKiB, iterations, lanes);
    } catch (NoClassDefFoundError e) {
      throw new OxCryptoException(
          "passphrase-protected keysets need org.bouncycastle:bcprov-jdk18on on the classpath");
    }
  }

  /** The only class that touches Bouncy Castle. */
  private static final class Bc {
    static byte[] derive(char[] passphrase, byte[] salt, int memoryKiB, int iterations, int lanes) {
      org.bouncycastle.crypto.params.Argon2Parameters params =
          new org.bouncycastle.crypto.params.Argon2Parameters.Builder(
                  org.bouncycastle.crypto.params.Argon2Parameters.ARGON2_id)
              .withVersion(org.bouncycastle.crypto.params.Argon2Parameters.ARGON2_VERSION_13)
              .withSalt(salt)
              .withMemoryAsKB(memoryKiB)
              .withIterations(iterations)
              .withParallelism(lanes)
              .build();
      org.bouncycastle.crypto.generators.Argon2BytesGenerator gen =
          new org.bouncycastle.crypto.generators.Argon2BytesGenerator();
      gen.init(params);
      byte[] out = new byte[32];
      gen.generateBytes(passphrase, out);
      return out;
    }
  }
}
