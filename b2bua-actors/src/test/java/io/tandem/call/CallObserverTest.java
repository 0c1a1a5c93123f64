package io.tandem.call;

import static io.tandem.call.RelayFixtures.answer;
import static io.tandem.call.RelayFixtures.fromAlice;
import static io.tandem.call.RelayFixtures.received;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.ConfigFactory;
import io.tandem.sip.message.Method;
import io.tandem.transaction.RecordingServerTransaction;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionKey;
import io.tandem.transaction.RecordingTransactions;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** What a call tells its {@link CallObserver}, in order, for the metrics and CDRs built on it. */
class CallObserverTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load("application-test")));

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  private final TestProbe<RecordingTransactions.SendRequest> layer = testKit.createTestProbe();
  private final TestProbe<RecordingServerTransaction.Respond> legA = testKit.createTestProbe();
  private final TestProbe<CallObserver.Event> events = testKit.createTestProbe();
  private ActorRef<Call.Command> call;

  private CallKey start(String callId) {
    CallContext plain = RelayFixtures.context(layer);
    CallContext context = new CallContext(plain.transactions(), plain.routing(), plain.limits(), plain.settings(),
        plain.timers(), plain.local(), plain.manager(), events.getRef()::tell);
    CallKey key = CallKey.ofLegA(callId);
    call = testKit.spawn(Call.create(key, received(fromAlice(Method.INVITE, callId), legA.getRef()), context));
    return key;
  }

  private RecordingTransactions.SendRequest sent() {
    return layer.expectMessageClass(RecordingTransactions.SendRequest.class);
  }

  private <T extends CallObserver.Event> T next(Class<T> kind) {
    return assertInstanceOf(kind, events.receiveMessage());
  }

  @Test
  void aRefusedHuntReportsEachAttemptThenTheCallee() {
    CallKey key = start("observer-refused");
    CallObserver.Started started = next(CallObserver.Started.class);
    assertEquals(new CallObserver.Started(key, "observer-refused", "UDP:192.0.2.1:5060", "alice", "bob"), started);
    assertEquals(new CallObserver.Routed(key, "all"), next(CallObserver.Routed.class));

    RecordingTransactions.SendRequest toOne = sent();
    CallObserver.AttemptStarted first = next(CallObserver.AttemptStarted.class);
    assertEquals(new CallObserver.AttemptStarted(key, 1, "one", toOne.request().callId(), "alice", "bob"), first);
    toOne.replyTo().tell(answer(toOne, 486, "one-tag"));
    assertEquals(new CallObserver.AttemptEnded(key, 1, "one", 486, null), next(CallObserver.AttemptEnded.class));

    RecordingTransactions.SendRequest toTwo = sent();
    assertEquals(2, next(CallObserver.AttemptStarted.class).attempt());
    toTwo.replyTo().tell(answer(toTwo, 603, "two-tag"));
    assertEquals(new CallObserver.AttemptEnded(key, 2, "two", 603, null), next(CallObserver.AttemptEnded.class));
    assertEquals(new CallObserver.Ended(key, 603, CallObserver.Party.CALLEE, "rejected"), next(CallObserver.Ended.class));
    assertEquals(new CallObserver.Closed(key), next(CallObserver.Closed.class));
  }

  @Test
  void aCancelledCallReportsRingingTheCallerAndTheCancelledAttemptLast() {
    CallKey key = start("observer-cancelled");
    next(CallObserver.Started.class);
    next(CallObserver.Routed.class);
    RecordingTransactions.SendRequest toOne = sent();
    next(CallObserver.AttemptStarted.class);
    toOne.replyTo().tell(answer(toOne, 180, "one-tag"));
    assertEquals(new CallObserver.Ringing(key, 180), next(CallObserver.Ringing.class));
    toOne.replyTo().tell(answer(toOne, 183, "one-tag"));

    // The caller's CANCEL, answered 200 by the layer, reaches the call.
    TransactionKey invite = TransactionKey.server(fromAlice(Method.INVITE, "observer-cancelled"));
    call.tell(new Call.Event(new TransactionEvent.CancelReceived(invite,
        fromAlice(Method.CANCEL, "observer-cancelled"), RelayFixtures.received(
            fromAlice(Method.INVITE, "observer-cancelled"), legA.getRef()).transaction())));
    assertEquals(new CallObserver.Ended(key, 487, CallObserver.Party.CALLER, "cancel"), next(CallObserver.Ended.class));
    RecordingTransactions.SendRequest cancel = sent();
    assertEquals(Method.CANCEL, cancel.request().method());
    cancel.replyTo().tell(answer(cancel, 200, "one-tag"));
    events.expectNoMessage(Duration.ofMillis(100)); // the attempt waits for its own final
    toOne.replyTo().tell(answer(toOne, 487, "one-tag"));
    assertEquals(new CallObserver.AttemptEnded(key, 1, "one", 487, null), next(CallObserver.AttemptEnded.class));
    assertEquals(new CallObserver.Closed(key), next(CallObserver.Closed.class));
  }
}
