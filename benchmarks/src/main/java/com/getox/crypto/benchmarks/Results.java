package com.getox.crypto.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One JMH JSON result file (-rf json), reduced to what the report and the CI gate need. */
final class Results {
  /** One benchmark run configuration. */
  static final class Row {
    final String benchmark; // simple name, e.g. Throughput.oursEncrypt
    final Map<String, String> params;
    final double score;
    final double error;
    /** Best measurement iteration: max for throughput, min for time per op. */
    final double best;
    final String unit;
    final Map<String, Double> secondary;

    Row(String benchmark, Map<String, String> params, double score, double error, double best,
        String unit, Map<String, Double> secondary) {
      this.benchmark = benchmark;
      this.best = best;
      this.params = params;
      this.score = score;
      this.error = error;
      this.unit = unit;
      this.secondary = secondary;
    }

    String param(String name) {
      return params.get(name);
    }

    /**
     * MB/s of plaintext for the throughput benchmarks (1 MiB per op), from the best measurement
     * iteration: on a shared, noisy machine other processes only ever slow an iteration down, so
     * the best one is the closest to the code's own speed (the mean is in {@link #score}).
     */
    double megabytesPerSecond() {
      if (!unit.equals("ops/s")) {
        throw new IllegalStateException(benchmark + " is in " + unit + ", not ops/s");
      }
      return best * Fixtures.OP_BYTES / 1e6;
    }

    /** A secondary metric whose name ends with {@code suffix} (JMH prefixes some with '·'). */
    Double secondary(String suffix) {
      for (Map.Entry<String, Double> e : secondary.entrySet()) {
        if (e.getKey().endsWith(suffix)) {
          return e.getValue();
        }
      }
      return null;
    }
  }

  final List<Row> rows = new ArrayList<>();
  String jdk = "unknown JDK";
  String vm = "";

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
      double error = pm.get("scoreError").asDouble();
      boolean higherIsBetter = pm.get("scoreUnit").asText().startsWith("ops/");
      double best = Double.NaN;
      for (JsonNode fork : pm.path("rawData")) {
        for (JsonNode it : fork) {
          double v = it.asDouble();
          if (Double.isNaN(best) || (higherIsBetter ? v > best : v < best)) {
            best = v;
          }
        }
      }
      if (Double.isNaN(best)) {
        best = pm.get("score").asDouble();
      }
      r.rows.add(
          new Row(name, params, pm.get("score").asDouble(), Double.isNaN(error) ? 0 : error, best,
              pm.get("scoreUnit").asText(), secondary));
      if (n.has("jdkVersion")) {
        r.jdk = "JDK " + n.get("jdkVersion").asText();
        r.vm = n.path("vmName").asText() + " " + n.path("vmVersion").asText();
      }
    }
    return r;
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
