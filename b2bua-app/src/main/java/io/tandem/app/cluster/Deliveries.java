package io.tandem.app.cluster;

import com.google.protobuf.ByteString;
import io.tandem.app.cluster.proto.Endpoint;
import io.tandem.app.cluster.proto.SipDelivery;
import io.tandem.app.cluster.proto.SipSend;
import io.tandem.app.cluster.proto.Transport;
import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.codec.SipParser;
import io.tandem.sip.codec.SipRenderer;
import io.tandem.sip.message.SipMessage;
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
import java.util.function.Function;

/** A received SIP message as it crosses nodes ({@link SipDelivery}), and back; and {@link SipSend}. */
final class Deliveries {
  private Deliveries() {}

  /**
   * {@code inbound} as a delivery: its octets, where it came from, where it arrived and, for
   * TCP, its connection at {@code holder} (this node's outbox).
   */
  static SipDelivery of(Inbound inbound, String holder) {
    ByteBuffer octets = inbound.message().octets();
    Peer source = inbound.source();
    SipDelivery.Builder b = SipDelivery.newBuilder()
        .setOctets(ByteString.copyFrom(octets))
        .setTransport(source.protocol() == TransportProtocol.TCP ? Transport.TRANSPORT_TCP : Transport.TRANSPORT_UDP)
        .setRemote(endpoint(source.remote()));
    if (source.local() != null) {
      b.setLocal(endpoint(source.local()));
    }
    if (source.protocol() == TransportProtocol.TCP) {
      b.setConnectionId(source.connectionId()).setHolder(holder);
    }
    return b.build();
  }

  /**
   * The delivery as this node's own: parsed again, from the peer {@code peers} names (empty
   * when there is none). Empty, with {@code why} set, when it cannot be: no such peer here, or
   * the octets do not parse (they did at the node that sent them: a node with other limits).
   */
  static Optional<Inbound> toInbound(SipDelivery delivery, SipParser parser,
      Function<SipDelivery, Optional<Peer>> peers, StringBuilder why) {
    Optional<Peer> peer;
    try {
      peer = peers.apply(delivery);
    } catch (IllegalArgumentException e) {
      why.append(e.getMessage());
      return Optional.empty();
    }
    if (peer.isEmpty()) {
      why.append("no ").append(delivery.getTransport() == Transport.TRANSPORT_TCP ? "TCP" : "UDP")
          .append(" listener for ").append(address(delivery.getRemote()).getAddress().getHostAddress());
      return Optional.empty();
    }
    ParseResult parsed = parser.parseDatagram(delivery.getOctets().toByteArray());
    if (!(parsed instanceof ParseResult.Parsed p)) {
      why.append("does not parse here: ").append(parsed);
      return Optional.empty();
    }
    return Optional.of(new Inbound(p.message(), peer.get()));
  }

  /**
   * A UDP delivery's peer: arrived on this node's listener of the same address family (the
   * same address, else the same port, else the first), which is where its responses go out
   * from.
   */
  static Optional<Peer> udpPeer(SipDelivery delivery, List<ListenPoint> listening) {
    InetSocketAddress remote = address(delivery.getRemote());
    InetSocketAddress arrivedOn = delivery.hasLocal() ? address(delivery.getLocal()) : null;
    boolean v6 = remote.getAddress() instanceof Inet6Address;
    InetSocketAddress chosen = null;
    for (ListenPoint point : listening) {
      InetSocketAddress a = point.address();
      if (point.protocol() != TransportProtocol.UDP || (a.getAddress() instanceof Inet6Address) != v6) {
        continue;
      }
      if (a.equals(arrivedOn)) {
        chosen = a;
        break;
      }
      if (chosen == null || arrivedOn != null && a.getPort() == arrivedOn.getPort() && chosen.getPort() != a.getPort()) {
        chosen = a;
      }
    }
    return Optional.ofNullable(chosen).map(local -> Peer.udp(remote, local));
  }

  /** A TCP delivery's peer as the node holding its connection knows it. */
  static Peer atHolder(SipDelivery delivery) {
    return Peer.tcp(address(delivery.getRemote()),
        delivery.hasLocal() ? address(delivery.getLocal()) : null, delivery.getConnectionId());
  }

  /** {@code message} for the holder of connection {@code over} to write on it. */
  static SipSend send(SipMessage message, Peer over) {
    SipSend.Builder b = SipSend.newBuilder()
        .setOctets(ByteString.copyFrom(SipRenderer.renderBytes(message)))
        .setRemote(endpoint(over.remote()))
        .setConnectionId(over.connectionId());
    if (over.local() != null) {
      b.setLocal(endpoint(over.local()));
    }
    return b.build();
  }

  /** Where a {@link SipSend} goes: its connection, as the holder knows it. */
  static Peer over(SipSend send) {
    return Peer.tcp(address(send.getRemote()), send.hasLocal() ? address(send.getLocal()) : null,
        send.getConnectionId());
  }

  static Endpoint endpoint(InetSocketAddress address) {
    return Endpoint.newBuilder()
        .setIp(ByteString.copyFrom(address.getAddress().getAddress()))
        .setPort(address.getPort())
        .build();
  }

  /** @throws IllegalArgumentException for an address of neither 4 nor 16 octets */
  static InetSocketAddress address(Endpoint endpoint) {
    try {
      return new InetSocketAddress(InetAddress.getByAddress(endpoint.getIp().toByteArray()), endpoint.getPort());
    } catch (UnknownHostException | IllegalArgumentException e) {
      throw new IllegalArgumentException("bad address from another node: " + e.getMessage(), e);
    }
  }
}
