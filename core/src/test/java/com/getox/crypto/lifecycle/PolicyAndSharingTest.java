package com.getox.crypto.lifecycle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.getox.crypto.ClassificationPolicy;
import com.getox.crypto.DekCache;
import com.getox.crypto.EncryptionContext;
import com.getox.crypto.NoUsableKeyException;
import com.getox.crypto.PolicyViolationException;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingFiles;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.TestKeks;
import com.getox.crypto.hpke.HpkeRecipient;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyAndSharingTest {
  @TempDir File dir;

  static EncryptionContext ctx(String dataClass) {
    return EncryptionContext.builder().put("user-id", "u").put("data-class", dataClass).build();
  }

  static void write(Recordings r, File f, EncryptionContext ctx, byte[] plain) throws Exception {
    try (RecordingWriter w = r.newWriter(new FileOutputStream(f), ctx)) {
      w.write(plain);
    }
  }

  static byte[] read(Recordings r, File f) throws Exception {
    try (InputStream in = r.newInputStream(new FileInputStream(f), ReadOptions.defaults())) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    }
  }

  LocalKms passphraseKms(String name) throws Exception {
    return LocalKms.create(
        new File(dir, name + ".json"),
        KeysetProtection.passphrase("correct horse".toCharArray(), 19456, 2, 1),
        name);
  }

  @Test
  void confidentialDataRefusesAPlaintextKeysetMissingEscrowAndLooseCaching() throws Exception {
    LocalKms plain = TestKeks.newLocalKms("plain");
    LocalKms user = passphraseKms("user");
    LocalKms escrow = passphraseKms("escrow");
    ClassificationPolicy policy =
        ClassificationPolicy.builder()
            .requireDataClass()
            .rule(
                "Confidential",
                ClassificationPolicy.Rule.builder()
                    .forbidInsecureKeysets()
                    .requireEscrow(escrow.uri())
                    .cacheLimits(60_000, 10, 1 << 20)
                    .build())
            .build();
    File f = new File(dir, "c.oxr");
    PolicyViolationException e =
        assertThrows(
            PolicyViolationException.class,
            () -> write(Recordings.builder().wrapWith(plain, escrow).policy(policy).build(), f,
                ctx("Confidential"), new byte[1]));
    assertTrue(e.getMessage().contains("plaintext keyset"), e.getMessage());
    e =
        assertThrows(
            PolicyViolationException.class,
            () -> write(Recordings.builder().wrapWith(user).policy(policy).build(), f,
                ctx("Confidential"), new byte[1]));
    assertTrue(e.getMessage().contains("escrow"), e.getMessage());
    DekCache loose =
        DekCache.builder().maxAgeMillis(3_600_000).maxRecordings(1000).maxBytes(1 << 30).build();
    // The reasons are Ox's own messages (ClassificationPolicy), one per rule.
    e =
        assertThrows(
            PolicyViolationException.class,
            () -> write(Recordings.builder().wrapWith(user, escrow).dekCache(loose).policy(policy).build(),
                f, ctx("Confidential"), new byte[1]));
    assertTrue(e.getMessage().contains("allow data-key caching up to 60000 ms, 10 recordings and 1048576 bytes"), e.getMessage());
    e =
        assertThrows(
            PolicyViolationException.class,
            () -> write(Recordings.builder().wrapWith(user, escrow).policy(policy).build(), f,
                EncryptionContext.builder().put("user-id", "u").build(), new byte[1]),
            "the policy requires a data class");
    assertTrue(e.getMessage().contains("requires a '" + ClassificationPolicy.CONTEXT_KEY + "' entry"), e.getMessage());
    e =
        assertThrows(
            PolicyViolationException.class,
            () -> write(Recordings.builder().wrapWith(user, escrow).policy(policy).build(), f,
                ctx("Secret"), new byte[1]));
    assertTrue(e.getMessage().contains("unknown data class 'Secret'"), e.getMessage());
    assertTrue(!f.exists() || f.length() == 0, "a refused recording left data behind");

    Recordings ok = Recordings.builder().wrapWith(user, escrow).policy(policy).build();
    write(ok, f, ctx("Confidential"), new byte[] {1, 2, 3});
    assertArrayEquals(new byte[] {1, 2, 3}, read(Recordings.builder().unwrapWith(escrow).build(), f));
    // Public data has no rule here: a plaintext keyset is allowed.
    write(Recordings.builder().wrapWith(plain).policy(policy).build(), f, ctx("Public"), new byte[1]);
  }

  @Test
  void sharingWithAPublicKeyLetsOnlyThePrivateKeyOpen() throws Exception {
    LocalKms mine = TestKeks.newLocalKms("mine");
    Recordings me = Recordings.builder().wrapWith(mine).build();
    HpkeRecipient alice = HpkeRecipient.generate();
    HpkeRecipient alicePublic = HpkeRecipient.fromPublicKeyset(alice.publicKeysetJson());
    HpkeRecipient aliceAgain = HpkeRecipient.fromInsecurePrivateKeyset(alice.insecurePrivateKeysetJson());
    File f = new File(dir, "s.oxr");
    byte[] plain = new byte[30000];
    new java.util.Random(7).nextBytes(plain);
    write(me, f, ctx("Restricted"), plain);

    assertTrue(RecordingFiles.share(me, f, alicePublic, ReadOptions.defaults()));
    assertTrue(RecordingFiles.readHeader(f, ReadOptions.defaults()).wrappedKeys().stream()
        .anyMatch(w -> w.kekUri().equals(alice.uri())));
    assertArrayEquals(plain, read(Recordings.builder().unwrapWith(aliceAgain).build(), f));
    // The typed reason: no KEK of the reader even tried (causes() is empty), as opposed to one
    // that held a wrapped key and failed to unwrap it.
    NoUsableKeyException none =
        assertThrows(
            NoUsableKeyException.class,
            () -> read(Recordings.builder().unwrapWith((Kek) alicePublic).build(), f),
            "a public key cannot open");
    assertTrue(none.causes().isEmpty(), none.causes().toString());
    none =
        assertThrows(
            NoUsableKeyException.class,
            () -> read(Recordings.builder().unwrapWith(HpkeRecipient.generate()).build(), f));
    assertTrue(none.causes().isEmpty(), none.causes().toString());

    RecordingFiles.revoke(me, f, alice.uri(), ReadOptions.defaults());
    none =
        assertThrows(
            NoUsableKeyException.class, () -> read(Recordings.builder().unwrapWith(aliceAgain).build(), f));
    assertTrue(none.causes().isEmpty(), "revoked: alice's wrapped key is gone, nothing to try: " + none.causes());
    assertTrue(RecordingFiles.readHeader(f, ReadOptions.defaults()).wrappedKeys().stream()
        .noneMatch(w -> w.kekUri().equals(alice.uri())));
    assertArrayEquals(plain, read(me, f));
  }
}
