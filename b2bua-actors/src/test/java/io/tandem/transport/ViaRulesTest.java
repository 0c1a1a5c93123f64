package io.tandem.transport;

import static io.tandem.transport.TransportFixtures.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.sip.message.Via;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Where responses go (RFC 3261 section 18.2.2, RFC 3581) and what a server writes in a Via. */
class ViaRulesTest {
  private static final InetSocketAddress SOURCE = new InetSocketAddress("198.51.100.7", 40000);
  private static final Peer FROM = Peer.udp(SOURCE, new InetSocketAddress("127.0.0.1", 5060));
  private static final TransportSettings DEFAULTS = settings("");

  private static InetSocketAddress udp(String via, TransportSettings s) {
    ViaRules.Target t = ViaRules.udp(Via.parse(via), FROM, s);
    assertTrue(!t.failed(), t.error());
    return t.address();
  }

  @Test
  void receivedAndRportAreStampedFromTheSource() {
    Via v = ViaRules.stamp(Via.parse("SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1;rport"), SOURCE);
    assertEquals("198.51.100.7", v.received().orElseThrow());
    assertEquals(40000, v.rport().getAsInt());
  }

  @Test
  void anIpv6SourceIsWrittenWithoutBrackets() {
    Via v = ViaRules.stamp(Via.parse("SIP/2.0/UDP [2001:db8::9];branch=z9hG4bK1;rport"),
        new InetSocketAddress("::1", 6000));
    assertEquals("0:0:0:0:0:0:0:1", v.received().orElseThrow());
  }

  @Test
  void aValuedRportIsKept() {
    Via v = ViaRules.stamp(Via.parse("SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK1;rport=1234"), SOURCE);
    assertEquals(1234, v.rport().getAsInt());
    assertTrue(v.received().isEmpty(), "the sent-by host is the source");
  }

  @Test
  void udpResponseRouting() {
    assertEquals(new InetSocketAddress("198.51.100.7", 40000),
        udp("SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1;received=198.51.100.7;rport=40000", DEFAULTS));
    assertEquals(new InetSocketAddress("198.51.100.7", 5062),
        udp("SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1;received=198.51.100.7", DEFAULTS));
    assertEquals(new InetSocketAddress("10.0.0.1", 5060),
        udp("SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1", DEFAULTS), "no port: 5060");
  }

  @Test
  void maddrOnlyWhenHonoured() {
    String via = "SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1;maddr=192.0.2.55;received=198.51.100.7";
    assertEquals(new InetSocketAddress("198.51.100.7", 5062), udp(via, DEFAULTS));
    assertEquals(new InetSocketAddress("192.0.2.55", 5062),
        udp(via, settings("tandem.transport.honor-via-maddr = true")));
  }

  @Test
  void forceRportUsesTheSourceAddressAndPort() {
    assertEquals(SOURCE, udp("SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1",
        settings("tandem.transport.force-rport = true")));
  }

  @Test
  void tcpFallbackUsesReceivedAndRport() {
    ViaRules.Target t = ViaRules.byReceived(
        Via.parse("SIP/2.0/TCP a.example.com:5070;branch=z9hG4bK1;received=198.51.100.7;rport=4444"));
    assertEquals(new InetSocketAddress("198.51.100.7", 4444), t.address());
    assertTrue(ViaRules.byReceived(Via.parse("SIP/2.0/TCP a.example.com;branch=z9hG4bK1")).failed(),
        "no DNS: a host name fails");
  }

  @Test
  void noResponseGoesToAGroupABroadcastOrTheWildcardAddress() {
    TransportSettings maddr = settings("tandem.transport.honor-via-maddr = true");
    for (String target : new String[] {"224.0.1.75", "255.255.255.255", "0.0.0.0", "[ff02::1]"}) {
      ViaRules.Target viaMaddr = ViaRules.udp(
          Via.parse("SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1;maddr=" + target), FROM, maddr);
      assertTrue(viaMaddr.failed(), target + " as maddr");
      ViaRules.Target sentBy = ViaRules.byReceived(Via.parse("SIP/2.0/UDP " + target + ";branch=z9hG4bK1"));
      assertTrue(sentBy.failed(), target + " as sent-by");
    }
  }
}
