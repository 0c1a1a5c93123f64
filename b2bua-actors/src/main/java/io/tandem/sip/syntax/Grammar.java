package io.tandem.sip.syntax;

/**
 * The header-value rules of RFC 3261 section 25 that the parser checks eagerly: name-addr and
 * addr-spec with their parameters, Via, CSeq, Call-ID, media types, token lists and numbers.
 *
 * <p>Each rule validates from {@link Cursor#pos} and records where the parts are as offsets in a
 * caller's {@code int[]} at a base slot {@code k}; the typed header classes build their values
 * from those offsets. Separators follow the RFC: SEMI, COMMA, EQUAL, SLASH and COLON allow white
 * space on both sides, LAQUOT before "<" only, RAQUOT after ">" only.
 */
public final class Grammar {
  /** Offsets of one generic-param, recorded by {@link #genericParam}. Value absent: -1. */
  public static final int P_NAME_S = 0;
  public static final int P_NAME_E = 1;
  public static final int P_VALUE_S = 2;
  public static final int P_VALUE_E = 3;
  public static final int PARAM_SIZE = 4;

  /** name-addr / addr-spec layout, recorded by {@link #nameAddr}. */
  public static final int NA_DISPLAY_S = 0;
  public static final int NA_DISPLAY_E = 1;
  public static final int NA_QUOTED = 2;
  public static final int NA_PARAMS_S = 3;
  public static final int NA_PARAMS_E = 4;
  /** The tag parameter's value, recorded under {@link ParamRules#ADDRESS}. */
  public static final int NA_TAG_S = 5;
  public static final int NA_TAG_E = 6;
  public static final int NA_URI = 7;
  public static final int NA_PARAM = NA_URI + UriGrammar.URI_SIZE;
  public static final int NA_SIZE = NA_PARAM + PARAM_SIZE;

  /** via-parm layout, recorded by {@link #via}. */
  public static final int V_PROTOCOL_S = 0;
  public static final int V_PROTOCOL_E = 1;
  public static final int V_VERSION_S = 2;
  public static final int V_VERSION_E = 3;
  public static final int V_TRANSPORT_S = 4;
  public static final int V_TRANSPORT_E = 5;
  public static final int V_HOST_S = 6;
  public static final int V_HOST_E = 7;
  public static final int V_PORT = 8;
  public static final int V_PARAMS_S = 9;
  public static final int V_PARAMS_E = 10;
  public static final int V_BRANCH_S = 11;
  public static final int V_BRANCH_E = 12;
  public static final int V_PARAM = 13;
  public static final int VIA_SIZE = V_PARAM + PARAM_SIZE;

  /** media-type layout, recorded by {@link #mediaType}. */
  public static final int MT_TYPE_S = 0;
  public static final int MT_TYPE_E = 1;
  public static final int MT_SUBTYPE_S = 2;
  public static final int MT_SUBTYPE_E = 3;
  public static final int MT_PARAMS_S = 4;
  public static final int MT_PARAMS_E = 5;
  public static final int MT_PARAM = 6;
  public static final int MT_SIZE = MT_PARAM + PARAM_SIZE;

  /** Which parameter values {@link #params} checks beyond the generic-param syntax. */
  public enum ParamRules {
    GENERIC,
    /** From and To: generic, and the tag's offsets recorded at NA_TAG_S/E. */
    ADDRESS,
    /** RFC 3261 via-params: ttl, maddr, received, branch; RFC 3581 rport. */
    VIA,
    /** RFC 3261 contact-params: q, expires. */
    CONTACT
  }

  public static final long MAX_UINT32 = 0xFFFF_FFFFL;

  private Grammar() {}

  /** 1*DIGIT with value at most {@code max}; the value is left in {@link Cursor#number}. */
  public static boolean number(Cursor c, long max) {
    byte[] b = c.bytes;
    int p = c.pos;
    long value = 0;
    boolean over = false;
    while (p < c.end && CharClass.isDigit(b[p])) {
      if (!over) {
        value = value * 10 + (b[p] - '0');
        over = value > max;
      }
      p++;
    }
    if (p == c.pos) {
      return c.fail("number expected");
    }
    c.pos = p;
    c.number = value;
    return !over || c.fail("number out of range");
  }

