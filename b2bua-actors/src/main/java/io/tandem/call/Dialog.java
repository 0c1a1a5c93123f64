package io.tandem.call;

import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.MessageBuilder;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.NameAddr;
import io.tandem.sip.message.Replaces;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.SipUri;
import io.tandem.sip.message.Uri;
import io.tandem.sip.message.Via;
import io.tandem.transport.IpLiteral;
import io.tandem.transport.Peer;
import io.tandem.transport.TransportProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * One leg's dialog as Tandem sees it (RFC 3261 section 12): the identifiers, the remote target
 * and route set, and Tandem's own CSeq space on that leg. It builds the requests Tandem sends
 * within the dialog; the other leg's dialog knows nothing of it.
 *
 * <p>It keeps the identities as the header text they go out as (a dialog lives as long as its
 * call, and a parsed name-address is a dozen objects), and parses them back when it must.
 */
final class Dialog {
  final String callId;
  /** Tandem's side: the URI and tag that go in From of what Tandem sends. */
  private final String local;
  /** The peer's side, with its tag: To of what Tandem sends. */
  private final String remote;
  private String remoteTarget;
  private final List<String> routeSet;
  private final Peer fallback;
  /** Where requests of the dialog go, from the route set, the remote target and the fallback. */
  private Peer destination;
  private long localCseq;
  /** This leg's RFC 4028 session timer, or null when the leg runs none. */
  SessionTimer sessionTimer;
  /** The session description Tandem sent last in this dialog (offer or answer), or null. */
  private Sdp sent;

  private Dialog(String callId, NameAddr local, NameAddr remote, Uri remoteTarget,
      List<NameAddr> routeSet, Peer fallback, long localCseq) {
    this(callId, local.toString(), remote.toString(), remoteTarget.toString(),
        routeSet.isEmpty() ? List.of() : routeSet.stream().map(NameAddr::toString).toList(), fallback, localCseq);
  }

  private Dialog(String callId, String local, String remote, String remoteTarget, List<String> routeSet,
      Peer fallback, long localCseq) {
    this.callId = callId;
    this.local = local;
    this.remote = remote;
    this.remoteTarget = remoteTarget;
    this.routeSet = routeSet;
    this.fallback = fallback;
    this.localCseq = localCseq;
    this.destination = nextHopOrFallback();
  }

  /**
   * How far Tandem's CSeq moves on in a dialog brought back from its {@link LegState}: the
   * requests its node sent after the state was saved (a relayed re-INVITE, a session refresh)
   * used numbers the state does not know. A peer takes a higher number than the last as in
   * order (RFC 3261 section 12.2.2), and never a lower one.
   */
  static final long RESTORED_CSEQ_STEP = 100;

  /** The dialog {@code state} keeps, as another node had it (with its CSeq moved on). */
  static Dialog restore(LegState state, SessionTimerSettings sessions) {
    Dialog d = new Dialog(state.callId(), state.local(), state.remote(), state.remoteTarget(), state.routeSet(),
        Peer.destination(state.fallbackProtocol(), state.fallbackAddress()), state.localCseq() + RESTORED_CSEQ_STEP);
    d.sessionTimer = state.session() == null ? null : SessionTimer.restore(state.session(), sessions);
    if (state.sdp() != null) {
      d.sent = new Sdp(io.tandem.sip.message.MediaType.parse(state.sdpType()), state.sdp());
    }
    return d;
  }

  /** This dialog as a plain value, for a call saved to another node; {@code inviteCseq} is its INVITE's. */
  LegState state(long inviteCseq) {
    return new LegState(callId, local, remote, remoteTarget, routeSet, fallback.protocol(), fallback.remote(),
        localCseq, inviteCseq, sessionTimer == null ? null : sessionTimer.state(),
        sent == null ? null : sent.type().toString(), sent == null ? null : sent.body());
  }

  /** The next hop, sharing the fallback when it is the same place (most dialogs). */
  private Peer nextHopOrFallback() {
    Peer next = nextHop();
    return next.equals(fallback) ? fallback : next;
  }

  /**
   * Leg A, where Tandem is the UAS (section 12.1.1): the route set is the INVITE's
   * Record-Route in order, the remote target its Contact; requests go where the INVITE came
   * from when the Contact names no IP address.
   */
  static Dialog asUas(SipRequest invite, String localTag, Peer source) {
    Uri target = invite.contacts().isEmpty() ? invite.from().uri() : invite.contacts().get(0).uri();
    return new Dialog(invite.callId(), invite.to().withTag(localTag), invite.from(), target,
        invite.recordRoutes(), Peer.destination(source.protocol(), source.remote()), 0);
  }

  /**
   * Leg B, where Tandem is the UAC (section 12.1.2): the route set is the 2xx's Record-Route
   * reversed, the remote target its Contact, and the next CSeq follows the INVITE's.
   */
  static Dialog asUac(SipRequest invite, SipResponse ok, Peer destination) {
    List<NameAddr> routes = new ArrayList<>(ok.recordRoutes());
    Collections.reverse(routes);
    Uri target = ok.contacts().isEmpty() ? invite.requestUri() : ok.contacts().get(0).uri();
    return new Dialog(invite.callId(), invite.from(), ok.to(), target, routes, destination,
        invite.cseq().sequence());
  }

