package com.getox.crypto.sframe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.getox.crypto.AuthenticationException;
import com.getox.crypto.FormatException;
import com.getox.crypto.audit.AuditSink;
import java.security.Security;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link SFrameKey#open} says a rejected frame costs the same work as a good one (RFC 9605 asks
 * that failures take the same time). This counts it instead of timing it: a JCA provider that
 * logs every cipher call is installed while the receiver builds its ciphers, then removed, and
 * each path's calls are compared (operation and input length): a good frame, a bad tag, a
 * frame too short to hold a tag, an unknown epoch, and a malformed header.
 */
class SFrameKeyWorkTest {

  @Test
  void everyRejectionPathMakesTheSameCipherCallsAsAGoodFrame() throws Exception {
    List<byte[]> packages = new ArrayList<>();
    SFrameSender sender = SFrameSender.builder(Members.wrappingFor("work"), "work", new SFrameFuzzTest.MemoryStore())
        .auditSink(AuditSink.none()).onKeyPackage(packages::add).build();
    CountingProvider counting = new CountingProvider();
    SFrameReceiver receiver;
    Security.insertProviderAt(counting, 1);
    try {
      receiver = SFrameReceiver.builder(Members.of("work"), "work").auditSink(AuditSink.none()).build();
    } finally {
      Security.removeProvider(counting.getName());
    }
    receiver.addKeyPackage(packages.get(0));
    byte[] metadata = {1, 2, 3};
    byte[] plaintext = new byte[40];
    Arrays.fill(plaintext, (byte) 7);
    counting.take();

    byte[] good = sender.encrypt(plaintext, metadata);
    assertArrayEquals(plaintext, receiver.decrypt(good, metadata).plaintext());
    List<String> goodCalls = counting.take();

    byte[] badTag = sender.encrypt(plaintext, metadata);
    badTag[badTag.length - 1] ^= 1;
    assertThrows(AuthenticationException.class, () -> receiver.decrypt(badTag, metadata));
    List<String> badTagCalls = counting.take();

    byte[] unknownEpoch = sender.encrypt(plaintext, metadata);
    SFrameHeader h = SFrameHeader.parse(unknownEpoch);
    byte[] otherHeader = SFrameHeader.of(h.kid() + 1000, h.ctr()).toByteArray();
    byte[] forged = new byte[otherHeader.length + unknownEpoch.length - h.encodedLength()];
    System.arraycopy(otherHeader, 0, forged, 0, otherHeader.length);
    System.arraycopy(unknownEpoch, h.encodedLength(), forged, otherHeader.length, forged.length - otherHeader.length);
    assertThrows(UnknownEpochException.class, () -> receiver.decrypt(forged, metadata));
    List<String> unknownCalls = counting.take();

    byte[] frame = sender.encrypt(plaintext, metadata);
    byte[] shortFrame = Arrays.copyOf(frame, SFrameHeader.parse(frame).encodedLength() + 5);
    assertThrows(AuthenticationException.class, () -> receiver.decrypt(shortFrame, metadata));
    List<String> shortCalls = counting.take();

    byte[] malformed = {(byte) 0x8f}; // KID of 1 byte and CTR of 8 bytes, but nothing follows
    assertThrows(FormatException.class, () -> receiver.decrypt(malformed, metadata));
    List<String> malformedCalls = counting.take();

    // CTR over the candidate ciphertext, GCM re-seal with header and metadata, throwaway re-init.
    assertEquals(Arrays.asList("CTR init", "CTR doFinal 40", "GCM init", "GCM updateAAD " + h.encodedLength(),
        "GCM updateAAD 3", "GCM doFinal 40", "GCM init"), goodCalls);
    assertEquals(goodCalls, badTagCalls, "bad tag");
    assertEquals(sameWithLengths(goodCalls, h.encodedLength(), otherHeader.length), unknownCalls, "unknown epoch");
    // A frame too short for a tag is processed as a zero-padded copy: the same calls, 0 bytes of text.
    assertEquals(sameWithLengths(withText(goodCalls, 0), h.encodedLength(), h.encodedLength()), shortCalls, "short");
    // A malformed header leaves a header length of 0: javax.crypto.Cipher drops the empty AAD
    // update before it reaches the provider; every other call is there.
    List<String> malformedExpected = withText(goodCalls, 0);
    malformedExpected.remove("GCM updateAAD " + h.encodedLength());
    assertEquals(malformedExpected, malformedCalls, "malformed header");
  }

  private static List<String> sameWithLengths(List<String> calls, int header, int newHeader) {
    List<String> out = new ArrayList<>();
    for (String c : calls) {
      out.add(c.equals("GCM updateAAD " + header) ? "GCM updateAAD " + newHeader : c);
    }
    return out;
  }

  private static List<String> withText(List<String> calls, int len) {
    List<String> out = new ArrayList<>();
    for (String c : calls) {
      out.add(c.endsWith("doFinal 40") ? c.substring(0, c.length() - 2) + len : c);
    }
    return out;
  }
}