  /** quoted-string: DQUOTE *(qdtext / quoted-pair) DQUOTE, starting at the DQUOTE. */
  public static boolean quotedString(Cursor c) {
    byte[] b = c.bytes;
    int p = c.pos;
    if (p >= c.end || b[p] != '"') {
      return c.fail("quoted string expected");
    }
    p++;
    while (p < c.end) {
      int x = b[p] & 0xff;
      if (x == '"') {
        c.pos = p + 1;
        return true;
      }
      if (x == '\\') {
        if (p + 1 >= c.end) {
          break;
        }
        int y = b[p + 1] & 0xff;
        if (y == '\r' || y == '\n' || y > 0x7f) {
          return c.fail("invalid quoted pair");
        }
        p += 2;
      } else if (x >= 0x20 || x == '\t' || x == '\r' || x == '\n') {
        p++;
      } else {
        return c.fail("control character in quoted string");
      }
    }
    return c.fail("unterminated quoted string");
  }

  /**
   * generic-param: token [ EQUAL gen-value ], gen-value = token / host / quoted-string. An
   * unquoted value may also hold ":" so that IPv6 addresses in received= pass.
   */
  public static boolean genericParam(Cursor c, int[] out, int k) {
    int nameStart = c.pos;
    if (!c.token()) {
      return c.fail("empty parameter");
    }
    out[k + P_NAME_S] = nameStart;
    out[k + P_NAME_E] = c.pos;
    out[k + P_VALUE_S] = -1;
    out[k + P_VALUE_E] = -1;
    if (!c.acceptSeparator('=')) {
      return true;
    }
    int valueStart = c.pos;
    int x = c.peek();
    if (x == '"') {
      if (!quotedString(c)) {
        return false;
      }
    } else if (x == '[') {
      if (!UriGrammar.host(c, c.end)) {
        return false;
      }
    } else {
      byte[] b = c.bytes;
      int p = c.pos;
      while (p < c.end && (CharClass.isToken(b[p]) || b[p] == ':')) {
        p++;
      }
      if (p == c.pos) {
        return c.fail("empty parameter value");
      }
      c.pos = p;
    }
    out[k + P_VALUE_S] = valueStart;
    out[k + P_VALUE_E] = c.pos;
    return true;
  }

  /**
   * *( SEMI generic-param ), recording the extent of the parameters (from after the first ";")
   * at {@code out[rangeSlot]} and {@code out[rangeSlot + 1]}; -1 if there are none. Trailing
   * white space after the last parameter is left unconsumed.
   */
  public static boolean params(Cursor c, int[] out, int rangeSlot, int scratch, ParamRules rules) {
    out[rangeSlot] = -1;
    out[rangeSlot + 1] = -1;
    int first = -1;
    while (true) {
      int save = c.pos;
      if (!c.acceptSeparator(';')) {
        c.pos = save;
        break;
      }
      if (first < 0) {
        first = c.pos;
      }
      if (!genericParam(c, out, scratch) || !checkParam(c, out, scratch, rules)) {
        return false;
      }
    }
    if (first >= 0) {
      out[rangeSlot] = first;
      out[rangeSlot + 1] = c.pos;
    }
    return true;
  }

