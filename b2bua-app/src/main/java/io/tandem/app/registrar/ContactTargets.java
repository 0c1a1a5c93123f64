package io.tandem.app.registrar;

import io.tandem.app.routing.RegisteredContacts;
import io.tandem.routing.Destination;
import io.tandem.sip.message.SipUri;
import io.tandem.transport.IpLiteral;
import io.tandem.transport.Peer;
import io.tandem.transport.TransportProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The bindings of the {@link LocationService} as routing destinations: each live SIP Contact of
 * a user, by preference, dialled at its Contact URI and sent where
 * {@code tandem.registrar.send-calls-to} says it is reachable.
 *
 * <p>The carrier name of each is {@code registered:<user>}: an unconfigured name, so no call
 * limit applies, and logs show which AOR a leg went to.
 */
public final class ContactTargets implements RegisteredContacts {
  /** The prefix of the carrier name of a registered Contact. */
  public static final String CARRIER_PREFIX = "registered:";

  private final LocationService location;
  private final RegistrarSettings.SendCallsTo sendCallsTo;

  public ContactTargets(LocationService location, RegistrarSettings.SendCallsTo sendCallsTo) {
    this.location = location;
    this.sendCallsTo = sendCallsTo;
  }

  @Override
  public List<Destination> destinations(String user) {
    List<Destination> out = new ArrayList<>();
    for (Binding binding : location.bindings(user)) {
      // Tandem has no TLS: a sips Contact (or a tel/mailto one) cannot be called from here.
      if (binding.contact().uri() instanceof SipUri uri && !uri.isSecure()) {
        out.add(destination(CARRIER_PREFIX + user, uri, binding.source()));
      }
    }
    return out;
  }

  /**
   * The Contact's own address when the policy trusts it, else the REGISTER's source address
   * and transport (over TCP the transport reuses the REGISTER's connection while it is open).
   */
  Destination destination(String carrier, SipUri contact, Peer source) {
    Optional<InetAddress> ip = IpLiteral.parse(contact.host());
    // RFC 3261 section 19.1.1: UDP unless the URI says otherwise; a transport Tandem lacks
    // (tls, sctp) is reached, if at all, where the REGISTER came from.
    Optional<TransportProtocol> named = contact.transport().isEmpty() ? Optional.of(TransportProtocol.UDP)
        : contact.transport().flatMap(TransportProtocol::fromVia);
    boolean atContact = named.isPresent() && switch (sendCallsTo) {
      case SOURCE -> false;
      case CONTACT -> ip.isPresent();
      case AUTO -> ip.isPresent() && ip.get().equals(source.remote().getAddress());
    };
    if (!atContact) {
      return new Destination(carrier, source.protocol(), source.remote(), contact);
    }
    return new Destination(carrier, named.get(), new InetSocketAddress(ip.get(), contact.portOrDefault()), contact);
  }
}
