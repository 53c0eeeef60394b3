#!/usr/bin/env bash
# oxcrypt against age on the same machine (issue 19, item 4): encrypts and decrypts a file of each
# size with oxcrypt (a local keyset) and with age (an X25519 recipient key), in paired runs whose
# order alternates (oxcrypt first, then age first), and prints the median wall time of each, with
# the spread (min..max), plus a plain `java -version` as the floor of any JVM start.
#
#   cli/bench-vs-age.sh                      # 1 GiB and 10 MB, 5 pairs each
#   RUNS=7 SIZES="10000000" cli/bench-vs-age.sh
#   OXCRYPT="cli/target/oxcrypt" cli/bench-vs-age.sh      # through the CDS launcher
#   OXCRYPT="java -jar cli/target/oxcrypt.jar" OXCRYPT_CIPHER_PROVIDER=jce cli/bench-vs-age.sh
#
# Needs age and age-keygen on PATH (Debian: apt-get install age); without them it says so and
# exits 0. Not part of CI: wall times depend on the machine and its load. Files go to a temporary
# directory (WORKDIR to choose one; it needs 3x the largest size free), removed at the end.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v age >/dev/null || ! command -v age-keygen >/dev/null; then
  echo "bench-vs-age: age is not installed (apt-get install age): skipped"
  exit 0
fi
OXCRYPT="${OXCRYPT:-java -jar $here/target/oxcrypt.jar}"
RUNS="${RUNS:-5}"
SIZES="${SIZES:-1073741824 10000000}"
work="$(mktemp -d "${WORKDIR:-${TMPDIR:-/tmp}}/bench-vs-age.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"

$OXCRYPT keys create --keyset keys.json --insecure >/dev/null 2>&1
age-keygen -o age.key 2>/dev/null
recipient="$(grep -o 'age1[0-9a-z]*' age.key)"

now() { date +%s%N; }
# Runs "$@", prints its wall time in seconds (stdout/stderr of the command are discarded).
# Each run starts with no dirty pages left by the one before (an untimed `sync`): age does not
# sync its output and oxcrypt does, so without it the kernel's writeback of the previous run's
# gigabyte lands on whichever command runs next (measured: age's decrypt 3.0..8.7 s).
timed() {
  local t0 t1
  sync
  t0=$(now)
  "$@" >/dev/null 2>&1 || { echo "bench-vs-age: failed: $*" >&2; exit 1; }
  t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1e9 }'
}
# median min max of the numbers on stdin
stats() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
  printf "%.3f s (%.3f..%.3f)", m, v[1], v[NR] }'; }

ox_enc() { $OXCRYPT encrypt --keyset keys.json in.bin out.oxr; }
ox_dec() { $OXCRYPT decrypt --keyset keys.json out.oxr dec.ox; }
age_enc() { age -r "$recipient" -o out.age in.bin; }
age_dec() { age -d -i age.key -o dec.age out.age; }

echo "oxcrypt: $OXCRYPT"
$OXCRYPT --version 2>/dev/null | sed 's/^/  /' || true
echo "age: $(age --version)"
for _ in $(seq "$RUNS"); do timed java -version; done >floor.txt
echo "java -version (floor of any JVM start): $(stats <floor.txt)"
printf '%-12s %-10s %-30s %-30s %s\n' size op oxcrypt age "ox/age (medians)"
for size in $SIZES; do
  head -c "$size" /dev/urandom >in.bin
  : >oe.txt; : >ae.txt; : >od.txt; : >ad.txt
  for i in $(seq "$RUNS"); do
    # One tool's encrypt and decrypt, checked and deleted, then the other's: at most three files
    # of SIZE exist at once. (On the development VM, memory touched beyond ~3 GiB is slow to get
    # from the host: writing a 4th GiB took 3-5 s instead of 0.4 s, for any program.)
    if ((i % 2)); then order="ox age"; else order="age ox"; fi
    for tool in $order; do
      timed "${tool}_enc" >>"${tool:0:1}e.txt"
      timed "${tool}_dec" >>"${tool:0:1}d.txt"
      cmp -s in.bin "dec.$tool" || { echo "bench-vs-age: $tool's round trip differs" >&2; exit 1; }
      rm -f out.oxr out.age dec.ox dec.age
    done
  done
  for op in encrypt decrypt; do
    o=oe.txt a=ae.txt
    [[ $op == decrypt ]] && o=od.txt a=ad.txt
    om=$(stats <"$o") am=$(stats <"$a")
    printf '%-12s %-10s %-30s %-30s %.2fx\n' "$size" "$op" "$om" "$am" \
      "$(awk -v x="${om%% s*}" -v y="${am%% s*}" 'BEGIN { print x / y }')"
  done
done
