package com.getox.crypto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.getox.crypto.kms.aws.CliLocalAwsKms;
import com.getox.crypto.kms.gcp.CliLocalCloudKms;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --kek aws-kms://…} and {@code --kek gcp-kms://…} against the kms modules' local servers
 * (kms-aws's LocalKmsServer over HTTP with SigV4, kms-gcp's Cloud KMS over plaintext gRPC), reached
 * through the endpoint options, with credentials as the SDKs' default chains find them.
 */
class CloudKekCliTest extends CliTestBase {
  private static CliLocalAwsKms aws;
  private static CliLocalCloudKms gcp;

  @TempDir Path dir;
  private Path plainFile;
  private byte[] plain;

  @BeforeAll
  static void startServers() throws Exception {
    aws = CliLocalAwsKms.start();
    gcp = CliLocalCloudKms.start();
  }

  @AfterAll
  static void stopServers() throws Exception {
    aws.close();
    gcp.close();
  }

  @BeforeEach
  void setUp() throws Exception {
    env.putAll(aws.credentialsEnv());
    plain = random(3 * CHUNK + 17, 42);
    plainFile = Files.write(dir.resolve("talk.pcm"), plain);
  }

  private String awsEndpoint() {
    return aws.endpoint();
  }

  private List<String> kekArgs(String... uris) {
    List<String> a = new ArrayList<>();
    for (String u : uris) {
      a.add("--kek");
      a.add(u);
    }
    a.add("--aws-kms-endpoint");
    a.add(aws.endpoint());
    a.add("--gcp-kms-endpoint");
    a.add(gcp.endpoint());
    return a;
  }

  private Result cli(List<String> keks, String... args) {
    List<String> all = new ArrayList<>(List.of(args[0]));
    all.addAll(keks);
    all.addAll(List.of(args).subList(1, args.length));
    return run(all.toArray(new String[0]));
  }

  private static void assertOk(Result r) {
    assertEquals(0, r.code, () -> "stderr: " + r.stderr);
    assertEquals(List.of(), r.errors());
  }

  private List<String> recipients(Path rec) throws Exception {
    JsonNode j = new ObjectMapper().readTree(ok("inspect", rec.toString()).stdout);
    List<String> out = new ArrayList<>();
    j.get("recipients").forEach(n -> out.add(n.asText()));
    return out;
  }

  /** The README's {@code oxcrypt encrypt --kek aws-kms://…}, then decrypt with the same KEK. */
  @Test
  void encryptAndDecryptUnderAnAwsKmsKek() throws Exception {
    String kek = aws.newKeyUri();
    Path rec = dir.resolve("talk.oxr");
    int before = aws.requests("GenerateDataKey") + aws.requests("Encrypt");
    assertOk(run("encrypt", "--kek", kek, "--aws-kms-endpoint", awsEndpoint(),
        "--context", "user-id=u-7", plainFile.toString(), rec.toString()));
    assertTrue(aws.requests("GenerateDataKey") + aws.requests("Encrypt") > before, "no KMS call");
    assertEquals(List.of(kek), recipients(rec));
    Path back = dir.resolve("back.pcm");
    assertOk(run("decrypt", "--kek", kek, "--aws-kms-endpoint", awsEndpoint(),
        "--expect", "user-id=u-7", rec.toString(), back.toString()));
    assertArrayEquals(plain, Files.readAllBytes(back));
  }

  @Test
  void severalKeksOfBothCloudsAndAKeysetEachOpenTheRecording() throws Exception {
    String awsKek = aws.newKeyUri();
    String gcpKek = gcp.newKeyUri();
    Path keys = dir.resolve("keys.json");
    ok("keys", "create", "--keyset", keys.toString(), "--insecure", "--name", "keys");
    Path rec = dir.resolve("talk.oxr");
    assertOk(cli(kekArgs(awsKek, gcpKek), "encrypt", "--keyset", keys.toString(),
        plainFile.toString(), rec.toString()));
    assertEquals(List.of("local://keys", awsKek, gcpKek), recipients(rec));
    for (String kek : List.of(awsKek, gcpKek)) {
      Path back = dir.resolve("back.pcm");
      assertOk(cli(kekArgs(kek), "decrypt", rec.toString(), back.toString()));
      assertArrayEquals(plain, Files.readAllBytes(back), kek);
    }
    Path back = dir.resolve("back-local.pcm");
    assertOk(run("decrypt", "--keyset", keys.toString(), rec.toString(), back.toString()));
    assertArrayEquals(plain, Files.readAllBytes(back));
  }

