package io.tandem.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionKey;
import io.tandem.transaction.RecordingTransactions;
import io.tandem.transport.Peer;
import io.tandem.transport.TransportProtocol;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A carrier's OPTIONS probe against a carrier played by a probe, under manual time. */
class CarrierProbeTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load("application-test")));
  private static final ManualTime manualTime = ManualTime.get(testKit.system());
  private static final Peer CARRIER = Peer.destination(TransportProtocol.UDP, new InetSocketAddress("127.0.0.1", 5080));
  private static final Duration INTERVAL = Duration.ofSeconds(30);
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private record Sent(SipRequest request, ActorRef<TransactionEvent> replyTo) {
    void answer(int status) {
      replyTo.tell(new TransactionEvent.ResponseReceived(TransactionKey.client(request),
          SipResponse.builderFor(request, status).build()));
    }
  }

  private static Sent next(TestProbe<RecordingTransactions.SendRequest> layer) {
    RecordingTransactions.SendRequest send = layer.expectMessageClass(RecordingTransactions.SendRequest.class);
    assertEquals(CARRIER, send.destination());
    assertEquals(Method.OPTIONS, send.request().method());
    return new Sent(send.request(), send.replyTo());
  }

  /** Waits (a little, real time) until the probe has taken what it was told. */
  private static void eventually(TestProbe<?> probe, Runnable check) {
    probe.awaitAssert(Duration.ofSeconds(3), () -> {
      check.run();
      return null;
    });
  }

  private static ActorRef<CarrierProbe.Command> start(TestProbe<RecordingTransactions.SendRequest> layer, CarrierHealth health) {
    ProbeSettings settings = new ProbeSettings("one", CARRIER, INTERVAL, TIMEOUT, 2, 2);
    return testKit.spawn(CarrierProbe.create(settings, new RecordingTransactions(layer.ref()), p -> new InetSocketAddress("127.0.0.1", 5060), health));
  }

  /** Answers keep the carrier up; the next OPTIONS goes one interval after the last answer. */
  @Test
  void anAnsweringCarrierStaysUp() {
    TestProbe<RecordingTransactions.SendRequest> layer = testKit.createTestProbe();
    CarrierHealth health = new CarrierHealth();
    ActorRef<CarrierProbe.Command> probe = start(layer, health);
    Sent first = next(layer);
    assertEquals("sip:127.0.0.1:5080", first.request().requestUri().toString());
    first.answer(405); // an answer all the same: the carrier is there
    manualTime.expectNoMessageFor(INTERVAL.minusSeconds(1), layer);
    manualTime.timePasses(Duration.ofSeconds(1));
    Sent second = next(layer);
    assertEquals(first.request().callId(), second.request().callId());
    assertEquals(2, second.request().cseq().sequence());
    assertTrue(health.isUp("one"));
    testKit.stop(probe);
  }

  /** Two failures in a row (503, then silence) take it down; two answers bring it back. */
  @Test
  void downAfterFailuresUpAfterAnswers() {
    TestProbe<RecordingTransactions.SendRequest> layer = testKit.createTestProbe();
    CarrierHealth health = new CarrierHealth();
    ActorRef<CarrierProbe.Command> probe = start(layer, health);
    next(layer).answer(503);
    assertTrue(health.isUp("one"), "one failure is not enough");
    manualTime.timePasses(INTERVAL);
    Sent silent = next(layer);
    manualTime.timePasses(TIMEOUT);
    eventually(layer, () -> assertFalse(health.isUp("one"), "503 then no answer within the timeout: down"));
    silent.answer(200); // too late: that probe already counted as a failure

    manualTime.timePasses(INTERVAL);
    next(layer).answer(200);
    manualTime.timePasses(INTERVAL);
    Sent again = next(layer); // the first answer was taken: the next probe went out
    assertFalse(health.isUp("one"), "one answer is not enough");
    again.answer(200);
    eventually(layer, () -> assertTrue(health.isUp("one")));
    testKit.stop(probe);
  }

  /** A transport error counts as a failure. */
  @Test
  void aTransportErrorIsAFailure() {
    TestProbe<RecordingTransactions.SendRequest> layer = testKit.createTestProbe();
    CarrierHealth health = new CarrierHealth();
    ActorRef<CarrierProbe.Command> probe = start(layer, health);
    for (int i = 0; i < 2; i++) {
      Sent s = next(layer);
      s.replyTo().tell(new TransactionEvent.TransportFailed(TransactionKey.client(s.request()), "connection refused"));
      manualTime.timePasses(INTERVAL);
    }
    eventually(layer, () -> assertEquals(java.util.Map.of("one", false), health.snapshot()));
    testKit.stop(probe);
  }
}
