package io.tandem.app.routing;

import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipUri;
import io.tandem.sip.message.TelUri;
import io.tandem.sip.message.Uri;
import io.tandem.sip.message.Via;
import io.tandem.transport.IpLiteral;
import java.net.InetAddress;
import java.util.List;
import java.util.function.Function;

/**
 * What a route's {@code match} looks at in one INVITE, taken out of the request once so that
 * matching is a pure function of plain values (and tests need no SIP message).
 *
 * @param user the Request-URI user (a tel URI's number without visual separators), or null
 * @param host the Request-URI host, or null for a tel URI
 * @param fromUser the From URI user (or tel number), or null
 * @param toUser the To URI user (or tel number), or null
 * @param source the address the INVITE came from (the top Via's received, else its host when
 *     an IP literal: the transport stamps received whenever they differ, RFC 3261 section
 *     18.2.1), or null when unknown
 * @param headers every value of the header named (case-insensitively), empty when absent
 */
record CallFacts(String user, String host, String fromUser, String toUser, InetAddress source,
    Function<String, List<String>> headers) {

  /** The facts of {@code invite}. */
  static CallFacts of(SipRequest invite) {
    Uri r = invite.requestUri();
    String host = r instanceof SipUri sip ? sip.host() : null;
    InetAddress source = null;
    if (!invite.vias().isEmpty()) {
      Via top = invite.topVia();
      source = IpLiteral.parse(top.received().orElse(top.host())).orElse(null);
    }
    return new CallFacts(user(r), host, user(invite.from().uri()), user(invite.to().uri()), source,
        name -> invite.headers().values(HeaderName.of(name)));
  }

  /** The user part of a sip/sips URI (escapes decoded), or a tel URI's digits; else null. */
  static String user(Uri uri) {
    if (uri instanceof SipUri sip) {
      return sip.user();
    }
    if (uri instanceof TelUri tel) {
      return tel.digits();
    }
    return null;
  }
}
