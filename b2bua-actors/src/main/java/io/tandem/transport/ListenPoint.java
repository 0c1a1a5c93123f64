package io.tandem.transport;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One socket Tandem listens on: a protocol and a local address (port 0 in settings means any
 * free port; {@link SipTransport#listening()} reports the port actually bound).
 *
 * @param protocol UDP or TCP
 * @param address the local address and port
 */
public record ListenPoint(TransportProtocol protocol, InetSocketAddress address) {
  public ListenPoint {
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(address, "address");
  }

  /** {@code UDP 127.0.0.1:5060} or {@code TCP [::1]:5060}, as error messages name it. */
  @Override
  public String toString() {
    return protocol + " " + IpLiteral.hostPort(address);
  }
}
