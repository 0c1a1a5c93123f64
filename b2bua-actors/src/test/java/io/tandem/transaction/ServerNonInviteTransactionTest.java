package io.tandem.transaction;

import static io.tandem.transaction.ServerFixtures.TCP;
import static io.tandem.transaction.ServerFixtures.UDP;
import static io.tandem.transaction.ServerFixtures.expectSent;
import static io.tandem.transaction.ServerFixtures.ms;
import static io.tandem.transaction.ServerFixtures.response;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transaction.TransactionEvent.RequestReceived;
import io.tandem.transaction.TransactionEvent.TransportFailed;
import io.tandem.transport.Egress;
import io.tandem.transport.Inbound;
import io.tandem.transport.Peer;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The non-INVITE server transaction against RFC 3261 figure 8 (section 17.2.2), plus the leak
 * guard that ends the transaction when the user never answers. Times are virtual, from the arrival of the
 * request (T1 = 500 ms, so 64*T1 = 32 s).
 */
class ServerNonInviteTransactionTest {
  private static final ActorTestKit testKit = ServerFixtures.testKit();
  private static final ManualTime manualTime = ManualTime.get(testKit.system());
  private static final SipRequest OPTIONS = ServerFixtures.options();
  private static final TransactionKey KEY = TransactionKey.server(OPTIONS);

  private TestProbe<Egress.Command> transport;
  private TestProbe<TransactionEvent> user;
  private ServerFixtures.Clock clock;
  private TransactionLayer layer;
  private Peer source;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void probes() {
    transport = testKit.createTestProbe();
    user = testKit.createTestProbe();
    clock = new ServerFixtures.Clock(manualTime);
  }

  /**
   * Figure 8, top: "Request received / pass to TU"; the transaction is in Trying. The layer
   * holds it; the user probe is the layer's core.
   */
  private ServerTransaction receive(Peer from, TimerSettings timers) {
    layer = new TransactionLayer(testKit.system(), timers, transport.ref(), user.ref());
    source = from;
    layer.receive(new Inbound(OPTIONS, from));
    RequestReceived received = (RequestReceived) user.receiveMessage();
    assertEquals(new RequestReceived(KEY, OPTIONS, from, received.transaction()), received);
    expectAlive();
    return received.transaction();
  }

  private ServerTransaction receive(Peer from) {
    return receive(from, TimerSettings.DEFAULTS);
  }

  /** A request the transport hands up again from the same source: the layer matches it. */
  private void arrive(SipRequest request) {
    layer.receive(new Inbound(request, source));
  }

  private void expectAlive() {
    assertEquals(1, layer.counts().server(), "the transaction is in the layer");
  }

  /** Terminated: the transaction has left the layer's index. */
  private void expectTerminated(ServerTransaction tx) {
    assertEquals(0, layer.counts().server(), tx + " still in the layer");
  }

  @Test
  void retransmissionInTryingIsAbsorbed() {
    ServerTransaction tx = receive(UDP);

    clock.advanceTo(ms(500));
    arrive(OPTIONS);
    clock.quietUntil(ms(1500), transport, user);
    arrive(OPTIONS);
    clock.quietUntil(ms(3500), transport, user); // nothing sent, nothing passed up again
  }

  @Test
  void retransmissionInProceedingGetsTheLastProvisional() {
    ServerTransaction tx = receive(UDP);
    SipResponse trying = response(OPTIONS, 100);
    tx.respond(trying); // Trying, "1xx from TU / send response": Proceeding
    expectSent(transport, UDP, trying);

    clock.advanceTo(ms(500));
    arrive(OPTIONS); // Proceeding, "Request / send response"
    expectSent(transport, UDP, trying);

    SipResponse progress = response(OPTIONS, 183);
    tx.respond(progress);
    expectSent(transport, UDP, progress);
    arrive(OPTIONS);
    expectSent(transport, UDP, progress);
    user.expectNoMessage(Duration.ofMillis(30));
  }

  @Test
  void finalOverUdpIsResentOnRetransmissionUntilTimerJ() {
    ServerTransaction tx = receive(UDP);
    SipResponse ok = response(OPTIONS, 200);
    clock.advanceTo(ms(1000));
    tx.respond(ok); // Trying, "200-699 from TU / send response": Completed
    expectSent(transport, UDP, ok);

    clock.advanceTo(ms(1500));
    arrive(OPTIONS); // Completed, "Request / send response"
    expectSent(transport, UDP, ok);
    tx.respond(response(OPTIONS, 500)); // after the final: ignored

    // No retransmission of its own; Timer J = 64*T1 from entering Completed.
    clock.quietUntilJustBefore(ms(33_000), transport, user);
    expectAlive();
    clock.advanceTo(ms(33_000));
    expectTerminated(tx);
  }

