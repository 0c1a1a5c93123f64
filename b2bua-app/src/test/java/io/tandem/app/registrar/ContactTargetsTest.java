package io.tandem.app.registrar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.app.registrar.RegistrarSettings.SendCallsTo;
import io.tandem.routing.Destination;
import io.tandem.sip.message.NameAddr;
import io.tandem.sip.message.SipUri;
import io.tandem.transport.Peer;
import io.tandem.transport.TransportProtocol;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where a call to each binding is sent, per {@code send-calls-to}; the Request-URI is the Contact. */
class ContactTargetsTest {
  /** The NAT's public side, where the REGISTER came from. */
  private static final InetSocketAddress NAT = new InetSocketAddress("203.0.113.9", 40001);
  private final MutableClock clock = new MutableClock();
  private final LocationService location = new LocationService(10, 10, clock);

  private void bind(Peer source, String... contacts) {
    List<LocationService.ContactUpdate> updates = java.util.Arrays.stream(contacts)
        .map(c -> new LocationService.ContactUpdate(NameAddr.parse(c), 1, 60)).toList();
    location.update("pbx", updates, "c1", 1, source);
  }

  private List<String> targets(SendCallsTo policy) {
    return new ContactTargets(location, policy).destinations("pbx").stream()
        .map(d -> d.requestUri("ignored") + " -> " + d.peer()).toList();
  }

  @Test
  void autoTrustsAContactOnlyWhenItNamesTheSourceAddress() {
    bind(Peer.udp(NAT, null), "<sip:pbx@192.168.1.20:5060>", "<sip:pbx@203.0.113.9:5070;transport=tcp>",
        "<sip:pbx@pbx.example.com>");
    assertEquals(List.of(
        "sip:pbx@192.168.1.20:5060 -> UDP:203.0.113.9:40001",
        "sip:pbx@203.0.113.9:5070;transport=tcp -> TCP:203.0.113.9:5070",
        "sip:pbx@pbx.example.com -> UDP:203.0.113.9:40001"), targets(SendCallsTo.AUTO));
  }

  @Test
  void contactTrustsEveryIpLiteralAndSourceNone() {
    bind(Peer.tcp(NAT, null, 7), "<sip:pbx@192.168.1.20:5060>", "<sip:pbx@pbx.example.com>",
        "<sip:pbx@192.168.1.21;transport=tls>");
    assertEquals(List.of(
        "sip:pbx@192.168.1.20:5060 -> UDP:192.168.1.20:5060",
        "sip:pbx@pbx.example.com -> TCP:203.0.113.9:40001",
        "sip:pbx@192.168.1.21;transport=tls -> TCP:203.0.113.9:40001"), targets(SendCallsTo.CONTACT),
        "no TLS in Tandem: a tls Contact is tried at the source");
    assertEquals(List.of(
        "sip:pbx@192.168.1.20:5060 -> TCP:203.0.113.9:40001",
        "sip:pbx@pbx.example.com -> TCP:203.0.113.9:40001",
        "sip:pbx@192.168.1.21;transport=tls -> TCP:203.0.113.9:40001"), targets(SendCallsTo.SOURCE),
        "over TCP the source is the REGISTER's connection, reused by its remote address");
  }

  @Test
  void sipsAndNonSipContactsAreNotCalledAndTheCarrierNamesTheAor() {
    bind(Peer.udp(NAT, null), "<sips:pbx@203.0.113.9>", "<tel:+442071234567>", "<sip:pbx@203.0.113.9>");
    List<Destination> d = new ContactTargets(location, SendCallsTo.AUTO).destinations("pbx");
    assertEquals(1, d.size());
    assertEquals("registered:pbx", d.get(0).carrier());
    assertEquals(SipUri.parse("sip:pbx@203.0.113.9"), d.get(0).target());
    assertEquals(TransportProtocol.UDP, d.get(0).transport());
  }
}
