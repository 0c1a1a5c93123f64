package io.tandem.sip.syntax;

/**
 * The Via rule (RFC 3261 section 20.42, 25.1; rport from RFC 3581). Offsets go to the V_*
 * slots of a caller's {@code int[]}; the first branch is recorded for transaction matching.
 */
public final class ViaGrammar {
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
  public static final int VIA_SIZE = V_PARAM + Grammar.PARAM_SIZE;

  private ViaGrammar() {}

  /** RFC 3261 via-params (branch recorded, received, ttl, maddr) and RFC 3581 rport. */
  static boolean checkParam(Cursor c, int[] o, int k) {
    byte[] b = c.bytes;
    int ns = o[k + Grammar.P_NAME_S];
    int ne = o[k + Grammar.P_NAME_E];
    int vs = o[k + Grammar.P_VALUE_S];
    int ve = o[k + Grammar.P_VALUE_E];
    if (Ascii.equalsIgnoreCase(b, ns, ne, "branch")) {
      // the scratch slot of a via-parm layout sits at V_PARAM: record the (first) branch
      if (o[k - V_PARAM + V_BRANCH_S] < 0) {
        o[k - V_PARAM + V_BRANCH_S] = vs;
        o[k - V_PARAM + V_BRANCH_E] = ve;
      }
      return vs >= 0 && Grammar.tokenOnly(b, vs, ve) || c.fail("invalid branch parameter");
    }
    if (Ascii.equalsIgnoreCase(b, ns, ne, "received")) {
      return vs >= 0 && Grammar.ipAddress(b, vs, ve) || c.fail("invalid received parameter");
    }
    if (Ascii.equalsIgnoreCase(b, ns, ne, "rport")) {
      return vs < 0 || Grammar.numberIn(b, vs, ve, 65535) || c.fail("invalid rport parameter");
    }
    if (Ascii.equalsIgnoreCase(b, ns, ne, "ttl")) {
      return vs >= 0 && ve - vs <= 3 && Grammar.numberIn(b, vs, ve, 255) || c.fail("invalid ttl parameter");
    }
    if (Ascii.equalsIgnoreCase(b, ns, ne, "maddr")) {
      return vs >= 0 && b[vs] != '"' || c.fail("invalid maddr parameter");
    }
    return true;
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
      if (!Grammar.number(c, 65535)) {
        return c.fail("invalid port");
      }
      o[k + V_PORT] = (int) c.number;
    }
    o[k + V_BRANCH_S] = -1;
    o[k + V_BRANCH_E] = -1;
    return Grammar.params(c, o, k + V_PARAMS_S, k + V_PARAM, Grammar.ParamRules.VIA);
  }

  /** 1#via-parm */
  public static boolean viaList(Cursor c, int[] o, int k) {
    do {
      if (!via(c, o, k)) {
        return false;
      }
    } while (c.acceptSeparator(','));
    return Grammar.endOfValue(c);
  }
}
