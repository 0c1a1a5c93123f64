package io.tandem.registration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.SipUri;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionKey;
import io.tandem.transaction.RecordingTransactions;
import io.tandem.transport.Peer;
import io.tandem.transport.TransportProtocol;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The outbound registration's ladder against a registrar played by a probe, under manual time. */
class OutboundRegistrationTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load("application-test")));
  private static final ManualTime manualTime = ManualTime.get(testKit.system());
  private static final InetSocketAddress TANDEM = new InetSocketAddress("127.0.0.1", 5060);
  private static final Peer REGISTRAR = Peer.destination(TransportProtocol.UDP, new InetSocketAddress("127.0.0.1", 5080));
  private static final ChallengeAnswerer ANSWERS =
      (request, challenge) -> Optional.of(new ChallengeAnswerer.Answer(HeaderName.AUTHORIZATION, "Digest test"));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private record Sent(SipRequest request, ActorRef<TransactionEvent> replyTo) {
    void answer(int status, String... headers) {
      SipResponse.Builder b = SipResponse.builderFor(request, status);
      for (int i = 0; i < headers.length; i += 2) {
        b.header(HeaderName.of(headers[i]), headers[i + 1]);
      }
      replyTo.tell(new TransactionEvent.ResponseReceived(TransactionKey.client(request), b.build()));
    }
  }

  private static Sent next(TestProbe<RecordingTransactions.SendRequest> layer) {
    RecordingTransactions.SendRequest send = layer.expectMessageClass(RecordingTransactions.SendRequest.class);
    assertEquals(REGISTRAR, send.destination());
    return new Sent(send.request(), send.replyTo());
  }

  private static ActorRef<OutboundRegistration.Command> start(TestProbe<RecordingTransactions.SendRequest> layer,
      ChallengeAnswerer answerer) {
    RegistrationSettings settings = new RegistrationSettings("carrier", REGISTRAR, "sip.carrier.example", "trunk1",
        Duration.ofSeconds(3600), Duration.ofSeconds(10), Duration.ofSeconds(60), null);
    return testKit.spawn(OutboundRegistration.create(settings, new RecordingTransactions(layer.ref()), p -> TANDEM, answerer));
  }

  private static OutboundRegistration.Status status(ActorRef<OutboundRegistration.Command> registration) {
    TestProbe<OutboundRegistration.Status> probe = testKit.createTestProbe();
    registration.tell(new OutboundRegistration.GetStatus(probe.ref()));
    return probe.receiveMessage();
  }

  /** RFC 3261 section 10.2: REGISTER for the address of record, refreshed at half the granted time. */
  @Test
  void registersAndRefreshesAtHalfTheGrantedLifetime() {
    TestProbe<RecordingTransactions.SendRequest> layer = testKit.createTestProbe();
    ActorRef<OutboundRegistration.Command> registration = start(layer, ChallengeAnswerer.NONE);
    Sent first = next(layer);
    SipRequest r = first.request();
    assertEquals("sip:sip.carrier.example", r.requestUri().toString());
    assertEquals("sip:trunk1@sip.carrier.example", r.from().uri().toString());
    assertEquals(r.from().uri(), r.to().uri());
    assertEquals("sip:trunk1@127.0.0.1:5060", r.contacts().get(0).uri().toString());
    assertEquals("3600", r.headers().first(HeaderName.EXPIRES).orElseThrow());
    assertEquals(1, r.cseq().sequence());

    first.answer(200, "Contact", "<sip:trunk1@127.0.0.1:5060>;expires=120");
    assertEquals(OutboundRegistration.State.REGISTERED, status(registration).state());
    assertEquals(Duration.ofSeconds(120), status(registration).granted());
    manualTime.expectNoMessageFor(Duration.ofSeconds(59), layer);
    manualTime.timePasses(Duration.ofSeconds(1));
    SipRequest refresh = next(layer).request();
    assertEquals(r.callId(), refresh.callId(), "one Call-ID for every REGISTER of a registration");
    assertEquals(r.fromTag(), refresh.fromTag());
    assertEquals(2, refresh.cseq().sequence());
    testKit.stop(registration);
  }

  /** A challenge is answered once with the credentials; a second one is a failure, retried later. */
  @Test
  void answersAChallengeOnceThenBacksOff() {
    TestProbe<RecordingTransactions.SendRequest> layer = testKit.createTestProbe();
    ActorRef<OutboundRegistration.Command> registration = start(layer, ANSWERS);
    next(layer).answer(401, "WWW-Authenticate", "Digest realm=\"carrier\", nonce=\"1\"");
    Sent withCredentials = next(layer);
    assertEquals("Digest test", withCredentials.request().headers().first(HeaderName.AUTHORIZATION).orElseThrow());
    assertEquals(2, withCredentials.request().cseq().sequence());

    withCredentials.answer(401, "WWW-Authenticate", "Digest realm=\"carrier\", nonce=\"2\"");
    OutboundRegistration.Status failed = status(registration);
    assertEquals(OutboundRegistration.State.FAILED, failed.state());
    assertEquals(401, failed.lastStatus());
    manualTime.expectNoMessageFor(Duration.ofSeconds(9), layer);
    manualTime.timePasses(Duration.ofSeconds(1));
    Sent retry = next(layer);
    assertFalse(retry.request().headers().first(HeaderName.AUTHORIZATION).isPresent(), "a fresh try, unchallenged");

    // Each failure in a row doubles the wait: 10 s, then 20 s.
    retry.answer(503);
    manualTime.expectNoMessageFor(Duration.ofSeconds(19), layer);
    manualTime.timePasses(Duration.ofSeconds(1));
    next(layer).answer(200);
    assertEquals(0, status(registration).failures());
    testKit.stop(registration);
  }

  /** Without credentials a challenge is a failure at once. */
  @Test
  void aChallengeWithoutCredentialsFails() {
    TestProbe<RecordingTransactions.SendRequest> layer = testKit.createTestProbe();
    ActorRef<OutboundRegistration.Command> registration = start(layer, ChallengeAnswerer.NONE);
    next(layer).answer(407, "Proxy-Authenticate", "Digest realm=\"carrier\", nonce=\"1\"");
    assertEquals(OutboundRegistration.State.FAILED, status(registration).state());
    layer.expectNoMessage(Duration.ofMillis(50));
    testKit.stop(registration);
  }

  /** Section 10.2.8: 423 Interval Too Brief is answered with the registrar's Min-Expires. */
  @Test
  void intervalTooBriefRaisesExpires() {
    TestProbe<RecordingTransactions.SendRequest> layer = testKit.createTestProbe();
    ActorRef<OutboundRegistration.Command> registration = start(layer, ChallengeAnswerer.NONE);
    next(layer).answer(423, "Min-Expires", "7200");
    SipRequest again = next(layer).request();
    assertEquals("7200", again.headers().first(HeaderName.EXPIRES).orElseThrow());
    assertEquals(2, again.cseq().sequence());
    testKit.stop(registration);
  }

  /** A silent registrar (Timer F) counts as 408 and is retried. */
  @Test
  void aTimeoutIsRetried() {
    TestProbe<RecordingTransactions.SendRequest> layer = testKit.createTestProbe();
    ActorRef<OutboundRegistration.Command> registration = start(layer, ChallengeAnswerer.NONE);
    Sent first = next(layer);
    first.replyTo().tell(new TransactionEvent.TimedOut(TransactionKey.client(first.request()), 'F'));
    OutboundRegistration.Status failed = status(registration);
    assertEquals(408, failed.lastStatus());
    assertTrue(failed.granted().isZero());
    manualTime.timePasses(Duration.ofSeconds(10));
    assertEquals(2, next(layer).request().cseq().sequence());
    testKit.stop(registration);
  }

  /** Over TCP the Contact says so, so the carrier's requests come back on TCP. */
  @Test
  void tcpContact() {
    TestProbe<RecordingTransactions.SendRequest> layer = testKit.createTestProbe();
    Peer tcp = Peer.destination(TransportProtocol.TCP, new InetSocketAddress("127.0.0.1", 5080));
    RegistrationSettings settings = new RegistrationSettings("carrier", tcp, "127.0.0.1", "trunk1",
        Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(60), null);
    ActorRef<OutboundRegistration.Command> registration =
        testKit.spawn(OutboundRegistration.create(settings, new RecordingTransactions(layer.ref()), p -> TANDEM, ChallengeAnswerer.NONE));
    SipRequest r = layer.expectMessageClass(RecordingTransactions.SendRequest.class).request();
    assertEquals("tcp", ((SipUri) r.contacts().get(0).uri()).transport().orElseThrow());
    assertTrue(r.topVia().toString().contains("TCP"), r.topVia()::toString);
    testKit.stop(registration);
  }
}
