#!/usr/bin/env bash
# The full suite (about 25 minutes on 2 cores): every benchmark with the GC profiler and its own
# fork count (1 for most: for the targets, with 3 forks, see run-targets.sh), JMH's JSON
# into benchmarks/results/jmh-result.json, then the report tool writes the Markdown table and PNG
# chart beside it, named after the machine and JDK.
#   bash benchmarks/run-all.sh ["machine description"]     # from the repo root, after mvn package
set -euo pipefail
cd "$(dirname "$0")"
MACHINE=${1:-"$(nproc)-core $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //; s/ [0-9]*-Core Processor//')"}
JAR=target/benchmarks.jar
[ -f "$JAR" ] || { echo "run-all: $JAR is missing; run mvn -pl benchmarks -am package first" >&2; exit 1; }
java -jar "$JAR" -prof gc -foe true -rf json -rff results/jmh-result.json
FLAGS=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' \
  | grep -xE 'aes|pclmulqdq|avx2|avx512f|vaes|vpclmulqdq|sha_ni' | tr '\n' ' ' | sed 's/ $//')
CPU="$(lscpu | sed -n 's/^Model name: *//p' | head -1) ($(nproc) CPUs; flags: $FLAGS)"
java -cp "$JAR" com.getox.crypto.benchmarks.Report results/jmh-result.json results "$MACHINE" "$CPU"
