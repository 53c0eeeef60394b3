package com.getox.crypto.s3;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * An object read by HTTP range requests: each {@link #read} is one ranged GET of exactly the bytes
 * asked for (at most to the end), nothing read ahead. The SDK retries throttling, 5xx answers and
 * connection failures, a reset in the middle of the body included (the whole small range is read
 * within the call). What it returns is ciphertext: the caller authenticates every chunk.
 */
final class RangedObjectChannel implements SeekableByteChannel {
  private final S3Client s3;
  private final String bucket;
  private final String key;
  private final long size;
  private long position;
  private boolean open = true;

  /** Reads {@code bucket}/{@code key}, whose length is {@code size} (from a HEAD). */
  RangedObjectChannel(S3Client s3, String bucket, String key, long size) {
    this.s3 = s3;
    this.bucket = bucket;
    this.key = key;
    this.size = size;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    if (!open) {
      throw new ClosedChannelException();
    }
    if (!dst.hasRemaining()) {
      return 0;
    }
    if (position >= size) {
      return -1;
    }
    long want = Math.min(dst.remaining(), size - position);
    String range = "bytes=" + position + "-" + (position + want - 1);
    ResponseBytes<GetObjectResponse> got;
    try {
      got = s3.getObjectAsBytes(r -> r.bucket(bucket).key(key).range(range));
    } catch (SdkException e) {
      throw Failures.of("reading " + range + " of s3://" + bucket + "/" + key, e);
    }
    ByteBuffer b = got.asByteBuffer();
    if (b.remaining() > want) {
      throw new IOException(
          "s3://" + bucket + "/" + key + " answered " + b.remaining() + " bytes to " + range);
    }
    int n = b.remaining();
    dst.put(b);
    position += n;
    return n == 0 ? -1 : n;
  }

  @Override
  public int write(ByteBuffer src) {
    throw new NonWritableChannelException();
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public SeekableByteChannel position(long newPosition) {
    if (newPosition < 0) {
      throw new IllegalArgumentException("position " + newPosition);
    }
    position = newPosition;
    return this;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public SeekableByteChannel truncate(long newSize) {
    throw new NonWritableChannelException();
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() {
    open = false;
  }
}
