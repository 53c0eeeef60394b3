#!/usr/bin/env bash
# Cold start: whole fresh-JVM process wall time for a program that encrypts and then decrypts its
# first 1 MiB with a local key, for ours (LocalKms KEK + recording), raw JCE (AES-GCM wrap of a
# data key + 16 KiB GCM chunks) and Tink StreamingAead (1MB segments, keyset from a file).
# Each program gets only the jars it needs. Runs are interleaved so drift hits all three alike.
#
#   bash benchmarks/cold-start.sh [runs]      # from the repo root, after `mvn -pl benchmarks -am package`
set -euo pipefail
cd "$(dirname "$0")"
RUNS=${1:-15}
JAVA=${JAVA:-java}
[ -f target/classpath.txt ] || { echo "cold-start: build the module first" >&2; exit 1; }
DEPS=$(tr ':' '\n' < target/classpath.txt)
pick() { echo "$DEPS" | grep -E "$1" | paste -sd: -; }
CLASSES=target/classes
CP_JCE=$CLASSES
CP_TINK=$CLASSES:$(pick '/(tink|protobuf-java|gson|error_prone_annotations|jsr305)-[0-9]')
CP_OURS=$CLASSES:$(pick '/(ox-crypto-core|tink|protobuf-java|gson|error_prone_annotations|jsr305|jackson-core|slf4j-api)-[0-9]')

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
head -c 32 /dev/urandom > "$WORK/kek.bin"
$JAVA -cp "$CP_OURS" com.getox.crypto.benchmarks.cold.ColdOurs --create "$WORK/local.json"
$JAVA -cp "$CP_TINK" 'com.getox.crypto.benchmarks.cold.ColdTink$MakeKeyset' "$WORK/tink.json"

run() { # name classpath main arg -> appends ms to $WORK/name
  local t0 t1
  t0=$(date +%s%N)
  $JAVA -cp "$2" "$3" "$4" > /dev/null
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 )) >> "$WORK/$1"
}
# One untimed round to fill the page cache.
run warm "$CP_JCE" com.getox.crypto.benchmarks.cold.ColdJce "$WORK/kek.bin"
run warm "$CP_TINK" com.getox.crypto.benchmarks.cold.ColdTink "$WORK/tink.json"
run warm "$CP_OURS" com.getox.crypto.benchmarks.cold.ColdOurs "$WORK/local.json"
for _ in $(seq "$RUNS"); do
  run jce "$CP_JCE" com.getox.crypto.benchmarks.cold.ColdJce "$WORK/kek.bin"
  run tink "$CP_TINK" com.getox.crypto.benchmarks.cold.ColdTink "$WORK/tink.json"
  run ours "$CP_OURS" com.getox.crypto.benchmarks.cold.ColdOurs "$WORK/local.json"
done
stats() { sort -n "$WORK/$1" | awk '{a[NR]=$1; s+=$1} END {printf "%d %d %d %d", a[int((NR+1)/2)], s/NR, a[1], a[NR]}'; }
# Each round runs the three back to back, so the per-round ratio cancels most of a shared
# machine's drift; its median is the steadier figure when the load moves.
round_ratio() { paste "$WORK/$1" "$WORK/jce" | awk '{print $1 / $2}' | sort -g | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]}'; }
read -r JM JA JMIN JMAX <<< "$(stats jce)"
echo "$($JAVA -version 2>&1 | head -1), $RUNS runs each, wall ms (median / mean / min / max)"
printf '%-8s %6s %6s %6s %6s  %s  %s\n' program median mean min max 'median ratio to raw JCE' 'median per-round ratio'
for p in jce tink ours; do
  read -r M A MIN MAX <<< "$(stats $p)"
  printf '%-8s %6d %6d %6d %6d  %22.2fx  %21sx\n' "$p" "$M" "$A" "$MIN" "$MAX" "$(echo "$M / $JM" | bc -l)" "$(round_ratio $p)"
done
