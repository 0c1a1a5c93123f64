package io.tandem.sip.syntax;

/**
 * The address rules (RFC 3261 section 25.1): name-addr and addr-spec with their header
 * parameters, as in From, To, Contact, Route, Record-Route and P-Asserted-Identity. Offsets go
 * to the NA_* slots of a caller's {@code int[]}.
 */
public final class AddressGrammar {
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
  public static final int NA_SIZE = NA_PARAM + Grammar.PARAM_SIZE;

  private AddressGrammar() {}

  /** Checks of name-addr parameters: the From/To tag (recorded) and Contact's q and expires. */
  static boolean checkParam(Cursor c, int[] o, int k, Grammar.ParamRules rules) {
    byte[] b = c.bytes;
    int ns = o[k + Grammar.P_NAME_S];
    int ne = o[k + Grammar.P_NAME_E];
    int vs = o[k + Grammar.P_VALUE_S];
    int ve = o[k + Grammar.P_VALUE_E];
    if (rules == Grammar.ParamRules.ADDRESS) {
      if (Ascii.equalsIgnoreCase(b, ns, ne, "tag")) {
        // the scratch slot of a name-addr layout sits at NA_PARAM: record the (first) tag
        if (o[k - NA_PARAM + NA_TAG_S] < 0) {
          o[k - NA_PARAM + NA_TAG_S] = vs;
          o[k - NA_PARAM + NA_TAG_E] = ve;
        }
        return vs >= 0 && Grammar.tokenOnly(b, vs, ve) || c.fail("invalid tag parameter");
      }
      return true;
    }
    if (Ascii.equalsIgnoreCase(b, ns, ne, "q")) {
      return vs >= 0 && Grammar.qvalue(b, vs, ve) || c.fail("invalid q parameter");
    }
    if (Ascii.equalsIgnoreCase(b, ns, ne, "expires")) {
      return vs >= 0 && Grammar.numberIn(b, vs, ve, Grammar.MAX_UINT32) || c.fail("invalid expires parameter");
    }
    return true;
  }

  /**
   * ( name-addr / addr-spec ) *( SEMI param ). name-addr is [ display-name ] LAQUOT addr-spec
   * RAQUOT with display-name = *(token LWS) / quoted-string; no white space may appear inside
   * the angle brackets (RFC 4475 section 3.1.2.14).
   */
  public static boolean nameAddr(Cursor c, int[] o, int k, boolean bareAllowed, Grammar.ParamRules rules) {
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
      if (!Grammar.quotedString(c)) {
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
    return Grammar.params(c, o, k + NA_PARAMS_S, k + NA_PARAM, rules);
  }

  /** 1#( name-addr / addr-spec ... ): Contact values, Route, Record-Route, P-Asserted-Identity. */
  public static boolean nameAddrList(
      Cursor c, int[] o, int k, boolean bareAllowed, Grammar.ParamRules rules) {
    do {
      if (!nameAddr(c, o, k, bareAllowed, rules)) {
        return false;
      }
    } while (c.acceptSeparator(','));
    return Grammar.endOfValue(c);
  }

  /** Contact: STAR / 1#contact-param. */
  public static boolean contact(Cursor c, int[] o, int k) {
    if (isWildcard(c)) {
      c.pos = c.end;
      return true;
    }
    return nameAddrList(c, o, k, true, Grammar.ParamRules.CONTACT);
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
}