  private static boolean checkParam(Cursor c, int[] o, int k, ParamRules rules) {
    if (rules == ParamRules.GENERIC) {
      return true;
    }
    byte[] b = c.bytes;
    int ns = o[k + P_NAME_S];
    int ne = o[k + P_NAME_E];
    int vs = o[k + P_VALUE_S];
    int ve = o[k + P_VALUE_E];
    if (rules == ParamRules.ADDRESS) {
      if (Ascii.equalsIgnoreCase(b, ns, ne, "tag")) {
        // the scratch slot of a name-addr layout sits at NA_PARAM: record the (first) tag
        if (o[k - NA_PARAM + NA_TAG_S] < 0) {
          o[k - NA_PARAM + NA_TAG_S] = vs;
          o[k - NA_PARAM + NA_TAG_E] = ve;
        }
        return vs >= 0 && tokenOnly(b, vs, ve) || c.fail("invalid tag parameter");
      }
      return true;
    }
    if (rules == ParamRules.VIA) {
      if (Ascii.equalsIgnoreCase(b, ns, ne, "branch")) {
        // the scratch slot of a via-parm layout sits at V_PARAM: record the (first) branch
        if (o[k - V_PARAM + V_BRANCH_S] < 0) {
          o[k - V_PARAM + V_BRANCH_S] = vs;
          o[k - V_PARAM + V_BRANCH_E] = ve;
        }
        return vs >= 0 && tokenOnly(b, vs, ve) || c.fail("invalid branch parameter");
      }
      if (Ascii.equalsIgnoreCase(b, ns, ne, "received")) {
        return vs >= 0 && ipAddress(b, vs, ve) || c.fail("invalid received parameter");
      }
      if (Ascii.equalsIgnoreCase(b, ns, ne, "rport")) {
        return vs < 0 || numberIn(b, vs, ve, 65535) || c.fail("invalid rport parameter");
      }
      if (Ascii.equalsIgnoreCase(b, ns, ne, "ttl")) {
        return vs >= 0 && ve - vs <= 3 && numberIn(b, vs, ve, 255) || c.fail("invalid ttl parameter");
      }
      if (Ascii.equalsIgnoreCase(b, ns, ne, "maddr")) {
        return vs >= 0 && b[vs] != '"' || c.fail("invalid maddr parameter");
      }
      return true;
    }
    if (Ascii.equalsIgnoreCase(b, ns, ne, "q")) {
      return vs >= 0 && qvalue(b, vs, ve) || c.fail("invalid q parameter");
    }
    if (Ascii.equalsIgnoreCase(b, ns, ne, "expires")) {
      return vs >= 0 && numberIn(b, vs, ve, MAX_UINT32) || c.fail("invalid expires parameter");
    }
    return true;
  }

  /**
   * Whether a value {@link #genericParam} accepted is a token: it admits token characters, ":"
   * and quoted or bracketed values, so only those need ruling out.
   */
  private static boolean tokenOnly(byte[] b, int s, int e) {
    if (e <= s || b[s] == '"' || b[s] == '[') {
      return false;
    }
    for (int i = s; i < e; i++) {
      if (b[i] == ':') {
        return false;
      }
    }
    return true;
  }

  private static boolean numberIn(byte[] b, int s, int e, long max) {
    long value = 0;
    for (int i = s; i < e; i++) {
      if (!CharClass.isDigit(b[i])) {
        return false;
      }
      value = value * 10 + (b[i] - '0');
      if (value > max) {
        return false;
      }
    }
    return e > s;
  }

  /** IPv4address / IPv6address (unbracketed, as in received=). */
  private static boolean ipAddress(byte[] b, int s, int e) {
    if (UriGrammar.ipv4(b, s, e)) {
      return true;
    }
    int colons = 0;
    for (int i = s; i < e; i++) {
      if (b[i] == ':') {
        colons++;
      } else if (!CharClass.is(b[i], CharClass.HEX) && b[i] != '.') {
        return false;
      }
    }
    return colons >= 2;
  }

