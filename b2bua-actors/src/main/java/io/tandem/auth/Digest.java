package io.tandem.auth;

/**
 * The digest computation of RFC 7616 section 3.4.1 (RFC 2617 section 3.2.2, RFC 3261 section
 * 22.4 for SIP, where the method is the SIP method and the digest-uri the Request-URI):
 *
 * <pre>
 *   A1       = username:realm:password               (-sess: H(that):nonce:cnonce)
 *   A2       = method:digest-uri                     (qop=auth; auth-int is not offered)
 *   response = H(H(A1):nonce:nc:cnonce:qop:H(A2))    with qop
 *   response = H(H(A1):nonce:H(A2))                  without qop (RFC 2069, legacy)
 * </pre>
 */
public final class Digest {
  private Digest() {}

  /** H(A1) for {@code algorithm}; {@code nonce} and {@code cnonce} matter to -sess only. */
  public static String ha1(DigestAlgorithm algorithm, String username, String realm, String password,
      String nonce, String cnonce) {
    String ha1 = algorithm.hash(username + ":" + realm + ":" + password);
    return algorithm.session() ? algorithm.hash(ha1 + ":" + nonce + ":" + cnonce) : ha1;
  }

  /**
   * The request-digest.
   *
   * @param qop "auth", or null for the legacy form without qop (then nc and cnonce are unused)
   * @param nc the nonce count as sent: eight hex digits
   */
  public static String response(DigestAlgorithm algorithm, String username, String realm, String password,
      String method, String uri, String nonce, String nc, String cnonce, String qop) {
    String ha1 = ha1(algorithm, username, realm, password, nonce, cnonce);
    String ha2 = algorithm.hash(method + ":" + uri);
    if (qop == null) {
      return algorithm.hash(ha1 + ":" + nonce + ":" + ha2);
    }
    return algorithm.hash(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2);
  }
}
