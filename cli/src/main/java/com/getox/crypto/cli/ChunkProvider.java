package com.getox.crypto.cli;

import java.security.Provider;
import java.util.Map;
import javax.crypto.Cipher;

/**
 * The JCA provider that seals and opens the CLI's chunks ({@code Recordings.Builder#cipherProvider}):
 * the Amazon Corretto Crypto Provider (ACCP, native AES-GCM) when this platform can load it, else
 * the JDK's choice (SunJCE). ACCP is fast from the first chunk, where SunJCE on JDK 17 runs AES-GCM
 * at a few tens of MB/s until the JIT has compiled it; on a 1 GiB file that is most of the run.
 * Only the CLI uses it: the library never requires it. ACCP ships for linux-x86_64 only; on any
 * other platform, or if it fails to load (a JDK that refuses an unsigned provider), the CLI falls
 * back to SunJCE: silently, unless the JVM runs C1 only ({@link #warning()}). A file under {@link #ACCP_MIN_BYTES} is sealed by SunJCE too: loading
 * ACCP costs more than it saves then. {@code oxcrypt --version} says which is in use; the
 * environment variable {@code OXCRYPT_CIPHER_PROVIDER=jce} (or {@code accp}) forces the choice.
 *
 * <pre>{@code
 * ChunkProvider p = ChunkProvider.of(env);
 * Recordings.Builder b = Recordings.builder();
 * if (p.provider() != null) b.cipherProvider(p.provider());
 * }</pre>
 */
final class ChunkProvider {
  /**
   * {@code jce}: the JDK's provider; {@code accp}: ACCP if it loads, whatever the input's size;
   * {@code auto} (default): ACCP if it loads and the input is not known to be small.
   */
  static final String ENV = "OXCRYPT_CIPHER_PROVIDER";
  /** ACCP's provider class; a system property of this name replaces it (tests: a missing class). */
  static final String ACCP_CLASS_PROPERTY = "oxcrypt.accpClass";
  private static final String ACCP_CLASS = "com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider";

  /** ACCP, loaded once per JVM (its native library is extracted and self-tested on load). */
  private static ChunkProvider accp;

  private final Provider provider;
  private final String description;
  /** ACCP was chosen but did not load: SunJCE carries the chunks instead. */
  private final boolean accpMissing;

  private ChunkProvider(Provider provider, String description, boolean accpMissing) {
    this.provider = provider;
    this.description = description;
    this.accpMissing = accpMissing;
  }

  /**
   * Inputs smaller than this are sealed by the JDK's provider: loading ACCP (its native library and
   * self-tests) takes about 0.15 s, about what SunJCE spends on the first 8 to 12 MB while it runs
   * without its AES-GCM intrinsics (interpreted, C1, or before C2 has compiled it). Measured with
   * the launcher (C1 only): 12 MB took 0.52 s with SunJCE and 0.40 s with ACCP, 8 MB 0.39 s and
   * 0.40 s; with {@code java -jar} (C1 and C2): 12 MB 0.48 s both ways (cli/README.md).
   */
  static final long ACCP_MIN_BYTES = 8L << 20;

  /** ACCP unless {@code env} says {@code OXCRYPT_CIPHER_PROVIDER=jce} or it cannot load here. */
  static ChunkProvider of(Map<String, String> env) {
    return of(env, -1);
  }

  /**
   * {@link #of(Map)} for an input of {@code inputBytes} (-1 if unknown, as for stdin): the JDK's
   * provider for an input under {@link #ACCP_MIN_BYTES}, unless {@code OXCRYPT_CIPHER_PROVIDER=accp}.
   */
  static ChunkProvider of(Map<String, String> env, long inputBytes) {
    String choice = env == null || env.get(ENV) == null ? "auto" : env.get(ENV).trim();
    if (choice.equalsIgnoreCase("jce")) {
      return jdk(ENV + "=jce");
    }
    if (!choice.equalsIgnoreCase("accp") && inputBytes >= 0 && inputBytes < ACCP_MIN_BYTES) {
      return jdk("an input under " + (ACCP_MIN_BYTES >> 20) + " MiB");
    }
    return accp();
  }

