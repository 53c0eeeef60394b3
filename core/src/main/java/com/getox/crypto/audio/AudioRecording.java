package com.getox.crypto.audio;

import com.getox.crypto.SeekableRecording;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;

/**
 * Seek by time in an encrypted audio recording: "play from 1:23". Works over the authenticated
 * random access of a {@link SeekableRecording}, so it never releases plaintext whose chunk did not
 * authenticate, and reads only the chunks a seek needs.
 *
 * <pre>{@code
 * try (SeekableRecording rec = recordings.openSeekable(FileChannel.open(path), opts)) {
 *   AudioRecording audio = AudioRecording.open(rec);
 *   long micros = audio.durationMicros();                        // and audio.format()
 *   try (InputStream clip = audio.openClip(83_000_000L, 113_000_000L)) {  // 1:23 to 1:53
 *     player.play(clip);                                         // a valid WAV or Ogg Opus stream
 *   }
 * }
 * }</pre>
 *
 * <p>Supported: WAV with integer PCM (8, 16, 24, 32-bit, any channels, rates up to 1 MHz,
 * including files whose header declares a wrong or zero data size, as streaming recorders write),
 * and Ogg Opus (RFC 7845). Anything else raises {@link UnsupportedAudioException} naming what
 * was detected.
 *
 * <p>Does not own the {@link SeekableRecording}: close that. Not thread-safe beyond what {@code
 * SeekableRecording} gives (reads are serialised there).
 */
public final class AudioRecording {
  private final SeekableRecording recording;
  private final Track track;
  private final long chunksAtOpen;

  private AudioRecording(SeekableRecording recording, Track track, long chunksAtOpen) {
    this.recording = recording;
    this.track = track;
    this.chunksAtOpen = chunksAtOpen;
  }

  /**
   * Detects the container and indexes it (reading the header, the final chunk for the
   * authenticated size and, for Ogg, the last page).
   *
   * @param recording an open recording; this view reads it and does not close it
   * @return the audio view, with format and duration known
   * @throws IOException if reading the recording fails
   * @throws GeneralSecurityException if a chunk does not authenticate (the typed {@link
   *     com.getox.crypto.OxCryptoException} subclasses), or for the audio errors below
   * @throws UnsupportedAudioException if the plaintext is not WAV PCM or Ogg Opus (the message
   *     names what was detected, e.g. MP3, FLAC, M4A, WAV with IEEE float; "empty" for no bytes)
   * @throws CorruptAudioException if it is, but malformed
   */
  public static AudioRecording open(SeekableRecording recording)
      throws IOException, GeneralSecurityException {
    long before = recording.chunksDecrypted();
    Track track = Sniffer.open(recording);
    return new AudioRecording(recording, track, before);
  }

  /**
   * The container and codec parameters.
   *
   * @return the format found at {@link #open}
   */
  public AudioFormat format() {
    return track.format();
  }

  /**
   * The playable duration: WAV, whole frames over the sample rate; Ogg Opus, the last complete
   * page's granule position less the pre-skip, over 48 kHz.
   *
   * @return the duration in microseconds, rounded down
   */
  public long durationMicros() {
    return track.durationMicros();
  }

  /**
   * A playable stream from {@code fromMicros} to the end; see {@link #openClip(long, long)}.
   *
   * @param fromMicros where the clip starts, in microseconds from the start of the recording
   * @return the clip, which the caller closes
   * @throws IOException if reading the recording fails
   * @throws GeneralSecurityException if a chunk does not authenticate or the audio is corrupt
   * @throws TimeOutOfRangeException if {@code fromMicros} is negative or at or past the end
   */
  public InputStream openClip(long fromMicros) throws IOException, GeneralSecurityException {
    return openClip(fromMicros, track.durationMicros());
  }

  /**
   * A valid, playable stream of the same container that starts at {@code fromMicros} and ends at
   * {@code toMicros} (clamped to the duration). Errors met while streaming are thrown as {@link
   * IOException} whose cause is the typed {@link GeneralSecurityException}.
   *
   * <p>WAV: both ends map to frame {@code floor(micros * rate / 1_000_000)}, so clips {@code [a,
   * b)} and {@code [b, c)} join without gap or overlap; {@code toMicros} at or past the duration
   * takes every frame to the end. A clip that would hold no sample (both ends in one WAV frame, or
   * in one 48 kHz Opus sample) is refused. The WAV stream reads lazily (opening it decrypts nothing, nor does {@code skip}); closing
   * it leaves the recording open.
   *
   * @param fromMicros where the clip starts, in microseconds from the start of the recording
   * @param toMicros where it ends (exclusive), in microseconds; later than the duration means the end
   * @return the clip, which the caller closes (closing it leaves the recording open)
   * @throws IOException if reading the recording fails
   * @throws GeneralSecurityException if a chunk does not authenticate or the audio is corrupt
   * @throws TimeOutOfRangeException if {@code fromMicros} is negative or at or past the end, or
   *     {@code toMicros <= fromMicros}, or the clip would hold no sample
   */
  public InputStream openClip(long fromMicros, long toMicros)
      throws IOException, GeneralSecurityException {
    long duration = track.durationMicros();
    if (fromMicros < 0) {
      throw new TimeOutOfRangeException("from " + Times.format(fromMicros) + " is negative");
    }
    if (fromMicros >= duration) {
      throw new TimeOutOfRangeException(
          "from " + Times.format(fromMicros) + " is at or past the end (" + Times.format(duration) + ")");
    }
    if (toMicros <= fromMicros) {
      throw new TimeOutOfRangeException(
          "to " + Times.format(toMicros) + " is not after from " + Times.format(fromMicros));
    }
    return track.openClip(fromMicros, Math.min(toMicros, duration));
  }

  /**
   * Chunks the underlying recording decrypted since {@link #open}, for measuring seeks.
   *
   * @return the count of 16 KiB chunks decrypted, including those re-read after a cache miss
   */
  public long chunksTouched() {
    return recording.chunksDecrypted() - chunksAtOpen;
  }
}
