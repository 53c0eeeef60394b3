package com.getox.crypto.local;

import com.getox.crypto.EncryptionContext;
import com.getox.crypto.RecordingWriter;
import com.getox.crypto.Recordings;
import com.getox.crypto.audit.AuditSink;
import java.io.BufferedReader;
import java.io.File;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A child JVM for {@link KeysetProcessTest}: changes a keyset file the way another process would.
 * Prints "ready" once started and waits for a line on stdin before working, so that racing
 * children start together; with a step name it blocks at that step of the change (after printing
 * "at STEP") until it is killed.
 *
 * <pre>
 * KeysetChild rotate  FILE PROTECTION N OUTDIR TAG [STEP]   N rotations, one recording after each
 * KeysetChild destroy FILE PROTECTION ID [STEP]
 * KeysetChild create  FILE PROTECTION
 * </pre>
 *
 * PROTECTION is "plain" or a passphrase (cheapest Argon2id cost).
 */
public final class KeysetChild {
  static final EncryptionContext CTX = EncryptionContext.builder().put("user-id", "child").build();

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String op = args[0];
    File file = new File(args[1]);
    KeysetProtection protection = protection(args[2]);
    String block = op.equals("rotate") ? arg(args, 6) : op.equals("destroy") ? arg(args, 4) : null;
    if (block != null) {
      LocalKms.testHook =
          step -> {
            if (step.equals(block)) {
              System.out.println("at " + step);
              System.out.flush();
              try {
                in.readLine(); // blocks until the parent kills this JVM
              } catch (Exception e) {
                // fall through: the parent is gone
              }
              Runtime.getRuntime().halt(3);
            }
          };
    }
    System.out.println("ready");
    System.out.flush();
    in.readLine();
    switch (op) {
      case "rotate":
        {
          LocalKms kms = LocalKms.open(file, protection).auditTo(AuditSink.none());
          Recordings r = Recordings.builder().wrapWith(kms).auditSink(AuditSink.none()).build();
          int n = Integer.parseInt(args[3]);
          for (int i = 0; i < n; i++) {
            KeyVersion v = kms.rotate();
            File rec = new File(args[4], args[5] + "-" + i + ".oxr");
            try (RecordingWriter w = r.newWriter(new FileOutputStream(rec), CTX)) {
              w.write(plaintext(args[5], i));
            }
            System.out.println("rotated " + v.id());
          }
          break;
        }
      case "destroy":
        {
          LocalKms kms = LocalKms.open(file, protection).auditTo(AuditSink.none());
          System.out.println("destroyed " + kms.destroy(Long.parseLong(args[3])));
          break;
        }
      case "create":
        try {
          LocalKms.create(file, protection, "race").auditTo(AuditSink.none());
          System.out.println("created");
        } catch (java.io.IOException e) {
          System.out.println("refused");
        }
        break;
      default:
        throw new IllegalArgumentException(op);
    }
    System.out.println("done");
    System.out.flush();
  }

  private static String arg(String[] args, int i) {
    return args.length > i ? args[i] : null;
  }

  static KeysetProtection protection(String s) {
    return s.equals("plain")
        ? KeysetProtection.insecurePlaintext()
        : KeysetProtection.passphrase(s.toCharArray(), Argon2id.MIN_MEMORY_KIB, 2, 1);
  }

  static byte[] plaintext(String tag, int i) {
    return ("recording " + i + " of " + tag).getBytes(StandardCharsets.UTF_8);
  }
}
