package io.tandem.sip.message;

import io.tandem.sip.syntax.CharClass;
import io.tandem.sip.syntax.Cursor;
import io.tandem.sip.syntax.Grammar;
import io.tandem.sip.syntax.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A challenge (WWW-Authenticate, Proxy-Authenticate) or credentials (Authorization,
 * Proxy-Authorization): an auth scheme with comma-separated auth-params (RFC 3261 section 25.1,
 * RFC 7616), or with a token68 (RFC 7235) for schemes such as Basic.
 */
public record AuthHeader(String scheme, Parameters params, String token68) {
  /** The unquoted value of auth-param {@code name}. */
  public Optional<String> param(String name) {
    return params.text(name);
  }

  public boolean isDigest() {
    return "digest".equalsIgnoreCase(scheme);
  }

  static AuthHeader read(Cursor c) {
    int start = c.pos();
    if (!c.token()) {
      c.fail("auth scheme expected");
      return null;
    }
    String scheme = Text.decode(c.bytes(), start, c.pos());
    if (!c.skipLws() || c.atEnd()) {
      return new AuthHeader(scheme, Parameters.EMPTY, null);
    }
    int restStart = c.pos();
    List<Parameters.Parameter> params = new ArrayList<>();
    int[] o = new int[Grammar.PARAM_SIZE];
    do {
      if (!Grammar.genericParam(c, o, 0) || o[Grammar.P_VALUE_S] < 0) {
        return token68(c, scheme, restStart);
      }
      byte[] b = c.bytes();
      params.add(new Parameters.Parameter(
          Text.decode(b, o[Grammar.P_NAME_S], o[Grammar.P_NAME_E]),
          Text.decode(b, o[Grammar.P_VALUE_S], o[Grammar.P_VALUE_E])));
    } while (c.acceptSeparator(','));
    return new AuthHeader(scheme, Parameters.of(params), null);
  }

  /** token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
  private static AuthHeader token68(Cursor c, String scheme, int start) {
    byte[] b = c.bytes();
    int p = start;
    while (p < c.end() && (CharClass.is(b[p], CharClass.ALPHA | CharClass.DIGIT) || "-._~+/".indexOf(b[p]) >= 0)) {
      p++;
    }
    int body = p;
    while (p < c.end() && b[p] == '=') {
      p++;
    }
    c.pos(p);
    if (body == start || !c.restIsLws()) {
      c.fail("invalid auth-param");
      return null;
    }
    return new AuthHeader(scheme, Parameters.EMPTY, Text.decode(b, start, p));
  }

  @Override
  public String toString() {
    if (token68 != null) {
      return scheme + " " + token68;
    }
    StringBuilder out = new StringBuilder(scheme);
    char sep = ' ';
    for (Parameters.Parameter p : params) {
      out.append(sep).append(p.name()).append('=').append(p.value());
      sep = ',';
    }
    return out.toString();
  }
}
