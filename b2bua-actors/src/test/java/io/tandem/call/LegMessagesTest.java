package io.tandem.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.routing.Destination;
import io.tandem.routing.LegBRewrite;
import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.codec.SipParser;
import io.tandem.sip.codec.SipRenderer;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transport.TransportProtocol;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Topology hiding: what of one leg may reach the other (DESIGN section 4). */
class LegMessagesTest {
  private static final String SDP = "v=0\r\no=alice 1 1 IN IP4 10.1.1.1\r\ns=-\r\nc=IN IP4 10.1.1.1\r\n"
      + "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
  private static final SipRequest A_INVITE = (SipRequest) parse(
      "INVITE sip:+4420794@tandem.example.net SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP 10.1.1.1:5060;branch=z9hG4bK-a1;received=198.51.100.1\r\n"
          + "Via: SIP/2.0/UDP 10.9.9.9:5060;branch=z9hG4bK-a0\r\n"
          + "Record-Route: <sip:sbc.a-net.example;lr>\r\n"
          + "Max-Forwards: 12\r\n"
          + "From: \"Alice\" <sip:alice@a-net.example>;tag=a-tag-1\r\n"
          + "To: <sip:+4420794@tandem.example.net>\r\n"
          + "Call-ID: a-call-1@10.1.1.1\r\n"
          + "CSeq: 7 INVITE\r\n"
          + "Contact: <sip:alice@10.1.1.1:5060>\r\n"
          + "P-Asserted-Identity: <sip:+4420111@a-net.example>\r\n"
          + "X-Internal-Route: core-7\r\n"
          + "Content-Type: application/sdp\r\n"
          + "Content-Length: " + SDP.length() + "\r\n\r\n" + SDP);
  private static final CallKey KEY = CallKey.ofLegA(A_INVITE.callId());
  private static final InetSocketAddress TANDEM = new InetSocketAddress("127.0.0.9", 5060);
  private static final LegMessages MESSAGES = new LegMessages(KEY, CallSettings.DEFAULTS, p -> TANDEM, null);
  private static final Destination CARRIER =
      new Destination("lab", TransportProtocol.UDP, new InetSocketAddress("192.0.2.50", 5070));

  private static SipMessage parse(String text) {
    ParseResult r = new SipParser(ParserLimits.DEFAULTS).parseDatagram(text.getBytes(StandardCharsets.UTF_8));
    return assertInstanceOf(ParseResult.Parsed.class, r, text).message();
  }

  private static String wire(SipMessage m) {
    return new String(SipRenderer.renderBytes(m), StandardCharsets.UTF_8);
  }

  @Test
  void legBInviteCarriesNothingOfLegAsNetworkButItsUserAndBody() {
    SipRequest b = MESSAGES.legBInvite(A_INVITE, CARRIER, "+4420794", 1, MESSAGES.newTag());
    String text = wire(b);
    for (String leak : List.of("10.1.1.1", "10.9.9.9", "198.51.100.1", "a-net.example>;tag", "a-tag-1",
        "a-call-1", "sbc.a-net", "X-Internal-Route", "tandem.example.net")) {
      assertFalse(headOf(text).contains(leak), leak + " leaked into leg B:\n" + text);
    }
    assertEquals("sip:+4420794@192.0.2.50:5070", b.requestUriText());
    assertEquals(1, b.vias().size());
    assertEquals("127.0.0.9", b.topVia().host());
    assertTrue(b.topVia().hasRfc3261Branch());
    assertEquals(11, b.maxForwards().getAsInt(), "one less than leg A's 12");
    assertEquals("Alice", b.from().displayName());
    assertEquals("sip:alice@127.0.0.9", b.from().uri().toString());
    assertTrue(b.toTag().isEmpty());
    assertEquals(1, b.cseq().sequence());
    assertEquals(Method.INVITE, b.cseq().method());
    assertEquals("<sip:+4420111@a-net.example>", b.headers().first(HeaderName.P_ASSERTED_IDENTITY).orElseThrow());
    assertEquals(SDP, b.bodyText(), "the body crosses as it is: the media path is not Tandem's");
    assertTrue(b.recordRoutes().isEmpty() && b.routes().isEmpty());
  }

  @Test
  void theCallKeyTravelsInCallIdTagAndBranch() {
    String tag = MESSAGES.newTag();
    SipRequest b = MESSAGES.legBInvite(A_INVITE, CARRIER, "+4420794", 3, tag);
    assertEquals(KEY, CallKey.ofLegB(b).orElseThrow());
    assertTrue(b.fromTag().orElseThrow().contains(KEY.value()));
    assertTrue(b.topVia().branch().orElseThrow().contains(KEY.value()));
    assertEquals(KEY, CallKey.ofLegA("a-call-1@10.1.1.1"), "the key is a function of the leg-A Call-ID");
  }

