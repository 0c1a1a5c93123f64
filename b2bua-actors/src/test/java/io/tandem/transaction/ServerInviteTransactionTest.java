package io.tandem.transaction;

import static io.tandem.transaction.ServerFixtures.TCP;
import static io.tandem.transaction.ServerFixtures.UDP;
import static io.tandem.transaction.ServerFixtures.ackFor;
import static io.tandem.transaction.ServerFixtures.ackFor2xx;
import static io.tandem.transaction.ServerFixtures.expectSent;
import static io.tandem.transaction.ServerFixtures.ms;
import static io.tandem.transaction.ServerFixtures.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transaction.TransactionEvent.AckReceived;
import io.tandem.transaction.TransactionEvent.RequestReceived;
import io.tandem.transaction.TransactionEvent.TimedOut;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The INVITE server transaction against RFC 3261 figure 7 (section 17.2.1) and the Accepted
 * state of RFC 6026 section 7.1. A probe stands in for the transport, another for the user;
 * times are virtual, from the arrival of the INVITE (T1 = 500 ms, T2 = 4 s, T4 = 5 s).
 */
class ServerInviteTransactionTest {
  private static final ActorTestKit testKit = ServerFixtures.testKit();
  private static final ManualTime manualTime = ManualTime.get(testKit.system());
  private static final SipRequest INVITE = ServerFixtures.invite();
  private static final TransactionKey KEY = TransactionKey.server(INVITE);

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
   * Figure 7, top: INVITE received, "pass INV to TU"; the transaction is in Proceeding. The
   * layer holds it; the user probe is the layer's core.
   */
  private ServerTransaction receiveInvite(Peer from, TimerSettings timers) {
    layer = new TransactionLayer(testKit.system(), timers, transport.ref(), user.ref());
    source = from;
    layer.receive(new Inbound(INVITE, from));
    RequestReceived received = (RequestReceived) user.receiveMessage();
    assertEquals(new RequestReceived(KEY, INVITE, from, received.transaction()), received);
    assertEquals(1, layer.counts().server());
    return received.transaction();
  }

