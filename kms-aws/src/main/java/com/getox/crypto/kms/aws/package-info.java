/**
 * KEKs held in AWS KMS. Start at {@link com.getox.crypto.kms.aws.AwsKms}: {@code
 * AwsKms.kek("aws-kms://arn:aws:kms:REGION:ACCOUNT:key/ID", kmsClient)} or {@code
 * AwsKms.register(KekRegistry.builder(), AwsKms.DiscoveryFilter.of("aws", ACCOUNT), kmsClient)},
 * which calls KMS only on keys of the trusted partition and accounts.
 */
package com.getox.crypto.kms.aws;
