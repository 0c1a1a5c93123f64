package io.tandem.sip.message;

import io.tandem.sip.syntax.AddressGrammar;
import io.tandem.sip.syntax.CharClass;
import io.tandem.sip.syntax.Cursor;
import io.tandem.sip.syntax.Grammar;
import io.tandem.sip.syntax.Text;
import io.tandem.sip.syntax.ViaGrammar;

/**
 * The typed headers Tandem reads, for {@link Headers#get} and {@link Headers#getAll}.
 *
 * <p>The parser checks Via, From, To, Call-ID, CSeq, Max-Forwards, Contact, Route,
 * Record-Route, Content-Type, Require and Proxy-Require when a message arrives; the others are
 * read when asked for, and an invalid one comes back as {@link HeaderResult.Invalid}.
 */
public final class SipHeaders {
  public static final HeaderType<Via> VIA = HeaderType.list(HeaderName.VIA, SipHeaders::via);
  public static final HeaderType<NameAddr> FROM = HeaderType.single(HeaderName.FROM, SipHeaders::address);
  public static final HeaderType<NameAddr> TO = HeaderType.single(HeaderName.TO, SipHeaders::address);
  public static final HeaderType<String> CALL_ID = HeaderType.single(HeaderName.CALL_ID, SipHeaders::callId);
  public static final HeaderType<CSeq> CSEQ = HeaderType.single(HeaderName.CSEQ, SipHeaders::cseq);
  public static final HeaderType<Long> MAX_FORWARDS =
      HeaderType.single(HeaderName.MAX_FORWARDS, c -> number(c, 255));
  public static final HeaderType<NameAddr> CONTACT =
      HeaderType.list(HeaderName.CONTACT, SipHeaders::contact);
  public static final HeaderType<NameAddr> ROUTE =
      HeaderType.list(HeaderName.ROUTE, SipHeaders::route);
  public static final HeaderType<NameAddr> RECORD_ROUTE =
      HeaderType.list(HeaderName.RECORD_ROUTE, SipHeaders::route);
  public static final HeaderType<NameAddr> PATH = HeaderType.list(HeaderName.PATH, SipHeaders::route);
  public static final HeaderType<NameAddr> SERVICE_ROUTE =
      HeaderType.list(HeaderName.SERVICE_ROUTE, SipHeaders::route);
  public static final HeaderType<MediaType> CONTENT_TYPE =
      HeaderType.single(HeaderName.CONTENT_TYPE, SipHeaders::mediaType);
  public static final HeaderType<MediaType> ACCEPT =
      HeaderType.optionalList(HeaderName.ACCEPT, SipHeaders::mediaType);
  public static final HeaderType<String> REQUIRE = HeaderType.list(HeaderName.REQUIRE, SipHeaders::token);
  public static final HeaderType<String> SUPPORTED =
      HeaderType.optionalList(HeaderName.SUPPORTED, SipHeaders::token);
  public static final HeaderType<String> UNSUPPORTED =
      HeaderType.list(HeaderName.UNSUPPORTED, SipHeaders::token);
  public static final HeaderType<String> PROXY_REQUIRE =
      HeaderType.list(HeaderName.PROXY_REQUIRE, SipHeaders::token);
  public static final HeaderType<String> ALLOW_EVENTS =
      HeaderType.list(HeaderName.ALLOW_EVENTS, SipHeaders::token);
  public static final HeaderType<Method> ALLOW = HeaderType.optionalList(HeaderName.ALLOW, SipHeaders::method);
  public static final HeaderType<Long> EXPIRES = HeaderType.single(HeaderName.EXPIRES, SipHeaders::deltaSeconds);
  public static final HeaderType<Long> MIN_EXPIRES =
      HeaderType.single(HeaderName.MIN_EXPIRES, SipHeaders::deltaSeconds);
  public static final HeaderType<RetryAfter> RETRY_AFTER =
      HeaderType.single(HeaderName.RETRY_AFTER, RetryAfter::read);
  public static final HeaderType<NameAddr> REFER_TO =
      HeaderType.single(HeaderName.REFER_TO, SipHeaders::address);
  public static final HeaderType<NameAddr> REFERRED_BY =
      HeaderType.single(HeaderName.REFERRED_BY, SipHeaders::address);
  public static final HeaderType<Replaces> REPLACES =
      HeaderType.single(HeaderName.REPLACES, Replaces::read);
  public static final HeaderType<EventHeader> EVENT =
      HeaderType.single(HeaderName.EVENT, EventHeader::read);
  public static final HeaderType<SubscriptionState> SUBSCRIPTION_STATE =
      HeaderType.single(HeaderName.SUBSCRIPTION_STATE, SubscriptionState::read);
  public static final HeaderType<Long> RSEQ = HeaderType.single(HeaderName.RSEQ, SipHeaders::deltaSeconds);
  public static final HeaderType<RAck> RACK = HeaderType.single(HeaderName.RACK, RAck::read);
  public static final HeaderType<SessionExpires> SESSION_EXPIRES =
      HeaderType.single(HeaderName.SESSION_EXPIRES, SessionExpires::read);
  public static final HeaderType<Long> MIN_SE = HeaderType.single(HeaderName.MIN_SE, SipHeaders::minSe);
  public static final HeaderType<AuthHeader> WWW_AUTHENTICATE =
      HeaderType.perField(HeaderName.WWW_AUTHENTICATE, AuthHeader::read);
  public static final HeaderType<AuthHeader> PROXY_AUTHENTICATE =
      HeaderType.perField(HeaderName.PROXY_AUTHENTICATE, AuthHeader::read);
  public static final HeaderType<AuthHeader> AUTHORIZATION =
      HeaderType.perField(HeaderName.AUTHORIZATION, AuthHeader::read);
  public static final HeaderType<AuthHeader> PROXY_AUTHORIZATION =
      HeaderType.perField(HeaderName.PROXY_AUTHORIZATION, AuthHeader::read);
  public static final HeaderType<NameAddr> P_ASSERTED_IDENTITY =
      HeaderType.list(HeaderName.P_ASSERTED_IDENTITY, SipHeaders::address);
  public static final HeaderType<NameAddr> P_PREFERRED_IDENTITY =
      HeaderType.list(HeaderName.P_PREFERRED_IDENTITY, SipHeaders::address);
  public static final HeaderType<Reason> REASON = HeaderType.list(HeaderName.REASON, Reason::read);

