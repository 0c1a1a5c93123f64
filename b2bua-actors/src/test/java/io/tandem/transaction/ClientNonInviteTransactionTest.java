package io.tandem.transaction;

import static io.tandem.transaction.ClientFixtures.TCP;
import static io.tandem.transaction.ClientFixtures.UDP;
import static io.tandem.transaction.ClientFixtures.expectSend;
import static io.tandem.transaction.ClientFixtures.failSend;
import static io.tandem.transaction.ClientFixtures.ms;
import static io.tandem.transaction.ClientFixtures.request;
import static io.tandem.transaction.ClientFixtures.response;
import static io.tandem.transaction.ClientFixtures.s;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transport.Egress;
import io.tandem.transport.Peer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The non-INVITE client transaction, transition by transition, as drawn in figure 6 of RFC
 * 3261 (section 17.1.2.2):
 *
 * <pre>
 *   Trying:     E fires -> retransmit, E = min(2E, T2)   F fires -> TimedOut 'F', Terminated
 *               1xx -> Proceeding        200-699 -> Completed
 *   Proceeding: E fires -> retransmit, E = T2            F fires -> TimedOut 'F', Terminated
 *               1xx -> pass up           200-699 -> Completed
 *   Completed:  responses absorbed                       K fires -> Terminated
 *   any state:  transport error -> TransportFailed, Terminated
 * </pre>
 *
 * Times are from the request's first send, T1 = 500 ms, T2 = 4 s, T4 = 5 s unless a test says
 * otherwise.
 */
class ClientNonInviteTransactionTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load("application-test")));
  private static final ManualTime manualTime = ManualTime.get(testKit.system());
  /** T1 = 100 ms, T2 = 400 ms, T4 = 1 s. */
  private static final TimerSettings FAST =
      new TimerSettings(ms(100), ms(400), ms(1000), ms(2000), ms(200));

  private final TestProbe<Egress.Command> transport = testKit.createTestProbe();
  private final TestProbe<TransactionEvent> user = testKit.createTestProbe();
  private final ClientFixtures.Clock clock = new ClientFixtures.Clock(manualTime);
  private final SipRequest options = request(Method.OPTIONS, "-options");
  private final TransactionKey key = TransactionKey.client(options);
  /** The request's first send, whose replyTo a test uses to report a transport error. */
  private Egress.SendRequest firstSend;

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  // Trying

  @Test
  void overUdpTimerERetransmitsDoublingUpToT2UntilTimerFFiresAt64T1() {
    ActorRef<ClientTransaction.Command> tx = start(UDP, TimerSettings.DEFAULTS);
    // E: 0.5, 1, 2, then capped at T2 = 4 s; the one due at 35.5 s comes after F.
    expectRequestSentAt(
        UDP, ms(500), ms(1500), ms(3500), ms(7500), ms(11500), ms(15500), ms(19500),
        ms(23500), ms(27500), ms(31500));
    expectTimedOutAt(s(32), tx);
  }

  @Test
  void overTcpTheRequestIsSentOnceAndTimerFStillFires() {
    ActorRef<ClientTransaction.Command> tx = start(TCP, TimerSettings.DEFAULTS);
    expectTimedOutAt(s(32), tx);
  }

  @Test
  void aFinalInTryingIsPassedUpAndCompletedAbsorbsItsRetransmissionsUntilTimerK() {
    ActorRef<ClientTransaction.Command> tx = start(UDP, TimerSettings.DEFAULTS);
    SipResponse ok = response(options, 200, "b1");
    tx.tell(new ClientTransaction.ResponseArrived(ok));
    expectPassedUp(ok);

    // E and F are off: no retransmission; the final's retransmission is not passed up.
    clock.quietFor(s(1), transport, user);
    tx.tell(new ClientTransaction.ResponseArrived(ok));
    clock.quietUntilJustBefore(s(5), transport, user);
    clock.advanceTo(s(5));
    expectTerminated(tx);
  }

  @Test
  void overTcpAFinalEndsTheTransactionAtOnceAsTimerKIsZero() {
    ActorRef<ClientTransaction.Command> tx = start(TCP, TimerSettings.DEFAULTS);
    SipResponse notFound = response(options, 404, "b1");
    tx.tell(new ClientTransaction.ResponseArrived(notFound));
    expectPassedUp(notFound);
    expectTerminated(tx);
  }

  // Proceeding

  @Test
  void aProvisionalEntersProceedingWhereTimerERetransmitsEveryT2UntilTimerF() {
    ActorRef<ClientTransaction.Command> tx = start(UDP, TimerSettings.DEFAULTS);
    expectRequestSentAt(UDP, ms(500));

    clock.advanceTo(ms(600));
    SipResponse trying = response(options, 100, null);
    tx.tell(new ClientTransaction.ResponseArrived(trying));
    expectPassedUp(trying);

    // E, started in Trying for 1 s, fires at 1.5 s; from then on every T2 (Trying would have
    // sent at 3.5 and 7.5 s).
    expectRequestSentAt(
        UDP, ms(1500), ms(5500), ms(9500), ms(13500), ms(17500), ms(21500), ms(25500),
        ms(29500));

    // Every provisional is passed up.
    SipResponse again = response(options, 100, null);
    tx.tell(new ClientTransaction.ResponseArrived(again));
    expectPassedUp(again);

    expectTimedOutAt(s(32), tx);
  }

  @Test
  void aFinalInProceedingIsPassedUpAndTimerKRunsFromThere() {
    ActorRef<ClientTransaction.Command> tx = start(UDP, TimerSettings.DEFAULTS);
    SipResponse trying = response(options, 100, null);
    tx.tell(new ClientTransaction.ResponseArrived(trying));
    expectPassedUp(trying);
    expectRequestSentAt(UDP, ms(500), ms(4500));

    clock.advanceTo(s(6));
    SipResponse busy = response(options, 486, "b1");
    tx.tell(new ClientTransaction.ResponseArrived(busy));
    expectPassedUp(busy);

    // Completed: no retransmission at 8.5 s, late provisionals and the final absorbed.
    tx.tell(new ClientTransaction.ResponseArrived(trying));
    tx.tell(new ClientTransaction.ResponseArrived(busy));
    clock.quietUntilJustBefore(s(11), transport, user);
    clock.advanceTo(s(11));
    expectTerminated(tx);
  }

  // Transport errors (section 17.1.4), in every state

  @Test
  void aTransportErrorInTryingEndsTheTransaction() {
    ActorRef<ClientTransaction.Command> tx = start(UDP, TimerSettings.DEFAULTS);
    failSend(firstSend, "connection refused");
    expectTransportFailed(tx, "connection refused");
  }

  @Test
  void aTransportErrorInProceedingEndsTheTransaction() {
    ActorRef<ClientTransaction.Command> tx = start(UDP, TimerSettings.DEFAULTS);
    SipResponse trying = response(options, 100, null);
    tx.tell(new ClientTransaction.ResponseArrived(trying));
    expectPassedUp(trying);
    Egress.SendRequest retransmission = expectRequestSentAt(UDP, ms(500)).get(0);
    failSend(retransmission, "port unreachable");
    expectTransportFailed(tx, "port unreachable");
  }

  @Test
  void aTransportErrorInCompletedEndsTheTransaction() {
    ActorRef<ClientTransaction.Command> tx = start(UDP, TimerSettings.DEFAULTS);
    SipResponse ok = response(options, 200, "b1");
    tx.tell(new ClientTransaction.ResponseArrived(ok));
    expectPassedUp(ok);
    failSend(firstSend, "connection lost");
    expectTransportFailed(tx, "connection lost");
  }

  // Settings

  @Test
  void timersEAndFFollowACustomT1AndT2() {
    ActorRef<ClientTransaction.Command> tx = start(UDP, FAST);
    // E: 100, 200, then capped at T2 = 400 ms: 0.1, 0.3, 0.7, 1.1, ..., 6.3 s; F = 6.4 s.
    List<Duration> schedule = new ArrayList<>(List.of(ms(100), ms(300)));
    for (long at = 700; at < 6400; at += 400) {
      schedule.add(ms(at));
    }
    expectRequestSentAt(UDP, schedule.toArray(Duration[]::new));
    expectTimedOutAt(ms(6400), tx);
  }

  @Test
  void timerKFollowsACustomT4() {
    ActorRef<ClientTransaction.Command> tx = start(UDP, FAST);
    SipResponse ok = response(options, 200, "b1");
    tx.tell(new ClientTransaction.ResponseArrived(ok));
    expectPassedUp(ok);
    clock.quietUntilJustBefore(s(1), transport, user);
    clock.advanceTo(s(1));
    expectTerminated(tx);
  }

  private ActorRef<ClientTransaction.Command> start(Peer destination, TimerSettings timers) {
    ActorRef<ClientTransaction.Command> tx =
        testKit.spawn(
            ClientNonInviteTransaction.create(
                options, destination, timers, transport.ref(), user.ref()));
    firstSend = expectSend(transport, destination);
    assertEquals(options, firstSend.request());
    return tx;
  }

  /** Expects the request to be sent again at each of {@code times} and at no time between. */
  private List<Egress.SendRequest> expectRequestSentAt(Peer destination, Duration... times) {
    List<Egress.SendRequest> sends = new ArrayList<>();
    for (Duration at : times) {
      clock.quietUntilJustBefore(at, transport, user);
      clock.advanceTo(at);
      Egress.SendRequest send = expectSend(transport, destination);
      assertEquals(options, send.request(), "send at " + at);
      sends.add(send);
    }
    return sends;
  }

  private void expectTimedOutAt(Duration at, ActorRef<ClientTransaction.Command> tx) {
    clock.quietUntilJustBefore(at, transport, user);
    clock.advanceTo(at);
    user.expectMessage(new TransactionEvent.TimedOut(key, 'F'));
    expectTerminated(tx);
  }

  private void expectPassedUp(SipResponse response) {
    user.expectMessage(new TransactionEvent.ResponseReceived(key, response));
  }

  private void expectTerminated(ActorRef<ClientTransaction.Command> tx) {
    user.expectMessage(new TransactionEvent.Terminated(key));
    user.expectTerminated(tx);
    transport.expectNoMessage(Duration.ZERO);
  }

  private void expectTransportFailed(ActorRef<ClientTransaction.Command> tx, String reason) {
    user.expectMessage(new TransactionEvent.TransportFailed(key, reason));
    expectTerminated(tx);
  }
}
