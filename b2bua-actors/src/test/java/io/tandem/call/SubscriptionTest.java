package io.tandem.call;

import static io.tandem.call.RelayFixtures.ALICE;
import static io.tandem.call.RelayFixtures.ONE;
import static io.tandem.call.RelayFixtures.SETTINGS;
import static io.tandem.call.RelayFixtures.TANDEM;
import static io.tandem.call.RelayFixtures.TWO;
import static io.tandem.call.RelayFixtures.answer;
import static io.tandem.call.RelayFixtures.context;
import static io.tandem.call.RelayFixtures.fromAlice;
import static io.tandem.call.RelayFixtures.notifyFor;
import static io.tandem.call.RelayFixtures.received;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.SipUri;
import io.tandem.transaction.RecordingServerTransaction;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionKey;
import io.tandem.transaction.RecordingTransactions;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A subscription's timer paths and its NOTIFY before the 2xx (RFC 6665), with a probe for the
 * transaction layer and for leg A's server transaction; routes go to carrier one, then two.
 */
class SubscriptionTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load("application-test")));
  private static final ManualTime manualTime = ManualTime.get(testKit.system());

  private final TestProbe<RecordingTransactions.SendRequest> layer = testKit.createTestProbe();
  private final TestProbe<RecordingServerTransaction.Respond> legA = testKit.createTestProbe();
  private final SipRequest subscribe = fromAlice(Method.SUBSCRIBE, "sub-" + System.nanoTime(),
      "Event", "presence", "Expires", "10");

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  private ActorRef<Subscription.Command> start() {
    return testKit.spawn(Subscription.create(CallKey.ofLegA(subscribe.callId()), received(subscribe, legA.ref()),
        context(layer), SETTINGS));
  }

  private RecordingTransactions.SendRequest sent() {
    return layer.expectMessageClass(RecordingTransactions.SendRequest.class);
  }

  private SipResponse toA() {
    return legA.expectMessageClass(RecordingServerTransaction.Respond.class).response();
  }

  @Test
  void aCarrierWithNoFinalWithinTheAttemptTimeoutIsLeftForTheNext() {
    ActorRef<Subscription.Command> subscription = start();
    RecordingTransactions.SendRequest first = sent();
    assertEquals(ONE.address(), first.destination().remote());
    manualTime.expectNoMessageFor(SETTINGS.attemptTimeout().minusMillis(1), layer);
    manualTime.timePasses(Duration.ofMillis(1));
    RecordingTransactions.SendRequest second = sent();
    assertEquals(TWO.address(), second.destination().remote());
    assertNotEquals(first.request().callId(), second.request().callId(), "each attempt is a dialog of its own");

    subscription.tell(new Subscription.Event(answer(second, 202, "two-tag", "Expires", "10", "Contact", "<sip:bob@192.0.2.60>")));
    SipResponse accepted = toA();
    assertEquals(202, accepted.statusCode());
    assertEquals(Optional.of(10L), accepted.header(SipHeaders.EXPIRES).toOptional());
    assertTrue(accepted.toTag().orElseThrow().startsWith(CallKey.MARK), "Tandem's To tag, not the notifier's");
    assertEquals(TANDEM.getAddress().getHostAddress(), ((SipUri) accepted.contacts().get(0).uri()).host());
  }

  /** Expires 10 s plus the 32 s grace: alive (it still relays) just before, stopped at that moment. */
  @Test
  void anUnrefreshedSubscriptionEndsItsExpiryPlusTheGraceAfterThe2xx() {
    ActorRef<Subscription.Command> subscription = start();
    RecordingTransactions.SendRequest first = sent();
    subscription.tell(new Subscription.Event(answer(first, 200, "one-tag", "Expires", "10")));
    assertEquals(200, toA().statusCode());
    TestProbe<Object> watcher = testKit.createTestProbe();

    manualTime.timePasses(Duration.ofSeconds(42).minusMillis(1));
    SipRequest notify = notifyFor(first.request(), "one-tag", "active");
    subscription.tell(new Subscription.Event(received(notify, testKit.<RecordingServerTransaction.Respond>createTestProbe().ref())));
    assertEquals(Method.NOTIFY, sent().request().method());
    manualTime.timePasses(Duration.ofMillis(1));
    watcher.expectTerminated(subscription);
  }

  /** RFC 6665 section 4.1.2.4: the NOTIFY makes both dialogs; the 2xx after it names the same one on leg A. */
  @Test
  void aNotifyBeforeThe2xxIsRelayedIntoLegAsDialog() {
    ActorRef<Subscription.Command> subscription = start();
    RecordingTransactions.SendRequest first = sent();
    TestProbe<RecordingServerTransaction.Respond> legB = testKit.createTestProbe();
    SipRequest notify = notifyFor(first.request(), "one-tag", "active;expires=10");
    subscription.tell(new Subscription.Event(received(notify, legB.ref())));

    RecordingTransactions.SendRequest relayed = sent();
    SipRequest toAlice = relayed.request();
    assertEquals(Method.NOTIFY, toAlice.method());
    assertEquals(ALICE, relayed.destination().remote());
    assertEquals(subscribe.callId(), toAlice.callId());
    assertEquals(Optional.of("alice-tag"), toAlice.toTag());
    assertEquals(Optional.of("active;expires=10"), toAlice.headers().first(HeaderName.SUBSCRIPTION_STATE));
    assertEquals(Optional.of("presence"), toAlice.headers().first(HeaderName.EVENT));
    subscription.tell(new Subscription.Event(new TransactionEvent.ResponseReceived(
        TransactionKey.client(toAlice), SipResponse.builderFor(toAlice, 200).build())));
    assertEquals(200, legB.expectMessageClass(RecordingServerTransaction.Respond.class).response().statusCode());

    subscription.tell(new Subscription.Event(answer(first, 202, "one-tag", "Expires", "10")));
    SipResponse accepted = toA();
    assertEquals(202, accepted.statusCode());
    assertEquals(toAlice.fromTag(), accepted.toTag(), "the NOTIFY and the 202 name one dialog");
  }
}
