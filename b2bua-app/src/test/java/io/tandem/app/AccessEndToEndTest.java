package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.app.ua.OutgoingCall;
import io.tandem.app.ua.Script;
import io.tandem.app.ua.SipUa;
import io.tandem.transport.TransportProtocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Access control over real sockets: callers on 127.0.0.2 are allowed, on 127.0.0.1 not (403, or
 * nothing with refuse = drop); a source over its rate gets 503 with Retry-After.
 */
class AccessEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String SDP = "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
      + "m=audio 40000 RTP/AVP 0\r\n";

  private SipUa stranger;
  private SipUa customer;
  private SipUa carrier;
  private Server server;

  @BeforeEach
  void uas() throws Exception {
    stranger = SipUa.start("stranger");
    customer = SipUa.start("customer", "127.0.0.2");
    carrier = SipUa.start("carrier");
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    stranger.close();
    customer.close();
    carrier.close();
  }

  private int start(String access) throws Exception {
    server = Server.start(Settings.of(ConfigFactory.parseString("""
        tandem.transport.listen = [{ protocol = udp, address = "127.0.0.1", port = 0 }]
        tandem.sip.timers { t1 = 100ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
        tandem.access { %s }
        tandem.routing {
          carriers { one { address = "127.0.0.1", port = %d } }
          routes = [{ name = all, carriers = [one] }]
        }
        """.formatted(access, carrier.port())), "test"));
    return ServerProbes.port(server, TransportProtocol.UDP);
  }

  @Test
  void anAllowedSourceCallsAnOtherIsForbidden() throws Exception {
    int port = start("allow = [\"127.0.0.2/32\"]");
    carrier.onInvite(Script.answer(Duration.ZERO, SDP));
    OutgoingCall allowed = customer.invite("sip:bob@127.0.0.1:" + port, "udp", SDP);
    assertEquals(200, allowed.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    allowed.bye();
    allowed.awaitResponse(Request.BYE, 200, WAIT);

    OutgoingCall refused = stranger.invite("sip:bob@127.0.0.1:" + port, "udp", SDP);
    assertEquals(403, refused.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    assertEquals(1, carrier.received(Request.INVITE).size(), "the stranger's call reached no carrier");
  }

  @Test
  void dropModeAnswersNothing() throws Exception {
    int port = start("allow = [\"127.0.0.2/32\"], refuse = drop");
    stranger.setTimerT1(Duration.ofMillis(50));
    OutgoingCall refused = stranger.invite("sip:bob@127.0.0.1:" + port, "udp", SDP);
    refused.expectNoResponse(Duration.ofSeconds(1));
    assertTrue(carrier.received(Request.INVITE).isEmpty());
  }

  @Test
  void aSourceOverItsRateGets503() throws Exception {
    int port = start("rate-limit { requests-per-second = 0.2, burst = 2 }");
    List<Integer> statuses = new ArrayList<>();
    Response last = null;
    for (int i = 0; i < 4; i++) {
      last = stranger.options("sip:127.0.0.1:" + port, "udp");
      statuses.add(last.getStatusCode());
    }
    assertEquals(List.of(200, 200, 503, 503), statuses, "a burst of 2, then one per 5 s");
    assertNotNull(last.getHeader("Retry-After"), last::toString);
    assertTrue(last.getHeader("Retry-After").toString().contains("5"), last::toString);
  }
}