  /** qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
  private static boolean qvalue(byte[] b, int s, int e) {
    if (e <= s || (b[s] != '0' && b[s] != '1') || e - s > 5) {
      return false;
    }
    if (e - s == 1) {
      return true;
    }
    if (b[s + 1] != '.') {
      return false;
    }
    for (int i = s + 2; i < e; i++) {
      if (!CharClass.isDigit(b[i]) || (b[s] == '1' && b[i] != '0')) {
        return false;
      }
    }
    return true;
  }

  /**
   * ( name-addr / addr-spec ) *( SEMI param ). name-addr is [ display-name ] LAQUOT addr-spec
   * RAQUOT with display-name = *(token LWS) / quoted-string; no white space may appear inside
   * the angle brackets (RFC 4475 section 3.1.2.14).
   */
  public static boolean nameAddr(Cursor c, int[] o, int k, boolean bareAllowed, ParamRules rules) {
    byte[] b = c.bytes;
    o[k + NA_DISPLAY_S] = -1;
    o[k + NA_DISPLAY_E] = -1;
    o[k + NA_QUOTED] = 0;
    o[k + NA_TAG_S] = -1;
    o[k + NA_TAG_E] = -1;
    int start = c.pos;
    int x = c.peek();
    boolean bracketed;
    if (x == '"') {
      if (!quotedString(c)) {
        return false;
      }
      o[k + NA_DISPLAY_S] = start;
      o[k + NA_DISPLAY_E] = c.pos;
      o[k + NA_QUOTED] = 1;
      c.skipLws();
      if (c.peek() != '<') {
        return c.fail("'<' expected after display name");
      }
      bracketed = true;
    } else if (x == '<') {
      bracketed = true;
    } else {
      if (!c.token()) {
        return c.fail("address expected");
      }
      if (c.peek() == ':') {
        c.pos = start;
        bracketed = false;
      } else {
        int displayEnd = c.pos;
        while (true) {
          c.skipLws();
          if (c.peek() == '<') {
            break;
          }
          if (!c.token()) {
            return c.fail("invalid display name");
          }
          displayEnd = c.pos;
        }
        o[k + NA_DISPLAY_S] = start;
        o[k + NA_DISPLAY_E] = displayEnd;
        bracketed = true;
      }
    }
    if (bracketed) {
      c.pos++;
      int close = c.pos;
      while (close < c.end && b[close] != '>') {
        close++;
      }
      if (close >= c.end) {
        return c.fail("'>' expected");
      }
      if (!UriGrammar.uri(c, close, o, k + NA_URI)) {
        return false;
      }
      c.pos = close + 1;
    } else {
      if (!bareAllowed) {
        return c.fail("address must be enclosed in <>");
      }
      int extent = UriGrammar.bareExtent(c);
      if (extent < 0 || !UriGrammar.uri(c, extent, o, k + NA_URI)) {
        return false;
      }
    }
    return params(c, o, k + NA_PARAMS_S, k + NA_PARAM, rules);
  }

  /** 1#( name-addr / addr-spec ... ): Contact values, Route, Record-Route, P-Asserted-Identity. */
  public static boolean nameAddrList(
      Cursor c, int[] o, int k, boolean bareAllowed, ParamRules rules) {
    do {
      if (!nameAddr(c, o, k, bareAllowed, rules)) {
        return false;
      }
    } while (c.acceptSeparator(','));
    return endOfValue(c);
  }

  /** Contact: STAR / 1#contact-param. */
  public static boolean contact(Cursor c, int[] o, int k) {
    if (isWildcard(c)) {
      c.pos = c.end;
      return true;
    }
    return nameAddrList(c, o, k, true, ParamRules.CONTACT);
  }

  /**
   * Whether the value at the cursor is the Contact wildcard: "*" alone. A "*" followed by more
   * is a display name ("*" is a token character), as in {@code * <sip:a@example.com>}.
   */
  public static boolean isWildcard(Cursor c) {
    if (c.peek() != '*') {
      return false;
    }
    int save = c.pos;
    c.pos++;
    boolean alone = c.restIsLws();
    c.pos = save;
    return alone;
  }

  /**
   * via-parm: sent-protocol LWS sent-by *( SEMI via-params ), sent-protocol being
   * protocol-name SLASH protocol-version SLASH transport.
   */
  public static boolean via(Cursor c, int[] o, int k) {
    o[k + V_PROTOCOL_S] = c.pos;
    if (!c.token()) {
      return c.fail("protocol name expected");
    }
    o[k + V_PROTOCOL_E] = c.pos;
    if (!c.acceptSeparator('/')) {
      return c.fail("'/' expected");
    }
    o[k + V_VERSION_S] = c.pos;
    if (!c.token()) {
      return c.fail("protocol version expected");
    }
    o[k + V_VERSION_E] = c.pos;
    if (!c.acceptSeparator('/')) {
      return c.fail("'/' expected");
    }
    o[k + V_TRANSPORT_S] = c.pos;
    if (!c.token()) {
      return c.fail("transport expected");
    }
    o[k + V_TRANSPORT_E] = c.pos;
    if (!c.skipLws()) {
      return c.fail("white space expected before sent-by");
    }
    o[k + V_HOST_S] = c.pos;
    if (!UriGrammar.host(c, c.end)) {
      return false;
    }
    o[k + V_HOST_E] = c.pos;
    o[k + V_PORT] = -1;
    if (c.acceptSeparator(':')) {
      if (!number(c, 65535)) {
        return c.fail("invalid port");
      }
      o[k + V_PORT] = (int) c.number;
    }
    o[k + V_BRANCH_S] = -1;
    o[k + V_BRANCH_E] = -1;
    return params(c, o, k + V_PARAMS_S, k + V_PARAM, ParamRules.VIA);
  }

