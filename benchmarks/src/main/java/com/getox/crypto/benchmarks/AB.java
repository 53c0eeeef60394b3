package com.getox.crypto.benchmarks;

import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;
import java.util.Locale;

/**
 * Two builds of ours against each other, interleaved in one JVM like {@link Smoke}: each build's
 * {@code com.getox.crypto} classes (core and this module) are loaded from its own benchmarks jar,
 * child first; everything else (the JDK, Conscrypt, ACCP) is shared. The ratio is B's speed over
 * A's, per round, in thread CPU time. A before/after measurement that fork-to-fork noise (several
 * percent on a shared machine) cannot blur, since both run in the same JVM at the same moments.
 *
 * <pre>
 * java -cp new.jar com.getox.crypto.benchmarks.AB old.jar new.jar SunJCE dec,enc 640,16384,1048576 15
 * java -cp new.jar com.getox.crypto.benchmarks.AB old.jar new.jar Conscrypt mem 1048576 15  # from memory
 * </pre>
 */
public final class AB {
  private AB() {}

  /** Loads {@code com.getox.crypto.*} from its own jar before asking the parent. */
  static final class ChildFirst extends URLClassLoader {
    ChildFirst(File jar) throws Exception {
      super(new URL[] {jar.toURI().toURL()}, AB.class.getClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.startsWith("com.getox.crypto.")) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          c = findClass(name);
        }
        if (resolve) {
          resolveClass(c);
        }
        return c;
      }
    }
  }

  /** One build's {@link Throughput.Ours}, driven by reflection. */
  static Smoke.Op ours(
      File jar, String provider, int pieceBytes, boolean decrypt, boolean fromMemory)
      throws Exception {
    ClassLoader loader = new ChildFirst(jar);
    Class<?> oursClass = loader.loadClass("com.getox.crypto.benchmarks.Throughput$Ours");
    Object ours = oursClass.getDeclaredConstructor().newInstance();
    oursClass.getField("provider").set(ours, provider);
    oursClass.getField("pieceBytes").setInt(ours, pieceBytes);
    Field fromMemoryField = oursClass.getDeclaredField("fromMemory");
    fromMemoryField.setAccessible(true);
    fromMemoryField.setBoolean(ours, fromMemory);
    Method setUp = oursClass.getDeclaredMethod("setUp", boolean.class);
    setUp.setAccessible(true);
    setUp.invoke(ours, decrypt);
    oursClass.getMethod("open").invoke(ours);
    if (decrypt) {
      Method readOp = loader.loadClass("com.getox.crypto.benchmarks.Fixtures$StreamingRead")
          .getDeclaredMethod("readOp");
      readOp.setAccessible(true);
      return () -> (Long) readOp.invoke(ours);
    }
    Field writerField = oursClass.getDeclaredField("writer");
    Field pieceField = oursClass.getDeclaredField("piece");
    writerField.setAccessible(true);
    pieceField.setAccessible(true);
    java.io.OutputStream writer = (java.io.OutputStream) writerField.get(ours);
    byte[] piece = (byte[]) pieceField.get(ours);
    return () -> {
      Fixtures.writeInPieces(writer, piece, Fixtures.OP_BYTES);
      return piece[0];
    };
  }

  public static void main(String[] args) throws Exception {
    File a = new File(args[0]);
    File b = new File(args[1]);
    String provider = args.length > 2 ? args[2] : Providers.SUNJCE;
    String[] directions = (args.length > 3 ? args[3] : "dec,enc").split(",");
    int[] sizes =
        Arrays.stream((args.length > 4 ? args[4] : "640,16384,1048576").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    int rounds = args.length > 5 ? Integer.parseInt(args[5]) : 15;
    for (String direction : directions) {
      // "mem": decrypt from memory (oursDecryptFromMemory).
      boolean fromMemory = direction.equals("mem");
      boolean decrypt = direction.startsWith("dec") || fromMemory;
      for (int pieceBytes : sizes) {
        Smoke.Op opA = ours(a, provider, pieceBytes, decrypt, fromMemory);
        Smoke.Op opB = ours(b, provider, pieceBytes, decrypt, fromMemory);
        double[] ratios = Smoke.interleave(opB, opA, rounds, Smoke.SLICE_NANOS);
        System.out.println(String.format(Locale.ROOT, "ab: %-7s %-9s %7d B: %s/%s %s",
            fromMemory ? "dec-mem" : decrypt ? "decrypt" : "encrypt", provider, pieceBytes,
            b.getName(), a.getName(), Smoke.summary(ratios)));
      }
    }
  }
}
