package io.tandem.sip.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.sip.codec.SipRenderer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Header names: compact forms (RFC 3261 section 7.3.3 and the RFCs that added letters), case
 * insensitivity (section 7.3.1), and unknown headers kept in order and byte for byte.
 */
class HeaderNamesTest {
  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
    "i, Call-ID", "m, Contact", "e, Content-Encoding", "l, Content-Length", "c, Content-Type",
    "f, From", "s, Subject", "k, Supported", "t, To", "v, Via", "o, Event", "u, Allow-Events",
    "r, Refer-To", "b, Referred-By", "x, Session-Expires", "y, Identity", "a, Accept-Contact",
    "d, Request-Disposition", "j, Reject-Contact"
  })
  void compactLetterInEitherCaseIsTheLongName(String letter, String longName) {
    HeaderName name = HeaderName.of(longName);
    assertTrue(name.isKnown());
    assertSame(name, HeaderName.of(letter));
    assertSame(name, HeaderName.of(letter.toUpperCase()));
    assertEquals(letter.charAt(0), name.compactForm());
    assertEquals(longName, HeaderName.of(letter).name(), "renders as the long name");
  }

  @ParameterizedTest(name = "{0} is {1} in a parsed message")
  @CsvSource(delimiter = '|', value = {
    "i | Call-ID | compact-id@192.0.2.1", "M | Contact | <sip:bob@192.0.2.4>", "e | Content-Encoding | gzip",
    "C | Content-Type | text/plain", "f | From | <sip:carol@chicago.example>;tag=9", "S | Subject | lunch?",
    "k | Supported | timer", "T | To | <sip:dave@denver.example>", "V | Via | SIP/2.0/TCP 192.0.2.9;branch=z9hG4bKc",
    "o | Event | presence", "U | Allow-Events | dialog", "r | Refer-To | <sip:erin@example.net>",
    "B | Referred-By | <sip:frank@example.net>", "x | Session-Expires | 1800", "Y | Identity | abc",
    "a | Accept-Contact | *;audio", "D | Request-Disposition | proxy", "j | Reject-Contact | *;video"
  })
  void compactFieldIsFoundByItsLongName(String letter, String longName, String value) {
    Headers h = TestMessages.responseWith(letter, value).headers();
    HeaderName name = HeaderName.of(longName);
    assertEquals(List.of(value), h.values(name));
    int i = h.indexOf(name, 0);
    assertEquals(longName, h.name(i).name());
  }

  @Test
  void compactContentLengthFramesTheBody() {
    byte[] datagram = (TestMessages.response("L", "4").replace("\r\n\r\n", "\r\nContent-Type: text/plain\r\n\r\n")
        + "abcdIGNORED").getBytes(StandardCharsets.US_ASCII);
    SipMessage m = TestMessages.parse(datagram);
    assertEquals("abcd", m.bodyText());
    assertFalse(m.headers().contains(HeaderName.CONTENT_LENGTH), "the body defines Content-Length");
  }

  @Test
  void longNamesInAnyCaseAreFoundAndRenderCanonically() {
    String raw = TestMessages.response("cALL-iD", "mixed@192.0.2.1", "vIa", "SIP/2.0/UDP h.example;branch=z9hG4bKm",
        "max-FORWARDS", "7", "SESSION-expires", "90", "www-authenticate", "Digest realm=\"r\"");
    SipMessage m = TestMessages.parse(raw);
    assertEquals("mixed@192.0.2.1", m.callId());
    assertEquals("h.example", m.topVia().host());
    assertEquals(7, m.maxForwards().getAsInt());
    assertEquals(90, m.header(SipHeaders.SESSION_EXPIRES).value().seconds());
    assertEquals("r", m.header(SipHeaders.WWW_AUTHENTICATE).value().param("realm").orElseThrow());
    String rendered = new String(SipRenderer.renderBytes(m), StandardCharsets.US_ASCII);
    assertTrue(rendered.contains("\r\nCall-ID: mixed@192.0.2.1\r\n"), rendered);
    assertTrue(rendered.contains("\r\nWWW-Authenticate: Digest"), rendered);
  }

  /** RFC 3261 section 25.1: HCOLON = *( SP / HTAB ) ":" SWS. */
  @Test
  void whiteSpaceBeforeTheColonIsAllowed() {
    String raw = TestMessages.response("X-Placeholder", "1")
        .replace("X-Placeholder: 1", "Subject \t :lunch")
        .replace("Call-ID: ", "i\t:\t");
    SipMessage m = TestMessages.parse(raw);
    assertEquals(List.of("lunch"), m.headers().values(HeaderName.SUBJECT));
    assertEquals("base@192.0.2.1", m.callId());
  }

  @Test
  void unknownNamesCompareIgnoringCaseAndKeepTheirSpelling() {
    HeaderName upper = HeaderName.of("X-Custom-Thing");
    HeaderName lower = HeaderName.of("x-custom-thing");
    assertEquals(upper, lower);
    assertEquals(upper.hashCode(), lower.hashCode());
    assertEquals("x-custom-thing", lower.name());
    assertFalse(upper.isKnown());
    assertEquals(-1, upper.id());
    assertNotEquals(HeaderName.of("X-Custom-Thing2"), upper);
    assertFalse(HeaderName.of("z").isKnown(), "an unassigned letter is just an unknown name");
    assertEquals(HeaderName.of("z"), HeaderName.of("Z"));
  }

  @ParameterizedTest(name = "\"{0}\" is not a header name")
  @ValueSource(strings = {"", "X Custom", "X:Custom", "X-Caf\u00e9", "X-(paren)"})
  void headerNameMustBeAToken(String name) {
    assertThrows(IllegalArgumentException.class, () -> HeaderName.of(name));
  }

  @Test
  void unknownHeadersKeepOrderAndValuesByteForByte() {
    String odd = "!#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ \"q\"";
    String utf8 = "Gr\u00fc\u00dfe, \u4e16\u754c \uD83D\uDE00";
    String raw = TestMessages.response("X-B", "2", "x-a", odd, "X-Unicode", utf8, "X-b", "1",
        "X-Spaces", "a   b\t c", "X-Empty", "", "X-Fold", "one\r\n   two");
    SipMessage m = TestMessages.parse(raw);
    Headers h = m.headers();
    assertEquals(List.of("X-B", "x-a", "X-Unicode", "X-b", "X-Spaces", "X-Empty", "X-Fold"),
        h.asList().stream().map(f -> f.name().name()).filter(n -> n.toLowerCase().startsWith("x-")).toList());
    assertEquals(List.of("2", "1"), h.values(HeaderName.of("x-B")));
    assertEquals(odd, h.first(HeaderName.of("X-A")).orElseThrow());
    assertEquals(utf8, h.first(HeaderName.of("x-unicode")).orElseThrow());
    assertEquals("a   b\t c", h.first(HeaderName.of("X-Spaces")).orElseThrow());
    assertEquals("", h.first(HeaderName.of("X-Empty")).orElseThrow());
    assertEquals("one two", h.first(HeaderName.of("X-Fold")).orElseThrow(), "a fold reads as one SP");
    byte[] rendered = SipRenderer.renderBytes(m);
    String text = new String(rendered, StandardCharsets.UTF_8);
    assertTrue(text.contains("\r\nx-a: " + odd + "\r\n"), text);
    assertTrue(contains(rendered, ("X-Unicode: " + utf8).getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void unknownHeaderInLatin1IsReadAsLatin1AndRenderedUnchanged() {
    byte[] raw = TestMessages.response("X-Note", "caf\u00e9 cr\u00e8me").getBytes(StandardCharsets.ISO_8859_1);
    SipMessage m = TestMessages.parse(raw);
    assertEquals("caf\u00e9 cr\u00e8me", m.headers().first(HeaderName.of("X-Note")).orElseThrow());
    assertTrue(contains(SipRenderer.renderBytes(m), "caf\u00e9 cr\u00e8me".getBytes(StandardCharsets.ISO_8859_1)));
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return true;
      }
    }
    return false;
  }
}
