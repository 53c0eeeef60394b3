package com.getox.crypto.kms.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ReadmeSnippetsTest {
  @Test
  void theReadmesAwsKekLineNamesItsKeyWithoutCallingKms() {
    assertEquals(
        "aws-kms://arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ReadmeSnippets.awsKek().uri());
  }
}
