package io.tandem.transport;

import static io.tandem.transport.TransportFixtures.eventually;
import static io.tandem.transport.TransportFixtures.listener;
import static io.tandem.transport.TransportFixtures.loopback;
import static io.tandem.transport.TransportFixtures.options;
import static io.tandem.transport.TransportFixtures.receiveUdp;
import static io.tandem.transport.TransportFixtures.sendUdp;
import static io.tandem.transport.TransportFixtures.udpClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.Via;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** UDP ingress and egress over real loopback sockets (RFC 3261 section 18, RFC 3581). */
class UdpTransportTest {
  static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load("application-test"));

  private SipTransport transport;
  private final TestProbe<Inbound> inbound = testKit.createTestProbe();
  private final TestProbe<Egress.SendFailed> failures = testKit.createTestProbe();

  @AfterAll
  static void closeKit() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void stop() throws Exception {
    TransportFixtures.stop(transport);
  }

  private InetSocketAddress start(TransportSettings settings) throws Exception {
    return start(settings, ParserLimits.DEFAULTS, inbound.ref()::tell);
  }

  private InetSocketAddress start(TransportSettings settings, ParserLimits limits,
      Consumer<Inbound> handler) throws Exception {
    transport = TransportFixtures.start(testKit.system(), settings, limits, handler);
    return listener(transport, TransportProtocol.UDP);
  }

  private SipRequest receiveRequest() {
    return (SipRequest) inbound.receiveMessage().message();
  }

  @Test
  void requestComesUpWithReceivedAndRportInItsTopVia() throws Exception {
    InetSocketAddress server = start(loopback(""));
    try (DatagramSocket client = udpClient()) {
      sendUdp(client, options("SIP/2.0/UDP 192.0.2.1:5099;branch=z9hG4bK1;rport", "c1"), server);
      Inbound in = inbound.receiveMessage();
      Via top = in.message().topVia();
      assertEquals("127.0.0.1", top.received().orElseThrow(), "RFC 3261 section 18.2.1");
      assertEquals(client.getLocalPort(), top.rport().getAsInt(), "RFC 3581 section 4");
      assertEquals(Peer.udp((InetSocketAddress) client.getLocalSocketAddress(), server), in.source());
      assertEquals(1, transport.counters().get("received"));
    }
  }

  @Test
  void sentByEqualToTheSourceGetsNoReceived() throws Exception {
    InetSocketAddress server = start(loopback(""));
    try (DatagramSocket client = udpClient()) {
      sendUdp(client, options("SIP/2.0/UDP 127.0.0.1:" + client.getLocalPort()
          + ";branch=z9hG4bK2", "c2"), server);
      assertTrue(receiveRequest().topVia().received().isEmpty());
    }
  }

  @Test
  void responseGoesToReceivedAndRportFromTheListeningSocket() throws Exception {
    InetSocketAddress server = start(loopback(""));
    try (DatagramSocket client = udpClient()) {
      sendUdp(client, options("SIP/2.0/UDP 192.0.2.1:5099;branch=z9hG4bK3;rport", "c3"), server);
      Inbound in = inbound.receiveMessage();
      SipResponse ok = SipResponse.builderFor((SipRequest) in.message(), 200).build();
      transport.egress().tell(new Egress.SendResponse(ok, in.source(), failures.ref()));
      String answer = receiveUdp(client, server);
      assertTrue(answer.startsWith("SIP/2.0 200 OK\r\n"), answer);
      assertTrue(answer.contains("rport=" + client.getLocalPort()), answer);
    }
  }

  @Test
  void responseWithoutRportGoesToReceivedAtTheSentByPort() throws Exception {
    InetSocketAddress server = start(loopback(""));
    try (DatagramSocket client = udpClient(); DatagramSocket sentBy = udpClient()) {
      // sent-by names another host, so received is added; the port is sent-by's.
      sendUdp(client, options("SIP/2.0/UDP 192.0.2.1:" + sentBy.getLocalPort()
          + ";branch=z9hG4bK4", "c4"), server);
      Inbound in = inbound.receiveMessage();
      SipResponse ok = SipResponse.builderFor((SipRequest) in.message(), 200).build();
      transport.egress().tell(new Egress.SendResponse(ok, in.source(), failures.ref()));
      assertTrue(receiveUdp(sentBy, server).startsWith("SIP/2.0 200 OK"));
    }
  }

  @Test
  void forceRportSendsTheResponseToTheRequestSource() throws Exception {
    InetSocketAddress server = start(loopback("tandem.transport.force-rport = true"));
    try (DatagramSocket client = udpClient(); DatagramSocket sentBy = udpClient()) {
      sendUdp(client, options("SIP/2.0/UDP 127.0.0.1:" + sentBy.getLocalPort()
          + ";branch=z9hG4bK5", "c5"), server);
      Inbound in = inbound.receiveMessage();
      SipResponse ok = SipResponse.builderFor((SipRequest) in.message(), 200).build();
      transport.egress().tell(new Egress.SendResponse(ok, in.source(), failures.ref()));
      assertTrue(receiveUdp(client, server).startsWith("SIP/2.0 200 OK"));
    }
  }

  @Test
  void responseToAHostNameFailsAsBadDestination() throws Exception {
    start(loopback(""));
    SipResponse ok = SipResponse.builder(200)
        .header(io.tandem.sip.message.HeaderName.VIA, "SIP/2.0/UDP proxy.example.com;branch=z9hG4bK6")
        .header(io.tandem.sip.message.HeaderName.FROM, "<sip:a@example.com>;tag=1")
        .header(io.tandem.sip.message.HeaderName.TO, "<sip:b@example.com>;tag=2")
        .header(io.tandem.sip.message.HeaderName.CALL_ID, "c6")
        .header(io.tandem.sip.message.HeaderName.CSEQ, "1 OPTIONS")
        .build();
    Peer source = Peer.udp(new InetSocketAddress("127.0.0.1", 9), null);
    transport.egress().tell(new Egress.SendResponse(ok, source, failures.ref()));
    Egress.SendFailed failed = failures.receiveMessage();
    assertEquals(ok, failed.message());
    assertTrue(failed.reason().contains("proxy.example.com"), failed.reason());
    assertEquals(1, transport.counters().get("bad-destination"));
  }

  @Test
  void requestIsSentToItsDestination() throws Exception {
    InetSocketAddress server = start(loopback(""));
    try (DatagramSocket peer = udpClient()) {
      sendUdp(peer, options("SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK7", "c7"), server);
      SipRequest request = receiveRequest();
      Peer to = Peer.destination(TransportProtocol.UDP, (InetSocketAddress) peer.getLocalSocketAddress());
      transport.egress().tell(new Egress.SendRequest(request, to, failures.ref()));
      assertTrue(receiveUdp(peer, server).startsWith("OPTIONS sip:tandem@127.0.0.1 SIP/2.0"));
      eventually("sent counted", () -> transport.counters().get("sent") == 1);
    }
  }

  @Test
  void malformedRequestIsAnswered400NamingTheHeader() throws Exception {
    InetSocketAddress server = start(loopback(""));
    try (DatagramSocket client = udpClient()) {
      String bad = options("SIP/2.0/UDP 192.0.2.1:5099;branch=z9hG4bK8;rport", "c8")
          .replace("CSeq: 1 OPTIONS", "CSeq: one OPTIONS");
      sendUdp(client, bad, server);
      String answer = receiveUdp(client, server);
      assertTrue(answer.startsWith("SIP/2.0 400 "), answer);
      String reason = answer.substring(0, answer.indexOf("\r\n"));
      assertTrue(reason.contains("CSeq"), reason);
      assertTrue(answer.contains(";rport=" + client.getLocalPort()), answer);
      assertTrue(answer.contains(";received=127.0.0.1"), answer);
      assertTrue(answer.contains("Call-ID: c8\r\n"), answer);
      assertTrue(answer.matches("(?s).*To: <sip:tandem@127.0.0.1>;tag=\\w+\r\n.*"), answer);
      assertTrue(answer.endsWith("Content-Length: 0\r\n\r\n"), answer);
      inbound.expectNoMessage(Duration.ofMillis(100));
      eventually("answered-malformed counted",
          () -> transport.counters().get("answered-malformed") == 1);
    }
  }

  @Test
  void unknownVersionIsAnswered505() throws Exception {
    InetSocketAddress server = start(loopback(""));
    try (DatagramSocket client = udpClient()) {
      String bad = options("SIP/2.0/UDP 192.0.2.1:5099;branch=z9hG4bK9;rport", "c9")
          .replace("sip:tandem@127.0.0.1 SIP/2.0", "sip:tandem@127.0.0.1 SIP/7.0");
      sendUdp(client, bad, server);
      assertTrue(receiveUdp(client, server).startsWith("SIP/2.0 505 "));
    }
  }

  @Test
  void malformedResponseIsDroppedAndCounted() throws Exception {
    InetSocketAddress server = start(loopback(""));
    try (DatagramSocket client = udpClient()) {
      sendUdp(client, "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKa\r\n"
          + "Content-Length: 0\r\n\r\n", server);
      eventually("malformed-response counted",
          () -> transport.counters().get("malformed-response") == 1);
      inbound.expectNoMessage(Duration.ofMillis(100));
      client.setSoTimeout(200);
      assertThrowsTimeout(() -> receiveUdp(client, null));
    }
  }

  @Test
  void oversizeDatagramIsCounted() throws Exception {
    InetSocketAddress server = start(loopback(""), new ParserLimits(1500, 1000, 64, 1000),
        inbound.ref()::tell);
    try (DatagramSocket client = udpClient()) {
      sendUdp(client, new byte[3000], server);
      sendUdp(client, options("SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKb", "cb"), server);
      inbound.receiveMessage();
      assertEquals(1, transport.counters().get("oversize"));
    }
  }

  @Test
  void fullIngressQueueDropsAndCounts() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    InetSocketAddress server = start(loopback("tandem.transport.udp.ingress-queue = 2"),
        ParserLimits.DEFAULTS, in -> {
          try {
            release.await(5, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    try (DatagramSocket client = udpClient()) {
      for (int i = 0; i < 20; i++) {
        sendUdp(client, options("SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKq" + i, "q" + i), server);
      }
      eventually("queue-full counted", () -> transport.counters().get("queue-full") > 0);
    } finally {
      release.countDown();
    }
  }

  @Test
  void handlerExceptionIsCountedAndTheNextDatagramDelivered() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    InetSocketAddress server = start(loopback(""), ParserLimits.DEFAULTS, in -> {
      if (calls.incrementAndGet() == 1) {
        throw new IllegalStateException("handler bug");
      }
      inbound.ref().tell(in);
    });
    try (DatagramSocket client = udpClient()) {
      sendUdp(client, options("SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKc", "first"), server);
      sendUdp(client, options("SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKd", "second"), server);
      assertEquals("second", inbound.receiveMessage().message().callId());
      assertEquals(1, transport.counters().get("handler-failed"));
    }
  }

  @Test
  void crlfDatagramIsAKeepAlive() throws Exception {
    InetSocketAddress server = start(loopback(""));
    try (DatagramSocket client = udpClient()) {
      sendUdp(client, "\r\n\r\n", server);
      eventually("keepalive counted", () -> transport.counters().get("keepalive") == 1);
      inbound.expectNoMessage(Duration.ofMillis(100));
    }
  }

  @Test
  void bindFailureNamesTheAddress() throws Exception {
    try (DatagramSocket taken = udpClient()) {
      int port = taken.getLocalPort();
      TransportSettings settings = TransportFixtures.settings("tandem.transport.listen = ["
          + "{protocol = tcp, address = \"127.0.0.1\", port = 0},"
          + "{protocol = udp, address = \"127.0.0.1\", port = " + port + "}]");
      Throwable failure = SipTransport.start(testKit.system(), settings, ParserLimits.DEFAULTS,
              java.util.Set.of(), in -> {})
          .handle((t, e) -> e).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertInstanceOf(IllegalStateException.class, failure);
      assertTrue(failure.getMessage().contains("UDP 127.0.0.1:" + port), failure.getMessage());
    }
  }

  private static void assertThrowsTimeout(Executable e) {
    org.junit.jupiter.api.Assertions.assertThrows(SocketTimeoutException.class, e);
  }
}
