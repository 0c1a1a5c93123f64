package io.tandem.transport;

import java.net.InetSocketAddress;

/**
 * Sees every SIP message the transport puts on the wire, with its addresses (e.g. HEP export to
 * a Homer collector). Called from the sending thread: it must be thread-safe and must not block.
 */
@FunctionalInterface
public interface Capture {
  /** Nothing captured. */
  Capture NONE = (protocol, local, remote, octets) -> {};

  /**
   * A message was sent (UDP) or queued on its connection (TCP).
   *
   * @param local Tandem's address it left from (0.0.0.0:0 when a new connection has none yet)
   * @param octets the message as sent; not to be modified
   */
  void sent(TransportProtocol protocol, InetSocketAddress local, InetSocketAddress remote, byte[] octets);
}
