package io.tandem.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tandem.sip.codec.ParserLimits;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;

/** Settings, messages and loopback sockets the transport tests share. */
final class TransportFixtures {
  private TransportFixtures() {}

  /** tandem.transport from reference.conf with {@code overrides} (HOCON) on top. */
  static TransportSettings settings(String overrides) {
    Config config = ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.load("application-test"));
    return TransportSettings.fromConfig(config);
  }

  /** A UDP and a TCP listener on 127.0.0.1, free ports, plus {@code overrides}. */
  static TransportSettings loopback(String overrides) {
    return settings("tandem.transport.listen = ["
        + "{protocol = udp, address = \"127.0.0.1\", port = 0},"
        + "{protocol = tcp, address = \"127.0.0.1\", port = 0}]\n" + overrides);
  }

  static SipTransport start(ActorSystem<?> system, TransportSettings settings,
      ParserLimits limits, Consumer<Inbound> handler) throws Exception {
    return SipTransport.start(system, settings, limits, Set.of(), handler)
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  static void stop(SipTransport transport) throws Exception {
    if (transport != null) {
      transport.shutdown().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
  }

  static InetSocketAddress listener(SipTransport t, TransportProtocol protocol) {
    return t.listening().stream().filter(l -> l.protocol() == protocol).findFirst()
        .orElseThrow().address();
  }

  /** An OPTIONS request with {@code via} as its only Via. */
  static String options(String via, String callId) {
    return "OPTIONS sip:tandem@127.0.0.1 SIP/2.0\r\n"
        + "Via: " + via + "\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: <sip:alice@example.com>;tag=a1\r\n"
        + "To: <sip:tandem@127.0.0.1>\r\n"
        + "Call-ID: " + callId + "\r\n"
        + "CSeq: 1 OPTIONS\r\n"
        + "Content-Length: 0\r\n\r\n";
  }

  /** {@code text} parsed as one message; fails the test if it is not sound. */
  static io.tandem.sip.message.SipMessage parse(String text) {
    return ((io.tandem.sip.codec.ParseResult.Parsed) new io.tandem.sip.codec.SipParser(
        ParserLimits.DEFAULTS).parseDatagram(text.getBytes(StandardCharsets.UTF_8))).message();
  }

  /** A loopback UDP socket on a free port that gives up reading after 3 s. */
  static DatagramSocket udpClient() throws IOException {
    DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    s.setSoTimeout(3000);
    return s;
  }

  static void sendUdp(DatagramSocket from, String text, InetSocketAddress to) throws IOException {
    sendUdp(from, text.getBytes(StandardCharsets.UTF_8), to);
  }

  static void sendUdp(DatagramSocket from, byte[] octets, InetSocketAddress to) throws IOException {
    from.send(new DatagramPacket(octets, octets.length, to));
  }

  /** The next datagram on {@code socket}, as text; its source is checked against {@code from}. */
  static String receiveUdp(DatagramSocket socket, InetSocketAddress from) throws IOException {
    DatagramPacket p = new DatagramPacket(new byte[65_535], 65_535);
    socket.receive(p);
    if (from != null) {
      assertEquals(from, p.getSocketAddress(), "sent from the listening socket");
    }
    return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
  }

  /** Polls {@code condition} until it holds or 3 s pass (for counters bumped on other threads). */
  static void eventually(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 3 s: " + what);
      }
      Thread.sleep(10);
    }
  }
}
