package com.getox.crypto.benchmarks;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Turns JMH's JSON output into Markdown tables and a PNG chart of MB/s by piece size for ours,
 * the ceilings and the peers, with ours' ratio to each ceiling and peer and the issue-19 targets.
 * Every figure is the median over forks of each fork's mean, with the lowest and highest fork mean
 * beside it; ratios are the ratio of the medians, with the lowest and highest ratio over every
 * pairing of a fork of one with a fork of the other (see {@link Results.Ratio}). Never the best
 * iteration.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar com.getox.crypto.benchmarks.Report \
 *     jdk17.json,jdk25.json benchmarks/results "2-core AMD EPYC" "AMD EPYC, flags: avx512f vaes"
 * </pre>
 *
 * Writes, for each JDK found in the files (JMH records {@code jdkVersion} per result; JDKs are
 * never compared with each other), {@code <dir>/<slug>.md} and, when there are throughput
 * results, {@code <dir>/<slug>.png}, where the slug names the machine and the JDK. Several files
 * of one JDK are read as one run; the first result for a benchmark and parameter set wins.
 */
public final class Report {
  static final String[] SIZES = {"640", "4096", "16384", "65536", "1048576"};
  static final String[] PROVIDERS = {Providers.SUNJCE, Providers.CONSCRYPT, Providers.ACCP};
  static final String[][] PEERS = {
    {"tink1MB", "Tink StreamingAead 1MB"},
    {"tink4KB", "Tink StreamingAead 4KB"},
    {"esdk", "AWS ESDK (unsigned, 16 KiB frames)"}
  };
  /** Issue 19's targets: ours / ceiling, ours / each peer, 2 threads / 1 thread. */
  static final double CEILING_TARGET = 0.95;
  static final double PEER_TARGET = 1.0;
  static final double PARALLEL_TARGET = 1.8;

