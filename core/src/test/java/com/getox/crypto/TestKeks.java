package com.getox.crypto;

import com.getox.crypto.local.KeysetProtection;
import com.getox.crypto.local.LocalKms;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;

/** Local KEKs in throwaway keyset files, for tests. */
public final class TestKeks {
  private TestKeks() {}

  public static LocalKms newLocalKms(String name) {
    try {
      File dir = Files.createTempDirectory("oxkeys").toFile();
      dir.deleteOnExit();
      File f = new File(dir, name + ".json");
      f.deleteOnExit();
      return LocalKms.create(f, KeysetProtection.insecurePlaintext(), name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
