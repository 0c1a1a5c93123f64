package io.tandem.auth;

import io.tandem.sip.message.AuthHeader;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.syntax.Ascii;
import java.util.Objects;

/**
 * Digest credentials, as in Authorization or Proxy-Authorization (RFC 3261 section 22.2,
 * RFC 7616 section 3.4).
 *
 * @param username the user, in clear (RFC 7616 userhash and {@code username*} are not used)
 * @param realm the realm of the challenge answered
 * @param nonce the nonce of the challenge answered
 * @param uri the digest-uri: the Request-URI of the request, as the client wrote it
 * @param response the request-digest, lower-case hex
 * @param algorithm the algorithm of the challenge answered
 * @param cnonce the client nonce, or null without qop
 * @param opaque the challenge's opaque, returned unchanged, or null
 * @param qop "auth", or null for the legacy form without qop
 * @param nc the nonce count, eight hex digits, or null without qop
 */
public record DigestCredentials(String username, String realm, String nonce, String uri, String response,
    DigestAlgorithm algorithm, String cnonce, String opaque, String qop, String nc) {

  public DigestCredentials {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(realm, "realm");
    Objects.requireNonNull(nonce, "nonce");
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(response, "response");
    Objects.requireNonNull(algorithm, "algorithm");
    if (qop != null && (cnonce == null || nc == null)) {
      throw new IllegalArgumentException("qop needs cnonce and nc");
    }
  }

  /** The nonce count as a number; 0 without qop. */
  public long nonceCount() {
    return nc == null ? 0 : Long.parseLong(nc, 16);
  }

  /** Reads a parsed Authorization or Proxy-Authorization value. */
  public static DigestParse<DigestCredentials> parse(AuthHeader header) {
    DigestParse<AuthParams> read = AuthParams.of(header);
    if (read instanceof DigestParse.Invalid<AuthParams> invalid) {
      return DigestParse.invalid(invalid.reason());
    }
    AuthParams p = ((DigestParse.Ok<AuthParams>) read).value();
    for (String required : new String[] {"username", "realm", "nonce", "uri", "response"}) {
      if (!p.has(required)) {
        return DigestParse.invalid("credentials without " + required
            + ("username".equals(required) && p.has("username*") ? " (username* is not supported)" : ""));
      }
    }
    DigestAlgorithm algorithm = DigestAlgorithm.fromToken(p.get("algorithm")).orElse(null);
    if (algorithm == null) {
      return DigestParse.invalid("unknown algorithm " + p.get("algorithm"));
    }
    String qop = p.get("qop") == null ? null : Ascii.lower(p.get("qop"));
    String nc = p.get("nc");
    if (qop != null) {
      if (!p.has("cnonce")) {
        return DigestParse.invalid("qop without cnonce");
      }
      if (nc == null || !nc.matches("[0-9a-fA-F]{8}")) {
        return DigestParse.invalid("qop needs nc of eight hex digits, not " + nc);
      }
    }
    if (algorithm.session() && !p.has("cnonce")) {
      return DigestParse.invalid(algorithm + " without cnonce");
    }
    return new DigestParse.Ok<>(new DigestCredentials(p.get("username"), p.get("realm"), p.get("nonce"),
        p.get("uri"), Ascii.lower(p.get("response")), algorithm, p.get("cnonce"), p.get("opaque"), qop,
        qop == null ? null : nc));
  }

  /** Reads the text of one Authorization (or Proxy-Authorization: the same syntax) value. */
  public static DigestParse<DigestCredentials> parse(String headerValue) {
    DigestParse<AuthParams> read = AuthParams.of(SipHeaders.AUTHORIZATION, headerValue);
    if (read instanceof DigestParse.Invalid<AuthParams> invalid) {
      return DigestParse.invalid(invalid.reason());
    }
    return parse(SipHeaders.AUTHORIZATION.parse(headerValue).get(0));
  }

  /** The header value: {@code Digest username="...", realm="...", ...}. */
  public String render() {
    return new AuthParams.Writer()
        .quoted("username", username)
        .quoted("realm", realm)
        .quoted("nonce", nonce)
        .quoted("uri", uri)
        .quoted("response", response)
        .token("algorithm", algorithm.token())
        .quoted("cnonce", cnonce)
        .quoted("opaque", opaque)
        .token("qop", qop)
        .token("nc", nc)
        .toString();
  }

  @Override
  public String toString() {
    return render();
  }
}
