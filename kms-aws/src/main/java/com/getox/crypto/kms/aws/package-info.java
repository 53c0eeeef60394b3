/**
 * KEKs held in AWS KMS. Start at {@link com.getox.crypto.kms.aws.AwsKms}: {@code
 * AwsKms.kek("aws-kms://arn:aws:kms:REGION:ACCOUNT:key/ID", kmsClient)} or {@code
 * AwsKms.register(KekRegistry.builder(), AwsKms.DiscoveryFilter.of("aws", ACCOUNT), kmsClient)},
 * which calls KMS only on keys of the trusted partition and accounts.
 *
 * <pre>{@code
 * KmsClient kms = AwsKms.clientBuilder().region("eu-west-1").build();  // default credentials chain
 * Kek kek = AwsKms.kek("aws-kms://arn:aws:kms:eu-west-1:111122223333:alias/recordings", kms);
 * KekRegistry readers = AwsKms.register(KekRegistry.builder(),
 *     AwsKms.DiscoveryFilter.of("aws", "111122223333"), kms).build();
 * Recordings recordings = Recordings.builder().wrapWith(kek).unwrapWith(readers).build();
 * }</pre>
 *
 * <p>Failures are {@link com.getox.crypto.KmsException}s with a retryable flag, raised after the
 * client's bounded retries.
 */
package com.getox.crypto.kms.aws;
