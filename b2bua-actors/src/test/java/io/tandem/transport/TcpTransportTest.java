package io.tandem.transport;

import static io.tandem.transport.TransportFixtures.eventually;
import static io.tandem.transport.TransportFixtures.listener;
import static io.tandem.transport.TransportFixtures.loopback;
import static io.tandem.transport.TransportFixtures.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** TCP ingress and egress over real loopback connections (RFC 3261 section 18, RFC 5626). */
class TcpTransportTest {
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

  private InetSocketAddress start(String overrides) throws Exception {
    transport = TransportFixtures.start(testKit.system(), loopback(overrides), ParserLimits.DEFAULTS,
        inbound.ref()::tell);
    return listener(transport, TransportProtocol.TCP);
  }

  private static Socket connect(InetSocketAddress server) throws IOException {
    Socket s = new Socket(server.getAddress(), server.getPort());
    s.setTcpNoDelay(true);
    s.setSoTimeout(3000);
    return s;
  }

  private static void write(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
  }

  /** Reads one message (head and an empty body) or the text up to end of stream. */
  private static String readMessage(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    StringBuilder out = new StringBuilder();
    while (!out.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      out.append((char) b);
    }
    return out.toString();
  }

  /** The server closed the connection: end of stream, or a reset when it aborted. */
  private static void assertClosed(Socket s) throws IOException {
    try {
      assertEquals(-1, s.getInputStream().read(), "closed by the server");
    } catch (java.net.SocketException reset) {
      assertTrue(reset.getMessage().contains("reset"), reset.getMessage());
    }
  }

  private static String tcpOptions(String callId) {
    return options("SIP/2.0/TCP 192.0.2.1:5099;branch=z9hG4bK" + callId, callId);
  }

  @Test
  void twoMessagesInOneWriteAreBothDelivered() throws Exception {
    InetSocketAddress server = start("");
    try (Socket client = connect(server)) {
      write(client, tcpOptions("one") + tcpOptions("two"));
      Inbound first = inbound.receiveMessage();
      assertEquals("one", first.message().callId());
      assertEquals("two", inbound.receiveMessage().message().callId());
      assertTrue(first.source().connectionId() > 0, "each connection has an id");
      assertEquals("127.0.0.1", first.message().topVia().received().orElseThrow());
    }
  }

  @Test
  void aMessageSplitByteByByteIsDelivered() throws Exception {
    InetSocketAddress server = start("");
    try (Socket client = connect(server)) {
      for (byte b : tcpOptions("split").getBytes(StandardCharsets.UTF_8)) {
        client.getOutputStream().write(b);
        client.getOutputStream().flush();
      }
      assertEquals("split", inbound.receiveMessage().message().callId());
    }
  }

  @Test
  void responseGoesBackOverTheSameConnection() throws Exception {
    InetSocketAddress server = start("");
    try (Socket client = connect(server)) {
      write(client, tcpOptions("resp"));
      Inbound in = inbound.receiveMessage();
      SipResponse ok = SipResponse.builderFor((SipRequest) in.message(), 200).build();
      transport.egress().tell(new Egress.SendResponse(ok, in.source(), failures.ref()));
      assertTrue(readMessage(client).startsWith("SIP/2.0 200 OK\r\n"));
    }
  }

  @Test
  void doubleCrlfPingGetsACrlfPong() throws Exception {
    InetSocketAddress server = start("");
    try (Socket client = connect(server)) {
      write(client, "\r\n\r\n");
      assertEquals('\r', client.getInputStream().read());
      assertEquals('\n', client.getInputStream().read());
      assertEquals(1, transport.counters().get("keepalive"));
    }
  }

