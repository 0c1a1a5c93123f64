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
import io.tandem.transport.Inbound;
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
 *   Completed:  responses absorbed                       K fires -> gone
 *   Trying, Proceeding: transport error -> TransportFailed, Terminated
 * </pre>
 *
 * The actor does Trying and Proceeding and stops at the final ({@code Terminated} to the
 * user); Completed is a record in the {@link TransactionLayer}, which the test reaches as the
 * transport does. Times are from the request's first send, T1 = 500 ms, T2 = 4 s, T4 = 5 s unless a test says
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
  /** The layer's core: what matches no transaction (a response after the record expired). */
  private final TestProbe<TransactionEvent> core = testKit.createTestProbe();
  private TransactionLayer layer;
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
    arrive(ok);
    expectPassedUp(ok);
    expectTerminated(tx); // the actor's work is done; Completed is a record

    // E and F are off: no retransmission; the final's retransmission is not passed up.
    clock.quietFor(s(1), transport, user);
    arrive(ok);
    expectRecordUntil(s(5), ok);
  }

  @Test
  void overTcpAFinalEndsTheTransactionAtOnceAsTimerKIsZero() {
    ActorRef<ClientTransaction.Command> tx = start(TCP, TimerSettings.DEFAULTS);
    SipResponse notFound = response(options, 404, "b1");
    arrive(notFound);
    expectPassedUp(notFound);
    expectTerminated(tx);
    assertEquals(0, layer.counts().total(), "no record over a reliable transport");
  }

  // Proceeding

  @Test
  void aProvisionalEntersProceedingWhereTimerERetransmitsEveryT2UntilTimerF() {
    ActorRef<ClientTransaction.Command> tx = start(UDP, TimerSettings.DEFAULTS);
    expectRequestSentAt(UDP, ms(500));

    clock.advanceTo(ms(600));
    SipResponse trying = response(options, 100, null);
    arrive(trying);
    expectPassedUp(trying);

    // E, started in Trying for 1 s, fires at 1.5 s; from then on every T2 (Trying would have
    // sent at 3.5 and 7.5 s).
    expectRequestSentAt(
        UDP, ms(1500), ms(5500), ms(9500), ms(13500), ms(17500), ms(21500), ms(25500),
        ms(29500));

    // Every provisional is passed up.
    SipResponse again = response(options, 100, null);
    arrive(again);
    expectPassedUp(again);

    expectTimedOutAt(s(32), tx);
  }

  @Test
  void aFinalInProceedingIsPassedUpAndTimerKRunsFromThere() {
    ActorRef<ClientTransaction.Command> tx = start(UDP, TimerSettings.DEFAULTS);
    SipResponse trying = response(options, 100, null);
    arrive(trying);
    expectPassedUp(trying);
    expectRequestSentAt(UDP, ms(500), ms(4500));

    clock.advanceTo(s(6));
    SipResponse busy = response(options, 486, "b1");
    arrive(busy);
    expectPassedUp(busy);
    expectTerminated(tx);

    // Completed: no retransmission at 8.5 s, late provisionals and the final absorbed.
    arrive(trying);
    arrive(busy);
    expectRecordUntil(s(11), busy);
  }

  // Transport errors (section 17.1.4), while the actor has work

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
    arrive(trying);
    expectPassedUp(trying);
    Egress.SendRequest retransmission = expectRequestSentAt(UDP, ms(500)).get(0);
    failSend(retransmission, "port unreachable");
    expectTransportFailed(tx, "port unreachable");
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
    arrive(ok);
    expectPassedUp(ok);
    expectTerminated(tx);
    expectRecordUntil(s(1), ok);
  }

  private ActorRef<ClientTransaction.Command> start(Peer destination, TimerSettings timers) {
    layer = new TransactionLayer(testKit.system(), timers, transport.ref(), core.ref());
    ActorRef<ClientTransaction.Command> tx =
        testKit.spawn(ClientNonInviteTransaction.create(options, destination, layer, user.ref()));
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
    assertEquals(0, layer.counts().total());
  }

  /** A response from the peer, as the transport hands it to the layer. */
  private void arrive(SipResponse response) {
    layer.receive(new Inbound(response, UDP));
  }

  /**
   * The record lingers until {@code at} exactly: then a response matches nothing and goes to
   * the core.
   */
  private void expectRecordUntil(Duration at, SipResponse late) {
    clock.quietUntilJustBefore(at, transport, user);
    assertEquals(1, layer.counts().clientRecords(), "the record lingers");
    clock.advanceTo(at);
    assertEquals(0, layer.counts().total(), "nothing is left");
    arrive(late);
    assertEquals(late, core.expectMessageClass(TransactionEvent.StrayResponseReceived.class).response());
  }
}
