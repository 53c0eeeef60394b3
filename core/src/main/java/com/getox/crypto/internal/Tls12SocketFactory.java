package com.getox.crypto.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Restricts every socket of a delegate factory to TLS 1.3 and 1.2, whatever the JVM allows, so a
 * downgrade to TLS 1.1 or older fails the handshake. Shared by the modules that open connections
 * (kms-aws, s3), so they all keep the promise "minimum TLS 1.2 everywhere".
 */
public final class Tls12SocketFactory extends SSLSocketFactory {
  /** The protocols every socket is restricted to, in order of preference. */
  public static final List<String> PROTOCOLS =
      Collections.unmodifiableList(Arrays.asList("TLSv1.3", "TLSv1.2"));

  private final SSLSocketFactory delegate;

  /**
   * Wraps {@code delegate}.
   *
   * @param delegate makes the sockets, which are then restricted
   */
  public Tls12SocketFactory(SSLSocketFactory delegate) {
    this.delegate = delegate;
  }

  private static Socket restrict(Socket socket) throws IOException {
    if (socket instanceof SSLSocket) {
      SSLSocket ssl = (SSLSocket) socket;
      List<String> enabled = new ArrayList<>(PROTOCOLS);
      enabled.retainAll(Arrays.asList(ssl.getSupportedProtocols()));
      if (enabled.isEmpty()) {
        socket.close();
        throw new IOException("this JVM supports neither TLS 1.3 nor TLS 1.2");
      }
      ssl.setEnabledProtocols(enabled.toArray(new String[0]));
    }
    return socket;
  }

  @Override
  public String[] getDefaultCipherSuites() {
    return delegate.getDefaultCipherSuites();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return delegate.getSupportedCipherSuites();
  }

  @Override
  public Socket createSocket() throws IOException {
    return restrict(delegate.createSocket());
  }

  @Override
  public Socket createSocket(Socket s, String host, int port, boolean autoClose)
      throws IOException {
    return restrict(delegate.createSocket(s, host, port, autoClose));
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return restrict(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return restrict(delegate.createSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return restrict(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return restrict(delegate.createSocket(address, port, localAddress, localPort));
  }
}
