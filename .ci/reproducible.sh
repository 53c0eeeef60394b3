#!/usr/bin/env bash
# Reproducible builds (issue 18): builds the published library artifacts twice from clean and
# compares every jar (classes, sources, test fixtures) byte for byte; the BOM is built too, but
# its artifact is its source file. Prints each file's SHA-256, names those that differ, and
# exits 1 if any does. Online is fine (a clean machine downloads once, in the first build).
# Usage: bash .ci/reproducible.sh   (from anywhere; about 2 x 40 s)
set -euo pipefail
cd "$(dirname "$0")/.."

MODULES=bom,core,kms-aws,kms-gcp,s3
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

build() {
  mvn -B -ntp -q -Dstyle.color=never clean package -DskipTests -pl "$MODULES" -am
  mkdir -p "$OUT/$1"
  cp core/target/*.jar kms-aws/target/*.jar kms-gcp/target/*.jar s3/target/*.jar "$OUT/$1/"
}

build first
sleep 2   # a second later, so a leaked build time would show
build second

differ=0
for f in "$OUT"/first/*; do
  name=$(basename "$f")
  a=$(sha256sum < "$f" | cut -d' ' -f1)
  b=$(sha256sum < "$OUT/second/$name" 2>/dev/null | cut -d' ' -f1 || true)
  if [ "$a" = "$b" ]; then
    echo "reproducible: $a  $name"
  else
    echo "reproducible: DIFFERS  $name (${a:0:16}... vs ${b:0:16}...)" >&2
    differ=$((differ + 1))
  fi
done
count=$(ls "$OUT/first" | wc -l)
if [ "$differ" -ne 0 ]; then
  echo "reproducible: $differ of $count artifacts differ between two clean builds" >&2
  exit 1
fi
echo "reproducible: all $count artifacts identical in two clean builds"
