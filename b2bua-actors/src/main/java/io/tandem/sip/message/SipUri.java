package io.tandem.sip.message;

import io.tandem.sip.syntax.Ascii;
import io.tandem.sip.syntax.CharClass;
import io.tandem.sip.syntax.Text;
import io.tandem.sip.syntax.UriGrammar;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A sip: or sips: URI (RFC 3261 section 19.1).
 *
 * <p>Components are kept as written, escapes included, so a URI renders back byte for byte;
 * {@link #user()} gives the user part with its escapes decoded. {@link #equals} is the
 * comparison of RFC 3261 section 19.1.4. Every instance is valid: the {@code with...} methods
 * check what they build and throw {@link IllegalArgumentException} for what the grammar refuses.
 */
public final class SipUri implements Uri {
  /** URI parameters that must match if either URI has them (RFC 3261 section 19.1.4). */
  private static final Set<String> MUST_MATCH = Set.of("user", "ttl", "method", "maddr", "transport");

  private final boolean secure;
  private final String user;
  private final String password;
  private final String host;
  private final int port;
  /** The URI parameters, read from {@link #paramsText} when first asked for. */
  private Parameters params;
  /** The parameters as written (escaped, without the first ";"), or null once read. */
  private final String paramsText;
  private final Parameters headers;

  private SipUri(
      boolean secure,
      String user,
      String password,
      String host,
      int port,
      Parameters params,
      Parameters headers) {
    this(secure, user, password, host, port, params, null, headers);
  }

  private SipUri(
      boolean secure,
      String user,
      String password,
      String host,
      int port,
      Parameters params,
      String paramsText,
      Parameters headers) {
    this.secure = secure;
    this.user = user;
    this.password = password;
    this.host = host;
    this.port = port;
    this.params = params;
    this.paramsText = paramsText;
    this.headers = headers;
  }

  /** Parses a sip: or sips: URI; throws {@link IllegalArgumentException} otherwise. */
  public static SipUri parse(String text) {
    Uri uri = Uri.parse(text);
    if (!(uri instanceof SipUri)) {
      throw new IllegalArgumentException("not a sip or sips URI: " + text);
    }
    return (SipUri) uri;
  }

  /** {@code sip:user@host[:port]} with {@code user} escaped as needed (null: no user part). */
  public static SipUri of(String user, String host, int port) {
    return new SipUri(false, user == null ? null : escapeUser(user), null, host, port,
            Parameters.EMPTY, Parameters.EMPTY)
        .validated();
  }

  static SipUri read(byte[] b, int[] o, int k) {
    boolean secure = o[k + UriGrammar.U_KIND] == UriGrammar.KIND_SIPS;
    String user = Text.ascii(b, o[k + UriGrammar.U_USER_S], o[k + UriGrammar.U_USER_E]);
    String password = Text.ascii(b, o[k + UriGrammar.U_PASSWORD_S], o[k + UriGrammar.U_PASSWORD_E]);
    String host = Text.ascii(b, o[k + UriGrammar.U_HOST_S], o[k + UriGrammar.U_HOST_E]);
    // Routing reads user and host far more often than parameters: those are read on demand.
    int ps = o[k + UriGrammar.U_PARAMS_S];
    Parameters params = ps < 0 ? Parameters.EMPTY : null;
    String paramsText = ps < 0 ? null : Text.ascii(b, ps, o[k + UriGrammar.U_PARAMS_E]);
    Parameters headers = readHeaders(b, o[k + UriGrammar.U_HEADERS_S], o[k + UriGrammar.U_HEADERS_E]);
    return new SipUri(secure, user, password, host, o[k + UriGrammar.U_PORT], params, paramsText,
        headers);
  }

  private static Parameters readHeaders(byte[] b, int s, int e) {
    if (s < 0) {
      return Parameters.EMPTY;
    }
    // hname=hvalue pairs separated by "&": reuse the parameter list, with "&" as separator.
    byte[] copy = java.util.Arrays.copyOfRange(b, s, e);
    for (int i = 0; i < copy.length; i++) {
      if (copy[i] == '&') {
        copy[i] = ';';
      }
    }
    return Parameters.readUri(copy, 0, copy.length);
  }

  private static String escapeUser(String user) {
    return Text.escape(user, CharClass.USER);
  }

  /**
   * This URI checked by the grammar: its text must parse back into the very components it was
   * built from, so a host cannot smuggle in a port or parameter, nor a parameter name a header.
   */
  private SipUri validated() {
    SipUri parsed = parse(toString());
    boolean same = parsed.secure == secure
        && java.util.Objects.equals(parsed.user, user)
        && java.util.Objects.equals(parsed.password, password)
        && parsed.host.equals(host)
        && parsed.port == port
        && parsed.params().asList().equals(params().asList())
        && parsed.headers.asList().equals(headers.asList());
    if (!same) {
      throw new IllegalArgumentException("not a valid URI component in " + this);
    }
    return parsed;
  }

  @Override
  public String scheme() {
    return secure ? "sips" : "sip";
  }

  public boolean isSecure() {
    return secure;
  }

  /** The user part with escapes decoded, or null if there is none. */
  public String user() {
    return user == null ? null : Text.unescape(user);
  }

  /** The user part as written (escaped), or null. */
  public String rawUser() {
    return user;
  }

  /** The password as written, or null (RFC 3261 discourages its use). */
  public String password() {
    return password;
  }

  /** The host as written: a name, an IPv4 address or a bracketed IPv6 reference. */
  public String host() {
    return host;
  }

  /** The port, or -1 if the URI names none. */
  public int port() {
    return port;
  }

  /** The port, or the default for the scheme: 5060 for sip, 5061 for sips. */
  public int portOrDefault() {
    return port >= 0 ? port : secure ? 5061 : 5060;
  }

  public Parameters params() {
    Parameters p = params;
    if (p == null) {
      byte[] b = paramsText.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
      params = p = Parameters.readUri(b, 0, b.length);
    }
    return p;
  }

  /** The value of URI parameter {@code name} (escaped, as written). */
  public Optional<String> param(String name) {
    return params().get(name);
  }

  /** The transport parameter in lower case, if present. */
  public Optional<String> transport() {
    return params().get("transport").map(Ascii::lower);
  }

  /** Whether the URI carries the lr parameter (a loose router, RFC 3261 section 16.12). */
  public boolean isLooseRouting() {
    return params().contains("lr");
  }

  /** URI headers (hname=hvalue pairs after "?"), as written. */
  public Parameters headers() {
    return headers;
  }

  /** A copy with {@code user} (unescaped text, escaped here) or, for null, no user part. */
  public SipUri withUser(String user) {
    return new SipUri(secure, user == null ? null : escapeUser(user), user == null ? null : password,
            host, port, params(), headers)
        .validated();
  }

  public SipUri withHost(String host) {
    return new SipUri(secure, user, password, Objects.requireNonNull(host), port, params(), headers)
        .validated();
  }

  /** A copy with {@code port}, or without a port for -1. */
  public SipUri withPort(int port) {
    return new SipUri(secure, user, password, host, port, params(), headers).validated();
  }

  public SipUri withSecure(boolean secure) {
    return new SipUri(secure, user, password, host, port, params(), headers);
  }

  /** A copy with URI parameter {@code name} set to {@code value} (escaped here; null: no value). */
  public SipUri withParam(String name, String value) {
    String escaped = value == null ? null : Text.escape(value, CharClass.PARAM);
    return new SipUri(secure, user, password, host, port, params().with(name, escaped), headers)
        .validated();
  }

  public SipUri withoutParam(String name) {
    return new SipUri(secure, user, password, host, port, params().without(name), headers);
  }

  /** A copy without parameters and headers: the address of record form. */
  public SipUri withoutParamsAndHeaders() {
    return new SipUri(secure, user, password, host, port, Parameters.EMPTY, Parameters.EMPTY);
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(32).append(secure ? "sips:" : "sip:");
    if (user != null) {
      out.append(user);
      if (password != null) {
        out.append(':').append(password);
      }
      out.append('@');
    }
    out.append(host);
    if (port >= 0) {
      out.append(':').append(port);
    }
    if (params == null) {
      out.append(';').append(paramsText);
    } else {
      params.render(out);
    }
    if (!headers.isEmpty()) {
      char sep = '?';
      for (Parameters.Parameter h : headers) {
        out.append(sep).append(h.name()).append('=').append(h.value() == null ? "" : h.value());
        sep = '&';
      }
    }
    return out.toString();
  }

  /** RFC 3261 section 19.1.4 URI comparison. */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof SipUri)) {
      return false;
    }
    SipUri u = (SipUri) o;
    return secure == u.secure
        && port == u.port
        && host.equalsIgnoreCase(u.host)
        && sameEscaped(user, u.user)
        && sameEscaped(password, u.password)
        && paramsMatch(params(), u.params())
        && paramsMatch(u.params(), params())
        && headersMatch(headers, u.headers);
  }

  private static boolean sameEscaped(String a, String b) {
    if (a == null || b == null) {
      return a == b;
    }
    return Text.normalizeEscapes(a).equals(Text.normalizeEscapes(b));
  }

  private static boolean paramsMatch(Parameters a, Parameters b) {
    for (Parameters.Parameter p : a) {
      String name = Ascii.lower(Text.unescape(p.name()));
      Parameters.Parameter other = find(b, name);
      if (other == null) {
        if (MUST_MATCH.contains(name)) {
          return false;
        }
        continue;
      }
      if (!sameValue(name, p.value(), other.value())) {
        return false;
      }
    }
    return true;
  }

  private static Parameters.Parameter find(Parameters params, String lowerName) {
    for (Parameters.Parameter p : params) {
      if (Ascii.lower(Text.unescape(p.name())).equals(lowerName)) {
        return p;
      }
    }
    return null;
  }

  /**
   * Parameter values compare case-sensitively (RFC 3261 section 19.1.4: all but scheme, host
   * and names), except those whose values are tokens or hosts defined case-insensitive:
   * transport, user and maddr.
   */
  private static boolean sameValue(String lowerName, String a, String b) {
    if (a == null || b == null) {
      return a == b;
    }
    String x = Text.unescape(a);
    String y = Text.unescape(b);
    return CASE_INSENSITIVE_VALUES.contains(lowerName) ? x.equalsIgnoreCase(y) : x.equals(y);
  }

  private static final Set<String> CASE_INSENSITIVE_VALUES = Set.of("transport", "user", "maddr");

  private static boolean headersMatch(Parameters a, Parameters b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (Parameters.Parameter h : a) {
      Parameters.Parameter other = find(b, Ascii.lower(Text.unescape(h.name())));
      if (other == null || !sameEscaped(h.value(), other.value())) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        secure, user == null ? null : Text.normalizeEscapes(user), Ascii.lower(host), port);
  }
}
