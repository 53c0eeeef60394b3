package com.getox.crypto.kms.aws;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A parsed AWS KMS key or alias ARN, and the {@code aws-kms://} URI that names it. */
final class KeyArn {
  static final String URI_PREFIX = AwsKms.SCHEME + "://";

  private static final Pattern ARN =
      Pattern.compile(
          "arn:(aws[a-z-]*):kms:([a-z]{2,4}(?:-[a-z0-9]+)+-[0-9]+):([0-9]{12}):"
              + "(?:key/((?:mrk-)?[A-Za-z0-9-]{1,64})|(alias/[A-Za-z0-9/_-]{1,250}))");

  final String partition;
  final String region;
  final String account;
  /** The key id ({@code 1234abcd-...} or {@code mrk-...}), or null for an alias. */
  final String keyId;
  /** The alias name ({@code alias/...}), or null for a key. */
  final String alias;

  private KeyArn(String partition, String region, String account, String keyId, String alias) {
    this.partition = partition;
    this.region = region;
    this.account = account;
    this.keyId = keyId;
    this.alias = alias;
  }

  /** Parses a key or alias ARN; null if {@code arn} is not one. */
  static KeyArn parseArn(String arn) {
    if (arn == null) {
      return null;
    }
    Matcher m = ARN.matcher(arn);
    if (!m.matches()) {
      return null;
    }
    return new KeyArn(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5));
  }

  /** Parses an {@code aws-kms://ARN} URI; null if {@code uri} is not one. */
  static KeyArn parseUri(String uri) {
    if (uri == null || !uri.startsWith(URI_PREFIX)) {
      return null;
    }
    return parseArn(uri.substring(URI_PREFIX.length()));
  }

  boolean isAlias() {
    return alias != null;
  }

  boolean isMultiRegionKey() {
    return keyId != null && keyId.startsWith("mrk-");
  }

  String arn() {
    return "arn:" + partition + ":kms:" + region + ":" + account + ":" + (isAlias() ? alias : "key/" + keyId);
  }

  String uri() {
    return URI_PREFIX + arn();
  }

  /** The same multi-Region key's replica in {@code otherRegion}. */
  KeyArn inRegion(String otherRegion) {
    if (!isMultiRegionKey()) {
      throw new IllegalStateException("only multi-Region keys have replicas: " + arn());
    }
    return new KeyArn(partition, otherRegion, account, keyId, null);
  }

  /** True if {@code other} lives in the same partition, Region and account. */
  boolean sameAccountAndRegion(KeyArn other) {
    return partition.equals(other.partition)
        && region.equals(other.region)
        && account.equals(other.account);
  }

  /**
   * True if {@code other} names the same key: the same ARN, or a replica of the same multi-Region
   * key (same partition, account and {@code mrk-} id) in any Region.
   */
  boolean sameKey(KeyArn other) {
    if (arn().equals(other.arn())) {
      return true;
    }
    return isMultiRegionKey()
        && other.isMultiRegionKey()
        && partition.equals(other.partition)
        && account.equals(other.account)
        && keyId.equals(other.keyId);
  }

  @Override
  public String toString() {
    return arn();
  }
}
