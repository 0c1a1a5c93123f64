package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * IPv4 and IPv6 on one Tandem (127.0.0.1 and [::1]): a call from an IPv4 caller to an IPv6
 * carrier, and one from an IPv6 caller to an IPv4 carrier, each leg's Via, Contact and hidden
 * From naming Tandem in that leg's own family; the SDP crosses as it is (media flows between
 * the peers). Both calls are hung up, one from each side.
 */
class DualStackEndToEndTest {
  private static final String ANSWER = "v=0\r\no=carrier 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\n";
  private static final InetAddress V6 = ipv6Loopback();
  private static RawPeer carrier4;
  private static RawPeer carrier6;
  private static Server server;
  private static int port4;
  private static int port6;

  private static InetAddress ipv6Loopback() {
    try {
      return InetAddress.getByName("::1");
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    carrier4 = new RawPeer();
    carrier6 = new RawPeer(V6);
    server = Server.start(Settings.of(ConfigFactory.parseString("""
        tandem.transport.listen = [
          { protocol = udp, address = "127.0.0.1", port = 0 }
          { protocol = udp, address = "::1", port = 0 }
        ]
        tandem.sip.timers { t1 = 50ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
        tandem.routing {
          carriers {
            v4 { address = "127.0.0.1", port = %d }
            v6 { address = "::1", port = %d }
          }
          routes = [
            { name = six, match-user-prefix = "six", carriers = [v6] }
            { name = four, carriers = [v4] }
          ]
        }
        """.formatted(carrier4.port(), carrier6.port())), "test"));
    for (var point : server.listening()) {
      if (point.address().getAddress() instanceof Inet6Address) {
        port6 = point.address().getPort();
      } else {
        port4 = point.address().getPort();
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    carrier4.close();
    carrier6.close();
  }

  @Test
  void anIpv4CallerReachesAnIpv6Carrier() throws Exception {
    try (RawPeer caller = new RawPeer()) {
      caller.invite(port4, "dual-4to6-" + System.nanoTime() + "@127.0.0.1", "six-1");
      RawMessage legB = carrier6.receive("INVITE");
      assertTandemIn("[::1]", port6, legB);
      assertTrue(legB.header("From").contains("@[::1]"), "the hidden From in leg B's family: " + legB.text());
      assertTrue(legB.text().contains("c=IN IP4 127.0.0.1"), "the SDP as the caller sent it");
      carrier6.reply(legB, "200 OK", carrier6.contact() + "Content-Type: application/sdp\r\n", ANSWER);
      RawMessage ok = caller.receive("SIP/2.0 200");
      assertTandemIn("127.0.0.1", port4, ok);
      caller.ack(ok, port4);
      assertTandemIn("[::1]", port6, carrier6.receive("ACK"));

      // The carrier hangs up: leg A's BYE names Tandem in IPv4.
      carrier6.send(inDialog("BYE", legB, carrier6), new InetSocketAddress(V6, port6));
      RawMessage bye = caller.receive("BYE");
      assertTandemIn("127.0.0.1", port4, bye);
      caller.reply(bye, "200 OK", "", "");
      assertTrue(carrier6.receive("SIP/2.0 200").header("CSeq").endsWith("BYE"));
    }
  }

  @Test
  void anIpv6CallerReachesAnIpv4Carrier() throws Exception {
    try (RawPeer caller = new RawPeer(V6)) {
      caller.invite(port6, "dual-6to4-" + System.nanoTime() + "@[::1]", "bob");
      RawMessage legB = carrier4.receive("INVITE");
      assertTandemIn("127.0.0.1", port4, legB);
      assertFalse(legB.header("From").contains("::1"), legB.text());
      carrier4.reply(legB, "200 OK", carrier4.contact() + "Content-Type: application/sdp\r\n", ANSWER);
      RawMessage ok = caller.receive("SIP/2.0 200");
      assertTandemIn("[::1]", port6, ok);
      caller.ack(ok, port6);
      assertTandemIn("127.0.0.1", port4, carrier4.receive("ACK"));

      // The caller hangs up: leg B's BYE names Tandem in IPv4.
      caller.bye(ok, port6);
      RawMessage bye = carrier4.receive("BYE");
      assertTandemIn("127.0.0.1", port4, bye);
      carrier4.reply(bye, "200 OK", "", "");
      assertTrue(caller.receive("SIP/2.0 200").header("CSeq").endsWith("BYE"));
    }
  }

  /**
   * Tandem as {@code message} names it: its own Via on a request Tandem sent (the top one), or
   * its Contact on a 2xx or a request: at {@code host}:{@code port}, in that leg's family.
   */
  private static void assertTandemIn(String host, int port, RawMessage message) {
    String at = host + ":" + port;
    if (!message.text().startsWith("SIP/2.0")) {
      assertTrue(message.headers("Via").get(0).contains(" " + at), "Via in the leg's family: " + message.text());
    }
    String contact = message.header("Contact");
    if (contact != null) {
      assertTrue(contact.contains("@" + at), "Contact in the leg's family: " + message.text());
    }
  }

  /** {@code method} from {@code peer} (the carrier) in leg B's dialog, to Tandem's Contact. */
  private static String inDialog(String method, RawMessage legB, RawPeer peer) {
    String tandem = legB.header("Contact").replaceAll("^<|>.*$", "");
    return method + " " + tandem + " SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP " + peer.host() + ":" + peer.port() + ";branch=z9hG4bK-" + method.toLowerCase()
        + "-" + System.nanoTime() + "\r\n"
        + "Max-Forwards: 70\r\nFrom: " + legB.header("To") + ";tag=raw-b\r\nTo: " + legB.header("From")
        + "\r\nCall-ID: " + legB.header("Call-ID") + "\r\nCSeq: 2 " + method + "\r\nContent-Length: 0\r\n\r\n";
  }
}
