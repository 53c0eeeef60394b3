package com.getox.crypto.audio;

/** Opus packet durations from the TOC byte (RFC 6716 §3.1), in 48 kHz samples. */
final class OpusPackets {
  /** RFC 6716 §3.2.5: a packet holds at most 120 ms. */
  static final int MAX_SAMPLES = 5760;

  private static final int[] SILK_FRAME = {480, 960, 1920, 2880};

  private OpusPackets() {}

  /** Samples per frame for a TOC byte's configuration number (its top 5 bits). */
  static int frameSamples(int toc) {
    int config = (toc & 0xFF) >>> 3;
    if (config < 12) { // SILK-only: 10, 20, 40, 60 ms
      return SILK_FRAME[config & 3];
    }
    if (config < 16) { // Hybrid: 10, 20 ms
      return (config & 1) == 0 ? 480 : 960;
    }
    return 120 << (config & 3); // CELT-only: 2.5, 5, 10, 20 ms
  }

  /**
   * The packet's duration in 48 kHz samples. In a multistream packet (channel mapping 1 or 255)
   * the first stream's TOC leads and every stream has the same duration.
   *
   * @throws CorruptAudioException if the packet is empty, its code 3 frame count byte is missing
   *     or zero, or it lasts more than 120 ms
   */
  static int samples(byte[] b, int off, int len) throws CorruptAudioException {
    if (len < 1) {
      throw new CorruptAudioException("empty Opus packet");
    }
    int toc = b[off] & 0xFF;
    int frames;
    switch (toc & 3) {
      case 0:
        frames = 1;
        break;
      case 1:
      case 2:
        frames = 2;
        break;
      default:
        if (len < 2) {
          throw new CorruptAudioException("Opus packet with code 3 lacks its frame count byte");
        }
        frames = b[off + 1] & 0x3F;
        if (frames == 0) {
          throw new CorruptAudioException("Opus packet with code 3 declares 0 frames");
        }
    }
    int samples = frames * frameSamples(toc);
    if (samples > MAX_SAMPLES) {
      throw new CorruptAudioException("Opus packet lasts " + samples / 48 + " ms, over 120 ms");
    }
    return samples;
  }
}
