package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 3261 section 8.2.3 and RFC 4475 3.3.11-12: an INVITE whose body is a type Tandem does not
 * accept gets 415 with Accept, one whose Accept rules out every type it does 406, and neither
 * reaches a carrier; SDP, multipart and ISUP bodies are accepted by default, and a route's
 * accept-body-types adds types for its calls.
 */
class BodyTypesEndToEndTest {
  private static RawPeer carrier;
  private static Server server;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    carrier = new RawPeer();
    server = Server.start(Settings.of(ConfigFactory.parseString("""
        tandem.transport.listen = [ { protocol = udp, address = "127.0.0.1", port = 0 } ]
        tandem.sip.timers { t1 = 50ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
        # The RFC 4475 messages name Vias no test can answer at: responses to their source.
        tandem.transport.force-rport = true
        tandem.routing {
          carriers { raw { address = "127.0.0.1", port = %d } }
          routes = [
            { name = ocean, match-user-prefix = "ocean", carriers = [raw], accept-body-types = ["application/x-ocean"] }
            { name = all, carriers = [raw] }
          ]
        }
        """.formatted(carrier.port())), "test"));
    port = server.listening().get(0).address().getPort();
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    carrier.close();
  }

  @Test
  void aBodyOfAnUnknownTypeIs415WithAccept() throws Exception {
    RawMessage refused = refusedWith("415", "unknown-type", "bob",
        invite -> invite.replace("Content-Type: application/sdp", "Content-Type: application/unknownformat"));
    assertEquals("application/sdp, multipart/mixed, application/isup", refused.header("Accept"), refused.text());
    assertTrue(refused.header("To").contains("tag="), refused.text());
    assertReachesTheCarrier("carol-after-415");
  }

  @Test
  void anAcceptThatRulesOutEveryTypeIs406() throws Exception {
    refusedWith("406", "bad-accept", "bob",
        invite -> invite.replace("Content-Type:", "Accept: text/nobodyKnowsThis\r\nContent-Type:"));
    assertReachesTheCarrier("carol-after-406");
  }

  /** The torture tests' own messages (RFC 4475 sections 3.3.6 and 3.3.15), as they are written. */
  @Test
  void theRfc4475MessagesGet415And406() throws Exception {
    java.nio.file.Path corpus = java.nio.file.Path.of("..", "b2bua-actors", "src", "test", "resources", "rfc4475");
    for (String[] expected : new String[][] {{"invut.dat", "415"}, {"sdp01.dat", "406"}}) {
      try (RawPeer caller = new RawPeer()) {
        String text = java.nio.file.Files.readString(corpus.resolve(expected[0]), java.nio.charset.StandardCharsets.ISO_8859_1);
        caller.send(text, new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
        RawMessage answer = caller.receive("SIP/2.0 " + expected[1]);
        assertEquals("application/sdp, multipart/mixed, application/isup", answer.header("Accept"), answer.text());
      }
    }
    assertReachesTheCarrier("carol-after-rfc4475");
  }

  @Test
  void sdpMultipartAndAcceptRangesGoOn() throws Exception {
    assertReachesTheCarrier("carol-range", invite -> invite.replace("Content-Type:", "Accept: application/*\r\nContent-Type:"));
    assertReachesTheCarrier("carol-any", invite -> invite.replace("Content-Type:", "Accept: text/html, */*\r\nContent-Type:"));
    assertReachesTheCarrier("carol-multipart", invite -> invite.replace("Content-Type: application/sdp",
        "Content-Type: multipart/mixed;boundary=unique-boundary-1"));
  }

  @Test
  void aRouteWidensTheAcceptedTypes() throws Exception {
    java.util.function.UnaryOperator<String> ocean =
        invite -> invite.replace("Content-Type: application/sdp", "Content-Type: application/x-ocean");
    assertReachesTheCarrier("ocean-1", ocean);
    refusedWith("415", "not-ocean", "bob", ocean); // the other route keeps the defaults
  }

  /** An INVITE to {@code user}, changed by {@code edit}, answered {@code status} by Tandem itself. */
  private static RawMessage refusedWith(String status, String name, String user,
      java.util.function.UnaryOperator<String> edit) throws Exception {
    try (RawPeer caller = new RawPeer()) {
      String invite = caller.inviteText(port, name + "-" + System.nanoTime() + "@127.0.0.1")
          .replace("sip:bob@", "sip:" + user + "@");
      caller.sendInvite(edit.apply(invite), port);
      RawMessage answer = caller.receive("SIP/2.0 " + status);
      caller.ackFinal(answer, port);
      return answer;
    }
  }

  private static void assertReachesTheCarrier(String user) throws Exception {
    assertReachesTheCarrier(user, invite -> invite);
  }

  /**
   * An INVITE to {@code user}, changed by {@code edit}: the next INVITE the carrier gets is its
   * own (none of a refused call came before it), and the carrier's 486 ends it.
   */
  private static void assertReachesTheCarrier(String user, java.util.function.UnaryOperator<String> edit)
      throws Exception {
    try (RawPeer caller = new RawPeer()) {
      String invite = caller.inviteText(port, user + "-" + System.nanoTime() + "@127.0.0.1")
          .replace("sip:bob@", "sip:" + user + "@");
      caller.sendInvite(edit.apply(invite), port);
      RawMessage legB = carrier.receive("INVITE");
      assertTrue(legB.text().startsWith("INVITE sip:" + user + "@"), legB.text());
      carrier.reply(legB, "486 Busy Here", "", "");
      RawMessage busy = caller.receive("SIP/2.0 486");
      caller.ackFinal(busy, port);
    }
  }
}
