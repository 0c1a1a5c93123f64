package io.tandem.sip.message;

import io.tandem.sip.syntax.AddressGrammar;
import io.tandem.sip.syntax.Ascii;
import io.tandem.sip.syntax.CharClass;
import io.tandem.sip.syntax.Cursor;
import io.tandem.sip.syntax.Grammar;
import io.tandem.sip.syntax.Octets;
import io.tandem.sip.syntax.UriGrammar;
import io.tandem.sip.syntax.ViaGrammar;
import java.util.Arrays;

/**
 * Reads the head of one complete SIP message (start line and header fields, RFC 3261 section
 * 7) into an index of slices, checking the start line and the core headers as it goes.
 *
 * <pre>
 *   octets -> start line (request or status line, version, Request-URI)
 *          -> header fields (name, HCOLON, value up to a CRLF not followed by WSP)
 *          -> core header values checked: Via From To Call-ID CSeq Max-Forwards Contact
 *             Route Record-Route Content-Type Content-Length Require Proxy-Require
 *          -> mandatory headers present
 * </pre>
 *
 * <p>Nothing is allocated on the way unless the message is bad. The first defect found decides
 * the outcome (its status, reason phrase and header); framing goes on past a defect in a value
 * so that the fields needed to answer (Via, From, To, Call-ID, CSeq) are still indexed.
 *
 * <p>A scanner is reused message after message and is not thread-safe.
 */
public final class MessageScanner {
  private static final int MAX_SCRATCH = AddressGrammar.NA_SIZE + ViaGrammar.VIA_SIZE + Grammar.MT_SIZE;

  private final int maxLineLength;
  private final int maxHeaderCount;
  private final Cursor cursor = new Cursor(new byte[0], 0, 0);
  private final int[] scratch = new int[MAX_SCRATCH];
  private int[] index = new int[Headers.STRIDE * 32];

  private byte[] bytes;
  private int start;
  private int count;
  private Defect defect;
  private final StartLine line = new StartLine();
  /** Quote state of the field being framed, for {@link #inQuotedPair}. */
  private int quoteScanPos;
  private boolean quoted;
  private boolean escaped;
  private long contentLength;
  private long cseqNumber;
  private Method cseqMethod;
  private int maxForwards;
  private boolean contactWildcard;
  /** Offsets of what transactions and dialogs key on: see {@link SipMessage.Keys}. */
  private final int[] keys = new int[SipMessage.Keys.SIZE];
  private int vias;
  private int froms;
  private int tos;
  private int callIds;
  private int cseqs;
  private int maxForwardsCount;
  private int contentLengths;
  private int contentTypes;
  private int requires;

  /**
   * @param maxLineLength longest start line or header field, in octets (folds included)
   * @param maxHeaderCount most header fields in one message
   */
  public MessageScanner(int maxLineLength, int maxHeaderCount) {
    this.maxLineLength = maxLineLength;
    this.maxHeaderCount = maxHeaderCount;
  }

  /**
   * The offset just past the CRLF CRLF that ends the head starting at {@code from}, or -1 if
   * there is none before {@code to}.
   */
  public static int findHeadEnd(byte[] b, int from, int to) {
    return Octets.endOfHead(b, from, to);
  }

  /**
   * Scans the head [{@code start}, {@code headEnd}), where {@code headEnd} is just past the
   * CRLF CRLF. Returns true if it is sound; otherwise {@link #defect()} says why.
   */
  public boolean scan(byte[] b, int start, int headEnd) {
    reset(b, start);
    int lineEnd = indexOfCr(b, start, headEnd);
    if (b[lineEnd + 1] != '\n') {
      line.looksLike(b, start, lineEnd);
      defect(StatusCode.BAD_REQUEST, "Bad Start Line", null, "CR without LF after the start line");
      return false;
    }
    if (lineEnd - start > maxLineLength) {
      boolean request = line.looksLike(b, start, lineEnd);
      defect(request ? StatusCode.REQUEST_URI_TOO_LONG : StatusCode.MESSAGE_TOO_LARGE,
          request ? "Request-URI Too Long" : "Message Too Large", null, "start line too long");
    } else {
      Defect d = line.read(b, start, lineEnd, cursor, scratch);
      if (d != null) {
        defect(d.status(), d.reason(), d.header(), d.detail());
      }
    }
    int p = lineEnd + 2;
    int bodyStart = headEnd - 2;
    while (p < bodyStart) {
      p = field(b, p, headEnd);
      if (p < 0) {
        return false;
      }
    }
    if (defect == null) {
      checkMandatory();
    }
    return defect == null;
  }