  /**
   * The dialog another fork's 2xx makes with the INVITE {@code answered} was made by (section
   * 13.2.2.4): the same Call-ID and local side, that 2xx's To, Contact and Record-Route.
   */
  static Dialog forkOf(Dialog answered, SipResponse ok, Peer destination) {
    List<NameAddr> routes = new ArrayList<>(ok.recordRoutes());
    Collections.reverse(routes);
    Uri target = ok.contacts().isEmpty() ? answered.remoteTarget() : ok.contacts().get(0).uri();
    return new Dialog(answered.callId, answered.local(), ok.to(), target, routes, destination, answered.localCseq);
  }

  /**
   * Leg B of a subscription whose first NOTIFY came before the SUBSCRIBE's 2xx (RFC 6665
   * section 4.1.2.4): the NOTIFY makes the dialog, its From tag the remote tag, its Contact the
   * remote target, its Record-Route in order the route set (Tandem is its UAS, section
   * 12.1.1); the next CSeq follows the SUBSCRIBE's.
   */
  static Dialog asNotifiedSubscriber(SipRequest subscribe, SipRequest notify, Peer destination) {
    Uri target = notify.contacts().isEmpty() ? subscribe.requestUri() : notify.contacts().get(0).uri();
    return new Dialog(subscribe.callId(), subscribe.from(), notify.from(), target, notify.recordRoutes(),
        destination, subscribe.cseq().sequence());
  }

  /**
   * The confirmed dialog takes over the early one's CSeq space (a PRACK sent in the early
   * dialog used a number the next request must pass).
   */
  void continueAfter(Dialog early) {
    localCseq = Math.max(localCseq, early.localCseq);
  }

  /** Section 12.2.1.1: a new request within the dialog, with the next local CSeq. */
  SipRequest.Builder request(Method method, Via via) {
    return request(method, via, ++localCseq);
  }

  /** The ACK for the 2xx to the INVITE with CSeq {@code inviteCseq} (section 13.2.2.4). */
  SipRequest.Builder ack(long inviteCseq, Via via) {
    return request(Method.ACK, via, inviteCseq);
  }

  private SipRequest.Builder request(Method method, Via via, long cseq) {
    SipRequest.Builder b = SipRequest.builder(method, remoteTarget())
        .header(HeaderName.VIA, via)
        .header(HeaderName.MAX_FORWARDS, "70");
    for (String route : routeSet) {
      b.header(HeaderName.ROUTE, route);
    }
    return b.header(HeaderName.FROM, local)
        .header(HeaderName.TO, remote)
        .header(HeaderName.CALL_ID, callId)
        .header(HeaderName.CSEQ, new CSeq(cseq, method));
  }

  /** Tandem's side: the URI and tag that go in From of what Tandem sends. */
  NameAddr local() {
    return NameAddr.parse(local);
  }

  /** The peer's side, with its tag: To of what Tandem sends. */
  NameAddr remote() {
    return NameAddr.parse(remote);
  }

  /** The dialog as its call keeps it, sharing this dialog's text. */
  Leg.DialogView view() {
    return new Leg.DialogView(callId, local, remote, remoteTarget, destination);
  }

  /** Tandem's tag in this dialog. */
  String localTag() {
    return local().tag().orElse("");
  }

  /** The peer's tag in this dialog. */
  String remoteTag() {
    return remote().tag().orElse("");
  }

  Uri remoteTarget() {
    return Uri.parse(remoteTarget);
  }

  /** The transport requests of this dialog go over. */
  TransportProtocol protocol() {
    return destination().protocol();
  }

  /**
   * Whether {@code replaces} names this dialog as Tandem sees it (RFC 3891 section 3: the
   * to-tag is the local tag of whoever receives the Replaces, the from-tag the remote one).
   */
  boolean isNamedBy(Replaces replaces) {
    return callId.equals(replaces.callId())
        && localTag().equals(replaces.toTag())
        && remoteTag().equals(replaces.fromTag());
  }

  /**
   * Keeps {@code message}'s SDP, if it has one, as what Tandem sent last in this dialog: a
   * session refresh by re-INVITE offers it again, unchanged (RFC 4028 section 7.4).
   */
  void noteSent(SipMessage message) {
    sent = Sdp.latest(sent, message);
  }

  /** Puts the SDP Tandem sent last in this dialog into {@code to}; false if there is none. */
  boolean copySent(MessageBuilder<?> to) {
    if (sent == null) {
      return false;
    }
    sent.copyInto(to);
    return true;
  }

  /** A target refresh (re-INVITE, UPDATE) from the peer moves its remote target (12.2.2). */
  void refreshTarget(SipRequest request) {
    if (!request.contacts().isEmpty()) {
      remoteTarget = request.contacts().get(0).uri().toString();
      destination = nextHopOrFallback();
    }
  }

  /**
   * Where requests of this dialog go: the first route (loose routing), else the remote
   * target, when it names an IP address and port; else where the dialog's first message came
   * from or went to (no DNS in Tandem yet).
   */
  Peer destination() {
    return destination;
  }

  private Peer nextHop() {
    Uri next = routeSet.isEmpty() ? remoteTarget() : NameAddr.parse(routeSet.get(0)).uri();
    if (next instanceof SipUri uri) {
      Optional<InetAddress> ip = IpLiteral.parse(uri.host());
      if (ip.isPresent()) {
        TransportProtocol protocol = uri.transport()
            .flatMap(TransportProtocol::fromVia)
            .orElse(fallback.protocol());
        return Peer.destination(protocol, new InetSocketAddress(ip.get(), uri.portOrDefault()));
      }
    }
    return fallback;
  }
}
