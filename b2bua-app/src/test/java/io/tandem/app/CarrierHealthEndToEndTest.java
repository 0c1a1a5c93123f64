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
import java.util.function.BooleanSupplier;
import javax.sip.message.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A carrier probed with OPTIONS (JAIN-SIP): when it stops answering it leaves the hunt, and
 * calls go straight to the next carrier; when it answers again it comes back.
 */
class CarrierHealthEndToEndTest {
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
    one.answer(Request.OPTIONS, r -> one.reply(r, 503));
    server = Server.start(Settings.of(ConfigFactory.parseString("""
        tandem.transport.listen = [{ protocol = udp, address = "127.0.0.1", port = 0 }]
        tandem.sip.timers { t1 = 100ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
        tandem.routing {
          carriers {
            one { address = "127.0.0.1", port = %d, health { interval = 100ms, timeout = 300ms, down-after = 2, up-after = 2 } }
            two { address = "127.0.0.1", port = %d }
          }
          routes = [{ name = all, carriers = [one, two] }]
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

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + " within " + WAIT + "\n" + SipUa.ladders());
      }
      Thread.sleep(20);
    }
  }

  private static void callAndHangUp(SipUa expected) throws Exception {
    expected.onInvite(Script.answer(Duration.ZERO, SDP));
    OutgoingCall call = alice.invite("sip:bob@127.0.0.1:" + port, "udp", SDP);
    IncomingCall legB = expected.awaitIncoming(WAIT);
    assertEquals(200, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    legB.awaitAck(WAIT);
    call.bye();
    legB.awaitBye(WAIT);
  }

  @Test
  void aCarrierThatStopsAnsweringLeavesTheHuntAndComesBack() throws Exception {
    // Down: two 503s to OPTIONS in a row. A call goes straight to two.
    await(() -> !server.carrierHealth().isUp("one"), "carrier one down");
    assertTrue(one.received(Request.OPTIONS).size() >= 2);
    callAndHangUp(two);
    assertTrue(one.received(Request.INVITE).isEmpty(), "a carrier that is down gets no INVITE");

    // Up again: it answers OPTIONS (even 405 is an answer). Calls go to one first again.
    one.answer(Request.OPTIONS, r -> one.reply(r, 405));
    await(() -> server.carrierHealth().isUp("one"), "carrier one back up");
    callAndHangUp(one);
  }
}
