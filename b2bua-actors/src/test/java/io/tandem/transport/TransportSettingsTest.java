package io.tandem.transport;

import static io.tandem.transport.TransportFixtures.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading tandem.transport: the documented defaults and errors that name the key. */
class TransportSettingsTest {
  @Test
  void referenceDefaults() {
    TransportSettings s = settings("");
    assertEquals(List.of(
        new ListenPoint(TransportProtocol.UDP, new InetSocketAddress("127.0.0.1", 5060)),
        new ListenPoint(TransportProtocol.TCP, new InetSocketAddress("127.0.0.1", 5060))),
        s.listen());
    assertEquals("", s.advertisedHost());
    assertEquals(8192, s.udpIngressQueue());
    assertEquals(4_194_304, s.udpReceiveBufferBytes());
    assertEquals(1_048_576, s.udpSendBufferBytes());
    assertEquals(Duration.ofMinutes(5), s.tcpIdleTimeout());
    assertEquals(Duration.ofSeconds(5), s.tcpConnectTimeout());
    assertEquals(256, s.tcpOutgoingQueue());
    assertEquals(4096, s.tcpMaxConnections());
    assertFalse(s.honorViaMaddr());
    assertFalse(s.forceRport());
  }

  @Test
  void ipv6ListenerAndUpperCaseProtocol() {
    TransportSettings s = settings(
        "tandem.transport.listen = [{protocol = TCP, address = \"::1\", port = 5070}]");
    assertEquals(new ListenPoint(TransportProtocol.TCP, new InetSocketAddress("::1", 5070)),
        s.listen().get(0));
  }

  @Test
  void unknownProtocolNamesTheKeyAndValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings(
        "tandem.transport.listen = [{protocol = sctp, address = \"127.0.0.1\", port = 5060}]"));
    assertTrue(e.getMessage().contains("tandem.transport.listen[0].protocol"), e.getMessage());
    assertTrue(e.getMessage().contains("sctp"), e.getMessage());
  }

  @Test
  void hostNameAsListenAddressIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings(
        "tandem.transport.listen = [{protocol = udp, address = \"localhost\", port = 5060}]"));
    assertTrue(e.getMessage().contains("listen[0].address") && e.getMessage().contains("localhost"),
        e.getMessage());
  }

  @Test
  void portOutOfRangeNamesTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings(
        "tandem.transport.listen = [{protocol = udp, address = \"127.0.0.1\", port = 70000}]"));
    assertTrue(e.getMessage().contains("listen[0].port") && e.getMessage().contains("70000"),
        e.getMessage());
  }

  @Test
  void advertisedAddressForms() {
    TransportSettings named = settings("tandem.transport.advertised-address = \"sip.example.com:5080\"");
    assertEquals("sip.example.com", named.advertisedHost());
    assertEquals(5080, named.advertisedPort());
    TransportSettings v6 = settings("tandem.transport.advertised-address = \"[2001:db8::1]\"");
    assertEquals("2001:db8::1", v6.advertisedHost());
    assertEquals(0, v6.advertisedPort(), "no port: the listener's");
    assertThrows(IllegalArgumentException.class,
        () -> settings("tandem.transport.advertised-address = \"203.0.113.1:http\""));
  }
}
