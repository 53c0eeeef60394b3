/**
 * Seek by time in encrypted audio recordings: "play from 1:23" in WAV (integer PCM) and Ogg Opus
 * (RFC 7845), over the authenticated random access of {@link com.getox.crypto.SeekableRecording}.
 *
 * <pre>{@code
 * try (SeekableRecording rec = recordings.openSeekable(FileChannel.open(path), opts)) {
 *   AudioRecording audio = AudioRecording.open(rec);
 *   try (InputStream clip = audio.openClip(83_000_000L, 113_000_000L)) { // 1:23 to 1:53
 *     player.play(clip);                                                // a valid WAV or Ogg Opus stream
 *   }
 * }
 * }</pre>
 *
 * <p>A seek reads only the chunks it needs: WAV at most 2 besides the header; Ogg Opus bisects on
 * granule positions, O(log n) chunks. Nothing from a chunk that did not authenticate is released.
 * Errors are {@link com.getox.crypto.audio.AudioException}s: {@link
 * com.getox.crypto.audio.UnsupportedAudioException} (not audio, or a format refused by name),
 * {@link com.getox.crypto.audio.CorruptAudioException} and {@link
 * com.getox.crypto.audio.TimeOutOfRangeException}.
 */
package com.getox.crypto.audio;
