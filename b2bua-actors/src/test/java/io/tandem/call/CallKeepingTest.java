package io.tandem.call;

import io.tandem.sip.codec.SipRenderer;
import io.tandem.sip.message.SipResponse;
import java.nio.charset.StandardCharsets;
import static io.tandem.call.RelayFixtures.answer;
import static io.tandem.call.RelayFixtures.fromAlice;
import static io.tandem.call.RelayFixtures.received;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.typesafe.config.ConfigFactory;
import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.Via;
import io.tandem.transaction.RecordingServerTransaction;
import io.tandem.transaction.RecordingTransactions;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionKey;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A call whose store replicates (a cluster) keeps its state before it moves a leg's dialog on:
 * the leg-B INVITE goes only once the ringing state is kept, leg A's 2xx only once the
 * answered state is; a call that ends while its state is being kept still answers leg A and
 * hangs it up; the state is removed when the call is over.
 */
class CallKeepingTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load("application-test"));
  private static final Duration QUIET = Duration.ofMillis(200);

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** A store the test answers: each save waits until the test completes it. */
  private static final class HeldStore implements CallStore {
    final TestProbe<Save> saves = testKit.createTestProbe();
    final TestProbe<CallKey> removals = testKit.createTestProbe();

    record Save(CallState state, CompletableFuture<Boolean> done) {}

    @Override
    public boolean replicates() {
      return true;
    }

    @Override
    public CompletionStage<Boolean> save(CallState state) {
      CompletableFuture<Boolean> done = new CompletableFuture<>();
      saves.ref().tell(new Save(state, done));
      return done;
    }

    @Override
    public void remove(CallKey key) {
      removals.ref().tell(key);
    }

    @Override
    public CompletionStage<Optional<CallState>> find(CallKey key) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
  }

  private final TestProbe<RecordingTransactions.SendRequest> layer = testKit.createTestProbe();
  private final TestProbe<RecordingServerTransaction.Respond> legA = testKit.createTestProbe();
  private final HeldStore store = new HeldStore();

  private CallKey start(String callId) {
    CallContext plain = RelayFixtures.context(layer);
    CallContext context = new CallContext(plain.transactions(), plain.routing(), plain.limits(), plain.settings(),
        plain.timers(), plain.local(), plain.manager(), CallObserver.NONE, new LiveLegs(), store);
    CallKey key = CallKey.ofLegA(callId);
    testKit.spawn(Call.create(key, received(fromAlice(Method.INVITE, callId), legA.getRef()), context));
    assertEquals(100, legA.receiveMessage().response().statusCode());
    return key;
  }

  @Test
  void eachStepWaitsForItsStateAndTheStateGoesWithTheCall() {
    CallKey key = start("keeping-1");
    HeldStore.Save ringing = store.saves.receiveMessage();
    assertNotNull(ringing.state().ringing(), "kept ringing, before its INVITE");
    assertNull(ringing.state().a());
    layer.expectNoMessage(QUIET); // no INVITE to the carrier before the state is kept
    ringing.done().complete(true);
    RecordingTransactions.SendRequest invite = layer.receiveMessage();
    assertEquals(Method.INVITE, invite.request().method());
    assertEquals(Recovery.parse(ringing.state().ringing().bInvite()).orElseThrow().toString(),
        invite.request().toString(), "the INVITE kept is the INVITE sent");

    invite.replyTo().tell(answer(invite, 200, "one-tag", "Contact", "<sip:bob@192.0.2.50:5060>"));
    HeldStore.Save answered = store.saves.receiveMessage();
    assertNull(answered.state().ringing());
    assertEquals("one-tag", NameAddrs.tag(answered.state().b().remote()));
    assertEquals(NameAddrs.tag(answered.state().a().local()), answered.state().aTag());
    // Neither the carrier's ACK nor the caller's 2xx before the state is kept: a node that
    // brought the call back ringing after the carrier had its ACK would INVITE it again.
    legA.expectNoMessage(QUIET);
    layer.expectNoMessage(QUIET);
    answered.done().complete(false); // the store gave up: the call goes on all the same
    assertEquals(Method.ACK, layer.receiveMessage().request().method()); // leg B's dialog is the carrier's now
    SipResponse okToA = legA.receiveMessage().response();
    assertEquals(200, okToA.statusCode());
    assertEquals(new String(SipRenderer.renderBytes(okToA), StandardCharsets.ISO_8859_1),
        answered.state().answer().ok(), "the 2xx kept is the 2xx sent: byte for byte, a retransmission");

    // The carrier hangs up: both legs end, and with them the state.
    TestProbe<RecordingServerTransaction.Respond> byeTx = testKit.createTestProbe();
    invite.replyTo().tell(byeFromCarrier(invite, byeTx));
    assertEquals(200, byeTx.receiveMessage().response().statusCode());
    RecordingTransactions.SendRequest byeA = layer.receiveMessage();
    assertEquals(Method.BYE, byeA.request().method());
    byeA.replyTo().tell(answer(byeA, 200, "alice-tag"));
    assertEquals(key, store.removals.receiveMessage());
  }

  @Test
  void aCallThatEndsWhileItsStateIsKeptAnswersLegAThenHangsItUp() {
    start("keeping-2");
    store.saves.receiveMessage().done().complete(true);
    RecordingTransactions.SendRequest invite = layer.receiveMessage();
    invite.replyTo().tell(answer(invite, 200, "one-tag", "Contact", "<sip:bob@192.0.2.50:5060>"));
    HeldStore.Save answered = store.saves.receiveMessage();

    TestProbe<RecordingServerTransaction.Respond> byeTx = testKit.createTestProbe();
    invite.replyTo().tell(byeFromCarrier(invite, byeTx)); // before leg A has its 2xx, before the ACK
    assertEquals(Method.ACK, layer.receiveMessage().request().method(), "the 2xx's ACK before anything else");
    assertEquals(200, byeTx.receiveMessage().response().statusCode());
    legA.expectNoMessage(QUIET);
    answered.done().complete(true);
    assertEquals(200, legA.receiveMessage().response().statusCode(), "the caller is answered");
    RecordingTransactions.SendRequest byeA = layer.receiveMessage();
    assertEquals(Method.BYE, byeA.request().method(), "and hung up: never left on a call with nobody");
    assertEquals("keeping-2", byeA.request().callId(), "on leg A");
  }

  /** The carrier's BYE in leg B's dialog, as the layer hands it up. */
  private static TransactionEvent.RequestReceived byeFromCarrier(RecordingTransactions.SendRequest invite,
      TestProbe<RecordingServerTransaction.Respond> tx) {
    SipRequest sent = invite.request();
    SipRequest bye = SipRequest.builder(Method.BYE, sent.contacts().get(0).uri())
        .header(HeaderName.VIA, Via.of("UDP", "192.0.2.50", 5060, Via.MAGIC_COOKIE + "-cbye-" + sent.callId()))
        .header(HeaderName.MAX_FORWARDS, "70")
        .header(HeaderName.FROM, sent.to().withTag("one-tag"))
        .header(HeaderName.TO, sent.from())
        .header(HeaderName.CALL_ID, sent.callId())
        .header(HeaderName.CSEQ, new CSeq(1, Method.BYE))
        .build();
    io.tandem.transport.Peer from = io.tandem.transport.Peer.udp(RelayFixtures.ONE.address(), RelayFixtures.TANDEM);
    return new TransactionEvent.RequestReceived(TransactionKey.server(bye), bye, from,
        RecordingServerTransaction.of(bye, from, tx.getRef()));
  }

  /** The tag of a name-addr's text. */
  private static final class NameAddrs {
    static String tag(String nameAddr) {
      return io.tandem.sip.message.NameAddr.parse(nameAddr).tag().orElse("");
    }
  }
}
