package io.tandem.sip.message;

import io.tandem.sip.syntax.Ascii;
import io.tandem.sip.syntax.CharClass;
import io.tandem.sip.syntax.Cursor;
import io.tandem.sip.syntax.UriGrammar;

/**
 * The start line of a message (RFC 3261 sections 7.1 and 7.2): Method SP Request-URI SP
 * SIP-Version, or SIP-Version SP Status-Code SP Reason-Phrase. Exactly one SP between the parts
 * (RFC 4475 lwsstart, trws), version 2.0 only (505 otherwise), a Request-URI without headers
 * (section 19.1.1), a status code from 100 to 699. Part of {@link MessageScanner}, reused.
 */
final class StartLine {
  boolean request;
  boolean sound;
  Method method;
  int uriStart;
  int uriEnd;
  int uriKind;
  int statusCode;
  int reasonStart;
  int reasonEnd;
  private Defect defect;
  private Cursor cursor;
  private int[] scratch;

  void reset() {
    request = false;
    sound = false;
    method = null;
    uriStart = uriEnd = -1;
    uriKind = 0;
    statusCode = 0;
    reasonStart = reasonEnd = -1;
  }

  private static boolean startsWithSipVersion(byte[] b, int s, int e) {
    return e - s >= 4 && Ascii.equalsIgnoreCase(b, s, s + 4, "SIP/");
  }

    /**
   * Reads the start line [s, e) (without its CRLF); returns null if it is sound, else the
   * defect. {@code scratch} receives the Request-URI's offsets (UriGrammar layout at 0).
   */
  Defect read(byte[] b, int s, int e, Cursor cursor, int[] scratch) {
    this.cursor = cursor;
    this.scratch = scratch;
    defect = null;
    startLine(b, s, e);
    return defect;
  }

  /** Records whether [s, e) looks like a Request-Line (not "SIP/..."), and returns it. */
  boolean looksLike(byte[] b, int s, int e) {
    request = !startsWithSipVersion(b, s, e);
    return request;
  }

  private void defect(int status, String reason, HeaderName header, String detail) {
    if (defect == null) {
      defect = new Defect(status, reason, header, detail);
    }
  }

  private void startLine(byte[] b, int s, int e) {
    int sp1 = indexOf(b, s, e, ' ');
    if (sp1 < 0) {
      request = !startsWithSipVersion(b, s, e);
      defect(StatusCode.BAD_REQUEST, "Bad Start Line", null, "no SP in the start line");
      return;
    }
    if (startsWithSipVersion(b, s, sp1)) {
      statusLine(b, s, sp1, e);
    } else {
      requestLine(b, s, sp1, e);
    }
  }

  private void requestLine(byte[] b, int s, int sp1, int e) {
    request = true;
    for (int i = s; i < sp1; i++) {
      if (!CharClass.isToken(b[i])) {
        defect(StatusCode.BAD_REQUEST, "Bad Request-Line", null, "method is not a token");
        return;
      }
    }
    if (sp1 == s) {
      defect(StatusCode.BAD_REQUEST, "Bad Request-Line", null, "empty method");
      return;
    }
    method = Method.of(b, s, sp1);
    int sp2 = indexOf(b, sp1 + 1, e, ' ');
    if (sp2 < 0 || sp2 == sp1 + 1 || indexOf(b, sp2 + 1, e, ' ') >= 0) {
      defect(StatusCode.BAD_REQUEST, "Bad Request-Line", null,
          "Request-Line must be Method SP Request-URI SP SIP-Version");
      return;
    }
    if (!version(b, sp2 + 1, e)) {
      return;
    }
    uriStart = sp1 + 1;
    uriEnd = sp2;
    Cursor c = cursor.reset(b, uriStart, uriEnd);
    if (!UriGrammar.uri(c, uriEnd, scratch, 0)) {
      defect(StatusCode.BAD_REQUEST, "Invalid Request-URI", null, c.error());
      return;
    }
    uriKind = scratch[UriGrammar.U_KIND];
    if (scratch[UriGrammar.U_HEADERS_S] >= 0) {
      // RFC 3261 section 19.1.1: headers are not allowed in a Request-URI
      defect(StatusCode.BAD_REQUEST, "Invalid Request-URI", null,
          "headers are not allowed in a Request-URI");
      return;
    }
    sound = true;
  }

  /** SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT; only 2.0 is served (505 otherwise). */
  private boolean version(byte[] b, int s, int e) {
    if (e - s == 7 && startsWithSipVersion(b, s, e) && b[s + 4] == '2' && b[s + 5] == '.'
        && b[s + 6] == '0') {
      return true;
    }
    int p = s + 4;
    int digits = 0;
    while (p < e && CharClass.isDigit(b[p])) {
      p++;
      digits++;
    }
    boolean wellFormed = startsWithSipVersion(b, s, e) && digits > 0 && p < e && b[p] == '.';
    if (wellFormed) {
      int minor = ++p;
      while (p < e && CharClass.isDigit(b[p])) {
        p++;
      }
      wellFormed = p == e && p > minor;
    }
    if (wellFormed) {
      defect(StatusCode.VERSION_NOT_SUPPORTED, "Version Not Supported", null,
          "only SIP/2.0 is supported");
    } else {
      defect(StatusCode.BAD_REQUEST, "Bad Request-Line", null, "invalid SIP-Version");
    }
    return false;
  }

  private void statusLine(byte[] b, int s, int sp1, int e) {
    request = false;
    if (sp1 - s != 7 || b[s + 4] != '2' || b[s + 5] != '.' || b[s + 6] != '0') {
      defect(StatusCode.VERSION_NOT_SUPPORTED, "Version Not Supported", null,
          "only SIP/2.0 is supported");
      return;
    }
    int p = sp1 + 1;
    if (e - p < 3 || !CharClass.isDigit(b[p]) || !CharClass.isDigit(b[p + 1])
        || !CharClass.isDigit(b[p + 2]) || (p + 3 < e && b[p + 3] != ' ')) {
      defect(StatusCode.BAD_REQUEST, "Bad Status-Line", null, "status code must be 3 digits");
      return;
    }
    int code = (b[p] - '0') * 100 + (b[p + 1] - '0') * 10 + (b[p + 2] - '0');
    if (!StatusCode.isValid(code)) {
      defect(StatusCode.BAD_REQUEST, "Bad Status-Line", null, "status code out of range");
      return;
    }
    statusCode = code;
    reasonStart = Math.min(p + 4, e);
    reasonEnd = e;
    for (int i = reasonStart; i < e; i++) {
      int x = b[i] & 0xff;
      if (x < 0x20 && x != '\t' || x == 0x7f) {
        defect(StatusCode.BAD_REQUEST, "Bad Status-Line", null, "control character in reason");
        return;
      }
    }
    sound = true;
  }

  private static int indexOf(byte[] b, int from, int to, char ch) {
    for (int i = from; i < to; i++) {
      if (b[i] == ch) {
        return i;
      }
    }
    return -1;
  }
}
