package io.tandem.call;

import static io.tandem.call.RelayFixtures.ALICE;
import static io.tandem.call.RelayFixtures.ONE;
import static io.tandem.call.RelayFixtures.TANDEM;
import static io.tandem.call.RelayFixtures.answer;
import static io.tandem.call.RelayFixtures.context;
import static io.tandem.call.RelayFixtures.fromAlice;
import static io.tandem.call.RelayFixtures.received;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.routing.CallLimits;
import io.tandem.routing.HuntPolicy;
import io.tandem.routing.RoutingDecision;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transaction.RecordingServerTransaction;
import io.tandem.transaction.TimerSettings;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionKey;
import io.tandem.transaction.RecordingTransactions;
import io.tandem.transaction.TransactionLimits;
import io.tandem.transport.Egress;
import io.tandem.transport.Peer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The admin API's commands: a call describes itself and hangs up on request (BYE on both legs
 * once answered, 487 and CANCEL while ringing); the manager lists its calls, hangs one up by
 * key and, while draining, refuses new INVITEs with 503 and Retry-After.
 */
class CallAdminTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load("application-test"));

  private final TestProbe<RecordingTransactions.SendRequest> layer = testKit.createTestProbe();
  private final TestProbe<RecordingServerTransaction.Respond> legA = testKit.createTestProbe();
  private final SipRequest invite = fromAlice(Method.INVITE, "admin-" + System.nanoTime());

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  private ActorRef<Call.Command> start() {
    return testKit.spawn(Call.create(CallKey.ofLegA(invite.callId()), received(invite, legA.ref()), context(layer)));
  }

  private CallInfo describe(ActorRef<Call.Command> call) {
    TestProbe<CallInfo> reply = testKit.createTestProbe();
    call.tell(new Call.Describe(reply.ref()));
    return reply.receiveMessage();
  }

  private int statusToA() {
    return legA.expectMessageClass(RecordingServerTransaction.Respond.class).response().statusCode();
  }

  /** The requests Tandem sends next, up to {@code count} of them. */
  private List<RecordingTransactions.SendRequest> sent(int count) {
    List<RecordingTransactions.SendRequest> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(layer.expectMessageClass(RecordingTransactions.SendRequest.class));
    }
    return out;
  }

  @Test
  void anAnsweredCallHungUpGetsAByeOnEachLeg() {
    ActorRef<Call.Command> call = start();
    RecordingTransactions.SendRequest legB = sent(1).get(0);
    assertEquals(100, statusToA());
    CallInfo trying = describe(call);
    assertEquals("trying", trying.state());
    assertEquals(invite.callId(), trying.legACallId());
    assertEquals(Optional.of("one"), trying.carrier());

    legB.replyTo().tell(answer(legB, 200, "one-tag"));
    assertEquals(200, statusToA());
    SipRequest ack = fromAlice(Method.ACK, invite.callId());
    call.tell(new Call.Event(new TransactionEvent.AckReceived(TransactionKey.server(ack), ack, Peer.udp(ALICE, TANDEM))));
    CallInfo answered = describe(call);
    assertEquals("answered", answered.state());
    assertTrue(answered.answeredAt().isPresent());

    call.tell(new Call.HangUp());
    List<InetSocketAddress> byes = sent(3).stream()
        .filter(s -> s.request().method().equals(Method.BYE))
        .map(s -> s.destination().remote())
        .toList();
    assertEquals(2, byes.size(), byes::toString);
    assertEquals(Set.of(ALICE, ONE.address()), Set.copyOf(byes), "one BYE to the caller, one to the carrier");
    assertEquals("ending", describe(call).state());
  }

  @Test
  void aRingingCallHungUpGets487AndACancelOnLegB() {
    ActorRef<Call.Command> call = start();
    RecordingTransactions.SendRequest legB = sent(1).get(0);
    assertEquals(100, statusToA());
    legB.replyTo().tell(answer(legB, 180, "one-tag"));
    assertEquals(180, statusToA());
    assertEquals("ringing", describe(call).state());

    call.tell(new Call.HangUp());
    assertEquals(487, statusToA());
    assertEquals(Method.CANCEL, sent(1).get(0).request().method());
  }

  @Test
  void theManagerListsHangsUpAndDrains() {
    TestProbe<Egress.Command> egress = testKit.createTestProbe();
    RoutingDecision route = new RoutingDecision.Route("all", List.of(ONE), HuntPolicy.DEFAULTS);
    ActorRef<CallManager.Command> manager = testKit.spawn(CallManager.create(TimerSettings.DEFAULTS,
        TransactionLimits.DEFAULTS, egress.ref(), request -> route, new CallLimits(0, Map.of()), Duration.ofSeconds(30),
        CallSettings.DEFAULTS, p -> TANDEM, testKit.<TransactionEvent>createTestProbe().ref()));
    manager.tell(new CallManager.Event(received(invite, legA.ref())));
    assertEquals(100, statusToA());

    TestProbe<CallManager.Calls> calls = testKit.createTestProbe();
    manager.tell(new CallManager.ListCalls(calls.ref()));
    assertEquals(List.of(CallKey.ofLegA(invite.callId())), List.copyOf(calls.receiveMessage().byKey().keySet()));

    TestProbe<CallManager.DrainState> drain = testKit.createTestProbe();
    manager.tell(new CallManager.SetDraining(true, drain.ref()));
    assertEquals(new CallManager.DrainState(true, 1), drain.receiveMessage());
    TestProbe<RecordingServerTransaction.Respond> refusedTx = testKit.createTestProbe();
    SipRequest another = fromAlice(Method.INVITE, "admin-refused-" + System.nanoTime());
    manager.tell(new CallManager.Event(received(another, refusedTx.ref())));
    SipResponse refused = refusedTx.expectMessageClass(RecordingServerTransaction.Respond.class).response();
    assertEquals(503, refused.statusCode());
    assertEquals(30L, refused.header(SipHeaders.RETRY_AFTER).toOptional().orElseThrow().seconds());

    TestProbe<Boolean> hungUp = testKit.createTestProbe();
    manager.tell(new CallManager.HangUp(CallKey.ofLegA("no such call"), hungUp.ref()));
    assertFalse(hungUp.receiveMessage());
    manager.tell(new CallManager.HangUp(CallKey.ofLegA(invite.callId()), hungUp.ref()));
    assertTrue(hungUp.receiveMessage());
    assertEquals(487, statusToA(), "not answered yet: ended as if cancelled");

    manager.tell(new CallManager.SetDraining(false, drain.ref()));
    assertFalse(drain.receiveMessage().draining());
  }
}
