package io.tandem.call;

import static io.tandem.call.RelayFixtures.ONE;
import static io.tandem.call.RelayFixtures.TANDEM;
import static io.tandem.call.RelayFixtures.fromAlice;
import static io.tandem.call.RelayFixtures.received;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.auth.InboundAuth;
import io.tandem.routing.CallLimits;
import io.tandem.routing.HuntPolicy;
import io.tandem.routing.RoutingDecision;
import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.SipUri;
import io.tandem.sip.message.Via;
import io.tandem.transaction.RecordingServerTransaction;
import io.tandem.transaction.RecordingTransactions;
import io.tandem.transaction.TimerSettings;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionKey;
import io.tandem.transaction.TransactionLimits;
import io.tandem.transport.Egress;
import io.tandem.transport.Peer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A caller's INVITE again (no To tag), or its CANCEL, at a node that keeps its call as another node's: the
 * call's shard moved there while the call's node still ran it (a node leaving), or before the
 * call was brought back (a node gone). The call is brought back from its state, leg A takes
 * the INVITE's transaction, and no second call sends the carrier a second leg-B INVITE (a
 * carrier that answered the first takes a second for a protocol error and aborts the call).
 */
class InviteAgainTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load("application-test"));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** Keeps every state saved, at once; one node's own and another's alike. */
  private static final class CopyStore implements CallStore {
    final Map<CallKey, CallState> states = new ConcurrentHashMap<>();

    @Override
    public boolean replicates() {
      return true;
    }

    @Override
    public CompletionStage<Boolean> save(CallState state) {
      states.put(state.key(), state);
      return CompletableFuture.completedFuture(true);
    }

    @Override
    public void remove(CallKey key) {
      states.remove(key);
    }

    @Override
    public CompletionStage<Optional<CallState>> find(CallKey key) {
      return CompletableFuture.completedFuture(Optional.ofNullable(states.get(key)));
    }

    @Override
    public boolean keepsOthers(CallKey key) {
      return states.containsKey(key);
    }
  }

  /** A call ringing on its node, its state kept in {@code store}: leg B's INVITE, as it went. */
  private static SipRequest ringingOnItsNode(SipRequest invite, CopyStore store) {
    CallKey key = CallKey.ofLegA(invite.callId());
    TestProbe<RecordingTransactions.SendRequest> layer = testKit.createTestProbe();
    CallContext plain = RelayFixtures.context(layer);
    CallContext first = new CallContext(plain.transactions(), plain.routing(), plain.limits(), plain.settings(),
        plain.timers(), plain.local(), plain.manager(), CallObserver.NONE, new LiveLegs(), store);
    testKit.spawn(Call.create(key, received(invite, testKit.<RecordingServerTransaction.Respond>createTestProbe().ref()),
        first));
    SipRequest legB = layer.receiveMessage().request();
    assertEquals(Method.INVITE, legB.method());
    assertNotNull(store.states.get(key).ringing(), "kept ringing");
    return legB;
  }

  /** Another node's manager, with its own transaction layer sending into {@code egress}. */
  private static ActorRef<CallManager.Command> otherNode(CopyStore store, TestProbe<Egress.Command> egress) {
    RoutingDecision route = new RoutingDecision.Route("all", List.of(ONE), HuntPolicy.DEFAULTS);
    return testKit.spawn(CallManager.create(TimerSettings.DEFAULTS,
        TransactionLimits.DEFAULTS, egress.ref(), request -> route, new CallLimits(0, Map.of()), Duration.ofSeconds(30),
        CallSettings.DEFAULTS, RelaySettings.DEFAULTS, p -> TANDEM,
        testKit.<TransactionEvent>createTestProbe().ref(), InboundAuth.NONE, CallObserver.NONE, store));
  }

  @Test
  void theCallsInviteAgainBringsTheCallBackAndSendsNoSecondLegBInvite() {
    CopyStore store = new CopyStore();
    SipRequest invite = fromAlice(Method.INVITE, "again-" + System.nanoTime());
    CallKey key = CallKey.ofLegA(invite.callId());
    SipRequest legB = ringingOnItsNode(invite, store);

    // Another node's manager, which keeps that state as another node's, gets the caller's INVITE again.
    TestProbe<Egress.Command> egress = testKit.createTestProbe();
    ActorRef<CallManager.Command> manager = otherNode(store, egress);
    TestProbe<RecordingServerTransaction.Respond> again = testKit.createTestProbe();
    manager.tell(new CallManager.Event(received(invite, again.ref())));

    again.expectNoMessage(Duration.ofMillis(500)); // no 482 (merged request): it is leg A's own INVITE
    TestProbe<CallManager.Calls> calls = testKit.createTestProbe();
    manager.tell(new CallManager.ListCalls(calls.ref()));
    assertEquals(List.of(key), List.copyOf(calls.receiveMessage().byKey().keySet()), "the call, brought back");
    // Its leg B waits for the carrier's answer: no INVITE at once (a new call's would go now) ...
    egress.expectNoMessage(Duration.ofSeconds(6));
    // ... and after two T2s of silence the same INVITE again (the same branch): a retransmission.
    Egress.SendRequest resent = egress.expectMessageClass(Egress.SendRequest.class, Duration.ofSeconds(5));
    assertEquals(legB.topVia().toString(), resent.request().topVia().toString());
    assertEquals(legB.callId(), resent.request().callId());
  }

  /**
   * The caller's CANCEL reaches the node before the ringing call is back (its INVITE's server
   * transaction died with the call's node; the layer sends such a CANCEL up unmatched): the
   * call is brought back, and the CANCEL gets 200, the INVITE 487, the carrier a CANCEL.
   */
  @Test
  void aCancelBeforeTheRingingCallIsBackCancelsTheCall() {
    CopyStore store = new CopyStore();
    SipRequest invite = fromAlice(Method.INVITE, "cancelled-" + System.nanoTime());
    SipRequest legB = ringingOnItsNode(invite, store);

    TestProbe<Egress.Command> egress = testKit.createTestProbe();
    ActorRef<CallManager.Command> manager = otherNode(store, egress);
    TestProbe<RecordingServerTransaction.Respond> cancelTx = testKit.createTestProbe();
    manager.tell(new CallManager.Event(received(fromAlice(Method.CANCEL, invite.callId()), cancelTx.ref())));

    assertEquals(200, cancelTx.receiveMessage(Duration.ofSeconds(3)).response().statusCode(), "not 481");
    boolean invite487 = false;
    boolean carrierCancelled = false;
    for (Egress.Command sent : egress.receiveSeveralMessages(2, Duration.ofSeconds(3))) {
      if (sent instanceof Egress.SendResponse r) {
        invite487 |= r.response().statusCode() == 487 && Method.INVITE.equals(r.response().cseq().method());
      } else if (sent instanceof Egress.SendRequest r) {
        carrierCancelled |= Method.CANCEL.equals(r.request().method())
            && r.request().topVia().toString().equals(legB.topVia().toString());
      }
    }
    assertTrue(invite487, "leg A's INVITE answered 487");
    assertTrue(carrierCancelled, "leg B's INVITE cancelled at the carrier, on its own branch");
  }

  /**
   * An answered call brought back within 64*T1 of its answer: its caller may never have had
   * leg A's 2xx (the node went with it), so the new node sends it again, the same octets, until
   * the caller's ACK; a call answered longer ago is taken as ACKed.
   */
  @Test
  void anAnsweredCallBroughtBackSoonSendsItsCallerThe2xxAgainUntilTheAck() {
    CopyStore store = new CopyStore();
    SipRequest invite = fromAlice(Method.INVITE, "answered-" + System.nanoTime());
    CallKey key = CallKey.ofLegA(invite.callId());
    TestProbe<RecordingTransactions.SendRequest> layer = testKit.createTestProbe();
    CallContext plain = RelayFixtures.context(layer);
    CallContext first = new CallContext(plain.transactions(), plain.routing(), plain.limits(), plain.settings(),
        plain.timers(), plain.local(), plain.manager(), CallObserver.NONE, new LiveLegs(), store);
    TestProbe<RecordingServerTransaction.Respond> legA = testKit.createTestProbe();
    testKit.spawn(Call.create(key, received(invite, legA.ref()), first));
    RecordingTransactions.SendRequest legB = layer.receiveMessage();
    legB.replyTo().tell(RelayFixtures.answer(legB, 200, "one-tag", "Contact", "<sip:bob@192.0.2.50:5060>"));
    SipResponse ok = legA.receiveMessage().response();
    while (ok.statusCode() < 200) {
      ok = legA.receiveMessage().response(); // past the 100 Trying: the 2xx the caller may not have had
    }
    assertEquals(200, ok.statusCode());

    TestProbe<Egress.Command> egress = testKit.createTestProbe();
    ActorRef<CallManager.Command> manager = otherNode(store, egress);
    manager.tell(new CallManager.Restore(key));
    Egress.SendResponse again = egress.expectMessageClass(Egress.SendResponse.class, Duration.ofSeconds(3));
    assertEquals(ok.toString(), again.response().toString(), "the same 2xx");
    assertEquals(RelayFixtures.ALICE, again.requestSource().remote(), "to where the INVITE came from");
    Egress.SendResponse retransmitted = egress.expectMessageClass(Egress.SendResponse.class, Duration.ofSeconds(2));
    assertEquals(ok.toString(), retransmitted.response().toString(), "again after T1, until the ACK");

    SipRequest ack = SipRequest.builder(Method.ACK, SipUri.of("alice", "192.0.2.1", 5060))
        .header(HeaderName.VIA, Via.of("UDP", "192.0.2.1", 5060, Via.MAGIC_COOKIE + "-ack-" + invite.callId()))
        .header(HeaderName.MAX_FORWARDS, "70")
        .header(HeaderName.FROM, invite.headers().first(HeaderName.FROM).orElseThrow())
        .header(HeaderName.TO, ok.headers().first(HeaderName.TO).orElseThrow())
        .header(HeaderName.CALL_ID, invite.callId())
        .header(HeaderName.CSEQ, new CSeq(1, Method.ACK))
        .build();
    manager.tell(new CallManager.Event(new TransactionEvent.AckReceived(TransactionKey.server(ack), ack,
        Peer.udp(RelayFixtures.ALICE, TANDEM))));
    egress.expectNoMessage(Duration.ofSeconds(3)); // ACKed: no more 2xx, and no BYE for want of an ACK

    CallState kept = store.states.get(key);
    long answeredAt = kept.answeredAtMs();
    Duration sixtyFourT1 = TimerSettings.DEFAULTS.sixtyFourT1();
    assertTrue(Recovery.okAgain(kept, sixtyFourT1, answeredAt + sixtyFourT1.toMillis() - 1).isPresent());
    assertTrue(Recovery.okAgain(kept, sixtyFourT1, answeredAt + sixtyFourT1.toMillis()).isEmpty(),
        "answered 64*T1 ago: its caller had the 2xx, or its node had ended the call for want of an ACK");
  }
}
