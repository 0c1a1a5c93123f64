package io.tandem.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The request-digest against the published example vectors. */
class DigestTest {
  // RFC 7616 section 3.9.1: the algorithm is the same for SIP (RFC 8760), only method and uri differ.
  private static final String USER = "Mufasa";
  private static final String PASSWORD = "Circle of Life";
  private static final String REALM = "http-auth@example.org";
  private static final String NONCE = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
  private static final String CNONCE_MD5 = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
  private static final String CNONCE_SHA = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

  @Test
  void rfc7616Md5Example() {
    assertEquals("8ca523f5e9506fed4657c9700eebdbec", Digest.response(DigestAlgorithm.MD5, USER, REALM, PASSWORD,
        "GET", "/dir/index.html", NONCE, "00000001", CNONCE_MD5, "auth"));
  }

  @Test
  void rfc7616Sha256Example() {
    assertEquals("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
        Digest.response(DigestAlgorithm.SHA_256, USER, REALM, PASSWORD, "GET", "/dir/index.html", NONCE,
            "00000001", CNONCE_SHA, "auth"));
  }

  @Test
  void rfc2617ExampleWithQop() {
    // RFC 2617 section 3.5.
    assertEquals("6629fae49393a05397450978507c4ef1", Digest.response(DigestAlgorithm.MD5, USER,
        "testrealm@host.com", "Circle Of Life", "GET", "/dir/index.html", "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        "00000001", "0a4f113b", "auth"));
  }

  @Test
  void legacyFormWithoutQopHashesNonceAndA2Only() {
    DigestAlgorithm md5 = DigestAlgorithm.MD5;
    String ha1 = md5.hash("bob:sip.example:secret");
    String ha2 = md5.hash("INVITE:sip:bob@sip.example");
    assertEquals(md5.hash(ha1 + ":n1:" + ha2),
        Digest.response(md5, "bob", "sip.example", "secret", "INVITE", "sip:bob@sip.example", "n1", null, null, null));
  }

  @Test
  void sessionFormHashesNonceAndCnonceIntoA1() {
    DigestAlgorithm sess = DigestAlgorithm.SHA_256_SESS;
    String ha1 = sess.hash(sess.hash("bob:r:pw") + ":n:c");
    String ha2 = sess.hash("INVITE:sip:x@y");
    assertEquals(sess.hash(ha1 + ":n:00000002:c:auth:" + ha2),
        Digest.response(sess, "bob", "r", "pw", "INVITE", "sip:x@y", "n", "00000002", "c", "auth"));
  }

  @Test
  void algorithmTokensAreCaseInsensitiveAndAbsentMeansMd5() {
    assertEquals(DigestAlgorithm.SHA_256, DigestAlgorithm.fromToken("sha-256").orElseThrow());
    assertEquals(DigestAlgorithm.MD5_SESS, DigestAlgorithm.fromToken("md5-SESS").orElseThrow());
    assertEquals(DigestAlgorithm.MD5, DigestAlgorithm.fromToken(null).orElseThrow());
    assertEquals(java.util.Optional.empty(), DigestAlgorithm.fromToken("SHA-512-256"));
  }
}
