package io.tandem.sip.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.codec.SipParser;
import io.tandem.sip.codec.SipRenderer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Building messages: what Tandem sends must pass the checks it applies to what it receives. */
class MessageBuilderTest {
  private static final byte[] SDP =
      "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
          .getBytes(StandardCharsets.US_ASCII);

  static SipRequest.Builder invite() {
    return SipRequest.builder(Method.INVITE, SipUri.parse("sip:+15551234567@carrier.example;user=phone"))
        .header(HeaderName.VIA, Via.of("UDP", "192.0.2.10", 5060, "z9hG4bK-b1"))
        .header(HeaderName.MAX_FORWARDS, "70")
        .header(HeaderName.FROM, NameAddr.of("Alice", SipUri.parse("sip:alice@192.0.2.10")).withTag("f1"))
        .header(HeaderName.TO, NameAddr.of(SipUri.parse("sip:+15551234567@carrier.example")))
        .header(HeaderName.CALL_ID, "c1@192.0.2.10")
        .header(HeaderName.CSEQ, new CSeq(1, Method.INVITE))
        .header(HeaderName.CONTACT, NameAddr.of(SipUri.parse("sip:alice@192.0.2.10:5060")))
        .body(MediaType.SDP, SDP);
  }

  private static SipMessage parse(byte[] bytes) {
    ParseResult r = new SipParser(ParserLimits.DEFAULTS).parseDatagram(bytes);
    return assertInstanceOf(ParseResult.Parsed.class, r, r::toString).message();
  }

  @Test
  void builtRequestHasTheTypedValuesItWasGiven() {
    SipRequest r = invite().build();
    assertEquals(Method.INVITE, r.method());
    assertEquals("z9hG4bK-b1", r.topVia().branch().orElseThrow());
    assertEquals("Alice", r.from().displayName());
    assertEquals("f1", r.from().tag().orElseThrow());
    assertFalse(r.to().tag().isPresent());
    assertEquals("c1@192.0.2.10", r.callId());
    assertEquals(new CSeq(1, Method.INVITE), r.cseq());
    assertEquals(70, r.maxForwards().getAsInt());
    assertArrayEquals(SDP, r.body());
    assertTrue(r.isCanonical());
  }

  @Test
  void renderedFormIsCanonicalAndParsesBackEqual() {
    SipRequest r = invite().build();
    byte[] wire = SipRenderer.renderBytes(r);
    String text = new String(wire, StandardCharsets.US_ASCII);
    assertTrue(text.startsWith("INVITE sip:+15551234567@carrier.example;user=phone SIP/2.0\r\nVia: SIP/2.0/UDP"));
    assertTrue(text.contains("\r\nContent-Length: " + SDP.length + "\r\n\r\nv=0"));
    assertEquals(r, parse(wire));
  }

