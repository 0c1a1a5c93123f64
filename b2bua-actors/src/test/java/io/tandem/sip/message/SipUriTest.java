package io.tandem.sip.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.sip.syntax.Text;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** sip: and sips: URIs (RFC 3261 sections 19.1 and 25.1): components, escaping, equality, withers. */
class SipUriTest {
  @Test
  void userHostAndDefaultPorts() {
    SipUri uri = SipUri.parse("sip:alice@atlanta.com");
    assertEquals(List.of("sip", "alice", "atlanta.com"), List.of(uri.scheme(), uri.user(), uri.host()));
    assertEquals(-1, uri.port());
    assertEquals(5060, uri.portOrDefault());
    assertNull(uri.password());
    assertEquals(5061, SipUri.parse("SIPS:1212@gateway.com").portOrDefault());
    assertTrue(SipUri.parse("SIPS:1212@gateway.com").isSecure());
  }

  @Test
  void passwordAndTelephoneSubscriberUser() {
    SipUri uri = SipUri.parse("sip:+1-212-555-1212:1234@gateway.com;user=phone");
    assertEquals("+1-212-555-1212", uri.user());
    assertEquals("1234", uri.password());
    assertEquals("phone", uri.param("user").orElseThrow());
  }

  @Test
  void semicolonsInTheUserPartStayInTheUser() {
    SipUri uri = SipUri.parse("sip:user;par=u%40example.net@example.com");
    assertEquals("user;par=u@example.net", uri.user());
    assertEquals("user;par=u%40example.net", uri.rawUser());
    assertEquals("example.com", uri.host());
    assertTrue(uri.params().isEmpty());
  }

  @Test
  void escapesAreDecodedByUserAndKeptByRawUser() {
    SipUri uri = SipUri.parse("sip:%61lice%20smith@atlanta.com");
    assertEquals("alice smith", uri.user());
    assertEquals("%61lice%20smith", uri.rawUser());
    assertEquals("sip:%61lice%20smith@atlanta.com", uri.toString(), "renders as written");
  }

  @ParameterizedTest(name = "host {0}")
  @CsvSource({
    "sip:alice@192.0.2.4, 192.0.2.4, -1",
    "sip:[2001:db8::1]:5070, [2001:db8::1], 5070",
    "sip:bob@[2001:db8::10];transport=tcp, [2001:db8::10], -1",
    "sip:atlanta.com:65535, atlanta.com, 65535",
    "sip:a@my_host.example.com:0, my_host.example.com, 0"
  })
  void hostAndPort(String text, String host, int port) {
    SipUri uri = SipUri.parse(text);
    assertEquals(host, uri.host());
    assertEquals(port, uri.port());
  }

  @Test
  void parametersFlagsAndHeaders() {
    SipUri uri = SipUri.parse("sip:p1.example.com;transport=TCP;lr;maddr=239.255.255.1;ttl=15;user=ip?a=b&c=d%20e");
    assertNull(uri.user());
    assertEquals("tcp", uri.transport().orElseThrow());
    assertTrue(uri.isLooseRouting());
    assertTrue(uri.param("lr").isEmpty(), "a flag has no value");
    assertTrue(uri.params().contains("LR"));
    assertEquals("239.255.255.1", uri.param("maddr").orElseThrow());
    assertEquals("15", uri.param("ttl").orElseThrow());
    assertEquals("b", uri.headers().get("a").orElseThrow());
    assertEquals("d%20e", uri.headers().get("c").orElseThrow());
    assertEquals(List.of("transport", "lr", "maddr", "ttl", "user"),
        uri.params().asList().stream().map(Parameters.Parameter::name).toList());
  }

