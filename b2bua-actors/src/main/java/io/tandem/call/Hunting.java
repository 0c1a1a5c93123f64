package io.tandem.call;

import io.tandem.routing.Destination;
import io.tandem.routing.HuntPolicy;
import io.tandem.routing.RoutingDecision;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hunt of one {@link Call} (DESIGN section 5): a leg-B attempt toward each destination of
 * the route in turn, until one answers; what each attempt's provisionals and finals do to leg
 * A; the route's timers. It runs in its call's actor.
 *
 * <pre>
 *   next destination (carrier under its limits) --> UacLeg, provisional-timeout runs
 *   Progressed  --> leg A gets it (reliably if both legs do 100rel); 18x: ring-timeout runs
 *   Answered    --> leg A gets the 2xx: the pairing is made (another 2xx is hung up)
 *   Refused     --> hunt-on: next destination; 3xx: its Contacts next; else leg A gets it
 *   no provisional in time, rang too long --> abandoned (or cancelled), next destination
 *   none left   --> leg A gets the best final (RFC 3261 section 16.7)
 * </pre>
 */
final class Hunting {
  private static final Logger LOG = LoggerFactory.getLogger(Hunting.class);

  private record ProvisionalTimeout(int leg) implements Call.Command {}

  private record RingTimeout(int leg) implements Call.Command {}

  private static final String PROVISIONAL_TIMER = "provisional";
  private static final String RING_TIMER = "ring";

  private final Call call;
  private Hunt hunt;
  private Attempt current;
  private Attempt answered;

  Hunting(Call call) {
    this.call = call;
  }

  void start(RoutingDecision.Route route) {
    hunt = new Hunt(route, LegMessages.dialledUser(call.aInvite));
    next();
  }

  Attempt current() {
    return current;
  }

  Attempt answered() {
    return answered;
  }

  /** A call brought back on another node ({@link Recovery}): {@code attempt} answered it. */
  void restored(Attempt attempt) {
    current = attempt;
    answered = attempt;
  }

  /**
   * A ringing call brought back on another node: {@code attempt} rings, {@code route} (routed
   * again here; null if routing now refuses the call) hunts on past its first {@code taken}
   * destinations, and the ring timeout runs from now.
   */
  void restoredRinging(Attempt attempt, RoutingDecision.Route route, int taken) {
    current = attempt;
    if (route != null) {
      hunt = new Hunt(route, LegMessages.dialledUser(call.aInvite));
      hunt.skip(taken);
      Duration ring = hunt.policy().ringTimeout();
      if (ring != null) {
        attempt.ringing = true;
        call.timers.startSingleTimer(RING_TIMER, new RingTimeout(attempt.number), ring);
      }
    }
  }

  /** How many of the route's destinations the hunt has taken. */
  int position() {
    return hunt == null ? 0 : hunt.position();
  }

  /** Whether {@code message} is the hunt's: its timers, leg A's cancel, an attempt's outcome. */
  boolean handles(Call.Command message) {
    if (message instanceof ProvisionalTimeout || message instanceof RingTimeout || message instanceof Leg.Cancelled) {
      return true;
    }
    return attemptOf(message) != null;
  }

  void on(Call.Command message) {
    if (message instanceof ProvisionalTimeout t) {
      onProvisionalTimeout(t.leg());
    } else if (message instanceof RingTimeout t) {
      onRingTimeout(t.leg());
    } else if (message instanceof Leg.Cancelled) {
      onCancelled();
    } else if (message instanceof Leg.Progressed p) {
      onProgressed(attemptOf(p), p.provisional(), p.reliable());
    } else if (message instanceof Leg.Answered a) {
      onAnswered(attemptOf(a), a);
    } else if (message instanceof Leg.Refused r) {
      onRefused(attemptOf(r), r);
    } else if (message instanceof Leg.Retried r) {
      Attempt attempt = attemptOf(r);
      attempt.provisional = false;
      attempt.ringing = false;
      if (attempt == current) {
        call.timers.startSingleTimer(PROVISIONAL_TIMER, new ProvisionalTimeout(attempt.number), provisionalTimeout());
      }
    }
  }

  /** The hunt's attempt an event of a leg is about, or null (not a leg's, or a transfer's). */
  private Attempt attemptOf(Call.Command message) {
    int leg = message instanceof Leg.Progressed p ? p.leg()
        : message instanceof Leg.Answered a ? a.leg()
        : message instanceof Leg.Refused r ? r.leg()
        : message instanceof Leg.Retried r ? r.leg()
        : -1;
    Attempt attempt = call.attempts.get(leg);
    return attempt == null || attempt.transfer ? null : attempt;
  }

