package io.tandem.app.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.NameAddr;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.SipUri;
import io.tandem.sip.message.Via;
import io.tandem.app.LayerOnProbes;
import io.tandem.transaction.ClientTransactions;
import io.tandem.transaction.TimerSettings;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionKey;
import io.tandem.transport.Egress;
import io.tandem.transport.Peer;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * One demo call's timers (RFC 3261 section 13.3.1.4): the ring time, the 2xx retransmitted at
 * T1, 2T1, 4T1 capped at T2 until the ACK, BYE when no ACK comes or the talk time is over.
 */
class DemoCallTest {
  static final ActorTestKit testKit = ActorTestKit.create(
      ManualTime.config().withFallback(ConfigFactory.parseString("pekko.loglevel = WARNING")));
  static final ManualTime manualTime = ManualTime.get(testKit.system());

  private static final Duration RING = Duration.ofSeconds(1);
  private static final TimerSettings TIMERS = TimerSettings.DEFAULTS; // T1 500 ms, T2 4 s
  private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 5070);
  private static final InetSocketAddress TANDEM = new InetSocketAddress("127.0.0.1", 5060);

  /** A request the call sent in a client transaction of its own. */
  private record SendRequest(SipRequest request, Peer destination, ActorRef<TransactionEvent> replyTo) {}

  private final LayerOnProbes wire = new LayerOnProbes(testKit, TIMERS);
  private final TestProbe<Egress.Command> transaction = wire.out;
  private final TestProbe<SendRequest> layer = testKit.createTestProbe();

  @AfterAll
  static void close() {
    testKit.shutdownTestKit();
  }

  private ActorRef<DemoCall.Command> call(SipRequest invite, Duration maxTalkTime) {
    DemoCarrierSettings settings = new DemoCarrierSettings(true, LOCAL, RING, maxTalkTime);
    var received = wire.receive(invite, Peer.udp(TANDEM, LOCAL));
    ClientTransactions sent = (owner, request, destination, user) ->
        layer.ref().tell(new SendRequest(request, destination, user));
    return testKit.spawn(DemoCall.create(received, new DemoCall.Context(settings, TIMERS, sent, LOCAL)));
  }

  private SipResponse expectResponse(int status) {
    SipResponse r = wire.response();
    assertEquals(status, r.statusCode(), r::toString);
    return r;
  }

  private void passes(Duration d) {
    manualTime.timePasses(d);
  }

  @Test
  void ringsThenRetransmitsTheAnswerUntilTheAck() {
    SipRequest invite = invite("a1");
    ActorRef<DemoCall.Command> call = call(invite, Duration.ZERO);
    SipResponse ringing = expectResponse(180);
    transaction.expectNoMessage(Duration.ofMillis(50));
    passes(RING);
    SipResponse ok = expectResponse(200);
    assertEquals(ringing.to().tag(), ok.to().tag(), "one dialog: the same To tag");
    assertTrue(ok.bodyText().contains("m=audio"), ok::toString);
    for (Duration interval : new Duration[] {Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofSeconds(4), Duration.ofSeconds(4)}) {
      passes(interval.minusMillis(1));
      transaction.expectNoMessage(Duration.ZERO);
      passes(Duration.ofMillis(1));
      assertEquals(ok, expectResponse(200), "the same 2xx again after " + interval);
    }
    call.tell(new DemoCall.Event(new TransactionEvent.AckReceived(TransactionKey.server(invite), ack(invite), Peer.udp(TANDEM, LOCAL))));
    passes(Duration.ofSeconds(10));
    transaction.expectNoMessage(Duration.ZERO);
    layer.expectNoMessage(Duration.ZERO);
  }

  @Test
  void withoutAnAckItHangsUpAfter64T1() {
    SipRequest invite = invite("a2");
    ActorRef<DemoCall.Command> call = call(invite, Duration.ZERO);
    expectResponse(180);
    passes(RING);
    expectResponse(200);
    passes(TIMERS.sixtyFourT1());
    SipRequest bye = expectBye();
    assertEquals("sip:tandem@127.0.0.1:5060", bye.requestUri().toString(), "to the INVITE's Contact");
    TestProbe<Void> watcher = testKit.createTestProbe();
    end(call, bye);
    watcher.expectTerminated(call);
  }

  @Test
  void hangsUpAfterTheMaxTalkTime() {
    SipRequest invite = invite("a3");
    ActorRef<DemoCall.Command> call = call(invite, Duration.ofSeconds(30));
    SipResponse ringing = expectResponse(180);
    passes(RING);
    expectResponse(200);
    call.tell(new DemoCall.Event(new TransactionEvent.AckReceived(TransactionKey.server(invite), ack(invite), Peer.udp(TANDEM, LOCAL))));
    passes(Duration.ofSeconds(29));
    layer.expectNoMessage(Duration.ZERO);
    passes(Duration.ofSeconds(1));
    SipRequest bye = expectBye();
    assertEquals(ringing.to(), bye.from(), "From is the carrier's side of the dialog");
    assertEquals(invite.from(), bye.to());
    assertEquals(invite.callId(), bye.callId());
    TestProbe<Void> watcher = testKit.createTestProbe();
    end(call, bye);
    watcher.expectTerminated(call);
  }

  private SipRequest expectBye() {
    SendRequest send = layer.expectMessageClass(SendRequest.class);
    assertEquals(Method.BYE, send.request().method());
    assertEquals(TANDEM, send.destination().remote());
    return send.request();
  }

  /** The BYE is answered and its transaction ends. */
  private void end(ActorRef<DemoCall.Command> call, SipRequest bye) {
    TransactionKey key = TransactionKey.client(bye);
    call.tell(new DemoCall.Event(new TransactionEvent.ResponseReceived(key, SipResponse.builderFor(bye, 200).build())));
    call.tell(new DemoCall.Event(new TransactionEvent.Terminated(key)));
  }

  private static SipRequest invite(String callId) {
    return SipRequest.builder(Method.INVITE, SipUri.parse("sip:demo@127.0.0.1:5070"))
        .header(HeaderName.VIA, Via.of("UDP", "127.0.0.1", 5060, "z9hG4bK" + callId))
        .header(HeaderName.MAX_FORWARDS, "69")
        .header(HeaderName.FROM, NameAddr.of(SipUri.parse("sip:alice@127.0.0.1")).withTag("f" + callId))
        .header(HeaderName.TO, NameAddr.of(SipUri.parse("sip:demo@127.0.0.1")))
        .header(HeaderName.CALL_ID, callId)
        .header(HeaderName.CSEQ, new CSeq(1, Method.INVITE))
        .header(HeaderName.CONTACT, NameAddr.of(SipUri.parse("sip:tandem@127.0.0.1:5060")))
        .build();
  }

  private static SipRequest ack(SipRequest invite) {
    return SipRequest.builder(Method.ACK, SipUri.parse("sip:demo@127.0.0.1:5070"))
        .header(HeaderName.VIA, Via.of("UDP", "127.0.0.1", 5060, "z9hG4bKack"))
        .header(HeaderName.FROM, invite.from())
        .header(HeaderName.TO, invite.to())
        .header(HeaderName.CALL_ID, invite.callId())
        .header(HeaderName.CSEQ, new CSeq(1, Method.ACK))
        .build();
  }
}
