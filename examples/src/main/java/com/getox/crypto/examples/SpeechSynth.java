package com.getox.crypto.examples;

import java.util.Random;

/**
 * Synthesises speech-like 16 kHz, 16-bit little-endian mono PCM: voiced syllables (a gliding
 * fundamental whose harmonics are shaped by three vowel formants) with raised-sine envelopes,
 * noisy consonant onsets, short gaps between syllables, longer pauses between words, and a low
 * noise floor. Deterministic for a given seed, so the demo and its tests are reproducible.
 *
 * <pre>{@code
 * byte[] pcm = SpeechSynth.generate(30, 42);   // 30 s, 960,000 bytes
 * }</pre>
 */
public final class SpeechSynth {
  public static final int SAMPLE_RATE = 16_000;
  public static final int BYTES_PER_SECOND = SAMPLE_RATE * 2;

  /** F1, F2, F3 in Hz for /a/, /e/, /i/, /o/, /u/ (Peterson and Barney, adult speakers). */
  private static final double[][] VOWELS = {
    {730, 1090, 2440}, {530, 1840, 2480}, {270, 2290, 3010}, {570, 840, 2410}, {300, 870, 2240}
  };

  private static final double[] BANDWIDTHS = {90, 110, 170};
  private static final double MAX_HARMONIC_HZ = 3800;

  private SpeechSynth() {}

  /** {@code seconds} of speech-like PCM ({@code seconds * 32000} bytes). */
  public static byte[] generate(int seconds, long seed) {
    if (seconds < 1 || seconds > 3600) {
      throw new IllegalArgumentException("seconds must be 1 to 3600, got " + seconds);
    }
    int samples = seconds * SAMPLE_RATE;
    byte[] pcm = new byte[samples * 2];
    Random random = new Random(seed);
    double phase = 0; // of the fundamental; harmonic h is at h * phase
    double[] amps = new double[64];
    int i = 0;
    while (i < samples) {
      int voiced = ms(140 + random.nextInt(220));
      int onset = random.nextInt(10) < 4 ? ms(25 + random.nextInt(50)) : 0;
      double[] formants = VOWELS[random.nextInt(VOWELS.length)];
      double f0Start = 95 + random.nextDouble() * 80;
      double f0End = f0Start * (0.8 + random.nextDouble() * 0.3);
      double loudness = 0.35 + 0.55 * random.nextDouble();
      double previousNoise = 0;
      int harmonics = 0;
      double norm = 1;
      for (int k = 0; k < onset + voiced && i < samples; k++, i++) {
        double s;
        if (k < onset) {
          // A fricative: white noise through a first difference (a crude high-pass).
          double noise = random.nextGaussian();
          s = 0.12 * loudness * (noise - previousNoise) * Math.sin(Math.PI * k / onset);
          previousNoise = noise;
        } else {
          double t = (k - onset) / (double) voiced;
          double f0 = f0Start + (f0End - f0Start) * t + 3 * Math.sin(2 * Math.PI * 5.5 * k / SAMPLE_RATE);
          if ((k - onset) % 80 == 0) { // re-shape the harmonics every 5 ms
            harmonics = (int) Math.min(amps.length - 1, MAX_HARMONIC_HZ / f0);
            norm = 0;
            for (int h = 1; h <= harmonics; h++) {
              amps[h] = formantGain(h * f0, formants) / h;
              norm += amps[h];
            }
          }
          phase += 2 * Math.PI * f0 / SAMPLE_RATE;
          if (phase > 2 * Math.PI) {
            phase -= 2 * Math.PI;
          }
          double v = 0;
          for (int h = 1; h <= harmonics; h++) {
            v += amps[h] * Math.sin(h * phase);
          }
          s = loudness * Math.pow(Math.sin(Math.PI * t), 0.6) * v / norm * 2.2;
        }
        put(pcm, i, s + 0.002 * random.nextGaussian());
      }
      int gap = random.nextInt(4) == 0 ? ms(150 + random.nextInt(350)) : ms(15 + random.nextInt(50));
      for (int k = 0; k < gap && i < samples; k++, i++) {
        put(pcm, i, 0.002 * random.nextGaussian());
      }
    }
    return pcm;
  }

  /** Sum of three resonances: the vowel's spectral envelope at frequency {@code f}. */
  private static double formantGain(double f, double[] formants) {
    double g = 0.02;
    for (int j = 0; j < formants.length; j++) {
      double x = (f - formants[j]) / BANDWIDTHS[j];
      g += (1.0 / (j + 1)) / (1 + x * x);
    }
    return g;
  }

  private static int ms(int millis) {
    return millis * SAMPLE_RATE / 1000;
  }

  private static void put(byte[] pcm, int sample, double value) {
    long v = Math.round(Math.max(-1, Math.min(1, value)) * 32767);
    pcm[2 * sample] = (byte) v;
    pcm[2 * sample + 1] = (byte) (v >> 8);
  }
}
