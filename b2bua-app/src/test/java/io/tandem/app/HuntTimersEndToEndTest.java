package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.tandem.app.ua.IncomingCall;
import io.tandem.app.ua.OutgoingCall;
import io.tandem.app.ua.Script;
import io.tandem.app.ua.SipUa;
import io.tandem.transport.TransportProtocol;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A route's ring-timeout (a carrier that rings too long is cancelled) and relay-as (a final mapped). */
class HuntTimersEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String SDP = "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
      + "m=audio 40000 RTP/AVP 0\r\n";

  private static SipUa alice;
  private static SipUa one;
  private static SipUa two;
  private static Server server;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    alice = SipUa.start("alice");
    one = SipUa.start("one");
    two = SipUa.start("two");
    server = Server.start(Settings.of(ConfigFactory.parseString("""
        tandem.transport.listen = [{ protocol = udp, address = "127.0.0.1", port = 0 }]
        tandem.sip.timers { t1 = 100ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
        tandem.routing {
          carriers {
            one { address = "127.0.0.1", port = %d }
            two { address = "127.0.0.1", port = %d }
          }
          routes = [
            { name = ring, match-user-prefix = "ring", carriers = [one, two], ring-timeout = 500ms }
            { name = mapped, match-user-prefix = "map", carriers = [one], relay-as { "486" = 480 } }
          ]
        }
        """.formatted(one.port(), two.port())), "test"));
    port = ServerProbes.port(server, TransportProtocol.UDP);
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    alice.close();
    one.close();
    two.close();
  }

  @BeforeEach
  void reset() {
    alice.reset();
    one.reset();
    two.reset();
  }

  /** One rings past the route's ring-timeout: it gets CANCEL, and two answers the call. */
  @Test
  void aCarrierThatRingsTooLongIsCancelledAndTheNextAnswers() throws Exception {
    one.onInvite(Script.ringForever());
    two.onInvite(Script.answer(Duration.ZERO, SDP));
    OutgoingCall call = alice.invite("sip:ring-bob@127.0.0.1:" + port, "udp", SDP);
    IncomingCall ringing = one.awaitIncoming(WAIT);
    call.awaitStatus(180, WAIT);
    long rang = System.nanoTime();
    ringing.awaitCancel(WAIT);
    long cancelledAfterMs = (System.nanoTime() - rang) / 1_000_000;
    IncomingCall answered = two.awaitIncoming(WAIT);
    assertEquals(200, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    answered.awaitAck(WAIT);
    assertEquals(true, cancelledAfterMs >= 300, "cancelled after the ring-timeout, not at once: " + cancelledAfterMs);
    call.bye();
    answered.awaitBye(WAIT);
  }

  /** relay-as { 486 = 480 }: the caller gets 480 Temporarily Unavailable for the carrier's 486. */
  @Test
  void aFinalIsRelayedAsTheRouteSays() throws Exception {
    one.onInvite(Script.reject(486));
    OutgoingCall call = alice.invite("sip:map-bob@127.0.0.1:" + port, "udp", SDP);
    assertEquals(480, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    assertEquals(1, one.received(Request.INVITE).size());
  }
}
