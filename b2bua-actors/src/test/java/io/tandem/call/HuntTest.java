package io.tandem.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.routing.Destination;
import io.tandem.routing.HuntPolicy;
import io.tandem.routing.LegBRewrite;
import io.tandem.routing.RoutingDecision;
import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.codec.SipParser;
import io.tandem.sip.message.SipResponse;
import io.tandem.transport.TransportProtocol;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HuntTest {
  private static final Destination ONE = new Destination("one", TransportProtocol.UDP, new InetSocketAddress("192.0.2.1", 5060));
  private static final Destination TWO = new Destination("two", TransportProtocol.TCP, new InetSocketAddress("192.0.2.2", 5060));

  private static Hunt hunt(int maxRedirects) {
    return new Hunt(new RoutingDecision.Route("r", List.of(ONE, TWO),
        new HuntPolicy(Set.of(486, 503), true, maxRedirects)), "4420");
  }

  private static SipResponse redirect(String... contacts) {
    StringBuilder text = new StringBuilder("SIP/2.0 302 Moved\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK1\r\n"
        + "From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n");
    for (String c : contacts) {
      text.append("Contact: ").append(c).append("\r\n");
    }
    text.append("Content-Length: 0\r\n\r\n");
    return (SipResponse) ((ParseResult.Parsed) new SipParser(ParserLimits.DEFAULTS)
        .parseDatagram(text.toString().getBytes(StandardCharsets.US_ASCII))).message();
  }

  @Test
  void destinationsComeInRouteOrderThenTheBestFinal() {
    Hunt h = hunt(3);
    assertEquals(ONE, h.next().orElseThrow().destination());
    assertEquals(HuntPolicy.Outcome.HUNT, h.onFinal(486));
    assertEquals(TWO, h.next().orElseThrow().destination());
    h.failed(408);
    assertTrue(h.next().isEmpty());
    assertEquals(486, h.best(), "a 486 is more use to the caller than a timeout");
    assertEquals(List.of(486, 408), h.finals());
  }

  @Test
  void aRoutesDialReplacesTheUserAtEveryDestinationAndUserlessRedirect() {
    LegBRewrite rewrite = new LegBRewrite("+4420", null, null, null, List.of(), List.of());
    Hunt h = new Hunt(new RoutingDecision.Route("r", List.of(ONE, TWO), HuntPolicy.DEFAULTS,
        io.tandem.routing.TransferPolicy.ACT, rewrite), "004420");
    Hunt.Target first = h.next().orElseThrow();
    assertEquals("+4420", first.user());
    assertEquals(rewrite, first.rewrite());
    assertTrue(h.redirect(redirect("<sip:192.0.2.7>"), ONE, "004420"));
    assertEquals("+4420", h.next().orElseThrow().user(), "a Contact without a user dials the route's number");
    assertEquals("+4420", h.next().orElseThrow().user());
  }

  @Test
  void aRedirectsContactsAreTriedNextWithTheirOwnUser() {
    Hunt h = hunt(3);
    h.next();
    assertEquals(HuntPolicy.Outcome.REDIRECT, h.onFinal(302));
    assertTrue(h.redirect(redirect("<sip:carol@192.0.2.7:5070;transport=tcp>", "<sip:dave.example.com>"), ONE, "4420"));
    Hunt.Target next = h.next().orElseThrow();
    assertEquals(new InetSocketAddress("192.0.2.7", 5070), next.destination().address());
    assertEquals(TransportProtocol.TCP, next.destination().transport());
    assertEquals("carol", next.user());
    assertEquals(TWO, h.next().orElseThrow().destination(), "the name-only Contact is skipped (no DNS)");
  }

  @Test
  void redirectsStopWhenTheRouteAllowsNoMore() {
    Hunt h = hunt(1);
    h.next();
    assertEquals(HuntPolicy.Outcome.REDIRECT, h.onFinal(302));
    assertTrue(h.redirect(redirect("<sip:carol@192.0.2.7>"), ONE, "4420"));
    h.next();
    assertEquals(HuntPolicy.Outcome.STOP, h.onFinal(302), "max-redirects 1 reached");
    assertFalse(hunt(3).redirect(redirect("<sip:x@host.example>"), ONE, "4420"), "nothing usable");
  }
}
