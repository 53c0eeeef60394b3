/**
 * KEKs held in AWS KMS. Start at {@link com.getox.crypto.kms.aws.AwsKms}: {@code
 * AwsKms.kek("aws-kms://arn:aws:kms:REGION:ACCOUNT:key/ID", kmsClient)} or {@code
 * AwsKms.register(KekRegistry.builder(), kmsClient)}.
 */
package com.getox.crypto.kms.aws;
