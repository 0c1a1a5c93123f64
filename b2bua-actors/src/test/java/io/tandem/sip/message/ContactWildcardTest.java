package io.tandem.sip.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.codec.SipParser;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code Contact: *} (RFC 3261 section 10.2.2) against a display name that is "*": the Jazzer
 * finding that the parser and the typed reader disagreed on {@code * <sip:...>}.
 */
class ContactWildcardTest {
  private static SipMessage register(String contact) {
    String text = "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
        + "From: <sip:u@example.com>;tag=1\r\nTo: <sip:u@example.com>\r\nCall-ID: w@h\r\n"
        + "CSeq: 1 REGISTER\r\nContact: " + contact + "\r\nExpires: 0\r\nContent-Length: 0\r\n\r\n";
    ParseResult r = new SipParser(ParserLimits.DEFAULTS).parseDatagram(text.getBytes(StandardCharsets.UTF_8));
    return assertInstanceOf(ParseResult.Parsed.class, r, r::toString).message();
  }

  @ParameterizedTest(name = "wildcard: [{0}]")
  @CsvSource(delimiter = '|', value = {"*", "*   "})
  void wildcardAlone(String contact) {
    SipMessage m = register(contact);
    assertTrue(m.isContactWildcard());
    assertTrue(m.contacts().isEmpty());
    assertTrue(m.headerValues(SipHeaders.CONTACT).isInvalid(), "no address to read");
  }

  @ParameterizedTest(name = "display name: [{0}]")
  @CsvSource(delimiter = '|', value = {"* <sip:u@192.0.2.1>", "*<sip:u@192.0.2.1>;expires=0", "*a* <sip:u@192.0.2.1>"})
  void starAsDisplayName(String contact) {
    SipMessage m = register(contact);
    assertFalse(m.isContactWildcard());
    NameAddr address = m.contacts().get(0);
    assertTrue(address.displayName().startsWith("*"));
    assertEquals("192.0.2.1", ((SipUri) address.uri()).host());
  }
}
