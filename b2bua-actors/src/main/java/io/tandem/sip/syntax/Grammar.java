package io.tandem.sip.syntax;

/**
 * The header-value rules of RFC 3261 section 25 shared by the others: numbers, quoted strings,
 * generic parameters, token lists, CSeq, Call-ID and media types. {@link AddressGrammar} has
 * name-addr and addr-spec, {@link ViaGrammar} the Via, {@link UriGrammar} the URIs.
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
    switch (rules) {
      case ADDRESS:
      case CONTACT:
        return AddressGrammar.checkParam(c, o, k, rules);
      case VIA:
        return ViaGrammar.checkParam(c, o, k);
      default:
        return true;
    }
  }

  /**
   * Whether a value {@link #genericParam} accepted is a token: it admits token characters, ":"
   * and quoted or bracketed values, so only those need ruling out.
   */
  static boolean tokenOnly(byte[] b, int s, int e) {
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

  static boolean numberIn(byte[] b, int s, int e, long max) {
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
  static boolean ipAddress(byte[] b, int s, int e) {
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
  static boolean qvalue(byte[] b, int s, int e) {
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
