package com.getox.crypto.kms.gcp;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.cloud.kms.v1.CreateCryptoKeyRequest;
import com.google.cloud.kms.v1.CreateCryptoKeyVersionRequest;
import com.google.cloud.kms.v1.CreateKeyRingRequest;
import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.CryptoKey.CryptoKeyPurpose;
import com.google.cloud.kms.v1.CryptoKeyVersion;
import com.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionAlgorithm;
import com.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionState;
import com.google.cloud.kms.v1.DecryptRequest;
import com.google.cloud.kms.v1.DecryptResponse;
import com.google.cloud.kms.v1.DestroyCryptoKeyVersionRequest;
import com.google.cloud.kms.v1.EncryptRequest;
import com.google.cloud.kms.v1.EncryptResponse;
import com.google.cloud.kms.v1.GetCryptoKeyRequest;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.cloud.kms.v1.KeyManagementServiceGrpc;
import com.google.cloud.kms.v1.KeyManagementServiceSettings;
import com.google.cloud.kms.v1.KeyRing;
import com.google.cloud.kms.v1.ProtectionLevel;
import com.google.cloud.kms.v1.UpdateCryptoKeyPrimaryVersionRequest;
import com.google.protobuf.ByteString;
import com.google.protobuf.Int64Value;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A Cloud KMS for tests: an in-process gRPC server implementing the {@code KeyManagementService}
 * methods this module and its tests use (CreateKeyRing, CreateCryptoKey, CreateCryptoKeyVersion,
 * UpdateCryptoKeyPrimaryVersion, DestroyCryptoKeyVersion, GetCryptoKey, Encrypt, Decrypt), with
 * real AES-256-GCM key versions, plus fault injection. Clients reach it only through a real {@link
 * KeyManagementServiceClient} from {@link #newClient()}.
 *
 * <p>Behaviour follows the Cloud KMS reference: Encrypt on a CryptoKey uses its primary version and
 * answers with that version's name; the ciphertext names its version, so Decrypt on the CryptoKey
 * finds it; supplied CRC32C fields are verified (a mismatch is INVALID_ARGUMENT) and reported back
 * as verified; responses carry CRC32C of what they return; a version that is not ENABLED gives
 * FAILED_PRECONDITION; a wrong key, AAD or ciphertext gives INVALID_ARGUMENT; 64 KiB plaintext/AAD
 * limits and the 8 KiB combined HSM limit give INVALID_ARGUMENT.
 */
final class InProcessCloudKms implements AutoCloseable {

  /** A fault applied to one Encrypt or Decrypt call, taken in order from a queue. */
  enum Fault {
    UNAVAILABLE,
    RESOURCE_EXHAUSTED,
    /** Answers only once the client has given up (its deadline passed), or after 20 s. */
    SLOW,
    /** Encrypt: ciphertextCrc32c off by one. */
    CORRUPT_CIPHERTEXT_CRC,
    /** Encrypt: a ciphertext byte flipped after its CRC32C was computed. */
    CORRUPT_CIPHERTEXT,
    /** Encrypt: ciphertextCrc32c left out. */
    MISSING_CIPHERTEXT_CRC,
    /** Encrypt: verifiedPlaintextCrc32c false. */
    UNVERIFIED_PLAINTEXT_CRC,
    /** Encrypt: verifiedAdditionalAuthenticatedDataCrc32c false. */
    UNVERIFIED_AAD_CRC,
    /** Encrypt: the response names a version of another key. */
    FOREIGN_VERSION_NAME,
    /** Encrypt or Decrypt: the request's plaintext or ciphertext arrives damaged. */
    CORRUPT_REQUEST,
    /** Decrypt: plaintextCrc32c off by one. */
    CORRUPT_PLAINTEXT_CRC,
    /** Decrypt: a plaintext byte flipped after its CRC32C was computed. */
    CORRUPT_PLAINTEXT,
  }

  private static final int MAX_BYTES = 64 * 1024;
  private static final int MAX_HSM_COMBINED = 8 * 1024;
  private static final int HEADER = 4;
  private static final int NONCE = 12;

  private final SecureRandom random = new SecureRandom();
  private final Map<String, KeyRing> keyRings = new HashMap<>();
  private final Map<String, KeyState> keys = new HashMap<>();
  private final Set<String> denied = ConcurrentHashMap.newKeySet();
  volatile boolean denyGetCryptoKey;
  private final Deque<Fault> faults = new ArrayDeque<>();
  private final Map<String, Deque<Fault>> keyFaults = new HashMap<>();
  private final Map<String, AtomicInteger> callsByKey = new ConcurrentHashMap<>();
  final AtomicInteger encryptCalls = new AtomicInteger();
  /** One permit each time a {@link Fault#SLOW} call starts holding its answer back. */
  final Semaphore slowCallsHeld = new Semaphore(0);
  final AtomicInteger decryptCalls = new AtomicInteger();
  private final AtomicInteger received = new AtomicInteger();

  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final String serverName = InProcessServerBuilder.generateName();
  private final Server server;
  private final ManagedChannel channel;
  /** The same service on a loopback TCP port, once {@link #listenOnLoopback()} started it. */
  private Server tcpServer;

  private static final class KeyState {
    final CryptoKey.Builder key;
    final ProtectionLevel protection;
    final Map<Integer, byte[]> material = new HashMap<>();
    final Map<Integer, CryptoKeyVersion> versions = new HashMap<>();
    int primary;
    int nextVersion = 1;

    KeyState(CryptoKey.Builder key, ProtectionLevel protection) {
      this.key = key;
      this.protection = protection;
    }
  }

  InProcessCloudKms() throws IOException {
    server =
        InProcessServerBuilder.forName(serverName)
            .executor(executor)
            .addService(ServerInterceptors.intercept(new Service(), new CountCalls()))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(serverName).build();
  }

  /** A real client, without credentials, over a plaintext in-process channel to this server. */
  KeyManagementServiceClient newClient() throws IOException {
    return KeyManagementServiceClient.create(
        KeyManagementServiceSettings.newBuilder()
            .setCredentialsProvider(NoCredentialsProvider.create())
            .setTransportChannelProvider(
                FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
            .build());
  }

  /**
   * Also serves this KMS over plaintext gRPC on 127.0.0.1 (an ephemeral port, the same keys and
   * faults), for clients in another process or configured by an endpoint, such as the oxcrypt
   * CLI's {@code --gcp-kms-endpoint http://127.0.0.1:PORT}. Returns the port.
   */
  synchronized int listenOnLoopback() throws IOException {
    if (tcpServer == null) {
      tcpServer =
          io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder.forAddress(
                  new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0))
              .executor(executor)
              .addService(ServerInterceptors.intercept(new Service(), new CountCalls()))
              .build()
              .start();
    }
    return tcpServer.getPort();
  }

  /** Queues {@code fault} for the next {@code times} Encrypt or Decrypt calls. */
  synchronized void inject(Fault fault, int times) {
    for (int i = 0; i < times; i++) {
      faults.add(fault);
    }
  }

  /**
   * Queues {@code fault} for the next {@code times} Encrypt or Decrypt calls on {@code keyName}
   * only (they take these before the shared queue): a call of an earlier test that reaches the
   * server late, on its own key, cannot take them.
   */
  synchronized void inject(String keyName, Fault fault, int times) {
    Deque<Fault> q = keyFaults.computeIfAbsent(keyName, k -> new ArrayDeque<>());
    for (int i = 0; i < times; i++) {
      q.add(fault);
    }
  }

  synchronized void clearFaults() {
    faults.clear();
    keyFaults.clear();
  }

  /** Every RPC that reached the server, of any method, admin calls included. */
  int receivedCalls() {
    return received.get();
  }

  private final class CountCalls implements ServerInterceptor {
    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
      received.incrementAndGet();
      return next.startCall(call, headers);
    }
  }

  /** Encrypt ({@code op} "Encrypt") or Decrypt calls the server received on {@code keyName}. */
  int calls(String op, String keyName) {
    AtomicInteger n = callsByKey.get(op + " " + keyName);
    return n == null ? 0 : n.get();
  }

  private void count(String op, String keyName) {
    callsByKey.computeIfAbsent(op + " " + keyName, k -> new AtomicInteger()).incrementAndGet();
  }

  /** Every call on {@code keyName} now fails with PERMISSION_DENIED. */
  void denyAccess(String keyName) {
    denied.add(keyName);
  }

  private synchronized Fault nextFault(String keyName) {
    Deque<Fault> q = keyFaults.get(keyName);
    return q != null && !q.isEmpty() ? q.poll() : faults.poll();
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.shutdownNow();
    if (tcpServer != null) {
      tcpServer.shutdownNow();
    }
    executor.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static StatusRuntimeException status(Status s, String description) {
    return s.withDescription(description).asRuntimeException();
  }

  private final class Service extends KeyManagementServiceGrpc.KeyManagementServiceImplBase {

    @Override
    public void createKeyRing(CreateKeyRingRequest req, StreamObserver<KeyRing> out) {
      answer(
          out,
          () -> {
            String name = req.getParent() + "/keyRings/" + req.getKeyRingId();
            if (!req.getParent().matches("projects/[^/]+/locations/[^/]+")
                || !req.getKeyRingId().matches("[A-Za-z0-9_-]{1,63}")) {
              throw status(Status.INVALID_ARGUMENT, "bad key ring name " + name);
            }
            synchronized (InProcessCloudKms.this) {
              if (keyRings.containsKey(name)) {
                throw status(Status.ALREADY_EXISTS, name);
              }
              KeyRing ring = KeyRing.newBuilder().setName(name).build();
              keyRings.put(name, ring);
              return ring;
            }
          });
    }

    @Override
    public void createCryptoKey(CreateCryptoKeyRequest req, StreamObserver<CryptoKey> out) {
      answer(
          out,
          () -> {
            String name = req.getParent() + "/cryptoKeys/" + req.getCryptoKeyId();
            if (!req.getCryptoKeyId().matches("[A-Za-z0-9_-]{1,63}")) {
              throw status(Status.INVALID_ARGUMENT, "bad crypto key id");
            }
            if (req.getCryptoKey().getPurpose() != CryptoKeyPurpose.ENCRYPT_DECRYPT) {
              throw status(
                  Status.INVALID_ARGUMENT, "this server supports ENCRYPT_DECRYPT keys only");
            }
            synchronized (InProcessCloudKms.this) {
              if (!keyRings.containsKey(req.getParent())) {
                throw status(Status.NOT_FOUND, req.getParent());
              }
              if (keys.containsKey(name)) {
                throw status(Status.ALREADY_EXISTS, name);
              }
              ProtectionLevel protection =
                  req.getCryptoKey().getVersionTemplate().getProtectionLevel()
                          == ProtectionLevel.HSM
                      ? ProtectionLevel.HSM
                      : ProtectionLevel.SOFTWARE;
              KeyState k = new KeyState(req.getCryptoKey().toBuilder().setName(name), protection);
              keys.put(name, k);
              if (!req.getSkipInitialVersionCreation()) {
                k.primary = newVersion(k);
              }
              return view(k);
            }
          });
    }

    @Override
    public void getCryptoKey(GetCryptoKeyRequest req, StreamObserver<CryptoKey> out) {
      answer(
          out,
          () -> {
            if (denyGetCryptoKey) {
              throw status(
                  Status.PERMISSION_DENIED,
                  "Permission 'cloudkms.cryptoKeys.get' denied on resource '"
                      + req.getName()
                      + "'");
            }
            synchronized (InProcessCloudKms.this) {
              return view(key(req.getName()));
            }
          });
    }

    @Override
    public void createCryptoKeyVersion(
        CreateCryptoKeyVersionRequest req, StreamObserver<CryptoKeyVersion> out) {
      answer(
          out,
          () -> {
            synchronized (InProcessCloudKms.this) {
              KeyState k = key(req.getParent());
              return k.versions.get(newVersion(k));
            }
          });
    }

    @Override
    public void updateCryptoKeyPrimaryVersion(
        UpdateCryptoKeyPrimaryVersionRequest req, StreamObserver<CryptoKey> out) {
      answer(
          out,
          () -> {
            synchronized (InProcessCloudKms.this) {
              KeyState k = key(req.getName());
              int id = parseVersionId(req.getCryptoKeyVersionId());
              CryptoKeyVersion v = k.versions.get(id);
              if (v == null) {
                throw status(Status.NOT_FOUND, req.getName() + "/cryptoKeyVersions/" + id);
              }
              if (v.getState() != CryptoKeyVersionState.ENABLED) {
                throw status(Status.FAILED_PRECONDITION, v.getName() + " is " + v.getState());
              }
              k.primary = id;
              return view(k);
            }
          });
    }

    @Override
    public void destroyCryptoKeyVersion(
        DestroyCryptoKeyVersionRequest req, StreamObserver<CryptoKeyVersion> out) {
      answer(
          out,
          () -> {
            synchronized (InProcessCloudKms.this) {
              int at = req.getName().lastIndexOf("/cryptoKeyVersions/");
              if (at < 0) {
                throw status(Status.INVALID_ARGUMENT, "not a key version name: " + req.getName());
              }
              KeyState k = key(req.getName().substring(0, at));
              int id = parseVersionId(req.getName().substring(at + "/cryptoKeyVersions/".length()));
              CryptoKeyVersion v = k.versions.get(id);
              if (v == null) {
                throw status(Status.NOT_FOUND, req.getName());
              }
              if (v.getState() != CryptoKeyVersionState.ENABLED
                  && v.getState() != CryptoKeyVersionState.DISABLED) {
                throw status(Status.FAILED_PRECONDITION, v.getName() + " is " + v.getState());
              }
              CryptoKeyVersion destroyed =
                  v.toBuilder().setState(CryptoKeyVersionState.DESTROY_SCHEDULED).build();
              k.versions.put(id, destroyed);
              return destroyed;
            }
          });
    }

    @Override
    public void encrypt(EncryptRequest req, StreamObserver<EncryptResponse> out) {
      encryptCalls.incrementAndGet();
      count("Encrypt", req.getName());
      answer(
          out,
          () -> {
            Fault fault = fault(req.getName());
            byte[] plaintext = req.getPlaintext().toByteArray();
            if (fault == Fault.CORRUPT_REQUEST) {
              plaintext[0] ^= 1;
            }
            byte[] aad = req.getAdditionalAuthenticatedData().toByteArray();
            verifyCrc("plaintext", plaintext, req.hasPlaintextCrc32C(), req.getPlaintextCrc32C());
            verifyCrc(
                "additional_authenticated_data",
                aad,
                req.hasAdditionalAuthenticatedDataCrc32C(),
                req.getAdditionalAuthenticatedDataCrc32C());
            String versionName;
            byte[] ciphertext;
            ProtectionLevel protection;
            synchronized (InProcessCloudKms.this) {
              int at = req.getName().lastIndexOf("/cryptoKeyVersions/");
              KeyState k = key(at < 0 ? req.getName() : req.getName().substring(0, at));
              int id =
                  at < 0
                      ? k.primary
                      : parseVersionId(
                          req.getName().substring(at + "/cryptoKeyVersions/".length()));
              CryptoKeyVersion v = k.versions.get(id);
              if (v == null) {
                throw status(Status.FAILED_PRECONDITION, req.getName() + " has no primary version");
              }
              checkSizes(k, plaintext.length, aad.length);
              if (v.getState() != CryptoKeyVersionState.ENABLED) {
                throw status(
                    Status.FAILED_PRECONDITION,
                    v.getName() + " is not enabled, current state is: " + v.getState());
              }
              versionName = v.getName();
              protection = k.protection;
              ciphertext = seal(k.material.get(id), id, plaintext, aad);
            }
            EncryptResponse.Builder r =
                EncryptResponse.newBuilder()
                    .setName(versionName)
                    .setCiphertext(ByteString.copyFrom(ciphertext))
                    .setCiphertextCrc32C(crc(ciphertext))
                    .setVerifiedPlaintextCrc32C(req.hasPlaintextCrc32C())
                    .setVerifiedAdditionalAuthenticatedDataCrc32C(
                        req.hasAdditionalAuthenticatedDataCrc32C())
                    .setProtectionLevel(protection);
            if (fault != null) {
              switch (fault) {
                case CORRUPT_CIPHERTEXT_CRC:
                  r.setCiphertextCrc32C(
                      Int64Value.of((crc(ciphertext).getValue() + 1) & 0xffffffffL));
                  break;
                case CORRUPT_CIPHERTEXT:
                  ciphertext[ciphertext.length - 1] ^= 1;
                  r.setCiphertext(ByteString.copyFrom(ciphertext));
                  break;
                case MISSING_CIPHERTEXT_CRC:
                  r.clearCiphertextCrc32C();
                  break;
                case UNVERIFIED_PLAINTEXT_CRC:
                  r.setVerifiedPlaintextCrc32C(false);
                  break;
                case UNVERIFIED_AAD_CRC:
                  r.setVerifiedAdditionalAuthenticatedDataCrc32C(false);
                  break;
                case FOREIGN_VERSION_NAME:
                  r.setName(versionName.replace("/cryptoKeys/", "/cryptoKeys/other-"));
                  break;
                default:
                  break;
              }
            }
            return r.build();
          });
    }

    @Override
    public void decrypt(DecryptRequest req, StreamObserver<DecryptResponse> out) {
      decryptCalls.incrementAndGet();
      count("Decrypt", req.getName());
      answer(
          out,
          () -> {
            Fault fault = fault(req.getName());
            byte[] ciphertext = req.getCiphertext().toByteArray();
            if (fault == Fault.CORRUPT_REQUEST) {
              ciphertext[0] ^= 1;
            }
            byte[] aad = req.getAdditionalAuthenticatedData().toByteArray();
            verifyCrc(
                "ciphertext", ciphertext, req.hasCiphertextCrc32C(), req.getCiphertextCrc32C());
            verifyCrc(
                "additional_authenticated_data",
                aad,
                req.hasAdditionalAuthenticatedDataCrc32C(),
                req.getAdditionalAuthenticatedDataCrc32C());
            byte[] plaintext;
            boolean usedPrimary;
            ProtectionLevel protection;
            synchronized (InProcessCloudKms.this) {
              KeyState k = key(req.getName());
              checkSizes(k, 0, aad.length);
              if (ciphertext.length < HEADER + NONCE + 16) {
                throw status(
                    Status.INVALID_ARGUMENT, "Decryption failed: the ciphertext is invalid.");
              }
              int id = ByteBuffer.wrap(ciphertext, 0, HEADER).getInt();
              CryptoKeyVersion v = k.versions.get(id);
              if (v == null) {
                throw status(
                    Status.INVALID_ARGUMENT, "Decryption failed: the ciphertext is invalid.");
              }
              if (v.getState() != CryptoKeyVersionState.ENABLED) {
                throw status(
                    Status.FAILED_PRECONDITION,
                    "The request cannot be fulfilled. Resource "
                        + v.getName()
                        + " is not enabled, current state is: "
                        + v.getState());
              }
              plaintext = open(k.material.get(id), ciphertext, aad);
              usedPrimary = id == k.primary;
              protection = k.protection;
            }
            DecryptResponse.Builder r =
                DecryptResponse.newBuilder()
                    .setPlaintext(ByteString.copyFrom(plaintext))
                    .setPlaintextCrc32C(crc(plaintext))
                    .setUsedPrimary(usedPrimary)
                    .setProtectionLevel(protection);
            if (fault == Fault.CORRUPT_PLAINTEXT_CRC) {
              r.setPlaintextCrc32C(Int64Value.of((crc(plaintext).getValue() + 1) & 0xffffffffL));
            } else if (fault == Fault.CORRUPT_PLAINTEXT) {
              plaintext[0] ^= 1;
              r.setPlaintext(ByteString.copyFrom(plaintext));
            }
            return r.build();
          });
    }
  }

  /** Applies the call-level faults; returns the next fault for the response to apply, or null. */
  private Fault fault(String keyName) {
    Fault f = nextFault(keyName);
    if (f == Fault.UNAVAILABLE) {
      throw status(Status.UNAVAILABLE, "injected: service unavailable");
    }
    if (f == Fault.RESOURCE_EXHAUSTED) {
      throw status(Status.RESOURCE_EXHAUSTED, "injected: quota exceeded");
    }
    if (f == Fault.SLOW) {
      Context call = Context.current();
      slowCallsHeld.release();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!call.isCancelled() && System.nanoTime() < until) {
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw status(Status.CANCELLED, "server shutting down");
        }
      }
    }
    return f;
  }

  private KeyState key(String name) {
    if (denied.contains(name)) {
      throw status(
          Status.PERMISSION_DENIED,
          "Permission 'cloudkms.cryptoKeyVersions.useToEncrypt' denied on resource '" + name + "'");
    }
    KeyState k = keys.get(name);
    if (k == null) {
      throw status(Status.NOT_FOUND, name + " not found.");
    }
    return k;
  }

  private static void checkSizes(KeyState k, int plaintext, int aad) {
    if (plaintext > MAX_BYTES || aad > MAX_BYTES) {
      throw status(Status.INVALID_ARGUMENT, "plaintext or additional_authenticated_data too large");
    }
    if (k.protection == ProtectionLevel.HSM && plaintext + aad > MAX_HSM_COMBINED) {
      throw status(
          Status.INVALID_ARGUMENT,
          "The combined length of the plaintext and additional_authenticated_data fields exceeds"
              + " 8192");
    }
  }

  private int newVersion(KeyState k) {
    int id = k.nextVersion++;
    byte[] material = new byte[32];
    random.nextBytes(material);
    k.material.put(id, material);
    k.versions.put(
        id,
        CryptoKeyVersion.newBuilder()
            .setName(k.key.getName() + "/cryptoKeyVersions/" + id)
            .setState(CryptoKeyVersionState.ENABLED)
            .setProtectionLevel(k.protection)
            .setAlgorithm(CryptoKeyVersionAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION)
            .build());
    return id;
  }

  private static CryptoKey view(KeyState k) {
    CryptoKey.Builder b = k.key.clone();
    if (k.versions.containsKey(k.primary)) {
      b.setPrimary(k.versions.get(k.primary));
    }
    return b.build();
  }

  private static int parseVersionId(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw status(Status.INVALID_ARGUMENT, "bad key version id " + s);
    }
  }

  private static void verifyCrc(String field, byte[] data, boolean present, Int64Value crc) {
    if (present && crc.getValue() != crc(data).getValue()) {
      throw status(
          Status.INVALID_ARGUMENT,
          "The checksum in field "
              + field
              + "_crc32c did not match the data in field "
              + field
              + ".");
    }
  }

  /** {@code version(4) || nonce(12) || AES-256-GCM(plaintext, aad = version(4) || aad)}. */
  private byte[] seal(byte[] material, int version, byte[] plaintext, byte[] aad) {
    try {
      byte[] out = new byte[HEADER + NONCE + plaintext.length + 16];
      ByteBuffer.wrap(out).putInt(version);
      byte[] nonce = new byte[NONCE];
      random.nextBytes(nonce);
      System.arraycopy(nonce, 0, out, HEADER, NONCE);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(material, "AES"),
          new GCMParameterSpec(128, nonce));
      c.updateAAD(out, 0, HEADER);
      c.updateAAD(aad);
      c.doFinal(plaintext, 0, plaintext.length, out, HEADER + NONCE);
      return out;
    } catch (GeneralSecurityException e) {
      throw status(Status.INTERNAL, "encrypt failed");
    }
  }

  private static byte[] open(byte[] material, byte[] ciphertext, byte[] aad) {
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(material, "AES"),
          new GCMParameterSpec(128, ciphertext, HEADER, NONCE));
      c.updateAAD(ciphertext, 0, HEADER);
      c.updateAAD(aad);
      return c.doFinal(ciphertext, HEADER + NONCE, ciphertext.length - HEADER - NONCE);
    } catch (AEADBadTagException e) {
      throw status(Status.INVALID_ARGUMENT, "Decryption failed: the ciphertext is invalid.");
    } catch (GeneralSecurityException e) {
      throw status(Status.INTERNAL, "decrypt failed");
    }
  }

  static Int64Value crc(byte[] data) {
    CRC32C c = new CRC32C();
    c.update(data, 0, data.length);
    return Int64Value.of(c.getValue());
  }

  private interface Call<T> {
    T run();
  }

  private static <T> void answer(StreamObserver<T> out, Call<T> call) {
    T response;
    try {
      response = call.run();
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    out.onNext(response);
    out.onCompleted();
  }
}
