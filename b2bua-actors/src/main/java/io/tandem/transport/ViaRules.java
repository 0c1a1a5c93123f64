package io.tandem.transport;

import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.Via;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * The Via rules of the transport layer: what a server writes into the top Via of a request it
 * receives (RFC 3261 section 18.2.1, RFC 3581 section 4), and where a response to it goes
 * (RFC 3261 section 18.2.2, RFC 3581 section 4).
 */
final class ViaRules {
  /** The port RFC 3261 section 18.2.2 falls back to when the Via has none. */
  static final int DEFAULT_PORT = 5060;

  private ViaRules() {}

  /** Where a response goes, or why it cannot go anywhere. */
  record Target(InetSocketAddress address, String error) {
    static Target to(InetSocketAddress address) {
      return new Target(address, null);
    }

    static Target fail(String error) {
      return new Target(null, error);
    }

    boolean failed() {
      return error != null;
    }
  }

  /**
   * The top Via as the server must record it: {@code received} when the sent-by host is not
   * the source address (section 18.2.1), and for a valueless {@code rport} the source port and
   * {@code received} both (RFC 3581 section 4, received even when the hosts agree).
   */
  static Via stamp(Via top, InetSocketAddress source) {
    InetAddress from = source.getAddress();
    Via out = top;
    boolean fillRport = top.hasRport() && top.rport().isEmpty();
    Optional<InetAddress> sentBy = IpLiteral.parse(top.host());
    if (fillRport || sentBy.isEmpty() || !sentBy.get().equals(from)) {
      out = out.withReceived(IpLiteral.text(from));
    }
    if (fillRport) {
      out = out.withRport(source.getPort());
    }
    return out;
  }

  /** The request with its top Via stamped; the same request if nothing changes. */
  static SipRequest stamp(SipRequest request, InetSocketAddress source) {
    List<Via> vias = request.vias();
    Via stamped = stamp(vias.get(0), source);
    if (stamped.equals(vias.get(0))) {
      return request;
    }
    // All Via values in one field, top first, where the first Via field was: the same list
    // (RFC 3261 section 7.3.1), and the builder has no way to replace one value of a field.
    String all = stamped + vias.stream().skip(1).map(Via::toString)
        .collect(Collectors.joining(", ", vias.size() > 1 ? ", " : "", ""));
    return request.toBuilder().set(HeaderName.VIA, all).build();
  }

  /**
   * Where a UDP response goes: a Via maddr if the settings honour it; else with force-rport the
   * request's source; else {@code received} (or the sent-by host) at the rport value, the
   * sent-by port or 5060.
   */
  static Target udp(Via top, Peer requestSource, TransportSettings settings) {
    if (settings.honorViaMaddr() && top.maddr().isPresent()) {
      return literal(top.maddr().get(), sentByPort(top));
    }
    if (settings.forceRport() && requestSource != null) {
      return Target.to(requestSource.remote());
    }
    return byReceived(top);
  }

  /**
   * Where a response goes over TCP when the request's connection is gone: {@code received} (or
   * the sent-by host) at the rport value, the sent-by port or 5060.
   */
  static Target byReceived(Via top) {
    String host = top.received().orElse(top.host());
    OptionalInt rport = top.rport();
    return literal(host, rport.isPresent() ? rport.getAsInt() : sentByPort(top));
  }

  private static int sentByPort(Via top) {
    return top.port() > 0 ? top.port() : DEFAULT_PORT;
  }

  private static Target literal(String host, int port) {
    Optional<InetAddress> ip = IpLiteral.parse(host);
    if (ip.isEmpty()) {
      return Target.fail("'" + host + "' is not an IP address (the transport resolves no names)");
    }
    InetAddress a = ip.get();
    if (a.isMulticastAddress() || a.isAnyLocalAddress() || isLimitedBroadcast(a)) {
      // A peer must not make Tandem answer a group or a whole subnet (a reflection attack).
      return Target.fail("'" + host + "' is a multicast, broadcast or wildcard address");
    }
    return Target.to(new InetSocketAddress(ip.get(), port));
  }

  private static boolean isLimitedBroadcast(InetAddress a) {
    byte[] b = a.getAddress();
    return b.length == 4 && (b[0] & b[1] & b[2] & b[3]) == (byte) 0xff;
  }
}
