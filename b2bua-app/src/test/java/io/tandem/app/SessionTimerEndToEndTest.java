package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.app.ua.IncomingCall;
import io.tandem.app.ua.OutgoingCall;
import io.tandem.app.ua.Script;
import io.tandem.app.ua.SipUa;
import io.tandem.transport.TransportProtocol;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sip.header.CSeqHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.ViaHeader;
import javax.sip.message.Message;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 4028 session timers through Tandem, over real loopback sockets with JAIN-SIP user agents:
 * alice calls bob behind carrier "one". Tandem asks leg B for 4 s and grants leg A at most 4 s,
 * with a min-se of 2 s (seconds instead of the RFC's 90 s floor, so that refreshes and expiry
 * happen within a test). Each leg negotiates on its own:
 *
 * <pre>
 * alice                 Tandem                         bob (one)
 *   |--INVITE------------->|--INVITE Supported: timer ------>|
 *   |                      |   Session-Expires: 4, Min-SE: 2 |
 *   |                      |<-200 (Session-Expires or not)---|
 *   |<-200 Session-Expires: 4;refresher=uas|uac              |
 *   |       (Require: timer when alice refreshes)            |
 *   |      ... at half the interval, where Tandem refreshes: |
 *   |<-re-INVITE (bob's SDP)|--UPDATE (or re-INVITE)-------->|
 *   |      ... where a peer should refresh and does not:     |
 *   |<-BYE-----------------|--BYE--------------------------->|
 * </pre>
 */
class SessionTimerEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String ALICE_SDP = sdp("alice", 40000);
  private static final String BOB_SDP = sdp("bob", 50000);

  private static SipUa alice;
  private static SipUa one;
  private static Server server;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    alice = SipUa.start("alice");
    one = SipUa.start("one");
    server = Server.start(Settings.of(ConfigFactory.parseString("""
        tandem.transport.listen = [{ protocol = udp, address = "127.0.0.1", port = 0 }]
        tandem.sip.timers { t1 = 100ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
        tandem.call.provisional-timeout = 1s
        tandem.call.session-timer { session-expires = 4s, min-se = 2s }
        tandem.routing {
          carriers { one { address = "127.0.0.1", port = %d } }
          routes = [{ name = bob, carriers = [one] }]
        }
        """.formatted(one.port())), "test"));
    port = ServerProbes.port(server, TransportProtocol.UDP);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    alice.close();
    one.close();
  }

  @BeforeEach
  void reset() {
    alice.reset();
    one.reset();
  }

  private static String sdp(String who, int mediaPort) {
    return "v=0\r\no=" + who + " 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        + "m=audio " + mediaPort + " RTP/AVP 0\r\n";
  }

  private static String bobUri() {
    return "sip:bob@127.0.0.1:" + port;
  }

  private static String header(Message message, String name) {
    Header h = message.getHeader(name);
    return h == null ? null : h.toString().substring(h.toString().indexOf(':') + 1).trim();
  }

  private static String body(Message message) {
    byte[] raw = message.getRawContent();
    return raw == null ? "" : new String(raw, StandardCharsets.UTF_8);
  }

  private static long cseq(Message message) {
    return ((CSeqHeader) message.getHeader(CSeqHeader.NAME)).getSeqNumber();
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  private static void hangUp(OutgoingCall call, IncomingCall bob) throws Exception {
    call.bye();
    bob.awaitBye(WAIT);
    call.awaitResponse(Request.BYE, 200, WAIT);
    ServerProbes.awaitIdle(server, Duration.ofSeconds(15));
  }

  /**
   * Neither peer runs a timer (alice does not support it, bob answers without Session-Expires,
   * section 7.2): Tandem refreshes both legs at half the 4 s interval, twice in about 4 s, bob
   * (whose Allow lists UPDATE) by UPDATE without a body, alice by re-INVITE with bob's SDP
   * unchanged; each 2xx re-arms the timer, and the call stays up.
   */
  @Test
  void tandemRefreshesBothLegsWhenNeitherPeerDoes() throws Exception {
    one.onInvite(Script.manual());
    OutgoingCall call = alice.invite(bobUri(), "udp", ALICE_SDP);
    IncomingCall bob = one.awaitIncoming(WAIT);
    Request invite = bob.invite();
    assertEquals("timer", header(invite, "Supported"), invite::toString);
    assertEquals("4", header(invite, "Session-Expires"), invite::toString);
    assertEquals("2", header(invite, "Min-SE"), invite::toString);
    bob.answer(BOB_SDP, Map.of("Allow", "INVITE, ACK, BYE, CANCEL, UPDATE"));
    Response ok = call.awaitFinal(WAIT);
    long answered = System.nanoTime();
    assertEquals(200, ok.getStatusCode());
    assertEquals("4;refresher=uas", header(ok, "Session-Expires"), "Tandem refreshes leg A:\n" + ok);
    assertNull(ok.getHeader("Require"), "alice need not know timers");
    bob.awaitAck(WAIT);

    bob.awaitRequests(Request.UPDATE, 1, Duration.ofSeconds(4));
    long first = millisSince(answered);
    List<Request> updates = bob.awaitRequests(Request.UPDATE, 2, Duration.ofSeconds(4));
    long second = millisSince(answered);
    assertTrue(first >= 1500 && first < 3500, "first refresh at about 2 s, was " + first + " ms");
    assertTrue(second - first >= 1500, "second refresh about 2 s after the first, was " + (second - first) + " ms");
    for (Request update : updates) {
      assertEquals("4;refresher=uac", header(update, "Session-Expires"), update::toString);
      assertEquals("", body(update), "a refresh offers nothing new");
    }
    List<Request> reInvites = call.awaitRequests(Request.INVITE, 2, WAIT);
    for (Request reInvite : reInvites) {
      assertEquals(BOB_SDP, body(reInvite), "alice is offered bob's SDP again, unchanged");
      assertEquals("4;refresher=uac", header(reInvite, "Session-Expires"), reInvite::toString);
    }
    call.awaitRequests(Request.ACK, 2, WAIT);
    assertTrue(call.requests(Request.BYE).isEmpty() && bob.requests(Request.BYE).isEmpty(), SipUa::ladders);
    hangUp(call, bob);
  }

  /**
   * Alice asks to refresh (refresher=uac, 5 s, granted 4 s with Require: timer) and does, by
   * UPDATE every 1.3 s; bob takes leg B's refresher role with 6 s. Each UPDATE crosses with leg
   * B's own Session-Expires (the first naming bob the refresher; bob's 200s carry none, so
   * Tandem takes the role over), its 200 comes back with leg A's, and the call outlives both
   * expiries.
   */
  @Test
  void callerThatRefreshesKeepsTheCallUp() throws Exception {
    one.onInvite(Script.manual());
    OutgoingCall call = alice.invite(bobUri(), "udp", ALICE_SDP,
        Map.of("Supported", "timer", "Session-Expires", "5;refresher=uac"));
    IncomingCall bob = one.awaitIncoming(WAIT);
    assertEquals("4", header(bob.invite(), "Session-Expires"), "leg B asks for its own interval");
    bob.answer(BOB_SDP, Map.of("Session-Expires", "6;refresher=uas", "Supported", "timer"));
    Response ok = call.awaitFinal(WAIT);
    assertEquals("4;refresher=uac", header(ok, "Session-Expires"), "capped at 4 s, alice refreshes:\n" + ok);
    assertEquals("timer", header(ok, "Require"), ok::toString);
    bob.awaitAck(WAIT);

    for (int i = 1; i <= 3; i++) {
      Thread.sleep(1300); // alice's own refresh pace: under half of 4 s
      call.send(Request.UPDATE, null, Map.of("Supported", "timer", "Session-Expires", "4;refresher=uac"));
      bob.awaitRequests(Request.UPDATE, i, WAIT);
      call.awaitResponses(Request.UPDATE, 200, i, WAIT);
    }
    List<Request> updates = bob.requests(Request.UPDATE);
    assertEquals("6;refresher=uas", header(updates.get(0), "Session-Expires"),
        "leg B's session, not alice's:\n" + updates.get(0));
    for (Request update : updates) {
      // bob's 200s carry no Session-Expires: from the first on, Tandem is leg B's refresher (7.2).
      assertTrue(header(update, "Session-Expires").startsWith("6;"), update::toString);
    }
    for (Response refreshed : call.awaitResponses(Request.UPDATE, 200, 3, WAIT)) {
      assertEquals("4;refresher=uac", header(refreshed, "Session-Expires"), refreshed::toString);
      assertEquals("timer", header(refreshed, "Require"), refreshed::toString);
    }
    assertTrue(call.requests(Request.BYE).isEmpty() && bob.requests(Request.BYE).isEmpty(),
        "refreshed, the call outlives its 4 s interval:\n" + SipUa.ladders());
    assertTrue(call.requests(Request.INVITE).isEmpty() && bob.requests(Request.INVITE).isEmpty(),
        "nobody needed a refresh from Tandem");
    hangUp(call, bob);
  }

  /**
   * Both peers are the refreshers (alice by Supported: timer, bob by refresher=uas) and neither
   * refreshes: at 4 s less a third, Tandem ends the call with BYE on both legs (section 10).
   */
  @Test
  void peersThatNeverRefreshAreHungUpAtExpiry() throws Exception {
    one.onInvite(Script.manual());
    OutgoingCall call = alice.invite(bobUri(), "udp", ALICE_SDP, Map.of("Supported", "timer"));
    IncomingCall bob = one.awaitIncoming(WAIT);
    bob.answer(BOB_SDP, Map.of("Session-Expires", "4;refresher=uas"));
    Response ok = call.awaitFinal(WAIT);
    long answered = System.nanoTime();
    assertEquals("4;refresher=uac", header(ok, "Session-Expires"), ok::toString);
    assertEquals("timer", header(ok, "Require"), ok::toString);
    bob.awaitAck(WAIT);

    call.awaitBye(Duration.ofSeconds(6));
    bob.awaitBye(WAIT);
    long ended = millisSince(answered);
    assertTrue(ended >= 2300 && ended < 4000, "BYE at about 2.7 s, was " + ended + " ms");
    for (String method : List.of(Request.UPDATE, Request.INVITE)) {
      assertTrue(call.requests(method).isEmpty() && bob.requests(method).isEmpty(),
          "Tandem does not refresh where the peer should:\n" + SipUa.ladders());
    }
    ServerProbes.awaitIdle(server, Duration.ofSeconds(15));
  }

  /**
   * Section 7.3: bob answers 422 with Min-SE: 6; Tandem sends the INVITE again (same Call-ID and
   * From tag, CSeq 2, a new branch) asking for 6 s, and the call is answered. Alice never hears
   * of the 422.
   */
  @Test
  void carrier422GetsTheInviteAgainWithItsMinSe() throws Exception {
    one.onInvite(Script.manual());
    OutgoingCall call = alice.invite(bobUri(), "udp", ALICE_SDP);
    IncomingCall refused = one.awaitIncoming(WAIT);
    refused.reject(422, Map.of("Min-SE", "6"));
    IncomingCall bob = one.awaitIncoming(WAIT);
    refused.awaitAck(WAIT);
    Request first = refused.invite();
    Request again = bob.invite();
    assertEquals(1, cseq(first));
    assertEquals(2, cseq(again));
    assertEquals("6", header(again, "Session-Expires"), again::toString);
    assertEquals("6", header(again, "Min-SE"), again::toString);
    assertEquals(refused.callId(), bob.callId());
    assertEquals(((FromHeader) first.getHeader(FromHeader.NAME)).getTag(),
        ((FromHeader) again.getHeader(FromHeader.NAME)).getTag());
    assertNotEquals(((ViaHeader) first.getHeader(ViaHeader.NAME)).getBranch(),
        ((ViaHeader) again.getHeader(ViaHeader.NAME)).getBranch());
    assertEquals(ALICE_SDP, body(again));

    bob.answer(BOB_SDP);
    Response ok = call.awaitFinal(WAIT);
    assertEquals(200, ok.getStatusCode());
    assertTrue(!call.statuses().contains(422), "the 422 stays on leg B: " + call.statuses());
    bob.awaitAck(WAIT);
    hangUp(call, bob);
  }

  /** Section 9: a caller asking for 1 s, below Tandem's min-se of 2 s, gets 422 Min-SE: 2; nothing is routed. */
  @Test
  void callerAskingTooShortAnIntervalGets422() throws Exception {
    one.onInvite(Script.answer(Duration.ZERO, BOB_SDP));
    OutgoingCall call = alice.invite(bobUri(), "udp", ALICE_SDP, Map.of("Session-Expires", "1"));
    Response refused = call.awaitFinal(WAIT);
    assertEquals(422, refused.getStatusCode());
    assertEquals("2", header(refused, "Min-SE"), refused::toString);
    ServerProbes.awaitIdle(server, Duration.ofSeconds(15));
    assertTrue(one.ladder().isEmpty(), "no carrier was called:\n" + SipUa.ladders());
  }
}
