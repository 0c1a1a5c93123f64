package io.tandem.app.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.app.cluster.proto.SipDelivery;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.codec.SipParser;
import io.tandem.sip.message.SipMessage;
import io.tandem.transport.Inbound;
import io.tandem.transport.ListenPoint;
import io.tandem.transport.Peer;
import io.tandem.transport.TransportProtocol;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A received message as it crosses nodes, and what the receiving node makes of it. */
class DeliveriesTest {
  private static final SipMessage BYE = SipRouteTest.parse("BYE sip:bob@127.0.0.1 SIP/2.0\r\n"
      + "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-b1\r\nMax-Forwards: 70\r\n"
      + "From: <sip:alice@192.0.2.1>;tag=a1\r\nTo: <sip:bob@127.0.0.1>;tag=t1\r\n"
      + "Call-ID: abc@192.0.2.1\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n");
  private static final InetSocketAddress PEER = new InetSocketAddress("192.0.2.1", 5060);
  private static final InetSocketAddress SHARED = new InetSocketAddress("127.0.0.1", 5060);

  private static Optional<Inbound> across(Inbound inbound, List<ListenPoint> here, StringBuilder why) throws Exception {
    byte[] wire = Deliveries.of(inbound, "holder").toByteArray();
    return Deliveries.toInbound(SipDelivery.parseFrom(wire), new SipParser(ParserLimits.DEFAULTS),
        d -> Deliveries.udpPeer(d, here), why);
  }

  @Test
  void theSameMessageFromTheSamePeerArrivesOnTheSameListenerOfTheOtherNode() throws Exception {
    Inbound received = new Inbound(BYE, Peer.udp(PEER, SHARED));
    List<ListenPoint> here = List.of(new ListenPoint(TransportProtocol.TCP, SHARED),
        new ListenPoint(TransportProtocol.UDP, new InetSocketAddress("127.0.0.1", 5070)),
        new ListenPoint(TransportProtocol.UDP, SHARED));
    Inbound there = across(received, here, new StringBuilder()).orElseThrow();
    assertEquals(BYE.toString(), there.message().toString());
    assertEquals(Peer.udp(PEER, SHARED), there.source());
  }

  @Test
  void onAnotherHostItArrivesOnThisNodesListenerOfThatFamily() throws Exception {
    Inbound received = new Inbound(BYE, Peer.udp(PEER, new InetSocketAddress("10.0.0.1", 5060)));
    InetSocketAddress own = new InetSocketAddress("10.0.0.2", 5060);
    Inbound there = across(received, List.of(new ListenPoint(TransportProtocol.UDP, own)), new StringBuilder())
        .orElseThrow();
    assertEquals(own, there.source().local());
  }

  @Test
  void aNodeWithoutSuchAListenerSaysWhy() throws Exception {
    StringBuilder why = new StringBuilder();
    Inbound received = new Inbound(BYE, Peer.udp(PEER, SHARED));
    assertTrue(across(received, List.of(new ListenPoint(TransportProtocol.TCP, SHARED)), why).isEmpty());
    assertEquals("no UDP listener for 192.0.2.1", why.toString());
  }
}
