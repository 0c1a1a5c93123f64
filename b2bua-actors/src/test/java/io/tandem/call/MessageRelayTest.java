package io.tandem.call;

import static io.tandem.call.RelayFixtures.ONE;
import static io.tandem.call.RelayFixtures.SETTINGS;
import static io.tandem.call.RelayFixtures.TWO;
import static io.tandem.call.RelayFixtures.answer;
import static io.tandem.call.RelayFixtures.context;
import static io.tandem.call.RelayFixtures.fromAlice;
import static io.tandem.call.RelayFixtures.received;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipRequest;
import io.tandem.transaction.RecordingServerTransaction;
import io.tandem.transaction.RecordingTransactions;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The relay of one MESSAGE or PUBLISH: its hunt, its attempt timer and its refusals. */
class MessageRelayTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load("application-test")));
  private static final ManualTime manualTime = ManualTime.get(testKit.system());

  private final TestProbe<RecordingTransactions.SendRequest> layer = testKit.createTestProbe();
  private final TestProbe<RecordingServerTransaction.Respond> legA = testKit.createTestProbe();

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  private ActorRef<MessageRelay.Command> start(SipRequest request) {
    return testKit.spawn(MessageRelay.create(CallKey.ofLegA(request.callId()), received(request, legA.ref()),
        context(layer), SETTINGS));
  }

  /** One answers 503 (hunted on), two nothing within the attempt timeout: leg A gets the best, 408. */
  @Test
  void afterA503AndASilentCarrierLegAGetsTheBestFinal() {
    SipRequest message = fromAlice(Method.MESSAGE, "m-" + System.nanoTime());
    ActorRef<MessageRelay.Command> relay = start(message);
    RecordingTransactions.SendRequest first = layer.expectMessageClass(RecordingTransactions.SendRequest.class);
    assertEquals(ONE.address(), first.destination().remote());
    first.replyTo().tell(answer(first, 503, "one-tag"));
    RecordingTransactions.SendRequest second = layer.expectMessageClass(RecordingTransactions.SendRequest.class);
    assertEquals(TWO.address(), second.destination().remote());

    manualTime.expectNoMessageFor(SETTINGS.attemptTimeout().minusMillis(1), legA);
    manualTime.timePasses(Duration.ofMillis(1));
    assertEquals(408, legA.expectMessageClass(RecordingServerTransaction.Respond.class).response().statusCode());
    testKit.createTestProbe().expectTerminated(relay);
  }

  /** RFC 3903: SIP-If-Match and Expires cross to the carrier, SIP-ETag and Expires come back. */
  @Test
  void publishCarriesItsEntityTagsAcross() {
    SipRequest publish = fromAlice(Method.PUBLISH, "p-" + System.nanoTime(),
        "Event", "presence", "Expires", "60", "SIP-If-Match", "etag-1");
    start(publish);
    RecordingTransactions.SendRequest sent = layer.expectMessageClass(RecordingTransactions.SendRequest.class);
    assertEquals(Optional.of("etag-1"), sent.request().headers().first(HeaderName.SIP_IF_MATCH));
    assertEquals(Optional.of("60"), sent.request().headers().first(HeaderName.EXPIRES));
    assertEquals(Optional.of("presence"), sent.request().headers().first(HeaderName.EVENT));
    sent.replyTo().tell(answer(sent, 200, "one-tag", "SIP-ETag", "etag-2", "Expires", "60"));
    var ok = legA.expectMessageClass(RecordingServerTransaction.Respond.class).response();
    assertEquals(Optional.of("etag-2"), ok.headers().first(HeaderName.SIP_ETAG));
    assertEquals(Optional.of("60"), ok.headers().first(HeaderName.EXPIRES));
  }

  /** RFC 3261 section 16.3: no hops left, 483, and nothing is sent. */
  @Test
  void maxForwardsZeroIsAnswered483() {
    SipRequest message = fromAlice(Method.MESSAGE, "z-" + System.nanoTime()).toBuilder()
        .set(HeaderName.MAX_FORWARDS, "0").build();
    start(message);
    assertEquals(483, legA.expectMessageClass(RecordingServerTransaction.Respond.class).response().statusCode());
    layer.expectNoMessage(Duration.ofMillis(50));
  }
}
