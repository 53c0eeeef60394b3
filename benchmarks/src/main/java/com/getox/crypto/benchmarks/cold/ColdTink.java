package com.getox.crypto.benchmarks.cold;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;

/**
 * Cold-start peer: Tink StreamingAead AES256_GCM_HKDF_1MB from a cleartext JSON keyset file,
 * encrypting 1 MiB (16 KiB writes) and decrypting it. Usage: {@code ColdTink <keyset.json>}.
 */
public final class ColdTink {
  private ColdTink() {}

  public static void main(String[] args) throws Exception {
    StreamingAeadConfig.register();
    KeysetHandle handle =
        TinkJsonProtoKeysetFormat.parseKeyset(
            new String(Files.readAllBytes(Paths.get(args[0])), StandardCharsets.UTF_8),
            InsecureSecretKeyAccess.get());
    StreamingAead aead = handle.getPrimitive(StreamingAead.class);
    byte[] aad = "tenant=bench".getBytes(StandardCharsets.UTF_8);
    byte[] plain = new byte[1 << 20];
    Arrays.fill(plain, (byte) 7);
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (OutputStream out = aead.newEncryptingStream(bos, aad)) {
      for (int off = 0; off < plain.length; off += 16384) {
        out.write(plain, off, 16384);
      }
    }
    byte[] back = new byte[plain.length];
    try (InputStream in = aead.newDecryptingStream(new ByteArrayInputStream(bos.toByteArray()), aad)) {
      int pos = 0;
      int n;
      while ((n = in.read(back, pos, Math.min(16384, back.length - pos))) > 0) {
        pos += n;
      }
      if (pos != plain.length || in.read() != -1 || !Arrays.equals(plain, back)) {
        throw new AssertionError("round trip failed");
      }
    }
  }

  /** Writes a fresh keyset file for the cold-start script. */
  public static final class MakeKeyset {
    private MakeKeyset() {}

    public static void main(String[] args) throws Exception {
      StreamingAeadConfig.register();
      KeysetHandle h =
          KeysetHandle.generateNew(
              com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters
                  .AES256_GCM_HKDF_1MB);
      Files.write(
          Paths.get(args[0]),
          TinkJsonProtoKeysetFormat.serializeKeyset(h, InsecureSecretKeyAccess.get())
              .getBytes(StandardCharsets.UTF_8));
    }
  }
}
