package io.tandem.sip.message;

import io.tandem.sip.syntax.Ascii;
import io.tandem.sip.syntax.CharClass;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The name of a header field. Names compare case-insensitively and a compact form equals its
 * long form (RFC 3261 section 7.3.3); known names render in their canonical spelling, unknown
 * names as they were written.
 */
public final class HeaderName {
  private static final List<HeaderName> KNOWN = new ArrayList<>();
  private static final HeaderName[] COMPACT = new HeaderName[26];
  private static final HeaderName[] TABLE = new HeaderName[512];

  public static final HeaderName ACCEPT = known("Accept", 0);
  public static final HeaderName ACCEPT_CONTACT = known("Accept-Contact", 'a');
  public static final HeaderName ACCEPT_ENCODING = known("Accept-Encoding", 0);
  public static final HeaderName ACCEPT_LANGUAGE = known("Accept-Language", 0);
  public static final HeaderName ALERT_INFO = known("Alert-Info", 0);
  public static final HeaderName ALLOW = known("Allow", 0);
  public static final HeaderName ALLOW_EVENTS = known("Allow-Events", 'u');
  public static final HeaderName AUTHENTICATION_INFO = known("Authentication-Info", 0);
  public static final HeaderName AUTHORIZATION = known("Authorization", 0);
  public static final HeaderName CALL_ID = known("Call-ID", 'i');
  public static final HeaderName CALL_INFO = known("Call-Info", 0);
  public static final HeaderName CONTACT = known("Contact", 'm');
  public static final HeaderName CONTENT_DISPOSITION = known("Content-Disposition", 0);
  public static final HeaderName CONTENT_ENCODING = known("Content-Encoding", 'e');
  public static final HeaderName CONTENT_LANGUAGE = known("Content-Language", 0);
  public static final HeaderName CONTENT_LENGTH = known("Content-Length", 'l');
  public static final HeaderName CONTENT_TYPE = known("Content-Type", 'c');
  public static final HeaderName CSEQ = known("CSeq", 0);
  public static final HeaderName DATE = known("Date", 0);
  public static final HeaderName DIVERSION = known("Diversion", 0);
  public static final HeaderName ERROR_INFO = known("Error-Info", 0);
  public static final HeaderName EVENT = known("Event", 'o');
  public static final HeaderName EXPIRES = known("Expires", 0);
  public static final HeaderName FROM = known("From", 'f');
  public static final HeaderName HISTORY_INFO = known("History-Info", 0);
  public static final HeaderName IDENTITY = known("Identity", 'y');
  public static final HeaderName IN_REPLY_TO = known("In-Reply-To", 0);
  public static final HeaderName MAX_FORWARDS = known("Max-Forwards", 0);
  public static final HeaderName MIME_VERSION = known("MIME-Version", 0);
  public static final HeaderName MIN_EXPIRES = known("Min-Expires", 0);
  public static final HeaderName MIN_SE = known("Min-SE", 0);
  public static final HeaderName ORGANIZATION = known("Organization", 0);
  public static final HeaderName P_ASSERTED_IDENTITY = known("P-Asserted-Identity", 0);
  public static final HeaderName P_PREFERRED_IDENTITY = known("P-Preferred-Identity", 0);
  public static final HeaderName PATH = known("Path", 0);
  public static final HeaderName PRIORITY = known("Priority", 0);
  public static final HeaderName PRIVACY = known("Privacy", 0);
  public static final HeaderName PROXY_AUTHENTICATE = known("Proxy-Authenticate", 0);
  public static final HeaderName PROXY_AUTHORIZATION = known("Proxy-Authorization", 0);
  public static final HeaderName PROXY_REQUIRE = known("Proxy-Require", 0);
  public static final HeaderName RACK = known("RAck", 0);
  public static final HeaderName REASON = known("Reason", 0);
  public static final HeaderName RECORD_ROUTE = known("Record-Route", 0);
  public static final HeaderName REFER_SUB = known("Refer-Sub", 0);
  public static final HeaderName REFER_TO = known("Refer-To", 'r');
  public static final HeaderName REFERRED_BY = known("Referred-By", 'b');
  public static final HeaderName REJECT_CONTACT = known("Reject-Contact", 'j');
  public static final HeaderName REPLACES = known("Replaces", 0);
  public static final HeaderName REPLY_TO = known("Reply-To", 0);
  public static final HeaderName REQUEST_DISPOSITION = known("Request-Disposition", 'd');
  public static final HeaderName REQUIRE = known("Require", 0);
  public static final HeaderName RETRY_AFTER = known("Retry-After", 0);
  public static final HeaderName ROUTE = known("Route", 0);
  public static final HeaderName RSEQ = known("RSeq", 0);
  public static final HeaderName SERVER = known("Server", 0);
  public static final HeaderName SERVICE_ROUTE = known("Service-Route", 0);
  public static final HeaderName SESSION_EXPIRES = known("Session-Expires", 'x');
  public static final HeaderName SIP_ETAG = known("SIP-ETag", 0);
  public static final HeaderName SIP_IF_MATCH = known("SIP-If-Match", 0);
  public static final HeaderName SUBJECT = known("Subject", 's');
  public static final HeaderName SUBSCRIPTION_STATE = known("Subscription-State", 0);
  public static final HeaderName SUPPORTED = known("Supported", 'k');
  public static final HeaderName TARGET_DIALOG = known("Target-Dialog", 0);
  public static final HeaderName TIMESTAMP = known("Timestamp", 0);
  public static final HeaderName TO = known("To", 't');
  public static final HeaderName UNSUPPORTED = known("Unsupported", 0);
  public static final HeaderName USER_AGENT = known("User-Agent", 0);
  public static final HeaderName VIA = known("Via", 'v');
  public static final HeaderName WARNING = known("Warning", 0);
  public static final HeaderName WWW_AUTHENTICATE = known("WWW-Authenticate", 0);

