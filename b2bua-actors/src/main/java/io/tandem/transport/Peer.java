package io.tandem.transport;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The other end of one message: where a received message came from, or where one is to go.
 *
 * <p>For TCP a received message also names the connection it arrived on, so that responses go
 * back over that connection (RFC 3261 section 18.2.2). A destination for a new request has no
 * connection: the transport reuses an open one to {@code remote} or opens one.
 *
 * @param protocol the transport
 * @param remote the remote socket address
 * @param local the local listening address the message arrived on, or null for a destination
 * @param connectionId for TCP, the connection the message arrived on; {@link #NO_CONNECTION}
 *     otherwise
 */
public record Peer(
    TransportProtocol protocol, InetSocketAddress remote, InetSocketAddress local, long connectionId) {

  /** The connection id of a datagram, or of a destination with no connection chosen yet. */
  public static final long NO_CONNECTION = 0;

  public Peer {
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(remote, "remote");
  }

  /** A datagram source or destination. */
  public static Peer udp(InetSocketAddress remote, InetSocketAddress local) {
    return new Peer(TransportProtocol.UDP, remote, local, NO_CONNECTION);
  }

  /** A message received on a TCP connection. */
  public static Peer tcp(InetSocketAddress remote, InetSocketAddress local, long connectionId) {
    return new Peer(TransportProtocol.TCP, remote, local, connectionId);
  }

  /** Where to send a new request: the transport picks the local address and connection. */
  public static Peer destination(TransportProtocol protocol, InetSocketAddress remote) {
    return new Peer(protocol, remote, null, NO_CONNECTION);
  }

  /** Whether the transport is reliable (no retransmissions, zero wait timers). */
  public boolean reliable() {
    return protocol.reliable();
  }

  @Override
  public String toString() {
    String conn = connectionId == NO_CONNECTION ? "" : "#" + connectionId;
    return protocol + ":" + remote.getAddress().getHostAddress() + ":" + remote.getPort() + conn;
  }
}
