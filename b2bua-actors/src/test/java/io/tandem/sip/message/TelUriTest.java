package io.tandem.sip.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** tel: URIs (RFC 3966) and URIs of other schemes, which SIP carries opaquely (RFC 3261 section 19). */
class TelUriTest {
  @ParameterizedTest(name = "{0}: digits {1}, global {2}")
  @CsvSource({
    "tel:+1-201-555-0123, +12015550123, true",
    "tel:+33.(0)1.23.45.67.89, +330123456789, true",
    "tel:7042;phone-context=example.com, 7042, false",
    "tel:863-1234;phone-context=+1-914-555, 8631234, false",
    "tel:*21;phone-context=example.com, *21, false"
  })
  void digitsDropVisualSeparators(String text, String digits, boolean global) {
    TelUri tel = TelUri.parse(text);
    assertEquals("tel", tel.scheme());
    assertEquals(digits, tel.digits());
    assertEquals(global, tel.isGlobal());
    assertEquals(text, tel.toString(), "renders as written");
  }

  @Test
  void numberAndParametersAsWritten() {
    TelUri tel = TelUri.parse("tel:+1-201-555-0123;ext=1234;isub=5");
    assertEquals("+1-201-555-0123", tel.number());
    assertEquals("1234", tel.params().get("ext").orElseThrow());
    assertEquals("example.com", TelUri.parse("tel:7042;phone-context=example.com").phoneContext().orElseThrow());
  }

  /** RFC 3966 section 4. */
  @ParameterizedTest(name = "{0} == {1}")
  @CsvSource(delimiter = '|', value = {
    "tel:+1-201-555-0123 | tel:+1.201.555.0123",
    "tel:+1-201-555-0123 | tel:+1(201)5550123",
    "tel:+12015550123;ext=7;isub=5 | tel:+12015550123;isub=5;ext=7",
    "tel:7a8B;phone-context=EXAMPLE.com | TEL:7A8b;Phone-Context=example.COM",
    "tel:863-1234;phone-context=+1-914-555 | tel:8631234;phone-context=+1914555"
  })
  void equalTelUris(String a, String b) {
    Uri x = Uri.parse(a);
    Uri y = Uri.parse(b);
    assertEquals(x, y);
    assertEquals(y, x);
    assertEquals(x.hashCode(), y.hashCode());
  }

  /** RFC 3966 section 4: global vs local, other digits, a parameter only one side has. */
  @ParameterizedTest(name = "{0} != {1}")
  @CsvSource(delimiter = '|', value = {
    "tel:+12015550123 | tel:+12015550124",
    "tel:+12015550123 | tel:12015550123;phone-context=+1",
    "tel:+12015550123 | tel:+12015550123;ext=7",
    "tel:+12015550123;ext=7 | tel:+12015550123;ext=8",
    "tel:7042;phone-context=example.com | tel:7042;phone-context=example.net",
    "tel:+12015550123 | sip:+12015550123@example.com;user=phone"
  })
  void unequalTelUris(String a, String b) {
    assertNotEquals(Uri.parse(a), Uri.parse(b));
    assertNotEquals(Uri.parse(b), Uri.parse(a));
  }

  @ParameterizedTest(name = "refused: {0}")
  @ValueSource(strings = {"tel:", "tel:+", "tel:--", "tel:+1 201", "tel:+1;", "tel:+1;ext="})
  void invalidTelUriIsRefused(String text) {
    assertThrows(IllegalArgumentException.class, () -> TelUri.parse(text));
  }

  @ParameterizedTest(name = "{0} is kept opaque")
  @CsvSource({
    "urn:service:sos, urn, service:sos",
    "http://www.example.com/alice/photo.jpg?size=2&x=%20, http, //www.example.com/alice/photo.jpg?size=2&x=%20",
    "im:alice@example.com, im, alice@example.com",
    "URN:Service:SOS, urn, Service:SOS"
  })
  void otherSchemesAreKeptOpaque(String text, String scheme, String rest) {
    AbsoluteUri uri = assertInstanceOf(AbsoluteUri.class, Uri.parse(text));
    assertEquals(scheme, uri.scheme());
    assertEquals(rest, uri.schemeSpecificPart());
    assertEquals(text, uri.toString());
    assertEquals(uri, Uri.parse(text));
  }

  @Test
  void opaqueUriInAnAddressAndItsEquality() {
    NameAddr a = NameAddr.parse("<urn:service:sos>;x=1");
    assertEquals("urn:service:sos", a.uri().toString());
    assertEquals("1", a.params().get("x").orElseThrow());
    assertTrue(a.sipUri().isEmpty());
    assertEquals(Uri.parse("URN:service:sos"), Uri.parse("urn:service:sos"));
    assertNotEquals(Uri.parse("urn:service:sos"), Uri.parse("urn:service:SOS"));
  }

  @ParameterizedTest(name = "refused: \"{0}\"")
  @ValueSource(strings = {"urn:", "urn:a b", "1urn:x", "ur n:x", "urn:%zz", "http://example.com/<x>"})
  void invalidAbsoluteUriIsRefused(String text) {
    assertThrows(IllegalArgumentException.class, () -> Uri.parse(text));
  }

  @Test
  void telIsNotASipUri() {
    assertFalse(Uri.parse("tel:+1") instanceof SipUri);
    assertThrows(IllegalArgumentException.class, () -> TelUri.parse("sip:+1@example.com"));
  }
}