  @Test
  void finalFromProceedingOverUdpWaitsTimerJ() {
    ServerTransaction tx = receive(UDP);
    tx.respond(response(OPTIONS, 100));
    expectSent(transport, UDP);
    SipResponse notFound = response(OPTIONS, 404);
    tx.respond(notFound); // Proceeding, "200-699 from TU / send response"
    expectSent(transport, UDP, notFound);

    arrive(OPTIONS);
    expectSent(transport, UDP, notFound); // the final now, not the 100
    clock.quietUntilJustBefore(ms(32_000), transport, user);
    expectAlive();
    clock.advanceTo(ms(32_000));
    expectTerminated(tx);
  }

  @Test
  void finalOverTcpTerminatesAtOnce() {
    ServerTransaction tx = receive(TCP);
    SipResponse ok = response(OPTIONS, 200);
    tx.respond(ok);
    expectSent(transport, TCP, ok);
    expectTerminated(tx); // Timer J = 0 over a reliable transport
  }

  @Test
  void unansweredRequestEndsSilentlyAfterSixtyFourT1() {
    ServerTransaction tx = receive(UDP);
    arrive(OPTIONS);

    // The client's Timer F (64*T1) has fired by now: free the transaction, and send no 408
    // (RFC 4320 section 4.2 forbids it for a non-INVITE request).
    clock.quietUntilJustBefore(ms(32_000), transport, user);
    expectAlive();
    clock.advanceTo(ms(32_000));
    expectTerminated(tx);
    transport.expectNoMessage(ms(50));
  }

  @Test
  void leakGuardAlsoEndsProceeding() {
    ServerTransaction tx = receive(TCP);
    tx.respond(response(OPTIONS, 100));
    expectSent(transport, TCP);

    clock.quietUntilJustBefore(ms(32_000), transport, user);
    expectAlive();
    clock.advanceTo(ms(32_000));
    expectTerminated(tx);
    transport.expectNoMessage(ms(50));
  }

  @Test
  void leakGuardIsDisarmedByTheUsersFinal() {
    ServerTransaction tx = receive(UDP);
    clock.advanceTo(ms(10_000));
    SipResponse ok = response(OPTIONS, 200);
    tx.respond(ok);
    expectSent(transport, UDP, ok);

    clock.quietUntilJustBefore(ms(42_000), transport, user); // the guard is disarmed at 32 s
    expectAlive();
    clock.advanceTo(ms(42_000));
    expectTerminated(tx);
  }

  @Test
  void transportFailureInProceedingIsReportedAndTerminates() {
    ServerTransaction tx = receive(UDP);
    tx.respond(response(OPTIONS, 100));
    Egress.SendResponse sent = expectSent(transport, UDP);

    sent.replyTo().tell(new Egress.SendFailed(sent.response(), UDP, "no route"));
    assertEquals(new TransportFailed(KEY, "no route"), user.receiveMessage());
    expectTerminated(tx);
  }

  @Test
  void transportFailureInCompletedIsReportedAndTerminates() {
    ServerTransaction tx = receive(UDP);
    tx.respond(response(OPTIONS, 200));
    expectSent(transport, UDP);
    arrive(OPTIONS);
    Egress.SendResponse resent = expectSent(transport, UDP);

    resent.replyTo().tell(new Egress.SendFailed(resent.response(), UDP, "ICMP port unreachable"));
    assertEquals(new TransportFailed(KEY, "ICMP port unreachable"), user.receiveMessage());
    expectTerminated(tx);
  }

  @Test
  void smallT1ShortensTimerJAndTheLeakGuard() {
    TimerSettings fast =
        new TimerSettings(ms(100), ms(400), ms(1000), Duration.ofSeconds(32), ms(50));
    ServerTransaction answered = receive(UDP, fast);
    answered.respond(response(OPTIONS, 200));
    expectSent(transport, UDP);
    clock.quietUntilJustBefore(ms(6400), transport, user); // J = 64*T1
    expectAlive();
    clock.advanceTo(ms(6400));
    expectTerminated(answered);

    ServerTransaction unanswered = receive(UDP, fast);
    clock.quietUntilJustBefore(ms(12_800), transport, user); // leak guard = 64*T1
    expectAlive();
    clock.advanceTo(ms(12_800));
    expectTerminated(unanswered);
  }
}
