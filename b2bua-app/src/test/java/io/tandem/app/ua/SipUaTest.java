package io.tandem.app.ua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import javax.sip.header.ContactHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The harness against itself, caller (alice) straight to carrier (bob), no Tandem between, over
 * UDP and TCP: each ladder below is what an RFC 3261 user agent must put on the wire, so the
 * harness can stand on either side of Tandem.
 */
class SipUaTest {
  private static final Duration WAIT = Duration.ofSeconds(3);
  private static final String OFFER = "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";
  private static final String ANSWER = "v=0\r\no=bob 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\n";

  private static SipUa alice;
  private static SipUa bob;

  @BeforeAll
  static void start() throws Exception {
    alice = SipUa.start("alice");
    bob = SipUa.start("bob");
  }

  @BeforeEach
  void reset() {
    alice.reset();
    bob.reset();
  }

  @AfterAll
  static void stop() {
    alice.close();
    bob.close();
  }

  /**
   * <pre>
   * alice                 bob
   *   |---- INVITE (SDP) --->|
   *   |<--- 180 Ringing -----|
   *   |<--- 200 OK (SDP) ----|
   *   |---- ACK ------------>|
   *   |---- BYE ------------>|
   *   |<--- 200 OK ----------|
   * </pre>
   */
  @ParameterizedTest
  @ValueSource(strings = {"udp", "tcp"})
  void callAnsweredThenCallerHangsUp(String transport) throws Exception {
    bob.onInvite(Script.answer(Duration.ofMillis(50), ANSWER));

    OutgoingCall call = alice.invite(bob.uri(), transport, OFFER);
    IncomingCall incoming = bob.awaitIncoming(WAIT);
    assertEquals(OFFER, incoming.lastSdp(), SipUa::ladders);
    assertEquals(200, call.awaitFinal(WAIT).getStatusCode());
    assertEquals(List.of(180, 200), call.statuses(), SipUa::ladders);
    assertEquals(ANSWER, call.lastSdp(), SipUa::ladders);
    incoming.awaitAck(WAIT);

    call.bye();
    incoming.awaitBye(WAIT);
    call.awaitResponse(Request.BYE, 200, WAIT);

    call.awaitLadder(WAIT, "-> INVITE", "<- 180 Ringing", "<- 200 OK", "-> ACK", "-> BYE", "<- 200 OK");
    incoming.awaitLadder(WAIT, "<- INVITE", "-> 180 Ringing", "-> 200 OK", "<- ACK", "<- BYE", "-> 200 OK");
    assertEquals(List.of("-> INVITE", "<- 180 Ringing", "<- 200 OK", "-> ACK", "-> BYE", "<- 200 OK"),
        alice.ladder(), SipUa::ladders);
    assertTrue(alice.describe().contains(call.callId()), alice::describe);
  }

  /** As above, but bob hangs up: alice answers his BYE with 200. */
  @ParameterizedTest
  @ValueSource(strings = {"udp", "tcp"})
  void callAnsweredThenCarrierHangsUp(String transport) throws Exception {
    bob.onInvite(Script.answer(Duration.ZERO, ANSWER));

    OutgoingCall call = alice.invite(bob.uri(), transport, OFFER);
    IncomingCall incoming = bob.awaitIncoming(WAIT);
    call.awaitFinal(WAIT);
    incoming.awaitAck(WAIT);

    incoming.bye();
    assertEquals(Request.BYE, call.awaitBye(WAIT).getMethod());
    incoming.awaitResponse(Request.BYE, 200, WAIT);

    call.awaitLadder(WAIT, "-> INVITE", "<- 180 Ringing", "<- 200 OK", "-> ACK", "<- BYE", "-> 200 OK");
    incoming.awaitLadder(WAIT, "<- INVITE", "-> 180 Ringing", "-> 200 OK", "<- ACK", "-> BYE", "<- 200 OK");
  }

  /**
   * Inside the dialog: alice's INFO gets 200; bob's re-INVITE gets 200 with alice's SDP and
   * bob ACKs it (RFC 3261 section 14).
   */
  @ParameterizedTest
  @ValueSource(strings = {"udp", "tcp"})
  void requestsInsideTheDialogAreAnswered(String transport) throws Exception {
    bob.onInvite(Script.answer(Duration.ZERO, ANSWER));
    OutgoingCall call = alice.invite(bob.uri(), transport, OFFER);
    IncomingCall incoming = bob.awaitIncoming(WAIT);
    call.awaitFinal(WAIT);
    incoming.awaitAck(WAIT);

    call.send(Request.INFO);
    call.awaitResponse(Request.INFO, 200, WAIT);
    String reOffer = ANSWER.replace("50000", "50002");
    incoming.send(Request.INVITE, reOffer);
    incoming.awaitResponse(Request.INVITE, 200, WAIT);
    call.awaitRequest(Request.ACK, WAIT);
    assertEquals(reOffer, call.lastSdp(), SipUa::ladders);
    assertEquals(OFFER, incoming.lastSdp(), SipUa::ladders);

    call.awaitLadder(WAIT, "-> INVITE", "<- 180 Ringing", "<- 200 OK", "-> ACK",
        "-> INFO", "<- 200 OK", "<- INVITE", "-> 200 OK", "<- ACK");
    incoming.awaitLadder(WAIT, "<- INVITE", "-> 180 Ringing", "-> 200 OK", "<- ACK",
        "<- INFO", "-> 200 OK", "-> INVITE", "<- 200 OK", "-> ACK");
  }

