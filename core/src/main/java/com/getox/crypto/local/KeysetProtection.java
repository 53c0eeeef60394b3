package com.getox.crypto.local;

import com.getox.crypto.kek.Kek;
import java.util.Arrays;
import java.util.Objects;

/**
 * How a local keyset file is protected at rest: under a passphrase (Argon2id), under another KEK
 * (a KMS key, as a Tink encrypted keyset), or not at all, which is insecure and says so.
 *
 * <pre>{@code
 * KeysetProtection p = KeysetProtection.passphrase(System.console().readPassword());
 * LocalKms kms = LocalKms.open(new File("keys.json"), p);
 * }</pre>
 *
 * <p>Passphrase protection needs {@code org.bouncycastle:bcprov-jdk18on} on the classpath (an
 * optional dependency of core).
 */
public final class KeysetProtection {
  /** How the keyset file is protected; recorded in the file. */
  public enum Kind {
    /** The keys are in the file in the clear. Anyone who reads the file has every recording. */
    INSECURE_PLAINTEXT,
    /** Encrypted with AES-256-GCM under a key derived from a passphrase with Argon2id. */
    PASSPHRASE_ARGON2ID,
    /** Encrypted with AES-256-GCM under a data key wrapped by another KEK. */
    KEK
  }

  /**
   * Default Argon2id memory, in KiB (64 MiB). The defaults are RFC 9106's second recommended
   * option (64 MiB, 3 passes, 4 lanes).
   */
  public static final int DEFAULT_ARGON2_MEMORY_KIB = 64 * 1024;

  /** Default Argon2id passes over memory. */
  public static final int DEFAULT_ARGON2_ITERATIONS = 3;

  /** Default Argon2id lanes (degree of parallelism). */
  public static final int DEFAULT_ARGON2_PARALLELISM = 4;

  private final Kind kind;
  private final char[] passphrase;
  private final int memoryKiB;
  private final int iterations;
  private final int parallelism;
  private final Kek kek;

  private KeysetProtection(
      Kind kind, char[] passphrase, int memoryKiB, int iterations, int parallelism, Kek kek) {
    this.kind = kind;
    this.passphrase = passphrase;
    this.memoryKiB = memoryKiB;
    this.iterations = iterations;
    this.parallelism = parallelism;
    this.kek = kek;
  }

  /**
   * No protection: the keyset file holds the keys in the clear. For demos and tests only.
   *
   * @return the plaintext protection
   */
  public static KeysetProtection insecurePlaintext() {
    return new KeysetProtection(Kind.INSECURE_PLAINTEXT, null, 0, 0, 0, null);
  }

  /**
   * Protected by a passphrase with the default Argon2id cost. Needs Bouncy Castle on the
   * classpath when the keyset is created or opened.
   *
   * @param passphrase the passphrase, not empty; copied, so the caller may wipe its array (call
   *     {@link #destroy()} to wipe the copy)
   * @return the passphrase protection
   * @throws NullPointerException if {@code passphrase} is null
   * @throws IllegalArgumentException if {@code passphrase} is empty
   */
  public static KeysetProtection passphrase(char[] passphrase) {
    return passphrase(
        passphrase,
        DEFAULT_ARGON2_MEMORY_KIB,
        DEFAULT_ARGON2_ITERATIONS,
        DEFAULT_ARGON2_PARALLELISM);
  }

  /**
   * Protected by a passphrase with an explicit Argon2id cost, used when creating a keyset (an
   * existing file's own cost is used when opening it).
   *
   * @param passphrase the passphrase, not empty; copied
   * @param memoryKiB Argon2id memory in KiB
   * @param iterations Argon2id passes over memory
   * @param parallelism Argon2id lanes
   * @return the passphrase protection
   * @throws NullPointerException if {@code passphrase} is null
   * @throws IllegalArgumentException if {@code passphrase} is empty, or the cost is below OWASP's
   *     floor (19 MiB, 2 passes) or above Ox's ceiling (256 MiB, 16 passes, 8 lanes, memory x
   *     passes at most 1 GiB; see docs/FORMAT.md), which also bounds what opening a hostile
   *     keyset file can cost
   */
  public static KeysetProtection passphrase(
      char[] passphrase, int memoryKiB, int iterations, int parallelism) {
    Objects.requireNonNull(passphrase, "passphrase");
    if (passphrase.length == 0) {
      throw new IllegalArgumentException("passphrase is empty");
    }
    Argon2id.checkCost(memoryKiB, iterations, parallelism);
    return new KeysetProtection(
        Kind.PASSPHRASE_ARGON2ID, passphrase.clone(), memoryKiB, iterations, parallelism, null);
  }

  /**
   * Protected by another KEK, typically one in a cloud KMS: the keyset is encrypted under a data
   * key that {@code kek} wraps, so opening the keyset (and re-reading it after another process
   * changed it) calls {@code kek} to unwrap that key.
   *
   * @param kek the protecting KEK; not null
   * @return the KEK protection
   * @throws NullPointerException if {@code kek} is null
   */
  public static KeysetProtection kek(Kek kek) {
    return new KeysetProtection(Kind.KEK, null, 0, 0, 0, Objects.requireNonNull(kek, "kek"));
  }

  /**
   * The kind of protection.
   *
   * @return the kind, never null
   */
  public Kind kind() {
    return kind;
  }

  char[] passphraseChars() {
    return passphrase;
  }

  int memoryKiB() {
    return memoryKiB;
  }

  int iterations() {
    return iterations;
  }

  int parallelism() {
    return parallelism;
  }

  Kek kekOrNull() {
    return kek;
  }

  /**
   * Wipes the copied passphrase (nothing for the other kinds). A {@link LocalKms} made by {@link
   * LocalKms#open} keeps its own copy; one made by {@link LocalKms#create} uses this object's, so
   * wipe it only once that instance will no longer re-read or change the file.
   */
  public void destroy() {
    if (passphrase != null) {
      Arrays.fill(passphrase, '\0');
    }
  }

  @Override
  public String toString() {
    return "KeysetProtection{" + kind + (kek != null ? " " + kek.uri() : "") + "}";
  }
}