  @Test
  void compactFoldedReceivedMessageRendersWithLongNamesAndNoFolds() {
    String received = "OPTIONS sip:a@example.com SIP/2.0\r\n"
        + "v: SIP/2.0/UDP h.example.com\r\n ;branch=z9hG4bK1\r\n"
        + "f: <sip:b@example.com>;tag=1\r\nt: <sip:a@example.com>\r\ni: x@y\r\n"
        + "CSeq: 2\r\n\tOPTIONS\r\nX-Odd:  keep   this  \r\nl: 0\r\n\r\n";
    SipMessage m = parse(received.getBytes(StandardCharsets.US_ASCII));
    String rendered = new String(SipRenderer.renderBytes(m), StandardCharsets.US_ASCII);
    assertEquals("OPTIONS sip:a@example.com SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP h.example.com ;branch=z9hG4bK1\r\n"
        + "From: <sip:b@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\nCall-ID: x@y\r\n"
        + "CSeq: 2 OPTIONS\r\nX-Odd: keep   this\r\nContent-Length: 0\r\n\r\n", rendered);
    assertEquals(m, parse(rendered.getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void headerInjectionIsRefused() {
    SipRequest.Builder b = invite();
    assertThrows(IllegalArgumentException.class,
        () -> b.header(HeaderName.of("X-Note"), "fine\r\nVia: SIP/2.0/UDP evil.example"));
    assertThrows(IllegalArgumentException.class, () -> b.header(HeaderName.SUBJECT, "a\nb"));
    assertThrows(IllegalArgumentException.class, () -> SipResponse.builder(200).status(200, "OK\r\nX: y"));
  }

  @Test
  void contentLengthComesFromTheBodyOnly() {
    assertThrows(IllegalArgumentException.class, () -> invite().header(HeaderName.CONTENT_LENGTH, "0"));
    assertEquals(0, invite().noBody().build().bodyLength());
    assertFalse(invite().noBody().build().contentType().isPresent());
  }

  @Test
  void unsoundMessagesAreNotBuilt() {
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> invite().remove(HeaderName.CALL_ID).build());
    assertTrue(missing.getMessage().contains("Missing Call-ID"), missing.getMessage());
    IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
        () -> invite().set(HeaderName.CSEQ, new CSeq(1, Method.BYE)).build());
    assertTrue(mismatch.getMessage().contains("Invalid CSeq"), mismatch.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> invite().header(HeaderName.MAX_FORWARDS, "300").build());
    assertThrows(IllegalArgumentException.class,
        () -> invite().header(HeaderName.FROM, "<sip:second@example.com>;tag=2").build());
  }

  @Test
  void headerFirstAddsTheTopViaAndRemoveFirstTakesItAway() {
    SipRequest r = invite().headerFirst(HeaderName.VIA, Via.of("TCP", "tandem.example", 5060, "z9hG4bK-top")).build();
    assertEquals(List.of("z9hG4bK-top", "z9hG4bK-b1"),
        r.vias().stream().map(v -> v.branch().orElseThrow()).toList());
    SipRequest back = r.toBuilder().removeFirst(HeaderName.VIA).build();
    assertEquals("z9hG4bK-b1", back.topVia().branch().orElseThrow());
  }

  @Test
  void setReplacesInPlaceKeepingOrder() {
    SipRequest r = invite().set(HeaderName.MAX_FORWARDS, "69").build();
    assertEquals(69, r.maxForwards().getAsInt());
    assertEquals(HeaderName.MAX_FORWARDS, r.headers().name(1), "still right after Via");
  }

  @Test
  void toBuilderKeepsUnknownHeadersInOrderByteForByte() {
    String received = "MESSAGE sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK2\r\n"
        + "X-B: 2\r\nFrom: <sip:b@example.com>;tag=1\r\nX-A: \u00e9t\u00e9 \"q\" ;;\r\nTo: <sip:a@example.com>\r\n"
        + "Call-ID: m@h\r\nCSeq: 5 MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi";
    SipMessage m = parse(received.getBytes(StandardCharsets.UTF_8));
    SipRequest copy = ((SipRequest) m).toBuilder().build();
    assertEquals(m, copy);
    assertEquals(List.of("X-B", "X-A"), copy.headers().asList().stream()
        .map(f -> f.name().name()).filter(n -> n.startsWith("X-")).toList());
    assertEquals("\u00e9t\u00e9 \"q\" ;;", copy.headers().first(HeaderName.of("x-a")).orElseThrow());
  }

  @Test
  void latin1OctetsSurviveARebuildUnchanged() {
    byte[] head = ("OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK3\r\n"
        + "From: \"M\u00fcller\" <sip:b@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\n"
        + "Call-ID: l@h\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    SipMessage m = parse(head);
    assertEquals("M\u00fcller", m.from().displayName(), "not UTF-8: read as ISO-8859-1");
    byte[] rendered = SipRenderer.renderBytes(m);
    assertTrue(new String(rendered, StandardCharsets.ISO_8859_1).contains("\"M\u00fcller\""));
  }

  @Test
  void responseForRequestCopiesTheFieldsRfc3261Names() {
    SipRequest request = invite().header(HeaderName.of("X-Other"), "not copied").build();
    SipResponse ringing = SipResponse.builderFor(request, StatusCode.RINGING).set(HeaderName.TO,
        request.to().withTag("t9")).build();
    assertEquals(180, ringing.statusCode());
    assertEquals("Ringing", ringing.reasonPhrase());
    assertEquals(request.vias(), ringing.vias());
    assertEquals(request.from(), ringing.from());
    assertEquals("t9", ringing.to().tag().orElseThrow());
    assertEquals(request.callId(), ringing.callId());
    assertEquals(request.cseq(), ringing.cseq());
    assertFalse(ringing.headers().contains(HeaderName.of("X-Other")));
    assertEquals(ringing, parse(SipRenderer.renderBytes(ringing)));
  }

  @Test
  void everyStatusCodeBuildsAndRoundTrips() {
    SipRequest request = invite().build();
    for (int code : StatusCode.knownCodes()) {
      SipResponse r = SipResponse.builderFor(request, code).build();
      assertEquals(code, r.statusCode());
      assertEquals(StatusCode.reasonPhrase(code), r.reasonPhrase());
      assertEquals(r, parse(SipRenderer.renderBytes(r)));
    }
  }

  @Test
  void everyKnownMethodBuildsAndRoundTrips() {
    for (Method method : Method.KNOWN) {
      SipRequest r = SipRequest.builder(method, SipUri.parse("sip:bob@example.com"))
          .header(HeaderName.VIA, Via.of("TCP", "192.0.2.1", 5060, "z9hG4bK-" + method))
          .header(HeaderName.FROM, NameAddr.of(SipUri.parse("sip:a@example.com")).withTag("1"))
          .header(HeaderName.TO, NameAddr.of(SipUri.parse("sip:bob@example.com")))
          .header(HeaderName.CALL_ID, "m-" + method)
          .header(HeaderName.CSEQ, new CSeq(4_294_967_295L, method))
          .build();
      assertEquals(r, parse(SipRenderer.renderBytes(r)));
    }
  }
}
