package io.tandem.transaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.ConfigFactory;
import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.codec.SipParser;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transport.Egress;
import io.tandem.transport.Peer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;

/**
 * Requests, peers and a virtual clock for the server transaction tests: what a UAC on
 * 192.0.2.10 sends Tandem on 127.0.0.1:5060, over UDP or TCP.
 */
final class ServerFixtures {
  static final Peer UDP =
      Peer.udp(new InetSocketAddress("192.0.2.10", 5060), new InetSocketAddress("127.0.0.1", 5060));
  static final Peer TCP =
      Peer.tcp(
          new InetSocketAddress("192.0.2.10", 40312), new InetSocketAddress("127.0.0.1", 5060), 7);

  /**
   * Real time the actor gets to act on whatever a virtual-time advance fired, before a test
   * asserts that nothing was sent. It bounds message delivery, not an RFC timer.
   */
  private static final Duration DELIVERY_GRACE = Duration.ofMillis(30);

  private ServerFixtures() {}

  static ActorTestKit testKit() {
    return ActorTestKit.create(
        ManualTime.config().withFallback(ConfigFactory.load("application-test")));
  }

  static SipRequest invite() {
    return request("INVITE", "z9hG4bK-inv1", "");
  }

  /** The ACK for a non-2xx final (section 17.1.1.3): same branch, the final's To tag. */
  static SipRequest ackFor(SipResponse finalResponse) {
    return request("ACK", "z9hG4bK-inv1", ";tag=" + finalResponse.toTag().orElse("none"));
  }

  /** The ACK for a 2xx: a new transaction of its own (section 13.2.2.4), the layer matched it. */
  static SipRequest ackFor2xx(SipResponse success) {
    return request("ACK", "z9hG4bK-ack2xx", ";tag=" + success.toTag().orElse("none"));
  }

  static SipRequest options() {
    return request("OPTIONS", "z9hG4bK-opt1", "");
  }

  static SipRequest request(String method, String branch, String toTag) {
    String raw =
        method + " sip:bob@127.0.0.1 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=" + branch + "\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:alice@192.0.2.10>;tag=a1\r\n"
            + "To: <sip:bob@127.0.0.1>" + toTag + "\r\n"
            + "Call-ID: call-1@192.0.2.10\r\n"
            + "CSeq: 1 " + method + "\r\n"
            + "Contact: <sip:alice@192.0.2.10>\r\n"
            + "Content-Length: 0\r\n\r\n";
    ParseResult r =
        new SipParser(ParserLimits.DEFAULTS).parseDatagram(raw.getBytes(StandardCharsets.UTF_8));
    return (SipRequest) assertInstanceOf(ParseResult.Parsed.class, r, r::toString).message();
  }

  /** A response the user builds for {@code request}. */
  static SipResponse response(SipRequest request, int status) {
    return Responses.withToTag(request, status);
  }

  /** The next message on the transport: a response sent to {@code source}. */
  static Egress.SendResponse expectSent(TestProbe<Egress.Command> transport, Peer source) {
    Egress.SendResponse sent = transport.expectMessageClass(Egress.SendResponse.class);
    assertEquals(source, sent.requestSource(), "sent back to where the request came from");
    return sent;
  }

  /** Expects {@code expected} (the same response) to be sent to {@code source} now. */
  static Egress.SendResponse expectSent(
      TestProbe<Egress.Command> transport, Peer source, SipResponse expected) {
    Egress.SendResponse sent = expectSent(transport, source);
    assertEquals(expected, sent.response());
    return sent;
  }

  /** Virtual time since the test began, advanced only by the test. */
  static final class Clock {
    private final ManualTime manualTime;
    private Duration now = Duration.ZERO;

    Clock(ManualTime manualTime) {
      this.manualTime = manualTime;
    }

    /** Advances to {@code at} (virtual time since the start of the test). */
    void advanceTo(Duration at) {
      Duration step = at.minus(now);
      if (step.isNegative()) {
        throw new IllegalArgumentException("clock at " + now + ", cannot go back to " + at);
      }
      manualTime.timePasses(step);
      now = at;
    }

    /** Advances to just before {@code at}, asserting no probe received anything meanwhile. */
    void quietUntilJustBefore(Duration at, TestProbe<?>... probes) {
      quietUntil(at.minusMillis(1), probes);
    }

    /** Advances to {@code at}, asserting no probe received anything meanwhile. */
    void quietUntil(Duration at, TestProbe<?>... probes) {
      advanceTo(at);
      for (TestProbe<?> p : probes) {
        p.expectNoMessage(DELIVERY_GRACE);
      }
    }

    Duration now() {
      return now;
    }
  }

  static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }
}
