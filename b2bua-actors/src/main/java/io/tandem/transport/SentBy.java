package io.tandem.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.Function;

/**
 * Tandem's own address as a message names it (Via sent-by, Contact, the host of a hidden From):
 * per transport, and in the address family of the peer the message goes to, so that an IPv6
 * carrier is never asked to answer an IPv4 address, nor an IPv4 caller an IPv6 one.
 */
@FunctionalInterface
public interface SentBy extends Function<TransportProtocol, InetSocketAddress> {
  /**
   * The address over {@code protocol} toward {@code peer} (IPv4 or IPv6); for a null peer, or
   * when Tandem listens in one family only, {@link #apply}'s. One family by default.
   */
  default InetSocketAddress toward(TransportProtocol protocol, InetAddress peer) {
    return apply(protocol);
  }
}
