#!/usr/bin/env bash
# Issue 19's targets run (30 minutes on 2 quiet cores, measured): JMH with FORKS (3) forks per
# configuration, then Report writes one Markdown table (+ PNG) per JDK into OUT, named after the
# machine and the JDK, with medians of fork means, their spread and the targets met or not.
#   JDK 17 (JDK17, default `java`): Throughput ours (oursEncrypt, oursDecrypt from a stream,
#     oursDecryptFromMemory; oursEncryptStreaming and its ceiling on SunJCE only) + ceilings +
#     copyThenDecrypt on SunJCE, Conscrypt and ACCP, and
#     Peers (Tink 1MB and 4KB) beside SunJCE in the same invocation, at PIECES; Parallel (every
#     benchmark of the class, 1 and 2 threads, 256 MiB).
#   JDK 25 (JDK25, Temurin 25; empty to skip): Throughput ours + ceilings + copyThenDecrypt on
#     SunJCE.
# One JMH invocation per provider, so that ours and its ceilings run minutes, not half an hour, apart.
#   bash benchmarks/run-targets.sh            # from the repo root, after mvn -pl benchmarks -am package
# Environment (defaults in brackets): FORKS [3], PROVIDERS ["SunJCE Conscrypt ACCP"],
#   PIECES [640,16384,1048576], PEERS [tink1MB,tink4KB; add esdk for the AWS ESDK], PEERS_ON_25 [0],
#   PARALLEL [1], JMH warm-up/measurement WI [1] W [1s] I [3] R [1s], WARM_MS [1000] and
#   MAX_WARM_MS [20000] (each fork's adaptive warm-up, Warm.untilStable), OUT [benchmarks/results],
#   MACHINE ["<nproc>-core <lscpu model name>"], JMH_HOST_OPTS (e.g. -Djmh.ignoreLock=true when
#   another JMH run holds the lock; the two then disturb each other).
# Duration: ~9 s per fork (JVM start, adaptive warm-up, 1 + 3 s of JMH); the default run is 216
# forks (72 configurations x 3; 198 took 30 min on 2026-12-07, AMD EPYC, quiet); warm-ups that never
# plateau (a loaded machine) add up to 20 s each. A cut-down run to check it (20 forks: 3 min 53 s at load 5-10):
#   FORKS=1 PROVIDERS=SunJCE PIECES=640,1048576 PEERS=tink1MB OUT=/some/dir bash benchmarks/run-targets.sh
set -euo pipefail
cd "$(dirname "$0")"
JAR=target/benchmarks.jar
[ -f "$JAR" ] || { echo "run-targets: $JAR is missing; run mvn -pl benchmarks -am package first" >&2; exit 1; }
FORKS=${FORKS:-3}
JDK17=${JDK17:-java}
JDK25=${JDK25-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
PROVIDERS=${PROVIDERS:-"SunJCE Conscrypt ACCP"}
PIECES=${PIECES:-640,16384,1048576}
PEERS=${PEERS:-tink1MB,tink4KB}
PEERS_ON_25=${PEERS_ON_25:-0}
PARALLEL=${PARALLEL:-1}
WI=${WI:-1}; W=${W:-1s}; I=${I:-3}; R=${R:-1s}
WARM_MS=${WARM_MS:-1000}; MAX_WARM_MS=${MAX_WARM_MS:-20000}
OUT=${OUT:-results}
MODEL=$(lscpu | sed -n 's/^Model name: *//p' | head -1 | sed 's/ [0-9]*-Core Processor//')
FLAGS=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' \
  | grep -xE 'aes|pclmulqdq|avx2|avx512f|vaes|vpclmulqdq|sha_ni' | tr '\n' ' ' | sed 's/ $//')
CPU="$MODEL ($(nproc) CPUs$(grep -q hypervisor /proc/cpuinfo && echo ', virtual machine'); flags: ${FLAGS:-none of aes pclmulqdq avx2 avx512f vaes vpclmulqdq sha_ni})"
MACHINE=${MACHINE:-"$(nproc)-core $MODEL"}
JSON=$OUT/targets-json
mkdir -p "$JSON"
: > "$JSON/jmh.log"
FILES=()
START=$(date -u '+%Y-%m-%d %H:%M'); LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

jmh() { # name java benchmark-regex jmh-args...
  local name=$1 java=$2; shift 2
  echo "== run-targets: $name ($(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1 /proc/loadavg)): $*"
  # shellcheck disable=SC2086
  "$java" ${JMH_HOST_OPTS:-} -jar "$JAR" "$@" -f "$FORKS" -wi "$WI" -w "$W" -i "$I" -r "$R" \
    -foe true -prof gc -jvmArgsAppend "-Dox.warmMillis=$WARM_MS -Dox.maxWarmMillis=$MAX_WARM_MS" \
    -rf json -rff "$JSON/$name.json" | tee -a "$JSON/jmh.log"
  FILES+=("$JSON/$name.json")
}

for p in $PROVIDERS; do
  if [ "$p" = SunJCE ]; then
    jmh jdk17-sunjce "$JDK17" 'Throughput\.(ours|ceiling|copyThenDecrypt)|Peers\.peer' \
      -p provider=SunJCE -p pieceBytes="$PIECES" -p peer="$PEERS"
  else
    # the streaming workload only on SunJCE: it documents a workload, no target uses it
    jmh "jdk17-$(echo "$p" | tr 'A-Z' 'a-z')" "$JDK17" 'Throughput\.(ours(Encrypt|Decrypt|DecryptFromMemory)$|ceiling(En|De)crypt$|copyThenDecrypt)' \
      -p provider="$p" -p pieceBytes="$PIECES"
  fi
done
if [ "$PARALLEL" = 1 ]; then jmh jdk17-parallel "$JDK17" 'Parallel\.'; fi
if [ -n "$JDK25" ]; then
  if [ "$PEERS_ON_25" = 1 ]; then
    jmh jdk25-sunjce "$JDK25" 'Throughput\.(ours|ceiling|copyThenDecrypt)|Peers\.peer' \
      -p provider=SunJCE -p pieceBytes="$PIECES" -p peer="$PEERS"
  else
    jmh jdk25-sunjce "$JDK25" 'Throughput\.(ours|ceiling|copyThenDecrypt)' -p provider=SunJCE \
      -p pieceBytes="$PIECES"
  fi
fi

END=$(date -u '+%H:%M'); LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
# Warm.untilStable prints "warm-up of X: N ms, ..."; N at the cap means the speed was still rising.
WARMS=$(grep -c '^.*warm-up of .*: [0-9]* ms' "$JSON/jmh.log" || true)
CAPPED=$(sed -n 's/.*warm-up of \([^:]*\): \([0-9]*\) ms.*/\2 \1/p' "$JSON/jmh.log" \
  | awk -v cap="$MAX_WARM_MS" '$1 >= cap { print $2 }' | sort | uniq -c | sed 's/^ *//' | paste -sd, - | sed 's/,/, /g')
LIST=$(IFS=,; echo "${FILES[*]}")
"$JDK17" -cp "$JAR" com.getox.crypto.benchmarks.Report "$LIST" "$OUT" "$MACHINE" "$CPU" | tee "$JSON/report.log"
for md in $(sed -n 's/^wrote \([^ ]*\.md\).*/\1/p' "$JSON/report.log"); do
  cat >> "$md" <<EOF
Run: \`benchmarks/run-targets.sh\`, $START to $END UTC, load average $LOAD_START at the start and
$LOAD_END at the end; JMH -f $FORKS -wi $WI -w $W -i $I -r $R -prof gc, each fork warmed adaptively
(Warm.untilStable, $WARM_MS ms to $MAX_WARM_MS ms); pieces $PIECES; JSON and log in \`$JSON/\`.
Warm-ups that ended at the cap, still speeding up (their forks may have measured code not yet
compiled; check them in the log): ${CAPPED:-none} (of $WARMS warm-ups in the run, all JDKs).
EOF
done
