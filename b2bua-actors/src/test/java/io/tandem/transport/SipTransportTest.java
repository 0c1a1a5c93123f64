package io.tandem.transport;

import static io.tandem.transport.TransportFixtures.options;
import static io.tandem.transport.TransportFixtures.receiveUdp;
import static io.tandem.transport.TransportFixtures.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Listeners as a whole: several at once, IPv6, sent-by, bind failures, counters. */
class SipTransportTest {
  static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load("application-test"));

  @AfterAll
  static void closeKit() {
    testKit.shutdownTestKit();
  }

  @Test
  void ipv6LoopbackUdpListenerWorks() throws Exception {
    try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("::1", 0))) {
      probe.close();
    } catch (java.io.IOException e) {
      Assumptions.abort("::1 cannot be bound here: " + e);
    }
    TestProbe<Inbound> inbound = testKit.createTestProbe();
    TestProbe<Egress.SendFailed> failures = testKit.createTestProbe();
    SipTransport t = TransportFixtures.start(testKit.system(), settings(
        "tandem.transport.listen = [{protocol = udp, address = \"127.0.0.1\", port = 0},"
            + "{protocol = udp, address = \"::1\", port = 0}]"),
        ParserLimits.DEFAULTS, inbound.ref()::tell);
    try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("::1", 0))) {
      client.setSoTimeout(3000);
      InetSocketAddress v6 = t.listening().get(1).address();
      TransportFixtures.sendUdp(client,
          options("SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK6;rport", "v6"), v6);
      Inbound in = inbound.receiveMessage();
      assertEquals("0:0:0:0:0:0:0:1", in.message().topVia().received().orElseThrow());
      SipResponse ok = SipResponse.builderFor((SipRequest) in.message(), 200).build();
      t.egress().tell(new Egress.SendResponse(ok, in.source(), failures.ref()));
      assertTrue(receiveUdp(client, v6).startsWith("SIP/2.0 200 OK"));
    } finally {
      TransportFixtures.stop(t);
    }
  }

  @Test
  void listeningReportsBoundPortsAndSentByTheFirstOfEachProtocol() throws Exception {
    SipTransport t = TransportFixtures.start(testKit.system(), TransportFixtures.loopback(""),
        ParserLimits.DEFAULTS, in -> {});
    try {
      assertEquals(2, t.listening().size());
      t.listening().forEach(l -> assertNotEquals(0, l.address().getPort()));
      assertEquals(t.listening().get(0).address(), t.sentBy(TransportProtocol.UDP));
      assertEquals(t.listening().get(1).address(), t.sentBy(TransportProtocol.TCP));
      assertEquals(TransportCounters.NAMES, t.counters().snapshot().keySet().stream().toList());
      assertEquals(0, t.counters().get("no-such-counter"));
    } finally {
      TransportFixtures.stop(t);
    }
  }

  @Test
  void advertisedAddressIsTheSentBy() throws Exception {
    SipTransport t = TransportFixtures.start(testKit.system(),
        TransportFixtures.loopback("tandem.transport.advertised-address = \"203.0.113.9\""),
        ParserLimits.DEFAULTS, in -> {});
    try {
      InetSocketAddress udp = t.listening().get(0).address();
      assertEquals(new InetSocketAddress("203.0.113.9", udp.getPort()),
          t.sentBy(TransportProtocol.UDP), "the listener's port when none is advertised");
    } finally {
      TransportFixtures.stop(t);
    }
  }

  @Test
  void tcpBindFailureNamesTheAddressAndReleasesTheOthers() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 5, java.net.InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      TransportSettings s = settings("tandem.transport.listen = ["
          + "{protocol = udp, address = \"127.0.0.1\", port = " + port + "},"
          + "{protocol = tcp, address = \"127.0.0.1\", port = " + port + "}]");
      Throwable failure = SipTransport.start(testKit.system(), s, ParserLimits.DEFAULTS, Set.of(),
              in -> {})
          .handle((ok, e) -> e).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertTrue(failure.getMessage().contains("TCP 127.0.0.1:" + port), failure.getMessage());
      // The UDP listener was released: its port can be bound again.
      new DatagramSocket(new InetSocketAddress("127.0.0.1", port)).close();
    }
  }

  /**
   * tandem.transport.reuse-port: two transports (two nodes of a cluster on one host) bind the
   * same UDP and TCP port, and a peer's datagrams reach one of them; without it the second
   * cannot bind.
   */
  @Test
  void withReusePortTwoTransportsShareOneAddress() throws Exception {
    int port;
    try (DatagramSocket free = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      port = free.getLocalPort();
    }
    String listen = "tandem.transport.listen = [{protocol = udp, address = \"127.0.0.1\", port = " + port + "},"
        + "{protocol = tcp, address = \"127.0.0.1\", port = " + port + "}]\n";
    TransportSettings shared = settings(listen + "tandem.transport.reuse-port = true");
    TestProbe<Inbound> inbound = testKit.createTestProbe();
    SipTransport first = TransportFixtures.start(testKit.system(), shared, ParserLimits.DEFAULTS, inbound.ref()::tell);
    SipTransport second = null;
    try {
      Throwable refused = SipTransport.start(testKit.system(), settings(listen), ParserLimits.DEFAULTS, Set.of(),
              in -> {})
          .handle((ok, e) -> e).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertTrue(refused != null && refused.getMessage().contains("127.0.0.1:" + port), String.valueOf(refused));
      second = TransportFixtures.start(testKit.system(), shared, ParserLimits.DEFAULTS, inbound.ref()::tell);
      assertEquals(port, second.listening().get(0).address().getPort());
      assertEquals(port, second.listening().get(1).address().getPort());
      try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
        TransportFixtures.sendUdp(client, options("SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-rp", "rp"),
            new InetSocketAddress("127.0.0.1", port));
        assertEquals("rp", inbound.receiveMessage().message().callId());
      }
    } finally {
      TransportFixtures.stop(second);
      TransportFixtures.stop(first);
    }
  }
}
