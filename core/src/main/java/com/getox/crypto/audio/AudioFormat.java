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

  /**
   * A WAV PCM format.
   *
   * @param sampleRateHz sample frames per second
   * @param channels channels per frame
   * @param bitsPerSample 8, 16, 24 or 32
   * @return the format
   */
  public static AudioFormat wav(int sampleRateHz, int channels, int bitsPerSample) {
    return new AudioFormat(Container.WAV, sampleRateHz, channels, bitsPerSample);
  }

  /**
   * An Ogg Opus format.
   *
   * @param inputSampleRateHz the encoder's input rate from the ID header, or 0 if unspecified
   * @param channels output channels
   * @return the format
   */
  public static AudioFormat oggOpus(int inputSampleRateHz, int channels) {
    return new AudioFormat(Container.OGG_OPUS, inputSampleRateHz, channels, 0);
  }

  /**
   * The container.
   *
   * @return WAV or Ogg Opus
   */
  public Container container() {
    return container;
  }

  /**
   * The sample rate: WAV's, or Opus's informational input rate (Opus decodes at 48 kHz).
   *
   * @return samples per second per channel, 0 if an Opus encoder did not record it
   */
  public int sampleRateHz() {
    return sampleRateHz;
  }

  /**
   * The channel count.
   *
   * @return channels, at least 1
   */
  public int channels() {
    return channels;
  }

  /**
   * Bits per PCM sample.
   *
   * @return 8, 16, 24 or 32 for WAV, 0 for Opus
   */
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

  /**
   * A short description for people.
   *
   * @return for example {@code "WAV PCM 16-bit 16000 Hz 1 ch"} or {@code "Ogg Opus 2 ch (input
   *     44100 Hz)"}: Opus always decodes at 48 kHz, the input rate is what the encoder was given
   */
  @Override
  public String toString() {
    return container == Container.WAV
        ? "WAV PCM " + bitsPerSample + "-bit " + sampleRateHz + " Hz " + channels + " ch"
        : "Ogg Opus " + channels + " ch" + (sampleRateHz == 0 ? "" : " (input " + sampleRateHz + " Hz)");
  }
}
