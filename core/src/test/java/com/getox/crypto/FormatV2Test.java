package com.getox.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.audit.AuditEvent;
import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.hpke.HpkeRecipient;
import com.getox.crypto.internal.Cobblestone;
import com.getox.crypto.kek.WrappedKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Format version 2 (issue 13): sharing one recording shares no other, even from one cached data
 * key; unstored context entries; version 1 still read.
 */
class FormatV2Test {
  private static final EncryptionContext CTX =
      EncryptionContext.builder().put("data-class", "Confidential").put("user-id", "u-7").build();

  static byte[] encrypt(Recordings r, EncryptionContext ctx, byte[] plain) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RecordingWriter w = r.newWriter(out, ctx)) {
      w.write(plain);
    }
    return out.toByteArray();
  }

  static byte[] decrypt(Recordings r, byte[] rec, ReadOptions o) throws Exception {
    try (RecordingInputStream in = r.newInputStream(new ByteArrayInputStream(rec), o)) {
      return Streams.readAll(in);
    }
  }

  static RecordingHeader header(byte[] rec) throws Exception {
    return RecordingHeader.read(new ByteArrayInputStream(rec), ReadOptions.defaults());
  }

  static byte[] prefix(byte[] rec) throws Exception {
    int h = header(rec).toByteArray().length;
    return Arrays.copyOfRange(rec, h, h + Cobblestone.PREFIX_BYTES);
  }

  static byte[] withHeader(byte[] rec, RecordingHeader next) throws Exception {
    int h = header(rec).toByteArray().length;
    byte[] nh = next.toByteArray();
    byte[] out = Arrays.copyOf(nh, nh.length + rec.length - h);
    System.arraycopy(rec, h, out, nh.length, rec.length - h);
    return out;
  }

  static byte[] plain(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** An owner whose recordings share one cached data key. */
  static Recordings.Builder cachingOwner() {
    return Recordings.builder()
        .wrapWith(Fixtures.KMS)
        .dekCache(DekCache.builder().maxRecordings(10).maxBytes(1 << 30).maxAgeMillis(3_600_000).build())
        .auditSink(AuditSink.none());
  }

  @Test
  void sharingOneRecordingFromACachedDataKeyOpensNoOther() throws Exception {
    Recordings owner = cachingOwner().build();
    byte[] pa = plain(40_000, 1);
    byte[] pb = plain(30_000, 2);
    byte[] a = encrypt(owner, CTX, pa);
    byte[] b = encrypt(owner, CTX, pb);
    // One cached data key: the owner's wrapped entries are identical.
    assertEquals(header(a).wrappedKeys(), header(b).wrappedKeys());
    assertEquals(2, header(a).formatVersion());

    HpkeRecipient x = HpkeRecipient.generate();
    RecordingHeader shared = owner.share(header(a), prefix(a), x, ReadOptions.defaults());
    WrappedKey given = shared.wrappedKeys().get(shared.wrappedKeys().size() - 1);
    assertEquals(WrappedKey.Scope.RECORDING_KEY, given.scope());
    byte[] sharedA = withHeader(a, shared);
    Recordings them = Recordings.builder().unwrapWith(x).auditSink(AuditSink.none()).build();
    assertArrayEquals(pa, decrypt(them, sharedA, ReadOptions.defaults()));

    // Everything the recipient holds, pasted into the other recording's header, in both scopes.
    List<WrappedKey> pasted = new ArrayList<>(header(b).wrappedKeys());
    pasted.add(given);
    pasted.add(given.withScope(WrappedKey.Scope.DATA_KEY));
    byte[] forged = withHeader(b, header(b).withWrappedKeys(pasted));
    assertThrows(OxCryptoException.class, () -> decrypt(them, forged, ReadOptions.defaults()));
    // Even with the recording key itself (what the recipient's KEK unwraps), B's body stays shut.
    byte[] rk = x.unwrap(given, header(a).wrapContext(CTX, WrappedKey.Scope.RECORDING_KEY));
    byte[] pre = prefix(b);
    assertThrows(
        AuthenticationException.class,
        () ->
            Cobblestone.open(
                rk,
                Arrays.copyOf(pre, Cobblestone.SALT_BYTES),
                header(b).authenticatedBytes(CTX),
                Arrays.copyOfRange(pre, Cobblestone.SALT_BYTES, pre.length),
                null));
    // The recording key is not the data key the owner's entries hold.
    byte[] dek = Fixtures.KMS.unwrap(header(a).wrappedKeys().get(0), CTX);
    assertFalse(Arrays.equals(dek, rk));
    // The owner still opens both; revoking the recipient takes their entry out of this copy.
    assertArrayEquals(pb, decrypt(owner, forged, ReadOptions.defaults()));
    byte[] revoked = withHeader(sharedA, owner.revoke(shared, x.uri()));
    assertThrows(NoUsableKeyException.class, () -> decrypt(them, revoked, ReadOptions.defaults()));
    assertArrayEquals(pa, decrypt(owner, revoked, ReadOptions.defaults()));
  }

  /**
   * The same scenario in version 1, which shared the data key: the recipient pastes their entry
   * into the other recording's header and opens it. This is what version 2 closes (and why the
   * test above can fail).
   */
  @Test
  void inVersion1AShareFromACachedDataKeyOpenedTheOtherRecordingToo() throws Exception {
    Recordings owner = cachingOwner().writeVersion1().build();
    byte[] pb = plain(30_000, 2);
    byte[] a = encrypt(owner, CTX, plain(40_000, 1));
    byte[] b = encrypt(owner, CTX, pb);
    HpkeRecipient x = HpkeRecipient.generate();
    RecordingHeader shared = owner.share(header(a), prefix(a), x, ReadOptions.defaults());
    List<WrappedKey> pasted = new ArrayList<>(header(b).wrappedKeys());
    pasted.add(shared.wrappedKeys().get(1));
    byte[] forged = withHeader(b, header(b).withWrappedKeys(pasted));
    Recordings them = Recordings.builder().unwrapWith(x).auditSink(AuditSink.none()).build();
    assertArrayEquals(pb, decrypt(them, forged, ReadOptions.defaults()));
  }

  @Test
  void aRecipientReSharesTheRecordingKeyAndARotationKeepsScopes() throws Exception {
    Recordings owner = Recordings.builder().wrapWith(Fixtures.KMS).auditSink(AuditSink.none()).build();
    byte[] p = plain(20_000, 3);
    byte[] a = encrypt(owner, CTX, p);
    HpkeRecipient x = HpkeRecipient.generate();
    HpkeRecipient y = HpkeRecipient.generate();
    RecordingHeader h1 = owner.share(header(a), prefix(a), x, ReadOptions.defaults());
    Recordings xr = Recordings.builder().unwrapWith(x).auditSink(AuditSink.none()).build();
    RecordingHeader h2 = xr.share(h1, prefix(a), y, ReadOptions.defaults());
    Recordings yr = Recordings.builder().unwrapWith(y).auditSink(AuditSink.none()).build();
    assertArrayEquals(p, decrypt(yr, withHeader(a, h2), ReadOptions.defaults()));
    for (WrappedKey w : h2.wrappedKeys()) {
      assertEquals(
          w.kekUri().equals(Fixtures.KMS.uri())
              ? WrappedKey.Scope.DATA_KEY
              : WrappedKey.Scope.RECORDING_KEY,
          w.scope());
    }
  }

  @Test
  void unstoredContextIsBoundButNeverWrittenLoggedOrPrinted() throws Exception {
    String secret = "u-7-secret-value";
    EncryptionContext ctx =
        EncryptionContext.builder().put("data-class", "Restricted").putUnstored("user-id", secret).build();
    assertFalse(ctx.toString().contains(secret), ctx.toString());
    List<AuditEvent> events = Collections.synchronizedList(new ArrayList<>());
    Recordings r =
        Recordings.builder().wrapWith(Fixtures.KMS).auditSink(events::add).build();
    byte[] p = plain(17_000, 4);
    byte[] rec = encrypt(r, ctx, p);
    assertFalse(
        new String(rec, StandardCharsets.ISO_8859_1).contains(secret), "the value is in the file");
    RecordingHeader h = header(rec);
    assertEquals(Collections.singleton("user-id"), h.unstoredKeys());
    assertEquals(null, h.context().get("user-id"));
    assertFalse(h.toString().contains(secret));

    // Missing: a typed error naming the entry, before any KMS call.
    events.clear();
    ContextMismatchException missing =
        assertThrows(ContextMismatchException.class, () -> decrypt(r, rec, ReadOptions.defaults()));
    assertTrue(missing.getMessage().contains("user-id"), missing.getMessage());
    assertTrue(events.isEmpty(), "no key operation before the context is complete: " + events);
    // Wrong: a typed error that shows neither value.
    String wrong = "u-8-wrong-value";
    ContextMismatchException bad =
        assertThrows(
            ContextMismatchException.class,
            () -> decrypt(r, rec, ReadOptions.builder().expect("user-id", wrong).build()));
    assertFalse(bad.getMessage().contains(wrong) || bad.getMessage().contains(secret), bad.getMessage());
    // Right: opens.
    ReadOptions right = ReadOptions.builder().expect("user-id", secret).build();
    assertArrayEquals(p, decrypt(r, rec, right));
    // Sharing needs it too, and the recipient must give it.
    HpkeRecipient x = HpkeRecipient.generate();
    assertThrows(
        ContextMismatchException.class, () -> r.share(h, prefix(rec), x, ReadOptions.defaults()));
    byte[] shared = withHeader(rec, r.share(h, prefix(rec), x, right));
    Recordings them = Recordings.builder().unwrapWith(x).auditSink(AuditSink.none()).build();
    assertArrayEquals(p, decrypt(them, shared, right));
    assertThrows(
        ContextMismatchException.class,
        () -> decrypt(them, shared, ReadOptions.builder().expect("user-id", wrong).build()));
    // Nothing the audit trail got involves the value: its digest is the stored context's.
    for (AuditEvent e : events) {
      String d = e.contextDigest();
      if (d != null) {
        assertEquals(AuditEvent.digest(ctx.stored()), d, e.toString());
      }
      assertFalse(e.toString().contains(secret));
    }
  }

  @Test
  void theAuditDigestIsKeyedSoAShortValueCannotBeGuessedBackFromIt() throws Exception {
    EncryptionContext ctx = EncryptionContext.builder().put("user-id", "u-7").build();
    byte[] canonical = ctx.canonicalBytes();
    byte[] sha = java.security.MessageDigest.getInstance("SHA-256").digest(canonical);
    String unkeyed = com.google.crypto.tink.subtle.Hex.encode(Arrays.copyOf(sha, 16));
    assertNotEquals(unkeyed, AuditEvent.digest(ctx), "an unkeyed hash: guessable");
    byte[] key = new byte[32];
    key[0] = 1;
    AuditEvent.useDeploymentKey(key);
    String one = AuditEvent.digest(ctx);
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
    assertEquals(com.google.crypto.tink.subtle.Hex.encode(Arrays.copyOf(mac.doFinal(canonical), 16)), one);
    assertEquals(one, AuditEvent.digest(EncryptionContext.builder().put("user-id", "u-7").build()));
    assertThrows(IllegalArgumentException.class, () -> AuditEvent.useDeploymentKey(new byte[16]));
  }

  @Test
  void aKmsOutageIsNotReportedAsAWrongUnstoredValue() throws Exception {
    EncryptionContext ctx = EncryptionContext.builder().putUnstored("user-id", "u-7").build();
    byte[] rec = encrypt(Fixtures.RECORDINGS, ctx, new byte[100]);
    com.getox.crypto.kek.Kek throttled =
        new com.getox.crypto.kek.Kek() {
          @Override
          public String uri() {
            return Fixtures.KMS.uri();
          }

          @Override
          public WrappedKey wrap(byte[] dek, EncryptionContext c) {
            throw new UnsupportedOperationException();
          }

          @Override
          public byte[] unwrap(WrappedKey w, EncryptionContext c) throws KmsException {
            throw new KmsException("throttled", true);
          }
        };
    Recordings r = Recordings.builder().unwrapWith(throttled).auditSink(AuditSink.none()).build();
    NoUsableKeyException e =
        assertThrows(
            NoUsableKeyException.class,
            () -> decrypt(r, rec, ReadOptions.builder().expect("user-id", "u-7").build()));
    assertTrue(e.getCause() instanceof KmsException || !e.getMessage().isEmpty());
  }

  @Test
  void aVersion2HeaderThatStoresTheLibrarysOwnKeysIsRefused() throws Exception {
    java.util.TreeSet<String> none = new java.util.TreeSet<>();
    java.util.TreeSet<String> reservedName = new java.util.TreeSet<>();
    reservedName.add(RecordingHeader.RECORDING_ID_KEY);
    List<WrappedKey> one = Collections.singletonList(WrappedKey.create("x", "", "a", new byte[1]));
    RecordingHeader stored =
        new RecordingHeader(2, 1, new byte[16],
            EncryptionContext.builder().put(RecordingHeader.RECORDING_ID_KEY, "00").build(), none, one);
    RecordingHeader unstored =
        new RecordingHeader(2, 1, new byte[16], EncryptionContext.empty(), reservedName, one);
    for (RecordingHeader h : Arrays.asList(stored, unstored)) {
      byte[] b = h.toByteArray();
      assertThrows(FormatException.class, () -> RecordingHeader.parse(b, ReadOptions.defaults()));
    }
    // Version 1 writers reserved nothing: such a v1 header still reads.
    RecordingHeader v1 =
        new RecordingHeader(1, 1, new byte[16],
            EncryptionContext.builder().put(RecordingHeader.RECORDING_ID_KEY, "00").build(), none, one);
    assertEquals(v1, RecordingHeader.parse(v1.toByteArray(), ReadOptions.defaults()));
  }

  @Test
  void theLibrarysOwnContextKeysAreReserved() {
    EncryptionContext ctx =
        EncryptionContext.builder().put(RecordingHeader.RECORDING_ID_KEY, "x").build();
    assertThrows(
        IllegalArgumentException.class,
        () -> encrypt(Fixtures.RECORDINGS, ctx, new byte[1]));
  }

  @Test
  void version1IsStillReadAndEditedAsVersion1() throws Exception {
    Recordings v1 =
        Recordings.builder().wrapWith(Fixtures.KMS).auditSink(AuditSink.none()).writeVersion1().build();
    byte[] p = plain(33_000, 5);
    byte[] rec = encrypt(v1, CTX, p);
    assertEquals(1, rec[4]);
    assertEquals(1, header(rec).formatVersion());
    assertArrayEquals(p, decrypt(Fixtures.RECORDINGS, rec, ReadOptions.defaults()));
    // A version 1 share can only hand over the data key (FORMAT.md): it stays version 1.
    HpkeRecipient x = HpkeRecipient.generate();
    RecordingHeader shared = Fixtures.RECORDINGS.share(header(rec), prefix(rec), x, ReadOptions.defaults());
    assertEquals(1, shared.formatVersion());
    assertEquals(WrappedKey.Scope.DATA_KEY, shared.wrappedKeys().get(1).scope());
    Recordings them = Recordings.builder().unwrapWith(x).auditSink(AuditSink.none()).build();
    assertArrayEquals(p, decrypt(them, withHeader(rec, shared), ReadOptions.defaults()));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            encrypt(
                v1, EncryptionContext.builder().putUnstored("user-id", "u").build(), new byte[1]));
  }

  @Test
  void theSmallestHeadersAreFortyAndFortyThreeBytes() throws Exception {
    for (int version = 1; version <= 2; version++) {
      RecordingHeader h =
          new RecordingHeader(
              version,
              RecordingHeader.SUITE_COBBLESTONE_256,
              new byte[16],
              EncryptionContext.empty(),
              new java.util.TreeSet<String>(),
              Collections.singletonList(WrappedKey.create("x", "", "a", new byte[1])));
      byte[] b = h.toByteArray();
      assertEquals(RecordingHeader.minimumLength(version), b.length);
      assertEquals(h, RecordingHeader.parse(b, ReadOptions.defaults()));
      byte[] shorter = Arrays.copyOf(b, b.length - 1);
      java.nio.ByteBuffer.wrap(shorter, 5, 4).putInt(shorter.length);
      assertThrows(FormatException.class, () -> RecordingHeader.parse(shorter, ReadOptions.defaults()));
    }
    assertEquals(40, RecordingHeader.minimumLength(1));
    assertEquals(43, RecordingHeader.minimumLength(2));
  }

  @Test
  void anUnknownScopeOrVersionIsRefused() throws Exception {
    byte[] rec = encrypt(Fixtures.RECORDINGS, CTX, new byte[10]);
    byte[] h = header(rec).toByteArray();
    int scopeAt = RecordingFeaturesTest.countOffset(h) + 2;
    assertEquals(1, h[scopeAt]);
    byte[] bad = h.clone();
    bad[scopeAt] = 3;
    assertThrows(FormatException.class, () -> RecordingHeader.parse(bad, ReadOptions.defaults()));
    byte[] v3 = h.clone();
    v3[4] = 3;
    assertThrows(UnsupportedFormatException.class, () -> RecordingHeader.parse(v3, ReadOptions.defaults()));
    assertNotEquals(0, h.length);
  }
}
