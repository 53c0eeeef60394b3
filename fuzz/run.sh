#!/usr/bin/env bash
# Fuzzes one Jazzer @FuzzTest of core for MINUTES minutes, then merges what it found into the
# target's committed inputs directory (the corpus CI replays in regression mode).
#
#   fuzz/run.sh RecordingFuzzTest#headerParser 10
#   fuzz/run.sh SFrameFuzzTest#receiverDecrypt 5 -o     # extra arguments go to Maven
#
# Targets: RecordingFuzzTest#{headerParser,streamingReader,recover,recoverFlushed,keysetFile,anyChunkingRoundTrips},
# SFrameFuzzTest#{headerParser,receiverDecrypt}, JsonReaderFuzzTest#jsonReader,
# WavFuzzTest#sniffAndClip, OggOpusFuzzTest#oggOpus.
#
# It runs Jazzer's standalone driver (libFuzzer inside the JVM) on core's test classes, with the
# generated corpus in core/target/fuzz/<Class>/<method>/ and the committed inputs
# (core/src/test/resources/<package>/<Class>Inputs/<method>/, Jazzer JUnit's convention) as seeds.
# At the end a libFuzzer merge adds to the inputs directory the generated files that reach new
# coverage, and a second merge into an empty directory drops generated (SHA-1-named) inputs that a
# smaller set already covers; hand-named seeds and regression cases are kept. MINUTES=0 only
# minimizes. A crashing input is written to the inputs directory
# as crash-<sha1> (git-ignored): fix the bug, then rename the file to keep it as a regression case.
# The log, with libFuzzer's "cov:" and "exec/s" lines and final stats, is in
# core/target/fuzz/<Class>/<method>.log.
set -euo pipefail

if [ $# -lt 2 ] || [[ "$1" != *#* ]]; then
  sed -n '2,9p' "$0" >&2
  exit 2
fi
target=$1
minutes=$2
shift 2
class=${target%%#*}
method=${target#*#}
root=$(cd "$(dirname "$0")/.." && pwd)
core=$root/core

source=$(find "$core/src/test/java" -name "$class.java" | head -n 1)
if [ -z "$source" ]; then
  echo "no test class $class under core/src/test/java" >&2
  exit 2
fi
package_path=$(dirname "${source#"$core/src/test/java/"}")
fqcn=${package_path//\//.}.$class
inputs=$core/src/test/resources/$package_path/${class}Inputs/$method
work=$core/target/fuzz/$class/$method
log=$core/target/fuzz/$class/$method.log
mkdir -p "$inputs" "$work"

cd "$root"
mvn -B -ntp -q "$@" test-compile -pl core
mvn -B -ntp -q "$@" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -pl core \
  -Dmdep.includeScope=test -Dmdep.outputFile="$core/target/fuzz/classpath.txt"
cp="$core/target/test-classes:$core/target/classes:$(cat "$core/target/fuzz/classpath.txt")"

jazzer() {
  java -Xmx1g -cp "$cp" com.code_intelligence.jazzer.Jazzer \
    --target_class="$fqcn" --target_method="$method" --instrumentation_includes='com.getox.**' "$@"
}

status=0
before=$(find "$inputs" -type f | wc -l)
if [ "$minutes" -gt 0 ]; then
  echo "fuzzing $fqcn#$method for $minutes min; log: $log" >&2
  jazzer -max_total_time=$((minutes * 60)) -print_final_stats=1 -artifact_prefix="$inputs/" \
    "$work" "$inputs" >"$log" 2>&1 || status=$?
  grep -E '^#[0-9]+ +(INITED|DONE)|^Done|stat::number_of_executed_units|stat::average_exec_per_sec|== Java Exception' "$log" >&2 || true
  # Add what the run found that reaches new coverage.
  jazzer -merge=1 "$inputs" "$work" >>"$log" 2>&1
else
  : >"$log" # MINUTES=0: only minimize the committed inputs
fi

# Minimize: keep a smallest set of the generated (SHA-1-named) inputs that covers what all of
# them cover; hand-named seeds and regression cases are always kept.
min=$work.min
rm -rf "$min" && mkdir -p "$min"
jazzer -merge=1 "$min" "$inputs" >>"$log" 2>&1
for f in "$inputs"/*; do
  name=$(basename "$f")
  if [[ "$name" =~ ^[0-9a-f]{40}$ ]] && [ ! -e "$min/$name" ]; then
    rm -f "$f"
  fi
done
after=$(find "$inputs" -type f | wc -l)
echo "inputs: $before -> $after files ($(du -sh --apparent-size "$inputs" | cut -f1)) in ${inputs#"$root/"}" >&2
exit $status
