package io.tandem.sip.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.sip.codec.ParseResult;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Typed headers read from whole messages: values spread over several fields and comma lists in
 * one field (RFC 3261 section 7.3.1), the single-valued rule, absent headers, the Contact
 * wildcard, and the lists the grammar allows to be empty.
 */
class HeadersTest {
  @Test
  void listHeaderJoinsItsFieldsAndCommaListsInOrder() {
    SipMessage m = TestMessages.responseWith(
        "Via", "SIP/2.0/UDP a.example;branch=z9hG4bK1, SIP/2.0/UDP b.example;branch=z9hG4bK2",
        "Supported", "timer, 100rel",
        "Via", "SIP/2.0/TCP c.example;branch=z9hG4bK3",
        "k", "replaces",
        "P-Asserted-Identity", "<sip:alice@atlanta.example>",
        "P-Asserted-Identity", "<tel:+15551234567>");
    assertEquals(List.of("a.example", "b.example", "c.example"), m.vias().stream().map(Via::host).toList());
    assertEquals(m.vias(), m.headers().getAll(SipHeaders.VIA).value());
    assertEquals("a.example", m.headers().get(SipHeaders.VIA).value().host(), "get: the first value");
    assertEquals(List.of("timer", "100rel", "replaces"), m.headers().getAll(SipHeaders.SUPPORTED).value());
    List<NameAddr> identities = m.headers().getAll(SipHeaders.P_ASSERTED_IDENTITY).value();
    assertEquals(List.of("sip", "tel"), identities.stream().map(a -> a.uri().scheme()).toList());
  }

  @Test
  void routeOverTwoFieldsKeepsItsOrder() {
    SipMessage m = TestMessages.responseWith(
        "Record-Route", "<sip:p3.example;lr>, <sip:p2.example;lr>", "Record-Route", "<sip:p1.example;lr>");
    assertEquals(List.of("p3.example", "p2.example", "p1.example"),
        m.recordRoutes().stream().map(a -> a.sipUri().orElseThrow().host()).toList());
  }

  static Stream<Arguments> singleValuedHeaders() {
    return Stream.of(
        Arguments.of("Expires", SipHeaders.EXPIRES, "10", "20"),
        Arguments.of("Session-Expires", SipHeaders.SESSION_EXPIRES, "1800", "1800;refresher=uac"),
        Arguments.of("Event", SipHeaders.EVENT, "presence", "dialog"),
        Arguments.of("RSeq", SipHeaders.RSEQ, "1", "1"));
  }

  /** RFC 3261 section 7.3.1: only headers defined as comma lists may appear more than once. */
  @ParameterizedTest(name = "{0} twice is Invalid")
  @MethodSource("singleValuedHeaders")
  void singleValuedHeaderTwiceIsInvalidNamingIt(String name, HeaderType<?> type, String first, String second) {
    Headers h = TestMessages.responseWith(name, first, name, second).headers();
    assertEquals(type.name(), assertInstanceOf(HeaderResult.Invalid.class, h.get(type)).header());
    assertEquals(type.name(), assertInstanceOf(HeaderResult.Invalid.class, h.getAll(type)).header());
  }

  @Test
  void absentHeaderIsAbsentAndAnEmptyList() {
    Headers h = TestMessages.responseWith().headers();
    assertInstanceOf(HeaderResult.Absent.class, h.get(SipHeaders.RSEQ));
    assertEquals(List.of(), h.getAll(SipHeaders.SUPPORTED).value());
  }

  @Test
  void builtRequestReadsBackThroughGetAndGetAll() {
    SipRequest r = SipRequest.builder(Method.SUBSCRIBE, SipUri.parse("sip:bob@biloxi.example"))
        .header(HeaderName.VIA, Via.of("TCP", "192.0.2.1", 5060, "z9hG4bK-s1"))
        .header(HeaderName.FROM, NameAddr.of(SipUri.parse("sip:alice@atlanta.example")).withTag("1"))
        .header(HeaderName.TO, NameAddr.of(SipUri.parse("sip:bob@biloxi.example")))
        .header(HeaderName.CALL_ID, "sub-1@192.0.2.1")
        .header(HeaderName.CSEQ, new CSeq(1, Method.SUBSCRIBE))
        .header(HeaderName.EVENT, "presence;id=1")
        .header(HeaderName.SUPPORTED, "timer")
        .header(HeaderName.SUPPORTED, "100rel, replaces")
        .header(HeaderName.EXPIRES, "600")
        .header(HeaderName.SESSION_EXPIRES, "soon")
        .build();
    assertEquals("1", r.header(SipHeaders.EVENT).value().id().orElseThrow());
    assertEquals(List.of("timer", "100rel", "replaces"), r.headerValues(SipHeaders.SUPPORTED).value());
    assertEquals(600L, r.header(SipHeaders.EXPIRES).value());
    HeaderResult.Invalid<?> bad =
        assertInstanceOf(HeaderResult.Invalid.class, r.header(SipHeaders.SESSION_EXPIRES));
    assertEquals(HeaderName.SESSION_EXPIRES, bad.header(), "read lazily: built, then Invalid when asked");
  }

  @Test
  void loneStarIsTheContactWildcard() {
    SipMessage m = TestMessages.responseWith("Contact", "*", "Expires", "0");
    assertTrue(m.isContactWildcard());
    assertEquals(List.of(), m.contacts());
    assertTrue(TestMessages.responseWith("m", " * ").isContactWildcard());
  }

  @Test
  void starFollowedByAnAddressIsATokenDisplayName() {
    SipMessage m = TestMessages.responseWith("Contact", "* <sip:bob@192.0.2.4>");
    assertEquals("*", m.contacts().get(0).displayName());
  }

  @Test
  void wildcardInsideAListIsA400NamingContact() {
    ParseResult r = TestMessages.parseResult(TestMessages.response("Contact", "*, <sip:bob@192.0.2.4>"));
    assertEquals(HeaderName.CONTACT, assertInstanceOf(ParseResult.Malformed.class, r).header());
  }

  static Stream<Arguments> listsThatMayBeEmpty() {
    return Stream.of(
        Arguments.of("Accept (RFC 3261 section 20.1: empty means no format is acceptable)", SipHeaders.ACCEPT),
        Arguments.of("Allow (RFC 3261 section 25.1: [Method *(COMMA Method)])", SipHeaders.ALLOW),
        Arguments.of("Supported (RFC 3261 section 25.1: [option-tag *(COMMA option-tag)])",
            SipHeaders.SUPPORTED));
  }

  @ParameterizedTest(name = "empty {0}")
  @MethodSource("listsThatMayBeEmpty")
  void emptyValueOfAnOptionalListIsAnEmptyListNotAbsentOrInvalid(String name, HeaderType<?> type) {
    Headers h = TestMessages.responseWith(type.name().name(), "").headers();
    assertEquals(List.of(), assertInstanceOf(HeaderResult.Present.class, h.getAll(type)).value());
    assertEquals(List.of(), type.parse(""));
  }
}