  private SipHeaders() {}

  private static Via via(Cursor c) {
    int[] o = new int[ViaGrammar.VIA_SIZE];
    return ViaGrammar.via(c, o, 0) ? Via.read(c.bytes(), o, 0) : null;
  }

  private static NameAddr address(Cursor c) {
    return nameAddr(c, true, Grammar.ParamRules.GENERIC);
  }

  private static NameAddr contact(Cursor c) {
    if (AddressGrammar.isWildcard(c)) {
      c.fail("wildcard Contact");
      return null;
    }
    return nameAddr(c, true, Grammar.ParamRules.CONTACT);
  }

  private static NameAddr route(Cursor c) {
    return nameAddr(c, false, Grammar.ParamRules.GENERIC);
  }

  private static NameAddr nameAddr(Cursor c, boolean bare, Grammar.ParamRules rules) {
    int[] o = new int[AddressGrammar.NA_SIZE];
    return AddressGrammar.nameAddr(c, o, 0, bare, rules) ? NameAddr.read(c.bytes(), o, 0) : null;
  }

  private static String callId(Cursor c) {
    int start = c.pos();
    return Grammar.callId(c) ? Text.decode(c.bytes(), start, c.end()).trim() : null;
  }

  private static CSeq cseq(Cursor c) {
    int[] o = new int[2];
    return Grammar.cseq(c, o, 0) ? new CSeq(c.number(), Method.of(c.bytes(), o[0], o[1])) : null;
  }

  private static MediaType mediaType(Cursor c) {
    int[] o = new int[Grammar.MT_SIZE];
    return Grammar.mediaTypeElement(c, o, 0) ? MediaType.read(c.bytes(), o, 0) : null;
  }

  private static String token(Cursor c) {
    int start = c.pos();
    return c.token() ? Text.decode(c.bytes(), start, c.pos()) : failed(c, "token expected");
  }

  private static Method method(Cursor c) {
    int start = c.pos();
    return c.token() ? Method.of(c.bytes(), start, c.pos()) : failed(c, "method expected");
  }

  private static Long number(Cursor c, long max) {
    return Grammar.number(c, max) ? c.number() : null;
  }

  private static Long deltaSeconds(Cursor c) {
    return number(c, Grammar.MAX_UINT32);
  }

  /** Min-SE: delta-seconds *( SEMI generic-param ) (RFC 4028 section 5). */
  private static Long minSe(Cursor c) {
    Long seconds = deltaSeconds(c);
    return seconds != null && readParams(c) != null ? seconds : null;
  }

  private static <T> T failed(Cursor c, String why) {
    c.fail(why);
    return null;
  }

  /** *( SEMI generic-param ) at the cursor, or null if one is invalid. */
  static Parameters readParams(Cursor c) {
    int[] o = new int[2 + Grammar.PARAM_SIZE];
    if (!Grammar.params(c, o, 0, 2, Grammar.ParamRules.GENERIC)) {
      return null;
    }
    return Parameters.readHeader(c.bytes(), o[0], o[1]);
  }

  /** Whether {@code s} is 1*DIGIT at most 2**32-1. */
  static boolean isDeltaSeconds(String s) {
    if (s.isEmpty() || s.length() > 10) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!CharClass.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return Long.parseLong(s) <= Grammar.MAX_UINT32;
  }
}
