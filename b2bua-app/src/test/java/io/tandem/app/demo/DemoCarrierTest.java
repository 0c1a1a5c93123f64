package io.tandem.app.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.app.Server;
import io.tandem.app.Settings;
import io.tandem.app.ua.OutgoingCall;
import io.tandem.app.ua.SipUa;
import io.tandem.transport.ListenPoint;
import io.tandem.transport.TransportProtocol;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Request;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedded demo carrier behind Tandem, called by an independent SIP stack (JAIN-SIP): it
 * rings, answers with SDP, hangs up on BYE, answers CANCEL 487, and keeps no call afterwards.
 */
class DemoCarrierTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String OFFER = "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";

  private static SipUa alice;
  private static Server server;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    alice = SipUa.start("alice");
    server = Server.start(Settings.of(ConfigFactory.parseString("""
        tandem.transport.listen = [ { protocol = udp, address = "127.0.0.1", port = 0 } ]
        tandem.demo-carrier { enabled = true, port = 0, ring-time = 300ms }
        tandem.routing.routes = [ { name = all, carriers = [demo] } ]
        """), "test"));
    port = server.listening().stream().filter(p -> p.protocol() == TransportProtocol.UDP)
        .map(ListenPoint::address).findFirst().orElseThrow().getPort();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    alice.close();
  }

  @Test
  void answersWithRingingThenSdpAndHangsUpOnBye() throws Exception {
    OutgoingCall call = alice.invite("sip:0044123@127.0.0.1:" + port, "udp", OFFER);

    assertEquals(200, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    assertTrue(call.statuses().contains(180), SipUa::ladders);
    String sdp = call.lastSdp();
    assertTrue(sdp.startsWith("v=0\r\n"), sdp);
    assertTrue(sdp.contains("c=IN IP4 127.0.0.1\r\n"), sdp);
    assertTrue(sdp.contains("m=audio " + DemoCall.MEDIA_PORT + " RTP/AVP 0 8\r\n"), sdp);
    assertTrue(sdp.contains("a=sendrecv\r\n"), sdp);
    assertEquals(1, liveCalls(), "the answered call is up at the carrier");

    call.bye();
    call.awaitResponse(Request.BYE, 200, WAIT);
    awaitNoCalls();
  }

  @Test
  void cancelWhileRingingGets487() throws Exception {
    OutgoingCall call = alice.invite("sip:bob@127.0.0.1:" + port, "udp", OFFER);
    call.awaitStatus(180, WAIT);

    call.cancel();
    call.awaitResponse(Request.CANCEL, 200, WAIT);
    assertEquals(487, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    awaitNoCalls();
  }

  private static int liveCalls() throws Exception {
    return AskPattern.<DemoCarrier.Command, Integer>ask(server.demoCarrier().orElseThrow().user(),
            DemoCarrier.GetCallCount::new, WAIT, server.system().scheduler())
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  /** Every call actor the carrier started has stopped. */
  private static void awaitNoCalls() throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    int live;
    while ((live = liveCalls()) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(0, live, "calls left at the demo carrier");
  }
}
