package io.tandem.auth;

import io.tandem.sip.message.AuthHeader;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.syntax.Ascii;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A Digest challenge, as in WWW-Authenticate or Proxy-Authenticate (RFC 3261 section 22.1,
 * RFC 7616 section 3.3).
 *
 * @param realm the protection space the credentials are for
 * @param nonce the server's nonce
 * @param opaque returned unchanged in the credentials, or null
 * @param algorithm the algorithm to answer with
 * @param qop the qop options offered, lower case (empty: a legacy RFC 2069 challenge)
 * @param stale true when the previous nonce had expired but the digest was right: the client
 *     retries with the new nonce without asking its user again
 */
public record DigestChallenge(String realm, String nonce, String opaque, DigestAlgorithm algorithm,
    List<String> qop, boolean stale) {

  public DigestChallenge {
    Objects.requireNonNull(realm, "realm");
    Objects.requireNonNull(nonce, "nonce");
    Objects.requireNonNull(algorithm, "algorithm");
    qop = List.copyOf(qop);
  }

  /** Whether the challenge offers qop=auth (the only qop Tandem answers). */
  public boolean offersAuth() {
    return qop.contains("auth");
  }

  /** Reads a parsed WWW-Authenticate or Proxy-Authenticate value. */
  public static DigestParse<DigestChallenge> parse(AuthHeader header) {
    DigestParse<AuthParams> read = AuthParams.of(header);
    if (read instanceof DigestParse.Invalid<AuthParams> invalid) {
      return DigestParse.invalid(invalid.reason());
    }
    AuthParams p = ((DigestParse.Ok<AuthParams>) read).value();
    if (!p.has("realm")) {
      return DigestParse.invalid("challenge without realm");
    }
    if (!p.has("nonce")) {
      return DigestParse.invalid("challenge without nonce");
    }
    DigestAlgorithm algorithm = DigestAlgorithm.fromToken(p.get("algorithm")).orElse(null);
    if (algorithm == null) {
      return DigestParse.invalid("unknown algorithm " + p.get("algorithm"));
    }
    List<String> qop = new ArrayList<>();
    if (p.get("qop") != null) {
      for (String option : p.get("qop").split(",")) {
        if (!option.isBlank()) {
          qop.add(Ascii.lower(option.trim()));
        }
      }
      if (qop.isEmpty()) {
        return DigestParse.invalid("empty qop");
      }
    }
    boolean stale = "true".equalsIgnoreCase(p.get("stale"));
    return new DigestParse.Ok<>(
        new DigestChallenge(p.get("realm"), p.get("nonce"), p.get("opaque"), algorithm, qop, stale));
  }

  /** Reads the text of one WWW-Authenticate (or Proxy-Authenticate: the same syntax) value. */
  public static DigestParse<DigestChallenge> parse(String headerValue) {
    DigestParse<AuthParams> read = AuthParams.of(SipHeaders.WWW_AUTHENTICATE, headerValue);
    if (read instanceof DigestParse.Invalid<AuthParams> invalid) {
      return DigestParse.invalid(invalid.reason());
    }
    return parse(SipHeaders.WWW_AUTHENTICATE.parse(headerValue).get(0));
  }

  /** The header value: {@code Digest realm="...", nonce="...", ...}. */
  public String render() {
    AuthParams.Writer w = new AuthParams.Writer()
        .quoted("realm", realm)
        .quoted("nonce", nonce)
        .quoted("opaque", opaque)
        .token("algorithm", algorithm.token());
    if (!qop.isEmpty()) {
      w.quoted("qop", String.join(",", qop));
    }
    if (stale) {
      w.token("stale", "true");
    }
    return w.toString();
  }

  @Override
  public String toString() {
    return render();
  }
}
