#!/usr/bin/env bash
# The README's CLI walkthrough, as CI runs it (.ci/run) against cli/target/oxcrypt.jar, in a fresh
# temporary directory. The README's block is generated from the lines between the README markers:
# a line ending in "# ci" runs here but is not shown (CI's stand-ins for a microphone and a crash),
# and a line starting "#readme " is shown without that prefix but not run. ReadmeCliTest
# fails when the README and this file disagree; `bash cli/walkthrough.sh --print-readme` prints the block.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
if [ "${1:-}" = "--print-readme" ]; then
  sed -n '/^# >>> README$/,/^# <<< README$/p' "$0" | sed '1d;$d' | grep -Ev '# ci(:.*)?$' | sed 's/^#readme //'
  exit 0
fi
JAR="${OXCRYPT_JAR:-$HERE/target/oxcrypt.jar}"
[ -f "$JAR" ] || { echo "walkthrough: $JAR is missing: mvn -q -B -DskipTests package -pl cli -am" >&2; exit 1; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
oxcrypt() { java -jar "$JAR" "$@"; }
step() { echo "walkthrough: $*" >&2; }

# >>> README
oxcrypt() { java -jar "$JAR" "$@"; }  # ci
head -c 960000 /dev/urandom > talk.pcm; head -c 320000 /dev/urandom > memo.pcm  # ci: two recordings' audio
arecord() { head -c 50000 talk.pcm; }  # ci: the microphone
printf 'correct horse battery staple\n' > pass.txt
K="--keyset keys.json --passphrase-file pass.txt"
oxcrypt keys create $K                                   # local://keys-<8 random hex digits>
mkdir -p recordings/2026                                 # the CLI creates no directories
oxcrypt encrypt $K --context user-id=u-7 talk.pcm recordings/talk.oxr
oxcrypt encrypt $K --context user-id=u-7 memo.pcm recordings/2026/memo.oxr

# A recorder pipeline: durable every second, so kill -9 loses at most 1 s; a user id bound but not stored
#readme arecord -t raw | oxcrypt encrypt $K --flush-every 1s --unstored-context user-id=u-7 - live.oxr
mkfifo mic; java -jar "$JAR" encrypt $K --flush-every 1s --unstored-context user-id=u-7 - live.oxr < mic & REC=$!  # ci
exec 3> mic; head -c 100000 talk.pcm >&3  # ci: the microphone speaks, then stays open
until [ "$(stat -c %s live.oxr 2>/dev/null || echo 0)" -ge 100000 ]; do sleep 0.2; done  # ci: flushed
kill -9 $REC; wait $REC || true; exec 3>&-  # ci: the crash
oxcrypt decrypt $K --recover --unstored-context user-id=u-7 live.oxr salvaged.pcm || [ $? = 7 ]  # after a crash: exit 7
arecord -t raw | oxcrypt resume $K --flush-every 1s --unstored-context user-id=u-7 live.oxr  # goes on

# Rotate, then move existing recordings to the new version (header only; restartable with --journal)
OLD=$(oxcrypt keys list $K | awk '$3 == "yes" { print $1 }')   # the primary version, soon the old one
oxcrypt keys rotate $K
oxcrypt rewrap $K --threads 2 --journal rewrap.journal recordings/
oxcrypt rewrap $K --unstored-context user-id=u-7 live.oxr    # unstored values: one run per set of values

# Share with a person by public key, without re-encrypting; she opens it with her private key
oxcrypt keys create-recipient --out alice                # alice.pub (shareable), alice.key (private, 0600)
oxcrypt share $K --to-public-key alice.pub recordings/talk.oxr
oxcrypt decrypt --identity alice.key --expect user-id=u-7 recordings/talk.oxr talk-alice.pcm
oxcrypt inspect recordings/talk.oxr                      # "recipients": ["local://keys-…", "hpke://x25519/…"]

# Revoke her again: her key no longer opens this file (exit 4)
ALICE=$(oxcrypt inspect --json recordings/talk.oxr | grep -o 'hpke://x25519/[0-9a-f]*' | head -1)
oxcrypt revoke $K --recipient $ALICE recordings/talk.oxr
oxcrypt decrypt --identity alice.key recordings/talk.oxr talk-alice.pcm || [ $? = 4 ]

# Crypto-shredding: list what only one version can open, then destroy it
oxcrypt keys destroy --dry-run --scan recordings/ $K --key-version $OLD
oxcrypt keys destroy --scan recordings/ $K --key-version $OLD
# <<< README

step "checks"
cmp <(head -c 100000 talk.pcm) <(head -c 100000 salvaged.pcm)   # everything flushed before the kill
oxcrypt decrypt $K --unstored-context user-id=u-7 live.oxr resumed.pcm
[ "$(stat -c %s resumed.pcm)" -ge 150000 ]                        # the salvage plus the resumed audio
oxcrypt decrypt $K recordings/2026/memo.oxr memo-back.pcm && cmp memo.pcm memo-back.pcm
oxcrypt keys list $K | grep -q DESTROYED
echo "walkthrough: OK" >&2
