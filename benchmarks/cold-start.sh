#!/usr/bin/env bash
# Cold start: whole fresh-JVM process wall time for a program that encrypts and then decrypts its
# first 1 MiB with a local key, for ours (LocalKms KEK + recording), raw JCE (AES-GCM wrap of a
# data key + 16 KiB GCM chunks) and Tink StreamingAead (1MB segments, keyset from a file).
# Each program gets only the jars it needs. Runs are interleaved so drift hits all three alike.
# It measures each program twice: without an archive (the JDK's default CDS only), and with an
# AppCDS archive of its own, dumped by its own training run (-XX:ArchiveClassesAtExit, one untimed
# run) and used with -XX:SharedArchiveFile: the recipe in README.md's cold-start section. CDS
# archives classes from jars only, so the programs' own classes are put in a jar for both modes.
#
#   bash benchmarks/cold-start.sh [runs]      # from the repo root, after `mvn -pl benchmarks -am package`
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bash benchmarks/cold-start.sh 15
set -euo pipefail
cd "$(dirname "$0")"
RUNS=${1:-15}
JAVA=${JAVA:-java}
[ -f target/classpath.txt ] || { echo "cold-start: build the module first" >&2; exit 1; }
DEPS=$(tr ':' '\n' < target/classpath.txt)
pick() { echo "$DEPS" | grep -E "$1" | paste -sd: -; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CLASSES="$WORK/cold.jar"
jar cf "$CLASSES" -C target/classes com/getox/crypto/benchmarks/cold
CP_JCE=$CLASSES
CP_TINK=$CLASSES:$(pick '/(tink|protobuf-java|gson|error_prone_annotations|jsr305)-[0-9]')
CP_OURS=$CLASSES:$(pick '/(ox-crypto-core|tink|protobuf-java|gson|error_prone_annotations|jsr305|slf4j-api)-[0-9]|fasterxml/jackson/core/jackson-core/')
head -c 32 /dev/urandom > "$WORK/kek.bin"
$JAVA -cp "$CP_OURS" com.getox.crypto.benchmarks.cold.ColdOurs --create "$WORK/local.json"
$JAVA -cp "$CP_TINK" 'com.getox.crypto.benchmarks.cold.ColdTink$MakeKeyset' "$WORK/tink.json"

TIMEFORMAT='%3R %3U %3S'
run() { # name classpath main arg [jvm options...] -> appends "wall-ms cpu-ms" to $WORK/name
  local name=$1 cp=$2 main=$3 arg=$4 t
  shift 4
  # CPU = user + system of the process and its threads (JIT, GC): less sensitive to a loaded machine.
  t=$({ time $JAVA "$@" -cp "$cp" "$main" "$arg" > /dev/null 2> "$WORK/stderr"; } 2>&1) || { cat "$WORK/stderr" >&2; exit 1; }
  echo "$t" | awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }' >> "$WORK/$name"
}
# Each program's own archive, from its own training run (which also fills the page cache).
# -Xlog:cds=off: the dump lists classes it cannot archive (Java 5 class files, lambdas' hosts).
run warm "$CP_JCE" com.getox.crypto.benchmarks.cold.ColdJce "$WORK/kek.bin" -Xlog:cds=off -XX:ArchiveClassesAtExit="$WORK/jce.jsa"
run warm "$CP_TINK" com.getox.crypto.benchmarks.cold.ColdTink "$WORK/tink.json" -Xlog:cds=off -XX:ArchiveClassesAtExit="$WORK/tink.jsa"
run warm "$CP_OURS" com.getox.crypto.benchmarks.cold.ColdOurs "$WORK/local.json" -Xlog:cds=off -XX:ArchiveClassesAtExit="$WORK/ours.jsa"
# JDK 25+: also the AOT cache (JEP 483/514/515: classes loaded and linked, and method profiles),
# the successor of AppCDS, each program its own, from its own training run.
MODES="+cds"
FEATURE=$($JAVA -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')
if [ "${FEATURE:-0}" -ge 25 ]; then
  MODES="+cds +aot"
  for p in jce tink ours; do
    case $p in
      jce) cp=$CP_JCE main=ColdJce arg="$WORK/kek.bin" ;;
      tink) cp=$CP_TINK main=ColdTink arg="$WORK/tink.json" ;;
      ours) cp=$CP_OURS main=ColdOurs arg="$WORK/local.json" ;;
    esac
    run warm "$cp" "com.getox.crypto.benchmarks.cold.$main" "$arg" -Xlog:aot=off -Xlog:cds=off -XX:AOTCacheOutput="$WORK/$p.aot" 2>/dev/null
  done