  private void next() {
    if (hunt == null) { // a ringing call brought back that routing refuses now: no more destinations
      current = null;
      call.observing.ended(503, CallObserver.Party.TANDEM, "no-destination-answered");
      finishA(null, 503);
      return;
    }
    for (Optional<Hunt.Target> next = hunt.next(); next.isPresent(); next = hunt.next()) {
      Hunt.Target target = next.get();
      Destination d = target.destination();
      if (!call.context.limits().tryAcquireCarrier(d.carrier())) {
        LOG.info("call {}: carrier {} is at its call limit, skipped", call.key, d.carrier());
        hunt.failed(503);
        continue;
      }
      int number = call.nextLeg();
      SipRequest invite = call.messages.legBInvite(call.aInvite, d, target.user(), number, call.messages.newTag(),
          target.rewrite());
      Attempt attempt = new Attempt(number, d, call.aInvite.headers().first(HeaderName.TO).orElseThrow(), false);
      attempt.holdsCarrier = true;
      current = attempt;
      attempt.fromUser = LegMessages.userOf(invite.from().uri());
      attempt.toUser = target.user();
      call.observing.observe(new CallObserver.AttemptStarted(call.key, number, d.carrier(), invite.callId(),
          attempt.fromUser, attempt.toUser));
      call.timers.startSingleTimer(PROVISIONAL_TIMER, new ProvisionalTimeout(number), provisionalTimeout());
      LOG.debug("call {}: attempt {} to {} ({})", call.key, number, d.carrier(), d.address());
      call.startLeg(attempt, invite);
      return;
    }
    current = null;
    int best = hunt.best();
    LOG.info("call {}: no destination answered ({}), leg A gets {}", call.key, hunt.finals(), best);
    int relayed = hunt.policy().relayed(best);
    call.observing.ended(relayed, CallObserver.Party.CALLEE, "no-destination-answered");
    finishA(null, relayed);
  }

  private void finishA(SipResponse fromB, int status) {
    call.aFinal = true;
    call.ended = true;
    call.tell(Leg.LEG_A, new Leg.Respond(fromB, status, null));
  }

  private void onProgressed(Attempt attempt, SipResponse response, boolean reliable) {
    int status = response.statusCode();
    if (!attempt.provisional) {
      attempt.provisional = true;
      if (attempt == current) {
        call.timers.cancel(PROVISIONAL_TIMER);
      }
    }
    Duration ring = hunt == null ? null : hunt.policy().ringTimeout();
    if (ring != null && attempt == current && !call.aFinal && status >= 180 && !attempt.ringing) {
      attempt.ringing = true;
      call.timers.startSingleTimer(RING_TIMER, new RingTimeout(attempt.number), ring);
    }
    long rseq = reliable ? response.header(SipHeaders.RSEQ).value() : 0;
    if (attempt == current && !call.aFinal && status > 100) {
      call.observing.ringing(status);
      Leg.PrackOf of = reliable && call.aReliable ? new Leg.PrackOf(attempt.number, rseq, response.cseq().sequence()) : null;
      call.tell(Leg.LEG_A, new Leg.Respond(response, status, of));
      if (of != null) {
        return; // leg A's PRACK will cross
      }
    }
    if (reliable) {
      // Leg A cannot PRACK (or will not hear of it): Tandem acknowledges leg B itself.
      call.tell(attempt.number, new Leg.Prack(rseq, response.cseq().sequence(), null, 0));
    }
  }

  private void onAnswered(Attempt attempt, Leg.Answered a) {
    if (answered != null || attempt != current || call.aFinal) {
      // A second fork, an abandoned attempt, or a 2xx that raced leg A's CANCEL: nobody wants
      // this call leg; its leg hangs it up, leg A is never answered twice.
      call.tell(attempt.number, new Leg.HangUp());
      return;
    }
    call.timers.cancel(PROVISIONAL_TIMER);
    call.timers.cancel(RING_TIMER);
    answered = attempt;
    call.observing.attemptEnded(attempt, a.ok().statusCode(), null);
    Side side = new Side(attempt.number, attempt.to, attempt.destination.carrier(), Sdp.of(a.ok()));
    side.view = a.dialog();
    CallState state = call.context.store().replicates() && a.state() != null
        ? Recovery.stateOf(call, attempt, a, System.currentTimeMillis()) : null;
    call.answered(side);
    call.answerA(new Leg.Respond(a.ok(), a.ok().statusCode(), null), state);
    LOG.debug("call {}: answered by {}", call.key, attempt.destination.carrier());
    call.observing.observe(new CallObserver.Answered(call.key, attempt.destination.carrier()));
  }

