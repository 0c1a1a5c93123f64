package io.tandem.call;

import io.tandem.routing.Destination;
import io.tandem.routing.HuntPolicy;
import io.tandem.routing.RoutingDecision;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.NameAddr;
import io.tandem.sip.message.Parameters;
import io.tandem.sip.message.Replaces;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.SipUri;
import io.tandem.sip.message.TelUri;
import io.tandem.sip.message.Uri;
import io.tandem.sip.syntax.Text;
import io.tandem.transaction.Responses;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transfers a {@link Call} carries out for a REFER (RFC 3515, 3891, 3892, 4488) on an
 * answered call: who asked (the referrer's leg), who moves (the transferee, the other leg),
 * where to, and how far it got. It runs in its call's actor; the call keeps the last transfer.
 *
 * <pre>
 *   referrer      Tandem                         transferee        target
 *   REFER  ---->  202, NOTIFY 100
 *                 blind: route Refer-To            INVITE (transferee's SDP) ---->
 *                 attended: the far leg of the     <---------------------- 200 (SDP)
 *                   call Replaces names            ACK ------------------------->
 *   <---- NOTIFY 200                     re-INVITE (target's SDP) -->
 *   ---- 200 ---->, <---- BYE
 *                                        <-- 200, ACK
 * </pre>
 */
final class Transferring {
  private static final Logger LOG = LoggerFactory.getLogger(Transferring.class);

  private record TransferTimeout(int leg) implements Call.Command {}

  private static final String TRANSFER_TIMER = "transfer-provisional";

  private final Call call;
  private int refers;
  private Transfer transfer;

  Transferring(Call call) {
    this.call = call;
  }

  /** Whether {@code message} is a transfer's: its timer, an answer to its requests, its target's legs. */
  boolean handles(Call.Command message) {
    if (message instanceof TransferTimeout) {
      return true;
    }
    if (message instanceof Leg.RelayAnswered r) {
      return transfer != null && (r.relayId() == transfer.repair || r.relayId() == transfer.finalNotify);
    }
    int leg = message instanceof Leg.Progressed p ? p.leg()
        : message instanceof Leg.Answered a ? a.leg()
        : message instanceof Leg.Refused r ? r.leg()
        : message instanceof Leg.Retried r ? r.leg()
        : -1;
    Attempt attempt = call.attempts.get(leg);
    return attempt != null && attempt.transfer;
  }

  void on(Call.Command message) {
    if (message instanceof TransferTimeout t) {
      onTimeout(t.leg());
    } else if (message instanceof Leg.RelayAnswered r) {
      onRelayAnswered(r);
    } else if (message instanceof Leg.Progressed p) {
      Attempt attempt = call.attempts.get(p.leg());
      if (!attempt.provisional && attempt == transfer.current) {
        call.timers.cancel(TRANSFER_TIMER);
      }
      attempt.provisional = true;
      if (p.reliable()) {
        call.tell(p.leg(), new Leg.Prack(p.provisional().header(SipHeaders.RSEQ).value(),
            p.provisional().cseq().sequence(), null, 0));
      }
    } else if (message instanceof Leg.Retried r && call.attempts.get(r.leg()) == transfer.current) {
      call.timers.startSingleTimer(TRANSFER_TIMER, new TransferTimeout(r.leg()), call.context.settings().provisionalTimeout());
    } else if (message instanceof Leg.Answered a) {
      onAnswered(call.attempts.get(a.leg()), a);
    } else if (message instanceof Leg.Refused r) {
      onRefused(call.attempts.get(r.leg()), r);
    }
  }

  /** The referrer's BYE while its transfer runs: RFC 5589 section 6, the transferee stays. */
  boolean referrerLeft(int leg) {
    if (transfer == null || transfer.over || leg != transfer.referrer.leg) {
      return false;
    }
    LOG.info("call {}: the referrer hung up, the transfer goes on", call.key);
    transfer.referrerGone = true;
    return true;
  }

  /** Whether leg {@code leg} is a referrer that has hung up already. */
  boolean gone(int leg) {
    return transfer != null && transfer.referrerGone && leg == transfer.referrer.leg;
  }

  /**
   * A REFER from {@code referrer} that Tandem carries out: 202 (with Refer-Sub: false when no
   * subscription was asked for), NOTIFY 100 Trying, then the new leg: routed like a call for a
   * blind transfer, toward the far leg of the dialog its Replaces names for an attended one.
   */
  void onRefer(Leg.RequestReceived r, Side referrer, Side transferee) {
    SipRequest refer = r.request();
    if (transfer != null && !transfer.over) {
      reply(r, Responses.withToTag(refer, 491));
      return;
    }
    Optional<NameAddr> referTo = refer.header(SipHeaders.REFER_TO).toOptional();
    if (referTo.isEmpty()) {
      reply(r, Responses.builder(refer, 400).status(400, "Missing or invalid Refer-To").build());
      return;
    }
    Uri target = referTo.get().uri();
    Optional<Replaces> replaces = Optional.empty();
    if (target instanceof SipUri sip) {
      Optional<String> raw = sip.headers().get("Replaces");
      if (raw.isPresent()) {
        replaces = readReplaces(raw.get());
        if (replaces.isEmpty()) {
          reply(r, Responses.builder(refer, 400).status(400, "Invalid Replaces in Refer-To").build());
          return;
        }
      }
    } else if (!(target instanceof TelUri)) {
      reply(r, Responses.withToTag(refer, 416));
      return;
    }
    boolean notifies = !refer.headers().first(HeaderName.REFER_SUB).map(v -> v.trim().equalsIgnoreCase("false")).orElse(false);
    SipResponse.Builder accepted = Responses.builder(refer, 202);
    if (!notifies) {
      accepted.header(HeaderName.REFER_SUB, "false"); // RFC 4488 section 4: no subscription made
    }
    reply(r, accepted.build());
    refers++;
    transfer = new Transfer(referrer, transferee, refer, refers == 1 ? 0 : refer.cseq().sequence(), notifies, target,
        replaces.orElse(null));
    LOG.info("call {}: REFER to {}{}", call.key, target, replaces.isPresent() ? " (attended)" : "");
    call.observing.observe(new CallObserver.ReferReceived(call.key, target.toString(), replaces.isPresent()));
    notifyReferrer(100, "active;expires=" + call.context.settings().referSubscription().toSeconds());
    if (replaces.isPresent()) {
      call.context.manager().tell(new CallManager.FindDialog(replaces.get(), call.ctx.getSelf()));
    } else {
      route();
    }
  }

  private void reply(Leg.RequestReceived r, SipResponse response) {
    call.tell(r.leg(), new Leg.Reply(r.txId(), response));
  }

  private static Optional<Replaces> readReplaces(String uriHeaderValue) {
    try {
      return Optional.of(SipHeaders.REPLACES.parse(Text.unescape(uriHeaderValue)).get(0));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** A blind transfer (or one whose Replaces names no call of Tandem's): the route of its target. */
  private void route() {
    Uri target = transfer.target instanceof SipUri sip ? sip.withoutParamsAndHeaders() : transfer.target;
    RoutingDecision decision = call.context.routing().route(call.aInvite.toBuilder().requestUri(target).build());
    if (decision instanceof RoutingDecision.Reject reject) {
      failed(reject.status());
      return;
    }
    transfer.hunt = new Hunt((RoutingDecision.Route) decision, LegMessages.userOf(target));
    next();
  }

  private void next() {
    for (Optional<Hunt.Target> next = transfer.hunt.next(); next.isPresent(); next = transfer.hunt.next()) {
      Destination d = next.get().destination();
      if (!call.context.limits().tryAcquireCarrier(d.carrier())) {
        transfer.hunt.failed(503);
        continue;
      }
      int number = call.nextLeg();
      SipUri uri = d.requestUri(next.get().user());
      NameAddr to = NameAddr.of(uri.withoutParam("transport"));
      SipRequest invite = call.messages.toward(d.address().getAddress()).transferInvite(uri, to, NameAddr.parse(transfer.transferee.party), d.transport(), number,
          call.messages.newTag(), transfer.refer, transfer.transferee.sdp, transfer.replaces);
      start(new Attempt(number, d, to.toString(), true), invite, true);
      return;
    }
    failed(transfer.hunt.best());
  }

  private void start(Attempt attempt, SipRequest invite, boolean holdsCarrier) {
    attempt.holdsCarrier = holdsCarrier;
    transfer.current = attempt;
    call.timers.startSingleTimer(TRANSFER_TIMER, new TransferTimeout(attempt.number),
        call.context.settings().provisionalTimeout());
    LOG.debug("call {}: transfer attempt {} to {} ({})", call.key, attempt.number,
        attempt.destination.carrier(), attempt.destination.address());
    call.startLeg(attempt, invite);
  }

  /** Another call asks which leg is across from the dialog {@code replaces} names. */
  void onDescribeDialog(Call.DescribeDialog question) {
    Optional<Call.FarLeg> far = Optional.empty();
    boolean busy = call.ended || (transfer != null && !transfer.over);
    for (Side side : new Side[] {call.a, call.b}) {
      Side across = side == call.a ? call.b : call.a;
      if (!busy && side != null && side.view != null && across != null && across.view != null
          && isNamedBy(side.view, question.replaces())) {
        Leg.DialogView v = across.view;
        String carrier = across.carrier != null ? across.carrier : "call " + call.key;
        far = Optional.of(new Call.FarLeg(v.callId(), v.localTag(), NameAddr.parse(v.remote()), Uri.parse(v.remoteTarget()),
            v.destination(), carrier));
      }
    }
    question.replyTo().tell(new Call.ReplacedDialog(question.replaces(), far));
  }

  /** RFC 3891 section 3: the to-tag is the local tag of whoever receives the Replaces. */
  private static boolean isNamedBy(Leg.DialogView dialog, Replaces replaces) {
    return dialog.callId().equals(replaces.callId())
        && dialog.localTag().equals(replaces.toTag())
        && dialog.remoteTag().equals(replaces.fromTag());
  }

  /**
   * The far leg of the dialog an attended transfer's Replaces names: when it is another call's,
   * its peer gets an INVITE whose Replaces names the dialog that peer has with Tandem, so it
   * hangs that one up itself; else the Replaces goes to the routed target as written.
   */
  void onReplacedDialog(Call.ReplacedDialog answer) {
    if (transfer == null || transfer.over || transfer.replaces != answer.replaces()) {
      return;
    }
    if (answer.far().isEmpty()) {
      route();
      return;
    }
    Call.FarLeg far = answer.far().get();
    Replaces theirs = new Replaces(far.callId(),
        Parameters.EMPTY.with("to-tag", far.remote().tag().orElse("")).with("from-tag", far.localTag()));
    Destination d = new Destination(far.carrier(), far.destination().protocol(), far.destination().remote());
    int number = call.nextLeg();
    NameAddr to = far.remote().withoutParam("tag");
    SipRequest invite = call.messages.toward(d.address().getAddress()).transferInvite(far.target(), to, NameAddr.parse(transfer.transferee.party), d.transport(), number,
        call.messages.newTag(), transfer.refer, transfer.transferee.sdp, theirs);
    start(new Attempt(number, d, to.toString(), true), invite, false);
  }

  private void onTimeout(int leg) {
    Attempt attempt = transfer == null ? null : transfer.current;
    if (attempt != null && attempt.number == leg && !attempt.provisional && !transfer.over) {
      LOG.info("call {}: no provisional from transfer target {} within {}", call.key,
          attempt.destination.carrier(), call.context.settings().provisionalTimeout());
      call.releaseCarrier(attempt);
      call.tell(leg, new Leg.Abandon());
      moveOn(408);
    }
  }

  private void onRefused(Attempt attempt, Leg.Refused r) {
    call.releaseCarrier(attempt);
    if (attempt != transfer.current || transfer.over) {
      return;
    }
    call.timers.cancel(TRANSFER_TIMER);
    if (r.failure() != null) {
      moveOn(r.status());
      return;
    }
    HuntPolicy.Outcome outcome = transfer.hunt == null ? HuntPolicy.Outcome.STOP : transfer.hunt.onFinal(r.status());
    if (outcome == HuntPolicy.Outcome.HUNT || (outcome == HuntPolicy.Outcome.REDIRECT
        && transfer.hunt.redirect(r.response(), attempt.destination, LegMessages.userOf(transfer.target),
            call.context.routing(), call.aInvite.toBuilder().requestUri(transfer.target).build()))) {
      next();
    } else {
      failed(r.status());
    }
  }

  /** A timeout (408) or transport failure (503): the next destination, or the transfer fails. */
  private void moveOn(int status) {
    if (transfer.hunt != null) {
      transfer.hunt.failed(status);
      next();
    } else {
      failed(status);
    }
  }

  /**
   * The target answered (its leg ACKed the 2xx, which answered the transferee's SDP): NOTIFY
   * 200 to the referrer and BYE it, then re-INVITE the transferee with the target's SDP. The
   * new leg takes the referrer's place in the call.
   */
  private void onAnswered(Attempt attempt, Leg.Answered a) {
    if (attempt != transfer.current || transfer.over || call.ended) {
      call.tell(attempt.number, new Leg.HangUp());
      return;
    }
    if (call.context.store().replicates()) {
      call.tell(attempt.number, new Leg.Kept()); // a transferred call is not kept: its ACK goes at once
    }
    call.timers.cancel(TRANSFER_TIMER);
    transfer.over = true;
    transfer.answered = attempt;
    call.observing.observe(new CallObserver.TransferEnded(call.key, true, a.ok().statusCode()));
    LOG.info("call {}: transfer answered by {}, the call continues with the new leg", call.key,
        attempt.destination.carrier());
    notifyReferrer(200, "terminated;reason=noresource");
    Side joined = new Side(attempt.number, attempt.to, attempt.destination.carrier(), Sdp.of(a.ok()));
    joined.view = a.dialog();
    call.released.add(transfer.referrer.leg);
    if (transfer.finalNotify == 0) {
      releaseReferrer(); // no NOTIFY to wait for (Refer-Sub: false)
    }
    call.replace(transfer.referrer, joined);
    transfer.repair = call.nextRelay();
    call.tell(transfer.transferee.leg, new Leg.Reoffer(transfer.repair, a.ok()));
  }

  private void onRelayAnswered(Leg.RelayAnswered r) {
    int status = r.answer().statusCode();
    if (r.relayId() == transfer.finalNotify) {
      if (status >= 200) {
        transfer.finalNotify = 0;
        if (transfer.answered != null) {
          releaseReferrer();
        }
      }
    } else if (status >= 200 && status < 300) {
      transfer.transferee.sdp = Sdp.latest(transfer.transferee.sdp, r.answer()); // its leg ACKed it
    } else if (status >= 300) {
      // Its media would still flow toward the referrer: a call that cannot be heard ends.
      LOG.warn("call {}: the transferee refused the new session ({}), ending the call", call.key, status);
      call.end(200, CallObserver.Party.TANDEM, "transfer-failed");
    }
  }

  /**
   * The referrer's BYE, once the NOTIFY with the target's 200 has its answer: sent together,
   * the BYE could overtake it over UDP and the referrer would never learn the outcome.
   */
  private void releaseReferrer() {
    if (!transfer.referrerGone && !transfer.referrerReleased) {
      transfer.referrerReleased = true;
      call.tell(transfer.referrer.leg, new Leg.HangUp());
    }
  }

  /** The transfer failed with {@code status}: the referrer hears so, and the call stays as it was. */
  private void failed(int status) {
    transfer.over = true;
    call.timers.cancel(TRANSFER_TIMER);
    LOG.info("call {}: transfer failed with {}, the call stays", call.key, status);
    call.observing.observe(new CallObserver.TransferEnded(call.key, false, status));
    notifyReferrer(status, "terminated;reason=noresource");
    if (transfer.referrerGone) {
      // Nobody is left for the transferee to talk to.
      call.observing.ended(200, transfer.referrer == call.a ? CallObserver.Party.CALLER : CallObserver.Party.CALLEE, "bye");
      call.hangUp(transfer.referrer.leg);
    }
  }

  /** The call ends during a transfer: its pending INVITE is cancelled (or hung up when answered). */
  void abandon() {
    if (transfer == null || transfer.over) {
      return;
    }
    transfer.over = true;
    call.timers.cancel(TRANSFER_TIMER);
    if (transfer.current != null) {
      call.tell(transfer.current.number, new Leg.Cancel());
    }
  }

  private void notifyReferrer(int status, String state) {
    if (transfer.notifies && !transfer.referrerGone) {
      int relayId = call.nextRelay();
      if (state.startsWith("terminated")) {
        transfer.finalNotify = relayId;
      }
      call.tell(transfer.referrer.leg, new Leg.Notify(relayId, transfer.eventId, status, state));
    }
  }
}