  private ServerTransaction receiveInvite(Peer from) {
    return receiveInvite(from, TimerSettings.DEFAULTS);
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
  void silentUserGets100TryingFromTheTransactionAfter200Ms() {
    receiveInvite(UDP);

    clock.quietUntilJustBefore(ms(200), transport, user);
    clock.advanceTo(ms(200));
    SipResponse trying = expectSent(transport, UDP).response();
    assertEquals(100, trying.statusCode());
    assertTrue(trying.toTag().isEmpty(), "100 Trying carries no To tag (section 8.2.6.2)");
    assertEquals(INVITE.callId(), trying.callId());

    clock.quietUntil(Duration.ofMinutes(5), transport, user); // Proceeding has no timer of its own
  }

  @Test
  void userRingingWithin200MsSuppresses100Trying() {
    ServerTransaction tx = receiveInvite(UDP);
    SipResponse ringing = response(INVITE, 180);

    clock.advanceTo(ms(150));
    tx.respond(ringing);
    expectSent(transport, UDP, ringing);

    clock.quietUntil(Duration.ofSeconds(10), transport, user);
  }

  @Test
  void retransmittedInviteGetsTheLastProvisional() {
    ServerTransaction tx = receiveInvite(UDP);
    SipResponse ringing = response(INVITE, 180);
    SipResponse progress = response(INVITE, 183);
    tx.respond(ringing);
    expectSent(transport, UDP, ringing);
    tx.respond(progress);
    expectSent(transport, UDP, progress);

    clock.advanceTo(ms(500));
    arrive(INVITE);
    expectSent(transport, UDP, progress);
    user.expectNoMessage(Duration.ofMillis(30)); // "INVITE / send response": not passed up again
  }

  @Test
  void retransmittedInviteBefore200MsGets100TryingOnce() {
    ServerTransaction tx = receiveInvite(UDP);

    clock.advanceTo(ms(100));
    arrive(INVITE);
    SipResponse trying = expectSent(transport, UDP).response();
    assertEquals(100, trying.statusCode());

    clock.quietUntil(ms(250), transport, user); // the 200 ms timer sends no second 100
    arrive(INVITE);
    expectSent(transport, UDP, trying);
  }

  @Test
  void rejectionOverUdpIsRetransmittedByTimerGUntilTimerH() {
    ServerTransaction tx = receiveInvite(UDP);
    SipResponse busy = response(INVITE, 486);
    tx.respond(busy);
    expectSent(transport, UDP, busy);

    // Figure 7, Completed: "Timer G fires / send response", G doubling up to T2 = 4 s.
    for (long at : new long[] {500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500}) {
      clock.quietUntilJustBefore(ms(at), transport, user);
      clock.advanceTo(ms(at));
      expectSent(transport, UDP, busy);
    }

    // "Timer H fires / -": 64*T1 = 32 s without an ACK; the TU hears of the failure.
    clock.quietUntilJustBefore(ms(32_000), transport, user);
    expectAlive();
    clock.advanceTo(ms(32_000));
    assertEquals(new TimedOut(KEY, 'H'), user.receiveMessage());
    expectTerminated(tx);
    transport.expectNoMessage(Duration.ofMillis(30));
  }

  @Test
  void rejectionOverTcpIsNotRetransmittedButTimerHStillFires() {
    ServerTransaction tx = receiveInvite(TCP);
    SipResponse busy = response(INVITE, 486);
    tx.respond(busy);
    expectSent(transport, TCP, busy);

    clock.quietUntilJustBefore(ms(32_000), transport, user);
    expectAlive();
    clock.advanceTo(ms(32_000));
    assertEquals(new TimedOut(KEY, 'H'), user.receiveMessage());
    expectTerminated(tx);
  }

  @Test
  void retransmittedInviteInCompletedGetsTheFinalAgain() {
    ServerTransaction tx = receiveInvite(UDP);
    SipResponse busy = response(INVITE, 486);
    tx.respond(busy);
    expectSent(transport, UDP, busy);

    clock.advanceTo(ms(200));
    arrive(INVITE);
    expectSent(transport, UDP, busy);
    user.expectNoMessage(Duration.ofMillis(30));

    tx.respond(response(INVITE, 200)); // after the final: ignored
    clock.quietUntilJustBefore(ms(500), transport, user);
    clock.advanceTo(ms(500));
    expectSent(transport, UDP, busy); // Timer G kept its schedule
  }

  @Test
  void ackOverUdpStopsTimerGAndConfirmedLastsTimerI() {
    ServerTransaction tx = receiveInvite(UDP);
    SipResponse busy = response(INVITE, 486);
    tx.respond(busy);
    expectSent(transport, UDP, busy);
    clock.advanceTo(ms(500));
    expectSent(transport, UDP, busy);

    // Completed, "ACK / -": Confirmed; Timer I = T4 = 5 s absorbs ACK retransmissions.
    clock.advanceTo(ms(600));
    arrive(ackFor(busy));
    clock.quietUntil(ms(2000), transport, user);
    arrive(ackFor(busy));
    arrive(INVITE);
    tx.respond(response(INVITE, 500));
    clock.quietUntilJustBefore(ms(5600), transport, user);

    clock.advanceTo(ms(5600));
    expectTerminated(tx); // no TimedOut: Timer H was stopped with G
  }

  @Test
  void ackOverTcpTerminatesAtOnce() {
    ServerTransaction tx = receiveInvite(TCP);
    SipResponse busy = response(INVITE, 486);
    tx.respond(busy);
    expectSent(transport, TCP, busy);

    arrive(ackFor(busy));
    expectTerminated(tx); // Timer I = 0 over a reliable transport
    transport.expectNoMessage(Duration.ofMillis(30));
  }

  @Test
  void successMovesToAcceptedWhereTheUserOwns2xxRetransmission() {
    ServerTransaction tx = receiveInvite(UDP);
    SipResponse ringing = response(INVITE, 180);
    SipResponse ok = response(INVITE, 200);
    tx.respond(ringing);
    expectSent(transport, UDP, ringing);
    clock.advanceTo(ms(3000));
    tx.respond(ok);
    expectSent(transport, UDP, ok);

    // RFC 6026 section 7.1: the transaction itself never retransmits the 2xx.
    clock.quietUntil(ms(3500), transport, user);
    tx.respond(ok); // "2xx from TU / send response"
    expectSent(transport, UDP, ok);
    arrive(INVITE); // "INVITE / -": absorbed, not passed up
    tx.respond(response(INVITE, 486)); // a non-2xx after the 2xx is ignored
    clock.quietUntil(ms(4000), transport, user);

    SipRequest sameBranch = ackFor(ok);
    arrive(sameBranch); // "ACK / pass ACK to TU"
    assertEquals(new AckReceived(KEY, sameBranch, UDP), user.receiveMessage());
    SipRequest ack = ackFor2xx(ok); // its own branch, as RFC 3261 asks: the dialog's, not the transaction's
    arrive(ack);
    assertEquals(new AckReceived(TransactionKey.server(ack), ack, UDP), user.receiveMessage());

    // Timer L = 64*T1 from entering Accepted.
    clock.quietUntilJustBefore(ms(35_000), transport, user);
    expectAlive();
    clock.advanceTo(ms(35_000));
    expectTerminated(tx);
  }

  @Test
  void successOverTcpAlsoWaitsTimerL() {
    ServerTransaction tx = receiveInvite(TCP);
    SipResponse ok = response(INVITE, 200);
    tx.respond(ok);
    expectSent(transport, TCP, ok);

    clock.quietUntilJustBefore(ms(32_000), transport, user);
    expectAlive();
    clock.advanceTo(ms(32_000));
    expectTerminated(tx);
  }

  /** Section 17.2.4: whatever the state, a failure to send is reported and ends it. */
  @ParameterizedTest(name = "sending {0} fails")
  @ValueSource(ints = {100, 180, 486, 200})
  void transportFailureIsReportedAndTerminates(int status) {
    ServerTransaction tx = receiveInvite(UDP);
    if (status == 100) {
      clock.advanceTo(ms(200)); // the transaction's own 100 Trying
    } else {
      tx.respond(response(INVITE, status));
    }
    Egress.SendResponse sent = expectSent(transport, UDP);
    assertEquals(status, sent.response().statusCode());

    sent.replyTo().tell(new Egress.SendFailed(sent.response(), UDP, "ICMP port unreachable"));
    assertEquals(new TransportFailed(KEY, "ICMP port unreachable"), user.receiveMessage());
    expectTerminated(tx);
  }

  @Test
  void retransmissionFailureInCompletedIsReportedToo() {
    ServerTransaction tx = receiveInvite(UDP);
    SipResponse busy = response(INVITE, 486);
    tx.respond(busy);
    expectSent(transport, UDP, busy);
    clock.advanceTo(ms(500));
    Egress.SendResponse retransmission = expectSent(transport, UDP, busy);

    retransmission.replyTo().tell(new Egress.SendFailed(busy, UDP, "no route"));
    assertEquals(new TransportFailed(KEY, "no route"), user.receiveMessage());
    expectTerminated(tx);
  }

  @Test
  void smallT1AndT2AreHonoured() {
    TimerSettings fast =
        new TimerSettings(ms(100), ms(400), ms(1000), Duration.ofSeconds(32), ms(50));
    ServerTransaction tx = receiveInvite(UDP, fast);

    clock.quietUntilJustBefore(ms(50), transport, user);
    clock.advanceTo(ms(50));
    assertEquals(100, expectSent(transport, UDP).response().statusCode());

    SipResponse busy = response(INVITE, 603);
    tx.respond(busy);
    expectSent(transport, UDP, busy);
    // G from 50 ms: after 100, 200, then T2 = 400 ms apart.
    for (long at = 150, g = 200; at < 6000; at += g, g = Math.min(2 * g, 400)) {
      clock.quietUntilJustBefore(ms(at), transport, user);
      clock.advanceTo(ms(at));
      expectSent(transport, UDP, busy);
    }
    clock.advanceTo(ms(6000));
    arrive(ackFor(busy));
    clock.quietUntilJustBefore(ms(7000), transport, user); // Timer I = T4 = 1 s
    expectAlive();
    clock.advanceTo(ms(7000));
    expectTerminated(tx);
  }

  @Test
  void smallT1ShortensTimersHAndL() {
    TimerSettings fast =
        new TimerSettings(ms(100), ms(400), ms(1000), Duration.ofSeconds(32), ms(50));
    ServerTransaction rejected = receiveInvite(TCP, fast);
    rejected.respond(response(INVITE, 480));
    expectSent(transport, TCP);

    clock.quietUntilJustBefore(ms(6400), transport, user); // H = 64*T1
    expectAlive();
    clock.advanceTo(ms(6400));
    assertEquals(new TimedOut(KEY, 'H'), user.receiveMessage());
    expectTerminated(rejected);

    ServerTransaction accepted = receiveInvite(TCP, fast);
    accepted.respond(response(INVITE, 200));
    expectSent(transport, TCP);
    clock.quietUntilJustBefore(ms(12_800), transport, user); // L = 64*T1
    expectAlive();
    clock.advanceTo(ms(12_800));
    expectTerminated(accepted);
  }
}