fi
for _ in $(seq "$RUNS"); do
  run jce "$CP_JCE" com.getox.crypto.benchmarks.cold.ColdJce "$WORK/kek.bin"
  run tink "$CP_TINK" com.getox.crypto.benchmarks.cold.ColdTink "$WORK/tink.json"
  run ours "$CP_OURS" com.getox.crypto.benchmarks.cold.ColdOurs "$WORK/local.json"
  run jce+cds "$CP_JCE" com.getox.crypto.benchmarks.cold.ColdJce "$WORK/kek.bin" -XX:SharedArchiveFile="$WORK/jce.jsa"
  run tink+cds "$CP_TINK" com.getox.crypto.benchmarks.cold.ColdTink "$WORK/tink.json" -XX:SharedArchiveFile="$WORK/tink.jsa"
  run ours+cds "$CP_OURS" com.getox.crypto.benchmarks.cold.ColdOurs "$WORK/local.json" -XX:SharedArchiveFile="$WORK/ours.jsa"
  if [ "$MODES" != "+cds" ]; then
    run jce+aot "$CP_JCE" com.getox.crypto.benchmarks.cold.ColdJce "$WORK/kek.bin" -XX:AOTCache="$WORK/jce.aot"
    run tink+aot "$CP_TINK" com.getox.crypto.benchmarks.cold.ColdTink "$WORK/tink.json" -XX:AOTCache="$WORK/tink.aot"
    run ours+aot "$CP_OURS" com.getox.crypto.benchmarks.cold.ColdOurs "$WORK/local.json" -XX:AOTCache="$WORK/ours.aot"
  fi
done
# stats name [column: 1 wall, 2 cpu] -> median mean min max
stats() { awk -v c="${2:-1}" '{print $c}' "$WORK/$1" | sort -n | awk '{a[NR]=$1; s+=$1} END {printf "%d %d %d %d", a[int((NR+1)/2)], s/NR, a[1], a[NR]}'; }
# Each round runs the three back to back, so the per-round ratio cancels most of a shared
# machine's drift; its median is the steadier figure when the load moves.
# $1 against $2 (raw JCE in the same mode).
round_ratio() { paste "$WORK/$1" "$WORK/$2" | awk -v c="${3:-1}" '{print $c / $(c + 2)}' | sort -g | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]}'; }
for col in 1 2; do
  [ "$col" = 1 ] && what="wall ms" || what="CPU ms (user + system, all threads)"
  echo "$($JAVA -version 2>&1 | head -1), $RUNS runs each, $what (median / mean / min / max)"
  printf '%-9s %6s %6s %6s %6s  %s  %s\n' program median mean min max 'median ratio to raw JCE' 'median per-round ratio'
  for mode in "" $MODES; do
    case $mode in
      "") echo "without an AppCDS archive:" ;;
      +cds) echo "each with its own AppCDS archive (-XX:ArchiveClassesAtExit, then -XX:SharedArchiveFile):" ;;
      +aot) echo "each with its own AOT cache (-XX:AOTCacheOutput, then -XX:AOTCache):" ;;
    esac
    read -r JM JA JMIN JMAX <<< "$(stats jce$mode $col)"
    for p in jce tink ours; do
      read -r M A MIN MAX <<< "$(stats $p$mode $col)"
      printf '%-9s %6d %6d %6d %6d  %22.2fx  %21sx\n' "$p$mode" "$M" "$A" "$MIN" "$MAX" "$(echo "$M / $JM" | bc -l)" "$(round_ratio $p$mode jce$mode $col)"
    done
  done
  echo
done
