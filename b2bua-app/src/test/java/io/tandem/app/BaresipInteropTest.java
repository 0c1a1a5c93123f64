package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.app.ua.IncomingCall;
import io.tandem.app.ua.Script;
import io.tandem.app.ua.SipUa;
import io.tandem.transport.TransportProtocol;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real softphone, Debian's baresip 1.0, calls through Tandem: to a JAIN-SIP carrier that
 * answers, and to a second baresip that answers by itself. Each call is answered and hung up
 * with BYE and 200 on both legs, and afterwards Tandem holds no call and no transaction.
 *
 * <p>The arrangement: everything runs in the test's own network namespace on 127.0.0.1, with
 * no namespace, interface or address created. Tandem, the JAIN-SIP carrier and both baresips
 * each take free loopback ports. baresip would otherwise write the first non-loopback interface
 * address into Contact and SDP (and fail where there is none); {@code net_interface 127.0.0.1}
 * in its config makes it bind and advertise loopback instead (see {@link Baresip}). It is
 * driven over its {@code ctrl_tcp} socket (dial, hangup, quit) and its SIP trace ({@code -s})
 * is what the test reads as its side of the ladder.
 *
 * <p>CI installs baresip and sets TANDEM_REQUIRE_INTEROP=1, which turns a missing baresip into
 * a failure; elsewhere the test is skipped when baresip is not installed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BaresipInteropTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String ANSWER = "v=0\r\no=carrier 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\n";

  @TempDir
  static Path dir;
  private static SipUa carrier;
  private static Baresip alice;
  private static Baresip bob;
  private static Server server;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    if ("1".equals(System.getenv("TANDEM_REQUIRE_INTEROP"))) {
      assertTrue(Baresip.installed(), "baresip is required (apt-get install -y baresip)");
    }
    Assumptions.assumeTrue(Baresip.installed(), "baresip is not installed");
    carrier = SipUa.start("carrier");
    alice = Baresip.start("alice", false, dir.resolve("alice"));
    bob = Baresip.start("bob", true, dir.resolve("bob"));
    server = Server.start(Settings.of(ConfigFactory.parseString("""
        tandem.transport.listen = [ { protocol = udp, address = "127.0.0.1", port = 0 } ]
        tandem.sip.timers { t1 = 100ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
        tandem.routing {
          carriers {
            jain-sip { address = "127.0.0.1", port = %d }
            baresip { address = "127.0.0.1", port = %d }
          }
          routes = [
            { name = softphone, match-user-prefix = "bob", carriers = [baresip] }
            { name = all, carriers = [jain-sip] }
          ]
        }
        """.formatted(carrier.port(), bob.port())), "test"));
    port = ServerProbes.port(server, TransportProtocol.UDP);
  }

  @AfterAll
  static void stop() throws Exception {
    try (AutoCloseable a = alice; AutoCloseable b = bob; AutoCloseable c = carrier) {
      if (server != null) {
        server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }

  @BeforeEach
  void reset() throws Exception {
    carrier.reset();
    alice.mark();
    bob.mark();
  }

  private static String ladders() {
    return alice.describe() + bob.describe() + SipUa.ladders();
  }

  /** The body of a SIP message as baresip traced it, as {@link #sdp} gives it. */
  private static String body(String message) {
    String text = message.replace("\r\n", "\n");
    return sdp(text.substring(text.indexOf("\n\n") + 2));
  }

  /** An SDP body with bare line ends and no trailing one, to compare with a traced one. */
  private static String sdp(String body) {
    return body.replace("\r\n", "\n").strip();
  }

  /** Waits until the carrier's ladder ends with {@code last} (Tandem may retransmit before it). */
  private static void awaitLast(SipUa ua, String... last) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    List<String> ladder = ua.ladder();
    while (ladder.size() < last.length
        || !ladder.subList(ladder.size() - last.length, ladder.size()).equals(List.of(last))) {
      assertTrue(System.nanoTime() < deadline, () -> "no " + List.of(last) + " at the end\n" + ladders());
      Thread.sleep(20);
      ladder = ua.ladder();
    }
  }

  /** Its requests and finals in order, retransmissions and provisionals left out. */
  private static List<String> finals(Baresip phone) throws Exception {
    return phone.ladder().stream().filter(l -> !l.matches("<- 1\\d\\d .*")).distinct().toList();
  }

  /**
   * <pre>
   * alice (baresip)    Tandem              carrier (JAIN-SIP)
   *   |--INVITE+SDP---->|--INVITE+SDP------->|
   *   |<------180,200---|<-----------180,200-|
   *   |--ACK----------->|--ACK-------------->|
   *   |--BYE----------->|--BYE-------------->|
   *   |<-----200--------|<-------------200---|
   * </pre>
   */
  @Order(1)
  @Test
  void softphoneCallsACarrierAndHangsUp() throws Exception {
    carrier.onInvite(Script.answer(Duration.ofMillis(50), ANSWER));
    alice.dial("sip:carrier@127.0.0.1:" + port);
    IncomingCall legB = carrier.awaitIncoming(WAIT);
    legB.awaitAck(WAIT);
    alice.await("<- 200 INVITE", WAIT);
    assertEquals(body(alice.message("-> INVITE")), sdp(legB.lastSdp()), "baresip's offer reaches the carrier");
    assertEquals(sdp(ANSWER), body(alice.message("<- 200 INVITE")), "the carrier's answer reaches baresip");
    alice.await("-> ACK", WAIT); // hanging up before baresip has ACKed would race its ACK with its BYE

    alice.hangup();
    legB.awaitBye(WAIT);
    alice.await("<- 200 BYE", WAIT);
    awaitLast(carrier, "<- BYE", "-> 200 OK");
    assertEquals(List.of("-> INVITE", "<- 200 INVITE", "-> ACK", "-> BYE", "<- 200 BYE"), finals(alice),
        BaresipInteropTest::ladders);
  }

  /** The carrier hangs up: baresip gets Tandem's BYE and answers it 200. */
  @Order(2)
  @Test
  void carrierHangsUpOnTheSoftphone() throws Exception {
    carrier.onInvite(Script.answer(Duration.ZERO, ANSWER));
    alice.dial("sip:carrier@127.0.0.1:" + port);
    IncomingCall legB = carrier.awaitIncoming(WAIT);
    legB.awaitAck(WAIT);
    alice.await("-> ACK", WAIT);

    legB.bye();
    legB.awaitResponse(Request.BYE, 200, WAIT);
    alice.await("-> 200 BYE", WAIT);
    assertEquals(List.of("-> INVITE", "<- 200 INVITE", "-> ACK", "<- BYE", "-> 200 BYE"), finals(alice),
        BaresipInteropTest::ladders);
  }

  /** baresip to baresip: bob answers by itself (answermode=auto), alice hangs up. */
  @Order(3)
  @Test
  void softphoneCallsASoftphone() throws Exception {
    alice.dial("sip:bob@127.0.0.1:" + port);
    bob.await("<- ACK", WAIT);
    alice.await("-> ACK", WAIT);
    assertEquals(body(alice.message("-> INVITE")), body(bob.message("<- INVITE")), "alice's offer reaches bob");
    assertEquals(body(bob.message("-> 200 INVITE")), body(alice.message("<- 200 INVITE")),
        "bob's answer reaches alice");

    alice.hangup();
    bob.await("-> 200 BYE", WAIT);
    alice.await("<- 200 BYE", WAIT);
    assertEquals(List.of("<- INVITE", "-> 200 INVITE", "<- ACK", "<- BYE", "-> 200 BYE"),
        bob.ladder().stream().filter(l -> !l.matches("-> 1\\d\\d .*")).distinct().toList(),
        BaresipInteropTest::ladders);
    assertEquals(List.of("-> INVITE", "<- 200 INVITE", "-> ACK", "-> BYE", "<- 200 BYE"), finals(alice),
        BaresipInteropTest::ladders);
  }

  /** Every call actor and every transaction of those calls ends once the call is over. */
  @Order(4)
  @Test
  void nothingOutlivesTheCalls() throws Exception {
    try {
      ServerProbes.awaitIdle(server, Duration.ofSeconds(12));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n" + ladders(), e);
    }
  }
}
