package com.getox.crypto.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.SeekableRecording;
import com.getox.crypto.internal.Cobblestone;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's cost bound: a seek in a one-hour 24 kbit/s Ogg Opus recording touches at most
 * 2·⌈log2(chunks)⌉ + 4 chunks, counted from {@link AudioRecording#open} (the headers and the last
 * page included) through {@link AudioRecording#openClip} (bisection and the walk to the packet).
 */
class OggSeekCostTest {
  @Test
  void anHourAt24KbitsSeeksWithinTheBound() throws Exception {
    hour(false);
  }

  /** Half an hour of near-silent 3-byte packets, then speech: byte offsets no longer track time. */
  @Test
  void anHourHalfSilentSeeksWithinTheBound() throws Exception {
    hour(true);
  }

  private void hour(boolean silentFirstHalf) throws Exception {
    OggOpusTrackTest.Parsed speech = OggOpusTrackTest.Parsed.of(OggOpusTrackTest.fixture(OggOpusTrackTest.MONO));
    List<byte[]> packets = new ArrayList<>();
    long samples = 0;
    byte[] silence = {(byte) 0xF8, (byte) 0xFF, (byte) 0xFE}; // CELT FB 20 ms
    while (samples < 3600L * 48_000) { // the speech's 20 ms packets, over and over, for an hour
      byte[] p = silentFirstHalf && samples < 1800L * 48_000
          ? silence
          : speech.audio.get(packets.size() % speech.audio.size()).data;
      packets.add(p);
      samples += OggStreams.samples(p);
    }
    byte[] ogg = OggStreams.write(0x1ACE, speech.head, speech.tags, packets, 1 << 16, 50, false);
    long chunks = (ogg.length + Cobblestone.CHUNK_PLAINTEXT_BYTES - 1) / Cobblestone.CHUNK_PLAINTEXT_BYTES;
    int log2 = 64 - Long.numberOfLeadingZeros(chunks - 1); // ceil(log2(chunks))
    long bound = 2L * log2 + 4;

    OggStreams.Owner owner = new OggStreams.Owner();
    byte[] f = owner.encrypt(ogg);
    Random random = new Random(0x15);
    List<Long> froms = new ArrayList<>();
    froms.add(0L);
    froms.add(83_000_000L); // 1:23
    froms.add(3_599_000_000L);
    for (int i = 0; i < 60; i++) {
      froms.add((long) (random.nextDouble() * 3_599_000_000L));
    }
    long worstSeek = 0;
    long sumSeek = 0;
    long worstClip = 0;
    long clip123 = 0;
    for (long from : froms) {
      try (SeekableRecording rec = owner.open(f)) {
        AudioRecording audio = AudioRecording.open(rec);
        assertEquals((samples - speech.preSkip) * 125 / 6, audio.durationMicros());
        InputStream clip = audio.openClip(from, from + 30_000_000L);
        long seek = audio.chunksTouched();
        assertTrue(seek <= bound, "seek to " + from + " µs touched " + seek + " chunks, bound " + bound);
        OggStreams.readAll(clip);
        long whole = audio.chunksTouched();
        worstSeek = Math.max(worstSeek, seek);
        sumSeek += seek;
        worstClip = Math.max(worstClip, whole);
        if (from == 83_000_000L) {
          clip123 = whole;
        }
      }
    }
    System.out.printf(
        "Ogg Opus 1 h at 24 kbit/s%s: %d bytes, %d chunks, bound %d; open+seek chunks worst %d, mean %.1f over %d seeks;"
            + " open+seek+30 s clip worst %d, 1:23-1:53 clip %d%n",
        silentFirstHalf ? " (first half silent)" : "", ogg.length, chunks, bound, worstSeek, (double) sumSeek / froms.size(), froms.size(), worstClip, clip123);
    assertTrue(clip123 <= bound, "the 1:23-1:53 clip touched " + clip123 + " chunks, bound " + bound);
  }
}
