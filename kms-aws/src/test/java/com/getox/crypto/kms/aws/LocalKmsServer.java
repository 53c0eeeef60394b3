package com.getox.crypto.kms.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * A local AWS KMS for tests: the KMS JSON 1.1 protocol ({@code X-Amz-Target: TrentService.*}) over
 * real HTTP/1.1 (or HTTPS) on 127.0.0.1, SigV4 verification, AES-256-GCM ciphertext blobs bound to
 * the encryption context, key material versions (rotation), key states, aliases, multi-Region
 * keys with replicas, cross-account access checks, and fault injection.
 *
 * <pre>{@code
 * try (LocalKmsServer kms = LocalKmsServer.startHttp()) {
 *   KmsClient client = AwsKms.clientBuilder().region("eu-west-1").endpointOverride(kms.endpoint())
 *       .credentialsProvider(kms.newAccount("111122223333")).build();
 * }
 * }</pre>
 *
 * <p>The Region of a request is the one in its SigV4 credential scope, so one server plays every
 * Region. It is a test fixture, not a KMS: keys live in memory and are never protected.
 */
final class LocalKmsServer implements AutoCloseable {

  /** A fault served instead of (or around) the next request's normal answer. */
  enum Fault {
    /** HTTP 400 ThrottlingException. */
    THROTTLE,
    /** HTTP 500 KMSInternalException. */
    INTERNAL_ERROR,
    /** HTTP 503 DependencyTimeoutException. */
    DEPENDENCY_TIMEOUT,
    /** HTTP 500 KeyUnavailableException. */
    KEY_UNAVAILABLE,
    /** HTTP 502 with an HTML body, as a broken load balancer answers. */
    BAD_GATEWAY_HTML,
    /**
     * Reads the request and never answers: holds the connection until the client hangs up (or the
     * server closes). A client timeout fires on it however fast or slow the machine is.
     */
    HANG,
    /** Reads the request, then closes the connection without answering. */
    DROP_CONNECTION,
    /** HTTP 200 with a JSON body cut off in the middle of a Plaintext field. */
    MALFORMED_BODY,
    /** Answers normally, but names another key in the response's KeyId. */
    WRONG_KEY_ID
  }