  static Stream<Arguments> invalidUris() {
    return Stream.of(
        Arguments.of("bad escape in user", "sip:%G1ice@atlanta.com"),
        Arguments.of("bad escape in parameter", "sip:alice@atlanta.com;transport=%G1"),
        Arguments.of("truncated escape", "sip:alice%4@atlanta.com"),
        Arguments.of("empty parameter", "sip:alice@atlanta.com;;lr"),
        Arguments.of("trailing SEMI", "sip:alice@atlanta.com;"),
        Arguments.of("parameter with empty value", "sip:alice@atlanta.com;transport="),
        Arguments.of("port above 65535", "sip:alice@atlanta.com:65536"),
        Arguments.of("empty port", "sip:alice@atlanta.com:"),
        Arguments.of("IPv4 part above 255", "sip:alice@256.1.1.1"),
        Arguments.of("three-part IPv4", "sip:alice@1.2.3"),
        Arguments.of("space in user", "sip:alice smith@atlanta.com"),
        Arguments.of("space after host", "sip:alice@atlanta.com x"),
        Arguments.of("empty user", "sip:@atlanta.com"),
        Arguments.of("empty host", "sip:alice@"),
        Arguments.of("empty label", "sip:alice@atlanta..com"),
        Arguments.of("unterminated IPv6 reference", "sip:alice@[2001:db8::1"),
        Arguments.of("empty headers", "sip:alice@atlanta.com?"),
        Arguments.of("header without =", "sip:alice@atlanta.com?subject"),
        Arguments.of("no scheme", "alice@atlanta.com"),
        Arguments.of("not sip", "tel:+15551234567"));
  }

  @ParameterizedTest(name = "refused: {0}")
  @MethodSource("invalidUris")
  void invalidUriIsRefused(String name, String text) {
    assertThrows(IllegalArgumentException.class, () -> SipUri.parse(text));
  }

  /** The pairs RFC 3261 section 19.1.4 gives as equivalent, and a few more it implies. */
  @ParameterizedTest(name = "{0} == {1}")
  @CsvSource(delimiter = '|', value = {
    "sip:%61lice@atlanta.com;transport=TCP | sip:alice@AtLanTa.CoM;Transport=tcp",
    "sip:carol@chicago.com | sip:carol@chicago.com;newparam=5",
    "sip:carol@chicago.com | sip:carol@chicago.com;security=on",
    "sip:carol@chicago.com;newparam=5 | sip:carol@chicago.com;security=on",
    "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com"
        + " | sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com",
    "sip:alice@atlanta.com?subject=project%20x&priority=urgent"
        + " | sip:alice@atlanta.com?priority=urgent&subject=project%20x",
    "sip:a%3bb@atlanta.com | sip:a%3Bb@atlanta.com",
    "sip:[2001:DB8::1] | sip:[2001:db8::1]",
    "sip:bob@biloxi.com;transport=%74cp | sip:bob@biloxi.com;TRANSPORT=TCP",
    "sip:bob@biloxi.com?Subject=x | sip:bob@biloxi.com?subject=x"
  })
  void equalUris(String a, String b) {
    SipUri x = SipUri.parse(a);
    SipUri y = SipUri.parse(b);
    assertEquals(x, y);
    assertEquals(y, x);
    assertEquals(x.hashCode(), y.hashCode());
  }

  /** The pairs RFC 3261 section 19.1.4 gives as not equivalent, and a few more its rules imply. */
  @ParameterizedTest(name = "{0} != {1}")
  @CsvSource(delimiter = '|', value = {
    "SIP:ALICE@AtLanTa.CoM;Transport=udp | sip:alice@AtLanTa.CoM;Transport=UDP",
    "sip:bob@biloxi.com | sip:bob@biloxi.com:5060",
    "sip:bob@biloxi.com | sip:bob@biloxi.com;transport=udp",
    "sip:bob@biloxi.com | sip:bob@biloxi.com:6000;transport=tcp",
    "sip:carol@chicago.com | sip:carol@chicago.com?Subject=next%20meeting",
    "sip:bob@phone21.boxesbybob.com | sip:bob@192.0.2.4",
    "sip:alice@atlanta.com | sips:alice@atlanta.com",
    "sip:biloxi.com | sip:bob@biloxi.com",
    "sip:bob:pw@biloxi.com | sip:bob:PW@biloxi.com",
    "sip:bob@biloxi.com | sip:bob@biloxi.com;maddr=192.0.2.1",
    "sip:bob@biloxi.com | sip:bob@biloxi.com;user=phone",
    "sip:bob@biloxi.com | sip:bob@biloxi.com;ttl=1",
    "sip:bob@biloxi.com | sip:bob@biloxi.com;method=INVITE",
    "sip:a;b@atlanta.com | sip:a%3Bb@atlanta.com",
    "sip:carol@chicago.com;foo=Bar | sip:carol@chicago.com;foo=bar",
    "sip:bob@biloxi.com;method=INVITE | sip:bob@biloxi.com;method=invite"
  })
  void unequalUris(String a, String b) {
    assertNotEquals(SipUri.parse(a), SipUri.parse(b));
    assertNotEquals(SipUri.parse(b), SipUri.parse(a));
  }

