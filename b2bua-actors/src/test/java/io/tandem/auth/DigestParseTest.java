package io.tandem.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reading and writing challenges and credentials: the edge cases of the auth-param syntax. */
class DigestParseTest {

  private static DigestChallenge challenge(String text) {
    DigestParse<DigestChallenge> r = DigestChallenge.parse(text);
    assertInstanceOf(DigestParse.Ok.class, r, r::toString);
    return ((DigestParse.Ok<DigestChallenge>) r).value();
  }

  private static DigestCredentials credentials(String text) {
    DigestParse<DigestCredentials> r = DigestCredentials.parse(text);
    assertInstanceOf(DigestParse.Ok.class, r, r::toString);
    return ((DigestParse.Ok<DigestCredentials>) r).value();
  }

  @Test
  void challengeWithEveryDirective() {
    DigestChallenge c = challenge("Digest realm=\"atlanta.com\", domain=\"sip:ss1.carrier.com\", "
        + "qop=\"auth,auth-int\", nonce=\"f84f1cec41e6cbe5aea9c8e88d359\", opaque=\"\", stale=FALSE, algorithm=MD5");
    assertEquals("atlanta.com", c.realm());
    assertEquals("f84f1cec41e6cbe5aea9c8e88d359", c.nonce());
    assertEquals("", c.opaque());
    assertEquals(List.of("auth", "auth-int"), c.qop());
    assertEquals(DigestAlgorithm.MD5, c.algorithm());
    assertFalse(c.stale());
  }

  @Test
  void namesAndSchemeAreCaseInsensitive() {
    DigestChallenge c = challenge("digest REALM=\"r\",Nonce=\"n\",QOP=\"Auth\",Stale=TRUE,ALGORITHM=sha-256");
    assertEquals("r", c.realm());
    assertEquals("n", c.nonce());
    assertTrue(c.offersAuth());
    assertTrue(c.stale());
    assertEquals(DigestAlgorithm.SHA_256, c.algorithm());
  }

  @Test
  void quotedStringEscapesAreResolved() {
    DigestChallenge c = challenge("Digest realm=\"a \\\"quoted\\\" \\\\ realm\", nonce=\"n\"");
    assertEquals("a \"quoted\" \\ realm", c.realm());
    assertEquals(DigestAlgorithm.MD5, c.algorithm(), "no algorithm means MD5");
    assertTrue(c.qop().isEmpty(), "no qop: a legacy RFC 2069 challenge");
  }

  @Test
  void lwsAroundEqualsAndCommasIsAllowed() {
    DigestChallenge c = challenge("Digest realm = \"r\" ,\r\n nonce= \"n\" , qop =\"auth\"");
    assertEquals("r", c.realm());
    assertEquals(List.of("auth"), c.qop());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "no nonce            | Digest realm=\"r\"                                  | without nonce",
      "no realm            | Digest nonce=\"n\"                                  | without realm",
      "Basic               | Basic realm=\"r\"                                   | not a Digest",
      "token68             | Digest abc123==                                      | token68",
      "repeated realm      | Digest realm=\"r\", realm=\"s\", nonce=\"n\"        | repeated parameter realm",
      "unknown algorithm   | Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512 | unknown algorithm",
      "empty qop           | Digest realm=\"r\", nonce=\"n\", qop=\"\"           | empty qop",
      "open quote          | Digest realm=\"r, nonce=\"n\"                      | invalid",
      "empty               | ''                                                   | invalid",
      "trailing comma junk | Digest realm=\"r\", nonce=\"n\", ,                 | invalid",
  })
  void badChallengesFailWithAReason(String name, String text, String reason) {
    DigestParse<DigestChallenge> r = DigestChallenge.parse(text);
    DigestParse.Invalid<?> invalid = assertInstanceOf(DigestParse.Invalid.class, r, name);
    assertTrue(invalid.reason().contains(reason), name + ": " + invalid.reason());
  }

  @Test
  void credentialsWithQop() {
    DigestCredentials c = credentials("Digest username=\"bob\", realm=\"biloxi.com\", "
        + "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"sip:bob@biloxi.com\", qop=auth, nc=00000001, "
        + "cnonce=\"0a4f113b\", response=\"6629FAE49393A05397450978507C4EF1\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
    assertEquals("bob", c.username());
    assertEquals("sip:bob@biloxi.com", c.uri());
    assertEquals("auth", c.qop());
    assertEquals(1, c.nonceCount());
    assertEquals("6629fae49393a05397450978507c4ef1", c.response(), "hex compared in lower case");
    assertEquals(DigestAlgorithm.MD5, c.algorithm());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "no response      | Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:x\"                         | without response",
      "no uri           | Digest username=\"u\", realm=\"r\", nonce=\"n\", response=\"x\"                        | without uri",
      "username* only   | Digest username*=UTF-8''u, realm=\"r\", nonce=\"n\", uri=\"sip:x\", response=\"x\"     | username* is not supported",
      "qop no cnonce    | Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", response=\"x\", qop=auth, nc=00000001 | without cnonce",
      "short nc         | Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", response=\"x\", qop=auth, nc=1, cnonce=\"c\" | eight hex digits",
      "sess no cnonce   | Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", response=\"x\", algorithm=MD5-sess | without cnonce",
  })
  void badCredentialsFailWithAReason(String name, String text, String reason) {
    DigestParse<DigestCredentials> r = DigestCredentials.parse(text);
    DigestParse.Invalid<?> invalid = assertInstanceOf(DigestParse.Invalid.class, r, name);
    assertTrue(invalid.reason().contains(reason), name + ": " + invalid.reason());
  }

  @Test
  void renderedChallengeParsesBackEqual() {
    DigestChallenge c = new DigestChallenge("a \"realm\"", "n0nce", "op", DigestAlgorithm.SHA_256, List.of("auth"), true);
    assertEquals("Digest realm=\"a \\\"realm\\\"\",nonce=\"n0nce\",opaque=\"op\",algorithm=SHA-256,qop=\"auth\",stale=true",
        c.render());
    assertEquals(c, challenge(c.render()));
  }

  @Test
  void renderedCredentialsParseBackEqual() {
    DigestCredentials c = new DigestCredentials("b\\ob", "r", "n", "sip:bob@example.com;transport=tcp", "abc",
        DigestAlgorithm.SHA_256_SESS, "c", null, "auth", "0000000a");
    assertEquals(c, credentials(c.render()));
    assertEquals(10, c.nonceCount());
  }
}
