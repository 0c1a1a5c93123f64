package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import javax.sip.header.ContactHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.RAckHeader;
import javax.sip.header.RSeqHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Calls through Tandem over real loopback sockets: alice (JAIN-SIP) calls, Tandem routes the
 * call to carrier one, then carrier two, both JAIN-SIP user agents. Each test is one ladder of
 * DESIGN section 5; users prefixed {@code tcp} take the carriers over TCP.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CallEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String OFFER = "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";
  private static final String ANSWER = "v=0\r\no=carrier 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\n";

  private static SipUa alice;
  private static SipUa one;
  private static SipUa two;
  private static Server server;
  private static int udpPort;
  private static int tcpPort;

  @BeforeAll
  static void start() throws Exception {
    alice = SipUa.start("alice");
    one = SipUa.start("one");
    two = SipUa.start("two");
    server = Server.start(Settings.of(ConfigFactory.parseString("""
        tandem.transport.listen = [
          { protocol = udp, address = "127.0.0.1", port = 0 }
          { protocol = tcp, address = "127.0.0.1", port = 0 }
        ]
        tandem.sip.timers { t1 = 100ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
        tandem.call.provisional-timeout = 1s
        tandem.routing {
          carriers {
            one { address = "127.0.0.1", port = %d }
            two { address = "127.0.0.1", port = %d }
            one-tcp { address = "127.0.0.1", port = %d, transport = tcp }
            two-tcp { address = "127.0.0.1", port = %d, transport = tcp }
            one-limited { address = "127.0.0.1", port = %d, max-calls = 1 }
          }
          routes = [
            { name = limited, match-user-prefix = "lim", carriers = [one-limited, two] }
            { name = tcp, match-user-prefix = "tcp", carriers = [one-tcp, two-tcp] }
            { name = all, carriers = [one, two] }
          ]
        }
        """.formatted(one.port(), two.port(), one.port(), two.port(), one.port())), "test"));
    udpPort = port(TransportProtocol.UDP);
    tcpPort = port(TransportProtocol.TCP);
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

  private static int port(TransportProtocol protocol) {
    return ServerProbes.port(server, protocol);
  }

  /**
   * Topology hiding, both ways: leg B's INVITE holds nothing of leg A's Call-ID, Via or Contact,
   * and leg A's final holds nothing of leg B's Call-ID, tags or the carrier's address.
   */
  private static void assertLegsApart(OutgoingCall call, IncomingCall legB, SipUa carrier) throws Exception {
    String invite = legB.invite().toString();
    String aBranch = ((ViaHeader) call.request().getHeader(ViaHeader.NAME)).getBranch();
    for (String legA : new String[] {call.callId(), aBranch, "127.0.0.1:" + alice.port()}) {
      assertFalse(invite.contains(legA), "leg A's " + legA + " on leg B:\n" + invite);
    }
    String answer = call.awaitFinal(WAIT).toString();
    String bTag = ((ToHeader) legB.invite().getHeader(ToHeader.NAME)).getTag();
    for (String legBPart : new String[] {legB.callId(), "127.0.0.1:" + carrier.port(), String.valueOf(bTag)}) {
      assertFalse(answer.contains(legBPart), "leg B's " + legBPart + " on leg A:\n" + answer);
    }
  }

  private static OutgoingCall call(String user, String transport) throws Exception {
    int port = transport.equals("tcp") ? tcpPort : udpPort;
    return alice.invite("sip:" + user + "@127.0.0.1:" + port, transport, OFFER);
  }

  /**
   * <pre>
   * alice            Tandem              one
   *   |--INVITE------->|                   |
   *   |<-----100-------|--INVITE---------->|
   *   |<-----180-------|<------------180---|
   *   |<-----200-------|<------------200---|
   *   |--ACK---------->|--ACK------------->|
   *   |--BYE---------->|--BYE------------->|
   *   |<-----200-------|<------------200---|
   * </pre>
   */
  @Order(1)
  @ParameterizedTest
  @ValueSource(strings = {"udp", "tcp"})
  void basicCallCallerHangsUp(String transport) throws Exception {
    one.onInvite(Script.answer(Duration.ofMillis(50), ANSWER));
    String user = transport.equals("tcp") ? "tcp-bob" : "bob";
    OutgoingCall call = call(user, transport);
    IncomingCall legB = one.awaitIncoming(WAIT);

    assertEquals(200, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    assertTrue(call.statuses().contains(180), SipUa::ladders);
    assertEquals(ANSWER, call.lastSdp(), "the carrier's answer reaches the caller");
    assertEquals(OFFER, legB.lastSdp(), "the caller's offer reaches the carrier");
    legB.awaitAck(WAIT);

    // Leg B is Tandem's own call: nothing of alice's leg but her user and the body.
    Request invite = legB.invite();
    assertNotEquals(call.callId(), legB.callId());
    assertEquals(user, ((SipURI) invite.getRequestURI()).getUser());
    assertEquals("alice", ((SipURI) ((FromHeader) invite.getHeader(FromHeader.NAME)).getAddress().getURI()).getUser());
    assertNotEquals(alice.port(), ((ViaHeader) invite.getHeader(ViaHeader.NAME)).getPort());
    SipURI contact = (SipURI) ((ContactHeader) invite.getHeader(ContactHeader.NAME)).getAddress().getURI();
    assertEquals(transport.equals("tcp") ? tcpPort : udpPort, contact.getPort());
    assertFalse(invite.toString().contains(String.valueOf(alice.port())), invite::toString);
    assertEquals(69, ((MaxForwardsHeader) invite.getHeader(MaxForwardsHeader.NAME)).getMaxForwards(),
        "one hop less than alice's 70");
    assertLegsApart(call, legB, one);

    call.bye();
    legB.awaitBye(WAIT);
    call.awaitResponse(Request.BYE, 200, WAIT);
  }

  /** The carrier hangs up: alice gets the BYE, each leg answers its own with 200. */
  @Order(2)
  @Test
  void carrierHangsUp() throws Exception {
    one.onInvite(Script.answer(Duration.ZERO, ANSWER));
    OutgoingCall call = call("bob", "udp");
    IncomingCall legB = one.awaitIncoming(WAIT);
    call.awaitFinal(WAIT);
    assertLegsApart(call, legB, one);
    legB.awaitAck(WAIT);

    legB.bye();
    call.awaitBye(WAIT);
    legB.awaitResponse(Request.BYE, 200, WAIT);
  }

  /** CANCEL while ringing: 200 to the CANCEL, CANCEL on leg B, 487 on leg A. */
  @Order(3)
  @ParameterizedTest
  @ValueSource(strings = {"udp", "tcp"})
  void cancelBeforeAnswer(String transport) throws Exception {
    one.onInvite(Script.ringForever());
    OutgoingCall call = call(transport.equals("tcp") ? "tcp-bob" : "bob", transport);
    IncomingCall legB = one.awaitIncoming(WAIT);
    call.awaitStatus(180, WAIT);

    call.cancel();
    call.awaitResponse(Request.CANCEL, 200, WAIT);
    assertEquals(487, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    assertLegsApart(call, legB, one);
    legB.awaitCancel(WAIT);
  }

  /** 486 from carrier one: the call hunts to carrier two, which answers. */
  @Order(4)
  @Test
  void busyHuntsToTheNextCarrier() throws Exception {
    one.onInvite(Script.reject(486));
    two.onInvite(Script.answer(Duration.ZERO, ANSWER));
    OutgoingCall call = call("bob", "udp");
    one.awaitIncoming(WAIT);
    IncomingCall legB = two.awaitIncoming(WAIT);
    assertEquals(200, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    assertFalse(call.statuses().contains(486), "the 486 stays on leg B");
    assertLegsApart(call, legB, two);
    legB.awaitAck(WAIT);
    call.bye();
    legB.awaitBye(WAIT);
  }

  /** 503 from carrier one: hunt as for 486. */
  @Order(5)
  @Test
  void unavailableHuntsToTheNextCarrier() throws Exception {
    one.onInvite(Script.reject(503));
    two.onInvite(Script.answer(Duration.ZERO, ANSWER));
    OutgoingCall call = call("bob", "udp");
    IncomingCall legB = two.awaitIncoming(WAIT);
    assertEquals(200, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    assertLegsApart(call, legB, two);
    legB.awaitAck(WAIT);
    call.bye();
    legB.awaitBye(WAIT);
  }

  /** A carrier that says nothing at all is left after the provisional timeout (1 s here). */
  @Order(6)
  @Test
  void silentCarrierIsLeftAfterTheProvisionalTimeout() throws Exception {
    one.onInvite(Script.silent());
    two.onInvite(Script.answer(Duration.ZERO, ANSWER));
    OutgoingCall call = call("bob", "udp");
    one.awaitIncoming(WAIT);
    long start = System.nanoTime();
    IncomingCall legB = two.awaitIncoming(WAIT);
    assertTrue(System.nanoTime() - start >= Duration.ofMillis(800).toNanos(), "carrier two only after the timeout");
    assertEquals(200, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    assertLegsApart(call, legB, two);
    legB.awaitAck(WAIT);
    call.bye();
    legB.awaitBye(WAIT);
  }

  /** 603 is global (RFC 3261 section 16.7): no hunt, the caller gets it. */
  @Order(7)
  @Test
  void declineStopsTheHunt() throws Exception {
    one.onInvite(Script.reject(603));
    two.onInvite(Script.answer(Duration.ZERO, ANSWER));
    OutgoingCall call = call("bob", "udp");
    assertEquals(603, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    Thread.sleep(300);
    assertTrue(two.ladder().isEmpty(), SipUa::ladders);
  }

  /** A 302 from carrier one sends the call to its Contact: carrier two. */
  @Order(8)
  @Test
  void redirectIsFollowed() throws Exception {
    one.onInvite(Script.redirect("sip:carol@127.0.0.1:" + two.port()));
    two.onInvite(Script.answer(Duration.ZERO, ANSWER));
    OutgoingCall call = call("bob", "udp");
    IncomingCall legB = two.awaitIncoming(WAIT);
    assertEquals("carol", ((SipURI) legB.invite().getRequestURI()).getUser());
    assertEquals(200, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    assertLegsApart(call, legB, two);
    legB.awaitAck(WAIT);
    call.bye();
    legB.awaitBye(WAIT);
  }

  /** Everyone refuses: the caller gets the best of the finals (486 over 503, section 16.7). */
  @Order(9)
  @Test
  void whenAllRefuseTheCallerGetsTheBestFinal() throws Exception {
    one.onInvite(Script.reject(486));
    two.onInvite(Script.reject(503));
    OutgoingCall call = call("bob", "udp");
    assertEquals(486, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
  }

  /** A carrier at its max-calls (1 here) is skipped: the second call goes to carrier two. */
  @Order(9)
  @Test
  void aCarrierAtItsCallLimitIsSkipped() throws Exception {
    one.onInvite(Script.ringForever());
    two.onInvite(Script.answer(Duration.ZERO, ANSWER));
    OutgoingCall first = call("lim-1", "udp");
    one.awaitIncoming(WAIT);
    first.awaitStatus(180, WAIT);

    OutgoingCall second = call("lim-2", "udp");
    IncomingCall legB = two.awaitIncoming(WAIT);
    assertEquals(200, second.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    assertEquals("lim-2", ((SipURI) legB.invite().getRequestURI()).getUser());
    assertFalse(one.describe().contains("lim-2"), "carrier one, at its limit, never saw the second call:\n"
        + one.describe());
    legB.awaitAck(WAIT);

    first.cancel();
    assertEquals(487, first.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    second.bye();
    legB.awaitBye(WAIT);
  }

  /**
   * In the dialog: alice's INFO, the carrier's re-INVITE (hold), alice's re-INVITE (resume),
   * UPDATE, OPTIONS and MESSAGE each cross to the other leg and are answered from there.
   */
  @Order(10)
  @Test
  void requestsInTheDialogCrossTheLegs() throws Exception {
    one.onInvite(Script.answer(Duration.ZERO, ANSWER));
    OutgoingCall call = call("bob", "udp");
    IncomingCall legB = one.awaitIncoming(WAIT);
    call.awaitFinal(WAIT);
    assertLegsApart(call, legB, one);
    legB.awaitAck(WAIT);

    call.send(Request.INFO);
    legB.awaitRequest(Request.INFO, WAIT);
    call.awaitResponse(Request.INFO, 200, WAIT);

    String hold = ANSWER.replace("t=0 0\r\n", "t=0 0\r\na=sendonly\r\n");
    legB.send(Request.INVITE, hold);
    call.awaitRequest(Request.INVITE, WAIT);
    legB.awaitResponse(Request.INVITE, 200, WAIT);
    call.awaitRequest(Request.ACK, WAIT); // the carrier's ACK, relayed
    assertEquals(hold, call.lastSdp(), "the re-INVITE's offer reaches the caller");
    assertEquals(OFFER, legB.lastSdp(), "the caller's answer reaches the carrier");

    // Resume: alice's re-INVITE back to sendrecv, then an UPDATE, an OPTIONS and a MESSAGE
    // from the carrier; each gets the other leg's answer.
    String resume = OFFER.replace("t=0 0\r\n", "t=0 0\r\na=sendrecv\r\n");
    call.send(Request.INVITE, resume);
    awaitLines(legB::ladder, "<- ACK", 2); // the first call's ACK and the resume's
    assertEquals(resume, legB.lastSdp(), "the resume offer reaches the carrier");
    awaitLines(call::ladder, "-> ACK", 2);
    assertEquals(ANSWER.replace("t=0 0\r\n", "t=0 0\r\na=sendonly\r\n"), call.lastSdp(),
        "the carrier's last SDP answers the resume");
    call.send(Request.UPDATE);
    legB.awaitRequest(Request.UPDATE, WAIT);
    call.awaitResponse(Request.UPDATE, 200, WAIT);
    legB.send(Request.OPTIONS);
    call.awaitRequest(Request.OPTIONS, WAIT);
    legB.awaitResponse(Request.OPTIONS, 200, WAIT);
    legB.send(Request.MESSAGE);
    call.awaitRequest(Request.MESSAGE, WAIT);
    legB.awaitResponse(Request.MESSAGE, 200, WAIT);

    legB.bye();
    call.awaitBye(WAIT);
  }

  /**
   * RFC 3262 on both legs: the carrier's reliable 183 reaches alice reliably with Tandem's own
   * RSeq, alice's PRACK crosses to the carrier with the RAck rewritten, and the PRACK's 200
   * comes back.
   */
  @Order(11)
  @Test
  void reliableProvisionalsArePrackedAcrossTheLegs() throws Exception {
    alice.offerReliableProvisionals(true);
    OutgoingCall call = call("bob", "udp");
    IncomingCall legB = one.awaitIncoming(WAIT);
    assertTrue(legB.invite().toString().contains("Supported: 100rel"), legB.invite()::toString);

    legB.ringReliably(183, ANSWER);
    Request prack = legB.awaitRequest(Request.PRACK, WAIT);
    Response reliable = call.awaitStatus(183, WAIT);
    RSeqHeader aRseq = (RSeqHeader) reliable.getHeader(RSeqHeader.NAME);
    assertEquals(1, aRseq.getSequenceNumber(), "Tandem's RSeq space on leg A starts at 1");
    RAckHeader rack = (RAckHeader) prack.getHeader(RAckHeader.NAME);
    assertEquals(1, rack.getCSeqNumber(), "the RAck names leg B's INVITE");
    assertEquals(Request.INVITE, rack.getMethod());
    call.awaitResponse(Request.PRACK, 200, WAIT);
    assertEquals(ANSWER, call.lastSdp(), "early media: the 183's SDP reaches alice");

    legB.answer(ANSWER);
    assertEquals(200, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    assertLegsApart(call, legB, one);
    legB.awaitAck(WAIT);
    call.bye();
    legB.awaitBye(WAIT);
  }

  /** Waits until {@code ladder} holds {@code count} lines equal to {@code line}. */
  private static void awaitLines(java.util.function.Supplier<java.util.List<String>> ladder, String line, int count)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (ladder.get().stream().filter(line::equals).count() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not " + count + " x " + line + " in " + WAIT + "\n" + SipUa.ladders());
      }
      Thread.sleep(10);
    }
  }

  /** Every call actor and every transaction ends once its work is done. */
  @Order(12)
  @Test
  void nothingOutlivesItsCall() throws Exception {
    ServerProbes.awaitIdle(server, Duration.ofSeconds(20));
  }
}