  private final String name;
  private final String lower;
  private final byte[] lowerOctets;
  private final char compact;
  private final int id;

  private HeaderName(String name, char compact, int id) {
    this.name = name;
    this.lower = Ascii.lower(name);
    this.lowerOctets = lower.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    this.compact = compact;
    this.id = id;
  }

  private static HeaderName known(String name, int compact) {
    HeaderName h = new HeaderName(name, (char) compact, KNOWN.size());
    KNOWN.add(h);
    if (compact != 0) {
      COMPACT[compact - 'a'] = h;
    }
    int slot = hash(h.lower, 0, h.lower.length()) & (TABLE.length - 1);
    while (TABLE[slot] != null) {
      slot = (slot + 1) & (TABLE.length - 1);
    }
    TABLE[slot] = h;
    return h;
  }

  private static int hash(CharSequence s, int from, int to) {
    int h = 0;
    for (int i = from; i < to; i++) {
      h = h * 31 + CharClass.lower(s.charAt(i));
    }
    return h ^ (h >>> 9);
  }

  private static int hash(byte[] b, int from, int to) {
    int h = 0;
    for (int i = from; i < to; i++) {
      h = h * 31 + CharClass.lower(b[i]);
    }
    return h ^ (h >>> 9);
  }

  /** The known header named by octets [s, e) (long or compact form), or null. */
  public static HeaderName lookup(byte[] b, int s, int e) {
    if (e - s == 1) {
      int letter = CharClass.lower(b[s]) - 'a';
      return letter >= 0 && letter < 26 ? COMPACT[letter] : null;
    }
    int slot = hash(b, s, e) & (TABLE.length - 1);
    HeaderName h;
    while ((h = TABLE[slot]) != null) {
      if (h.matches(b, s, e)) {
        return h;
      }
      slot = (slot + 1) & (TABLE.length - 1);
    }
    return null;
  }

  private boolean matches(byte[] b, int s, int e) {
    byte[] mine = lowerOctets;
    if (e - s != mine.length) {
      return false;
    }
    for (int i = 0; i < mine.length; i++) {
      if (CharClass.lower(b[s + i]) != mine[i]) {
        return false;
      }
    }
    return true;
  }

  /** The header named {@code name}: a known one (by long or compact form) or a new unknown one. */
  public static HeaderName of(String name) {
    if (!CharClass.isToken(name)) {
      throw new IllegalArgumentException("header name must be a token: " + name);
    }
    byte[] b = name.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    HeaderName h = lookup(b, 0, b.length);
    return h != null ? h : new HeaderName(name, (char) 0, -1);
  }

  /** The known header with index {@code id} (see {@link #id()}). */
  public static HeaderName byId(int id) {
    return KNOWN.get(id);
  }

  /** Every known header name. */
  public static List<HeaderName> known() {
    return Collections.unmodifiableList(KNOWN);
  }

  /** The canonical long name of a known header, or the name as written for an unknown one. */
  public String name() {
    return name;
  }

  /** The compact form (RFC 3261 section 7.3.3 and later RFCs), or 0 if there is none. */
  public char compactForm() {
    return compact;
  }

  public boolean isKnown() {
    return id >= 0;
  }

  /** Index among the known names, or -1 for an unknown name. */
  public int id() {
    return id;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HeaderName && ((HeaderName) o).lower.equals(lower);
  }

  @Override
  public int hashCode() {
    return lower.hashCode();
  }

  @Override
  public String toString() {
    return name;
  }
}
