package com.getox.crypto.s3;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * An HTTP/1.1 proxy on loopback in front of the S3 server: counts every byte each request and
 * answer put on the wire, and injects faults (an error answer instead of forwarding, a connection
 * reset in the middle of an answer's body, a hook run before forwarding). One request per client
 * connection ("Connection: close" both ways), so nothing is parsed but heads.
 */
public final class WireProxy implements AutoCloseable {
  /** One request and its answer as they crossed the proxy. */
  static final class Exchange {
    final String method;
    final String target;
    final List<String> headers;
    final AtomicLong upBytes = new AtomicLong();
    final AtomicLong downBytes = new AtomicLong();
    final AtomicLong downBodyBytes = new AtomicLong();
    volatile int status;
    volatile boolean faulted;

    Exchange(String method, String target, List<String> headers) {
      this.method = method;
      this.target = target;
      this.headers = headers;
    }

    String header(String name) {
      String prefix = name.toLowerCase(Locale.ROOT) + ":";
      for (String h : headers) {
        if (h.toLowerCase(Locale.ROOT).startsWith(prefix)) {
          return h.substring(prefix.length()).trim();
        }
      }
      return null;
    }

    String path() {
      int q = target.indexOf('?');
      return q < 0 ? target : target.substring(0, q);
    }

    String query() {
      int q = target.indexOf('?');
      return q < 0 ? "" : target.substring(q + 1);
    }

    @Override
    public String toString() {
      return method + " " + target + " range=" + header("Range") + " -> " + status + " up "
          + upBytes + " down " + downBytes;
    }
  }

  /** A fault for the next {@code times} requests that match. */
  static final class Fault {
    final Predicate<Exchange> when;
    int times;
    final int status;
    final String code;
    final long resetAfterBodyBytes;
    final Runnable before;
    /** Forward the request, then answer {@link #status} instead of the server's answer. */
    final boolean afterForwarding;

    private Fault(Predicate<Exchange> when, int times, int status, String code, long reset,
        Runnable before, boolean afterForwarding) {
      this.when = when;
      this.times = times;
      this.status = status;
      this.code = code;
      this.resetAfterBodyBytes = reset;
      this.before = before;
      this.afterForwarding = afterForwarding;
    }
  }

  private final ServerSocket server;
  private final int upstreamPort;
  private final Thread acceptor;
  final ConcurrentLinkedQueue<Exchange> exchanges = new ConcurrentLinkedQueue<>();
  private final List<Fault> faults = new CopyOnWriteArrayList<>();

  WireProxy(int upstreamPort) throws IOException {
    this.upstreamPort = upstreamPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "wire-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Answers the next {@code times} matching requests with {@code status} and S3 error {@code code}. */
  void failWith(Predicate<Exchange> when, int times, int status, String code) {
    faults.add(new Fault(when, times, status, code, -1, null, false));
  }

  /** Forwards the next matching request, but answers it with {@code status}: a lost answer. */
  void loseAnswer(Predicate<Exchange> when, int status, String code) {
    faults.add(new Fault(when, 1, status, code, -1, null, true));
  }

  /** Resets the connection after {@code bodyBytes} of the next matching answer's body. */
  void resetAfter(Predicate<Exchange> when, int times, long bodyBytes) {
    faults.add(new Fault(when, times, 0, null, bodyBytes, null, false));
  }

  /** Runs {@code hook} before forwarding the next matching request. */
  void before(Predicate<Exchange> when, Runnable hook) {
    faults.add(new Fault(when, 1, 0, null, -1, hook, false));
  }

  void clearFaults() {
    faults.clear();
  }

  /** Forgets the exchanges so far. */
  public void reset() {
    exchanges.clear();
  }

  /**
   * Body bytes of GET answers for paths ending in {@code suffix} since the last {@link #reset()}.
   *
   * @param suffix the end of the object's path
   * @return the body bytes downloaded
   */
  public long bodyBytesDown(String suffix) {
    long n = 0;
    for (Exchange e : exchanges) {
      if (e.method.equals("GET") && e.path().endsWith(suffix)) {
        n += e.downBodyBytes.get();
      }
    }
    return n;
  }

  /**
   * Bytes of PUT requests for paths ending in {@code suffix} since the last {@link #reset()},
   * server-side copies (x-amz-copy-source, which carry no body) excluded: what was uploaded.
   *
   * @param suffix the end of the object's path
   * @return the bytes uploaded, heads included
   */
  public long bytesUp(String suffix) {
    long n = 0;
    for (Exchange e : exchanges) {
      if (e.method.equals("PUT") && e.path().endsWith(suffix)
          && e.header("x-amz-copy-source") == null) {
        n += e.upBytes.get();
      }
    }
    return n;
  }

  List<Exchange> snapshot() {
    return new ArrayList<>(exchanges);
  }

  /**
   * Bytes of every request and answer since the last {@link #reset()}, heads included.
   *
   * @return the bytes on the wire
   */
  public long totalBytes() {
    long n = 0;
    for (Exchange e : exchanges) {
      n += e.upBytes.get() + e.downBytes.get();
    }
    return n;
  }

  private synchronized Fault take(Exchange e) {
    for (Fault f : faults) {
      if (f.times > 0 && f.when.test(e)) {
        f.times--;
        return f;
      }
    }
    return null;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Thread t = new Thread(() -> handle(client), "wire-proxy-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void handle(Socket client) {
    try (Socket c = client) {
      InputStream in = new BufferedInputStream(c.getInputStream());
      List<String> head = readHead(in);
      if (head == null) {
        return;
      }
      String[] line = head.get(0).split(" ");
      Exchange ex = new Exchange(line[0], line[1], head.subList(1, head.size()));
      exchanges.add(ex);
      ex.upBytes.addAndGet(headLength(head));
      Fault f = take(ex);
      if (f != null && f.before != null) {
        f.before.run();
        f = null;
      }
      OutputStream out = c.getOutputStream();
      if (f != null && f.afterForwarding) {
        forwardAndDiscard(ex, head, in);
      }
      if (f != null && f.status > 0) {
        ex.faulted = true;
        String len = ex.header("Content-Length");
        if (len != null && ex.header("Expect") == null && !f.afterForwarding) {
          long n = Long.parseLong(len);
          while (n > 0) {
            long k = in.skip(n);
            if (k <= 0) {
              if (in.read() < 0) {
                break;
              }
              k = 1;
            }
            n -= k;
            ex.upBytes.addAndGet(k);
          }
        }
        byte[] body =
            ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + f.code
                    + "</Code><Message>injected</Message></Error>")
                .getBytes(StandardCharsets.UTF_8);
        String answer =
            "HTTP/1.1 " + f.status + " " + f.code + "\r\nContent-Type: application/xml\r\n"
                + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
        ex.status = f.status;
        ex.downBytes.addAndGet(answer.length() + body.length);
        c.shutdownOutput();
        c.setSoTimeout(30_000); // a hang guard only
        byte[] rest = new byte[64 * 1024];
        try {
          int k;
          while ((k = in.read(rest)) > 0) {
            ex.upBytes.addAndGet(k); // a body the client sent anyway: read, not forwarded
          }
        } catch (IOException ignored) {
          // the client went away
        }
        return;
      }
      try (Socket up = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
        OutputStream upOut = up.getOutputStream();
        StringBuilder sb = new StringBuilder(head.get(0)).append("\r\n");
        for (String h : ex.headers) {
          if (!h.toLowerCase(Locale.ROOT).startsWith("connection:")) {
            sb.append(h).append("\r\n");
          }
        }
        sb.append("Connection: close\r\n\r\n");
        upOut.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        upOut.flush();
        Thread pump =
            new Thread(
                () -> {
                  // Reads the client to its end even once the server stopped reading (S3Proxy
                  // may answer before an aws-chunked trailer), so the client can always finish
                  // writing its request: a real server does not cut a request short either.
                  byte[] buf = new byte[64 * 1024];
                  boolean upstreamOpen = true;
                  try {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                      ex.upBytes.addAndGet(n);
                      if (upstreamOpen) {
                        try {
                          upOut.write(buf, 0, n);
                        } catch (IOException e) {
                          upstreamOpen = false;
                        }
                      }
                    }
                  } catch (IOException ignored) {
                    // the client went away
                  }
                },
                "wire-proxy-up");
        pump.setDaemon(true);
        pump.start();
        InputStream upIn = new BufferedInputStream(up.getInputStream());
        List<String> answer;
        while (true) {
          answer = readHead(upIn);
          if (answer == null) {
            return;
          }
          int status = Integer.parseInt(answer.get(0).split(" ")[1]);
          if (status >= 200) {
            ex.status = status;
            break;
          }
          byte[] interim = join(answer, false);
          ex.downBytes.addAndGet(interim.length);
          out.write(interim);
          out.flush();
        }
        byte[] h = join(answer, true);
        ex.downBytes.addAndGet(h.length);
        out.write(h);
        long resetAt = f != null ? f.resetAfterBodyBytes : -1;
        byte[] buf = new byte[64 * 1024];
        long sent = 0;
        int n;
        while ((n = upIn.read(buf)) > 0) {
          if (resetAt >= 0 && sent + n >= resetAt) {
            int k = (int) (resetAt - sent);
            out.write(buf, 0, k);
            out.flush();
            ex.downBytes.addAndGet(k);
            ex.downBodyBytes.addAndGet(k);
            ex.faulted = true;
            c.setSoLinger(true, 0); // close() now sends RST
            return;
          }
          out.write(buf, 0, n);
          sent += n;
          ex.downBytes.addAndGet(n);
          ex.downBodyBytes.addAndGet(n);
        }
        out.flush();
        c.shutdownOutput(); // the answer is complete; the client closes once it has read it
        try {
          pump.join(30_000); // a hang guard only
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    } catch (IOException e) {
      // a client or server that went away: nothing to count
    }
  }

  /** Sends the request upstream and reads the whole answer, which the client never sees. */
  private void forwardAndDiscard(Exchange ex, List<String> head, InputStream in)
      throws IOException {
    try (Socket up = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
      OutputStream upOut = up.getOutputStream();
      StringBuilder sb = new StringBuilder(head.get(0)).append("\r\n");
      for (String h : ex.headers) {
        if (!h.toLowerCase(Locale.ROOT).startsWith("connection:")) {
          sb.append(h).append("\r\n");
        }
      }
      sb.append("Connection: close\r\n\r\n");
      upOut.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
      String len = ex.header("Content-Length");
      long n = len == null ? 0 : Long.parseLong(len);
      byte[] buf = new byte[64 * 1024];
      while (n > 0) {
        int k = in.read(buf, 0, (int) Math.min(buf.length, n));
        if (k < 0) {
          break;
        }
        upOut.write(buf, 0, k);
        ex.upBytes.addAndGet(k);
        n -= k;
      }
      upOut.flush();
      InputStream upIn = up.getInputStream();
      while (upIn.read(buf) >= 0) {
        // the server's answer, lost
      }
    }
  }

  private static byte[] join(List<String> head, boolean close) {
    StringBuilder sb = new StringBuilder(head.get(0)).append("\r\n");
    for (String h : head.subList(1, head.size())) {
      if (!close || !h.toLowerCase(Locale.ROOT).startsWith("connection:")) {
        sb.append(h).append("\r\n");
      }
    }
    if (close) {
      sb.append("Connection: close\r\n");
    }
    return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static long headLength(List<String> head) {
    long n = 2;
    for (String h : head) {
      n += h.length() + 2;
    }
    return n;
  }

  /** The lines of an HTTP head, or null at end of stream. */
  private static List<String> readHead(InputStream in) throws IOException {
    List<String> lines = new ArrayList<>();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        String s = line.toString(StandardCharsets.ISO_8859_1.name());
        if (s.endsWith("\r")) {
          s = s.substring(0, s.length() - 1);
        }
        line.reset();
        if (s.isEmpty()) {
          return lines;
        }
        lines.add(s);
      } else {
        line.write(b);
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
  }
}
