package io.tandem.app.cluster;

import com.google.protobuf.ByteString;
import io.tandem.app.cluster.proto.Endpoint;
import io.tandem.app.cluster.proto.SipDelivery;
import io.tandem.app.cluster.proto.Transport;
import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.codec.SipParser;
import io.tandem.transport.Inbound;
import io.tandem.transport.ListenPoint;
import io.tandem.transport.Peer;
import io.tandem.transport.TransportProtocol;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/** A received SIP message as it crosses nodes ({@link SipDelivery}), and back. */
final class Deliveries {
  private Deliveries() {}

  /** {@code inbound} as a delivery: its octets, where it came from, where it arrived. */
  static SipDelivery of(Inbound inbound) {
    ByteBuffer octets = inbound.message().octets();
    Peer source = inbound.source();
    SipDelivery.Builder b = SipDelivery.newBuilder()
        .setOctets(ByteString.copyFrom(octets))
        .setTransport(source.protocol() == TransportProtocol.TCP ? Transport.TRANSPORT_TCP : Transport.TRANSPORT_UDP)
        .setRemote(endpoint(source.remote()));
    if (source.local() != null) {
      b.setLocal(endpoint(source.local()));
    }
    return b.build();
  }

  /**
   * The delivery as this node's own: parsed again, and arrived on this node's listener of the
   * same transport and address family (the same port if it has one), which is where its
   * responses go out from. Empty, with {@code why} set, when it cannot be: this node has no
   * such listener, or the octets do not parse (they did at the node that sent them: a node
   * with other parser limits).
   */
  static Optional<Inbound> toInbound(SipDelivery delivery, SipParser parser, List<ListenPoint> listening,
      StringBuilder why) {
    TransportProtocol protocol = delivery.getTransport() == Transport.TRANSPORT_TCP
        ? TransportProtocol.TCP : TransportProtocol.UDP;
    InetSocketAddress remote;
    InetSocketAddress arrivedOn;
    try {
      remote = address(delivery.getRemote());
      arrivedOn = delivery.hasLocal() ? address(delivery.getLocal()) : null;
    } catch (UnknownHostException e) {
      why.append("bad address: ").append(e.getMessage());
      return Optional.empty();
    }
    InetSocketAddress local = ownListener(protocol, remote, arrivedOn, listening);
    if (local == null) {
      why.append("no ").append(protocol).append(" listener for ").append(remote.getAddress().getHostAddress());
      return Optional.empty();
    }
    byte[] octets = delivery.getOctets().toByteArray();
    ParseResult parsed = parser.parseDatagram(octets);
    if (!(parsed instanceof ParseResult.Parsed p)) {
      why.append("does not parse here: ").append(parsed);
      return Optional.empty();
    }
    return Optional.of(new Inbound(p.message(), new Peer(protocol, remote, local, Peer.NO_CONNECTION)));
  }

  private static InetSocketAddress ownListener(TransportProtocol protocol, InetSocketAddress remote,
      InetSocketAddress arrivedOn, List<ListenPoint> listening) {
    boolean v6 = remote.getAddress() instanceof Inet6Address;
    InetSocketAddress first = null;
    for (ListenPoint point : listening) {
      InetSocketAddress a = point.address();
      if (point.protocol() != protocol || (a.getAddress() instanceof Inet6Address) != v6) {
        continue;
      }
      if (a.equals(arrivedOn)) {
        return a;
      }
      if (first == null || arrivedOn != null && a.getPort() == arrivedOn.getPort() && first.getPort() != a.getPort()) {
        first = a;
      }
    }
    return first;
  }

  private static Endpoint endpoint(InetSocketAddress address) {
    return Endpoint.newBuilder()
        .setIp(ByteString.copyFrom(address.getAddress().getAddress()))
        .setPort(address.getPort())
        .build();
  }

  private static InetSocketAddress address(Endpoint endpoint) throws UnknownHostException {
    return new InetSocketAddress(InetAddress.getByAddress(endpoint.getIp().toByteArray()), endpoint.getPort());
  }
}
