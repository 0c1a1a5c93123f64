package io.tandem.transaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.codec.SipParser;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transport.Egress;
import io.tandem.transport.Inbound;
import io.tandem.transport.Peer;
import io.tandem.transport.TransportProtocol;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Matching in the transaction layer (RFC 3261 sections 17.1.3, 17.2.3 and 9.2): which
 * transaction a message reaches, what reaches the core, and that every transaction is
 * forgotten when it ends.
 */
class TransactionLayerTest {
  private static final ActorTestKit KIT =
      ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load("application-test")));
  private static final ManualTime TIME = ManualTime.get(KIT.system());
  private static final TimerSettings TIMERS = TimerSettings.DEFAULTS;
  private static final Peer SOURCE =
      Peer.udp(new InetSocketAddress("127.0.0.1", 5062), new InetSocketAddress("127.0.0.1", 5060));

  private TestProbe<Egress.Command> egress;
  private TestProbe<TransactionEvent> core;
  private TransactionLayer layer;

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  @BeforeEach
  void createLayer() {
    egress = KIT.createTestProbe();
    core = KIT.createTestProbe();
    layer = new TransactionLayer(KIT.system(), TIMERS, egress.getRef(), core.getRef());
  }

  private static SipMessage parse(String text) {
    ParseResult r = new SipParser(ParserLimits.DEFAULTS).parseDatagram(text.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
    return assertInstanceOf(ParseResult.Parsed.class, r, text).message();
  }

  private static String request(String method, String branch, String sentBy, String toTag, String cseqMethod) {
    return method + " sip:bob@127.0.0.1 SIP/2.0\n"
        + "Via: SIP/2.0/UDP " + sentBy + (branch == null ? "" : ";branch=" + branch) + "\n"
        + "Max-Forwards: 70\n"
        + "From: <sip:alice@127.0.0.1>;tag=a1\n"
        + "To: <sip:bob@127.0.0.1>" + (toTag == null ? "" : ";tag=" + toTag) + "\n"
        + "Call-ID: call-1@127.0.0.1\n"
        + "CSeq: 7 " + cseqMethod + "\n"
        + "Content-Length: 0\n\n";
  }

  private void receive(String text) {
    layer.receive(new Inbound(parse(text), SOURCE));
  }

  private TransactionEvent.RequestReceived expectRequest() {
    return core.expectMessageClass(TransactionEvent.RequestReceived.class);
  }

  private void respond(TransactionEvent.RequestReceived received, int status) {
    received.transaction().respond(Responses.withToTag(received.request(), status));
  }

  private SipResponse expectSentResponse() {
    return egress.expectMessageClass(Egress.SendResponse.class).response();
  }

  private int count() {
    return layer.counts().total();
  }

  /** Sends {@code request} as a user would: its transaction is a child of an owner actor. */
  private void send(SipRequest request, Peer to, ActorRef<TransactionEvent> user) {
    KIT.spawn(Behaviors.<Void>setup(owner -> {
      layer.send(owner, request, to, user);
      return Behaviors.empty();
    }));
  }

  @Test
  void aRetransmittedRequestReachesItsTransactionNotTheCore() {
    receive(request("OPTIONS", "z9hG4bK-o1", "127.0.0.1:5062", null, "OPTIONS"));
    TransactionEvent.RequestReceived first = expectRequest();
    respond(first, 200);
    SipResponse ok = expectSentResponse();
    receive(request("OPTIONS", "z9hG4bK-o1", "127.0.0.1:5062", null, "OPTIONS"));
    assertEquals(ok, expectSentResponse(), "the retransmission is answered from the transaction");
    core.expectNoMessage(Duration.ofMillis(100));
    assertEquals(1, count());
  }

  @Test
  void theSameBranchFromAnotherSentByIsAnotherTransaction() {
    receive(request("OPTIONS", "z9hG4bK-same", "127.0.0.1:5062", null, "OPTIONS"));
    expectRequest();
    receive(request("OPTIONS", "z9hG4bK-same", "127.0.0.1:5064", null, "OPTIONS"));
    expectRequest();
    assertEquals(2, count());
  }

  @Test
  void theAckForANon2xxIsAbsorbedByTheInviteTransaction() {
    receive(request("INVITE", "z9hG4bK-i1", "127.0.0.1:5062", null, "INVITE"));
    TransactionEvent.RequestReceived invite = expectRequest();
    respond(invite, 486);
    SipResponse busy = expectSentResponse();
    receive(request("ACK", "z9hG4bK-i1", "127.0.0.1:5062", busy.toTag().orElseThrow(), "ACK"));
    core.expectNoMessage(Duration.ofMillis(100));
    // Confirmed: a retransmitted INVITE is absorbed, no more 486 (Timer G stopped).
    TIME.timePasses(Duration.ofSeconds(1));
    egress.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void anAckThatMatchesNoTransactionGoesToTheCore() {
    receive(request("ACK", "z9hG4bK-ack2xx", "127.0.0.1:5062", "b1", "ACK"));
    TransactionEvent.AckReceived ack = core.expectMessageClass(TransactionEvent.AckReceived.class);
    assertEquals("z9hG4bK-ack2xx", ack.ack().topViaBranch().orElseThrow());
    assertEquals(0, count());
  }

  @Test
  void aCancelOfAPendingInviteIsAnswered200AndTheCoreIsTold() {
    receive(request("INVITE", "z9hG4bK-c1", "127.0.0.1:5062", null, "INVITE"));
    TransactionEvent.RequestReceived invite = expectRequest();
    receive(request("CANCEL", "z9hG4bK-c1", "127.0.0.1:5062", null, "CANCEL"));
    SipResponse cancelOk = expectSentResponse();
    assertEquals(200, cancelOk.statusCode());
    assertEquals("CANCEL", cancelOk.cseq().method().name());
    TransactionEvent.CancelReceived cancel = core.expectMessageClass(TransactionEvent.CancelReceived.class);
    assertEquals(invite.transaction(), cancel.invite());
    assertEquals(invite.key(), cancel.key());
  }

  @Test
  void aCancelThatMatchesNothingGets481() {
    receive(request("CANCEL", "z9hG4bK-nothing", "127.0.0.1:5062", null, "CANCEL"));
    assertEquals(481, expectSentResponse().statusCode());
    core.expectNoMessage(Duration.ofMillis(100));
  }

  /**
   * A cluster node: a CANCEL of an INVITE whose transaction died with another node goes up
   * unanswered; matched again once the call brought it back adopted the INVITE, it gets 200
   * and the INVITE's user is told.
   */
  @Test
  void aCancelThatMatchesNothingGoesUpWhenTheCoreAsksAndMatchesTheInviteAdoptedSince() {
    layer.sendUnmatchedCancelsToCore();
    String invite = request("INVITE", "z9hG4bK-moved", "127.0.0.1:5062", null, "INVITE");
    receive(request("CANCEL", "z9hG4bK-moved", "127.0.0.1:5062", null, "CANCEL"));
    TransactionEvent.RequestReceived cancel = expectRequest();
    assertEquals("CANCEL", cancel.request().method().name());
    egress.expectNoMessage(Duration.ofMillis(100)); // no 481

    ServerTransaction adopted = layer.adoptInvite((SipRequest) parse(invite), SOURCE);
    TestProbe<TransactionEvent> user = KIT.createTestProbe();
    adopted.handTo(user.getRef());
    layer.matchCancel(cancel.request(), cancel.transaction());
    assertEquals(200, expectSentResponse().statusCode());
    assertEquals(adopted, user.expectMessageClass(TransactionEvent.CancelReceived.class).invite());

    // One that matches nothing even then: 481.
    receive(request("CANCEL", "z9hG4bK-none", "127.0.0.1:5062", null, "CANCEL"));
    TransactionEvent.RequestReceived stray = expectRequest();
    layer.matchCancel(stray.request(), stray.transaction());
    assertEquals(481, expectSentResponse().statusCode());
  }

  /** RFC 4475 section 3.3.9 (badbranch) and RFC 3261 17.2.3: no magic cookie, RFC 2543 rules. */
  @Test
  void requestsWithoutTheMagicCookieMatchTheRfc2543Way() {
    receive(request("INVITE", "1234", "127.0.0.1:5062", null, "INVITE"));
    TransactionEvent.RequestReceived invite = expectRequest();
    assertTrue(invite.key().legacy());
    receive(request("INVITE", "1234", "127.0.0.1:5062", null, "INVITE"));
    core.expectNoMessage(Duration.ofMillis(100));
    // The retransmission reached the same transaction, which answers it with 100 Trying.
    assertEquals(100, expectSentResponse().statusCode());
    respond(invite, 404);
    SipResponse notFound = expectSentResponse();
    // The ACK carries the 404's To tag, which the INVITE did not: it still matches.
    receive(request("ACK", "1234", "127.0.0.1:5062", notFound.toTag().orElseThrow(), "ACK"));
    core.expectNoMessage(Duration.ofMillis(100));
    receive(request("INVITE", null, "127.0.0.1:5062", null, "INVITE"));
    assertTrue(expectRequest().key().legacy(), "no branch at all: a new RFC 2543 transaction");
  }

  @Test
  void responsesMatchByBranchAndCseqMethod() {
    TestProbe<TransactionEvent> user = KIT.createTestProbe();
    SipRequest invite = (SipRequest) parse(request("INVITE", "z9hG4bK-out", "127.0.0.1:5060", null, "INVITE"));
    Peer to = Peer.destination(TransportProtocol.UDP, new InetSocketAddress("127.0.0.1", 5062));
    send(invite, to, user.getRef());
    egress.expectMessageClass(Egress.SendRequest.class);
    // The same branch with CSeq method CANCEL is the CANCEL's transaction, not the INVITE's.
    String cancelOk = "SIP/2.0 200 OK\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-out\n"
        + "From: <sip:alice@127.0.0.1>;tag=a1\nTo: <sip:bob@127.0.0.1>;tag=b\nCall-ID: call-1@127.0.0.1\n"
        + "CSeq: 7 CANCEL\nContent-Length: 0\n\n";
    receive(cancelOk);
    core.expectMessageClass(TransactionEvent.StrayResponseReceived.class);
    user.expectNoMessage(Duration.ofMillis(100));
    receive(cancelOk.replace("7 CANCEL", "7 INVITE").replace("200 OK", "180 Ringing"));
    TransactionEvent.ResponseReceived ringing = user.expectMessageClass(TransactionEvent.ResponseReceived.class);
    assertEquals(180, ringing.response().statusCode());
  }

  @Test
  void aRequestWithoutAFreshCookieBranchIsRefusedNotSent() {
    TestProbe<TransactionEvent> user = KIT.createTestProbe();
    SipRequest options = (SipRequest) parse(request("OPTIONS", "old-style", "127.0.0.1:5060", null, "OPTIONS"));
    send(options, Peer.destination(TransportProtocol.UDP, new InetSocketAddress("127.0.0.1", 5062)), user.getRef());
    user.expectMessageClass(TransactionEvent.TransportFailed.class);
    user.expectMessageClass(TransactionEvent.Terminated.class);
    egress.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void everyTransactionIsForgottenWhenItEnds() {
    receive(request("OPTIONS", "z9hG4bK-end1", "127.0.0.1:5062", null, "OPTIONS"));
    respond(expectRequest(), 200);
    receive(request("INVITE", "z9hG4bK-end2", "127.0.0.1:5062", null, "INVITE"));
    respond(expectRequest(), 603);
    TestProbe<TransactionEvent> user = KIT.createTestProbe();
    SipRequest out = (SipRequest) parse(request("MESSAGE", "z9hG4bK-end3", "127.0.0.1:5060", null, "MESSAGE"));
    send(out, Peer.destination(TransportProtocol.UDP, new InetSocketAddress("127.0.0.1", 5062)), user.getRef());
    expectSentResponse(); // the 200
    expectSentResponse(); // the 603
    egress.expectMessageClass(Egress.SendRequest.class); // the MESSAGE is out: its actor is in the index
    assertEquals(3, count());
    // Timer J and Timer H are 64*T1, Timer F too: after that nothing is left.
    TIME.timePasses(TIMERS.sixtyFourT1().plusSeconds(1));
    user.expectMessageClass(TransactionEvent.TimedOut.class);
    core.awaitAssert(() -> {
      assertEquals(0, count());
      return null;
    });
  }

  /** DESIGN section 7: when full, new requests get 503 with Retry-After and no transaction. */
  @Test
  void beyondTheLimitNewRequestsGet503WithRetryAfterAndNoTransaction() {
    TransactionLayer small =
        new TransactionLayer(KIT.system(), TIMERS, new TransactionLimits(1, Duration.ofSeconds(7)), egress.getRef(), core.getRef());
    SipMessage first = parse(request("OPTIONS", "z9hG4bK-full1", "127.0.0.1:5062", null, "OPTIONS"));
    small.receive(new Inbound(first, SOURCE));
    TransactionEvent.RequestReceived admitted = expectRequest();

    SipMessage second = parse(request("OPTIONS", "z9hG4bK-full2", "127.0.0.1:5062", null, "OPTIONS"));
    small.receive(new Inbound(second, SOURCE));
    SipResponse busy = expectSentResponse();
    assertEquals(503, busy.statusCode());
    assertEquals(Optional.of("7"), busy.headers().first(HeaderName.RETRY_AFTER));
    core.expectNoMessage(Duration.ofMillis(100));
    // A retransmission of the admitted request still reaches its transaction, an ACK is
    // never answered.
    small.receive(new Inbound(first, SOURCE));
    SipMessage ack = parse(request("ACK", "z9hG4bK-full3", "127.0.0.1:5062", "x", "ACK"));
    small.receive(new Inbound(ack, SOURCE));
    core.expectMessageClass(TransactionEvent.AckReceived.class);
    egress.expectNoMessage(Duration.ofMillis(100));

    admitted.transaction().respond(Responses.withToTag((SipRequest) first, 200));
    expectSentResponse();
    TIME.timePasses(TIMERS.sixtyFourT1().plusSeconds(1)); // Timer J: the slot is free again
    TransactionLayer.TransactionCount c = small.counts();
    assertEquals(0, c.total());
    assertEquals(1, c.overloadRejected());
    small.receive(new Inbound(second, SOURCE));
    assertEquals(second, expectRequest().request());
  }
}
