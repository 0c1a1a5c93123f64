package io.tandem.sip.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * name-addr and addr-spec (RFC 3261 sections 20.10 and 25.1): display names, which parameters
 * belong to the URI and which to the header, and the withers.
 */
class NameAddrTest {
  static Stream<Arguments> displayNames() {
    return Stream.of(
        Arguments.of("quoted with an escaped quote", "\"Alice \\\"Al\\\" Smith\" <sip:alice@atlanta.com>",
            "Alice \"Al\" Smith"),
        Arguments.of("quoted with an escaped backslash", "\"C:\\\\temp\" <sip:a@b.example>", "C:\\temp"),
        Arguments.of("quoted-pair of an ordinary character", "\"a\\b\" <sip:a@b.example>", "ab"),
        Arguments.of("quoted, no LWS before <", "\"Bob\"<sip:bob@biloxi.com>", "Bob"),
        Arguments.of("empty quoted", "\"\" <sip:a@b.example>", ""),
        Arguments.of("one token", "Anonymous <sip:c8oqz84zk7z@privacy.org>", "Anonymous"),
        Arguments.of("several tokens", "Mr. Bob Smith <sip:bob@biloxi.com>", "Mr. Bob Smith"),
        Arguments.of("token right against < (RFC 4475 lwsdisp)", "caller<sip:caller@example.com>;tag=323",
            "caller"),
        Arguments.of("UTF-8 in quotes", "\"J\u00fcrgen Gr\u00f6\u00df \u5c71\u7530\" <sip:j@example.com>",
            "J\u00fcrgen Gr\u00f6\u00df \u5c71\u7530"),
        Arguments.of("none, name-addr", "<sip:a@b.example>", null),
        Arguments.of("none, addr-spec", "sip:a@b.example", null));
  }

  @ParameterizedTest(name = "display name: {0}")
  @MethodSource("displayNames")
  void displayNameIsReadWithoutQuotesAndEscapes(String name, String text, String expected) {
    assertEquals(expected, NameAddr.parse(text).displayName());
  }

  @Test
  void latin1DisplayNameThroughTheParserIsReadAsIso88591() {
    byte[] raw = TestMessages.response("From", "\"Fran\u00e7ois Ma\u00eetre\" <sip:f@example.com>;tag=1")
        .getBytes(StandardCharsets.ISO_8859_1);
    assertEquals("Fran\u00e7ois Ma\u00eetre", TestMessages.parse(raw).from().displayName());
  }

  @Test
  void utf8DisplayNameThroughTheParser() {
    String raw = TestMessages.response("To", "\"\u00c5sa \u00d6berg\" <sip:asa@example.se>");
    assertEquals("\u00c5sa \u00d6berg", TestMessages.parse(raw).to().displayName());
  }

  @Test
  void parametersAfterABareAddrSpecBelongToTheHeader() {
    NameAddr a = NameAddr.parse("sip:a@b.example;tag=x;transport=tcp");
    assertEquals("x", a.tag().orElseThrow());
    assertEquals("tcp", a.params().get("transport").orElseThrow());
    SipUri uri = a.sipUri().orElseThrow();
    assertTrue(uri.params().isEmpty());
    assertTrue(uri.transport().isEmpty());
  }

  @Test
  void parametersInsideAnglesBelongToTheUri() {
    NameAddr a = NameAddr.parse("<sip:a@b.example;lr;transport=tcp>;tag=x;foo");
    SipUri uri = a.sipUri().orElseThrow();
    assertTrue(uri.isLooseRouting());
    assertEquals("tcp", uri.transport().orElseThrow());
    assertEquals(List.of("tag", "foo"), a.params().asList().stream().map(Parameters.Parameter::name).toList());
    assertTrue(NameAddr.parse("<sip:a@b.example;lr>").params().isEmpty());
    assertTrue(NameAddr.parse("<sip:a@b.example;tag=u>").tag().isEmpty(), "a URI parameter is no tag");
  }

  @Test
  void withTagAddsOrReplacesTheTagAndRendersNameAddr() {
    assertEquals("<sip:a@b.example>;tag=abc", NameAddr.parse("<sip:a@b.example>").withTag("abc").toString());
    NameAddr replaced = NameAddr.parse("\"A\" <sip:a@b.example>;tag=1;x=y").withTag("2");
    assertEquals("\"A\" <sip:a@b.example>;tag=2;x=y", replaced.toString());
    assertEquals("<sip:a@b.example>;foo=1;tag=t", NameAddr.parse("sip:a@b.example;foo=1").withTag("t").toString());
  }

  /** RFC 3261 section 19.3 and 25.1: tag-param = "tag" EQUAL token. */
  @ParameterizedTest(name = "withTag(\"{0}\") is refused")
  @ValueSource(strings = {"", "a b", "a;b", "a,b", "a\"b"})
  void withTagRefusesWhatIsNotAToken(String tag) {
    NameAddr a = NameAddr.parse("<sip:a@b.example>");
    assertThrows(IllegalArgumentException.class, () -> a.withTag(tag));
  }

  @ParameterizedTest(name = "display name \"{0}\" round-trips")
  @ValueSource(strings = {"Alice", "Alice \"Al\" Smith", "back\\slash", "J\u00fcrgen", "", "<sip:evil>", "a,b;c?"})
  void withDisplayNameQuotesAndParsesBack(String display) {
    NameAddr a = NameAddr.parse("<sip:a@b.example>;tag=1").withDisplayName(display);
    NameAddr back = NameAddr.parse(a.toString());
    assertEquals(display, back.displayName());
    assertEquals(a, back);
    assertEquals("1", back.tag().orElseThrow());
  }

  @Test
  void withDisplayNameNullRemovesItAndCrLfIsRefused() {
    NameAddr a = NameAddr.parse("\"A\" <sip:a@b.example>");
    assertEquals("<sip:a@b.example>", a.withDisplayName(null).toString());
    assertNull(a.withDisplayName(null).displayName());
    assertThrows(IllegalArgumentException.class, () -> a.withDisplayName("a\r\nVia: x"));
  }

  @Test
  void equalAddressesCompareUriByRfc3261AndParamsByName() {
    assertEquals(NameAddr.parse("\"A\" <sip:%61@b.example>;tag=1"), NameAddr.parse("\"A\"<sip:a@B.example> ; TAG=1"));
  }

  static Stream<Arguments> badAddresses() {
    return Stream.of(
        Arguments.of("space inside <>", "<sip:a@b.example >"),
        Arguments.of("space after <", "< sip:a@b.example>"),
        Arguments.of("unterminated quote", "\"Alice <sip:a@b.example>"),
        Arguments.of("? in a bare addr-spec", "sip:a@b.example?subject=x"),
        Arguments.of("no closing >", "<sip:a@b.example"),
        Arguments.of("token display name without <>", "Alice sip:a@b.example"),
        Arguments.of("quoted display name without <>", "\"Alice\" sip:a@b.example"),
        Arguments.of("text after the address", "<sip:a@b.example> x"),
        Arguments.of("empty", ""),
        Arguments.of("empty <>", "<>"));
  }

  @ParameterizedTest(name = "refused: {0}")
  @MethodSource("badAddresses")
  void badAddressIsRefused(String name, String text) {
    assertThrows(IllegalArgumentException.class, () -> NameAddr.parse(text));
  }
}
