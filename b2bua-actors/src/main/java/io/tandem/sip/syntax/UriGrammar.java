package io.tandem.sip.syntax;

/**
 * The URI rules: SIP-URI and SIPS-URI (RFC 3261 section 19.1, 25.1), tel (RFC 3966) and, for
 * any other scheme, absoluteURI (RFC 2396).
 *
 * <p>{@link #uri} matches a URI that fills a known extent exactly: the Request-URI between its
 * two SPs, the inside of {@code <...>}, or a bare addr-spec (whose extent {@link #bareExtent}
 * finds). It records the components as offsets at {@code out[k + U_*]}.
 */
public final class UriGrammar {
  public static final int KIND_SIP = 1;
  public static final int KIND_SIPS = 2;
  public static final int KIND_TEL = 3;
  public static final int KIND_ABSOLUTE = 4;

  /** Offsets recorded by {@link #uri}, relative to the slot {@code k} given. Absent: -1. */
  public static final int U_KIND = 0;
  public static final int U_START = 1;
  public static final int U_SCHEME_END = 2;
  public static final int U_USER_S = 3;
  public static final int U_USER_E = 4;
  public static final int U_PASSWORD_S = 5;
  public static final int U_PASSWORD_E = 6;
  public static final int U_HOST_S = 7;
  public static final int U_HOST_E = 8;
  public static final int U_PORT = 9;
  public static final int U_PARAMS_S = 10;
  public static final int U_PARAMS_E = 11;
  public static final int U_HEADERS_S = 12;
  public static final int U_HEADERS_E = 13;
  public static final int U_END = 14;
  public static final int URI_SIZE = 15;

  private UriGrammar() {}

  /** Matches a URI filling {@code [c.pos, extentEnd)} exactly. */
  public static boolean uri(Cursor c, int extentEnd, int[] out, int k) {
    byte[] b = c.bytes;
    int start = c.pos;
    for (int i = 0; i < URI_SIZE; i++) {
      out[k + i] = -1;
    }
    out[k + U_START] = start;
    out[k + U_END] = extentEnd;
    if (start >= extentEnd || !CharClass.is(b[start], CharClass.ALPHA)) {
      return c.fail("URI must start with a scheme");
    }
    int p = start + 1;
    while (p < extentEnd && CharClass.is(b[p], CharClass.SCHEME)) {
      p++;
    }
    if (p >= extentEnd || b[p] != ':') {
      return c.fail("URI scheme not followed by ':'");
    }
    out[k + U_SCHEME_END] = p;
    int kind = schemeKind(b, start, p);
    out[k + U_KIND] = kind;
    c.pos = p + 1;
    boolean ok;
    switch (kind) {
      case KIND_SIP:
      case KIND_SIPS:
        ok = sipUri(c, extentEnd, out, k);
        break;
      case KIND_TEL:
        ok = telUri(c, extentEnd, out, k);
        break;
      default:
        ok = absoluteUri(c, extentEnd);
    }
    if (ok && c.pos != extentEnd) {
      return c.fail("unexpected character in URI");
    }
    return ok;
  }

  private static int schemeKind(byte[] b, int s, int e) {
    int len = e - s;
    if (len == 3 && lowerIs(b, s, "sip")) {
      return KIND_SIP;
    }
    if (len == 4 && lowerIs(b, s, "sips")) {
      return KIND_SIPS;
    }
    if (len == 3 && lowerIs(b, s, "tel")) {
      return KIND_TEL;
    }
    return KIND_ABSOLUTE;
  }