  @Test
  void shareWithACloudKekThenRevokeIt() throws Exception {
    Path keys = dir.resolve("keys.json");
    ok("keys", "create", "--keyset", keys.toString(), "--insecure", "--name", "keys");
    Path rec = dir.resolve("talk.oxr");
    ok("encrypt", "--keyset", keys.toString(), plainFile.toString(), rec.toString());
    String gcpKek = gcp.newKeyUri();
    assertOk(cli(kekArgs(), "share", "--keyset", keys.toString(), "--to-kek", gcpKek, rec.toString()));
    assertEquals(List.of("local://keys", gcpKek), recipients(rec));
    Path back = dir.resolve("back.pcm");
    assertOk(cli(kekArgs(gcpKek), "decrypt", rec.toString(), back.toString()));
    assertArrayEquals(plain, Files.readAllBytes(back));

    assertOk(run("revoke", "--keyset", keys.toString(), "--recipient", gcpKek, rec.toString()));
    assertFails(OxCrypt.NO_USABLE_KEY, cli(kekArgs(gcpKek), "decrypt", rec.toString(), back.toString()));
  }

  /** After a Cloud KMS key rotation, rewrap --kek moves the data keys to the new primary version. */
  @Test
  void rewrapMovesRecordingsToTheCloudKeksPrimaryVersion() throws Exception {
    String gcpKek = gcp.newKeyUri();
    Path recs = Files.createDirectories(dir.resolve("recordings"));
    Path rec = recs.resolve("talk.oxr");
    assertOk(cli(kekArgs(gcpKek), "encrypt", plainFile.toString(), rec.toString()));
    String before = wrappedVersion(rec);
    String newVersion = gcp.rotate(gcpKek);
    Result r = cli(kekArgs(gcpKek), "rewrap", recs.toString());
    assertOk(r);
    assertTrue(r.out().contains("now wrapped under       " + gcpKek), r.out());
    assertTrue(r.out().contains("re-wrapped              1"), r.out());
    String after = wrappedVersion(rec);
    assertEquals(newVersion, after, () -> "was " + before);
    Path back = dir.resolve("back.pcm");
    assertOk(cli(kekArgs(gcpKek), "decrypt", rec.toString(), back.toString()));
    assertArrayEquals(plain, Files.readAllBytes(back));
  }

  private String wrappedVersion(Path rec) throws Exception {
    JsonNode j = new ObjectMapper().readTree(ok("inspect", rec.toString()).stdout);
    return j.get("wrappedKeys").get(0).get("kekVersion").asText();
  }

  @Test
  void badKekUrisAndMisusedOptionsAreUsageErrors() {
    String in = plainFile.toString();
    String out = dir.resolve("x.oxr").toString();
    assertFails(OxCrypt.USAGE, run("encrypt", "--kek", "file:///etc/keys", in, out));
    assertFails(OxCrypt.USAGE, run("encrypt", "--kek", "aws-kms://not-an-arn", in, out));
    assertFails(OxCrypt.USAGE, run("encrypt", "--kek", "gcp-kms://projects/p", in, out));
    assertFails(OxCrypt.USAGE, run("encrypt", in, out)); // no key at all
    // plain http only on the loopback interface: never send KMS requests in clear over a network
    assertFails(OxCrypt.USAGE, run("encrypt", "--kek", aws.newKeyUri(), "--aws-kms-endpoint",
        "http://kms.example.com", in, out));
    assertTrue(Files.notExists(dir.resolve("x.oxr")));
  }

  @Test
  void aKmsThatRefusesIsAKmsErrorAndWritesNothing() throws Exception {
    String kek = aws.newKeyUri();
    aws.disable(kek);
    Path out = dir.resolve("x.oxr");
    Result r = run("encrypt", "--kek", kek, "--aws-kms-endpoint", awsEndpoint(), plainFile.toString(),
        out.toString());
    assertFails(OxCrypt.CRYPTO_ERROR, r);
    assertTrue(r.stderr.contains("KMS error"), r.stderr);
    assertTrue(Files.notExists(out));

    env.put("AWS_SECRET_ACCESS_KEY", "wrong");
    assertFails(OxCrypt.CRYPTO_ERROR, run("encrypt", "--kek", aws.newKeyUri(), "--aws-kms-endpoint",
        awsEndpoint(), plainFile.toString(), out.toString()));
  }
}
