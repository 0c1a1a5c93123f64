package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.app.ua.IncomingCall;
import io.tandem.app.ua.OutgoingCall;
import io.tandem.app.ua.Script;
import io.tandem.app.ua.SipUa;
import io.tandem.transport.TransportProtocol;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sip.address.SipURI;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Routes with match captures, actions and a reject (DESIGN section 6) over real loopback
 * sockets: alice dials the UK number in national-international form, the carrier gets it in
 * E.164 with the route's header and identity; a barred number is refused with the route's status.
 */
class RoutingRulesEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String OFFER = "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";
  private static final String ANSWER = "v=0\r\no=carrier 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\n";

  private static SipUa alice;
  private static SipUa carrier;
  private static Server server;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    alice = SipUa.start("alice");
    carrier = SipUa.start("carrier");
    server = Server.start(Settings.of(ConfigFactory.parseString("""
        tandem.transport.listen = [{ protocol = udp, address = "127.0.0.1", port = 0 }]
        tandem.sip.timers { t1 = 100ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
        tandem.routing {
          carriers { uk { address = "127.0.0.1", port = %d } }
          routes = [
            { name = barred, match { user-regex = "^09[0-9]+$" }, reject { status = 403, reason = "Premium Barred" } }
            { name = uk, match { user-regex = "^00(44[0-9]+)$" }, carriers = [uk], dial = "+${1}",
              p-asserted-identity = "<sip:${from}@tandem.example>", headers { add { "X-Route" = "uk-${1}" } } }
          ]
        }
        """.formatted(carrier.port())), "test"));
    port = ServerProbes.port(server, TransportProtocol.UDP);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    alice.close();
    carrier.close();
  }

  @Test
  void theCarrierGetsTheNormalisedNumberTheHeaderAndTheIdentity() throws Exception {
    carrier.onInvite(Script.answer(Duration.ZERO, ANSWER));
    OutgoingCall call = alice.invite("sip:00441234@127.0.0.1:" + port, "udp", OFFER);
    IncomingCall legB = carrier.awaitIncoming(WAIT);
    assertEquals(200, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    legB.awaitAck(WAIT);

    Request invite = legB.invite();
    assertEquals("+441234", ((SipURI) invite.getRequestURI()).getUser(), invite::toString);
    assertEquals("uk-441234", value(invite.getHeader("X-Route")), invite::toString);
    assertEquals("<sip:alice@tandem.example>", value(invite.getHeader("P-Asserted-Identity")), invite::toString);
    assertEquals("alice", ((SipURI) ((FromHeader) invite.getHeader(FromHeader.NAME)).getAddress().getURI()).getUser(),
        "no from-user: the caller's user stays");

    call.bye();
    legB.awaitBye(WAIT);
    call.awaitResponse(Request.BYE, 200, WAIT);
  }

  @Test
  void aRejectRouteAnswersItsStatusAndReason() throws Exception {
    OutgoingCall call = alice.invite("sip:0900123@127.0.0.1:" + port, "udp", OFFER);
    Response refused = call.awaitFinal(WAIT);
    assertEquals(403, refused.getStatusCode(), SipUa::ladders);
    assertEquals("Premium Barred", refused.getReasonPhrase());
    assertTrue(carrier.received(Request.INVITE).stream()
        .noneMatch(r -> ((SipURI) r.getRequestURI()).getUser().contains("900123")), "no carrier is tried");
  }

  /** A header's value as written (JAIN-SIP prints "Name: value"). */
  private static String value(Header header) {
    String text = header.toString().trim();
    return text.substring(text.indexOf(':') + 1).trim();
  }
}