  private static boolean lowerIs(byte[] b, int s, String lower) {
    for (int i = 0; i < lower.length(); i++) {
      if (CharClass.lower(b[s + i]) != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean sipUri(Cursor c, int e, int[] out, int k) {
    byte[] b = c.bytes;
    int p = c.pos;
    int at = -1;
    for (int i = p; i < e; i++) {
      if (b[i] == '@') {
        at = i;
        break;
      }
    }
    if (at >= 0) {
      int colon = -1;
      for (int i = p; i < at; i++) {
        if (b[i] == ':') {
          colon = i;
          break;
        }
      }
      int userEnd = colon >= 0 ? colon : at;
      if (userEnd == p || !escapedRun(b, p, userEnd, CharClass.USER)) {
        return c.fail("invalid user part in URI");
      }
      out[k + U_USER_S] = p;
      out[k + U_USER_E] = userEnd;
      if (colon >= 0) {
        if (!escapedRun(b, colon + 1, at, CharClass.PASSWORD)) {
          return c.fail("invalid password in URI");
        }
        out[k + U_PASSWORD_S] = colon + 1;
        out[k + U_PASSWORD_E] = at;
      }
      c.pos = at + 1;
    }
    if (!hostPort(c, e, out, k)) {
      return false;
    }
    if (!uriParams(c, e, out, k)) {
      return false;
    }
    if (c.pos < e && b[c.pos] == '?') {
      return uriHeaders(c, e, out, k);
    }
    return true;
  }

  /** host [ ":" port ], recording U_HOST_S/E and U_PORT. */
  static boolean hostPort(Cursor c, int e, int[] out, int k) {
    int hostStart = c.pos;
    if (!host(c, e)) {
      return false;
    }
    out[k + U_HOST_S] = hostStart;
    out[k + U_HOST_E] = c.pos;
    if (c.pos < e && c.bytes[c.pos] == ':') {
      c.pos++;
      if (!Grammar.number(c, 65535)) {
        return c.fail("invalid port in URI");
      }
      out[k + U_PORT] = (int) c.number;
    }
    return true;
  }

  /**
   * host = hostname / IPv4address / IPv6reference. Host names may carry "_" (deployed DNS
   * does); a name whose last label starts with a digit must be a valid IPv4 address.
   */
  public static boolean host(Cursor c, int e) {
    byte[] b = c.bytes;
    int p = c.pos;
    if (p < e && b[p] == '[') {
      int q = p + 1;
      int colons = 0;
      while (q < e && (CharClass.is(b[q], CharClass.HEX) || b[q] == ':' || b[q] == '.')) {
        if (b[q] == ':') {
          colons++;
        }
        q++;
      }
      if (q >= e || b[q] != ']' || colons < 2 || q - p > 46) {
        return c.fail("invalid IPv6 reference");
      }
      c.pos = q + 1;
      return true;
    }
    int q = p;
    int lastLabel = p;
    while (q < e && CharClass.is(b[q], CharClass.HOST)) {
      if (b[q] == '.') {
        if (q == lastLabel) {
          return c.fail("empty label in host name");
        }
        lastLabel = q + 1;
      }
      q++;
    }
    if (q == p) {
      return c.fail("missing host");
    }
    int labelEnd = b[q - 1] == '.' ? q - 1 : q;
    if (lastLabel < labelEnd && CharClass.isDigit(b[lastLabel]) && !ipv4(b, p, q)) {
      return c.fail("invalid IPv4 address");
    }
    c.pos = q;
    return true;
  }

  /** Whether [s, e) is a dotted-quad IPv4 address with each part at most 255. */
  public static boolean ipv4(byte[] b, int s, int e) {
    int parts = 0;
    int p = s;
    while (p < e) {
      int value = 0;
      int digits = 0;
      while (p < e && CharClass.isDigit(b[p])) {
        value = value * 10 + (b[p] - '0');
        digits++;
        p++;
        if (digits > 3) {
          return false;
        }
      }
      if (digits == 0 || value > 255) {
        return false;
      }
      parts++;
      if (p < e) {
        if (b[p] != '.' || parts == 4) {
          return false;
        }
        p++;
        if (p == e) {
          return false;
        }
      }
    }
    return parts == 4;
  }

  /** *( ";" pname [ "=" pvalue ] ) with paramchar / escaped, recording U_PARAMS_S/E. */
  private static boolean uriParams(Cursor c, int e, int[] out, int k) {
    byte[] b = c.bytes;
    int start = c.pos;
    while (c.pos < e && b[c.pos] == ';') {
      int p = c.pos + 1;
      int name = scanRun(b, p, e, CharClass.PARAM);
      if (name < 0) {
        return c.fail("invalid escape in URI parameter");
      }
      if (name == p) {
        return c.fail("empty URI parameter");
      }
      p = name;
      if (p < e && b[p] == '=') {
        int value = scanRun(b, p + 1, e, CharClass.PARAM);
        if (value < 0) {
          return c.fail("invalid escape in URI parameter");
        }
        if (value == p + 1) {
          return c.fail("empty URI parameter value");
        }
        p = value;
      }
      c.pos = p;
    }
    if (c.pos > start) {
      out[k + U_PARAMS_S] = start + 1;
      out[k + U_PARAMS_E] = c.pos;
    }
    return true;
  }

  /** "?" header *( "&" header ), header = hname "=" hvalue. */
  private static boolean uriHeaders(Cursor c, int e, int[] out, int k) {
    byte[] b = c.bytes;
    int start = c.pos + 1;
    do {
      int p = c.pos + 1;
      int name = scanRun(b, p, e, CharClass.HNV);
      if (name <= p || name >= e || b[name] != '=') {
        return c.fail("invalid URI header");
      }
      int value = scanRun(b, name + 1, e, CharClass.HNV);
      if (value < 0) {
        return c.fail("invalid escape in URI header");
      }
      c.pos = value;
    } while (c.pos < e && b[c.pos] == '&');
    out[k + U_HEADERS_S] = start;
    out[k + U_HEADERS_E] = c.pos;
    return true;
  }

  /** telephone-subscriber *( ";" param ), the number recorded as the user part. */
  private static boolean telUri(Cursor c, int e, int[] out, int k) {
    byte[] b = c.bytes;
    int p = c.pos;
    int q = p;
    boolean digit = false;
    while (q < e && CharClass.is(b[q], CharClass.TEL)) {
      digit |= CharClass.is(b[q], CharClass.HEX) || b[q] == '*' || b[q] == '#';
      q++;
    }
    if (!digit) {
      return c.fail("invalid telephone number in tel URI");
    }
    out[k + U_USER_S] = p;
    out[k + U_USER_E] = q;
    c.pos = q;
    return uriParams(c, e, out, k);
  }

  private static boolean absoluteUri(Cursor c, int e) {
    byte[] b = c.bytes;
    int p = scanRun(b, c.pos, e, CharClass.URIC);
    if (p < 0 || p == c.pos) {
      return c.fail("invalid absolute URI");
    }
    c.pos = p;
    return true;
  }

  /**
   * Scans octets of class {@code mask} or valid %HEX HEX escapes from {@code p}; returns where
   * the run stops, or -1 at a malformed escape.
   */
  static int scanRun(byte[] b, int p, int e, int mask) {
    while (p < e) {
      byte x = b[p];
      if (x == '%') {
        if (p + 2 >= e || CharClass.hexValue(b[p + 1]) < 0 || CharClass.hexValue(b[p + 2]) < 0) {
          return -1;
        }
        p += 3;
      } else if (CharClass.is(x, mask)) {
        p++;
      } else {
        break;
      }
    }
    return p;
  }

  private static boolean escapedRun(byte[] b, int s, int e, int mask) {
    return scanRun(b, s, e, mask) == e;
  }

  /**
   * The extent of a bare addr-spec starting at {@code c.pos}: it ends before ";", ",", white
   * space or the end. Returns -1 (with the reason) if a "?" shows the URI carries headers,
   * which RFC 3261 section 20 requires to be enclosed in "<" and ">".
   */
  public static int bareExtent(Cursor c) {
    byte[] b = c.bytes;
    int p = c.pos;
    while (p < c.end) {
      byte x = b[p];
      if (x == ';' || x == ',' || x == ' ' || x == '\t' || x == '\r' || x == '\n') {
        break;
      }
      if (x == '?') {
        c.fail("a URI with headers must be enclosed in <>");
        return -1;
      }
      p++;
    }
    return p;
  }
}
