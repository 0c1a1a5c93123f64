package io.tandem.routing;

import io.tandem.sip.message.SipUri;
import io.tandem.transport.IpLiteral;
import io.tandem.transport.Peer;
import io.tandem.transport.TransportProtocol;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One carrier to try: where leg B's INVITE goes and over which transport.
 *
 * <p>The address is an IP literal, already resolved: routing never asks DNS, so a Call never
 * blocks on a lookup.
 *
 * @param carrier the carrier's name in {@code tandem.routing.carriers} (the key of its limits)
 * @param transport the transport to send over
 * @param address the carrier's IP address and port
 * @param target the leg-B Request-URI when it is given rather than built from the address: a
 *     registered Contact (RFC 3261 section 10: a call to an address-of-record is sent to the
 *     bound Contact URI), which may name a host the request is not sent to (a UA behind NAT is
 *     reached at the REGISTER's source); null to build it, see {@link #requestUri}
 * @param credentials what to answer the carrier's Digest challenges with, or null: a 401/407
 *     from it then fails this destination
 */
public record Destination(String carrier, TransportProtocol transport, InetSocketAddress address,
    SipUri target, CarrierCredentials credentials) {

  /** A carrier's destination without credentials: the Request-URI is built from {@code address}. */
  public Destination(String carrier, TransportProtocol transport, InetSocketAddress address) {
    this(carrier, transport, address, null, null);
  }

  /** A carrier's destination with {@code credentials} for its challenges (null: none). */
  public Destination(String carrier, TransportProtocol transport, InetSocketAddress address,
      CarrierCredentials credentials) {
    this(carrier, transport, address, null, credentials);
  }

  /** A registered Contact: {@code target} is the Request-URI, sent to {@code address}. */
  public Destination(String carrier, TransportProtocol transport, InetSocketAddress address, SipUri target) {
    this(carrier, transport, address, target, null);
  }

  public Destination {
    Objects.requireNonNull(carrier, "carrier");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(address, "address");
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("destination " + carrier + " needs an IP address, not "
          + address.getHostString());
    }
  }


  /**
   * The leg-B Request-URI for {@code user}: the {@code target} when there is one, as it is;
   * otherwise {@code sip:USER@HOST:PORT}, plus
   * {@code ;transport=tcp} for TCP so the carrier's responses and in-dialog requests stay on TCP
   * (RFC 3261 section 19.1.1, where UDP is the default); IPv6 hosts are bracketed (RFC 3261
   * section 25.1, IPv6reference).
   *
   * @param user the user part as plain text (escaped here as the grammar needs), or null for a
   *     URI without one
   */
  public SipUri requestUri(String user) {
    if (target != null) {
      return target;
    }
    SipUri uri = SipUri.of(user, IpLiteral.uriHost(address.getAddress()), address.getPort());
    return transport == TransportProtocol.TCP ? uri.withParam("transport", "tcp") : uri;
  }

  /** Where the transport sends leg B's requests: this address, no connection chosen yet. */
  public Peer peer() {
    return Peer.destination(transport, address);
  }
}
