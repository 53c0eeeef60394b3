package com.getox.crypto.lifecycle;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.DekCache;
import com.getox.crypto.EncryptionContext;
import com.getox.crypto.OxCryptoException;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingFiles;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.audit.AuditEvent;
import com.getox.crypto.hpke.HpkeRecipient;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Runs every key operation with the default SLF4J audit sink (slf4j-simple writes to
 * target/ox-test.log, see simplelogger.properties), then scans every line logged so far in this
 * JVM for the data keys, KEK key bytes and plaintext it used: raw, hex and Base64.
 */
class AuditLogScanTest {
  @TempDir File dir;

  @Test
  void noKeyOrPlaintextReachesTheLog() throws Exception {
    List<byte[]> secrets = new ArrayList<>();
    File keyset = new File(dir, "scan.json");
    LocalKms local = LocalKms.create(keyset, KeysetProtection.insecurePlaintext(), "scan");
    CountingKek kek = new CountingKek(local);
    HpkeRecipient bob = HpkeRecipient.generate();
    EncryptionContext ctx =
        EncryptionContext.builder().put("user-id", "alice@example.com").put("data-class", "Restricted").build();
    DekCache cache = DekCache.builder().maxAgeMillis(60_000).maxRecordings(10).maxBytes(1 << 24).build();
    Recordings recordings = Recordings.builder().wrapWith(kek).dekCache(cache).build();

    byte[] plain = new byte[40_000];
    new Random(42).nextBytes(plain);
    secrets.add(plain);
    File a = new File(dir, "a.oxr");
    File b = new File(dir, "b.oxr");
    for (File f : new File[] {a, b}) { // a cache miss, then a hit
      try (RecordingWriter w = recordings.newWriter(new FileOutputStream(f), ctx)) {
        w.write(plain);
      }
    }
    try (InputStream in = recordings.newInputStream(new FileInputStream(a), ReadOptions.defaults())) {
      while (in.read() >= 0) {}
    }
    long old = local.primary().id();
    local.rotate();
    RecordingFiles.rewrap(recordings, a, ReadOptions.defaults());
    RecordingFiles.share(recordings, a, bob, ReadOptions.defaults());
    RecordingFiles.revoke(recordings, a, bob.uri(), ReadOptions.defaults());
    local.disable(old);
    OxCryptoException failure =
        assertThrows(OxCryptoException.class, () -> recordings.newInputStream(new FileInputStream(b), ReadOptions.defaults()));
    LoggerFactory.getLogger(AuditLogScanTest.class).warn("expected failure: {}", failure.toString());
    local.enable(old);
    local.destroy(old);

    secrets.addAll(kek.seenKeys);
    secrets.addAll(tinkKeyBytes(new String(Files.readAllBytes(keyset.toPath()), StandardCharsets.UTF_8)));
    secrets.addAll(tinkKeyBytes(bob.insecurePrivateKeysetJson()));
    assertTrue(secrets.size() >= 5, "scan has secrets to look for: " + secrets.size());

    String log =
        new String(Files.readAllBytes(new File("target/ox-test.log").toPath()), StandardCharsets.ISO_8859_1);
    for (AuditEvent.Operation op : AuditEvent.Operation.values()) {
      assertTrue(log.contains("\"op\":\"" + op + "\""), "the log holds a " + op + " event");
    }
    assertTrue(log.contains("contextHmac"));
    assertFalse(log.contains("alice@example.com"), "context values stay out of the log");
    for (byte[] s : secrets) {
      for (String encoding : encodings(s)) {
        assertFalse(log.contains(encoding), "a secret appears in the log");
      }
    }
  }

  /** Raw, hex (both cases) and Base64 (standard and URL-safe, padded or not) of 24-byte windows. */
  static List<String> encodings(byte[] secret) {
    List<String> out = new ArrayList<>();
    int window = Math.min(24, secret.length);
    for (int off = 0; off + window <= secret.length && off < 4096; off += window) {
      byte[] w = java.util.Arrays.copyOfRange(secret, off, off + window);
      String hex = com.google.crypto.tink.subtle.Hex.encode(w);
      out.add(hex);
      out.add(hex.toUpperCase(Locale.ROOT));
      out.add(new String(w, StandardCharsets.ISO_8859_1));
      String b64 = Base64.getEncoder().withoutPadding().encodeToString(w);
      out.add(b64.substring(0, b64.length() - 2)); // the last chars depend on what follows
      String b64url = Base64.getUrlEncoder().withoutPadding().encodeToString(w);
      out.add(b64url.substring(0, b64url.length() - 2));
    }
    return out;
  }

  /** The key bytes inside each Tink keyset entry's serialized key ("value", Base64 protobuf). */
  static List<byte[]> tinkKeyBytes(String keysetJson) {
    List<byte[]> out = new ArrayList<>();
    Matcher m = Pattern.compile("\"value\"\\s*:\\s*\"([A-Za-z0-9+/=]+)\"").matcher(keysetJson);
    while (m.find()) {
      byte[] proto = Base64.getDecoder().decode(m.group(1));
      out.add(proto);
      if (proto.length >= 32) {
        out.add(java.util.Arrays.copyOfRange(proto, proto.length - 32, proto.length));
      }
    }
    return out;
  }

}
