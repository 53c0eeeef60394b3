package com.getox.crypto.sframe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.AuthenticationException;
import com.getox.crypto.audit.AuditSink;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Cipher;
import org.junit.jupiter.api.Test;

/**
 * Regression for a fuzzer finding (SFrameFuzzTest#receiverDecrypt, input kept as
 * {@code SFrameFuzzTestInputs/receiverDecrypt/truncated-tag-ending-in-zero}): {@link SFrameKey#open}
 * zero-pads a frame too short to hold a tag so that it does the same work, and the padded copy
 * was then compared with the re-sealed tag. A frame of an empty plaintext whose tag ends in zero
 * bytes, cut by those bytes, was padded back to the genuine frame and authenticated.
 */
class SFrameKeyTest {

  @Test
  void aFrameCutInsideItsTagNeverAuthenticatesEvenWhenThePaddingRestoresIt() throws Exception {
    byte[] key = new byte[32];
    byte[] salt = new byte[12];
    Arrays.fill(key, (byte) 0x5a);
    SFrameKey k = new SFrameKey(SFrameSuite.AES_256_GCM_SHA512_128, 3, key, salt);
    SFrameKey.Ciphers ciphers = new SFrameKey.Ciphers();
    Cipher gcm = SFrameKey.newCipher();
    byte[] metadata = {7};
    int found = 0;
    for (long ctr = 0; ctr < 4000 && found < 3; ctr++) {
      byte[] frame = k.seal(gcm, ctr, metadata, new byte[0], 0, 0);
      int header = SFrameHeader.of(3, ctr).encodedLength();
      assertNotNull(k.open(ciphers, ctr, frame, header, metadata), "the genuine frame opens");
      if (frame[frame.length - 1] != 0) {
        continue;
      }
      found++;
      // The tag ends in a zero byte: without it, zero-padding would restore the genuine tag.
      byte[] cut = Arrays.copyOf(frame, frame.length - 1);
      assertNull(k.open(ciphers, ctr, cut, header, metadata), "ctr " + ctr + ": a cut frame authenticated");
    }
    assertTrue(found >= 3, "no tag ending in zero among 4000 counters");
  }

  @Test
  void theReceiverRefusesACutFrameWhoseTagEndsInZero() throws Exception {
    List<byte[]> packages = new ArrayList<>();
    SFrameSender sender = SFrameSender.builder(Members.wrappingFor("cut"), "cut", new SFrameFuzzTest.MemoryStore())
        .auditSink(AuditSink.none()).onKeyPackage(packages::add).build();
    SFrameReceiver receiver = SFrameReceiver.builder(Members.of("cut"), "cut").auditSink(AuditSink.none()).build();
    receiver.addKeyPackage(packages.get(0));
    for (int i = 0; i < 4000; i++) {
      byte[] frame = sender.encrypt(new byte[0], new byte[0]);
      if (frame[frame.length - 1] == 0) {
        byte[] cut = Arrays.copyOf(frame, frame.length - 1);
        assertThrows(AuthenticationException.class, () -> receiver.decrypt(cut, new byte[0]));
        assertArrayEquals(new byte[0], receiver.decrypt(frame, new byte[0]).plaintext(), "the genuine frame still opens");
        return;
      }
    }
    throw new AssertionError("no tag ending in zero among 4000 frames");
  }
}
