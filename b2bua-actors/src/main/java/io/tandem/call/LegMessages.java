package io.tandem.call;

import io.tandem.routing.Destination;
import io.tandem.routing.LegBRewrite;
import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Identifiers;
import io.tandem.sip.message.MediaType;
import io.tandem.sip.message.MessageBuilder;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.NameAddr;
import io.tandem.sip.message.Replaces;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.SipUri;
import io.tandem.sip.message.StatusCode;
import io.tandem.sip.message.TelUri;
import io.tandem.sip.message.Uri;
import io.tandem.sip.message.Via;
import io.tandem.transport.SentBy;
import io.tandem.transport.TransportProtocol;
import io.tandem.transport.IpLiteral;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The header rewriting between the legs of one call (DESIGN section 4, topology hiding): what
 * one leg sends crosses to the other only as its body, the From/To users and display names,
 * and the headers {@link CallSettings#copyHeaders()} names. Each leg gets Tandem's own Via,
 * Contact, Call-ID, tags and CSeq; nothing of one leg's Via, Contact, Record-Route, Call-ID or
 * tags reaches the other.
 */
final class LegMessages {
  /**
   * Headers whose meaning is end to end for the methods Tandem relays (RFC 6665 sections 8.2
   * and 7.2: Event, Subscription-State, Expires, Accept; RFC 3903 sections 11.2-11.3: SIP-ETag,
   * SIP-If-Match; RFC 3261 section 20.23: Min-Expires of a 423): they cross like the body,
   * whatever {@link CallSettings#copyHeaders()} says.
   */
  static final List<HeaderName> METHOD_HEADERS = List.of(
      HeaderName.EVENT, HeaderName.SUBSCRIPTION_STATE, HeaderName.EXPIRES, HeaderName.MIN_EXPIRES,
      HeaderName.ACCEPT, HeaderName.ALLOW_EVENTS, HeaderName.SIP_ETAG, HeaderName.SIP_IF_MATCH);

  /**
   * REFER's own headers (RFC 3515, 3892, 4488): they cross with a REFER relayed within a dialog
   * (route policy pass) and with its answers.
   */
  static final List<HeaderName> REFER_HEADERS = List.of(HeaderName.REFER_TO, HeaderName.REFERRED_BY, HeaderName.REFER_SUB);

  /** The body type of a REFER's NOTIFY (RFC 3515 section 2.4.5). */
  static final MediaType SIPFRAG = MediaType.parse("message/sipfrag;version=2.0");

  private final CallKey key;
  private final CallSettings settings;
  private final SentBy local;
  private final InetAddress peer;

  /**
   * @param local Tandem's own address per transport (and peer family), for Via and Contact
   * @param peer the address of the peer this leg's messages go to, whose family Via, Contact
   *     and a hidden From name; null for the first listener's
   */
  LegMessages(CallKey key, CallSettings settings, SentBy local, InetAddress peer) {
    this.key = key;
    this.settings = settings;
    this.local = local;
    this.peer = peer;
  }

  /** These messages toward {@code other} (another leg's peer, in its own family). */
  LegMessages toward(InetAddress other) {
    return new LegMessages(key, settings, local, other);
  }

  /** Tandem's own address over {@code protocol} toward this leg's peer. */
  private InetSocketAddress at(TransportProtocol protocol) {
    return local.toward(protocol, peer);
  }

  /** A fresh Via for a request Tandem sends; the branch carries the call key. */
  Via via(TransportProtocol protocol) {
    return via(protocol, CallKey.BRANCH_PREFIX + key + "-" + Identifiers.newTag());
  }

  private Via via(TransportProtocol protocol, String branch) {
    InetSocketAddress at = at(protocol);
    return Via.of(protocol.viaName(), IpLiteral.uriHost(at.getAddress()), at.getPort(), branch).withParam("rport", null);
  }

  /**
   * The Via of the ACK for the 2xx of a leg's INVITE: its branch is the same whichever node
   * builds it (from the leg's Call-ID and the INVITE's CSeq), so that the ACK a call brought
   * back on another node sends for a 2xx that comes again is the ACK the first node sent, not
   * a new request (RFC 3261 section 13.2.2.4).
   */
  Via ackVia(TransportProtocol protocol, String callId, long inviteCseq) {
    return via(protocol, CallKey.BRANCH_PREFIX + key + "-ack-" + Integer.toHexString(callId.hashCode()) + "-" + inviteCseq);
  }

  /** A fresh local tag; it carries the call key too. */
  String newTag() {
    return CallKey.MARK + key + "-" + Identifiers.newTag().substring(0, 8);
  }

  /** Tandem's Contact on a leg over {@code protocol}. */
  NameAddr contact(TransportProtocol protocol) {
    InetSocketAddress at = at(protocol);
    SipUri uri = SipUri.of("tandem", IpLiteral.uriHost(at.getAddress()), at.getPort());
    return NameAddr.of(protocol == TransportProtocol.UDP ? uri : uri.withParam("transport", protocol.name().toLowerCase()));
  }

  /** Headers of an INVITE that belong to its hop or its session, not to whom it is for. */
  private static final List<HeaderName> NOT_ROUTED = List.of(HeaderName.VIA, HeaderName.CONTACT,
      HeaderName.RECORD_ROUTE, HeaderName.ROUTE, HeaderName.CONTENT_TYPE, HeaderName.CONTENT_LENGTH);

  /**
   * What routing reads of an answered call's INVITE, to route its transfers: the Request-URI,
   * the top Via (where it came from) and every header but the hop's and the session's (Via,
   * Contact, Record-Route, Route, Content-*), without the body. Kept for the life of the call,
   * instead of the whole INVITE.
   */
  static SipRequest routingView(SipRequest invite) {
    SipRequest.Builder b = SipRequest.builder(invite.method(), invite.requestUri())
        .header(HeaderName.VIA, invite.topVia());
    for (int i = 0; i < invite.headers().size(); i++) {
      HeaderName name = invite.headers().name(i);
      if (!NOT_ROUTED.contains(name)) {
        b.header(name, invite.headers().value(i));
      }
    }
    return b.build();
  }

  /** The user of {@code uri}: a SIP URI's user part, a tel: number, else empty. */
  static String userOf(Uri uri) {
    if (uri instanceof SipUri sip && sip.user() != null) {
      return sip.user();
    }
    return uri instanceof TelUri tel ? tel.number() : "";
  }

  /** The user part leg B dials: the leg-A Request-URI's user (or tel: number). */
  static String dialledUser(SipRequest invite) {
    Uri uri = invite.requestUri();
    if (uri instanceof SipUri sip && sip.user() != null) {
      return sip.user();
    }
    if (uri instanceof TelUri tel) {
      return tel.number();
    }
    return "";
  }

  /**
   * The leg-B INVITE of attempt {@code attempt} to {@code user} at {@code destination}: a new Call-ID, a
   * new From tag, CSeq 1, Tandem's Via and Contact, Max-Forwards one less than leg A's; the
   * From/To users and display names, the body and the copied headers cross from leg A.
   */
  SipRequest legBInvite(SipRequest aInvite, Destination destination, String user, int attempt, String fromTag) {
    return legBInvite(aInvite, destination, user, attempt, fromTag, LegBRewrite.NONE);
  }

  /**
   * The leg-B INVITE as {@link #legBInvite(SipRequest, Destination, String, int, String)} builds
   * it, with the route's {@code rewrite}: its From user and display name; then, after the
   * copied headers so that they win over them, its header removals, its P-Asserted-Identity
   * (RFC 3325 section 9.1, replacing any copied one) and its additions. The dialled user
   * is {@code user}, already rewritten by the hunt.
   */
  SipRequest legBInvite(SipRequest aInvite, Destination destination, String user, int attempt, String fromTag,
      LegBRewrite rewrite) {
    InetAddress carrier = destination.address().getAddress();
    return carrier == null || carrier.equals(peer) ? legBInviteHere(aInvite, destination, user, attempt, fromTag, rewrite)
        : toward(carrier).legBInviteHere(aInvite, destination, user, attempt, fromTag, rewrite);
  }

  private SipRequest legBInviteHere(SipRequest aInvite, Destination destination, String user, int attempt,
      String fromTag, LegBRewrite rewrite) {
    TransportProtocol protocol = destination.transport();
    SipUri requestUri = destination.requestUri(user);
    NameAddr aFrom = aInvite.from();
    Uri fromUri = hidden(aFrom.uri(), protocol);
    if (rewrite.fromUser() != null) {
      fromUri = SipUri.of(rewrite.fromUser(), IpLiteral.uriHost(at(protocol).getAddress()), -1);
    }
    String display = rewrite.fromDisplay() != null ? rewrite.fromDisplay() : aFrom.displayName();
    NameAddr from = NameAddr.of(display, fromUri).withTag(fromTag);
    NameAddr to = NameAddr.of(aInvite.to().displayName(), requestUri.withoutParam("transport"));
    SipRequest.Builder b = SipRequest.builder(Method.INVITE, requestUri)
        .header(HeaderName.VIA, via(protocol))
        .header(HeaderName.MAX_FORWARDS, Integer.toString(aInvite.maxForwards().orElse(70) - 1))
        .header(HeaderName.FROM, from)
        .header(HeaderName.TO, to)
        .header(HeaderName.CALL_ID, key.legBCallId(attempt))
        .header(HeaderName.CSEQ, new CSeq(1, Method.INVITE))
        .header(HeaderName.CONTACT, contact(protocol));
    if (offersReliableProvisionals(aInvite)) {
      b.header(HeaderName.SUPPORTED, "100rel"); // RFC 3262: leg B may PRACK, leg A will too
    }
    SessionTimer.offer(b, settings.sessionTimer());
    copyHeadersAndBody(aInvite, b);
    rewrite.remove().forEach(name -> b.remove(HeaderName.of(name)));
    if (rewrite.pAssertedIdentity() != null) {
      b.set(HeaderName.P_ASSERTED_IDENTITY, rewrite.pAssertedIdentity());
    }
    rewrite.add().forEach(h -> b.header(HeaderName.of(h.name()), h.value()));
    return b.build();
  }

  /** Whether a request names 100rel in Supported or Require (RFC 3262 section 3). */
  static boolean offersReliableProvisionals(SipRequest request) {
    return request.headerValues(SipHeaders.SUPPORTED).toOptional().orElse(List.of()).contains("100rel")
        || request.headerValues(SipHeaders.REQUIRE).toOptional().orElse(List.of()).contains("100rel");
  }

  /** A reliable provisional response (RFC 3262 section 3): Require 100rel and an RSeq. */
  static boolean isReliable(SipResponse response) {
    return response.headerValues(SipHeaders.REQUIRE).toOptional().orElse(List.of()).contains("100rel")
        && response.header(SipHeaders.RSEQ).isPresent();
  }

  /** The From URI on the other leg: the user stays, the host becomes Tandem's. */
  private Uri hidden(Uri uri, TransportProtocol protocol) {
    if (uri instanceof SipUri sip) {
      return SipUri.of(sip.user(), IpLiteral.uriHost(at(protocol).getAddress()), -1);
    }
    if (uri instanceof TelUri) {
      return uri; // a number names no network
    }
    return SipUri.of("anonymous", IpLiteral.uriHost(at(protocol).getAddress()), -1);
  }

  /**
   * A leg-B response relayed to leg A: its status, reason, body and copied headers, with leg
   * A's identifiers, Tandem's To tag and, where it makes a dialog, Tandem's Contact.
   */
  SipResponse relayToA(SipRequest aInvite, String aTag, SipResponse fromB, TransportProtocol aProtocol) {
    SipResponse.Builder b = SipResponse.builderFor(aInvite, fromB.statusCode())
        .status(fromB.statusCode(), fromB.reasonPhrase());
    if (fromB.statusCode() != 100) {
      b.set(HeaderName.TO, aInvite.to().withTag(aTag));
    }
    if (fromB.statusCode() > 100 && fromB.statusCode() < 300) {
      b.header(HeaderName.CONTACT, contact(aProtocol));
    } else if (fromB.statusCode() >= 300 && fromB.statusCode() < 400) {
      // A redirect the route does not follow is the caller's to follow: its Contacts are
      // its content (an operator who minds sets follow-redirects).
      fromB.headers().values(HeaderName.CONTACT).forEach(c -> b.header(HeaderName.CONTACT, c));
    }
    copyHeadersAndBody(fromB, b);
    return b.build();
  }

  /** A final Tandem answers leg A itself (no route, 487, the best of the hunt's finals). */
  SipResponse finalToA(SipRequest aInvite, String aTag, int status) {
    return SipResponse.builderFor(aInvite, status).set(HeaderName.TO, aInvite.to().withTag(aTag)).build();
  }

  /**
   * Section 9.1: the CANCEL of a pending INVITE: the same Request-URI, Call-ID, From, To,
   * CSeq number and top Via (so it reaches the same server transaction), and its Routes.
   */
  static SipRequest cancel(SipRequest invite) {
    SipRequest.Builder b = SipRequest.builder(Method.CANCEL, invite.requestUri())
        .header(HeaderName.VIA, invite.topVia())
        .header(HeaderName.MAX_FORWARDS, "70");
    for (String route : invite.headers().values(HeaderName.ROUTE)) {
      b.header(HeaderName.ROUTE, route);
    }
    return b.header(HeaderName.FROM, invite.headers().first(HeaderName.FROM).orElseThrow())
        .header(HeaderName.TO, invite.headers().first(HeaderName.TO).orElseThrow())
        .header(HeaderName.CALL_ID, invite.callId())
        .header(HeaderName.CSEQ, new CSeq(invite.cseq().sequence(), Method.CANCEL))
        .build();
  }

  /** A request received on one leg, as Tandem sends it within the other leg's dialog. */
  SipRequest relay(SipRequest request, Dialog other, TransportProtocol protocol) {
    SipRequest.Builder b = other.request(request.method(), via(protocol));
    if (isTargetRefresh(request.method())) {
      b.header(HeaderName.CONTACT, contact(protocol));
    }
    copyMeaning(request, b);
    copyHeadersAndBody(request, b);
    return b.build();
  }

  /**
   * The INVITE toward a transfer target (RFC 3515 section 2.4.3, Tandem as the referee on the
   * transferee's behalf): the transferee's identity as From, the REFER's Referred-By (RFC 3892)
   * with its host hidden like From, Replaces when the transfer is attended (RFC 3891 section 4:
   * Require replaces, the target must not take it as a new call), and the transferee's last SDP
   * as the offer.
   */
  SipRequest transferInvite(Uri requestUri, NameAddr to, NameAddr identity, TransportProtocol protocol,
      int attempt, String fromTag, SipRequest refer, Sdp offer, Replaces replaces) {
    SipRequest.Builder b = SipRequest.builder(Method.INVITE, requestUri)
        .header(HeaderName.VIA, via(protocol))
        .header(HeaderName.MAX_FORWARDS, "70")
        .header(HeaderName.FROM, NameAddr.of(identity.displayName(), hidden(identity.uri(), protocol)).withTag(fromTag))
        .header(HeaderName.TO, to)
        .header(HeaderName.CALL_ID, key.legBCallId(attempt))
        .header(HeaderName.CSEQ, new CSeq(1, Method.INVITE))
        .header(HeaderName.CONTACT, contact(protocol));
    refer.header(SipHeaders.REFERRED_BY).toOptional().ifPresent(by ->
        b.header(HeaderName.REFERRED_BY, NameAddr.of(by.displayName(), hidden(by.uri(), protocol)).withParams(by.params())));
    if (replaces != null) {
      b.header(HeaderName.REPLACES, replaces.toString()).header(HeaderName.REQUIRE, "replaces");
    }
    if (offer != null) {
      offer.copyInto(b);
    }
    return b.build();
  }

  /**
   * A NOTIFY of a REFER's implicit subscription to the referrer (RFC 3515 section 2.4.4): the
   * status line of what the transfer target answered, as message/sipfrag.
   *
   * @param id the REFER's CSeq number for the Event id parameter, or 0 for the dialog's first REFER
   * @param state the Subscription-State value
   */
  SipRequest referNotify(Dialog referrer, long id, int status, String state) {
    String fragment = "SIP/2.0 " + status + " " + StatusCode.reasonPhrase(status) + "\r\n";
    return referrer.request(Method.NOTIFY, via(referrer.protocol()))
        .header(HeaderName.CONTACT, contact(referrer.protocol()))
        .header(HeaderName.EVENT, id == 0 ? "refer" : "refer;id=" + id)
        .header(HeaderName.SUBSCRIPTION_STATE, state)
        .body(SIPFRAG, fragment.getBytes(StandardCharsets.US_ASCII))
        .build();
  }

  /**
   * The re-INVITE that re-pairs the surviving leg of a transfer with its new partner: Tandem's
   * Contact and the new partner's SDP as the offer (RFC 3725 section 4 shape, the answer the
   * new partner already gave standing in for its offer).
   */
  SipRequest repairInvite(Dialog survivor, Sdp offer) {
    SipRequest.Builder b = survivor.request(Method.INVITE, via(survivor.protocol()))
        .header(HeaderName.CONTACT, contact(survivor.protocol()));
    if (offer != null) {
      offer.copyInto(b);
    }
    return b.build();
  }

  private void copyMeaning(SipMessage from, MessageBuilder<?> to) {
    for (HeaderName name : REFER_HEADERS) {
      if (settings.copyHeaders().contains(name)) {
        continue; // copied with the operator's list
      }
      for (String value : from.headers().values(name)) {
        to.header(name, value);
      }
    }
  }

  /** The other leg's answer to a relayed request, as the answer to the original request. */
  SipResponse relayResponse(SipRequest original, SipResponse answer, TransportProtocol protocol) {
    SipResponse.Builder b = SipResponse.builderFor(original, answer.statusCode())
        .status(answer.statusCode(), answer.reasonPhrase());
    if ((Method.INVITE.equals(original.method()) || Method.SUBSCRIBE.equals(original.method()))
        && answer.statusCode() >= 200 && answer.statusCode() < 300) {
      b.header(HeaderName.CONTACT, contact(protocol));
    }
    copyMeaning(answer, b);
    copyHeadersAndBody(answer, b);
    return b.build();
  }

  /**
   * Requests that carry a Contact and move the remote target: RFC 3261 section 12.2 (INVITE),
   * RFC 3311 (UPDATE), RFC 6665 sections 4.1.2.1 and 4.2.2 (SUBSCRIBE, NOTIFY).
   */
  static boolean isTargetRefresh(Method method) {
    return Method.INVITE.equals(method) || Method.UPDATE.equals(method)
        || Method.SUBSCRIBE.equals(method) || Method.NOTIFY.equals(method)
        || Method.REFER.equals(method); // RFC 3515 section 2.4.1: REFER carries a Contact
  }

  /**
   * The leg-B copy of an out-of-dialog non-INVITE request (MESSAGE, PUBLISH, SUBSCRIBE, an
   * unsolicited NOTIFY) for attempt {@code attempt}: built like {@link #legBInvite}, with a
   * Contact only where the request forms a dialog (SUBSCRIBE, RFC 6665 section 4.1.2.1).
   */
  SipRequest legBRequest(SipRequest aRequest, Destination destination, String user, int attempt, String fromTag) {
    InetAddress carrier = destination.address().getAddress();
    if (carrier != null && !carrier.equals(peer)) {
      return toward(carrier).legBRequest(aRequest, destination, user, attempt, fromTag);
    }
    TransportProtocol protocol = destination.transport();
    SipUri requestUri = destination.requestUri(user);
    NameAddr aFrom = aRequest.from();
    NameAddr from = NameAddr.of(aFrom.displayName(), hidden(aFrom.uri(), protocol)).withTag(fromTag);
    NameAddr to = NameAddr.of(aRequest.to().displayName(), requestUri.withoutParam("transport"));
    SipRequest.Builder b = SipRequest.builder(aRequest.method(), requestUri)
        .header(HeaderName.VIA, via(protocol))
        .header(HeaderName.MAX_FORWARDS, Integer.toString(aRequest.maxForwards().orElse(70) - 1))
        .header(HeaderName.FROM, from)
        .header(HeaderName.TO, to)
        .header(HeaderName.CALL_ID, key.legBCallId(attempt))
        .header(HeaderName.CSEQ, new CSeq(1, aRequest.method()));
    if (Method.SUBSCRIBE.equals(aRequest.method())) {
      b.header(HeaderName.CONTACT, contact(protocol));
    }
    copyHeadersAndBody(aRequest, b);
    return b.build();
  }

  /**
   * Leg B's final to an out-of-dialog request, relayed to leg A: like {@link #relayToA}, but
   * with Tandem's Contact only on the 2xx of a SUBSCRIBE, the one that makes a dialog.
   */
  SipResponse relayFinal(SipRequest aRequest, String aTag, SipResponse fromB, TransportProtocol aProtocol) {
    if (Method.SUBSCRIBE.equals(aRequest.method())) {
      return relayToA(aRequest, aTag, fromB, aProtocol);
    }
    SipResponse.Builder b = SipResponse.builderFor(aRequest, fromB.statusCode())
        .status(fromB.statusCode(), fromB.reasonPhrase())
        .set(HeaderName.TO, aRequest.to().withTag(aTag));
    if (fromB.statusCode() >= 300 && fromB.statusCode() < 400) {
      fromB.headers().values(HeaderName.CONTACT).forEach(c -> b.header(HeaderName.CONTACT, c));
    }
    copyHeadersAndBody(fromB, b);
    return b.build();
  }

  private void copyHeadersAndBody(SipMessage from, MessageBuilder<?> to) {
    for (HeaderName name : settings.copyHeaders()) {
      for (String value : from.headers().values(name)) {
        to.header(name, value);
      }
    }
    for (HeaderName name : METHOD_HEADERS) {
      if (!settings.copyHeaders().contains(name)) {
        for (String value : from.headers().values(name)) {
          to.header(name, value);
        }
      }
    }
    if (from.bodyLength() > 0) {
      from.contentType().ifPresent(type -> to.body(type, from.body()));
    }
  }

}
