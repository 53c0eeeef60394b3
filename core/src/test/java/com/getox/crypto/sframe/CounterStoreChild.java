package com.getox.crypto.sframe;

import com.getox.crypto.Recordings;
import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import com.google.crypto.tink.subtle.Hex;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A child JVM for {@link CounterStoreProcessTest}: {@code KEYSET COUNTERS} opens the counter store,
 * sends 6 frames of session "p" (reserving counters in blocks of 4), prints "package HEX" and
 * "ctr N" for each frame, then "holding", and keeps the store open until it is killed. If the
 * store is in use it prints "refused" and exits.
 */
public final class CounterStoreChild {
  public static void main(String[] args) throws Exception {
    LocalKms kms = LocalKms.open(new File(args[0]), KeysetProtection.insecurePlaintext()).auditTo(AuditSink.none());
    CounterStore store;
    try {
      store = CounterStore.file(new File(args[1]));
    } catch (CounterStoreInUseException e) {
      System.out.println("refused");
      return;
    }
    Recordings members = Recordings.builder().wrapWith(kms).auditSink(AuditSink.none()).build();
    SFrameSender sender =
        SFrameSender.builder(members, "p", store).counterReservation(4).auditSink(AuditSink.none()).build();
    System.out.println("package " + Hex.encode(sender.currentKeyPackage()));
    for (int i = 0; i < 6; i++) {
      System.out.println("ctr " + SFrameHeader.parse(sender.encrypt(new byte[] {(byte) i}, new byte[0])).ctr());
    }
    System.out.println("holding");
    System.out.flush();
    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    Runtime.getRuntime().halt(3); // never closes the store: only the kill releases it
  }
}
