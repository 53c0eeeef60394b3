package com.getox.crypto.lifecycle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.NoUsableKeyException;
import com.getox.crypto.ReadOptions;
import com.getox.crypto.RecordingFiles;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.audit.AuditSink;
import com.getox.crypto.hpke.HpkeRecipient;
import com.getox.crypto.kek.Kek;
import com.getox.crypto.kek.WrappedKey;
import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A seeded random walk over rotate, re-wrap, share, revoke, disable, enable and destroy. After
 * every step each recording must open with exactly the readers a simple model says can open it.
 */
class LifecycleModelTest {
  static final EncryptionContext CTX = EncryptionContext.builder().put("user-id", "u").build();

  @TempDir File dir;

  static LongStream seeds() {
    return LongStream.range(1, 11);
  }

  /** The model: per file, the set of wrapped keys as "uri#version". */
  final Map<File, Set<String>> wrappedModel = new HashMap<>();

  final Map<File, byte[]> plaintexts = new HashMap<>();
  final Set<String> disabled = new HashSet<>();
  final Set<String> destroyed = new HashSet<>();

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void everyRecordingOpensWithExactlyTheModelsReaders(long seed) throws Exception {
    Random rnd = new Random(seed);
    LocalKms a =
        LocalKms.create(new File(dir, "a.json"), KeysetProtection.insecurePlaintext(), "a")
            .auditTo(AuditSink.none());
    LocalKms b =
        LocalKms.create(new File(dir, "b.json"), KeysetProtection.insecurePlaintext(), "b")
            .auditTo(AuditSink.none());
    HpkeRecipient c = HpkeRecipient.generate();
    Recordings writer = Recordings.builder().wrapWith(a).auditSink(AuditSink.none()).build();
    Map<String, Recordings> readers = new HashMap<>();
    readers.put(a.uri(), writer);
    readers.put(b.uri(), Recordings.builder().unwrapWith(b).auditSink(AuditSink.none()).build());
    readers.put(c.uri(), Recordings.builder().unwrapWith(c).auditSink(AuditSink.none()).build());
    Kek[] recipients = {b, c};
    List<File> files = new ArrayList<>();

    for (int step = 0; step < 25; step++) {
      int op = files.isEmpty() ? 0 : rnd.nextInt(8);
      String what;
      if (op == 0) {
        File f = new File(dir, "r" + files.size() + ".oxr");
        byte[] plain = new byte[rnd.nextInt(40_000)];
        rnd.nextBytes(plain);
        try (RecordingWriter w = writer.newWriter(new FileOutputStream(f), CTX)) {
          w.write(plain);
        }
        files.add(f);
        plaintexts.put(f, plain);
        Set<String> keys = new HashSet<>();
        keys.add(a.uri() + "#" + a.primary().id());
        wrappedModel.put(f, keys);
        what = "write " + f.getName();
      } else if (op == 1) {
        a.rotate();
        what = "rotate";
      } else if (op == 2) {
        File f = files.get(rnd.nextInt(files.size()));
        what = "rewrap " + f.getName();
        Set<String> keys = wrappedModel.get(f);
        boolean usable = false;
        boolean stale = false;
        for (String k : keys) {
          if (k.startsWith(a.uri() + "#")) {
            usable |= !disabled.contains(k) && !destroyed.contains(k);
            stale |= !k.equals(a.uri() + "#" + a.primary().id());
          }
        }
        boolean succeeded;
        try {
          RecordingFiles.rewrap(writer, f, ReadOptions.defaults());
          succeeded = true;
          if (stale) {
            keys.removeIf(k -> k.startsWith(a.uri() + "#"));
            keys.add(a.uri() + "#" + a.primary().id());
          }
        } catch (NoUsableKeyException e) {
          succeeded = false;
        }
        // Both directions: an unexpected failure and an unexpected success are flagged.
        assertEquals(!stale || usable, succeeded, "seed " + seed + " step " + step + ": " + what + " (stale " + stale + ", usable " + usable + ")");
      } else if (op == 3 || op == 4) {
        File f = files.get(rnd.nextInt(files.size()));
        Kek r = recipients[rnd.nextInt(2)];
        what = "share " + f.getName() + " with " + r.uri();
        Set<String> keys = wrappedModel.get(f);
        boolean aUsable = opensWith(keys, a.uri());
        boolean already = keys.stream().anyMatch(k -> k.startsWith(r.uri() + "#"));
        boolean succeeded;
        try {
          RecordingFiles.share(writer, f, r, ReadOptions.defaults());
          succeeded = true;
          keys.add(r.uri() + "#" + (r == b ? Long.toString(b.primary().id()) : ""));
        } catch (NoUsableKeyException e) {
          succeeded = false;
        }
        // Sharing with a recipient that already has a key is a no-op that needs no unwrap.
        assertEquals(already || aUsable, succeeded,
            "seed " + seed + " step " + step + ": " + what + " keys " + keys + " disabled " + disabled + " destroyed " + destroyed);
      } else if (op == 5) {
        File f = files.get(rnd.nextInt(files.size()));
        Kek r = recipients[rnd.nextInt(2)];
        what = "revoke " + r.uri() + " from " + f.getName();
        Set<String> keys = wrappedModel.get(f);
        boolean present = keys.stream().anyMatch(k -> k.startsWith(r.uri() + "#"));
        boolean succeeded;
        try {
          RecordingFiles.revoke(writer, f, r.uri(), ReadOptions.defaults());
          succeeded = true;
          keys.removeIf(k -> k.startsWith(r.uri() + "#"));
        } catch (com.getox.crypto.OxCryptoException e) {
          succeeded = false;
        }
        // a's key is always there, so revoking b or c fails only when it has no key here.
        assertEquals(present, succeeded, "seed " + seed + " step " + step + ": " + what);
      } else {
        List<Long> old = new ArrayList<>();
        for (com.getox.crypto.local.KeyVersion v : a.versions()) {
          if (!v.isPrimary() && v.status() != com.getox.crypto.local.KeyVersion.Status.DESTROYED) {
            old.add(v.id());
          }
        }
        if (old.isEmpty()) {
          continue;
        }
        long v = old.get(rnd.nextInt(old.size()));
        String key = a.uri() + "#" + v;
        int kind = rnd.nextInt(3);
        if (kind == 0) {
          a.disable(v);
          disabled.add(key);
          what = "disable " + v;
        } else if (kind == 1) {
          a.enable(v);
          disabled.remove(key);
          what = "enable " + v;
        } else {
          a.destroy(v);
          destroyed.add(key);
          what = "destroy " + v;
        }
      }
      for (File f : files) {
        Set<String> keys = wrappedModel.get(f);
        Set<String> actual = new HashSet<>();
        for (WrappedKey w : RecordingFiles.readHeader(f, ReadOptions.defaults()).wrappedKeys()) {
          actual.add(w.kekUri() + "#" + w.kekVersion());
        }
        assertEquals(keys, actual, "seed " + seed + " after " + what + ": header of " + f.getName());
        for (Map.Entry<String, Recordings> reader : readers.entrySet()) {
          boolean expected = opensWith(keys, reader.getKey());
          boolean opened;
          try {
            assertArrayEquals(plaintexts.get(f), read(reader.getValue(), f));
            opened = true;
          } catch (NoUsableKeyException e) {
            opened = false;
          }
          assertEquals(
              expected,
              opened,
              "seed " + seed + " after " + what + ": " + reader.getKey() + " on " + f.getName());
        }
      }
    }
  }

  boolean opensWith(Set<String> keys, String readerUri) {
    for (String k : keys) {
      if (k.startsWith(readerUri + "#") && !disabled.contains(k) && !destroyed.contains(k)) {
        return true;
      }
    }
    return false;
  }

  static byte[] read(Recordings r, File f) throws Exception {
    try (InputStream in = r.newInputStream(new FileInputStream(f), ReadOptions.defaults())) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    }
  }
}