  /** 1#via-parm */
  public static boolean viaList(Cursor c, int[] o, int k) {
    do {
      if (!via(c, o, k)) {
        return false;
      }
    } while (c.acceptSeparator(','));
    return endOfValue(c);
  }

  /** CSeq: 1*DIGIT LWS Method, the number at most 2**32-1 (RFC 3261 section 8.1.1.5). */
  public static boolean cseq(Cursor c, int[] o, int k) {
    if (!number(c, MAX_UINT32)) {
      return false;
    }
    long seq = c.number;
    if (!c.skipLws()) {
      return c.fail("white space expected after sequence number");
    }
    o[k] = c.pos;
    if (!c.token()) {
      return c.fail("method expected");
    }
    o[k + 1] = c.pos;
    c.number = seq;
    return endOfValue(c);
  }

  /** callid = word [ "@" word ] */
  public static boolean callId(Cursor c) {
    byte[] b = c.bytes;
    int p = c.pos;
    while (p < c.end && CharClass.is(b[p], CharClass.WORD)) {
      p++;
    }
    if (p == c.pos) {
      return c.fail("empty Call-ID");
    }
    if (p < c.end && b[p] == '@') {
      int q = ++p;
      while (p < c.end && CharClass.is(b[p], CharClass.WORD)) {
        p++;
      }
      if (p == q) {
        return c.fail("empty host part in Call-ID");
      }
    }
    c.pos = p;
    return endOfValue(c);
  }

  /** media-type = m-type SLASH m-subtype *( SEMI m-parameter ), filling the value. */
  public static boolean mediaType(Cursor c, int[] o, int k) {
    return mediaTypeElement(c, o, k) && endOfValue(c);
  }

  /** media-type as one element of a list (Accept): trailing text is left to the caller. */
  public static boolean mediaTypeElement(Cursor c, int[] o, int k) {
    o[k + MT_TYPE_S] = c.pos;
    if (!c.token()) {
      return c.fail("media type expected");
    }
    o[k + MT_TYPE_E] = c.pos;
    if (!c.acceptSeparator('/')) {
      return c.fail("'/' expected in media type");
    }
    o[k + MT_SUBTYPE_S] = c.pos;
    if (!c.token()) {
      return c.fail("media subtype expected");
    }
    o[k + MT_SUBTYPE_E] = c.pos;
    return params(c, o, k + MT_PARAMS_S, k + MT_PARAM, ParamRules.GENERIC);
  }

  /** [ token *( COMMA token ) ]; with {@code required}, at least one token. */
  public static boolean tokenList(Cursor c, boolean required) {
    if (c.restIsLws()) {
      c.pos = c.end;
      return !required || c.fail("token expected");
    }
    do {
      if (!c.token()) {
        return c.fail("token expected");
      }
    } while (c.acceptSeparator(','));
    return endOfValue(c);
  }

  /** A single number of at most {@code max} filling the value (Max-Forwards, Content-Length). */
  public static boolean numberValue(Cursor c, long max) {
    return number(c, max) && endOfValue(c);
  }

  /** Succeeds if only white space remains. */
  public static boolean endOfValue(Cursor c) {
    c.skipLws();
    return c.atEnd() || c.fail("unexpected character '" + (char) c.peek() + "'");
  }

  /**
   * Finds parameter {@code name} in an already validated parameter extent; records the value
   * offsets at {@code out[slot]} and {@code out[slot + 1]} (-1, -1 for a parameter without a
   * value) and returns true, or returns false if it is absent.
   */
  public static boolean findParam(byte[] b, int s, int e, String name, int[] out, int slot) {
    Cursor c = new Cursor(b, s, e);
    int[] p = new int[PARAM_SIZE];
    while (true) {
      c.skipLws();
      if (!genericParam(c, p, 0)) {
        return false;
      }
      if (Ascii.equalsIgnoreCase(b, p[P_NAME_S], p[P_NAME_E], name)) {
        out[slot] = p[P_VALUE_S];
        out[slot + 1] = p[P_VALUE_E];
        return true;
      }
      if (!c.acceptSeparator(';')) {
        return false;
      }
    }
  }
}
