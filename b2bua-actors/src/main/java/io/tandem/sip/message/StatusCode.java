package io.tandem.sip.message;

import java.util.Map;
import java.util.TreeMap;

/**
 * SIP response status codes (RFC 3261 section 21 and the extensions carriers meet), their
 * default reason phrases, and the class of any code from 100 to 699.
 */
public final class StatusCode {
  /** The six response classes of RFC 3261 section 7.2. */
  public enum StatusClass {
    PROVISIONAL,
    SUCCESS,
    REDIRECTION,
    CLIENT_ERROR,
    SERVER_ERROR,
    GLOBAL_FAILURE
  }

  public static final int TRYING = 100;
  public static final int RINGING = 180;
  public static final int CALL_IS_BEING_FORWARDED = 181;
  public static final int QUEUED = 182;
  public static final int SESSION_PROGRESS = 183;
  public static final int EARLY_DIALOG_TERMINATED = 199;
  public static final int OK = 200;
  public static final int ACCEPTED = 202;
  public static final int NO_NOTIFICATION = 204;
  public static final int MULTIPLE_CHOICES = 300;
  public static final int MOVED_PERMANENTLY = 301;
  public static final int MOVED_TEMPORARILY = 302;
  public static final int USE_PROXY = 305;
  public static final int ALTERNATIVE_SERVICE = 380;
  public static final int BAD_REQUEST = 400;
  public static final int UNAUTHORIZED = 401;
  public static final int PAYMENT_REQUIRED = 402;
  public static final int FORBIDDEN = 403;
  public static final int NOT_FOUND = 404;
  public static final int METHOD_NOT_ALLOWED = 405;
  public static final int NOT_ACCEPTABLE = 406;
  public static final int PROXY_AUTHENTICATION_REQUIRED = 407;
  public static final int REQUEST_TIMEOUT = 408;
  public static final int GONE = 410;
  public static final int REQUEST_ENTITY_TOO_LARGE = 413;
  public static final int REQUEST_URI_TOO_LONG = 414;
  public static final int UNSUPPORTED_MEDIA_TYPE = 415;
  public static final int UNSUPPORTED_URI_SCHEME = 416;
  public static final int BAD_EXTENSION = 420;
  public static final int EXTENSION_REQUIRED = 421;
  public static final int SESSION_INTERVAL_TOO_SMALL = 422;
  public static final int INTERVAL_TOO_BRIEF = 423;
  public static final int TEMPORARILY_UNAVAILABLE = 480;
  public static final int CALL_DOES_NOT_EXIST = 481;
  public static final int LOOP_DETECTED = 482;
  public static final int TOO_MANY_HOPS = 483;
  public static final int ADDRESS_INCOMPLETE = 484;
  public static final int AMBIGUOUS = 485;
  public static final int BUSY_HERE = 486;
  public static final int REQUEST_TERMINATED = 487;
  public static final int NOT_ACCEPTABLE_HERE = 488;
  public static final int BAD_EVENT = 489;
  public static final int REQUEST_PENDING = 491;
  public static final int UNDECIPHERABLE = 493;
  public static final int SECURITY_AGREEMENT_REQUIRED = 494;
  public static final int SERVER_INTERNAL_ERROR = 500;
  public static final int NOT_IMPLEMENTED = 501;
  public static final int BAD_GATEWAY = 502;
  public static final int SERVICE_UNAVAILABLE = 503;
  public static final int SERVER_TIMEOUT = 504;
  public static final int VERSION_NOT_SUPPORTED = 505;
  public static final int MESSAGE_TOO_LARGE = 513;
  public static final int BUSY_EVERYWHERE = 600;
  public static final int DECLINE = 603;
  public static final int DOES_NOT_EXIST_ANYWHERE = 604;
  public static final int NOT_ACCEPTABLE_ANYWHERE = 606;

  private static final Map<Integer, String> REASONS = new TreeMap<>();

