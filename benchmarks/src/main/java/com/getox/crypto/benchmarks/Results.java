package com.getox.crypto.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * JMH JSON result files (-rf json), reduced to what the report and the gate need: per
 * configuration, the mean of each fork's measurement iterations. A configuration's figure is the
 * median of its fork means; its spread is their min and max. Never the best iteration: a fork is
 * one JIT compilation and one stretch of machine load, so forks, not iterations, are the samples.
 */
final class Results {
  /** One benchmark configuration (benchmark, parameters, JDK) of one JMH run. */
  static final class Row {
    final String benchmark; // simple name, e.g. Throughput.oursEncrypt
    final Map<String, String> params;
    /** "JDK 17.0.15": rows of different JDKs are never compared with each other. */
    final String jdk;
    final String vm;
    final String unit;
    /** Mean of each fork's measurement iterations, in {@link #unit}. */
    final double[] forkMeans;
    final Map<String, Double> secondary;

    Row(String benchmark, Map<String, String> params, String jdk, String vm, String unit,
        double[] forkMeans, Map<String, Double> secondary) {
      this.benchmark = benchmark;
      this.params = params;
      this.jdk = jdk;
      this.vm = vm;
      this.unit = unit;
      this.forkMeans = forkMeans;
      this.secondary = secondary;
    }

    String param(String name) {
      return params.get(name);
    }

    int forks() {
      return forkMeans.length;
    }

    /** Median of the fork means, in {@link #unit}. */
    double median() {
      return Results.median(forkMeans);
    }

    double min() {
      return Arrays.stream(forkMeans).min().orElse(Double.NaN);
    }

    double max() {
      return Arrays.stream(forkMeans).max().orElse(Double.NaN);
    }

    /** MB/s of plaintext per fork for the throughput benchmarks (1 op = 1 MiB). */
    double[] forkMegabytesPerSecond() {
      if (!unit.equals("ops/s")) {
        throw new IllegalStateException(benchmark + " is in " + unit + ", not ops/s");
      }
      double[] v = forkMeans.clone();
      for (int i = 0; i < v.length; i++) {
        v[i] = v[i] * Fixtures.OP_BYTES / 1e6;
      }
      return v;
    }

    /** Median over forks of MB/s of plaintext. */
    double megabytesPerSecond() {
      return Results.median(forkMegabytesPerSecond());
    }

    /** A secondary metric (its score) whose name ends with {@code suffix} (JMH prefixes some with '·'). */
    Double secondary(String suffix) {
      for (Map.Entry<String, Double> e : secondary.entrySet()) {
        if (e.getKey().endsWith(suffix)) {
          return e.getValue();
        }
      }
      return null;
    }
  }

  /**
   * A ratio of two configurations measured in different forks: the ratio of their medians, and as
   * its spread the lowest and highest ratio over every pairing of a fork of one with a fork of the
   * other (forks of different benchmarks are not paired by JMH, so every pairing is as likely).
   */
  static final class Ratio {
    final double median;
    final double min;
    final double max;

    Ratio(double median, double min, double max) {
      this.median = median;
      this.min = min;
      this.max = max;
    }

    /** {@code a / b} for values where higher is better (ops/s, MB/s). */
    static Ratio of(double[] a, double[] b) {
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (double x : a) {
        for (double y : b) {
          lo = Math.min(lo, x / y);
          hi = Math.max(hi, x / y);
        }
      }
      return new Ratio(median(a) / median(b), lo, hi);
    }
  }

  final List<Row> rows = new ArrayList<>();

  static double median(double[] v) {
    if (v.length == 0) {
      return Double.NaN;
    }
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  static double mean(JsonNode values) {
    double sum = 0;
    int n = 0;
    for (JsonNode v : values) {
      sum += v.asDouble();
      n++;
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  /** Reads several files as one list of rows (each keeps its JDK). */
  static Results read(List<File> files) throws IOException {
    Results r = new Results();
    for (File f : files) {
      r.rows.addAll(read(f).rows);
    }
    return r;
  }

  static Results read(File json) throws IOException {
    Results r = new Results();
    JsonNode root = new ObjectMapper().readTree(json);
    for (JsonNode n : root) {
      String full = n.get("benchmark").asText();
      String[] parts = full.split("\\.");
      String name = parts[parts.length - 2] + "." + parts[parts.length - 1];
      Map<String, String> params = new TreeMap<>();
      JsonNode p = n.get("params");
      if (p != null) {
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          params.put(e.getKey(), e.getValue().asText());
        }
      }
      JsonNode pm = n.get("primaryMetric");
      Map<String, Double> secondary = new TreeMap<>();
      JsonNode sm = n.get("secondaryMetrics");
      if (sm != null) {
        for (Iterator<Map.Entry<String, JsonNode>> it = sm.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          secondary.put(e.getKey(), e.getValue().get("score").asDouble());
        }
      }
      List<Double> means = new ArrayList<>();
      for (JsonNode fork : pm.path("rawData")) {
        double m = mean(fork);
        if (!Double.isNaN(m)) {
          means.add(m);
        }
      }
      if (means.isEmpty()) {
        means.add(pm.get("score").asDouble()); // no raw data: JMH's own score, one sample
      }
      String jdk = "JDK " + n.path("jdkVersion").asText("unknown");
      String vm = (n.path("vmName").asText("") + " " + n.path("vmVersion").asText("")).trim();
      r.rows.add(
          new Row(name, params, jdk, vm, pm.get("scoreUnit").asText(),
              means.stream().mapToDouble(Double::doubleValue).toArray(), secondary));
    }
    return r;
  }

  /** The JDKs of the rows, in order of first appearance. */
  List<String> jdks() {
    List<String> out = new ArrayList<>();
    for (Row row : rows) {
      if (!out.contains(row.jdk)) {
        out.add(row.jdk);
      }
    }
    return out;
  }

  /** The rows measured on {@code jdk}. */
  Results only(String jdk) {
    Results r = new Results();
    for (Row row : rows) {
      if (row.jdk.equals(jdk)) {
        r.rows.add(row);
      }
    }
    return r;
  }

  String jdk() {
    return rows.isEmpty() ? "unknown JDK" : rows.get(0).jdk;
  }

  String vm() {
    return rows.isEmpty() ? "" : rows.get(0).vm;
  }

  /** The first row of {@code benchmark} whose params include all of {@code kv} (name, value...). */
  Row find(String benchmark, String... kv) {
    outer:
    for (Row row : rows) {
      if (!row.benchmark.equals(benchmark)) {
        continue;
      }
      for (int i = 0; i < kv.length; i += 2) {
        if (!kv[i + 1].equals(row.param(kv[i]))) {
          continue outer;
        }
      }
      return row;
    }
    return null;
  }
}
