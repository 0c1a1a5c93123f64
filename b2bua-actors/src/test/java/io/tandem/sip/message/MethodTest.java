package io.tandem.sip.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.sip.codec.ParseResult;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Methods (RFC 3261 sections 7.1 and 25.1): case-sensitive tokens, extensions carried as written. */
class MethodTest {
  @Test
  void everyKnownMethodIsFoundByItsName() {
    for (Method m : Method.KNOWN) {
      assertSame(m, Method.of(m.name()));
      byte[] b = m.name().getBytes(StandardCharsets.US_ASCII);
      assertSame(m, Method.of(b, 0, b.length));
      assertTrue(m.isKnown());
    }
  }

  @ParameterizedTest(name = "{0} is not INVITE")
  @ValueSource(strings = {"invite", "Invite", "INVITe"})
  void methodsAreCaseSensitive(String name) {
    Method m = Method.of(name);
    assertNotEquals(Method.INVITE, m);
    assertFalse(m.isKnown());
    assertEquals(name, m.name());
  }

  @ParameterizedTest(name = "extension method {0}")
  @ValueSource(strings = {"NEWMETHOD", "X-FOO", "!interesting-Method0123456789_*+`.%indeed'~"})
  void extensionMethodIsAnyToken(String name) {
    Method m = Method.of(name);
    assertEquals(name, m.name());
    assertEquals(name, m.toString());
    assertFalse(m.isKnown());
    assertEquals(Method.of(name), m);
    assertEquals(Method.of(name).hashCode(), m.hashCode());
  }

  @ParameterizedTest(name = "refused: \"{0}\"")
  @ValueSource(strings = {"", "IN VITE", "INV@ITE", "INVITE\r\n", "GET/", "A:B", "(X)", "M\u00e9thode"})
  void methodMustBeAToken(String name) {
    assertThrows(IllegalArgumentException.class, () -> Method.of(name));
  }

  private static String request(String method, String cseqMethod) {
    return method + " sip:bob@biloxi.example SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-m\r\nMax-Forwards: 70\r\n"
        + "From: <sip:alice@atlanta.example>;tag=1\r\nTo: <sip:bob@biloxi.example>\r\n"
        + "Call-ID: m@192.0.2.1\r\nCSeq: 1 " + cseqMethod + "\r\n\r\n";
  }

  @Test
  void parsedExtensionMethodMatchesItsCSeq() {
    SipRequest r = (SipRequest) TestMessages.parse(request("NEWMETHOD", "NEWMETHOD"));
    assertEquals(Method.of("NEWMETHOD"), r.method());
    assertEquals(r.method(), r.cseq().method());
  }

  @Test
  void parsedLowerCaseMethodIsAnExtensionNotInvite() {
    SipRequest r = (SipRequest) TestMessages.parse(request("invite", "invite"));
    assertEquals("invite", r.method().name());
    assertNotEquals(Method.INVITE, r.method());
  }

  @Test
  void cseqMethodDifferingOnlyInCaseIsA400NamingCSeq() {
    ParseResult result = TestMessages.parseResult(request("invite", "INVITE"));
    ParseResult.Malformed bad = assertInstanceOf(ParseResult.Malformed.class, result);
    assertEquals(400, bad.status());
    assertEquals(HeaderName.CSEQ, bad.header());
  }
}
