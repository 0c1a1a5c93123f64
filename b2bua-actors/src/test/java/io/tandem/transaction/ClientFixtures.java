package io.tandem.transaction;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.NameAddr;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.SipUri;
import io.tandem.sip.message.Via;
import io.tandem.transport.Egress;
import io.tandem.transport.Peer;
import io.tandem.transport.TransportProtocol;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;

/** Requests, responses and a test clock shared by the client transaction tests. */
final class ClientFixtures {
  static final Peer UDP =
      Peer.destination(TransportProtocol.UDP, new InetSocketAddress("127.0.0.1", 5070));
  static final Peer TCP =
      Peer.destination(TransportProtocol.TCP, new InetSocketAddress("127.0.0.1", 5070));

  private ClientFixtures() {}

  /** A request as Tandem's B-leg sends it: one Via with an RFC 3261 branch, two Routes. */
  static SipRequest request(Method method, String branch) {
    return SipRequest.builder(method, SipUri.parse("sip:+15551234567@carrier.example;user=phone"))
        .header(HeaderName.VIA, Via.of("UDP", "127.0.0.1", 5060, Via.MAGIC_COOKIE + branch))
        .header(HeaderName.MAX_FORWARDS, "70")
        .header(HeaderName.ROUTE, "<sip:edge1.carrier.example;lr>")
        .header(HeaderName.ROUTE, "<sip:edge2.carrier.example;lr>")
        .header(HeaderName.FROM, NameAddr.of("Alice", SipUri.parse("sip:alice@127.0.0.1")).withTag("f1"))
        .header(HeaderName.TO, NameAddr.of(SipUri.parse("sip:+15551234567@carrier.example")))
        .header(HeaderName.CALL_ID, "call-" + branch + "@127.0.0.1")
        .header(HeaderName.CSEQ, new CSeq(7, method))
        .header(HeaderName.CONTACT, NameAddr.of(SipUri.parse("sip:tandem@127.0.0.1:5060")))
        .build();
  }

  /** The response to {@code request} a peer would send, with {@code toTag} (none if null). */
  static SipResponse response(SipRequest request, int status, String toTag) {
    SipResponse.Builder b = SipResponse.builderFor(request, status);
    if (toTag != null) {
      b.set(HeaderName.TO, request.to().withTag(toTag));
    }
    return b.build();
  }

  /** The next message to the transport, which must be a request to {@code destination}. */
  static Egress.SendRequest expectSend(TestProbe<Egress.Command> transport, Peer destination) {
    Egress.SendRequest send = transport.expectMessageClass(Egress.SendRequest.class);
    assertEquals(destination, send.destination());
    return send;
  }

  /** The transport's answer that it could not send what {@code send} asked for. */
  static void failSend(Egress.SendRequest send, String reason) {
    send.replyTo().tell(new Egress.SendFailed(send.request(), send.destination(), reason));
  }

  /**
   * ManualTime seen from the start of one test: times are absolute from the transaction's
   * start, as in the RFC's timer tables, and each step advances to the next one exactly.
   */
  static final class Clock {
    private static final Duration SETTLE = Duration.ofMillis(50);
    private final ManualTime manualTime;
    private Duration now = Duration.ZERO;

    Clock(ManualTime manualTime) {
      this.manualTime = manualTime;
    }

    /** Moves time to {@code at}; timers due by then fire. */
    void advanceTo(Duration at) {
      manualTime.timePasses(at.minus(now));
      now = at;
    }

    /** Moves time to just before {@code at}, asserting that {@code probes} got nothing. */
    void quietUntilJustBefore(Duration at, TestProbe<?>... probes) {
      quietFor(at.minusMillis(1).minus(now), probes);
    }

    /**
     * Moves time on by {@code d}, asserting that {@code probes} got nothing. Timers fire on
     * the test thread but the actor reacts on its own, so the probes get a moment of real time
     * (no timer depends on it) to receive anything a fired timer caused.
     */
    void quietFor(Duration d, TestProbe<?>... probes) {
      manualTime.timePasses(d);
      now = now.plus(d);
      probes[0].expectNoMessage(SETTLE);
      for (int i = 1; i < probes.length; i++) {
        probes[i].expectNoMessage(Duration.ZERO);
      }
    }

    Duration now() {
      return now;
    }
  }

  static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  static Duration s(long seconds) {
    return Duration.ofSeconds(seconds);
  }
}
