package com.getox.crypto.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.SeekableRecording;
import io.github.jaredmdobson.concentus.OpusDecoder;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Decodes clips with Concentus (a pure-Java Opus decoder, test scope only): the clip's audio,
 * after its pre-skip, is the original's audio from the requested sample. Decoding from the same
 * packet gives the same samples exactly; against a decode of the whole original, the decoder
 * state has converged within the 80 ms pre-roll (RFC 7845 §4.6) and the first 100 ms played.
 * (Speech at 24 kbit/s can take longer than 80 ms: from 2.345678 s the first 20 ms played agree
 * with the whole decode at only ~9 dB SNR, with libopus's opusdec as with Concentus; 160 ms of
 * pre-roll gives ~40 dB.)
 */
class OggOpusDecodeTest {
  @Test
  void aClipPlaysTheOriginalFromTheRequestedSample() throws Exception {
    for (String name : new String[] {OggOpusTrackTest.MONO, OggOpusTrackTest.STEREO}) {
      byte[] original = OggOpusTrackTest.fixture(name);
      OggStreams.Parsed o = OggStreams.parse(original);
      int channels = o.head[9];
      short[] whole = decode(o.audio, 0, channels);
      OggStreams.Owner owner = new OggStreams.Owner();
      try (SeekableRecording rec = owner.open(owner.encrypt(original))) {
        AudioRecording audio = AudioRecording.open(rec);
        for (long from : new long[] {0, 30_000, 1_000_000, 2_345_678, 6_000_000, 9_500_000}) {
          byte[] clip;
          try (InputStream in = audio.openClip(from, from + 400_000)) {
            clip = OggStreams.readAll(in);
          }
          OggStreams.Parsed c = OggStreams.parse(clip);
          short[] decoded = decode(c.audio, 0, channels);
          long fromGranule = o.preSkip() + from * 48_000 / 1_000_000;
          long start = fromGranule - c.preSkip();
          int k = 0;
          while (o.audio.get(k).start != start) {
            k++;
          }
          // From the same packet, a fresh decoder gives the same samples.
          short[] same = decode(o.audio.subList(k, k + c.audio.size()), 0, channels);
          assertArrayEquals(same, decoded, name + " from " + from);
          // After the pre-skip, the clip is the original from the requested sample.
          int played = (int) (c.pages.get(c.pages.size() - 1).granule - c.preSkip());
          assertEquals(Math.min(400_000, audio.durationMicros() - from) * 48 / 1000, played, 1);
          short[] clipPlayed = Arrays.copyOfRange(decoded, c.preSkip() * channels, (c.preSkip() + played) * channels);
          int at = (int) (fromGranule * channels);
          short[] reference = Arrays.copyOfRange(whole, at, at + clipPlayed.length);
          // The decoder state converges within the pre-roll and the first 100 ms played.
          int settled = 4800 * channels;
          double first = snrDb(reference, clipPlayed, 0, Math.min(clipPlayed.length, 960 * channels));
          double after = snrDb(reference, clipPlayed, settled, clipPlayed.length);
          assertTrue(clipPlayed.length <= settled || after > 40, name + " from " + from + ": " + after + " dB");
          System.out.printf(
              "%s from %d µs: pre-skip %d; against a whole decode: first 20 ms %.1f dB, after 100 ms %.1f dB%n",
              name, from, c.preSkip(), first, after);
        }
      }
    }
  }

  /** Decodes packets with a fresh decoder; interleaved 48 kHz samples. */
  static short[] decode(List<OggStreams.Packet> packets, int from, int channels) throws Exception {
    OpusDecoder decoder = new OpusDecoder(48_000, channels);
    short[] out = new short[0];
    int n = 0;
    short[] pcm = new short[5760 * channels];
    for (OggStreams.Packet p : packets.subList(from, packets.size())) {
      int samples = decoder.decode(p.data, 0, p.data.length, pcm, 0, 5760, false);
      assertEquals(p.samples, samples);
      if (out.length < (n + samples) * channels) {
        out = Arrays.copyOf(out, Math.max(out.length * 2, (n + samples) * channels));
      }
      System.arraycopy(pcm, 0, out, n * channels, samples * channels);
      n += samples;
    }
    return Arrays.copyOf(out, n * channels);
  }

  static double snrDb(short[] reference, short[] test, int from, int to) {
    double signal = 1;
    double noise = 1;
    for (int i = from; i < to; i++) {
      signal += (double) reference[i] * reference[i];
      double e = reference[i] - test[i];
      noise += e * e;
    }
    return 10 * Math.log10(signal / noise);
  }
}
