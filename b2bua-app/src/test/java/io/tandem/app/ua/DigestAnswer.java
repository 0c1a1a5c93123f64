package io.tandem.app.ua;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.ListIterator;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.Header;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Message;
import javax.sip.message.Request;

/**
 * The test UAs' own Digest (RFC 7616 section 3.4.1, qop=auth), written apart from Tandem's
 * io.tandem.auth so that each side checks the other: JAIN-SIP's AuthenticationHelper knows MD5
 * only and a fixed cnonce, so the harness computes the digest itself.
 */
public final class DigestAnswer {
  private static final SecureRandom RANDOM = new SecureRandom();

  private DigestAnswer() {}

  /** H(text) in lower-case hex with MD5 or SHA-256. */
  static String h(String algorithm, String text) throws Exception {
    String java = algorithm.toUpperCase().startsWith("SHA-256") ? "SHA-256" : "MD5";
    return HexFormat.of().formatHex(MessageDigest.getInstance(java).digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** The qop=auth request-digest. */
  static String digest(String algorithm, String user, String realm, String password, String method, String uri,
      String nonce, String nc, String cnonce) throws Exception {
    String ha1 = h(algorithm, user + ":" + realm + ":" + password);
    String ha2 = h(algorithm, method + ":" + uri);
    return h(algorithm, ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2);
  }

  /**
   * The challenge header named {@code headerName} in {@code message} whose algorithm is
   * {@code algorithm} (absent algorithm: MD5), or null.
   */
  public static WWWAuthenticateHeader challenge(Message message, String headerName, String algorithm) {
    ListIterator<?> it = message.getHeaders(headerName);
    while (it.hasNext()) {
      WWWAuthenticateHeader c = (WWWAuthenticateHeader) it.next();
      String a = c.getAlgorithm() == null ? "MD5" : c.getAlgorithm();
      if (a.equalsIgnoreCase(algorithm)) {
        return c;
      }
    }
    return null;
  }

  /** The credentials value answering {@code challenge} for {@code method} to {@code uri}, nc 1. */
  public static String credentials(WWWAuthenticateHeader challenge, String method, String uri, String user,
      String password) throws Exception {
    String algorithm = challenge.getAlgorithm() == null ? "MD5" : challenge.getAlgorithm();
    String cnonce = HexFormat.of().formatHex(RANDOM.generateSeed(8));
    String nc = "00000001";
    String response = digest(algorithm, user, challenge.getRealm(), password, method, uri, challenge.getNonce(), nc,
        cnonce);
    return "Digest username=\"" + user + "\", realm=\"" + challenge.getRealm() + "\", nonce=\""
        + challenge.getNonce() + "\", uri=\"" + uri + "\", response=\"" + response + "\", algorithm=" + algorithm
        + ", cnonce=\"" + cnonce + "\", qop=auth, nc=" + nc;
  }

  /** A challenge value with a fresh nonce. */
  public static String newChallenge(String realm, String algorithm) {
    return "Digest realm=\"" + realm + "\", nonce=\"" + HexFormat.of().formatHex(RANDOM.generateSeed(12))
        + "\", algorithm=" + algorithm + ", qop=\"auth\"";
  }

  /** Whether {@code request} carries right credentials in {@code headerName} for the user and realm. */
  public static boolean verify(Request request, String headerName, String realm, String user, String password)
      throws Exception {
    Header header = request.getHeader(headerName);
    if (!(header instanceof AuthorizationHeader a) || !realm.equals(a.getRealm()) || !user.equals(a.getUsername())) {
      return false;
    }
    String algorithm = a.getAlgorithm() == null ? "MD5" : a.getAlgorithm();
    String uri = a.getParameter("uri");
    String expected = digest(algorithm, user, realm, password, request.getMethod(), uri, a.getNonce(),
        String.format("%08x", a.getNonceCount()), a.getCNonce());
    return expected.equalsIgnoreCase(a.getResponse()) && uri.equals(request.getRequestURI().toString());
  }
}