  private void onRefused(Attempt attempt, Leg.Refused r) {
    int status = r.status();
    call.releaseCarrier(attempt);
    call.observing.attemptEnded(attempt, status, r.failure());
    if (attempt != current || call.aFinal) {
      return; // an abandoned attempt, or leg A has its final (CANCEL)
    }
    call.timers.cancel(PROVISIONAL_TIMER);
    call.timers.cancel(RING_TIMER);
    if (hunt == null) { // brought back ringing, and routing refuses the call now: nothing to hunt on to
      call.observing.ended(status, CallObserver.Party.CALLEE, "rejected");
      finishA(r.response(), status);
      return;
    }
    if (r.failure() != null) {
      hunt.failed(status); // Timer B counts as 408, a transport error as 503 (16.7, 16.9)
      next();
      return;
    }
    HuntPolicy.Outcome outcome = CarrierAuth.isChallenge(status) ? hunt.onChallengeNotAnswered() : hunt.onFinal(status);
    if (outcome == HuntPolicy.Outcome.HUNT) {
      LOG.info("call {}: {} from {}, hunting", call.key, status, attempt.destination.carrier());
      next();
    } else if (outcome == HuntPolicy.Outcome.REDIRECT
        && hunt.redirect(r.response(), attempt.destination, LegMessages.dialledUser(call.aInvite),
            call.context.routing(), call.aInvite)) {
      next();
    } else {
      int relayed = hunt.policy().relayed(status);
      LOG.info("call {}: {} from {}, relayed{}", call.key, status, attempt.destination.carrier(),
          relayed == status ? "" : " as " + relayed);
      call.observing.ended(relayed, CallObserver.Party.CALLEE, "rejected");
      finishA(r.response(), relayed);
    }
  }

  /** The route's provisional timeout, else the call layer's. */
  private Duration provisionalTimeout() {
    Duration perRoute = hunt == null ? null : hunt.policy().provisionalTimeout();
    return perRoute != null ? perRoute : call.context.settings().provisionalTimeout();
  }

  private void onProvisionalTimeout(int leg) {
    if (hunt != null && current != null && current.number == leg && !current.provisional && !call.aFinal) {
      // Nothing at all from this carrier: it may still answer later (then it is ACKed and
      // BYEd), but the call moves on. No CANCEL before a provisional (section 9.1).
      LOG.info("call {}: no provisional from {} within {}, hunting",
          call.key, current.destination.carrier(), provisionalTimeout());
      call.releaseCarrier(current);
      call.observing.attemptEnded(current, 408, "no-provisional");
      call.tell(leg, new Leg.Abandon());
      hunt.failed(408);
      next();
    }
  }

  /**
   * The current destination rang for the route's ring-timeout without answering: it is
   * cancelled (a 2xx that crosses the CANCEL is ACKed and hung up) and the next one is tried.
   */
  private void onRingTimeout(int leg) {
    if (hunt != null && current != null && current.number == leg && !call.aFinal && answered == null) {
      LOG.info("call {}: {} rang for {} without answering, hunting", call.key,
          current.destination.carrier(), hunt.policy().ringTimeout());
      call.tell(leg, new Leg.Cancel());
      call.releaseCarrier(current);
      hunt.failed(408);
      next();
    }
  }

  /** Section 9.2: leg A cancelled before its final (it answered 487 itself); leg B is cancelled. */
  void onCancelled() {
    if (call.aFinal) {
      if (call.b != null && !call.ended) {
        call.end(487, CallObserver.Party.CALLER, "cancel"); // the CANCEL crossed leg A's 2xx
      }
      return;
    }
    call.observing.ended(487, CallObserver.Party.CALLER, "cancel");
    call.aFinal = true;
    call.ended = true;
    call.timers.cancel(PROVISIONAL_TIMER);
    call.timers.cancel(RING_TIMER);
    if (current != null) {
      call.tell(current.number, new Leg.Cancel());
    }
  }
}