  /** The start of the Plaintext that {@link Fault#MALFORMED_BODY} cuts off: must never be echoed. */
  static final String MALFORMED_PLAINTEXT_BASE64 = "c2VjcmV0LWRlay1ieXRlcw";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] BLOB_MAGIC = {'O', 'X', 'K', '1'};
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final ServerSocket server;
  private final ExecutorService threads;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private final Map<String, Principal> principals = new ConcurrentHashMap<>();
  private final Map<String, Key> keys = new HashMap<>(); // region/account/keyId
  private final Map<String, String> aliases = new HashMap<>(); // region/account/alias/name -> id
  private final Deque<Fault> faults = new ArrayDeque<>();
  private final Map<String, AtomicInteger> requestCounts = new ConcurrentHashMap<>();
  private final AtomicInteger rejectedAuth = new AtomicInteger();
  private final AtomicInteger received = new AtomicInteger();
  private final List<String> tlsProtocols = new CopyOnWriteArrayList<>();
  /** Blob to the context it was sealed with, for {@link #ignoreContext}. */
  private final Map<String, byte[]> sealedContexts = new ConcurrentHashMap<>();
  private volatile boolean ignoreContext;

  private LocalKmsServer(ServerSocket server) {
    this.server = server;
    this.threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "local-kms");
              t.setDaemon(true);
              return t;
            });
    threads.execute(this::acceptLoop);
  }

  /** A plain-HTTP server on an ephemeral port of 127.0.0.1. */
  static LocalKmsServer startHttp() throws IOException {
    return new LocalKmsServer(
        new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
  }

  /** An HTTPS server presenting the key in {@code keyStore}, speaking only {@code protocols}. */
  static LocalKmsServer startHttps(KeyStore keyStore, char[] password, String... protocols)
      throws IOException, GeneralSecurityException {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keyStore, password);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    SSLServerSocket s =
        (SSLServerSocket)
            ctx.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    s.setEnabledProtocols(protocols);
    return new LocalKmsServer(s);
  }

  URI endpoint() {
    String scheme = server instanceof SSLServerSocket ? "https" : "http";
    return URI.create(scheme + "://127.0.0.1:" + server.getLocalPort());
  }

  /** Creates a principal in {@code account} and returns its credentials. */
  StaticCredentialsProvider newAccount(String account) {
    String accessKey = "AKIA" + HexFormat.of().formatHex(randomBytes(8)).toUpperCase(Locale.ROOT);
    String secret = Base64.getEncoder().encodeToString(randomBytes(30));
    principals.put(accessKey, new Principal(secret, account));
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secret));
  }

  /** Lets principals of {@code account} use the key {@code keyArn} (a key policy grant). */
  synchronized void grant(String keyArn, String account) {
    KeyArn arn = KeyArn.parseArn(keyArn);
    keys.get(arn.region + "/" + arn.account + "/" + arn.keyId).granted.add(account);
  }

  /** Serves {@code fault} to the next {@code times} requests (after those already queued). */
  synchronized void inject(Fault fault, int times) {
    for (int i = 0; i < times; i++) {
      faults.add(fault);
    }
  }

  synchronized void clearFaults() {
    faults.clear();
  }

  /**
   * Plays a broken (or hostile) KMS that does not check the encryption context: Decrypt and
   * ReEncrypt open a blob sealed while this is on whatever context the request names.
   */
  void ignoreContext(boolean ignore) {
    this.ignoreContext = ignore;
  }

  /** Requests received for {@code operation} (such as "Decrypt") that passed SigV4, faults included. */
  int requests(String operation) {
    AtomicInteger n = requestCounts.get(operation);
    return n == null ? 0 : n.get();
  }

  /** Every HTTP request read off a connection, whatever its method, path or signature. */
  int receivedRequests() {
    return received.get();
  }

  /** Requests rejected for a missing or bad SigV4 signature. */
  int rejectedSignatures() {
    return rejectedAuth.get();
  }

  /** The TLS protocol of every handshake, in order ("failed" for a failed one). */
  List<String> tlsProtocols() {
    return tlsProtocols;
  }

  /** The key material version a blob was encrypted under (0 is the key's first material). */
  static int materialVersion(byte[] blob) {
    ByteBuffer b = ByteBuffer.wrap(blob);
    b.position(BLOB_MAGIC.length);
    b.position(b.position() + 1 + (b.get(b.position()) & 0xff));
    b.position(b.position() + 1 + (b.get(b.position()) & 0xff));
    return b.getInt();
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    for (Socket s : open) {
      s.close();
    }
    threads.shutdownNow();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- HTTP/1.1

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket s = server.accept();
        open.add(s);
        threads.execute(() -> serveConnection(s));
      } catch (IOException e) {
        if (!closed) {
          sleepQuietly(10);
        }
      } catch (java.util.concurrent.RejectedExecutionException e) {
        return;
      }
    }
  }

  private void serveConnection(Socket socket) {
    try (Socket s = socket) {
      s.setSoTimeout(30_000);
      // As a real server does: without it, Nagle held each response's body behind its unacked
      // head until the client's delayed ACK (40 ms on Linux loopback) on every request.
      s.setTcpNoDelay(true);
      if (s instanceof SSLSocket) {
        try {
          ((SSLSocket) s).startHandshake();
          tlsProtocols.add(((SSLSocket) s).getSession().getProtocol());
        } catch (IOException e) {
          tlsProtocols.add("failed");
          return;
        }
      }
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = new BufferedOutputStream(s.getOutputStream()); // head + body: one write
      while (!closed) {
        HttpRequest req = HttpRequest.read(in);
        if (req == null) {
          return;
        }
        received.incrementAndGet();
        HttpResponse resp = handle(req);
        if (resp == null) {
          return; // dropped connection
        }
        if (resp == NO_ANSWER) {
          while (in.read() != -1) {
            // Hang: wait for the client to hang up (or the socket timeout, or close()).
          }
          return;
        }
        resp.write(out);
        if ("close".equalsIgnoreCase(req.header("connection"))) {
          return;
        }
      }
    } catch (IOException e) {
      // Client went away (timeouts do that): nothing to answer.
    } finally {
      open.remove(socket);
    }
  }

  private static final class HttpRequest {
    String method;
    String path;
    final Map<String, List<String>> headers = new TreeMap<>();
    byte[] body;

    String header(String name) {
      List<String> v = headers.get(name);
      return v == null ? null : String.join(",", v);
    }

    static HttpRequest read(InputStream in) throws IOException {
      String line = readLine(in);
      if (line == null) {
        return null;
      }
      HttpRequest r = new HttpRequest();
      String[] parts = line.split(" ");
      if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
        throw new IOException("bad request line");
      }
      r.method = parts[0];
      r.path = parts[1];
      int total = 0;
      for (String h = readLine(in); h != null && !h.isEmpty(); h = readLine(in)) {
        if ((total += h.length()) > 64 * 1024) {
          throw new IOException("headers too large");
        }
        int c = h.indexOf(':');
        if (c <= 0) {
          throw new IOException("bad header");
        }
        r.headers
            .computeIfAbsent(h.substring(0, c).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
            .add(h.substring(c + 1).trim());
      }
      String length = r.header("content-length");
      int n = length == null ? 0 : Integer.parseInt(length);
      if (n < 0 || n > 1 << 20) {
        throw new IOException("bad content-length");
      }
      r.body = in.readNBytes(n);
      if (r.body.length != n) {
        throw new IOException("truncated body");
      }
      return r;
    }

    private static String readLine(InputStream in) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != -1) {
        if (b == '\n') {
          byte[] bytes = line.toByteArray();
          int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
          return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
        }
        if (line.size() > 16 * 1024) {
          throw new IOException("line too long");
        }
        line.write(b);
      }
      return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static final class HttpResponse {
    final int status;
    final String reason;
    final String contentType;
    final byte[] body;

    HttpResponse(int status, String reason, String contentType, byte[] body) {
      this.status = status;
      this.reason = reason;
      this.contentType = contentType;
      this.body = body;
    }

    void write(OutputStream out) throws IOException {
      String head =
          "HTTP/1.1 " + status + " " + reason + "\r\n"
              + "Content-Type: " + contentType + "\r\n"
              + "Content-Length: " + body.length + "\r\n"
              + "x-amzn-RequestId: " + UUID.randomUUID() + "\r\n"
              + "\r\n";
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
    }
  }

  /** {@link Fault#HANG}: no answer at all. */
  private static final HttpResponse NO_ANSWER = new HttpResponse(0, "", "", new byte[0]);

  private static HttpResponse json(int status, JsonNode body) {
    try {
      return new HttpResponse(
          status,
          status == 200 ? "OK" : "Error",
          "application/x-amz-json-1.1",
          JSON.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static HttpResponse error(int status, String type, String message) {
    ObjectNode n = JSON.createObjectNode();
    n.put("__type", type);
    n.put("message", message);
    return json(status, n);
  }

  // ---------------------------------------------------------------- dispatch, faults

  private HttpResponse handle(HttpRequest req) {
    if (!"POST".equals(req.method) || !"/".equals(req.path)) {
      return error(404, "UnknownOperationException", "only POST / is served");
    }
    Caller caller;
    try {
      caller = verifySigV4(req);
    } catch (KmsError e) {
      rejectedAuth.incrementAndGet();
      return error(e.status, e.type, e.getMessage());
    }
    String target = req.header("x-amz-target");
    if (target == null || !target.startsWith("TrentService.")) {
      return error(400, "UnknownOperationException", "X-Amz-Target must be TrentService.<Op>");
    }
    String op = target.substring("TrentService.".length());
    requestCounts.computeIfAbsent(op, k -> new AtomicInteger()).incrementAndGet();
    Fault fault;
    synchronized (this) {
      fault = faults.poll();
    }
    if (fault != null) {
      switch (fault) {
        case THROTTLE:
          return error(400, "ThrottlingException", "Rate exceeded");
        case INTERNAL_ERROR:
          return error(500, "KMSInternalException", "injected internal error");
        case DEPENDENCY_TIMEOUT:
          return error(503, "DependencyTimeoutException", "injected dependency timeout");
        case KEY_UNAVAILABLE:
          return error(500, "KeyUnavailableException", "injected key unavailable");
        case BAD_GATEWAY_HTML:
          return new HttpResponse(
              502, "Bad Gateway", "text/html",
              "<html><body>502 Bad Gateway</body></html>".getBytes(StandardCharsets.UTF_8));
        case DROP_CONNECTION:
          return null;
        case HANG:
          return NO_ANSWER;
        case MALFORMED_BODY:
          return new HttpResponse(
              200, "OK", "application/x-amz-json-1.1",
              ("{\"Plaintext\":\"" + MALFORMED_PLAINTEXT_BASE64).getBytes(StandardCharsets.UTF_8));
        default:
          break;
      }
    }
    JsonNode in;
    try {
      in = req.body.length == 0 ? JSON.createObjectNode() : JSON.readTree(req.body);
      if (in == null || !in.isObject()) {
        throw new IOException("not an object");
      }
    } catch (IOException e) {
      return error(400, "SerializationException", "request body is not a JSON object");
    }
    try {
      ObjectNode out;
      synchronized (this) {
        out = dispatch(op, (ObjectNode) in, caller);
      }
      if (fault == Fault.WRONG_KEY_ID && out.has("KeyId")) {
        KeyArn real = KeyArn.parseArn(out.get("KeyId").asText());
        out.put(
            "KeyId",
            "arn:" + real.partition + ":kms:" + real.region + ":" + real.account + ":key/"
                + UUID.randomUUID());
      }
      return json(200, out);
    } catch (KmsError e) {
      return error(e.status, e.type, e.getMessage());
    }
  }

  private ObjectNode dispatch(String op, ObjectNode in, Caller c) throws KmsError {
    switch (op) {
      case "CreateKey":
        return createKey(in, c);
      case "DescribeKey":
        {
          ObjectNode out = JSON.createObjectNode();
          out.set("KeyMetadata", ownKey(in, "KeyId", c).metadata());
          return out;
        }
      case "ReplicateKey":
        return replicateKey(in, c);
      case "CreateAlias":
        return putAlias(in, c, false);
      case "UpdateAlias":
        return putAlias(in, c, true);
      case "Encrypt":
        return encrypt(in, c);
      case "GenerateDataKey":
        return generateDataKey(in, c);
      case "Decrypt":
        return decrypt(in, c);
      case "ReEncrypt":
        return reEncrypt(in, c);
      case "EnableKeyRotation":
        return setRotation(in, c, true);
      case "DisableKeyRotation":
        return setRotation(in, c, false);
      case "GetKeyRotationStatus":
        {
          Key k = ownKey(in, "KeyId", c);
          return JSON.createObjectNode().put("KeyRotationEnabled", k.rotation).put("KeyId", k.arn());
        }
      case "RotateKeyOnDemand":
        {
          Key k = ownKey(in, "KeyId", c);
          requireUsable(k);
          k.materials.rotate();
          return JSON.createObjectNode().put("KeyId", k.arn());
        }
      case "DisableKey":
        return setState(in, c, "Disabled");
      case "EnableKey":
        return setState(in, c, "Enabled");
      case "ScheduleKeyDeletion":
        {
          Key k = ownKey(in, "KeyId", c);
          int days = in.path("PendingWindowInDays").asInt(30);
          if (days < 7 || days > 30) {
            throw new KmsError(400, "ValidationException", "PendingWindowInDays must be 7 to 30");
          }
          k.state = "PendingDeletion";
          return JSON.createObjectNode()
              .put("KeyId", k.arn())
              .put("DeletionDate", Instant.now().plus(Duration.ofDays(days)).getEpochSecond())
              .put("KeyState", k.state)
              .put("PendingWindowInDays", days);
        }
      default:
        throw new KmsError(400, "UnknownOperationException", "operation " + op + " is not served");
    }
  }

  // ---------------------------------------------------------------- SigV4

  private static final class Principal {
    final String secret;
    final String account;

    Principal(String secret, String account) {
      this.secret = secret;
      this.account = account;
    }
  }

  private static final class Caller {
    final String account;
    final String region;

    Caller(String account, String region) {
      this.account = account;
      this.region = region;
    }
  }

  private Caller verifySigV4(HttpRequest req) throws KmsError {
    String auth = req.header("authorization");
    if (auth == null) {
      throw new KmsError(400, "MissingAuthenticationTokenException", "Missing Authentication Token");
    }
    String prefix = "AWS4-HMAC-SHA256 ";
    if (!auth.startsWith(prefix)) {
      throw new KmsError(400, "IncompleteSignatureException", "only AWS4-HMAC-SHA256 is accepted");
    }
    Map<String, String> parts = new HashMap<>();
    for (String p : auth.substring(prefix.length()).split(",")) {
      int eq = p.indexOf('=');
      if (eq > 0) {
        parts.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
      }
    }
    String credential = parts.get("Credential");
    String signedHeaders = parts.get("SignedHeaders");
    String signature = parts.get("Signature");
    String amzDate = req.header("x-amz-date");
    if (credential == null || signedHeaders == null || signature == null || amzDate == null) {
      throw new KmsError(400, "IncompleteSignatureException", "incomplete SigV4 authorization");
    }
    String[] scope = credential.split("/");
    if (scope.length != 5 || !"kms".equals(scope[3]) || !"aws4_request".equals(scope[4])) {
      throw new KmsError(400, "IncompleteSignatureException", "bad credential scope");
    }
    Principal principal = principals.get(scope[0]);
    if (principal == null) {
      throw new KmsError(
          400, "UnrecognizedClientException", "The security token included in the request is invalid.");
    }
    Instant when;
    try {
      when = Instant.from(AMZ_DATE.parse(amzDate));
    } catch (RuntimeException e) {
      throw new KmsError(400, "IncompleteSignatureException", "bad X-Amz-Date");
    }
    if (Duration.between(when, Instant.now()).abs().compareTo(Duration.ofMinutes(5)) > 0
        || !amzDate.startsWith(scope[1])) {
      throw new KmsError(400, "InvalidSignatureException", "Signature expired or date mismatch");
    }
    List<String> signed = List.of(signedHeaders.split(";"));
    for (String required : List.of("host", "x-amz-date", "x-amz-target")) {
      if (!signed.contains(required)) {
        throw new KmsError(400, "InvalidSignatureException", required + " must be signed");
      }
    }
    StringBuilder canonical = new StringBuilder();
    canonical.append(req.method).append('\n').append(req.path).append('\n').append('\n');
    for (String h : signed) {
      String v = req.header(h);
      if (v == null) {
        throw new KmsError(400, "InvalidSignatureException", "signed header " + h + " is missing");
      }
      canonical.append(h).append(':').append(v.trim().replaceAll("\\s+", " ")).append('\n');
    }
    canonical.append('\n').append(signedHeaders).append('\n').append(hex(sha256(req.body)));
    String stringToSign =
        "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope[1] + "/" + scope[2] + "/kms/aws4_request\n"
            + hex(sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
    byte[] k = hmac(("AWS4" + principal.secret).getBytes(StandardCharsets.UTF_8), scope[1]);
    k = hmac(k, scope[2]);
    k = hmac(k, "kms");
    k = hmac(k, "aws4_request");
    byte[] expected = hex(hmac(k, stringToSign)).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII))) {
      throw new KmsError(
          400,
          "InvalidSignatureException",
          "The request signature we calculated does not match the signature you provided.");
    }
    return new Caller(principal.account, scope[2]);
  }

  // ---------------------------------------------------------------- keys

  /** Key material versions, shared by the replicas of a multi-Region key. */
  private static final class Materials {
    final List<byte[]> versions = new ArrayList<>();

    Materials() {
      rotate();
    }

    void rotate() {
      versions.add(randomBytes(32));
    }

    int current() {
      return versions.size() - 1;
    }
  }

  private static final class Key {
    final String region;
    final String account;
    final String id;
    final Materials materials;
    final Set<String> granted = new HashSet<>();
    final long created = Instant.now().getEpochSecond();
    String state = "Enabled";
    boolean rotation;

    Key(String region, String account, String id, Materials materials) {
      this.region = region;
      this.account = account;
      this.id = id;
      this.materials = materials;
    }

    String arn() {
      return "arn:aws:kms:" + region + ":" + account + ":key/" + id;
    }

    ObjectNode metadata() {
      ObjectNode m = JSON.createObjectNode();
      m.put("AWSAccountId", account);
      m.put("KeyId", id);
      m.put("Arn", arn());
      m.put("CreationDate", created);
      m.put("Enabled", "Enabled".equals(state));
      m.put("KeyState", state);
      m.put("KeyUsage", "ENCRYPT_DECRYPT");
      m.put("KeySpec", "SYMMETRIC_DEFAULT");
      m.put("Origin", "AWS_KMS");
      m.put("KeyManager", "CUSTOMER");
      m.put("MultiRegion", id.startsWith("mrk-"));
      m.putArray("EncryptionAlgorithms").add("SYMMETRIC_DEFAULT");
      return m;
    }
  }

  private ObjectNode createKey(ObjectNode in, Caller c) throws KmsError {
    String spec = in.path("KeySpec").asText("SYMMETRIC_DEFAULT");
    if (!"SYMMETRIC_DEFAULT".equals(spec)
        || !"ENCRYPT_DECRYPT".equals(in.path("KeyUsage").asText("ENCRYPT_DECRYPT"))) {
      throw new KmsError(400, "ValidationException", "only SYMMETRIC_DEFAULT ENCRYPT_DECRYPT keys");
    }
    boolean mrk = in.path("MultiRegion").asBoolean(false);
    String id =
        mrk
            ? "mrk-" + HexFormat.of().formatHex(randomBytes(16))
            : UUID.randomUUID().toString();
    Key k = new Key(c.region, c.account, id, new Materials());
    keys.put(c.region + "/" + c.account + "/" + id, k);
    ObjectNode out = JSON.createObjectNode();
    out.set("KeyMetadata", k.metadata());
    return out;
  }

  private ObjectNode replicateKey(ObjectNode in, Caller c) throws KmsError {
    Key primary = ownKey(in, "KeyId", c);
    String region = in.path("ReplicaRegion").asText("");
    if (!primary.id.startsWith("mrk-")) {
      throw new KmsError(400, "UnsupportedOperationException", "not a multi-Region key");
    }
    String slot = region + "/" + primary.account + "/" + primary.id;
    if (region.isEmpty() || keys.containsKey(slot)) {
      throw new KmsError(400, "AlreadyExistsException", "replica exists in " + region);
    }
    Key replica = new Key(region, primary.account, primary.id, primary.materials);
    keys.put(slot, replica);
    ObjectNode out = JSON.createObjectNode();
    out.set("ReplicaKeyMetadata", replica.metadata());
    return out;
  }

  private ObjectNode putAlias(ObjectNode in, Caller c, boolean update) throws KmsError {
    String name = in.path("AliasName").asText("");
    if (!name.matches("alias/[A-Za-z0-9/_-]{1,250}") || name.startsWith("alias/aws/")) {
      throw new KmsError(400, "ValidationException", "bad alias name " + name);
    }
    Key target = ownKey(in, "TargetKeyId", c);
    if (!target.account.equals(c.account)) {
      throw new KmsError(400, "AccessDeniedException", "aliases point at keys of your account");
    }
    String slot = c.region + "/" + c.account + "/" + name;
    if (update != aliases.containsKey(slot)) {
      throw update
          ? new KmsError(400, "NotFoundException", "Alias " + name + " is not found.")
          : new KmsError(400, "AlreadyExistsException", "Alias " + name + " already exists");
    }
    aliases.put(slot, target.id);
    return JSON.createObjectNode();
  }

  private ObjectNode setRotation(ObjectNode in, Caller c, boolean enabled) throws KmsError {
    Key k = ownKey(in, "KeyId", c);
    requireUsable(k);
    if (in.has("RotationPeriodInDays")) {
      int days = in.get("RotationPeriodInDays").asInt();
      if (days < 90 || days > 2560) {
        throw new KmsError(400, "ValidationException", "RotationPeriodInDays must be 90 to 2560");
      }
    }
    k.rotation = enabled;
    return JSON.createObjectNode();
  }

  private ObjectNode setState(ObjectNode in, Caller c, String state) throws KmsError {
    Key k = ownKey(in, "KeyId", c);
    if ("PendingDeletion".equals(k.state)) {
      throw new KmsError(400, "KMSInvalidStateException", k.arn() + " is pending deletion.");
    }
    k.state = state;
    return JSON.createObjectNode();
  }

  /** Resolves a KeyId parameter (id, key ARN, alias name, alias ARN) and checks access. */
  private Key ownKey(ObjectNode in, String field, Caller c) throws KmsError {
    String ref = in.path(field).asText("");
    if (ref.isEmpty()) {
      throw new KmsError(400, "ValidationException", field + " is required");
    }
    String account = c.account;
    String id;
    if (ref.startsWith("arn:")) {
      KeyArn arn = KeyArn.parseArn(ref);
      if (arn == null || !arn.region.equals(c.region)) {
        throw new KmsError(400, "NotFoundException", "Invalid arn " + ref + " in " + c.region);
      }
      account = arn.account;
      id = arn.isAlias() ? aliases.get(c.region + "/" + account + "/" + arn.alias) : arn.keyId;
    } else if (ref.startsWith("alias/")) {
      id = aliases.get(c.region + "/" + account + "/" + ref);
    } else {
      id = ref;
    }
    Key k = id == null ? null : keys.get(c.region + "/" + account + "/" + id);
    if (k == null) {
      throw new KmsError(400, "NotFoundException", "Key '" + ref + "' does not exist");
    }
    checkAccess(k, c);
    return k;
  }

  private static void checkAccess(Key k, Caller c) throws KmsError {
    if (!k.account.equals(c.account) && !k.granted.contains(c.account)) {
      throw new KmsError(
          400,
          "AccessDeniedException",
          "User in account " + c.account + " is not authorized to use " + k.arn());
    }
  }

  private static void requireUsable(Key k) throws KmsError {
    if ("Disabled".equals(k.state)) {
      throw new KmsError(400, "DisabledException", k.arn() + " is disabled.");
    }
    if (!"Enabled".equals(k.state)) {
      throw new KmsError(400, "KMSInvalidStateException", k.arn() + " is " + k.state + ".");
    }
  }

  // ---------------------------------------------------------------- cryptographic operations

  private ObjectNode encrypt(ObjectNode in, Caller c) throws KmsError {
    Key k = ownKey(in, "KeyId", c);
    byte[] plaintext = base64(in, "Plaintext");
    if (plaintext.length < 1 || plaintext.length > 4096) {
      throw new KmsError(400, "ValidationException", "Plaintext must be 1 to 4096 bytes");
    }
    checkAlgorithm(in, "EncryptionAlgorithm");
    requireUsable(k);
    byte[] blob = seal(k, plaintext, context(in, "EncryptionContext"));
    ObjectNode out = JSON.createObjectNode();
    out.put("CiphertextBlob", blob);
    out.put("KeyId", k.arn());
    out.put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    return out;
  }

  private ObjectNode generateDataKey(ObjectNode in, Caller c) throws KmsError {
    Key k = ownKey(in, "KeyId", c);
    int n;
    if (in.has("NumberOfBytes")) {
      n = in.get("NumberOfBytes").asInt();
      if (n < 1 || n > 1024) {
        throw new KmsError(400, "ValidationException", "NumberOfBytes must be 1 to 1024");
      }
    } else {
      String spec = in.path("KeySpec").asText("");
      if ("AES_256".equals(spec)) {
        n = 32;
      } else if ("AES_128".equals(spec)) {
        n = 16;
      } else {
        throw new KmsError(400, "ValidationException", "KeySpec or NumberOfBytes is required");
      }
    }
    requireUsable(k);
    byte[] plaintext = randomBytes(n);
    ObjectNode out = JSON.createObjectNode();
    out.put("CiphertextBlob", seal(k, plaintext, context(in, "EncryptionContext")));
    out.put("Plaintext", plaintext);
    out.put("KeyId", k.arn());
    return out;
  }

  private ObjectNode decrypt(ObjectNode in, Caller c) throws KmsError {
    checkAlgorithm(in, "EncryptionAlgorithm");
    Opened o = open(in, "CiphertextBlob", "KeyId", "EncryptionContext", c);
    ObjectNode out = JSON.createObjectNode();
    out.put("KeyId", o.key.arn());
    out.put("Plaintext", o.plaintext);
    out.put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    out.put("KeyMaterialId", materialId(o.key, o.version));
    return out;
  }

  private ObjectNode reEncrypt(ObjectNode in, Caller c) throws KmsError {
    checkAlgorithm(in, "SourceEncryptionAlgorithm");
    checkAlgorithm(in, "DestinationEncryptionAlgorithm");
    Opened o = open(in, "CiphertextBlob", "SourceKeyId", "SourceEncryptionContext", c);
    Key dest = ownKey(in, "DestinationKeyId", c);
    requireUsable(dest);
    byte[] blob = seal(dest, o.plaintext, context(in, "DestinationEncryptionContext"));
    ObjectNode out = JSON.createObjectNode();
    out.put("CiphertextBlob", blob);
    out.put("SourceKeyId", o.key.arn());
    out.put("KeyId", dest.arn());
    out.put("SourceEncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    out.put("DestinationEncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    out.put("SourceKeyMaterialId", materialId(o.key, o.version));
    out.put("DestinationKeyMaterialId", materialId(dest, dest.materials.current()));
    return out;
  }

  private static final class Opened {
    final Key key;
    final int version;
    final byte[] plaintext;

    Opened(Key key, int version, byte[] plaintext) {
      this.key = key;
      this.version = version;
      this.plaintext = plaintext;
    }
  }

  /** Decrypts a blob, checking the named key (if any), access, key state and the context. */
  private Opened open(ObjectNode in, String blobField, String keyField, String ctxField, Caller c)
      throws KmsError {
    byte[] blob = base64(in, blobField);
    ByteBuffer b = ByteBuffer.wrap(blob);
    String id;
    String account;
    int version;
    int headerEnd;
    try {
      byte[] magic = new byte[BLOB_MAGIC.length];
      b.get(magic);
      if (!MessageDigest.isEqual(magic, BLOB_MAGIC)) {
        throw new IllegalArgumentException();
      }
      id = string(b);
      account = string(b);
      version = b.getInt();
      headerEnd = b.position();
      if (b.remaining() < 12 + 16) {
        throw new IllegalArgumentException();
      }
    } catch (RuntimeException e) {
      throw new KmsError(400, "InvalidCiphertextException", "ciphertext blob is malformed");
    }
    Key k = keys.get(c.region + "/" + account + "/" + id);
    if (k == null) {
      throw new KmsError(400, "InvalidCiphertextException", "no key in " + c.region + " for this blob");
    }
    if (in.hasNonNull(keyField) && ownKey(in, keyField, c) != k) {
      throw new KmsError(
          400, "IncorrectKeyException", "The key ID in the request does not identify the key of the ciphertext.");
    }
    checkAccess(k, c);
    requireUsable(k);
    if (version < 0 || version >= k.materials.versions.size()) {
      throw new KmsError(400, "InvalidCiphertextException", "unknown key material");
    }
    try {
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(k.materials.versions.get(version), "AES"),
          new GCMParameterSpec(128, blob, headerEnd, 12));
      gcm.updateAAD(blob, 0, headerEnd);
      byte[] sealedWith = ignoreContext ? sealedContexts.get(Base64.getEncoder().encodeToString(blob)) : null;
      gcm.updateAAD(sealedWith != null ? sealedWith : context(in, ctxField));
      byte[] plaintext = gcm.doFinal(blob, headerEnd + 12, blob.length - headerEnd - 12);
      return new Opened(k, version, plaintext);
    } catch (GeneralSecurityException e) {
      throw new KmsError(
          400, "InvalidCiphertextException", "ciphertext or encryption context does not match");
    }
  }

  private byte[] seal(Key k, byte[] plaintext, byte[] context) {
    int version = k.materials.current();
    byte[] id = k.id.getBytes(StandardCharsets.UTF_8);
    byte[] account = k.account.getBytes(StandardCharsets.UTF_8);
    ByteBuffer header = ByteBuffer.allocate(BLOB_MAGIC.length + 2 + id.length + account.length + 4);
    header.put(BLOB_MAGIC).put((byte) id.length).put(id).put((byte) account.length).put(account);
    header.putInt(version);
    byte[] iv = randomBytes(12);
    try {
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(k.materials.versions.get(version), "AES"),
          new GCMParameterSpec(128, iv));
      gcm.updateAAD(header.array());
      gcm.updateAAD(context);
      byte[] ct = gcm.doFinal(plaintext);
      byte[] blob =
          ByteBuffer.allocate(header.capacity() + iv.length + ct.length)
              .put(header.array())
              .put(iv)
              .put(ct)
              .array();
      if (ignoreContext) {
        sealedContexts.put(Base64.getEncoder().encodeToString(blob), context);
      }
      return blob;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The encryption context as bound into a blob: sorted entries, length-prefixed UTF-8. */
  private static byte[] context(ObjectNode in, String field) throws KmsError {
    JsonNode ctx = in.get(field);
    if (ctx == null || ctx.isNull()) {
      return new byte[0];
    }
    if (!ctx.isObject()) {
      throw new KmsError(400, "ValidationException", field + " must be a string map");
    }
    TreeMap<String, String> sorted = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : ctx.properties()) {
      if (!e.getValue().isTextual()) {
        throw new KmsError(400, "ValidationException", field + " values must be strings");
      }
      sorted.put(e.getKey(), e.getValue().asText());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      for (String s : List.of(e.getKey(), e.getValue())) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.write(bytes.length >>> 8);
        out.write(bytes.length);
        out.writeBytes(bytes);
      }
    }
    return out.toByteArray();
  }

  private static void checkAlgorithm(ObjectNode in, String field) throws KmsError {
    if (in.has(field) && !"SYMMETRIC_DEFAULT".equals(in.get(field).asText())) {
      throw new KmsError(400, "ValidationException", field + " must be SYMMETRIC_DEFAULT");
    }
  }

  private static byte[] base64(ObjectNode in, String field) throws KmsError {
    try {
      byte[] b = in.path(field).binaryValue();
      if (b == null || b.length == 0) {
        throw new KmsError(400, "ValidationException", field + " is required");
      }
      return b;
    } catch (IOException e) {
      throw new KmsError(400, "SerializationException", field + " is not base64");
    }
  }

  private static String string(ByteBuffer b) {
    byte[] s = new byte[b.get() & 0xff];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }

  private static String materialId(Key k, int version) {
    return hex(sha256((k.id + "#" + version).getBytes(StandardCharsets.UTF_8)));
  }

  // ---------------------------------------------------------------- helpers

  private static final class KmsError extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final String type;

    KmsError(int status, String type, String message) {
      super(message);
      this.status = status;
      this.type = type;
    }
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