  @Test
  void withUserEscapesWhatMustBeEscaped() {
    SipUri uri = SipUri.parse("sip:alice:pw@atlanta.com;transport=tcp");
    SipUri at = uri.withUser("bob@home");
    assertEquals("sip:bob%40home:pw@atlanta.com;transport=tcp", at.toString());
    assertEquals("bob@home", at.user());
    assertEquals("sip:john%20smith:pw@atlanta.com;transport=tcp", uri.withUser("john smith").toString());
    assertEquals("sip:a%3Ab:pw@atlanta.com;transport=tcp", uri.withUser("a:b").toString());
    assertEquals("sip:+1;isub=2:pw@atlanta.com;transport=tcp", uri.withUser("+1;isub=2").toString(),
        "user-unreserved characters stay");
    assertEquals("sip:atlanta.com;transport=tcp", uri.withUser(null).toString(), "no user, no password");
    assertEquals(at, SipUri.parse(at.toString()));
  }

  @Test
  void withParamEscapesAndReplaces() {
    SipUri uri = SipUri.parse("sip:alice@atlanta.com;transport=udp");
    assertEquals("sip:alice@atlanta.com;transport=tcp", uri.withParam("transport", "tcp").toString());
    assertEquals("sip:alice@atlanta.com;transport=udp;lr", uri.withParam("lr", null).toString());
    assertEquals("sip:alice@atlanta.com;transport=udp;x=a%20b%3Bc", uri.withParam("x", "a b;c").toString());
    assertEquals("a b;c", Text.unescape(uri.withParam("x", "a b;c").param("x").orElseThrow()));
  }

  @Test
  void withPortAndWithHost() {
    SipUri uri = SipUri.parse("sip:alice@atlanta.com");
    assertEquals("sip:alice@atlanta.com:5070", uri.withPort(5070).toString());
    assertEquals("sip:alice@atlanta.com", uri.withPort(5070).withPort(-1).toString());
    assertEquals("sip:alice@[2001:db8::1]:5070", uri.withHost("[2001:db8::1]").withPort(5070).toString());
    assertEquals("sip:alice@192.0.2.4", uri.withHost("192.0.2.4").toString());
    assertEquals("sip:a%20b@example.com:5062", SipUri.of("a b", "example.com", 5062).toString());
  }

  static Stream<Arguments> invalidWithers() {
    SipUri uri = SipUri.parse("sip:alice@atlanta.com");
    return Stream.of(
        Arguments.of("empty user", (Runnable) () -> uri.withUser("")),
        Arguments.of("port above 65535", (Runnable) () -> uri.withPort(65536)),
        Arguments.of("host with a space", (Runnable) () -> uri.withHost("atlanta com")),
        Arguments.of("IPv4 host part above 255", (Runnable) () -> uri.withHost("256.0.0.1")),
        Arguments.of("empty host", (Runnable) () -> uri.withHost("")),
        Arguments.of("host with @", (Runnable) () -> uri.withHost("evil@example.com")),
        Arguments.of("host smuggling a parameter", (Runnable) () -> uri.withHost("example.com;transport=tcp")),
        Arguments.of("host smuggling a port", (Runnable) () -> uri.withHost("example.com:5070")),
        Arguments.of("parameter name smuggling a header", (Runnable) () -> uri.withParam("a?b", "c")),
        Arguments.of("parameter name with a space", (Runnable) () -> uri.withParam("a b", "c")),
        Arguments.of("parameter with empty value", (Runnable) () -> uri.withParam("x", "")));
  }

  @ParameterizedTest(name = "refused: {0}")
  @MethodSource("invalidWithers")
  void invalidWitherIsRefused(String name, Runnable wither) {
    assertThrows(IllegalArgumentException.class, wither::run);
  }

  @Test
  void withoutParamsAndHeadersIsTheAddressOfRecord() {
    SipUri uri = SipUri.parse("sips:alice@atlanta.com:5061;transport=tls?subject=x");
    assertEquals("sips:alice@atlanta.com:5061", uri.withoutParamsAndHeaders().toString());
    assertFalse(uri.withoutParam("transport").transport().isPresent());
  }
}
