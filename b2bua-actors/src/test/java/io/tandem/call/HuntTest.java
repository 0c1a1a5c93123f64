package io.tandem.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.routing.Destination;
import io.tandem.routing.HuntPolicy;
import io.tandem.routing.LegBRewrite;
import io.tandem.routing.RoutingDecision;
import io.tandem.routing.RoutingPolicy;
import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.codec.SipParser;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.SipUri;
import io.tandem.transport.TransportProtocol;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HuntTest {
  private static final Destination ONE = new Destination("one", TransportProtocol.UDP, new InetSocketAddress("192.0.2.1", 5060));
  private static final Destination TWO = new Destination("two", TransportProtocol.TCP, new InetSocketAddress("192.0.2.2", 5060));
  /** A configured carrier that no route of the call's lists. */
  private static final Destination SEVEN = new Destination("seven", TransportProtocol.TCP, new InetSocketAddress("192.0.2.7", 5070));
  /** Routing as a redirect sees it: carrier seven at its address; users "ported..." routed to two. */
  private static final RoutingPolicy ROUTING = new RoutingPolicy() {
    @Override
    public RoutingDecision route(SipRequest invite) {
      String user = ((SipUri) invite.requestUri()).user();
      return user != null && user.startsWith("ported") ? new RoutingDecision.Route("ported", List.of(TWO), HuntPolicy.DEFAULTS)
          : new RoutingDecision.Reject(404, "No Route");
    }

    @Override
    public List<Destination> carriersAt(InetSocketAddress address) {
      return SEVEN.address().equals(address) ? List.of(SEVEN) : List.of();
    }
  };
  private static final SipRequest INVITE = (SipRequest) ((ParseResult.Parsed) new SipParser(ParserLimits.DEFAULTS)
      .parseDatagram(("INVITE sip:4420@192.0.2.100 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK2\r\n"
          + "Max-Forwards: 70\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:4420@x>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n"
          + "Contact: <sip:a@192.0.2.9>\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII))).message();

  private static Hunt hunt(int maxRedirects) {
    return hunt(new HuntPolicy(Set.of(486, 503), true, maxRedirects));
  }

  private static Hunt hunt(HuntPolicy policy) {
    return new Hunt(new RoutingDecision.Route("r", List.of(ONE, TWO), policy), "4420");
  }

  private static boolean redirect(Hunt h, String... contacts) {
    return h.redirect(redirect(contacts), ONE, "4420", ROUTING, INVITE);
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
    assertTrue(h.redirect(redirect("<sip:192.0.2.7:5070>"), ONE, "004420", ROUTING, INVITE));
    assertEquals("+4420", h.next().orElseThrow().user(), "a Contact without a user dials the route's number");
    assertEquals("+4420", h.next().orElseThrow().user());
  }

  /** 301 and 302 are a new address for the call; 300 is the caller's choice, 305 and 380 no address. */
  @Test
  void only301And302AreFollowed() {
    for (int status : List.of(301, 302)) {
      assertEquals(HuntPolicy.Outcome.REDIRECT, hunt(3).onFinal(status), "" + status);
    }
    for (int status : List.of(300, 305, 380, 399)) {
      assertEquals(HuntPolicy.Outcome.STOP, hunt(3).onFinal(status), status + " is relayed");
    }
    assertEquals(HuntPolicy.Outcome.STOP, hunt(new HuntPolicy(Set.of(486), false, 3)).onFinal(302), "follow-redirects off");
  }

  @Test
  void aContactAtAConfiguredCarrierIsTriedNextWithItsOwnUser() {
    Hunt h = hunt(3);
    h.next();
    assertEquals(HuntPolicy.Outcome.REDIRECT, h.onFinal(302));
    assertTrue(redirect(h, "<sip:carol@192.0.2.7:5070;transport=tcp>", "<sip:dave.example.com>"));
    Hunt.Target next = h.next().orElseThrow();
    assertEquals(SEVEN, next.destination(), "the carrier as configured: its name, transport, limits");
    assertEquals("carol", next.user());
    assertEquals(TWO, h.next().orElseThrow().destination(), "the name-only Contact is skipped (no DNS)");
  }

  /** A Contact elsewhere is not followed there: its user is routed as a new call's would be. */
  @Test
  void aContactAtAnyOtherHostGoesWhereTheRoutesSendItsUser() {
    Hunt h = hunt(3);
    h.next();
    assertFalse(redirect(h, "<sip:eve@198.51.100.9>"), "no route for eve, and 198.51.100.9 is no carrier");
    assertTrue(redirect(h, "<sip:ported-44@198.51.100.9>"));
    Hunt.Target next = h.next().orElseThrow();
    assertEquals(TWO, next.destination(), "the route of ported-44, not the Contact's host");
    assertEquals("ported-44", next.user());
  }

  @Test
  void redirectToAnyHostFollowsAContactWhereverItPoints() {
    Hunt h = hunt(new HuntPolicy(Set.of(486), true, 3, null, null, Map.of(), true));
    h.next();
    assertTrue(redirect(h, "<sip:eve@198.51.100.9:5080>"));
    Hunt.Target next = h.next().orElseThrow();
    assertEquals(new InetSocketAddress("198.51.100.9", 5080), next.destination().address());
    assertEquals("one", next.destination().carrier(), "counted against the carrier that redirected");
    assertEquals("eve", next.user());
  }

  @Test
  void redirectsStopWhenTheRouteAllowsNoMore() {
    Hunt h = hunt(1);
    h.next();
    assertEquals(HuntPolicy.Outcome.REDIRECT, h.onFinal(302));
    assertTrue(redirect(h, "<sip:carol@192.0.2.7:5070>"));
    h.next();
    assertEquals(HuntPolicy.Outcome.STOP, h.onFinal(302), "max-redirects 1 reached");
    assertFalse(redirect(hunt(3), "<sip:x@host.example>"), "nothing usable");
  }
}
