package io.tandem.transaction;

import static io.tandem.transaction.ServerFixtures.TCP;
import static io.tandem.transaction.ServerFixtures.UDP;
import static io.tandem.transaction.ServerFixtures.expectSent;
import static io.tandem.transaction.ServerFixtures.ms;
import static io.tandem.transaction.ServerFixtures.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transaction.ServerTransaction.RequestArrived;
import io.tandem.transaction.ServerTransaction.Respond;
import io.tandem.transaction.TransactionEvent.RequestReceived;
import io.tandem.transaction.TransactionEvent.Terminated;
import io.tandem.transaction.TransactionEvent.TransportFailed;
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
import org.junit.jupiter.api.AfterEach;
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
  private final List<ActorRef<ServerTransaction.Command>> spawned = new ArrayList<>();

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

  /** Stops what a test left running, so its timers do not fire into later tests. */
  @AfterEach
  void stopLeftovers() {
    spawned.forEach(testKit::stop);
  }

  /** Figure 8, top: "Request received / pass to TU"; the transaction is in Trying. */
  private ActorRef<ServerTransaction.Command> receive(Peer source, TimerSettings timers) {
    ActorRef<ServerTransaction.Command> tx =
        testKit.spawn(
            ServerNonInviteTransaction.create(
                OPTIONS, source, timers, transport.ref(), user.ref()));
    spawned.add(tx);
    assertEquals(new RequestReceived(KEY, OPTIONS, source, tx), user.receiveMessage());
    return tx;
  }

  private ActorRef<ServerTransaction.Command> receive(Peer source) {
    return receive(source, TimerSettings.DEFAULTS);
  }

  private void expectTerminated(ActorRef<ServerTransaction.Command> tx) {
    assertEquals(new Terminated(KEY), user.receiveMessage());
    transport.expectTerminated(tx);
  }

  @Test
  void retransmissionInTryingIsAbsorbed() {
    ActorRef<ServerTransaction.Command> tx = receive(UDP);

    clock.advanceTo(ms(500));
    tx.tell(new RequestArrived(OPTIONS));
    clock.quietUntil(ms(1500), transport, user);
    tx.tell(new RequestArrived(OPTIONS));
    clock.quietUntil(ms(3500), transport, user); // nothing sent, nothing passed up again
  }

  @Test
  void retransmissionInProceedingGetsTheLastProvisional() {
    ActorRef<ServerTransaction.Command> tx = receive(UDP);
    SipResponse trying = response(OPTIONS, 100);
    tx.tell(new Respond(trying)); // Trying, "1xx from TU / send response": Proceeding
    expectSent(transport, UDP, trying);

    clock.advanceTo(ms(500));
    tx.tell(new RequestArrived(OPTIONS)); // Proceeding, "Request / send response"
    expectSent(transport, UDP, trying);

    SipResponse progress = response(OPTIONS, 183);
    tx.tell(new Respond(progress));
    expectSent(transport, UDP, progress);
    tx.tell(new RequestArrived(OPTIONS));
    expectSent(transport, UDP, progress);
    user.expectNoMessage(Duration.ofMillis(30));
  }

  @Test
  void finalOverUdpIsResentOnRetransmissionUntilTimerJ() {
    ActorRef<ServerTransaction.Command> tx = receive(UDP);
    SipResponse ok = response(OPTIONS, 200);
    clock.advanceTo(ms(1000));
    tx.tell(new Respond(ok)); // Trying, "200-699 from TU / send response": Completed
    expectSent(transport, UDP, ok);

    clock.advanceTo(ms(1500));
    tx.tell(new RequestArrived(OPTIONS)); // Completed, "Request / send response"
    expectSent(transport, UDP, ok);
    tx.tell(new Respond(response(OPTIONS, 500))); // after the final: ignored

    // No retransmission of its own; Timer J = 64*T1 from entering Completed.
    clock.quietUntilJustBefore(ms(33_000), transport, user);
    clock.advanceTo(ms(33_000));
    expectTerminated(tx);
  }

  @Test
  void finalFromProceedingOverUdpWaitsTimerJ() {
    ActorRef<ServerTransaction.Command> tx = receive(UDP);
    tx.tell(new Respond(response(OPTIONS, 100)));
    expectSent(transport, UDP);
    SipResponse notFound = response(OPTIONS, 404);
    tx.tell(new Respond(notFound)); // Proceeding, "200-699 from TU / send response"
    expectSent(transport, UDP, notFound);

    tx.tell(new RequestArrived(OPTIONS));
    expectSent(transport, UDP, notFound); // the final now, not the 100
    clock.quietUntilJustBefore(ms(32_000), transport, user);
    clock.advanceTo(ms(32_000));
    expectTerminated(tx);
  }

  @Test
  void finalOverTcpTerminatesAtOnce() {
    ActorRef<ServerTransaction.Command> tx = receive(TCP);
    SipResponse ok = response(OPTIONS, 200);
    tx.tell(new Respond(ok));
    expectSent(transport, TCP, ok);
    expectTerminated(tx); // Timer J = 0 over a reliable transport
  }

  @Test
  void unansweredRequestEndsSilentlyAfterSixtyFourT1() {
    ActorRef<ServerTransaction.Command> tx = receive(UDP);
    tx.tell(new RequestArrived(OPTIONS));

    // The client's Timer F (64*T1) has fired by now: free the transaction, and send no 408
    // (RFC 4320 section 4.2 forbids it for a non-INVITE request).
    clock.quietUntilJustBefore(ms(32_000), transport, user);
    clock.advanceTo(ms(32_000));
    expectTerminated(tx);
    transport.expectNoMessage(ms(50));
  }

  @Test
  void leakGuardAlsoEndsProceeding() {
    ActorRef<ServerTransaction.Command> tx = receive(TCP);
    tx.tell(new Respond(response(OPTIONS, 100)));
    expectSent(transport, TCP);

    clock.quietUntilJustBefore(ms(32_000), transport, user);
    clock.advanceTo(ms(32_000));
    expectTerminated(tx);
    transport.expectNoMessage(ms(50));
  }

  @Test
  void leakGuardIsDisarmedByTheUsersFinal() {
    ActorRef<ServerTransaction.Command> tx = receive(UDP);
    clock.advanceTo(ms(10_000));
    SipResponse ok = response(OPTIONS, 200);
    tx.tell(new Respond(ok));
    expectSent(transport, UDP, ok);

    clock.quietUntilJustBefore(ms(42_000), transport, user); // the guard is disarmed at 32 s
    clock.advanceTo(ms(42_000));
    expectTerminated(tx);
  }

  @Test
  void transportFailureInProceedingIsReportedAndTerminates() {
    ActorRef<ServerTransaction.Command> tx = receive(UDP);
    tx.tell(new Respond(response(OPTIONS, 100)));
    Egress.SendResponse sent = expectSent(transport, UDP);

    sent.replyTo().tell(new Egress.SendFailed(sent.response(), UDP, "no route"));
    assertEquals(new TransportFailed(KEY, "no route"), user.receiveMessage());
    expectTerminated(tx);
  }

  @Test
  void transportFailureInCompletedIsReportedAndTerminates() {
    ActorRef<ServerTransaction.Command> tx = receive(UDP);
    tx.tell(new Respond(response(OPTIONS, 200)));
    expectSent(transport, UDP);
    tx.tell(new RequestArrived(OPTIONS));
    Egress.SendResponse resent = expectSent(transport, UDP);

    resent.replyTo().tell(new Egress.SendFailed(resent.response(), UDP, "ICMP port unreachable"));
    assertEquals(new TransportFailed(KEY, "ICMP port unreachable"), user.receiveMessage());
    expectTerminated(tx);
  }

  @Test
  void smallT1ShortensTimerJAndTheLeakGuard() {
    TimerSettings fast =
        new TimerSettings(ms(100), ms(400), ms(1000), Duration.ofSeconds(32), ms(50));
    ActorRef<ServerTransaction.Command> answered = receive(UDP, fast);
    answered.tell(new Respond(response(OPTIONS, 200)));
    expectSent(transport, UDP);
    clock.quietUntilJustBefore(ms(6400), transport, user); // J = 64*T1
    clock.advanceTo(ms(6400));
    expectTerminated(answered);

    ActorRef<ServerTransaction.Command> unanswered = receive(UDP, fast);
    clock.quietUntilJustBefore(ms(12_800), transport, user); // leak guard = 64*T1
    clock.advanceTo(ms(12_800));
    expectTerminated(unanswered);
  }
}