  /**
   * Starts loading ACCP on a daemon thread when {@code args} look like an {@code encrypt} or {@code
   * decrypt} of a regular file of at least {@link #ACCP_MIN_BYTES}, so that its ~0.2 s load (native
   * library, self-tests) overlaps picocli's parsing and the keyset's opening instead of following
   * them. Only a head start: {@link #of(Map, long)} still decides, after parsing, and waits for the
   * load if it needs ACCP. Never throws; does nothing under {@code OXCRYPT_CIPHER_PROVIDER=jce}.
   *
   * @param args the command line as given to {@code main}
   * @param env the environment
   */
  static void preload(String[] args, Map<String, String> env) {
    try {
      String choice = env == null || env.get(ENV) == null ? "auto" : env.get(ENV).trim();
      if (args.length < 2 || choice.equalsIgnoreCase("jce")
          || !(args[0].equals("encrypt") || args[0].equals("decrypt"))) {
        return;
      }
      boolean large = false;
      for (int i = 1; i < args.length && !large; i++) {
        java.io.File f = args[i].startsWith("-") ? null : new java.io.File(args[i]);
        large = f != null && f.isFile() && f.length() >= ACCP_MIN_BYTES;
      }
      if (large) {
        Thread t = new Thread(ChunkProvider::accp, "oxcrypt-accp-preload");
        t.setDaemon(true);
        t.start();
      }
    } catch (RuntimeException e) {
      // a head start only: of() loads ACCP itself, or not
    }
  }

  /** The provider for {@code cipherProvider}, or null for the JDK's choice. */
  Provider provider() {
    return provider;
  }

  /** For {@code --version}: which provider, and why not ACCP. */
  String description() {
    return description;
  }

  private static synchronized ChunkProvider accp() {
    if (accp == null) {
      accp = loadAccp(System.getProperty(ACCP_CLASS_PROPERTY, ACCP_CLASS));
    }
    return accp;
  }

  /** ACCP from {@code className}, or the JDK's provider with the reason it could not load. */
  static ChunkProvider loadAccp(String className) {
    try {
      Class<?> c = Class.forName(className, true, ChunkProvider.class.getClassLoader());
      Provider p = (Provider) c.getField("INSTANCE").get(null);
      Object error = c.getMethod("getLoadingError").invoke(p);
      if (error != null) {
        return missing("ACCP did not load: " + error);
      }
      Cipher.getInstance("AES/GCM/NoPadding", p); // a JDK may refuse an unsigned provider
      return new ChunkProvider(p, p.getName() + " " + p.getVersionStr() + " (native AES-GCM)", false);
    } catch (ReflectiveOperationException | LinkageError | RuntimeException
        | java.security.GeneralSecurityException e) {
      return missing("ACCP not available on this platform: " + e.getClass().getSimpleName());
    }
  }

  /**
   * A warning for stderr, or null. Non-null when ACCP was chosen but did not load and this JVM has
   * no C2 compiler ({@code -XX:TieredStopAtLevel=1}, which the launcher {@code cli/oxcrypt} sets
   * where ACCP should load): SunJCE then runs AES-GCM without its intrinsics, tens of MB/s.
   */
  String warning() {
    if (!accpMissing || !c1Only()) {
      return null;
    }
    return "this JVM runs without C2 (-XX:TieredStopAtLevel=1), so " + description
        + " runs AES-GCM slowly; set OXCRYPT_JAVA_OPTS=-XX:TieredStopAtLevel=4";
  }

  /** For {@code --version}: which JIT compilers this JVM runs. */
  static String jit() {
    return c1Only() ? "C1 only (-XX:TieredStopAtLevel=1)" : "C1 and C2 (the JVM's default)";
  }

  /**
   * Whether this JVM compiles with C1 only. Asked only for {@code --version} and for {@link
   * #warning()}: the management classes cost a few milliseconds to load. False where it cannot
   * tell (not HotSpot, no {@code jdk.management} module).
   */
  static boolean c1Only() {
    try {
      com.sun.management.HotSpotDiagnosticMXBean vm = java.lang.management.ManagementFactory
          .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
      return vm != null && Boolean.parseBoolean(vm.getVMOption("TieredCompilation").getValue())
          && Integer.parseInt(vm.getVMOption("TieredStopAtLevel").getValue()) < 4;
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /** The JDK's provider in place of ACCP, which was chosen but did not load. */
  private static ChunkProvider missing(String why) {
    return new ChunkProvider(null, jdkDescription(why), true);
  }

  private static ChunkProvider jdk(String why) {
    return new ChunkProvider(null, jdkDescription(why), false);
  }

  private static String jdkDescription(String why) {
    String name;
    try {
      name = Cipher.getInstance("AES/GCM/NoPadding").getProvider().getName();
    } catch (java.security.GeneralSecurityException e) {
      name = "the JDK's provider";
    }
    return name + " (" + why + ")";
  }
}
