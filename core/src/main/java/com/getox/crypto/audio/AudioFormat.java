package com.getox.crypto.audio;

/**
 * What an {@link AudioRecording} holds: the container and its codec parameters.
 *
 * <pre>{@code
 * AudioFormat f = AudioRecording.open(seekable).format();
 * if (f.container() == AudioFormat.Container.OGG_OPUS) { player.useOpus(f.channels()); }
 * }</pre>
 *
 * <p>For Ogg Opus, {@link #sampleRateHz()} is the input rate the encoder recorded in its
 * identification header (informational); Opus always decodes at 48 kHz, and {@link
 * #bitsPerSample()} is 0.
 */
public final class AudioFormat {
  /** The containers this layer seeks. */
  public enum Container {
    /** RIFF WAVE holding integer PCM. */
    WAV,
    /** Ogg holding one Opus stream (RFC 7845). */
    OGG_OPUS
  }

  private final Container container;
  private final int sampleRateHz;
  private final int channels;
  private final int bitsPerSample;

  private AudioFormat(Container container, int sampleRateHz, int channels, int bitsPerSample) {
    this.container = container;
    this.sampleRateHz = sampleRateHz;
    this.channels = channels;
    this.bitsPerSample = bitsPerSample;
  }

  /** A WAV PCM format. */
  public static AudioFormat wav(int sampleRateHz, int channels, int bitsPerSample) {
    return new AudioFormat(Container.WAV, sampleRateHz, channels, bitsPerSample);
  }

  /** An Ogg Opus format; {@code inputSampleRateHz} may be 0 (unspecified). */
  public static AudioFormat oggOpus(int inputSampleRateHz, int channels) {
    return new AudioFormat(Container.OGG_OPUS, inputSampleRateHz, channels, 0);
  }

  public Container container() {
    return container;
  }

  public int sampleRateHz() {
    return sampleRateHz;
  }

  public int channels() {
    return channels;
  }

  /** Bits per PCM sample (8, 16, 24 or 32), or 0 for Opus. */
  public int bitsPerSample() {
    return bitsPerSample;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof AudioFormat)) {
      return false;
    }
    AudioFormat f = (AudioFormat) o;
    return container == f.container
        && sampleRateHz == f.sampleRateHz
        && channels == f.channels
        && bitsPerSample == f.bitsPerSample;
  }

  @Override
  public int hashCode() {
    return ((container.hashCode() * 31 + sampleRateHz) * 31 + channels) * 31 + bitsPerSample;
  }

  /** For example {@code "WAV PCM 16-bit 16000 Hz 1 ch"} or {@code "Ogg Opus 48000 Hz 2 ch"}. */
  @Override
  public String toString() {
    return container == Container.WAV
        ? "WAV PCM " + bitsPerSample + "-bit " + sampleRateHz + " Hz " + channels + " ch"
        : "Ogg Opus " + sampleRateHz + " Hz " + channels + " ch";
  }
}