  static {
    reason(TRYING, "Trying");
    reason(RINGING, "Ringing");
    reason(CALL_IS_BEING_FORWARDED, "Call Is Being Forwarded");
    reason(QUEUED, "Queued");
    reason(SESSION_PROGRESS, "Session Progress");
    reason(EARLY_DIALOG_TERMINATED, "Early Dialog Terminated");
    reason(OK, "OK");
    reason(ACCEPTED, "Accepted");
    reason(NO_NOTIFICATION, "No Notification");
    reason(MULTIPLE_CHOICES, "Multiple Choices");
    reason(MOVED_PERMANENTLY, "Moved Permanently");
    reason(MOVED_TEMPORARILY, "Moved Temporarily");
    reason(USE_PROXY, "Use Proxy");
    reason(ALTERNATIVE_SERVICE, "Alternative Service");
    reason(BAD_REQUEST, "Bad Request");
    reason(UNAUTHORIZED, "Unauthorized");
    reason(PAYMENT_REQUIRED, "Payment Required");
    reason(FORBIDDEN, "Forbidden");
    reason(NOT_FOUND, "Not Found");
    reason(METHOD_NOT_ALLOWED, "Method Not Allowed");
    reason(NOT_ACCEPTABLE, "Not Acceptable");
    reason(PROXY_AUTHENTICATION_REQUIRED, "Proxy Authentication Required");
    reason(REQUEST_TIMEOUT, "Request Timeout");
    reason(GONE, "Gone");
    reason(REQUEST_ENTITY_TOO_LARGE, "Request Entity Too Large");
    reason(REQUEST_URI_TOO_LONG, "Request-URI Too Long");
    reason(UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type");
    reason(UNSUPPORTED_URI_SCHEME, "Unsupported URI Scheme");
    reason(BAD_EXTENSION, "Bad Extension");
    reason(EXTENSION_REQUIRED, "Extension Required");
    reason(SESSION_INTERVAL_TOO_SMALL, "Session Interval Too Small");
    reason(INTERVAL_TOO_BRIEF, "Interval Too Brief");
    reason(TEMPORARILY_UNAVAILABLE, "Temporarily Unavailable");
    reason(CALL_DOES_NOT_EXIST, "Call/Transaction Does Not Exist");
    reason(LOOP_DETECTED, "Loop Detected");
    reason(TOO_MANY_HOPS, "Too Many Hops");
    reason(ADDRESS_INCOMPLETE, "Address Incomplete");
    reason(AMBIGUOUS, "Ambiguous");
    reason(BUSY_HERE, "Busy Here");
    reason(REQUEST_TERMINATED, "Request Terminated");
    reason(NOT_ACCEPTABLE_HERE, "Not Acceptable Here");
    reason(BAD_EVENT, "Bad Event");
    reason(REQUEST_PENDING, "Request Pending");
    reason(UNDECIPHERABLE, "Undecipherable");
    reason(SECURITY_AGREEMENT_REQUIRED, "Security Agreement Required");
    reason(SERVER_INTERNAL_ERROR, "Server Internal Error");
    reason(NOT_IMPLEMENTED, "Not Implemented");
    reason(BAD_GATEWAY, "Bad Gateway");
    reason(SERVICE_UNAVAILABLE, "Service Unavailable");
    reason(SERVER_TIMEOUT, "Server Time-out");
    reason(VERSION_NOT_SUPPORTED, "Version Not Supported");
    reason(MESSAGE_TOO_LARGE, "Message Too Large");
    reason(BUSY_EVERYWHERE, "Busy Everywhere");
    reason(DECLINE, "Decline");
    reason(DOES_NOT_EXIST_ANYWHERE, "Does Not Exist Anywhere");
    reason(NOT_ACCEPTABLE_ANYWHERE, "Not Acceptable");
  }

  private StatusCode() {}

  private static void reason(int code, String phrase) {
    REASONS.put(code, phrase);
  }

  /** Whether {@code code} is a SIP status code at all: 100 to 699. */
  public static boolean isValid(int code) {
    return code >= 100 && code <= 699;
  }

  /** The class of a code from 100 to 699. */
  public static StatusClass classOf(int code) {
    if (!isValid(code)) {
      throw new IllegalArgumentException("not a SIP status code: " + code);
    }
    return StatusClass.values()[code / 100 - 1];
  }

  /**
   * The default reason phrase: the registered one, or for an unregistered code the phrase of
   * its class's x00 code (RFC 3261 section 8.1.3.2 treats it as that code).
   */
  public static String reasonPhrase(int code) {
    String phrase = REASONS.get(code);
    if (phrase != null) {
      return phrase;
    }
    return isValid(code) ? REASONS.get(code / 100 * 100) : "Unknown";
  }

  /** Whether the code has a registered reason phrase here. */
  public static boolean isKnown(int code) {
    return REASONS.containsKey(code);
  }

  /** Every registered code, ascending. */
  public static Iterable<Integer> knownCodes() {
    return REASONS.keySet();
  }

  public static boolean isProvisional(int code) {
    return code >= 100 && code < 200;
  }

  public static boolean isSuccess(int code) {
    return code >= 200 && code < 300;
  }

  public static boolean isFinal(int code) {
    return code >= 200 && code <= 699;
  }
}