  private void reset(byte[] b, int start) {
    bytes = b;
    this.start = start;
    count = 0;
    defect = null;
    line.reset();
    contentLength = -1;
    cseqNumber = -1;
    cseqMethod = null;
    maxForwards = -1;
    contactWildcard = false;
    Arrays.fill(keys, -1);
    vias = froms = tos = callIds = cseqs = maxForwardsCount = contentLengths = contentTypes = 0;
    requires = 0;
  }

  private void defect(int status, String reason, HeaderName header, String detail) {
    if (defect == null) {
      defect = new Defect(status, reason, header, detail);
    }
  }

  private static int indexOfCr(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == '\r') {
        return i;
      }
    }
    return to;
  }

  // ---- header fields (RFC 3261 section 7.3) ----

  /** Frames, indexes and checks the field at {@code p}; returns the start of the next line or -1. */
  private int field(byte[] b, int p, int headEnd) {
    int q = p;
    while (CharClass.isToken(b[q])) {
      q++;
    }
    int nameEnd = q;
    while (b[q] == ' ' || b[q] == '\t') {
      q++;
    }
    if (nameEnd == p || b[q] != ':') {
      defect(StatusCode.BAD_REQUEST, "Invalid Header Line", null, "header field without a name");
      return -1;
    }
    HeaderName name = HeaderName.lookup(b, p, nameEnd);
    q++;
    boolean folded = false;
    quoteScanPos = q;
    quoted = false;
    escaped = false;
    int r = q;
    while (true) {
      r = Octets.nextControl(b, r, headEnd);
      int x = b[r];
      if (x == '\r') {
        if (b[r + 1] != '\n') {
          return badOctet(name, "CR without LF");
        }
        if (r + 2 < headEnd && (b[r + 2] == ' ' || b[r + 2] == '\t')) {
          folded = true;
          r += 3;
          continue;
        }
        break;
      }
      if (x == '\n') {
        return badOctet(name, "LF without CR");
      }
      if (x != '\t' && !inQuotedPair(b, r)) {
        return badOctet(name, "control character in value");
      }
      r++;
    }
    if (r - p > maxLineLength || nameEnd - p > Headers.MAX_NAME_LENGTH) {
      defect(StatusCode.MESSAGE_TOO_LARGE, "Message Too Large", name, "header field too long");
      return -1;
    }
    int vs = q;
    while (vs < r && isLws(b[vs])) {
      vs++;
    }
    int ve = r;
    while (ve > vs && isLws(b[ve - 1])) {
      ve--;
    }
    int id = name == null ? Headers.UNKNOWN_ID : name.id();
    if (name != HeaderName.CONTENT_LENGTH) {
      if (count == maxHeaderCount) {
        defect(StatusCode.MESSAGE_TOO_LARGE, "Message Too Large", null, "too many header fields");
        return -1;
      }
      if ((count + 1) * Headers.STRIDE > index.length) {
        index = Arrays.copyOf(index, index.length * 2);
      }
      int i = count++ * Headers.STRIDE;
      index[i] = Headers.meta(id, folded, nameEnd - p);
      index[i + 1] = p;
      index[i + 2] = vs;
      index[i + 3] = ve;
    }
    // Content-Length is read even past a defect: on a stream it still frames the message, so
    // a bad value costs one 400, not the connection (RFC 3261 section 18.3).
    if (name != null && (defect == null || name == HeaderName.CONTENT_LENGTH)) {
      check(name, b, vs, ve);
    }
    return r + 2;
  }

  /**
   * Whether octet {@code at} is the second octet of a quoted-pair inside a quoted-string: the
   * only place RFC 3261 section 25.1 admits a control character such as NUL. Called only when a
   * control character turns up; it carries its quote state along the field from where the last
   * call stopped, so a field full of quoted NULs costs one pass, not one per NUL.
   */
  private boolean inQuotedPair(byte[] b, int at) {
    for (int i = quoteScanPos; i < at; i++) {
      if (escaped) {
        escaped = false;
      } else if (quoted && b[i] == '\\') {
        escaped = true;
      } else if (b[i] == '"') {
        quoted = !quoted;
      }
    }
    quoteScanPos = at;
    return quoted && escaped;
  }

  private int badOctet(HeaderName name, String detail) {
    defect(StatusCode.BAD_REQUEST, name == null ? "Invalid Header Line" : "Invalid " + name, name,
        detail);
    return -1;
  }

  private static boolean isLws(byte x) {
    return x == ' ' || x == '\t' || x == '\r' || x == '\n';
  }

  /** Checks the value [vs, ve) of a core header. */
  private void check(HeaderName name, byte[] b, int vs, int ve) {
    Cursor c = cursor.reset(b, vs, ve);
    boolean ok = true;
    String detail = null;
    if (name == HeaderName.VIA) {
      if (++vias == 1) {
        ok = ViaGrammar.via(c, scratch, 0);
        keys[SipMessage.Keys.BRANCH_S] = scratch[ViaGrammar.V_BRANCH_S];
        keys[SipMessage.Keys.BRANCH_E] = scratch[ViaGrammar.V_BRANCH_E];
        ok = ok && (!c.acceptSeparator(',') || ViaGrammar.viaList(c, scratch, 0))
            && Grammar.endOfValue(c);
      } else {
        ok = ViaGrammar.viaList(c, scratch, 0);
      }
    } else if (name == HeaderName.FROM || name == HeaderName.TO) {
      boolean from = name == HeaderName.FROM;
      int n = from ? ++froms : ++tos;
      ok = n == 1 || (detail = "more than one " + name + " header") == null;
      ok = ok && AddressGrammar.nameAddr(c, scratch, 0, true, Grammar.ParamRules.ADDRESS)
          && Grammar.endOfValue(c);
      keys[from ? SipMessage.Keys.FROM_TAG_S : SipMessage.Keys.TO_TAG_S] = scratch[AddressGrammar.NA_TAG_S];
      keys[from ? SipMessage.Keys.FROM_TAG_E : SipMessage.Keys.TO_TAG_E] = scratch[AddressGrammar.NA_TAG_E];
    } else if (name == HeaderName.CALL_ID) {
      ok = ++callIds == 1 || (detail = "more than one Call-ID header") == null;
      ok = ok && Grammar.callId(c);
      keys[SipMessage.Keys.CALL_ID_S] = vs;
      keys[SipMessage.Keys.CALL_ID_E] = ve;
    } else if (name == HeaderName.CSEQ) {
      ok = ++cseqs == 1 || (detail = "more than one CSeq header") == null;
      ok = ok && Grammar.cseq(c, scratch, 0);
      if (ok) {
        cseqNumber = c.number();
        ok = cseqMethodMatches(b, scratch[0], scratch[1])
            || (detail = "CSeq method differs from the request method") == null;
      }
    } else if (name == HeaderName.MAX_FORWARDS) {
      ok = ++maxForwardsCount == 1 || (detail = "more than one Max-Forwards header") == null;
      ok = ok && Grammar.numberValue(c, 255);
      maxForwards = ok ? (int) c.number() : -1;
    } else if (name == HeaderName.CONTENT_LENGTH) {
      ok = ++contentLengths == 1 || (detail = "more than one Content-Length header") == null;
      ok = ok && Grammar.numberValue(c, Long.MAX_VALUE / 10);
      contentLength = ok ? c.number() : -1;
    } else if (name == HeaderName.CONTENT_TYPE) {
      ok = ++contentTypes == 1 || (detail = "more than one Content-Type header") == null;
      ok = ok && Grammar.mediaType(c, scratch, 0);
    } else if (name == HeaderName.CONTACT) {
      ok = AddressGrammar.contact(c, scratch, 0);
      contactWildcard |= ok && ve - vs == 1 && b[vs] == '*';
    } else if (name == HeaderName.ROUTE || name == HeaderName.RECORD_ROUTE) {
      ok = AddressGrammar.nameAddrList(c, scratch, 0, false, Grammar.ParamRules.GENERIC);
    } else if (name == HeaderName.REQUIRE || name == HeaderName.PROXY_REQUIRE) {
      requires += name == HeaderName.REQUIRE ? 1 : 0;
      ok = Grammar.tokenList(c, true);
    }
    if (!ok) {
      defect(StatusCode.BAD_REQUEST, "Invalid " + name, name, detail != null ? detail : c.error());
    }
  }

  private boolean cseqMethodMatches(byte[] b, int s, int e) {
    if (!line.request) {
      cseqMethod = Method.of(b, s, e);
      return true;
    }
    if (line.method == null) {
      return true;
    }
    cseqMethod = line.method;
    return Ascii.equals(b, s, e, line.method.name());
  }

  private void checkMandatory() {
    StringBuilder missing = null;
    HeaderName first = null;
    HeaderName[] names = {
      HeaderName.VIA, HeaderName.FROM, HeaderName.TO, HeaderName.CALL_ID, HeaderName.CSEQ
    };
    int[] counts = {vias, froms, tos, callIds, cseqs};
    for (int i = 0; i < names.length; i++) {
      if (counts[i] == 0) {
        if (missing == null) {
          missing = new StringBuilder("Missing ");
          first = names[i];
        } else {
          missing.append(", ");
        }
        missing.append(names[i]);
      }
    }
    if (missing != null) {
      defect(StatusCode.BAD_REQUEST, missing.toString(), first, "mandatory header absent");
    }
  }

  // ---- outcome ----

  /** What is wrong with the head of the last scan, or null if it is sound. */
  public Defect defect() {
    return defect;
  }

  /** Whether the start line is (or, if unreadable, looks like) a request's. */
  public boolean isRequest() {
    return line.request;
  }

  /** The request method, or null for a response or an unreadable Request-Line. */
  public Method method() {
    return line.method;
  }

  /** The Content-Length value, or -1 if the message has none. */
  public long contentLength() {
    return contentLength;
  }

  /** Whether the message has a Require header field. */
  public boolean hasRequire() {
    return requires > 0;
  }

  /** The Request-URI kind ({@link UriGrammar#KIND_SIP} ...), 0 if unread. */
  public int requestUriKind() {
    return line.uriKind;
  }

  /** The fields indexed so far, over a copy of the head: what a reply to a bad request needs. */
  public Headers headersSoFar(int headEnd) {
    byte[] copy = Arrays.copyOfRange(bytes, start, headEnd);
    int[] idx = Arrays.copyOf(index, count * Headers.STRIDE);
    shift(idx, start);
    return new Headers(copy, idx, count);
  }

  private void shift(int[] idx, int by) {
    if (by == 0) {
      return;
    }
    for (int i = 0; i < idx.length; i += Headers.STRIDE) {
      idx[i + 1] -= by;
      idx[i + 2] -= by;
      idx[i + 3] -= by;
    }
  }

  /**
   * The message from the last sound scan, with the body at [{@code bodyStart},
   * {@code bodyStart + bodyLength}). With {@code copy} the message gets its own copy of its
   * octets; without, it keeps {@code b}, which the caller must then never change.
   */
  public SipMessage toMessage(int bodyStart, int bodyLength, boolean copy, boolean canonical) {
    if (defect != null || !line.sound) {
      throw new IllegalStateException("no sound message scanned");
    }
    byte[] raw = bytes;
    int by = 0;
    if (copy) {
      raw = Arrays.copyOfRange(bytes, start, bodyStart + bodyLength);
      by = start;
    }
    int[] idx = Arrays.copyOf(index, count * Headers.STRIDE);
    shift(idx, by);
    Headers headers = new Headers(raw, idx, count);
    SipMessage.Core core =
        new SipMessage.Core(headers, start - by, bodyStart - by, bodyLength, cseqNumber, cseqMethod,
            maxForwards, contactWildcard, canonical, SipMessage.Keys.of(keys, by));
    if (line.request) {
      return new SipRequest(core, line.method, line.uriStart - by, line.uriEnd - by);
    }
    return new SipResponse(core, line.statusCode, line.reasonStart - by, line.reasonEnd - by);
  }
}
