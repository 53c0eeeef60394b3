#!/usr/bin/env bash
# CI smoke benchmark: ours against the ceiling (raw JCE AES-GCM, one init+doFinal per 16 KiB
# chunk) on SunJCE, pieces of 640 B and 16 KiB, encrypt and decrypt, a few seconds each; fails if
# ours is below 0.5x the ceiling in the same run. Catches gross regressions, not noise.
# Run from the repo root after `mvn -B verify` has built benchmarks/target/benchmarks.jar.
# About 1.5 minutes on 2 cores.
set -euo pipefail
JAR=benchmarks/target/benchmarks.jar
[ -f "$JAR" ] || { echo "ci-smoke: $JAR is missing; run mvn -B verify first" >&2; exit 1; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
# Each fork first warms AES-GCM adaptively until its speed plateaus (SunJCE on JDK 17 runs at
# ~25 MB/s until C2 compiles GHASH/GCTR, longer on a loaded machine), capped at 15 s here.
java -jar "$JAR" 'Throughput\.(ours|ceiling)(En|De)crypt' \
  -p provider=SunJCE -p pieceBytes=640,16384 \
  -f 1 -wi 1 -w 2s -i 3 -r 1s -foe true \
  -jvmArgsAppend "-Dox.warmMillis=1000 -Dox.maxWarmMillis=15000" \
  -rf json -rff "$OUT/smoke.json" > "$OUT/jmh.log" 2>&1 || { cat "$OUT/jmh.log"; exit 1; }
grep -E '^Throughput' "$OUT/jmh.log" || true
java -cp "$JAR" com.getox.crypto.benchmarks.Gate "$OUT/smoke.json" 0.5
