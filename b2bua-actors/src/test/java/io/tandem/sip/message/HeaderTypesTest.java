package io.tandem.sip.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.sip.codec.ParseResult;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The RFC 3261 core headers (section 20 and the grammar of section 25.1), one named case per
 * edge case: each valid value is read by {@link HeaderType#parse} and, inside a parsed message,
 * by {@link Headers#getAll} and {@link Headers#get}; each invalid value is refused naming the
 * header. The extension headers are in {@link ExtensionHeaderTypesTest}, authentication in
 * {@link AuthHeaderTypesTest}.
 */
class HeaderTypesTest {
  /** The headers the parser checks on arrival: an invalid one makes the message a 400. */
  static final Set<HeaderName> CHECKED_ON_ARRIVAL =
      Set.of(HeaderName.VIA, HeaderName.FROM, HeaderName.TO, HeaderName.CALL_ID, HeaderName.CSEQ,
          HeaderName.MAX_FORWARDS, HeaderName.CONTACT, HeaderName.ROUTE, HeaderName.RECORD_ROUTE,
          HeaderName.CONTENT_TYPE, HeaderName.REQUIRE, HeaderName.PROXY_REQUIRE);

  /** A valid value of {@code type} and what must be read from it. */
  record Valid<T>(HeaderType<T> type, String value, Consumer<List<T>> check) {}

  static <T> Arguments valid(String name, HeaderType<T> type, String value, Consumer<List<T>> check) {
    return Arguments.of(name, new Valid<>(type, value, check));
  }

  static Arguments invalid(String name, HeaderType<?> type, String value) {
    return Arguments.of(name, type, value);
  }

  static <T> T only(List<T> values) {
    assertEquals(1, values.size(), values::toString);
    return values.get(0);
  }

  static Stream<Arguments> validValues() {
    return Stream.of(
        valid("Via: sent-by with port, branch, received and rport flag", SipHeaders.VIA,
            "SIP/2.0/UDP pc33.atlanta.com:5066;branch=z9hG4bK776asdhds;received=192.0.2.1;rport", v -> {
              Via via = only(v);
              assertEquals(List.of("SIP", "2.0", "UDP", "pc33.atlanta.com"),
                  List.of(via.protocol(), via.version(), via.transport(), via.host()));
              assertEquals(5066, via.port());
              assertEquals("z9hG4bK776asdhds", via.branch().orElseThrow());
              assertTrue(via.hasRfc3261Branch());
              assertEquals("192.0.2.1", via.received().orElseThrow());
              assertTrue(via.hasRport());
              assertTrue(via.rport().isEmpty());
            }),
        valid("Via: bracketed IPv6 sent-by, lower-case transport", SipHeaders.VIA,
            "SIP/2.0/tcp [2001:db8::1]:5070;branch=z9hG4bK-6", v -> {
              assertEquals("TCP", only(v).transport());
              assertEquals("[2001:db8::1]", only(v).host());
              assertEquals(5070, only(v).port());
            }),
        valid("Via: maddr, ttl, rport value, IPv6 received", SipHeaders.VIA,
            "SIP/2.0/UDP 192.0.2.4;branch=z9hG4bK1;maddr=224.2.0.1;ttl=16;rport=5070;received=2001:db8::9",
            v -> {
              assertEquals("224.2.0.1", only(v).maddr().orElseThrow());
              assertEquals(16, only(v).ttl().getAsInt());
              assertEquals(5070, only(v).rport().getAsInt());
              assertEquals("2001:db8::9", only(v).received().orElseThrow());
              assertEquals(-1, only(v).port());
            }),
        valid("Via: LWS around SLASH, COLON, SEMI and EQUAL", SipHeaders.VIA,
            "SIP / 2.0 / UDP host.example : 5060 ; branch = z9hG4bK1", v -> {
              assertEquals("UDP", only(v).transport());
              assertEquals("host.example", only(v).host());
              assertEquals(5060, only(v).port());
              assertEquals("z9hG4bK1", only(v).branch().orElseThrow());
            }),
        valid("Via: folded before a parameter", SipHeaders.VIA,
            "SIP/2.0/UDP host.example\r\n\t;branch=z9hG4bK1",
            v -> assertEquals("z9hG4bK1", only(v).branch().orElseThrow())),
        valid("Via: two values in one field, folded after the COMMA", SipHeaders.VIA,
            "SIP/2.0/UDP a.example;branch=z9hG4bK1 ,\r\n SIP/2.0/TLS b.example;branch=z9hG4bK2", v -> {
              assertEquals(List.of("a.example", "b.example"), v.stream().map(Via::host).toList());
              assertEquals("TLS", v.get(1).transport());
            }),
        valid("Via: RFC 2543 branch without the magic cookie", SipHeaders.VIA,
            "SIP/2.0/UDP a.example;branch=1", v -> assertFalse(only(v).hasRfc3261Branch())),
        valid("From: quoted display name, SWS before SEMI", SipHeaders.FROM,
            "\"Bob\" <sips:bob@biloxi.com> ;tag=a48s", v -> {
              assertEquals("Bob", only(v).displayName());
              assertEquals(SipUri.parse("sips:bob@biloxi.com"), only(v).uri());
              assertEquals("a48s", only(v).tag().orElseThrow());
            }),
        valid("From: addr-spec, so ;tag is a header parameter", SipHeaders.FROM,
            "sip:+12125551212@server.phone2net.com;tag=887s", v -> {
              assertNull(only(v).displayName());
              assertEquals("887s", only(v).tag().orElseThrow());
              assertTrue(only(v).sipUri().orElseThrow().params().isEmpty());
            }),
        valid("To: token display name", SipHeaders.TO,
            "Anonymous <sip:c8oqz84zk7z@privacy.org>;tag=hyh8",
            v -> assertEquals("Anonymous", only(v).displayName())),
        valid("To: LWS around SEMI and EQUAL", SipHeaders.TO, "<sip:bob@biloxi.com> ; tag = 1928301774",
            v -> assertEquals("1928301774", only(v).tag().orElseThrow())),
        valid("To: URI parameters inside <> stay with the URI", SipHeaders.TO,
            "<tel:+1-201-555-0123;isub=44>;tag=x", v -> {
              assertEquals("44", ((TelUri) only(v).uri()).params().get("isub").orElseThrow());
              assertEquals(List.of("tag"), only(v).params().asList().stream()
                  .map(Parameters.Parameter::name).toList());
            }),
        valid("Call-ID: word@word", SipHeaders.CALL_ID, "f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com",
            v -> assertEquals("f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com", only(v))),
        valid("Call-ID: word alone, with the odd word characters", SipHeaders.CALL_ID,
            "id(1)<2>:\\\"/[3]?{4}%~", v -> assertEquals("id(1)<2>:\\\"/[3]?{4}%~", only(v))),
        valid("CSeq: number and method", SipHeaders.CSEQ, "4711 INVITE",
            v -> assertEquals(new CSeq(4711, Method.INVITE), only(v))),
        valid("CSeq: 2**32-1 and an extension method", SipHeaders.CSEQ, "4294967295 FOO",
            v -> assertEquals(new CSeq(4_294_967_295L, Method.of("FOO")), only(v))),
        valid("CSeq: folded between number and method", SipHeaders.CSEQ, "2\r\n\tREGISTER",
            v -> assertEquals(new CSeq(2, Method.REGISTER), only(v))),
        valid("Max-Forwards: 70", SipHeaders.MAX_FORWARDS, "70", v -> assertEquals(70L, only(v))),
        valid("Max-Forwards: 0", SipHeaders.MAX_FORWARDS, "0", v -> assertEquals(0L, only(v))),
        valid("Max-Forwards: 255", SipHeaders.MAX_FORWARDS, "255", v -> assertEquals(255L, only(v))),
        valid("Contact: name-addr with q and expires", SipHeaders.CONTACT,
            "\"Mr. Watson\" <sip:watson@worcester.bell-telephone.com>;q=0.7;expires=3600", v -> {
              assertEquals("Mr. Watson", only(v).displayName());
              assertEquals("0.7", only(v).params().get("q").orElseThrow());
              assertEquals("3600", only(v).params().get("expires").orElseThrow());
            }),
        valid("Contact: three values, LWS and a fold around COMMA", SipHeaders.CONTACT,
            "<sip:a@a.example>;q=1.0 ,<sip:b@b.example>;q=0.5,\r\n sip:c@192.0.2.3", v -> {
              assertEquals(3, v.size());
              assertEquals(SipUri.parse("sip:c@192.0.2.3"), v.get(2).uri());
            }),
        valid("Contact: addr-spec, so ;expires is a header parameter", SipHeaders.CONTACT,
            "sip:bob@192.0.2.4;expires=60", v -> {
              assertEquals("60", only(v).params().get("expires").orElseThrow());
              assertTrue(only(v).sipUri().orElseThrow().params().isEmpty());
            }),
        valid("Contact: q=0 and q=1.000 are the bounds", SipHeaders.CONTACT,
            "<sip:a@a.example>;q=0, <sip:b@b.example>;q=1.000", v -> assertEquals(2, v.size())),
        valid("Contact: mailto URI kept opaque", SipHeaders.CONTACT,
            "<mailto:watson@bell-telephone.com>;q=0.1",
            v -> assertEquals("mailto", assertInstanceOf(AbsoluteUri.class, only(v).uri()).scheme())),
        valid("Route: two loose routers in one field", SipHeaders.ROUTE,
            "<sip:p1.example.com;lr>, <sip:p2.domain.com;lr>", v -> {
              assertEquals(2, v.size());
              assertTrue(v.stream().allMatch(a -> a.sipUri().orElseThrow().isLooseRouting()));
            }),
        valid("Record-Route: IPv6 host with port, transport and lr", SipHeaders.RECORD_ROUTE,
            "<sip:[2001:db8::2]:5062;transport=TCP;lr>", v -> {
              SipUri uri = only(v).sipUri().orElseThrow();
              assertEquals("[2001:db8::2]", uri.host());
              assertEquals(5062, uri.port());
              assertEquals("tcp", uri.transport().orElseThrow());
            }),
        valid("Content-Type: application/sdp", SipHeaders.CONTENT_TYPE, "application/sdp",
            v -> assertEquals(MediaType.SDP, only(v))),
        valid("Content-Type: upper case, LWS around SLASH, SEMI and EQUAL", SipHeaders.CONTENT_TYPE,
            "Text / HTML ; charset = ISO-8859-4", v -> {
              assertEquals("text", only(v).type());
              assertEquals("html", only(v).subtype());
              assertEquals("ISO-8859-4", only(v).params().get("charset").orElseThrow());
            }),
        valid("Content-Type: quoted boundary", SipHeaders.CONTENT_TYPE, "multipart/mixed;boundary=\"b1 b2\"",
            v -> assertEquals("b1 b2", only(v).params().text("boundary").orElseThrow())),
        valid("Accept: ranges with q", SipHeaders.ACCEPT, "application/sdp;level=1, application/*;q=0.5 , */*",
            v -> assertEquals(List.of("sdp", "*", "*"), v.stream().map(MediaType::subtype).toList())),
        valid("Accept: folded list (RFC 4475 semiuri)", SipHeaders.ACCEPT,
            "application/sdp, application/pkcs7-mime,\r\n        multipart/mixed, multipart/signed",
            v -> assertEquals(4, v.size())),
        valid("Require: one option tag", SipHeaders.REQUIRE, "100rel", v -> assertEquals("100rel", only(v))),
        valid("Supported: LWS around COMMA", SipHeaders.SUPPORTED, "timer ,100rel,\treplaces",
            v -> assertEquals(List.of("timer", "100rel", "replaces"), v)),
        valid("Unsupported: one option tag", SipHeaders.UNSUPPORTED, "foo", v -> assertEquals(List.of("foo"), v)),
        valid("Proxy-Require: two option tags", SipHeaders.PROXY_REQUIRE, "foo, bar",
            v -> assertEquals(List.of("foo", "bar"), v)),
        valid("Allow: known methods", SipHeaders.ALLOW, "INVITE, ACK, OPTIONS, CANCEL, BYE",
            v -> assertEquals(List.of(Method.INVITE, Method.ACK, Method.OPTIONS, Method.CANCEL, Method.BYE), v)),
        valid("Allow: methods are case-sensitive, extensions are tokens", SipHeaders.ALLOW, "invite,X-FOO",
            v -> {
              assertFalse(v.contains(Method.INVITE));
              assertEquals(List.of("invite", "X-FOO"), v.stream().map(Method::name).toList());
            }),
        valid("Expires: 3600", SipHeaders.EXPIRES, "3600", v -> assertEquals(3600L, only(v))),
        valid("Expires: 2**32-1", SipHeaders.EXPIRES, "4294967295", v -> assertEquals(4_294_967_295L, only(v))),
        valid("Min-Expires: 60", SipHeaders.MIN_EXPIRES, "60", v -> assertEquals(60L, only(v))));
  }

  static Stream<Arguments> invalidValues() {
    return Stream.of(
        invalid("Via: no sent-by", SipHeaders.VIA, "SIP/2.0/UDP"),
        invalid("Via: no transport", SipHeaders.VIA, "SIP/2.0 pc33.atlanta.com"),
        invalid("Via: branch without value", SipHeaders.VIA, "SIP/2.0/UDP a.example;branch"),
        invalid("Via: received is not an IP address", SipHeaders.VIA, "SIP/2.0/UDP a.example;received=b.example"),
        invalid("Via: ttl above 255", SipHeaders.VIA, "SIP/2.0/UDP a.example;ttl=256"),
        invalid("Via: port above 65535", SipHeaders.VIA, "SIP/2.0/UDP a.example:65536"),
        invalid("Via: rport above 65535", SipHeaders.VIA, "SIP/2.0/UDP a.example;rport=70000"),
        invalid("Via: empty parameter", SipHeaders.VIA, "SIP/2.0/UDP a.example;;branch=z9hG4bK1"),
        invalid("From: no closing >", SipHeaders.FROM, "<sip:alice@atlanta.com;tag=1"),
        invalid("From: unterminated display name", SipHeaders.FROM, "\"Alice <sip:alice@atlanta.com>"),
        invalid("From: addr-spec with URI headers", SipHeaders.FROM, "sip:alice@atlanta.com?subject=x;tag=1"),
        invalid("From: tag without value after EQUAL", SipHeaders.FROM, "<sip:alice@atlanta.com>;tag="),
        invalid("To: two values", SipHeaders.TO, "<sip:a@a.example>, <sip:b@b.example>"),
        invalid("To: space inside <>", SipHeaders.TO, "<sip:bob @biloxi.com>"),
        invalid("Call-ID: two words", SipHeaders.CALL_ID, "a b"),
        invalid("Call-ID: empty", SipHeaders.CALL_ID, ""),
        invalid("Call-ID: empty word before @", SipHeaders.CALL_ID, "@host"),
        invalid("Call-ID: empty word after @", SipHeaders.CALL_ID, "id@"),
        invalid("CSeq: method first", SipHeaders.CSEQ, "INVITE 1"),
        invalid("CSeq: no LWS before method", SipHeaders.CSEQ, "1INVITE"),
        invalid("CSeq: above 2**32-1", SipHeaders.CSEQ, "4294967296 INVITE"),
        invalid("CSeq: negative", SipHeaders.CSEQ, "-1 INVITE"),
        invalid("CSeq: text after method", SipHeaders.CSEQ, "1 INVITE again"),
        invalid("Max-Forwards: above 255", SipHeaders.MAX_FORWARDS, "256"),
        invalid("Max-Forwards: negative", SipHeaders.MAX_FORWARDS, "-1"),
        invalid("Max-Forwards: text after number", SipHeaders.MAX_FORWARDS, "70 hops"),
        invalid("Contact: q above 1", SipHeaders.CONTACT, "<sip:a@a.example>;q=1.5"),
        invalid("Contact: q with four decimals", SipHeaders.CONTACT, "<sip:a@a.example>;q=0.1234"),
        invalid("Contact: q without value", SipHeaders.CONTACT, "<sip:a@a.example>;q"),
        invalid("Contact: expires not a number", SipHeaders.CONTACT, "<sip:a@a.example>;expires=soon"),
        invalid("Contact: wildcard in a list", SipHeaders.CONTACT, "*, <sip:a@a.example>"),
        invalid("Contact: trailing COMMA", SipHeaders.CONTACT, "<sip:a@a.example>,"),
        invalid("Route: addr-spec without <>", SipHeaders.ROUTE, "sip:p1.example.com;lr"),
        invalid("Record-Route: empty URI parameter", SipHeaders.RECORD_ROUTE, "<sip:p1.example.com;;lr>"),
        invalid("Content-Type: no subtype", SipHeaders.CONTENT_TYPE, "application"),
        invalid("Content-Type: empty subtype", SipHeaders.CONTENT_TYPE, "application/"),
        invalid("Content-Type: no type", SipHeaders.CONTENT_TYPE, "/sdp"),
        invalid("Accept: range without subtype", SipHeaders.ACCEPT, "application/sdp, text"),
        invalid("Require: empty (1#option-tag)", SipHeaders.REQUIRE, ""),
        invalid("Require: trailing COMMA", SipHeaders.REQUIRE, "100rel,"),
        invalid("Supported: tags without COMMA", SipHeaders.SUPPORTED, "timer 100rel"),
        invalid("Unsupported: empty (1#option-tag)", SipHeaders.UNSUPPORTED, ""),
        invalid("Proxy-Require: not a token", SipHeaders.PROXY_REQUIRE, "foo/bar"),
        invalid("Allow: methods without COMMA", SipHeaders.ALLOW, "INVITE ACK"),
        invalid("Allow: not a token", SipHeaders.ALLOW, "INV@ITE"),
        invalid("Expires: negative", SipHeaders.EXPIRES, "-1"),
        invalid("Expires: unit after number", SipHeaders.EXPIRES, "3600 s"),
        invalid("Expires: above 2**32-1", SipHeaders.EXPIRES, "4294967296"),
        invalid("Min-Expires: not a number", SipHeaders.MIN_EXPIRES, "sixty"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validValues")
  void validValueIsReadAloneAndInAMessage(String name, Valid<?> c) {
    assertValid(c);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidValues")
  void invalidValueIsRefusedNamingTheHeader(String name, HeaderType<?> type, String value) {
    assertInvalid(type, value);
  }

  /** The value parses alone; in a message getAll gives the same values and get the first. */
  static <T> void assertValid(Valid<T> c) {
    List<T> values = c.type().parse(c.value());
    c.check().accept(values);
    SipMessage m = TestMessages.responseWith(c.type().name().name(), c.value());
    assertEquals(values, m.headers().getAll(c.type()).value());
    assertEquals(values.get(0), m.headers().get(c.type()).value());
  }

  /**
   * Alone, the value is refused with the header's name; in a message, a header checked on
   * arrival makes it a 400 naming the header, any other reads as Invalid naming the header.
   */
  static void assertInvalid(HeaderType<?> type, String value) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> type.parse(value));
    assertTrue(e.getMessage().contains(type.name().name()), e.getMessage());
    ParseResult r = TestMessages.parseResult(TestMessages.response(type.name().name(), value));
    if (CHECKED_ON_ARRIVAL.contains(type.name())) {
      ParseResult.Malformed bad = assertInstanceOf(ParseResult.Malformed.class, r);
      assertEquals(400, bad.status());
      assertEquals(type.name(), bad.header());
    } else {
      Headers h = assertInstanceOf(ParseResult.Parsed.class, r, r::toString).message().headers();
      assertEquals(type.name(), assertInstanceOf(HeaderResult.Invalid.class, h.getAll(type)).header());
      assertEquals(type.name(), assertInstanceOf(HeaderResult.Invalid.class, h.get(type)).header());
    }
  }
}
