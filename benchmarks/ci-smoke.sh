#!/usr/bin/env bash
# CI smoke gate: ours against the ceiling (raw JCE AES-GCM, one init+doFinal per 16 KiB chunk) on
# SunJCE, encrypt and decrypt, pieces of 640 B and 16 KiB, measured INTERLEAVED in one JVM
# (com.getox.crypto.benchmarks.Smoke: ~50 ms of ours, ~50 ms of the ceiling, alternating, 15
# rounds per case); fails if the median of the per-round ratios is below 0.5, that is on a real 2x
# regression (the ratio is normally 0.9 to 1.2). Load from other processes slows both sides of a
# round alike, so it barely moves the median. Not JMH: no forks, no machine-wide JMH lock file.
# Run from the repo root after `mvn -B verify` has built benchmarks/target/benchmarks.jar.
# About 1 minute on 2 cores (warm-up capped at 15 s per case).
set -euo pipefail
JAR=benchmarks/target/benchmarks.jar
[ -f "$JAR" ] || { echo "ci-smoke: $JAR is missing; run mvn -B verify first" >&2; exit 1; }
# SunJCE on JDK 17 runs AES-GCM at ~25 MB/s until C2 compiles GHASH/GCTR: each case first warms
# until its speed plateaus (Warm.untilStable), capped at 15 s.
exec java -Xms1g -Xmx1g -Dox.warmMillis=1000 -Dox.maxWarmMillis=15000 \
  -cp "$JAR" com.getox.crypto.benchmarks.Smoke 15 0.5
