package io.tandem.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.ConfigFactory;
import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.codec.SipParser;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.MessageBuilder;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transaction.TransactionKey;
import io.tandem.transaction.TransactionUser;
import io.tandem.transport.Peer;
import io.tandem.transport.TransportProtocol;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The session timers of one call under manual time (RFC 4028 section 10), with a 4 s interval:
 *
 * <pre>
 *   Tandem refreshes:  refresh at 2 s; its 2xx re-arms; 408/481 end the call; 405/501 to an
 *                      UPDATE -> re-INVITE at once; other refusals and an offer in progress
 *                      -> again 0.5 s later; a re-INVITE's 2xx is ACKed (again if repeated)
 *   the peer refreshes: nothing sent; the call ends at 4 s - 4/3 s unless a refresh came
 *   the call ends:      nothing fires any more
 * </pre>
 */
class SessionTimersTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load("application-test")));
  private static final ManualTime manualTime = ManualTime.get(testKit.system());
  private static final SessionTimerSettings SETTINGS = new SessionTimerSettings(
      true, Duration.ofSeconds(4), Duration.ofSeconds(2), SessionTimerSettings.Refresh.AUTO);
  private static final String SDP_B = "v=0\r\no=bob 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\n"
      + "t=0 0\r\nm=audio 5000 RTP/AVP 0\r\n";
  private static final Peer CALLER = Peer.destination(TransportProtocol.UDP, new InetSocketAddress("192.0.2.1", 5060));
  private static final Peer CARRIER = Peer.destination(TransportProtocol.UDP, new InetSocketAddress("192.0.2.9", 5060));

  /** What the call would do: a request sent, or the call ended. */
  private sealed interface Done {}

  private record Sent(SipRequest request) implements Done {}

  private record Ended() implements Done {}

  /** Runs {@code action} inside the host actor, where the timers live. */
  private record Run(Consumer<SessionTimers> action) implements Leg.Command {}

  private final TestProbe<Done> call = testKit.createTestProbe();
  private Dialog legA;
  private Dialog legB;
  /** The carrier's 200: its SDP is what Tandem sent leg A in its own 200. */
  private SipResponse carrierOk;
  private volatile boolean offerInProgress;
  private volatile boolean ended;

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  private static SipMessage parse(String text) {
    ParseResult r = new SipParser(ParserLimits.DEFAULTS, Set.of("timer")).parseDatagram(text.getBytes(StandardCharsets.UTF_8));
    return assertInstanceOf(ParseResult.Parsed.class, r, text).message();
  }

  /** Leg A's INVITE with {@code extra} header lines. */
  private static SipRequest callerInvite(String extra) {
    return (SipRequest) parse("INVITE sip:bob@tandem.example SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-a1\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: <sip:alice@a.example>;tag=a1\r\n"
        + "To: <sip:bob@tandem.example>\r\n"
        + "Call-ID: leg-a@192.0.2.1\r\n"
        + "CSeq: 1 INVITE\r\n"
        + "Contact: <sip:alice@192.0.2.1:5060>\r\n"
        + extra
        + "Content-Length: 0\r\n\r\n");
  }

  /** Leg B's INVITE as Tandem sent it, and the carrier's 200 with {@code extra} header lines and SDP. */
  private Dialog carrierLeg(String extra) {
    SipRequest.Builder b = ((SipRequest) parse("INVITE sip:bob@192.0.2.9:5060 SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bK-b1\r\n"
        + "Max-Forwards: 69\r\n"
        + "From: <sip:alice@127.0.0.9>;tag=t1\r\n"
        + "To: <sip:bob@192.0.2.9>\r\n"
        + "Call-ID: leg-b@127.0.0.9\r\n"
        + "CSeq: 1 INVITE\r\n"
        + "Contact: <sip:tandem@127.0.0.9:5060>\r\n"
        + "Content-Length: 0\r\n\r\n")).toBuilder();
    SessionTimer.offer(b, SETTINGS);
    SipRequest invite = b.build();
    SipResponse ok = (SipResponse) parse("SIP/2.0 200 OK\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bK-b1\r\n"
        + "From: <sip:alice@127.0.0.9>;tag=t1\r\n"
        + "To: <sip:bob@192.0.2.9>;tag=b1\r\n"
        + "Call-ID: leg-b@127.0.0.9\r\n"
        + "CSeq: 1 INVITE\r\n"
        + "Contact: <sip:bob@192.0.2.9:5060>\r\n"
        + extra
        + "Content-Type: application/sdp\r\n"
        + "Content-Length: " + SDP_B.length() + "\r\n\r\n" + SDP_B);
    Dialog leg = Dialog.asUac(invite, ok, CARRIER);
    carrierOk = ok;
    leg.sessionTimer = SessionTimer.asUac(invite, ok, SETTINGS);
    return leg;
  }

  /** A call whose legs negotiated as {@code callerHeaders} and {@code carrierHeaders} say, answered now. */
  private ActorRef<TransactionUser> answered(String callerHeaders, String carrierHeaders) {
    SipRequest invite = callerInvite(callerHeaders);
    legA = Dialog.asUas(invite, "ta", CALLER);
    legA.sessionTimer = SessionTimer.asUas(invite, SETTINGS);
    legB = carrierLeg(carrierHeaders);
    legA.noteSent(carrierOk);
    legB.noteSent(invite);
    ActorRef<TransactionUser> host = testKit.spawn(host());
    host.tell(new Run(sessions -> {
      sessions.arm(legA);
      sessions.arm(legB);
    }));
    return host;
  }

  private Behavior<TransactionUser> host() {
    SessionTimers.Legs legs = new SessionTimers.Legs() {
      @Override
      public Dialog leg(String callId) {
        return ended ? null : legA.callId.equals(callId) ? legA : legB.callId.equals(callId) ? legB : null;
      }

      @Override
      public void offer(Dialog leg, MessageBuilder<?> refresh) {
        leg.copySent(refresh);
      }

      @Override
      public boolean offerInProgress(Dialog leg) {
        return offerInProgress;
      }

      @Override
      public void send(SipRequest request, Peer destination) {
        call.ref().tell(new Sent(request));
      }

      @Override
      public void end() {
        ended = true;
        call.ref().tell(new Ended());
      }
    };
    LegMessages messages = new LegMessages(CallKey.ofLegA("leg-a@192.0.2.1"), CallSettings.DEFAULTS,
        p -> new InetSocketAddress("127.0.0.9", 5060), null);
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      SessionTimers sessions = new SessionTimers(CallKey.ofLegA("leg-a@192.0.2.1"), SETTINGS, messages, timers,
          ctx.getLog(), legs);
      return Behaviors.receive(TransactionUser.class)
          .onMessage(Run.class, r -> {
            r.action().accept(sessions);
            return Behaviors.same();
          })
          .onMessage(SessionTimers.Refresh.class, r -> {
            sessions.onRefreshDue(r);
            return Behaviors.same();
          })
          .onMessage(SessionTimers.Expiry.class, e -> {
            sessions.onExpiry(e);
            return Behaviors.same();
          })
          .build();
    }));
  }

  private void passes(long millis) {
    manualTime.timePasses(Duration.ofMillis(millis));
  }

  private SipRequest expectSent(Method method) {
    SipRequest request = call.expectMessageClass(Sent.class).request();
    assertEquals(method, request.method(), request::toString);
    return request;
  }

  private void answer(ActorRef<TransactionUser> host, SipRequest request, int status) {
    SipResponse response = SipResponse.builderFor(request, status).build();
    host.tell(new Run(sessions -> sessions.onResponse(TransactionKey.client(request), response)));
  }

  /** Tandem's refreshes of both legs, due at the same time: [to leg A, to leg B]. */
  private SipRequest[] expectBothRefreshed() {
    SipRequest one = call.expectMessageClass(Sent.class).request();
    SipRequest two = call.expectMessageClass(Sent.class).request();
    return one.callId().equals(legA.callId) ? new SipRequest[] {one, two} : new SipRequest[] {two, one};
  }

  /** Only leg B's timers run (leg A's are stopped at once). */
  private static void onlyLegB(ActorRef<TransactionUser> host, Dialog legA) {
    host.tell(new Run(sessions -> sessions.stop(legA)));
  }

  private void expectNothingFor(long millis) {
    manualTime.expectNoMessageFor(Duration.ofMillis(millis), call);
  }

  /** The carrier answered without Session-Expires but allows UPDATE: Tandem refreshes leg B every 2 s. */
  @Test
  void tandemRefreshesAtHalfTheIntervalAndEach2xxRearms() {
    ActorRef<TransactionUser> host = answered("Supported: timer\r\n", "Allow: INVITE, ACK, BYE, UPDATE\r\n");
    onlyLegB(host, legA);
    expectNothingFor(1999);
    passes(1);
    SipRequest first = expectSent(Method.UPDATE);
    assertEquals("leg-b@127.0.0.9", first.callId());
    assertEquals("4;refresher=uac", first.headers().first(HeaderName.SESSION_EXPIRES).orElseThrow());
    assertEquals(0, first.bodyLength(), "an UPDATE refresh offers nothing");
    answer(host, first, 200);
    expectNothingFor(1999);
    passes(1);
    SipRequest second = expectSent(Method.UPDATE);
    assertEquals(first.cseq().sequence() + 1, second.cseq().sequence());
  }

  /** The caller refreshes (Supported: timer) and does not: the call ends at 4 s - 4/3 s; leg B's refreshes go on until then. */
  @Test
  void aPeerThatDoesNotRefreshIsHungUpAtTheIntervalLessAThird() {
    ActorRef<TransactionUser> host = answered("Supported: timer\r\n", "Session-Expires: 4;refresher=uac\r\nAllow: UPDATE\r\n");
    passes(2000);
    answer(host, expectSent(Method.UPDATE), 200); // leg B, Tandem's
    manualTime.expectNoMessageFor(Duration.ofMillis(666), call);
    passes(1);
    call.expectMessage(new Ended());
  }

  /** A refresh leg A's peer relays through Tandem (a 2xx to it) re-arms leg A's expiry. */
  @Test
  void aRefreshFromThePeerPostponesTheExpiry() {
    ActorRef<TransactionUser> host = answered("Supported: timer\r\n", "Session-Expires: 4;refresher=uas\r\n");
    passes(2000);
    SipRequest update = callerInvite("Supported: timer\r\nSession-Expires: 4;refresher=uac\r\n").toBuilder()
        .requestUri(legA.remoteTarget()).build();
    SipResponse okFromB = SipResponse.builderFor(update, 200).header(HeaderName.SESSION_EXPIRES, "4;refresher=uas").build();
    SipResponse okToA = SipResponse.builderFor(update, 200).build();
    host.tell(new Run(sessions -> sessions.refreshedByRelay(legA, update, legB, okFromB, okToA)));
    expectNothingFor(2666);
    passes(1);
    call.expectMessage(new Ended());
  }

  /** Section 10: a refresh answered 481, or timing out, ends the call. */
  @Test
  void a481OrATimeoutEndsTheCall() {
    ActorRef<TransactionUser> host = answered("", "Allow: UPDATE\r\n");
    passes(2000);
    SipRequest[] refreshes = expectBothRefreshed();
    SipRequest a = refreshes[0];
    SipRequest b = refreshes[1];
    answer(host, a, 481);
    call.expectMessage(new Ended());
    ended = false;
    host.tell(new Run(sessions -> sessions.onFailure(TransactionKey.client(b), 408)));
    call.expectMessage(new Ended());
  }

  /**
   * Without UPDATE in the peer's Allow, or after a 405 to one, the refresh is a re-INVITE with
   * the SDP the other leg's peer sent, and its 2xx is ACKed, again if it comes again.
   */
  @Test
  void reInviteRefreshCarriesTheSdpAndIsAcked() {
    ActorRef<TransactionUser> host = answered("", "Allow: UPDATE\r\n");
    passes(2000);
    SipRequest[] refreshes = expectBothRefreshed();
    SipRequest toA = refreshes[0];
    assertEquals(Method.INVITE, toA.method(), "the caller's INVITE had no Allow");
    assertEquals(SDP_B, toA.bodyText(), "leg A is offered what it was offered, unchanged");
    assertEquals(Method.UPDATE, refreshes[1].method());
    answer(host, refreshes[1], 405);
    SipRequest reInvite = expectSent(Method.INVITE);
    assertEquals("leg-b@127.0.0.9", reInvite.callId());
    SipResponse ok = SipResponse.builderFor(toA, 200).build();
    host.tell(new Run(sessions -> sessions.onResponse(TransactionKey.client(toA), ok)));
    SipRequest ack = expectSent(Method.ACK);
    assertEquals(toA.cseq().sequence(), ack.cseq().sequence());
    host.tell(new Run(sessions -> sessions.onResponse(TransactionKey.client(toA), ok)));
    assertEquals(ack, expectSent(Method.ACK), "a retransmitted 2xx gets the same ACK");
  }

  /** An offer in progress, or a refusal other than 408/481/405/501, puts the refresh off by an eighth of the interval. */
  @Test
  void aRefreshThatCannotGoNowIsTriedAgainLater() {
    offerInProgress = true;
    ActorRef<TransactionUser> host = answered("Supported: timer\r\n", "Allow: UPDATE\r\n");
    onlyLegB(host, legA);
    expectNothingFor(2000);
    host.tell(new Run(sessions -> offerInProgress = false)); // after the refresh that was due
    expectNothingFor(499);
    passes(1);
    answer(host, expectSent(Method.UPDATE), 491);
    expectNothingFor(499);
    passes(1);
    expectSent(Method.UPDATE);
  }

  /** Once the call ends, no timer of its legs fires. */
  @Test
  void stoppedTimersNeverFire() {
    ActorRef<TransactionUser> host = answered("", "");
    host.tell(new Run(sessions -> sessions.stop(legA, legB)));
    expectNothingFor(10_000);
  }
}
