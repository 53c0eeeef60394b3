#!/usr/bin/env bash
# Makes the speech fixtures the audio tests read (committed; tests never need these tools).
# Needs espeak-ng, sox and opus-tools (Debian: apt-get install espeak-ng sox opus-tools).
# Run from anywhere: bash core/src/test/resources/audio/make-fixtures.sh
# Output differs slightly between tool versions; the tests derive every expectation from the files.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# "The North Wind and the Sun" (Aesop; the IPA's standard phonetics passage), public domain.
text="The North Wind and the Sun were disputing which was the stronger, when a traveler came along \
wrapped in a warm cloak. They agreed that the one who first succeeded in making the traveler take \
his cloak off should be considered stronger than the other. Then the North Wind blew as hard as he \
could, but the more he blew the more closely did the traveler fold his cloak around him; and at last \
the North Wind gave up the attempt. Then the Sun shined out warmly, and immediately the traveler took \
off his cloak. And so the North Wind was obliged to confess that the Sun was the stronger of the two."

espeak-ng -v en-us -s 150 -w "$tmp/speech.wav" "$text"

# WAV PCM in the shapes the tests cover.
sox "$tmp/speech.wav" -r 16000 -c 1 -b 16 speech-16k-mono-16bit.wav trim 0 5
sox "$tmp/speech.wav" -r 16000 -c 2 -b 24 speech-16k-stereo-24bit.wav trim 0 1
sox "$tmp/speech.wav" -r 8000 -c 1 -b 8 speech-8k-mono-8bit.wav trim 0 3
# A streaming recorder's file: sox writing to a pipe cannot go back to fill in the sizes.
sox "$tmp/speech.wav" -r 8000 -c 1 -b 16 -t wav - trim 0 3 | cat > speech-8k-mono-16bit-streamed.wav

# Ogg Opus at a voice app's bit rate: the whole passage, about 37 s, 20 ms frames, ~1 s pages.

opusenc --quiet --bitrate 24 --comp 10 "$tmp/speech.wav" speech-24kbps.opus
# Another shape: stereo, 60 ms frames, short pages.
sox "$tmp/speech.wav" -c 2 "$tmp/stereo.wav" trim 0 10
opusenc --quiet --bitrate 32 --framesize 60 --max-delay 200 "$tmp/stereo.wav" speech-stereo-60ms.opus

ls -l *.wav *.opus
