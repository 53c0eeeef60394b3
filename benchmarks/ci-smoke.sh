#!/usr/bin/env bash
# CI smoke gate: ours against the ceiling (raw JCE AES-GCM, one init+doFinal per 16 KiB chunk) on
# SunJCE, encrypt and decrypt, pieces of 640 B and 16 KiB, measured INTERLEAVED in one JVM
# (com.getox.crypto.benchmarks.Smoke: ~50 ms of ours, ~50 ms of the ceiling, alternating, 15
# rounds per case); fails if the median of the per-round ratios is below 0.65 twice in a row (a
# case below it is measured once more), that is on a 2x regression: the ratio is normally 0.86 to
# 1.07, so 2x slower reads 0.43 to 0.54 (see Smoke's comment and benchmarks/README.md). Slices are
# timed in thread CPU time, which other processes do not add to, and load slows both sides of a
# round alike, so it barely moves the median. Not JMH: no forks, no machine-wide JMH lock file.
# Run from the repo root after `mvn -B verify` has built benchmarks/target/benchmarks.jar.
# About 1 minute on 2 cores (warm-up capped at 15 s per case).
set -euo pipefail
JAR=benchmarks/target/benchmarks.jar
[ -f "$JAR" ] || { echo "ci-smoke: $JAR is missing; run mvn -B verify first" >&2; exit 1; }
# SunJCE on JDK 17 runs AES-GCM at ~25 MB/s until C2 compiles GHASH/GCTR: each case first warms
# until its speed plateaus (Warm.untilStable), capped at 15 s.
exec java -Xms1g -Xmx1g -Dox.warmMillis=1000 -Dox.maxWarmMillis=15000 \
  -cp "$JAR" com.getox.crypto.benchmarks.Smoke 15 0.65
