package io.tandem.call;

import io.tandem.routing.Destination;
import io.tandem.routing.RoutingDecision;
import io.tandem.routing.TransferPolicy;
import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.codec.SipParser;
import io.tandem.sip.codec.SipRenderer;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.SipUri;
import io.tandem.sip.message.Uri;
import io.tandem.transaction.ServerTransaction;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transport.Peer;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An answered {@link Call} as its {@link CallState}, kept by the {@link CallStore} before leg A
 * gets its 2xx, and the call made again from that state on another node (DESIGN section 11).
 *
 * <pre>
 *   leg B Answered --stateOf--> store.save --(kept, or the store's timeout)--> Saved --> leg A: 2xx
 *   another node: a message for a call it does not hold --store.find--> Call.restore(state):
 *       UasLeg and UacLeg with their dialogs, max-duration and session timers armed again;
 *       answered less than 64*T1 ago: leg A's 2xx again (as kept) until the caller's ACK
 * </pre>
 *
 * <p>A ringing call is kept before each leg-B INVITE goes: brought back, leg A's INVITE has
 * a server transaction here again ({@link io.tandem.transaction.ClientTransactions#adoptInvite})
 * and leg B waits for the carrier's answer, which reaches this node as a stray response.
 */
final class Recovery {
  private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

  private Recovery() {}

  /** The call's state is kept (or the store gave up): leg A's 2xx may go. */
  record Saved(Leg.Respond respond) implements Call.Command {}

  /** The ringing call's state is kept (or the store gave up): {@code attempt}'s INVITE may go. */
  record Invite(Attempt attempt, SipRequest invite) implements Call.Command {}

  /**
   * The call as it is when {@code attempt} answered with {@code answered}, before leg A's 2xx:
   * leg A's dialog is the one its {@link UasLeg} makes from the same INVITE and tag.
   */
  static CallState stateOf(Call call, Attempt attempt, Leg.Answered answered, long nowMs) {
    SipRequest invite = call.aInvite;
    Dialog a = Dialog.asUas(invite, call.aTag, call.aSource);
    a.sessionTimer = SessionTimer.asUas(invite, call.context.settings().sessionTimer());
    // Leg A's 2xx as its UasLeg makes it from the same INVITE, tag, source and leg-B answer.
    SipResponse ok = SessionTimers.withSession(a,
        call.messages.relayToA(invite, call.aTag, answered.ok(), call.aSource.protocol()));
    a.noteSent(answered.ok()); // the 2xx to leg A carries leg B's answer
    long maxMs = call.context.settings().maxDuration().toMillis();
    Destination d = attempt.destination;
    return new CallState(call.key, call.aCallId, call.aReliable, call.aOffered,
        render(LegMessages.routingView(invite)),
        call.routeName, call.transferPolicy.name(), call.a.party, a.state(invite.cseq().sequence()),
        attempt.number, d.carrier(), d.transport(), d.address(), d.target() == null ? null : d.target().toString(),
        attempt.to, answered.state(),
        call.startedAt, nowMs, maxMs == 0 ? 0 : nowMs + maxMs,
        call.aSource.toString(), LegMessages.userOf(invite.from().uri()), LegMessages.dialledUser(invite),
        attempt.fromUser, attempt.toUser, call.aTag, null,
        new CallState.Answer(render(ok), call.aSource.protocol(), call.aSource.remote()));
  }

  /**
   * The call as it is before {@code attempt}'s INVITE {@code bInvite} goes to its carrier: no
   * dialog yet, both INVITEs whole, the hunt at {@code huntNext}.
   */
  static CallState ringingStateOf(Call call, Attempt attempt, SipRequest bInvite, int huntNext) {
    SipRequest invite = call.aInvite;
    Destination d = attempt.destination;
    return new CallState(call.key, call.aCallId, call.aReliable, call.aOffered, render(invite),
        call.routeName, call.transferPolicy.name(), call.a.party, null,
        attempt.number, d.carrier(), d.transport(), d.address(), d.target() == null ? null : d.target().toString(),
        attempt.to, null,
        call.startedAt, 0, 0,
        call.aSource.toString(), LegMessages.userOf(invite.from().uri()), LegMessages.dialledUser(invite),
        attempt.fromUser, attempt.toUser, call.aTag,
        new CallState.Ringing(render(bInvite), call.aSource.protocol(), call.aSource.remote(), huntNext), null);
  }

  private static String render(SipMessage message) {
    // One char per octet: a body in any encoding (ISUP, binary multipart) comes back as it was.
    return new String(SipRenderer.renderBytes(message), java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /**
   * Leg A's 2xx as the state kept it, if the call was answered less than 64*T1 ago: the caller
   * may not have had it, and would wait for it in vain (having had a provisional, it sends its
   * INVITE no more). A caller that had it ACKs it again (RFC 3261 section 13.2.2.4).
   */
  static Optional<SipResponse> okAgain(CallState state, Duration sixtyFourT1, long nowMs) {
    if (state.answer() == null || nowMs - state.answeredAtMs() >= sixtyFourT1.toMillis()) {
      return Optional.empty();
    }
    return parseMessage(state.answer().ok())
        .filter(m -> m instanceof SipResponse r && r.statusCode() / 100 == 2).map(SipResponse.class::cast);
  }

  /** A request the state keeps, rendered; empty if it does not parse here. */
  static Optional<SipRequest> parse(String rendered) {
    return parseMessage(rendered).filter(SipRequest.class::isInstance).map(SipRequest.class::cast);
  }

  /** A message the state keeps, rendered ({@link #render}); empty if it does not parse here. */
  private static Optional<SipMessage> parseMessage(String rendered) {
    ParseResult parsed = new SipParser(ParserLimits.DEFAULTS)
        .parseDatagram(rendered.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    return parsed instanceof ParseResult.Parsed p ? Optional.of(p.message()) : Optional.empty();
  }

  /** Leg A's INVITE as routing reads it (whole, while ringing), from the state; empty if it does not parse here. */
  static Optional<SipRequest> routingView(CallState state) {
    return parse(state.aRouting());
  }

  /** The carrier the answered attempt went to, as routing gave it (without its credentials). */
  static Destination destinationOf(CallState state) {
    SipUri target = null;
    if (state.carrierTarget() != null && Uri.parse(state.carrierTarget()) instanceof SipUri sip) {
      target = sip;
    }
    return new Destination(state.carrier(), state.carrierTransport(), state.carrierAddress(), target, null);
  }

  // ---- kept before the call moves on ------------------------------------------------------

  /** {@code attempt}'s INVITE goes once the ringing call's state is kept ({@link Invite}). */
  static void keepThenInvite(Call call, Attempt attempt, SipRequest invite) {
    call.saved = true;
    call.ctx.pipeToSelf(call.context.store().save(ringingStateOf(call, attempt, invite, call.hunting.position())),
        (kept, error) -> new Invite(attempt, invite));
  }

  /** The ringing state is kept: the INVITE goes, unless the call ended (CANCEL) meanwhile. */
  static Behavior<Call.Command> onKept(Call call, Invite kept) {
    if (!call.ended && call.hunting.current() == kept.attempt()) {
      call.sendInvite(kept.attempt(), kept.invite());
      return call;
    }
    call.releaseCarrier(kept.attempt());
    return call.ended && call.live.isEmpty() ? call.over() : call;
  }

  /** Leg A's 2xx goes once the answered call's {@code state} is kept ({@link Saved}). */
  static void keepThenAnswer(Call call, Leg.Respond respond, CallState state) {
    call.saved = true;
    call.ctx.pipeToSelf(call.context.store().save(state), (kept, error) -> new Saved(respond));
  }

  // ---- brought back on this node -------------------------------------------------------------

  /** Both legs of an answered call as the state has them, the max-duration timer from its instant. */
  static Behavior<Call.Command> answered(Call call, CallState state) {
    Attempt attempt = attemptOf(call, state);
    attempt.observedEnd = true;
    call.hunting.restored(attempt);
    call.a = new Side(Leg.LEG_A, state.aParty(), null, null);
    call.b = new Side(attempt.number, state.bParty(), state.carrier(), null);
    call.aFinal = true;
    call.answeredAt = state.answeredAtMs();
    CallContext context = call.context;
    long now = System.currentTimeMillis();
    Duration sixtyFourT1 = context.timers().sixtyFourT1();
    Optional<SipResponse> again = okAgain(state, sixtyFourT1, now);
    if (again.isPresent()) {
      ServerTransaction tx = context.transactions().adoptInvite(call.aInvite,
          Peer.destination(state.answer().aProtocol(), state.answer().aSource()));
      Duration ackLeft = sixtyFourT1.minusMillis(now - state.answeredAtMs());
      call.spawn(Leg.LEG_A, UasLeg.restoreAnswering(state.a(), again.get(), tx, ackLeft, call.key, context,
          call.ctx.getSelf()));
    } else {
      call.spawn(Leg.LEG_A, UasLeg.restore(state.a(), call.key, context, call.ctx.getSelf()));
    }
    call.spawn(attempt.number, UacLeg.restore(attempt.number, state.b(), attempt.destination, call.key, context,
        call.ctx.getSelf()));
    call.a.view = Dialog.restore(state.a(), context.settings().sessionTimer()).view();
    call.b.view = Dialog.restore(state.b(), context.settings().sessionTimer()).view();
    if (state.endsAtMs() > 0) {
      long left = Math.max(0, state.endsAtMs() - System.currentTimeMillis());
      call.timers.startSingleTimer(Call.DURATION_TIMER, Call.MaxDuration.INSTANCE, Duration.ofMillis(left));
    }
    LOG.info("call {}: brought back on this node (answered by {})", call.key, state.carrier());
    return call;
  }

  /**
   * A ringing call as the state has it: leg A's INVITE in a server transaction of this node's
   * again, leg B waiting for its carrier's answer, the hunt where it was (routed again).
   */
  static Behavior<Call.Command> ringing(Call call, CallState state) {
    Optional<SipRequest> bInvite = parse(state.ringing().bInvite());
    if (bInvite.isEmpty()) {
      LOG.warn("call {}: kept ringing by another node, but its leg-B INVITE does not parse here", call.key);
      call.context.store().remove(call.key);
      return Behaviors.stopped();
    }
    Attempt attempt = attemptOf(call, state);
    attempt.provisional = true; // it rang, most likely (the admin API says so; its leg waits for one again)
    SipRequest aInvite = call.aInvite;
    call.a = new Side(Leg.LEG_A, state.aParty(), null, Sdp.of(aInvite));
    RoutingDecision decision = call.context.routing().route(aInvite);
    call.hunting.restoredRinging(attempt, decision instanceof RoutingDecision.Route r ? r : null,
        state.ringing().huntNext());
    ServerTransaction tx = call.context.transactions().adoptInvite(aInvite, call.aSource);
    call.spawn(Leg.LEG_A, UasLeg.create(new TransactionEvent.RequestReceived(tx.key(), aInvite, call.aSource, tx),
        call.aTag, call.key, call.context, call.ctx.getSelf()));
    call.spawn(attempt.number, UacLeg.adopt(attempt.number, bInvite.get(), attempt.destination, call.key,
        call.context, call.ctx.getSelf()));
    LOG.info("call {}: brought back on this node, ringing at {}", call.key, state.carrier());
    return call;
  }

  /**
   * The attempt the state names (it answered, or rings), counted on its carrier again; the
   * call is this node's now, and kept as such (brought back elsewhere should this node go too).
   */
  private static Attempt attemptOf(Call call, CallState state) {
    call.context.store().adopted(state.cseqMovedOn(Dialog.RESTORED_CSEQ_STEP));
    call.observing.observe(new CallObserver.Restored(call.key, state));
    call.transferPolicy = TransferPolicy.valueOf(state.transferPolicy());
    call.routeName = state.route();
    call.saved = true;
    Attempt attempt = new Attempt(state.legB(), destinationOf(state), state.bParty(), false);
    attempt.fromUser = state.bFromUser();
    attempt.toUser = state.bToUser();
    attempt.holdsCarrier = true;
    call.context.limits().acquireRecoveredCarrier(state.carrier());
    call.attempts.put(attempt.number, attempt);
    call.lastLeg = attempt.number;
    return attempt;
  }
}