  @Test
  void aRelayedRingingCarriesNothingOfLegB() {
    SipRequest b = MESSAGES.legBInvite(A_INVITE, CARRIER, "+4420794", 1, MESSAGES.newTag());
    SipResponse ringing = (SipResponse) parse("SIP/2.0 180 Ringing\r\n"
        + b.headers().asList().stream()
            .filter(f -> f.name().equals(HeaderName.VIA) || f.name().equals(HeaderName.FROM)
                || f.name().equals(HeaderName.CALL_ID) || f.name().equals(HeaderName.CSEQ))
            .map(f -> f.name().name() + ": " + f.value() + "\r\n")
            .reduce("", String::concat)
        + "To: <sip:+4420794@192.0.2.50>;tag=carrier-tag-9\r\n"
        + "Record-Route: <sip:edge.carrier.example;lr>\r\n"
        + "Contact: <sip:b@192.0.2.50:5070>\r\n"
        + "Content-Length: 0\r\n\r\n");
    SipResponse toA = MESSAGES.relayToA(A_INVITE, "tandem-a-tag", ringing, TransportProtocol.UDP);
    String text = wire(toA);
    for (String leak : List.of("192.0.2.50", "carrier-tag-9", "edge.carrier", KEY.legBCallId(1))) {
      assertFalse(text.contains(leak), leak + " leaked into leg A:\n" + text);
    }
    assertEquals(180, toA.statusCode());
    assertEquals(A_INVITE.vias(), toA.vias(), "leg A's own Vias, in order");
    assertEquals("a-call-1@10.1.1.1", toA.callId());
    assertEquals("tandem-a-tag", toA.toTag().orElseThrow());
    assertEquals("<sip:tandem@127.0.0.9:5060>", toA.headers().first(HeaderName.CONTACT).orElseThrow());
  }

  @Test
  void aCancelMatchesItsInvitesServerTransaction() {
    SipRequest b = MESSAGES.legBInvite(A_INVITE, CARRIER, "+4420794", 1, MESSAGES.newTag());
    SipRequest cancel = LegMessages.cancel(b);
    assertEquals(Method.CANCEL, cancel.method());
    assertEquals(b.requestUriText(), cancel.requestUriText());
    assertEquals(b.topVia(), cancel.topVia());
    assertEquals(b.callId(), cancel.callId());
    assertEquals(b.from(), cancel.from());
    assertEquals(b.to(), cancel.to());
    assertEquals(b.cseq().sequence(), cancel.cseq().sequence());
    assertEquals(Method.CANCEL, cancel.cseq().method());
  }

  @Test
  void aHeaderOfOneLegCannotBeConfiguredToCross() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new CallSettings(java.time.Duration.ofSeconds(8), java.time.Duration.ZERO, List.of(HeaderName.CONTACT)));
    assertTrue(e.getMessage().contains("Contact"), e.getMessage());
  }

  @Test
  void routeRewriteSetsDialledUserIdentityAndHeadersOfLegB() {
    LegBRewrite rewrite = new LegBRewrite("+4420794", "+4420111", "Reception", "<sip:+4420111@tandem.example>",
        List.of("P-Asserted-Identity", "Privacy"), List.of(new LegBRewrite.Header("X-Route", "uk"),
            new LegBRewrite.Header("Privacy", "id")));
    SipRequest b = MESSAGES.legBInvite(A_INVITE, CARRIER, rewrite.dial(), 1, MESSAGES.newTag(), rewrite);
    assertEquals("sip:+4420794@192.0.2.50:5070", b.requestUriText());
    assertEquals("Reception", b.from().displayName());
    assertEquals("sip:+4420111@127.0.0.9", b.from().uri().toString(), "the user is the route's, the host Tandem's");
    assertEquals(List.of("<sip:+4420111@tandem.example>"), b.headers().values(HeaderName.P_ASSERTED_IDENTITY),
        "the route's identity replaces the one copied from leg A");
    assertEquals(List.of("uk"), b.headers().values(HeaderName.of("x-route")));
    assertEquals(List.of("id"), b.headers().values(HeaderName.of("Privacy")), "remove then add replaces");
    assertEquals(SDP, b.bodyText());
  }

  @Test
  void noRewriteBuildsTheSameInviteAsBefore() {
    SipRequest plain = MESSAGES.legBInvite(A_INVITE, CARRIER, "+4420794", 1, "t1");
    SipRequest none = MESSAGES.legBInvite(A_INVITE, CARRIER, "+4420794", 1, "t1", LegBRewrite.NONE);
    assertEquals(plain.headers().values(HeaderName.FROM), none.headers().values(HeaderName.FROM));
    assertEquals(plain.headers().values(HeaderName.P_ASSERTED_IDENTITY),
        none.headers().values(HeaderName.P_ASSERTED_IDENTITY));
    assertEquals(plain.requestUriText(), none.requestUriText());
  }

  private static String headOf(String message) {
    return message.substring(0, message.indexOf("\r\n\r\n"));
  }
}
