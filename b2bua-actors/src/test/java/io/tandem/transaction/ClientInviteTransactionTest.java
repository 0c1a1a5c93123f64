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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transport.Egress;
import io.tandem.transport.Inbound;
import io.tandem.transport.Peer;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The INVITE client transaction, transition by transition, as drawn in figure 5 of RFC 3261
 * (section 17.1.1.2) and as RFC 6026 section 8.4 amends it with the Accepted state:
 *
 * <pre>
 *   Calling:    A fires -> retransmit, A doubles     B fires -> TimedOut 'B', Terminated
 *               1xx -> Proceeding    2xx -> Accepted    300-699 -> ACK, Completed
 *   Proceeding: 1xx -> pass up       2xx -> Accepted    300-699 -> ACK, Completed
 *   Accepted:   2xx -> pass up       other -> discard   M fires -> gone
 *   Completed:  300-699 -> resend ACK                   D fires -> gone
 *   Calling, Proceeding: transport error -> TransportFailed, Terminated
 *   Adopted (another node sent the INVITE): any response -> as in Calling;
 *               nothing within two T2s -> the INVITE, Calling
 * </pre>
 *
 * The actor does Calling and Proceeding and stops at the final ({@code Terminated} to the
 * user); Accepted and Completed are records in the {@link TransactionLayer}, which the test
 * reaches as the transport does. Times are from the INVITE's first send, T1 = 500 ms unless a
 * test says otherwise.
 */
class ClientInviteTransactionTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load("application-test")));
  private static final ManualTime manualTime = ManualTime.get(testKit.system());
  /** T1 = 100 ms, T2 = 400 ms, T4 = 1 s, D = 2 s. */
  private static final TimerSettings FAST =
      new TimerSettings(ms(100), ms(400), ms(1000), ms(2000), ms(200));

  private final TestProbe<Egress.Command> transport = testKit.createTestProbe();
  private final TestProbe<TransactionEvent> user = testKit.createTestProbe();
  /** The layer's core: what matches no transaction (a response after the record expired). */
  private final TestProbe<TransactionEvent> core = testKit.createTestProbe();
  private TransactionLayer layer;
  private final ClientFixtures.Clock clock = new ClientFixtures.Clock(manualTime);
  private final SipRequest invite = request(Method.INVITE, "-invite");
  private final TransactionKey key = TransactionKey.client(invite);
  /** The INVITE's first send, whose replyTo a test uses to report a transport error. */
  private Egress.SendRequest firstSend;

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  // Calling

  @Test
  void overUdpTimerARetransmitsTheInviteDoublingUncappedUntilTimerBFiresAt64T1() {
    ActorRef<ClientTransaction.Command> tx = start(UDP, TimerSettings.DEFAULTS);
    // A: 0.5, 1, 2, 4, 8, 16 s; the next would be at 63.5 s, after B. T2 does not cap A.
    expectInviteSentAt(UDP, ms(500), ms(1500), ms(3500), ms(7500), ms(15500), ms(31500));
    expectTimedOutAt(s(32), tx);
    transport.expectNoMessage(Duration.ZERO);
  }

  @Test
  void overTcpTheInviteIsSentOnceAndTimerBStillFires() {
    ActorRef<ClientTransaction.Command> tx = start(TCP, TimerSettings.DEFAULTS);
    expectTimedOutAt(s(32), tx);
  }

  @Test
  void aProvisionalInCallingStopsTimersAAndBAndEntersProceeding() {
    ActorRef<ClientTransaction.Command> tx = start(UDP, TimerSettings.DEFAULTS);
    expectInviteSentAt(UDP, ms(500));

    SipResponse trying = response(invite, 100, null);
    arrive(trying);
    expectPassedUp(trying);
    // Proceeding has no timer: no retransmission, no timeout; the TU would CANCEL.
    clock.quietFor(s(60), transport, user);

    // 17.1.1.2: in Proceeding every provisional goes up, a retransmitted one too.
    SipResponse ringing = response(invite, 180, "b1");
    arrive(ringing);
    arrive(ringing);
    expectPassedUp(ringing);
    expectPassedUp(ringing);
    testKit.stop(tx);
  }

  // Adopted: the INVITE of a ringing call brought back, which a node that is gone sent

  @Test
  void anAdoptedInviteIsNotSentAgainWhenTheCarriersAnswerComesWithinTwoT2s() {
    ActorRef<ClientTransaction.Command> tx = adopt(TimerSettings.DEFAULTS);
    clock.quietUntilJustBefore(s(7), transport, user); // one of its retransmissions lost in the move
    clock.advanceTo(s(7));
    SipResponse ok = response(invite, 200, "b1"); // the carrier's 2xx again, from its own timer
    arrive(ok);
    expectPassedUp(ok);
    expectTerminated(tx);
    clock.quietFor(s(10), transport, user); // no INVITE after the carrier's 2xx
  }

  @Test
  void anAdoptedInviteGoesAgainAfterTwoT2sWithNoResponseThenAsTimerAWants() {
    ActorRef<ClientTransaction.Command> tx = adopt(TimerSettings.DEFAULTS);
    // Two T2s = 8 s of silence, then the INVITE, then A from T1 doubling; B from the adoption.
    expectInviteSentAt(UDP, s(8), ms(8500), ms(9500), ms(11500), ms(15500), ms(23500));
    expectTimedOutAt(s(32), tx);
    transport.expectNoMessage(Duration.ZERO);
  }

  // Accepted (RFC 6026 section 8.4)

  @Test
  void a2xxInCallingIsPassedUpAndEntersAcceptedWhereEvery2xxGoesUpUntilTimerM() {
    ActorRef<ClientTransaction.Command> tx = start(UDP, TimerSettings.DEFAULTS);
    SipResponse ok = response(invite, 200, "b1");
    arrive(ok);
    expectPassedUp(ok);
    expectTerminated(tx); // the actor's work is done; Accepted is a record

    // Retransmissions of the 2xx and 2xx from other forks go to the TU, which ACKs them; the
    // transaction sends no ACK for a 2xx and no more INVITEs.
    clock.quietFor(s(5), transport, user);
    SipResponse fork = response(invite, 200, "b2");
    arrive(ok);
    arrive(fork);
    expectPassedUp(ok);
    expectPassedUp(fork);

    // Anything but a 2xx is discarded in Accepted.
    arrive(response(invite, 486, "b3"));
    arrive(response(invite, 180, "b1"));

    expectRecordUntil(s(32), ok);
  }

  @Test
  void a2xxInProceedingEntersAcceptedAndTimerMRunsFromThere() {
    ActorRef<ClientTransaction.Command> tx = start(UDP, TimerSettings.DEFAULTS);
    SipResponse ringing = response(invite, 180, "b1");
    arrive(ringing);
    expectPassedUp(ringing);

    clock.quietFor(s(10), transport, user);
    SipResponse ok = response(invite, 200, "b1");
    arrive(ok);
    expectPassedUp(ok);
    expectTerminated(tx);

    expectRecordUntil(s(42), ok);
  }

  @Test
  void overTcpAcceptedStillLastsTimerM() {
    ActorRef<ClientTransaction.Command> tx = start(TCP, TimerSettings.DEFAULTS);
    SipResponse ok = response(invite, 200, "b1");
    arrive(ok);
    expectPassedUp(ok);
    expectTerminated(tx);

    clock.quietUntilJustBefore(s(32), transport, user);
    arrive(ok);
    expectPassedUp(ok);
    expectRecordUntil(s(32), ok);
  }

  // Completed

  @Test
  void aFailureIsAcknowledgedAsSection17113Says() {
    ActorRef<ClientTransaction.Command> tx = start(UDP, TimerSettings.DEFAULTS);
    SipResponse busy = response(invite, 486, "b1");
    arrive(busy);

    Egress.SendRequest sent = expectSend(transport, UDP);
    SipRequest ack = sent.request();
    assertEquals(Method.ACK, ack.method());
    assertEquals(invite.requestUri(), ack.requestUri());
    assertEquals(invite.callId(), ack.callId());
    assertEquals(invite.from(), ack.from());
    assertEquals(busy.to(), ack.to());
    assertEquals("b1", ack.toTag().orElseThrow());
    assertEquals(new CSeq(invite.cseq().sequence(), Method.ACK), ack.cseq());
    assertEquals(List.of(invite.topVia()), ack.vias());
    assertEquals(invite.routes(), ack.routes());
    assertEquals(2, ack.routes().size());
    assertEquals(70, ack.maxForwards().getAsInt());
    assertEquals(0, ack.bodyLength());
    assertFalse(ack.headers().contains(HeaderName.CONTENT_TYPE));
    // The ACK belongs to the INVITE's transaction: same branch.
    assertEquals(key.id(), TransactionKey.client(ack).id());

    expectPassedUp(busy);
    expectTerminated(tx);
  }

  @Test
  void overUdpCompletedResendsTheAckForARetransmittedFailureAndEndsAfterTimerD() {
    ActorRef<ClientTransaction.Command> tx = start(UDP, TimerSettings.DEFAULTS);
    SipResponse busy = response(invite, 486, "b1");
    arrive(busy);
    SipRequest ack = expectSend(transport, UDP).request();
    expectPassedUp(busy);
    expectTerminated(tx);

    // The peer did not get the ACK and retransmits: the ACK goes again, the TU hears nothing.
    clock.quietFor(s(4), transport, user);
    arrive(busy);
    assertEquals(ack, expectSend(transport, UDP).request());

    // No INVITE retransmission in Completed, and D = 32 s.
    expectRecordUntil(s(32), busy);
  }

  @Test
  void overTcpAFailureEndsTheTransactionAtOnceAsTimerDIsZero() {
    ActorRef<ClientTransaction.Command> tx = start(TCP, TimerSettings.DEFAULTS);
    SipResponse busy = response(invite, 486, "b1");
    arrive(busy);
    assertEquals(Method.ACK, expectSend(transport, TCP).request().method());
    expectPassedUp(busy);
    expectTerminated(tx);
    assertEquals(0, layer.counts().total(), "no record over a reliable transport");
  }

  @Test
  void aFailureInProceedingIsAcknowledgedWithItsOwnToTagAndEntersCompleted() {
    ActorRef<ClientTransaction.Command> tx = start(UDP, TimerSettings.DEFAULTS);
    SipResponse ringing = response(invite, 180, "b1");
    arrive(ringing);
    expectPassedUp(ringing);

    clock.quietFor(s(20), transport, user);
    SipResponse unavailable = response(invite, 503, "b2");
    arrive(unavailable);
    SipRequest ack = expectSend(transport, UDP).request();
    assertEquals("b2", ack.toTag().orElseThrow());
    expectPassedUp(unavailable);
    expectTerminated(tx);

    // Completed passes nothing up, not even a late provisional or 2xx.
    arrive(ringing);
    arrive(response(invite, 200, "b1"));
    expectRecordUntil(s(52), unavailable);
  }

  // Transport errors (section 17.1.4), while the actor has work

  @Test
  void aTransportErrorInCallingEndsTheTransaction() {
    ActorRef<ClientTransaction.Command> tx = start(UDP, TimerSettings.DEFAULTS);
    failSend(firstSend, "connection refused");
    expectTransportFailed(tx, "connection refused");
    assertEquals(0, layer.counts().total());
  }

  @Test
  void aTransportErrorInProceedingEndsTheTransaction() {
    ActorRef<ClientTransaction.Command> tx = start(TCP, TimerSettings.DEFAULTS);
    SipResponse ringing = response(invite, 180, "b1");
    arrive(ringing);
    expectPassedUp(ringing);
    failSend(firstSend, "connection lost");
    expectTransportFailed(tx, "connection lost");
    assertEquals(0, layer.counts().total());
  }

  @Test
  void anOwnerThatStopsTakesItsLiveTransactionOutOfTheLayer() {
    ActorRef<ClientTransaction.Command> tx = start(UDP, TimerSettings.DEFAULTS);
    testKit.stop(tx);
    user.expectTerminated(tx);
    assertEquals(0, layer.counts().total());
    SipResponse late = response(invite, 180, "b1");
    arrive(late);
    assertEquals(late, core.expectMessageClass(TransactionEvent.StrayResponseReceived.class).response());
  }

  // Settings

  @Test
  void timersAAndBFollowACustomT1() {
    ActorRef<ClientTransaction.Command> tx = start(UDP, FAST);
    // A from T1 = 100 ms, doubling past T2 = 400 ms; B = 64 * 100 ms = 6.4 s.
    expectInviteSentAt(UDP, ms(100), ms(300), ms(700), ms(1500), ms(3100), ms(6300));
    expectTimedOutAt(ms(6400), tx);
  }

  @Test
  void timerMFollowsACustomT1() {
    ActorRef<ClientTransaction.Command> tx = start(UDP, FAST);
    SipResponse ok = response(invite, 200, "b1");
    arrive(ok);
    expectPassedUp(ok);
    expectTerminated(tx);
    expectRecordUntil(ms(6400), ok);
  }

  @Test
  void timerDFollowsItsSetting() {
    ActorRef<ClientTransaction.Command> tx = start(UDP, FAST);
    SipResponse busy = response(invite, 486, "b1");
    arrive(busy);
    expectSend(transport, UDP);
    expectPassedUp(busy);
    expectTerminated(tx);
    expectRecordUntil(s(2), busy);
  }

  private ActorRef<ClientTransaction.Command> start(Peer destination, TimerSettings timers) {
    layer = new TransactionLayer(testKit.system(), timers, transport.ref(), core.ref());
    ActorRef<ClientTransaction.Command> tx =
        testKit.spawn(ClientInviteTransaction.create(invite, destination, layer, user.ref()));
    firstSend = expectSend(transport, destination);
    assertEquals(invite, firstSend.request());
    return tx;
  }

  /** A transaction that adopts {@link #invite} (sent by another node): nothing is sent at once. */
  private ActorRef<ClientTransaction.Command> adopt(TimerSettings timers) {
    layer = new TransactionLayer(testKit.system(), timers, transport.ref(), core.ref());
    ActorRef<ClientTransaction.Command> tx =
        testKit.spawn(ClientInviteTransaction.adopt(invite, UDP, layer, user.ref()));
    assertTrue(layer.register(key, tx), "the layer registers it as it spawns it (adoptClientInvite)");
    transport.expectNoMessage(Duration.ofMillis(50));
    return tx;
  }

  /** Expects the INVITE to be sent again at each of {@code times} and at no time between. */
  private void expectInviteSentAt(Peer destination, Duration... times) {
    for (Duration at : times) {
      clock.quietUntilJustBefore(at, transport, user);
      clock.advanceTo(at);
      assertEquals(invite, expectSend(transport, destination).request(), "send at " + at);
    }
  }

  private void expectTimedOutAt(Duration at, ActorRef<ClientTransaction.Command> tx) {
    clock.quietUntilJustBefore(at, transport, user);
    clock.advanceTo(at);
    user.expectMessage(new TransactionEvent.TimedOut(key, 'B'));
    expectTerminated(tx);
  }

  private void expectPassedUp(SipResponse response) {
    user.expectMessage(new TransactionEvent.ResponseReceived(key, response));
  }

  private void expectTerminated(ActorRef<ClientTransaction.Command> tx) {
    user.expectMessage(new TransactionEvent.Terminated(key));
    user.expectTerminated(tx);
  }

  /** A response from the peer, as the transport hands it to the layer. */
  private void arrive(SipResponse response) {
    layer.receive(new Inbound(response, UDP));
  }

  /**
   * The actor is gone and the record lingers until {@code at} exactly: then a response matches
   * nothing and goes to the core.
   */
  private void expectRecordUntil(Duration at, SipResponse late) {
    clock.quietUntilJustBefore(at, transport, user);
    assertEquals(1, layer.counts().clientRecords(), "the record lingers");
    clock.advanceTo(at);
    assertEquals(0, layer.counts().total(), "nothing is left");
    arrive(late);
    assertEquals(late, core.expectMessageClass(TransactionEvent.StrayResponseReceived.class).response());
  }

  private void expectTransportFailed(ActorRef<ClientTransaction.Command> tx, String reason) {
    user.expectMessage(new TransactionEvent.TransportFailed(key, reason));
    expectTerminated(tx);
  }
}