  private Report() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3 && args.length != 4) {
      System.err.println(
          "usage: Report <jmh.json>[,<more.json>...] <output-dir> <machine> [<cpu description>]");
      System.exit(2);
    }
    List<File> files = new ArrayList<>();
    for (String f : args[0].split(",")) {
      files.add(new File(f));
    }
    Results all = Results.read(files);
    File dir = new File(args[1]);
    Files.createDirectories(dir.toPath());
    String machine = args[2];
    String cpu = args.length > 3 ? args[3] : "not recorded";
    for (String jdk : all.jdks()) {
      Results r = all.only(jdk);
      String slug =
          (machine + "-" + jdk).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.]+", "-")
              .replaceAll("^-|-$", "");
      File md = new File(dir, slug + ".md");
      File png = new File(dir, slug + ".png");
      boolean charted = chart(r, machine, png);
      try (Writer w = Files.newBufferedWriter(md.toPath(), StandardCharsets.UTF_8)) {
        w.write(markdown(r, machine, cpu, charted ? png.getName() : null));
      }
      System.out.println("wrote " + md + (charted ? " and " + png : ""));
    }
  }

  static String label(String size) {
    int n = Integer.parseInt(size);
    if (n >= 1 << 20) {
      return (n >> 20) + " MiB";
    }
    if (n >= 1024) {
      return (n >> 10) + " KiB";
    }
    return n + " B";
  }

  /** The piece sizes this run has results for, smallest first. */
  static List<String> sizes(Results r) {
    List<String> out = new ArrayList<>();
    for (String s : SIZES) {
      for (Results.Row row : r.rows) {
        if (s.equals(row.param("pieceBytes"))) {
          out.add(s);
          break;
        }
      }
    }
    return out;
  }

  static String ceilingName(String dir, boolean streaming, String provider) {
    return (streaming ? "ceiling, streaming, " : "ceiling, ") + provider;
  }

  /** Ours writing pieces that stream from 64 MiB of plaintext (encrypt only). */
  static String oursStreamingName(String provider) {
    return "ours, streaming, " + provider;
  }

  /** Ours reading a recording in place from its array (decrypt only). */
  static String fromMemoryName(String provider) {
    return "ours, from memory, " + provider;
  }

  /** The decrypt ceiling plus the copy of the ciphertext out of its source (a diagnostic). */
  static String copyThenDecryptName(String provider) {
    return "copy then decrypt, " + provider;
  }

  /** One row per size of a benchmark with a {@code pieceBytes} parameter; null if none ran. */
  static Results.Row[] bySize(Results r, String benchmark, String provider, List<String> sizes) {
    Results.Row[] rows = new Results.Row[sizes.size()];
    boolean any = false;
    for (int i = 0; i < rows.length; i++) {
      rows[i] = r.find(benchmark, "provider", provider, "pieceBytes", sizes.get(i));
      any |= rows[i] != null;
    }
    return any ? rows : null;
  }

  /**
   * Rows by size for one direction ("Encrypt" or "Decrypt"), by series name; a ceiling does not
   * depend on the piece size, so its one row fills every size. Null where not run.
   */
  static Map<String, Results.Row[]> series(Results r, String dir, List<String> sizes) {
    Map<String, Results.Row[]> s = new LinkedHashMap<>();
    boolean decrypt = dir.equals("Decrypt");
    for (String p : PROVIDERS) {
      Results.Row[] ours = bySize(r, "Throughput.ours" + dir, p, sizes);
      if (ours != null) {
        s.put("ours, " + p, ours);
      }
      Results.Row[] fromMemory =
          decrypt ? bySize(r, "Throughput.oursDecryptFromMemory", p, sizes) : null;
      if (fromMemory != null) {
        s.put(fromMemoryName(p), fromMemory);
      }
      Results.Row[] oursStreaming =
          decrypt ? null : bySize(r, "Throughput.oursEncryptStreaming", p, sizes);
      if (oursStreaming != null) {
        s.put(oursStreamingName(p), oursStreaming);
      }
      for (boolean streaming : new boolean[] {false, true}) {
        Results.Row ceiling =
            r.find("Throughput.ceiling" + dir + (streaming ? "Streaming" : ""), "provider", p);
        if (ceiling != null) {
          Results.Row[] c = new Results.Row[sizes.size()];
          Arrays.fill(c, ceiling);
          s.put(ceilingName(dir, streaming, p), c);
        }
      }
      Results.Row copy = decrypt ? r.find("Throughput.copyThenDecrypt", "provider", p) : null;
      if (copy != null) {
        Results.Row[] c = new Results.Row[sizes.size()];
        Arrays.fill(c, copy);
        s.put(copyThenDecryptName(p), c);
      }
    }
    for (String[] peer : PEERS) {
      Results.Row[] v = new Results.Row[sizes.size()];
      boolean any = false;
      for (int i = 0; i < v.length; i++) {
        v[i] = r.find("Peers.peer" + dir, "peer", peer[0], "pieceBytes", sizes.get(i));
        any |= v[i] != null;
      }
      if (any) {
        s.put(peer[1], v);
      }
    }
    return s;
  }

  static String mbps(Results.Row row) {
    double[] v = row.forkMegabytesPerSecond();
    if (v.length == 1) {
      return String.format(Locale.ROOT, "%.0f", v[0]);
    }
    return String.format(Locale.ROOT, "%.0f (%.0f–%.0f)", Results.median(v),
        Arrays.stream(v).min().getAsDouble(), Arrays.stream(v).max().getAsDouble());
  }

  static String ratio(Results.Ratio q) {
    return String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", q.median, q.min, q.max);
  }

  /** Distinct fork counts of the rows, "3" or "2/3". */
  static String forks(Results.Row[] rows) {
    List<String> n = new ArrayList<>();
    for (Results.Row row : rows) {
      if (row != null && !n.contains(String.valueOf(row.forks()))) {
        n.add(String.valueOf(row.forks()));
      }
    }
    return String.join("/", n);
  }

  static void header(StringBuilder b, String first, List<String> sizes, String... last) {
    b.append("| ").append(first).append(" |");
    for (String size : sizes) {
      b.append(' ').append(label(size)).append(" |");
    }
    for (String l : last) {
      b.append(' ').append(l).append(" |");
    }
    b.append("\n|---|");
    for (int i = 0; i < sizes.size() + last.length; i++) {
      b.append("---:|");
    }
    b.append('\n');
  }

  static Results.Ratio ratioAt(Results.Row ours, Results.Row ref) {
    return ours == null || ref == null
        ? null
        : Results.Ratio.of(ours.forkMegabytesPerSecond(), ref.forkMegabytesPerSecond());
  }

  static String markdown(Results r, String machine, String cpu, String pngName) {
    StringBuilder b = new StringBuilder();
    List<String> sizes = sizes(r);
    b.append("# Benchmark results: ").append(machine).append(", ").append(r.jdk()).append("\n\n");
    b.append("Measured on: ").append(cpu).append("; ").append(r.vm()).append(". ")
        .append("Another CPU (or JDK, or provider build) gives other absolute figures: compare ")
        .append("the ratios, which are measured within one run on one machine.\n\n")
        .append("Generated by `Report` from JMH's JSON. Every figure is the **median over forks ")
        .append("of each fork's mean** (throughput in MB/s of plaintext, 10^6 B/s), with the ")
        .append("lowest and highest fork mean in parentheses; never the best iteration. A ratio ")
        .append("is the ratio of the two medians, with in parentheses the lowest and highest ")
        .append("ratio over every pairing of a fork of one with a fork of the other (JMH runs ")
        .append("the two benchmarks in different forks, one after the other, so no pairing is ")
        .append("privileged). The targets use the cache-resident ceiling; peers run on the ")
        .append("default provider (SunJCE) and are compared with ours on SunJCE.\n\n");
    if (pngName != null) {
      b.append("![MB/s by piece size](").append(pngName).append(")\n\n");
    }
    targets(r, b, sizes);
    for (String dir : new String[] {"Encrypt", "Decrypt"}) {
      Map<String, Results.Row[]> s = series(r, dir, sizes);
      if (s.isEmpty()) {
        continue;
      }
      b.append("## ").append(dir).append(", MB/s: median of fork means (min–max)\n\n");
      header(b, "implementation", sizes, "forks");
      for (Map.Entry<String, Results.Row[]> e : s.entrySet()) {
        b.append("| ").append(e.getKey()).append(" |");
        for (Results.Row row : e.getValue()) {
          b.append(' ').append(row == null ? "–" : mbps(row)).append(" |");
        }
        b.append(' ').append(forks(e.getValue())).append(" |\n");
      }
      b.append('\n');
      StringBuilder q = new StringBuilder();
      boolean decrypt = dir.equals("Decrypt");
      for (String p : PROVIDERS) {
        Results.Row[] ours = s.get("ours, " + p);
        Results.Row[] fromMemory = s.get(fromMemoryName(p));
        Results.Row[] ceiling = s.get(ceilingName(dir, false, p));
        Results.Row[] copy = s.get(copyThenDecryptName(p));
        if (ours != null && ceiling != null) {
          ratioRow(q, (decrypt ? "ours, stream / ceiling, " : "ours / ceiling, ") + p, ours, ceiling);
        }
        if (fromMemory != null && ceiling != null) {
          ratioRow(q, "ours, from memory / ceiling, " + p, fromMemory, ceiling);
        }
        if (ours != null && copy != null) {
          // what our stream reader costs beyond the copy out of its source that any reader makes
          ratioRow(q, "ours, stream / copy then decrypt, " + p, ours, copy);
        }
      }
      for (String p : PROVIDERS) {
        // what streaming from memory costs the raw cipher (ours writes from one reused array)
        Results.Row[] streaming = s.get(ceilingName(dir, true, p));
        Results.Row[] ceiling = s.get(ceilingName(dir, false, p));
        if (streaming != null && ceiling != null) {
          ratioRow(q, "ceiling, streaming / ceiling, " + p, streaming, ceiling);
        }
        Results.Row[] oursStreaming = s.get(oursStreamingName(p));
        if (oursStreaming != null && streaming != null) {
          ratioRow(q, "ours, streaming / ceiling, streaming, " + p, oursStreaming, streaming);
        }
      }
      Results.Row[] oursSun = s.get("ours, " + Providers.SUNJCE);
      for (String[] peer : PEERS) {
        Results.Row[] v = s.get(peer[1]);
        if (oursSun != null && v != null) {
          ratioRow(q, "ours, SunJCE / " + peer[1], oursSun, v);
        }
      }
      if (q.length() > 0) {
        b.append("## ").append(dir).append(", ratios: ratio of medians (fork pairings min–max)\n\n");
        header(b, "ratio", sizes);
        b.append(q).append('\n');
      }
    }
    allocation(r, b);
    other(r, b);
    return b.toString();
  }

  static void ratioRow(StringBuilder b, String name, Results.Row[] a, Results.Row[] ref) {
    b.append("| ").append(name).append(" |");
    for (int i = 0; i < a.length; i++) {
      Results.Ratio q = ratioAt(a[i], ref[i]);
      b.append(' ').append(q == null ? "–" : ratio(q)).append(" |");
    }
    b.append('\n');
  }

  /** Issue 19's targets met or not, by the median; the spread is beside it. */
  static void targets(Results r, StringBuilder b, List<String> sizes) {
    StringBuilder t = new StringBuilder();
    boolean fromMemoryRun = false;
    for (String dir : new String[] {"Decrypt", "Encrypt"}) {
      Map<String, Results.Row[]> s = series(r, dir, sizes);
      for (String p : PROVIDERS) {
        Results.Row[] ours = s.get("ours, " + p);
        Results.Row[] ceiling = s.get(ceilingName(dir, false, p));
        if (ceiling == null) {
          continue;
        }
        if (dir.equals("Encrypt")) {
          if (ours != null) {
            targetRow(t, "encrypt at 640 B, " + p + ": ours / ceiling ≥ " + CEILING_TARGET, sizes,
                ours, ceiling, CEILING_TARGET, "640");
          }
          continue;
        }
        // The target is like for like: ours and the ceiling both open ciphertext already in
        // memory. A stream reader also copies the ciphertext out of its source: shown beside it.
        Results.Row[] fromMemory = s.get(fromMemoryName(p));
        if (fromMemory != null) {
          fromMemoryRun = true;
          targetRow(t, "decrypt from memory, " + p + ": ours / ceiling ≥ " + CEILING_TARGET, sizes,
              fromMemory, ceiling, CEILING_TARGET, null);
        }
        if (ours != null) {
          targetRow(t, (fromMemory != null ? "decrypt from a stream, " : "decrypt, ") + p
                  + ": ours / ceiling" + (fromMemory != null ? "" : " ≥ " + CEILING_TARGET),
              sizes, ours, ceiling, CEILING_TARGET, null);
        }
      }
    }
    for (String dir : new String[] {"Encrypt", "Decrypt"}) {
      Map<String, Results.Row[]> s = series(r, dir, sizes);
      Results.Row[] ours = s.get("ours, " + Providers.SUNJCE);
      for (String[] peer : PEERS) {
        Results.Row[] v = s.get(peer[1]);
        if (ours != null && v != null) {
          targetRow(t, dir.toLowerCase(Locale.ROOT) + ": ours / " + peer[1] + " ≥ "
              + PEER_TARGET, sizes, ours, v, PEER_TARGET, null);
        }
      }
    }
    if (t.length() > 0) {
      b.append("## Targets (issue 19): met when the median reaches the target\n\n");
      header(b, "target", sizes);
      b.append(t).append('\n');
      if (fromMemoryRun) {
        b.append("The decrypt target compares like with like: ours reading a recording already in ")
            .append("memory in place (`oursDecryptFromMemory`, `newInputStream(byte[], ...)`) ")
            .append("with the ceiling, which opens chunks already in memory. Ours from a stream ")
            .append("(`oursDecrypt`) also copies the ciphertext out of its source, as any stream ")
            .append("reader must; its row is measured against the same ")
            .append(CEILING_TARGET).append(" for reference (see `copy then decrypt` in the ")
            .append("decrypt ratios for that copy's cost).\n\n");
      }
    }
    StringBuilder par = new StringBuilder();
    for (Map.Entry<String, Results.Row[]> e : parallel(r).entrySet()) {
      Results.Row one = e.getValue()[0];
      Results.Row two = e.getValue()[1];
      if (one != null && two != null) {
        // speed of 2 threads over 1: time per op of 1 over 2, or ops/s of 2 over 1
        Results.Ratio q = one.unit.startsWith("ops/")
            ? Results.Ratio.of(two.forkMeans, one.forkMeans)
            : Results.Ratio.of(one.forkMeans, two.forkMeans);
        par.append("| ").append(e.getKey()).append(": 2 threads / 1 thread ≥ ")
            .append(PARALLEL_TARGET).append(" | ").append(ratio(q))
            .append(q.median >= PARALLEL_TARGET ? " met" : " **not met**").append(" |\n");
      }
    }
    if (par.length() > 0) {
      b.append("| target (256 MiB blob) | speed-up |\n|---|---:|\n").append(par).append('\n');
    }
  }

  static void targetRow(StringBuilder b, String name, List<String> sizes, Results.Row[] a,
      Results.Row[] ref, double target, String onlySize) {
    b.append("| ").append(name).append(" |");
    for (int i = 0; i < sizes.size(); i++) {
      Results.Ratio q = ratioAt(a[i], ref[i]);
      if (q == null || (onlySize != null && !onlySize.equals(sizes.get(i)))) {
        b.append(" – |");
      } else {
        b.append(' ').append(ratio(q)).append(q.median >= target ? " met" : " **not met**")
            .append(" |");
      }
    }
    b.append('\n');
  }

  /**
   * Parallel benchmarks with a {@code threads} parameter, by benchmark and other parameters:
   * {1 thread, 2 threads}.
   */
  static Map<String, Results.Row[]> parallel(Results r) {
    Map<String, Results.Row[]> out = new LinkedHashMap<>();
    for (Results.Row row : r.rows) {
      String threads = row.param("threads");
      if (!row.benchmark.startsWith("Parallel.") || threads == null
          || !(threads.equals("1") || threads.equals("2"))) {
        continue;
      }
      StringBuilder key = new StringBuilder(row.benchmark.substring("Parallel.".length()));
      for (Map.Entry<String, String> p : row.params.entrySet()) {
        if (!p.getKey().equals("threads")) {
          key.append(' ').append(p.getKey()).append('=').append(p.getValue());
        }
      }
      Results.Row[] pair = out.computeIfAbsent(key.toString(), k -> new Results.Row[2]);
      int i = threads.equals("1") ? 0 : 1;
      if (pair[i] == null) {
        pair[i] = row;
      }
    }
    return out;
  }

  static void allocation(Results r, StringBuilder b) {
    List<String> lines = new ArrayList<>();
    int chunksPerOp = Throughput.CHUNKS_PER_OP;
    for (Results.Row row : r.rows) {
      Double norm = row.secondary("gc.alloc.rate.norm");
      String size = row.param("pieceBytes");
      boolean ours = row.benchmark.startsWith("Throughput.ours");
      if (norm == null
          || !(ours || row.benchmark.startsWith("Throughput.ceiling"))
          || (ours && !size.equals("640") && !size.equals("16384"))) {
        continue;
      }
      String dir = row.benchmark.contains("Encrypt") ? "Encrypt" : "Decrypt";
      Results.Row ceiling = r.find("Throughput.ceiling" + dir, "provider", row.param("provider"));
      Double ceilingNorm = ceiling == null ? null : ceiling.secondary("gc.alloc.rate.norm");
      lines.add(
          String.format(Locale.ROOT, "| %s | %s | %s | %.0f | %.0f | %s |",
              row.benchmark.substring("Throughput.".length()), row.param("provider"),
              size == null ? "–" : label(size), norm, norm / chunksPerOp,
              !ours || ceilingNorm == null ? "–"
                  : String.format(Locale.ROOT, "%+.1f", (norm - ceilingNorm) / chunksPerOp)));
    }
    if (lines.isEmpty()) {
      return;
    }
    b.append("## Allocation (-prof gc, gc.alloc.rate.norm, JMH's score over all forks)\n\n")
        .append("One op is 1 MiB of plaintext = 64 chunks of 16 KiB; the ceiling's allocation is ")
        .append("what the JCA provider itself makes per init+doFinal (plus the unavoidable ")
        .append("GCMParameterSpec).\n\n")
        .append("| benchmark | provider | piece | B/op | B per chunk | B per chunk beyond the ceiling |\n")
        .append("|---|---|---|---:|---:|---:|\n");
    for (String l : lines) {
      b.append(l).append('\n');
    }
    b.append('\n');
  }

  /** "12.3 µs/op (11.9–13.0)": the median of fork means and their range. */
  static String time(Results.Row row) {
    return String.format(Locale.ROOT, "%.1f %s (%.1f–%.1f, %d forks)", row.median(), row.unit,
        row.min(), row.max(), row.forks());
  }

  static void other(Results r, StringBuilder b) {
    Results.Row seek = r.find("RandomAccess.read4KiB");
    if (seek != null) {
      double reads = seek.secondary("reads");
      b.append(String.format(Locale.ROOT,
          "## Random access\n\n4 KiB read at a random offset of a 256 MiB recording on a"
              + " FileChannel: %s per read, %.3f chunks decrypted per read"
              + " (reads decrypting more than 2 chunks: %.0f).\n\n",
          time(seek), seek.secondary("chunks") / reads, seek.secondary("readsOver2")));
    }
    String[][] envelope = {
      {"openLocal", "open, local KEK"},
      {"openCacheHit", "open, local KEK, DEK-cache hit (servesReaders)"},
      {"openAws", "open, AWS KMS KEK (local server, loopback HTTP)"},
      {"startLocal", "start, local KEK"},
      {"startCacheHit", "start, local KEK, DEK-cache hit"},
      {"startAws", "start, AWS KMS KEK (local server, loopback HTTP)"},
    };
    StringBuilder rows = new StringBuilder();
    for (String[] e : envelope) {
      Results.Row row = r.find("Envelope." + e[0]);
      if (row != null) {
        rows.append(String.format(Locale.ROOT, "| %s | %s | %.2f |\n", e[1], time(row),
            row.secondary("kmsCalls") / row.secondary("opens")));
      }
    }
    if (rows.length() > 0) {
      b.append("## Envelope cost\n\n| operation | time | KMS calls per op |\n|---|---:|---:|\n")
          .append(rows)
          .append('\n');
    }
    Map<String, Results.Row[]> par = parallel(r);
    if (!par.isEmpty()) {
      b.append("## Parallel (256 MiB blob, SunJCE)\n\n")
          .append("| benchmark | threads | ms per blob: median (min–max) | MB/s | forks |\n")
          .append("|---|---:|---:|---:|---:|\n");
      double mb = Parallel.BLOB_BYTES / 1e6;
      for (Map.Entry<String, Results.Row[]> e : par.entrySet()) {
        for (int i = 0; i < 2; i++) {
          Results.Row row = e.getValue()[i];
          if (row != null) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %.0f (%.0f–%.0f) | %.0f | %d |\n",
                e.getKey(), i + 1, row.median(), row.min(), row.max(),
                mb / (row.median() / 1000), row.forks()));
          }
        }
      }
      b.append('\n');
    }
  }

  /**
   * Ours dark (from memory brighter), its ceiling light, the streaming ceiling between and copy
   * then decrypt greyish, in one hue per provider; peers in greys and purples.
   */
  static Color colorOf(String series) {
    Color[][] byProvider = {
      {new Color(0x1f4e9c), new Color(0x9bb8e8), new Color(0x5b82c4), new Color(0x3a78e0),
        new Color(0x8593ad)},
      {new Color(0x1e7b34), new Color(0x9fd8a9), new Color(0x5aa86a), new Color(0x2fb34f),
        new Color(0x86a08b)},
      {new Color(0xb03a2e), new Color(0xf0a79f), new Color(0xd46c60), new Color(0xe8503f),
        new Color(0xb08a86)}
    };
    for (int i = 0; i < PROVIDERS.length; i++) {
      if (series.endsWith(", " + PROVIDERS[i])) {
        int shade =
            series.startsWith("ceiling, streaming") ? 2
                : series.startsWith("ceiling") ? 1
                : series.startsWith("ours, from memory") ? 3
                : series.startsWith("copy then decrypt") ? 4
                : 0;
        return byProvider[i][shade];
      }
    }
    if (series.contains("1MB")) {
      return new Color(0x6a3d9a);
    }
    if (series.contains("4KB")) {
      return new Color(0xb39ddb);
    }
    return new Color(0x757575);
  }

  static CategoryChart chartFor(Results r, String dir, String machine) {
    CategoryChart c =
        new CategoryChartBuilder()
            .width(1000)
            .height(520)
            .title(dir + " MB/s by piece size (median of forks) — " + machine + ", " + r.jdk())
            .xAxisTitle("write/read piece size")
            .yAxisTitle("MB/s of plaintext")
            .build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    c.getStyler().setPlotGridVerticalLinesVisible(false);
    c.getStyler().setOverlapped(false);
    List<String> sizes = sizes(r);
    List<String> x = new ArrayList<>();
    for (String size : sizes) {
      x.add(label(size));
    }
    for (Map.Entry<String, Results.Row[]> e : series(r, dir, sizes).entrySet()) {
      List<Double> y = new ArrayList<>();
      for (Results.Row row : e.getValue()) {
        y.add(row == null ? 0.0 : row.megabytesPerSecond());
      }
      c.addSeries(e.getKey(), x, y).setFillColor(colorOf(e.getKey()));
    }
    return c;
  }

  /** Writes the chart; false (and no file) when there are no throughput results. */
  static boolean chart(Results r, String machine, File png) throws IOException {
    List<BufferedImage> parts = new ArrayList<>();
    List<String> sizes = sizes(r);
    for (String dir : new String[] {"Encrypt", "Decrypt"}) {
      if (!sizes.isEmpty() && !series(r, dir, sizes).isEmpty()) {
        parts.add(BitmapEncoder.getBufferedImage(chartFor(r, dir, machine)));
      }
    }
    if (parts.isEmpty()) {
      return false;
    }
    int w = parts.get(0).getWidth();
    int h = 0;
    for (BufferedImage p : parts) {
      h += p.getHeight();
    }
    BufferedImage all = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = all.createGraphics();
    int y = 0;
    for (BufferedImage p : parts) {
      g.drawImage(p, 0, y, null);
      y += p.getHeight();
    }
    g.dispose();
    ImageIO.write(all, "png", png);
    return true;
  }
}