  /** A 486 reaches the caller and JAIN-SIP's client transaction ACKs it (RFC 3261 17.1.1.3). */
  @ParameterizedTest
  @ValueSource(strings = {"udp", "tcp"})
  void rejectionIsAcked(String transport) throws Exception {
    bob.onInvite(Script.reject(486));

    OutgoingCall call = alice.invite(bob.uri(), transport, OFFER);
    assertEquals(486, call.awaitFinal(WAIT).getStatusCode());
    IncomingCall incoming = bob.awaitIncoming(WAIT);
    incoming.awaitAck(WAIT);

    call.awaitLadder(WAIT, "-> INVITE", "<- 486 Busy here", "-> ACK");
    incoming.awaitLadder(WAIT, "<- INVITE", "-> 486 Busy here", "<- ACK");
  }

  /** CANCEL while ringing: 200 to the CANCEL, 487 to the INVITE, ACK (RFC 3261 9.2). */
  @ParameterizedTest
  @ValueSource(strings = {"udp", "tcp"})
  void cancelWhileRinging(String transport) throws Exception {
    bob.onInvite(Script.ringForever());

    OutgoingCall call = alice.invite(bob.uri(), transport, OFFER);
    call.awaitStatus(180, WAIT);
    call.cancel();
    IncomingCall incoming = bob.awaitIncoming(WAIT);
    incoming.awaitCancel(WAIT);
    call.awaitResponse(Request.CANCEL, 200, WAIT);
    assertEquals(487, call.awaitFinal(WAIT).getStatusCode());
    incoming.awaitAck(WAIT);

    call.awaitLadder(WAIT,
        "-> INVITE", "<- 180 Ringing", "-> CANCEL", "<- 200 OK", "<- 487 Request Terminated", "-> ACK");
    incoming.awaitLadder(WAIT,
        "<- INVITE", "-> 180 Ringing", "<- CANCEL", "-> 200 OK", "-> 487 Request Terminated", "<- ACK");
  }

  /** A CANCEL asked for before any provisional waits for one (RFC 3261 9.1): here JAIN-SIP's 100. */
  @ParameterizedTest
  @ValueSource(strings = {"udp", "tcp"})
  void cancelBeforeAnyProvisionalWaitsForOne(String transport) throws Exception {
    bob.onInvite(Script.manual());

    OutgoingCall call = alice.invite(bob.uri(), transport, OFFER);
    call.cancel();
    assertEquals(487, call.awaitFinal(WAIT).getStatusCode());
    bob.awaitIncoming(WAIT).awaitAck(WAIT);

    call.awaitLadder(WAIT,
        "-> INVITE", "<- 100 Trying", "-> CANCEL", "<- 200 OK", "<- 487 Request Terminated", "-> ACK");
  }

  /** A 302 carries the Contact the script names; the caller ACKs it. */
  @ParameterizedTest
  @ValueSource(strings = {"udp", "tcp"})
  void redirectCarriesContact(String transport) throws Exception {
    bob.onInvite(Script.redirect("sip:carol@127.0.0.1:5099"));

    OutgoingCall call = alice.invite(bob.uri(), transport, OFFER);
    Response moved = call.awaitFinal(WAIT);
    assertEquals(302, moved.getStatusCode());
    ContactHeader contact = (ContactHeader) moved.getHeader(ContactHeader.NAME);
    assertEquals("sip:carol@127.0.0.1:5099", contact.getAddress().getURI().toString(), SipUa::ladders);
    bob.awaitIncoming(WAIT).awaitAck(WAIT);

    call.awaitLadder(WAIT, "-> INVITE", "<- 302 Moved Temporarily", "-> ACK");
  }

  /**
   * A silent carrier sends nothing, not even 100; alice's Timer B (64*T1, T1 = 20 ms) ends the
   * INVITE. A wait that fails prints both ladders. Over UDP alice retransmits (Timer A), over TCP she must not (RFC 3261 17.1.1.2).
   */
  @ParameterizedTest
  @ValueSource(strings = {"udp", "tcp"})
  void silentCarrierTimesOut(String transport) throws Exception {
    alice.setTimerT1(Duration.ofMillis(20));
    bob.onInvite(Script.silent());

    OutgoingCall call = alice.invite(bob.uri(), transport, OFFER);
    IncomingCall incoming = bob.awaitIncoming(WAIT);
    assertEquals(call.callId(), incoming.callId());
    call.expectNoResponse(Duration.ofMillis(800));
    AssertionError noFinal = assertThrows(AssertionError.class, () -> call.awaitFinal(Duration.ofMillis(200)));
    assertTrue(noFinal.getMessage().contains("alice:\n") && noFinal.getMessage().contains("bob:\n")
        && noFinal.getMessage().contains("<- INVITE"), noFinal::getMessage);
    call.awaitTimeout(WAIT);

    assertEquals(List.of(), call.statuses(), SipUa::ladders);
    List<String> sent = call.ladder();
    assertTrue(sent.stream().allMatch("-> INVITE"::equals), SipUa::ladders);
    if (transport.equals("udp")) {
      assertTrue(sent.size() > 3, SipUa::ladders);
    } else {
      assertEquals(1, sent.size(), SipUa::ladders);
    }
    assertTrue(incoming.ladder().stream().allMatch("<- INVITE"::equals), SipUa::ladders);
  }
}
