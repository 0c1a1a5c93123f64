package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import javax.sip.address.SipURI;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * REFER transfers Tandem carries out itself (RFC 3515, 3891, 3892, 4488), over real loopback
 * sockets with JAIN-SIP user agents: alice calls bob (carrier "one"); carol is behind carrier
 * "two". The call flows follow RFC 3515 section 4 with Tandem standing in for the referee.
 *
 * <pre>
 * alice            Tandem                 bob (one)          carol (two)
 *   |==== call =======|======= call ========|                     |
 *   |                 |<-----------REFER----|                     |
 *   |                 |-----202------------>|                     |
 *   |                 |-----NOTIFY 100----->|                     |
 *   |                 |--INVITE (alice's SDP)------------------->|
 *   |                 |<-------------------------------200 (SDP)-|
 *   |                 |--ACK------------------------------------>|
 *   |                 |-----NOTIFY 200----->|                     |
 *   |                 |-----BYE------------>|                     |
 *   |<--re-INVITE-----|  (carol's SDP)                            |
 *   |---200---------->|                                           |
 *   |<--ACK-----------|                                           |
 * </pre>
 */
class TransferEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String ALICE_SDP = sdp("alice", 40000);
  private static final String BOB_SDP = sdp("bob", 50000);
  private static final String CAROL_SDP = sdp("carol", 60000);

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
        tandem.call.provisional-timeout = 1s
        tandem.routing {
          carriers {
            one { address = "127.0.0.1", port = %d }
            two { address = "127.0.0.1", port = %d }
          }
          routes = [
            { name = carol, match-user-prefix = "carol", carriers = [two] }
            { name = passing, match-user-prefix = "pass", carriers = [one], transfer = pass }
            { name = refusing, match-user-prefix = "refuse", carriers = [one], transfer = refuse }
            { name = bob, carriers = [one] }
          ]
        }
        """.formatted(one.port(), two.port())), "test"));
    port = ServerProbes.port(server, TransportProtocol.UDP);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
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

  private static String sdp(String who, int mediaPort) {
    return "v=0\r\no=" + who + " 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        + "m=audio " + mediaPort + " RTP/AVP 0\r\n";
  }

  /** An answered call from alice to {@code user} at carrier one, ACKed on both legs. */
  private static Answered callBob(String user) throws Exception {
    one.onInvite(Script.answer(Duration.ZERO, BOB_SDP));
    OutgoingCall call = alice.invite("sip:" + user + "@127.0.0.1:" + port, "udp", ALICE_SDP);
    IncomingCall bob = one.awaitIncoming(WAIT);
    assertEquals(200, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    bob.awaitAck(WAIT);
    return new Answered(call, bob);
  }

  private record Answered(OutgoingCall alice, IncomingCall bob) {}

  private static String body(Request request) {
    return new String(request.getRawContent(), StandardCharsets.UTF_8);
  }

  private static String header(javax.sip.message.Message message, String name) {
    Header h = message.getHeader(name);
    return h == null ? null : h.toString().substring(h.toString().indexOf(':') + 1).trim();
  }

  private static String user(Header address) {
    javax.sip.address.URI uri = address instanceof FromHeader f ? f.getAddress().getURI()
        : ((ToHeader) address).getAddress().getURI();
    return ((SipURI) uri).getUser();
  }

  /** {@code ladder} holds {@code lines} in this order (other lines may come between). */
  private static void assertInOrder(List<String> ladder, String... lines) {
    int at = 0;
    for (String line : ladder) {
      if (at < lines.length && line.equals(lines[at])) {
        at++;
      }
    }
    assertEquals(lines.length, at, "expected in order " + List.of(lines) + " in " + ladder);
  }

  /** The NOTIFYs of a REFER's implicit subscription: Event refer, sipfrag bodies in order. */
  private static void assertNotifies(List<Request> notifies, String... statusLines) {
    assertEquals(statusLines.length, notifies.size());
    for (int i = 0; i < statusLines.length; i++) {
      Request notify = notifies.get(i);
      assertEquals("refer", header(notify, "Event"), notify::toString);
      assertTrue(header(notify, "Content-Type").startsWith("message/sipfrag"), notify::toString);
      assertEquals(statusLines[i] + "\r\n", body(notify), notify::toString);
      boolean last = i == statusLines.length - 1;
      assertTrue(header(notify, "Subscription-State").startsWith(last ? "terminated" : "active"),
          notify::toString);
    }
  }

  /** Blind transfer by the callee: bob refers alice to carol; ladders on all three legs. */
  @Test
  void blindTransferFromLegB() throws Exception {
    Answered answered = callBob("bob");
    two.onInvite(Script.answer(Duration.ofMillis(50), CAROL_SDP));

    answered.bob().refer("<sip:carol@transfer.example>", Map.of("Referred-By", "<sip:bob@10.1.1.1>"));
    answered.bob().awaitResponse(Request.REFER, 202, WAIT);
    IncomingCall carol = two.awaitIncoming(WAIT);
    carol.awaitAck(WAIT);

    Request invite = carol.invite();
    assertEquals("carol", ((SipURI) invite.getRequestURI()).getUser());
    assertEquals("alice", user(invite.getHeader(FromHeader.NAME)), "the transferee's identity");
    assertEquals(ALICE_SDP, body(invite), "the transferee's SDP is the offer");
    String referredBy = header(invite, "Referred-By");
    assertNotNull(referredBy, invite::toString);
    assertTrue(referredBy.contains("sip:bob@") && !referredBy.contains("10.1.1.1"),
        "Referred-By crosses with its host hidden: " + referredBy);
    // Nothing of the other legs: not alice's Call-ID, nor bob's address (bob's leg-B Call-ID,
    // tdm-KEY-1, is a prefix of Tandem's own branches, so it is compared as the Call-ID).
    assertFalse(invite.toString().contains(answered.alice().callId()), invite::toString);
    assertNotEquals(answered.bob().callId(), carol.callId());
    assertFalse(invite.toString().contains("127.0.0.1:" + one.port()), invite::toString);

    List<Request> notifies = answered.bob().awaitRequests(Request.NOTIFY, 2, WAIT);
    assertNotifies(notifies, "SIP/2.0 100 Trying", "SIP/2.0 200 OK");
    answered.bob().awaitBye(WAIT);
    Request reInvite = answered.alice().awaitRequests(Request.INVITE, 1, WAIT).get(0);
    assertEquals(CAROL_SDP, body(reInvite), "alice is re-INVITEd toward carol's media");
    answered.alice().awaitRequests(Request.ACK, 1, WAIT);
    assertInOrder(answered.alice().ladder(), "-> INVITE", "<- 200 OK", "-> ACK", "<- INVITE", "-> 200 OK", "<- ACK");
    // The 202 and the first NOTIFY leave together and may cross (RFC 6665 section 4.1.2.4); the
    // referrer's BYE waits for the answer to the final NOTIFY, so it cannot overtake it.
    assertInOrder(answered.bob().ladder(), "<- INVITE", "-> 200 OK", "<- ACK", "-> REFER",
        "<- NOTIFY", "-> 200 OK", "<- NOTIFY", "-> 200 OK", "<- BYE", "-> 200 OK");
    assertTrue(answered.bob().ladder().contains("<- 202 Accepted"), answered.bob().ladder()::toString);
    assertInOrder(carol.ladder(), "<- INVITE", "-> 200 OK", "<- ACK");

    // The call is alice-carol now: alice's BYE reaches carol.
    answered.alice().bye();
    carol.awaitBye(WAIT);
    answered.alice().awaitResponse(Request.BYE, 200, WAIT);
    ServerProbes.awaitIdle(server, Duration.ofSeconds(15));
  }

  /** Blind transfer by the caller: alice refers bob to carol; bob is re-INVITEd, alice released. */
  @Test
  void blindTransferFromLegA() throws Exception {
    Answered answered = callBob("bob");
    two.onInvite(Script.answer(Duration.ZERO, CAROL_SDP));

    answered.alice().refer("<sip:carol@transfer.example>", Map.of());
    answered.alice().awaitResponse(Request.REFER, 202, WAIT);
    IncomingCall carol = two.awaitIncoming(WAIT);
    carol.awaitAck(WAIT);
    assertEquals("bob", user(carol.invite().getHeader(FromHeader.NAME)), "the transferee is who alice dialled");
    assertEquals(BOB_SDP, body(carol.invite()));
    assertNull(carol.invite().getHeader("Referred-By"), "none in the REFER, none made up");

    assertNotifies(answered.alice().awaitRequests(Request.NOTIFY, 2, WAIT), "SIP/2.0 100 Trying", "SIP/2.0 200 OK");
    answered.alice().awaitBye(WAIT);
    Request reInvite = answered.bob().awaitRequests(Request.INVITE, 1, WAIT).get(0);
    assertEquals(CAROL_SDP, body(reInvite));

    carol.bye();
    answered.bob().awaitBye(WAIT);
    carol.awaitResponse(Request.BYE, 200, WAIT);
    ServerProbes.awaitIdle(server, Duration.ofSeconds(15));
  }

  /** The target is busy: the referrer hears 486 by NOTIFY, and the call goes on as it was. */
  @Test
  void transferToABusyTargetKeepsTheCall() throws Exception {
    Answered answered = callBob("bob");
    two.onInvite(Script.reject(486));

    answered.bob().refer("<sip:carol@transfer.example>", Map.of());
    answered.bob().awaitResponse(Request.REFER, 202, WAIT);
    two.awaitIncoming(WAIT);
    assertNotifies(answered.bob().awaitRequests(Request.NOTIFY, 2, WAIT), "SIP/2.0 100 Trying", "SIP/2.0 486 Busy Here");

    // Still alice and bob: an INFO crosses, then bob's BYE ends both legs.
    answered.alice().send(Request.INFO);
    answered.bob().awaitRequest(Request.INFO, WAIT);
    answered.alice().awaitResponse(Request.INFO, 200, WAIT);
    assertTrue(answered.alice().requests(Request.INVITE).isEmpty(), "no re-INVITE for a failed transfer");
    answered.bob().bye();
    answered.alice().awaitBye(WAIT);
    answered.bob().awaitResponse(Request.BYE, 200, WAIT);
    ServerProbes.awaitIdle(server, Duration.ofSeconds(15));
  }

  /**
   * Attended transfer between two calls through Tandem (RFC 3891): alice talks to bob and to
   * carol, and refers bob to carol with a Replaces naming her dialog with carol as alice sees
   * it. Carol gets an INVITE whose Replaces names the dialog she has with Tandem, takes it, and
   * hangs up the old one; alice is released from both calls.
   */
  @Test
  void attendedTransferBetweenTwoCalls() throws Exception {
    Answered first = callBob("bob");
    two.onInvite(Script.answer(Duration.ZERO, CAROL_SDP));
    OutgoingCall second = alice.invite("sip:carol@127.0.0.1:" + port, "udp", ALICE_SDP);
    IncomingCall carolOld = two.awaitIncoming(WAIT);
    Response ok = second.awaitFinal(WAIT);
    carolOld.awaitAck(WAIT);

    String tandemTag = ((ToHeader) ok.getHeader(ToHeader.NAME)).getTag();
    String replaces = second.callId().replace("@", "%40") + "%3Bto-tag%3D" + tandemTag + "%3Bfrom-tag%3D" + second.tag();
    first.alice().refer("<sip:carol@127.0.0.1?Replaces=" + replaces + ">", Map.of());
    first.alice().awaitResponse(Request.REFER, 202, WAIT);

    IncomingCall carolNew = two.awaitIncoming(WAIT);
    String theirs = header(carolNew.invite(), "Replaces");
    assertEquals(carolOld.callId() + ";to-tag=" + carolOld.tag() + ";from-tag="
            + ((FromHeader) carolOld.invite().getHeader(FromHeader.NAME)).getTag(),
        theirs, "Replaces names the dialog carol has with Tandem");
    assertEquals("replaces", header(carolNew.invite(), "Require"));
    assertEquals(BOB_SDP, body(carolNew.invite()));
    carolNew.awaitAck(WAIT);
    carolOld.bye(); // RFC 3891 section 3: the replaced dialog is ended by its UA

    second.awaitBye(WAIT);
    assertNotifies(first.alice().awaitRequests(Request.NOTIFY, 2, WAIT), "SIP/2.0 100 Trying", "SIP/2.0 200 OK");
    first.alice().awaitBye(WAIT);
    assertEquals(CAROL_SDP, body(first.bob().awaitRequests(Request.INVITE, 1, WAIT).get(0)));

    first.bob().bye();
    carolNew.awaitBye(WAIT);
    ServerProbes.awaitIdle(server, Duration.ofSeconds(15));
  }

  /**
   * A Replaces naming a dialog Tandem does not have (the referrer's call with carol does not go
   * through Tandem): the INVITE goes to the routed target with the Replaces as the referrer
   * wrote it.
   */
  @Test
  void attendedTransferToAnOutsideDialog() throws Exception {
    Answered answered = callBob("bob");
    two.onInvite(Script.answer(Duration.ZERO, CAROL_SDP));
    answered.bob().refer("<sip:carol@transfer.example?Replaces=outside-1%40pbx.example%3Bto-tag%3Dc1%3Bfrom-tag%3Db1>",
        Map.of());
    answered.bob().awaitResponse(Request.REFER, 202, WAIT);
    IncomingCall carol = two.awaitIncoming(WAIT);
    assertEquals("outside-1@pbx.example;to-tag=c1;from-tag=b1", header(carol.invite(), "Replaces"));
    assertEquals("carol", ((SipURI) carol.invite().getRequestURI()).getUser());
    carol.awaitAck(WAIT);
    assertNotifies(answered.bob().awaitRequests(Request.NOTIFY, 2, WAIT), "SIP/2.0 100 Trying", "SIP/2.0 200 OK");
    answered.bob().awaitBye(WAIT);
    answered.alice().awaitRequests(Request.INVITE, 1, WAIT);
    carol.bye();
    answered.alice().awaitBye(WAIT);
    ServerProbes.awaitIdle(server, Duration.ofSeconds(15));
  }

  /** RFC 4488: Refer-Sub: false gets Refer-Sub: false in the 202 and no NOTIFY at all. */
  @Test
  void noReferSubscription() throws Exception {
    Answered answered = callBob("bob");
    two.onInvite(Script.answer(Duration.ZERO, CAROL_SDP));

    answered.bob().refer("<sip:carol@transfer.example>", Map.of("Refer-Sub", "false", "Supported", "norefersub"));
    Response accepted = answered.bob().awaitResponse(Request.REFER, 202, WAIT);
    assertEquals("false", header(accepted, "Refer-Sub"));
    two.awaitIncoming(WAIT).awaitAck(WAIT);
    answered.bob().awaitBye(WAIT);
    answered.alice().awaitRequests(Request.INVITE, 1, WAIT);
    assertTrue(answered.bob().requests(Request.NOTIFY).isEmpty(), "no NOTIFY without a subscription");
    answered.alice().bye();
    answered.alice().awaitResponse(Request.BYE, 200, WAIT);
    ServerProbes.awaitIdle(server, Duration.ofSeconds(15));
  }

  /** Route policy pass: the REFER crosses to the other leg with its Refer-To, and its answer comes back. */
  @Test
  void passPolicyRelaysTheRefer() throws Exception {
    Answered answered = callBob("pass-bob");
    answered.bob().refer("<sip:dave@elsewhere.example>", Map.of());
    Request relayed = answered.alice().awaitRequest(Request.REFER, WAIT);
    assertEquals("<sip:dave@elsewhere.example>", header(relayed, "Refer-To"));
    answered.bob().awaitResponse(Request.REFER, 200, WAIT);
    assertTrue(two.ladder().isEmpty(), "Tandem itself called nobody");
    answered.bob().bye();
    answered.alice().awaitBye(WAIT);
  }

  /** Route policy refuse: 403, and the call goes on. */
  @Test
  void refusePolicyAnswers403() throws Exception {
    Answered answered = callBob("refuse-bob");
    answered.bob().refer("<sip:carol@transfer.example>", Map.of());
    answered.bob().awaitResponse(Request.REFER, 403, WAIT);
    assertTrue(answered.alice().requests(Request.REFER).isEmpty());
    answered.bob().bye();
    answered.alice().awaitBye(WAIT);
  }
}
