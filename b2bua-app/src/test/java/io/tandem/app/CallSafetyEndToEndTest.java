package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.app.ua.OutgoingCall;
import io.tandem.app.ua.SipUa;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sip.message.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a well-behaved peer cannot produce on demand, played by peers written as raw datagrams:
 * a 2xx that crosses the caller's CANCEL, a caller that never ACKs, a call nobody hangs up, a
 * call routed back into Tandem, an INVITE with no hops left, and the global call limit.
 */
class CallSafetyEndToEndTest {
  private static final Duration WAIT = RawPeer.WAIT;
  private static final String OFFER = RawPeer.OFFER;
  private static final String ANSWER = "v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\n";

  private static SipUa alice;
  private static RawPeer carrier;
  private static Server server;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    alice = SipUa.start("alice");
    carrier = new RawPeer();
    int self;
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      self = probe.getLocalPort(); // Tandem's own port, known before it starts, for the loop route
    }
    // T1 = 50 ms: the ACK wait (64*T1) is 3.2 s; calls last 5 s at most; 3 calls at once.
    server = Server.start(Settings.of(ConfigFactory.parseString("""
        tandem.transport.listen = [ { protocol = udp, address = "127.0.0.1", port = %d } ]
        tandem.sip.timers { t1 = 50ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
        tandem.call.max-duration = 5s
        tandem.routing {
          max-calls = 3
          retry-after = 7s
          carriers {
            raw { address = "127.0.0.1", port = %d }
            self { address = "127.0.0.1", port = %d }
          }
          routes = [
            { name = loop, match-user-prefix = "loop", carriers = [self] }
            { name = all, carriers = [raw] }
          ]
        }
        """.formatted(self, carrier.port(), self)), "test"));
    port = self;
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    alice.close();
    carrier.close();
  }

  /**
   * <pre>
   * alice            Tandem               raw carrier
   *   |--INVITE------->|--INVITE---------->|
   *   |<-----180-------|<------------180---|
   *   |--CANCEL------->|--CANCEL---------->|  (the carrier has already sent its 200)
   *   |<-----200-------|<------------200---|  200 to the INVITE, crossing the CANCEL
   *   |<-----487-------|--ACK------------->|  leg A gets 487 once, never the 200
   *   |                |--BYE------------->|  and the unwanted leg B is hung up
   * </pre>
   */
  @Test
  void aTwoHundredThatCrossesTheCancelIsAckedAndByedOnLegB() throws Exception {
    OutgoingCall call = alice.invite("sip:bob@127.0.0.1:" + port, "udp", OFFER);
    RawMessage invite = carrier.receive("INVITE");
    carrier.reply(invite, "180 Ringing", "", "");
    call.awaitStatus(180, WAIT);

    call.cancel();
    RawMessage cancel = carrier.receive("CANCEL");
    carrier.reply(invite, "200 OK", carrier.contact() + "Content-Type: application/sdp\r\n", ANSWER);
    carrier.reply(cancel, "200 OK", "", "");

    RawMessage ack = carrier.receive("ACK");
    assertTrue(ack.text().contains("CSeq: 1 ACK"), ack.text());
    RawMessage bye = carrier.receive("BYE");
    assertEquals(invite.header("Call-ID"), bye.header("Call-ID"));
    carrier.reply(bye, "200 OK", "", "");

    assertEquals(487, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    call.awaitResponse(Request.CANCEL, 200, WAIT);
    Thread.sleep(300);
    assertFalse(call.statuses().contains(200), "leg A is answered once: 487 " + call.statuses());
  }

  /** Section 13.3.1.4: a caller that never ACKs the 2xx is hung up, and so is leg B. */
  @Test
  void aCallerThatNeverAcksIsHungUpOnBothLegs() throws Exception {
    try (RawPeer caller = new RawPeer()) {
      caller.invite(port, "no-ack@127.0.0.1");
      RawMessage invite = carrier.receive("INVITE");
      carrier.reply(invite, "200 OK", carrier.contact() + "Content-Type: application/sdp\r\n", ANSWER);
      carrier.receive("ACK");
      RawMessage ok = caller.receive("SIP/2.0 200");
      caller.receive("SIP/2.0 200"); // retransmitted: Tandem waits for the ACK that never comes
      // no ACK from the caller: after 64*T1 Tandem gives up and ends both legs
      RawMessage byeA = caller.receive("BYE");
      assertEquals(ok.header("Call-ID"), byeA.header("Call-ID"));
      caller.reply(byeA, "200 OK", "", "");
      RawMessage byeB = carrier.receive("BYE");
      carrier.reply(byeB, "200 OK", "", "");
    }
  }

  /** {@code tandem.call.max-duration} (5 s here): an answered call nobody ends is ended. */
  @Test
  void aCallLongerThanTheMaximumDurationIsEnded() throws Exception {
    try (RawPeer caller = new RawPeer()) {
      long start = System.nanoTime();
      caller.invite(port, "long-call@127.0.0.1");
      RawMessage invite = carrier.receive("INVITE");
      carrier.reply(invite, "200 OK", carrier.contact() + "Content-Type: application/sdp\r\n", ANSWER);
      RawMessage ok = caller.receive("SIP/2.0 200");
      caller.ack(ok, port);
      RawMessage byeA = caller.receive("BYE");
      caller.reply(byeA, "200 OK", "", "");
      RawMessage byeB = carrier.receive("BYE");
      carrier.reply(byeB, "200 OK", "", "");
      assertTrue(System.nanoTime() - start >= Duration.ofMillis(4_800).toNanos(), "not before max-duration");
    }
  }

  /**
   * A call leaves the call limit as soon as its BYE is answered, not when its INVITE
   * transactions end 64*T1 later (3.2 s here): short calls must not fill the limit.
   */
  @Test
  void anEndedCallIsGoneAsSoonAsItsByeIsAnswered() throws Exception {
    awaitNoCalls();
    try (RawPeer caller = new RawPeer()) {
      caller.invite(port, "short-call@127.0.0.1");
      RawMessage invite = carrier.receive("INVITE");
      carrier.reply(invite, "200 OK", carrier.contact() + "Content-Type: application/sdp\r\n", ANSWER);
      RawMessage ok = caller.receive("SIP/2.0 200");
      caller.ack(ok, port);
      assertEquals(1, ServerProbes.calls(server));
      caller.bye(ok, port);
      RawMessage bye = carrier.receive("BYE");
      carrier.reply(bye, "200 OK", "", "");
      caller.receive("SIP/2.0 200");
      long deadline = System.nanoTime() + Duration.ofMillis(1_000).toNanos();
      while (ServerProbes.calls(server) > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(0, ServerProbes.calls(server), "the call still counts after its BYE");
    }
  }

  /** Over tandem.routing.max-calls (3 here) a new call gets 503 with Retry-After at once. */
  @Test
  void overTheCallLimitANewCallGets503WithRetryAfter() throws Exception {
    awaitNoCalls(); // the other tests' calls count until their last transaction has ended
    List<RawPeer> callers = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        RawPeer caller = new RawPeer();
        callers.add(caller);
        caller.invite(port, "held-" + i + "@127.0.0.1");
        carrier.reply(carrier.receive("INVITE"), "180 Ringing", "", "");
        caller.receive("SIP/2.0 180");
      }
      try (RawPeer fourth = new RawPeer()) {
        fourth.invite(port, "fourth@127.0.0.1");
        RawMessage busy = fourth.receive("SIP/2.0 503");
        assertEquals("7", busy.header("Retry-After"), busy.text());
      }
    } finally {
      for (RawPeer caller : callers) {
        caller.cancelLastInvite(port);
        carrier.replyToCancelAndInvite();
        caller.close();
      }
      awaitNoCalls(); // leave the limit free for the other tests
    }
  }

  private static void awaitNoCalls() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    int calls;
    do {
      calls = ServerProbes.calls(server);
      if (calls == 0) {
        return;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    throw new AssertionError(calls + " calls still up");
  }

  /** Routing that points back at Tandem: its own leg B comes back and is refused (482). */
  @Test
  void aCallThatLoopsBackIntoTandemIsRefused() throws Exception {
    OutgoingCall call = alice.invite("sip:loop-bob@127.0.0.1:" + port, "udp", OFFER);
    assertEquals(482, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
  }

  /** Section 16.3: an INVITE with Max-Forwards 0 cannot go on; it gets 483. */
  @Test
  void noHopsLeftIs483() throws Exception {
    try (RawPeer caller = new RawPeer()) {
      caller.send(caller.inviteText(port, "max-forwards-0@127.0.0.1").replace("Max-Forwards: 70", "Max-Forwards: 0"),
          new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      RawMessage answer = caller.receive("SIP/2.0 483");
      assertTrue(answer.text().contains("max-forwards-0@127.0.0.1"), answer.text());
    }
  }
}
