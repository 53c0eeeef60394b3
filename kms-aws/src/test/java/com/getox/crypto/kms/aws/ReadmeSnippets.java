package com.getox.crypto.kms.aws;

import com.getox.crypto.kek.Kek;

/**
 * The README's AWS KMS KEK line, compiled here (examples' ReadmeSnippetsTest checks the README
 * against the marked region) and run by ReadmeSnippetsTest: it makes no KMS call.
 */
final class ReadmeSnippets {
  private ReadmeSnippets() {}

  static Kek awsKek() {
    // README:aws-kek begin
    Kek kek = AwsKms.kek("aws-kms://arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        AwsKms.clientBuilder().region("eu-west-1").build());
    // README:aws-kek end
    return kek;
  }
}