  @Test
  void malformedRequestIsAnsweredAndTheConnectionGoesOn() throws Exception {
    InetSocketAddress server = start("");
    try (Socket client = connect(server)) {
      write(client, tcpOptions("bad").replace("CSeq: 1 OPTIONS", "CSeq: x OPTIONS")
          + tcpOptions("good"));
      String answer = readMessage(client);
      assertTrue(answer.startsWith("SIP/2.0 400 ") && answer.contains("CSeq"), answer);
      assertEquals("good", inbound.receiveMessage().message().callId());
    }
  }

  @Test
  void lostFramingClosesOnlyThatConnection() throws Exception {
    InetSocketAddress server = start("");
    try (Socket broken = connect(server); Socket healthy = connect(server)) {
      write(broken, "\r\r\n"); // a CR without LF between messages: no way to resynchronise
      assertClosed(broken);
      write(healthy, tcpOptions("still"));
      assertEquals("still", inbound.receiveMessage().message().callId());
      assertEquals(1, transport.counters().get("framing-lost"));
    }
  }

  @Test
  void outboundRequestReusesItsConnectionAndTheResponseComesUp() throws Exception {
    start("");
    try (ServerSocket peer = new ServerSocket(0, 5, java.net.InetAddress.getByName("127.0.0.1"))) {
      peer.setSoTimeout(3000);
      Peer to = Peer.destination(TransportProtocol.TCP,
          (InetSocketAddress) peer.getLocalSocketAddress());
      SipRequest first = (SipRequest) TransportFixtures.parse(tcpOptions("out1"));
      SipRequest second = (SipRequest) TransportFixtures.parse(tcpOptions("out2"));
      transport.egress().tell(new Egress.SendRequest(first, to, failures.ref()));
      transport.egress().tell(new Egress.SendRequest(second, to, failures.ref()));
      try (Socket accepted = peer.accept()) {
        accepted.setSoTimeout(3000);
        assertTrue(readMessage(accepted).contains("Call-ID: out1"));
        assertTrue(readMessage(accepted).contains("Call-ID: out2"), "same connection reused");
        SipResponse ok = SipResponse.builderFor(first, 200).build();
        accepted.getOutputStream().write(io.tandem.sip.codec.SipRenderer.renderBytes(ok));
        Inbound in = inbound.receiveMessage();
        assertInstanceOf(SipResponse.class, in.message());
        assertEquals(TransportProtocol.TCP, in.source().protocol());
        assertNotEquals(Peer.NO_CONNECTION, in.source().connectionId());
        peer.setSoTimeout(300);
        org.junit.jupiter.api.Assertions.assertThrows(java.net.SocketTimeoutException.class,
            peer::accept, "no second connection");
      }
    }
  }

  @Test
  void connectToAClosedPortFailsTheSend() throws Exception {
    start("");
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    SipRequest request = (SipRequest) TransportFixtures.parse(tcpOptions("refused"));
    Peer to = Peer.destination(TransportProtocol.TCP, new InetSocketAddress("127.0.0.1", closedPort));
    transport.egress().tell(new Egress.SendRequest(request, to, failures.ref()));
    Egress.SendFailed failed = failures.receiveMessage(Duration.ofSeconds(5));
    assertEquals(request, failed.message());
    assertEquals(to, failed.destination());
    eventually("send-failed counted", () -> transport.counters().get("send-failed") == 1);
  }

  @Test
  void idleConnectionIsClosed() throws Exception {
    InetSocketAddress server = start("tandem.transport.tcp.idle-timeout = 300ms");
    try (Socket client = connect(server)) {
      long t0 = System.nanoTime();
      assertClosed(client);
      assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(250).toNanos());
    }
  }

  @Test
  void connectionsOverTheLimitAreRefused() throws Exception {
    InetSocketAddress server = start("tandem.transport.tcp.max-connections = 1");
    try (Socket first = connect(server)) {
      write(first, tcpOptions("first"));
      inbound.receiveMessage();
      try (Socket second = connect(server)) {
        assertClosed(second);
      }
      assertEquals(1, transport.counters().get("connection-refused"));
    }
  }
}
