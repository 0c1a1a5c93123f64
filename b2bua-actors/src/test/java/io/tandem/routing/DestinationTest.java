package io.tandem.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tandem.sip.message.SipUri;
import io.tandem.transport.Peer;
import io.tandem.transport.TransportProtocol;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Destination: the leg-B Request-URI and where the transport sends it. */
class DestinationTest {
  private static Destination dest(TransportProtocol transport, String ip, int port) {
    return new Destination("c", transport, new InetSocketAddress(ip, port));
  }

  /** A registered Contact is dialled as bound, wherever the request is sent (NAT). */
  @Test
  void aGivenTargetIsTheRequestUriWhateverTheAddressAndUser() {
    SipUri contact = SipUri.parse("sip:pbx@10.0.0.5:5062;transport=tcp");
    Destination d = new Destination("registered:pbx", TransportProtocol.TCP,
        new InetSocketAddress("192.0.2.7", 40312), contact);
    assertEquals(contact, d.requestUri("bob"));
    assertEquals(new InetSocketAddress("192.0.2.7", 40312), d.peer().remote());
  }

  @Test
  void udpRequestUriHasNoTransportParameter() {
    SipUri uri = dest(TransportProtocol.UDP, "192.0.2.10", 5070).requestUri("442071234567");
    assertEquals("sip:442071234567@192.0.2.10:5070", uri.toString());
  }

  @Test
  void tcpRequestUriSaysTransportTcp() {
    SipUri uri = dest(TransportProtocol.TCP, "192.0.2.10", 5060).requestUri("+12125550100");
    assertEquals("sip:+12125550100@192.0.2.10:5060;transport=tcp", uri.toString());
    assertEquals("tcp", uri.transport().orElseThrow());
  }

  @Test
  void ipv6HostIsBracketed() {
    SipUri uri = dest(TransportProtocol.TCP, "2001:db8::1", 5090).requestUri("bob");
    assertEquals(SipUri.parse("sip:bob@[2001:db8::1]:5090;transport=tcp"), uri);
    assertEquals("sip:bob@[2001:db8::1]:5090;transport=tcp", uri.toString(), "RFC 5952 form");
    assertEquals("sip:u@[::1]:5060",
        dest(TransportProtocol.UDP, "::1", 5060).requestUri("u").toString());
    assertEquals("sip:u@[2001:db8:0:1:1:1:1:1]:5060", dest(TransportProtocol.UDP,
        "2001:db8:0:1:1:1:1:1", 5060).requestUri("u").toString(), "one zero group stays");
    assertEquals("sip:u@[2001:0:0:1::1]:5060", dest(TransportProtocol.UDP,
        "2001:0:0:1:0:0:0:1", 5060).requestUri("u").toString(), "the longest run compresses");
    assertEquals("sip:u@[fe80::1]:5060", dest(TransportProtocol.UDP,
        "fe80::1%1", 5060).requestUri("u").toString(), "no zone id in a URI");
  }

  @Test
  void userIsEscapedAndMayBeAbsent() {
    assertEquals("sip:a%20b@192.0.2.10:5070",
        dest(TransportProtocol.UDP, "192.0.2.10", 5070).requestUri("a b").toString());
    assertEquals("sip:192.0.2.10:5070",
        dest(TransportProtocol.UDP, "192.0.2.10", 5070).requestUri(null).toString());
  }

  @Test
  void peerIsATransportDestination() {
    assertEquals(Peer.destination(TransportProtocol.TCP, new InetSocketAddress("::1", 5090)),
        dest(TransportProtocol.TCP, "::1", 5090).peer());
  }

  @Test
  void unresolvedAddressIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Destination("c", TransportProtocol.UDP,
        InetSocketAddress.createUnresolved("carrier.example", 5060)));
  }
}
