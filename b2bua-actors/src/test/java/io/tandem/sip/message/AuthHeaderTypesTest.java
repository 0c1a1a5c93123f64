package io.tandem.sip.message;

import static io.tandem.sip.message.HeaderTypesTest.invalid;
import static io.tandem.sip.message.HeaderTypesTest.only;
import static io.tandem.sip.message.HeaderTypesTest.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Challenges and credentials (RFC 3261 sections 20.7, 20.27, 20.28, 20.44 and 25.1; RFC 7616
 * Digest with SHA-256; RFC 7235 token68): one value per field, commas being part of it.
 */
class AuthHeaderTypesTest {
  static Stream<Arguments> validValues() {
    return Stream.of(
        valid("WWW-Authenticate: Digest with qop list, SHA-256 and stale", SipHeaders.WWW_AUTHENTICATE,
            "Digest realm=\"atlanta.com\", domain=\"sip:ss1.carrier.com\", qop=\"auth,auth-int\", "
                + "nonce=\"f84f1cec41e6cbe5aea9c8e88d359\", opaque=\"\", stale=TRUE, algorithm=SHA-256",
            v -> {
              AuthHeader a = only(v);
              assertTrue(a.isDigest());
              assertEquals("atlanta.com", a.param("realm").orElseThrow());
              assertEquals("sip:ss1.carrier.com", a.param("domain").orElseThrow());
              assertEquals("auth,auth-int", a.param("qop").orElseThrow());
              assertEquals("f84f1cec41e6cbe5aea9c8e88d359", a.param("nonce").orElseThrow());
              assertEquals("", a.param("opaque").orElseThrow());
              assertEquals("TRUE", a.param("stale").orElseThrow());
              assertEquals("SHA-256", a.param("algorithm").orElseThrow());
              assertEquals(7, a.params().size());
              assertNull(a.token68());
            }),
        valid("Proxy-Authenticate: LWS around EQUAL and COMMA, a fold, stale=true", SipHeaders.PROXY_AUTHENTICATE,
            "Digest realm = \"biloxi.com\" ,\r\n nonce=\"n1\",algorithm=MD5,  stale=true", v -> {
              assertEquals("biloxi.com", only(v).param("realm").orElseThrow());
              assertEquals("n1", only(v).param("nonce").orElseThrow());
              assertEquals("true", only(v).param("stale").orElseThrow());
            }),
        valid("Authorization: Digest credentials", SipHeaders.AUTHORIZATION,
            "Digest username=\"bob\", realm=\"biloxi.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
                + "uri=\"sip:bob@biloxi.com\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", "
                + "response=\"6629fae49393a05397450978507c4ef1\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", "
                + "algorithm=SHA-256",
            v -> {
              AuthHeader a = only(v);
              assertEquals("Digest", a.scheme());
              assertEquals("bob", a.param("username").orElseThrow());
              assertEquals("sip:bob@biloxi.com", a.param("uri").orElseThrow());
              assertEquals("auth", a.param("qop").orElseThrow());
              assertEquals("00000001", a.param("nc").orElseThrow());
              assertEquals("6629fae49393a05397450978507c4ef1", a.param("response").orElseThrow());
              assertEquals("SHA-256", a.param("algorithm").orElseThrow());
            }),
        valid("Authorization: commas and an escaped quote inside quoted values", SipHeaders.AUTHORIZATION,
            "Digest username=\"Bob, \\\"the\\\" Builder\", realm=\"a,b\", nonce=\"x\"", v -> {
              assertEquals("Bob, \"the\" Builder", only(v).param("username").orElseThrow());
              assertEquals("a,b", only(v).param("realm").orElseThrow());
              assertEquals(3, only(v).params().size());
            }),
        valid("Authorization: Basic token68", SipHeaders.AUTHORIZATION, "Basic dXNlcjpwYXNz", v -> {
          assertEquals("Basic", only(v).scheme());
          assertFalse(only(v).isDigest());
          assertEquals("dXNlcjpwYXNz", only(v).token68());
          assertTrue(only(v).params().isEmpty());
        }),
        valid("Authorization: token68 with padding, '/' and '+'", SipHeaders.AUTHORIZATION,
            "Basic dXNl/cj+wYXNzd29yZA==", v -> assertEquals("dXNl/cj+wYXNzd29yZA==", only(v).token68())),
        valid("Proxy-Authorization: unknown scheme with auth-params", SipHeaders.PROXY_AUTHORIZATION,
            "Custom foo=bar, baz=\"q x\"", v -> {
              assertEquals("Custom", only(v).scheme());
              assertFalse(only(v).isDigest());
              assertEquals("bar", only(v).param("foo").orElseThrow());
              assertEquals("q x", only(v).param("baz").orElseThrow());
            }),
        valid("Proxy-Authorization: scheme alone", SipHeaders.PROXY_AUTHORIZATION, "Negotiate", v -> {
          assertEquals("Negotiate", only(v).scheme());
          assertTrue(only(v).params().isEmpty());
          assertNull(only(v).token68());
        }));
  }

  static Stream<Arguments> invalidValues() {
    return Stream.of(
        invalid("WWW-Authenticate: unterminated quoted value", SipHeaders.WWW_AUTHENTICATE,
            "Digest nonce=\"1\", realm=\"atlanta.com"),
        invalid("WWW-Authenticate: empty", SipHeaders.WWW_AUTHENTICATE, ""),
        invalid("Proxy-Authenticate: auth-param without value", SipHeaders.PROXY_AUTHENTICATE,
            "Digest realm=\"a\", nonce"),
        invalid("Proxy-Authenticate: scheme is not a token", SipHeaders.PROXY_AUTHENTICATE, "\"Digest\" realm=\"a\""),
        invalid("Authorization: auth-params without COMMA", SipHeaders.AUTHORIZATION,
            "Digest username=\"bob\" realm=\"a\""),
        invalid("Authorization: token68 with a space inside", SipHeaders.AUTHORIZATION, "Basic dXNl cjpw"),
        invalid("Proxy-Authorization: unquoted value with '@'", SipHeaders.PROXY_AUTHORIZATION,
            "Digest username=bob@biloxi.com"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validValues")
  void validValueIsReadAloneAndInAMessage(String name, HeaderTypesTest.Valid<?> c) {
    HeaderTypesTest.assertValid(c);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidValues")
  void invalidValueIsRefusedNamingTheHeader(String name, HeaderType<?> type, String value) {
    HeaderTypesTest.assertInvalid(type, value);
  }

  @Test
  void eachFieldIsOneChallengeInOrder() {
    SipMessage m = TestMessages.responseWith(
        "Proxy-Authenticate", "Digest realm=\"a.example\", nonce=\"1\", algorithm=SHA-256",
        "WWW-Authenticate", "Digest realm=\"w.example\", nonce=\"w\"",
        "proxy-authenticate", "Digest realm=\"b.example\", nonce=\"2\", algorithm=MD5");
    List<AuthHeader> challenges = m.headers().getAll(SipHeaders.PROXY_AUTHENTICATE).value();
    assertEquals(List.of("a.example", "b.example"),
        challenges.stream().map(c -> c.param("realm").orElseThrow()).toList());
    assertEquals("a.example", m.headers().get(SipHeaders.PROXY_AUTHENTICATE).value().param("realm").orElseThrow());
    assertEquals(1, m.headers().getAll(SipHeaders.WWW_AUTHENTICATE).value().size());
  }
}
