/**
 * Live audio: each codec frame sealed on its own with SFrame (RFC 9605), under per-epoch keys
 * delivered as {@link com.getox.crypto.KeyPackage}s. See docs/SFRAME.md.
 *
 * <pre>{@code
 * SFrameSender tx = SFrameSender.builder(membersRecordings, "ptt-9", CounterStore.file(f))
 *     .onKeyPackage(control::broadcast).build();
 * SFrameReceiver rx = SFrameReceiver.builder(myRecordings, "ptt-9").build();
 * rx.addKeyPackage(packageBytes);
 * byte[] audio = rx.decrypt(tx.encrypt(frame, rtpHeader), rtpHeader).plaintext();
 * }</pre>
 */
package com.getox.crypto.sframe;
