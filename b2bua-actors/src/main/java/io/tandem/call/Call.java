package io.tandem.call;

import io.tandem.routing.Destination;
import io.tandem.routing.HuntPolicy;
import io.tandem.routing.RoutingDecision;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.RAck;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transaction.Responses;
import io.tandem.transaction.ServerTransaction;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionKey;
import io.tandem.transaction.TransactionLayer;
import io.tandem.transport.Peer;
import io.tandem.transport.TransportProtocol;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One call through Tandem: leg A, where Tandem is the UAS of the caller's INVITE, and leg B,
 * where Tandem is the UAC of an INVITE of its own toward each destination the route gives, in
 * turn, until one answers (DESIGN section 5).
 *
 * <pre>
 *   caller          Tandem (leg A | leg B)          carrier 1     carrier 2
 *   INVITE   --->   100
 *                   route: [carrier 1, carrier 2]   INVITE --->
 *                                                   <--- 486      (hunt)
 *                                                                 INVITE --->
 *   180      <---   relayed with Tandem's tag      <------------- 180
 *   200      <---   relayed, retransmitted to A    <------------- 200
 *   ACK      --->   (stops the retransmission)     -------------> ACK
 *   BYE      --->   200 on each leg                -------------> BYE
 * </pre>
 *
 * <p>The actor stops when both legs are over and each of its client transactions has its
 * final response, so a late 2xx from an abandoned or cancelled attempt is still ACKed and
 * ended with BYE (RFC 3261 section 15: a 2xx for a call nobody wants is acknowledged, then
 * hung up), and a call ends, and leaves the call limit, as soon as its BYE is answered. The
 * transactions themselves wait out their RFC timers in the transaction layer.
 */
public final class Call extends AbstractBehavior<Call.Command> {
  /** What a call accepts. */
  public interface Command {}

  /**
   * A transaction event of this call: from the {@link CallManager} for requests either leg
   * sends, or from the call's own client transactions.
   */
  public record Event(TransactionEvent event) implements Command {}

  private record ProvisionalTimeout(int attempt) implements Command {}

  private record Retransmit2xx(Duration interval, Duration elapsed) implements Command {}

  private record RetransmitReliable(long rseq, Duration interval, Duration elapsed) implements Command {}

  /**
   * A reliable provisional relayed to leg A with Tandem's RSeq {@code aRseq}, waiting for its
   * PRACK, and the leg-B provisional it stands for (RFC 3262, per leg: each leg has its own
   * RSeq space, the PRACK crosses with its RAck rewritten).
   */
  private record ReliableProvisional(long aRseq, SipResponse toA, Attempt attempt, long bRseq, long bCseq) {}

  private enum AckTimeout implements Command {
    INSTANCE
  }

  private enum MaxDuration implements Command {
    INSTANCE
  }

  private static final String PROVISIONAL_TIMER = "provisional";
  private static final String RETRANSMIT_TIMER = "2xx";
  private static final String ACK_TIMER = "ack";
  private static final String DURATION_TIMER = "max-duration";
  private static final String RELIABLE_TIMER = "reliable-1xx";

  /** A request of one leg relayed into the other, waiting for the other's answer. */
  private record Relay(SipRequest original, ActorRef<ServerTransaction.Command> origin, boolean fromA, SipRequest sent) {}

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final CallKey key;
  private final CallContext context;
  private final LegMessages messages;
  private final ActorRef<TransactionEvent> events;

  private final SipRequest aInvite;
  private final ActorRef<ServerTransaction.Command> aTransaction;
  private final Peer aSource;
  private final String aTag;

  private Hunt hunt;
  private int attempts;
  private final Map<TransactionKey, Attempt> invites = new HashMap<>();
  private final Map<TransactionKey, Relay> relays = new HashMap<>();
  private Attempt current;
  private Attempt answered;
  /** Created at the first carrier challenge, which most calls never meet. */
  private CarrierAuth carrierAuth;

  private Dialog legA;
  private Dialog legB;
  private SipResponse okToA;
  /** The 2xx to an INVITE retransmitted until its ACK (section 13.3.1.4), and to whom. */
  private SipResponse retransmitted;
  private ActorRef<ServerTransaction.Command> retransmittedTo;
  private boolean lateOffer;
  private boolean acked;
  private Relay awaitingAck;

  private final boolean aReliable;
  private long aRseq;
  private final Map<Long, ReliableProvisional> unacknowledged = new HashMap<>();

  /** Leg A has its final response. */
  private boolean aFinal;
  /** Nothing more is to happen but the end of the call's client transactions. */
  private boolean ended;
  /**
   * The call's client transactions still waiting for their final response. Once one has it,
   * what is left of it (absorbing retransmissions, re-sending an ACK for a non-2xx) is the
   * transaction's own work: the call need not outlive it.
   */
  private final Set<TransactionKey> awaitingFinal = new HashSet<>();

  /** The call that {@code invite}, a new leg-A INVITE, starts. */
  public static Behavior<Command> create(
      CallKey key, TransactionEvent.RequestReceived invite, CallContext context) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new Call(ctx, timers, key, invite, context).start()));
  }

  private Call(ActorContext<Command> ctx, TimerScheduler<Command> timers, CallKey key,
      TransactionEvent.RequestReceived invite, CallContext context) {
    super(ctx);
    this.ctx = ctx;
    this.timers = timers;
    this.key = key;
    this.context = context;
    this.messages = new LegMessages(key, context.settings(), context.local());
    this.events = ctx.messageAdapter(TransactionEvent.class, Event::new);
    this.aInvite = invite.request();
    this.aTransaction = invite.transaction();
    this.aSource = invite.source();
    this.aTag = messages.newTag();
    this.aReliable = LegMessages.offersReliableProvisionals(aInvite);
  }

  private Behavior<Command> start() {
    // The caller hears at once that Tandem has its INVITE, whatever leg B takes.
    aTransaction.tell(new ServerTransaction.Respond(Responses.withToTag(aInvite, 100)));
    if (aInvite.maxForwards().orElse(70) <= 0) {
      return finishA(483); // section 16.3: it would have to be forwarded
    }
    RoutingDecision decision = context.routing().route(aInvite);
    if (decision instanceof RoutingDecision.Reject reject) {
      ctx.getLog().info("call {}: rejected by routing: {} {}", key, reject.status(), reject.reason());
      aFinal = true;
      ended = true;
      aTransaction.tell(new ServerTransaction.Respond(
          SipResponse.builderFor(aInvite, reject.status())
              .status(reject.status(), reject.reason())
              .set(HeaderName.TO, aInvite.to().withTag(aTag))
              .build()));
      return next();
    }
    hunt = new Hunt((RoutingDecision.Route) decision, LegMessages.dialledUser(aInvite));
    nextAttempt();
    return next();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Event.class, e -> onEvent(e.event()))
        .onMessage(ProvisionalTimeout.class, this::onProvisionalTimeout)
        .onMessage(Retransmit2xx.class, this::onRetransmit2xx)
        .onMessage(RetransmitReliable.class, this::onRetransmitReliable)
        .onMessageEquals(AckTimeout.INSTANCE, this::onAckTimeout)
        .onMessageEquals(MaxDuration.INSTANCE, this::onMaxDuration)
        .build();
  }

  private Behavior<Command> onEvent(TransactionEvent event) {
    if (event instanceof TransactionEvent.RequestReceived r) {
      onRequest(r);
    } else if (event instanceof TransactionEvent.CancelReceived) {
      onCancel();
    } else if (event instanceof TransactionEvent.AckReceived a) {
      onAck(a.ack());
    } else if (event instanceof TransactionEvent.ResponseReceived r) {
      onResponse(r.key(), r.response());
      if (r.response().statusCode() >= 200) {
        awaitingFinal.remove(r.key());
      }
    } else if (event instanceof TransactionEvent.StrayResponseReceived s) {
      onStrayResponse(s.response());
    } else if (event instanceof TransactionEvent.TimedOut t) {
      onClientFailure(t.key(), 408);
      awaitingFinal.remove(t.key());
    } else if (event instanceof TransactionEvent.TransportFailed f) {
      onClientFailure(f.key(), 503);
      awaitingFinal.remove(f.key());
    } else if (event instanceof TransactionEvent.Terminated t) {
      awaitingFinal.remove(t.key());
      relays.remove(t.key());
    }
    return next();
  }

  // ---- leg B: hunting through the destinations ------------------------------------------

  private void nextAttempt() {
    for (Optional<Hunt.Target> next = hunt.next(); next.isPresent(); next = hunt.next()) {
      Hunt.Target target = next.get();
      Destination d = target.destination();
      if (!context.limits().tryAcquireCarrier(d.carrier())) {
        ctx.getLog().info("call {}: carrier {} is at its call limit, skipped", key, d.carrier());
        hunt.failed(503);
        continue;
      }
      attempts++;
      SipRequest invite = messages.legBInvite(aInvite, d, target.user(), attempts, messages.newTag());
      Attempt attempt = new Attempt(attempts, d, invite);
      attempt.holdsCarrier = true;
      invites.put(TransactionKey.client(invite), attempt);
      current = attempt;
      timers.startSingleTimer(
          PROVISIONAL_TIMER, new ProvisionalTimeout(attempt.number), context.settings().provisionalTimeout());
      ctx.getLog().debug("call {}: attempt {} to {} ({})", key, attempt.number, d.carrier(), d.address());
      send(invite, d.peer());
      return;
    }
    current = null;
    int best = hunt.best();
    ctx.getLog().info("call {}: no destination answered ({}), leg A gets {}", key, hunt.finals(), best);
    finishA(best);
  }

  private void onInviteResponse(Attempt attempt, SipResponse response) {
    int status = response.statusCode();
    if (status < 200) {
      onProvisional(attempt, response);
    } else if (status < 300) {
      onSuccess(attempt, response);
    } else {
      onFailure(attempt, response);
    }
  }

  private void onProvisional(Attempt attempt, SipResponse response) {
    if (!attempt.provisional) {
      attempt.provisional = true;
      if (attempt == current) {
        timers.cancel(PROVISIONAL_TIMER);
      }
    }
    boolean reliable = LegMessages.isReliable(response);
    if (reliable) {
      long rseq = response.header(SipHeaders.RSEQ).value();
      if (rseq <= attempt.lastRseq) {
        return; // RFC 3262 section 4: a retransmission, already taken (and PRACKed)
      }
      attempt.lastRseq = rseq;
      if (attempt.early == null) {
        attempt.early = Dialog.asUac(attempt.invite, response, attempt.destination.peer());
      }
    }
    if (attempt.cancelPending) {
      // Section 9.1: a CANCEL waits for a provisional; now it may go.
      attempt.cancelPending = false;
      send(LegMessages.cancel(attempt.invite), attempt.destination.peer());
    } else if (attempt == current && !aFinal && response.statusCode() > 100) {
      SipResponse toA = messages.relayToA(aInvite, aTag, response, aSource.protocol());
      if (reliable && aReliable) {
        relayReliably(attempt, response, toA);
        return;
      }
      aTransaction.tell(new ServerTransaction.Respond(toA));
    }
    if (reliable) {
      // Leg A cannot PRACK (or will not hear of it): Tandem acknowledges leg B itself.
      prack(attempt, response.header(SipHeaders.RSEQ).value(), response.cseq().sequence(), null);
    }
  }

  /** RFC 3262 section 3: the provisional goes to leg A reliably, with Tandem's own RSeq. */
  private void relayReliably(Attempt attempt, SipResponse fromB, SipResponse toA) {
    long rseq = ++aRseq;
    SipResponse reliable = toA.toBuilder()
        .header(HeaderName.REQUIRE, "100rel")
        .header(HeaderName.RSEQ, Long.toString(rseq))
        .build();
    unacknowledged.put(rseq, new ReliableProvisional(rseq, reliable, attempt,
        fromB.header(SipHeaders.RSEQ).value(), fromB.cseq().sequence()));
    aTransaction.tell(new ServerTransaction.Respond(reliable));
    if (!aSource.reliable()) {
      Duration t1 = context.timers().t1();
      timers.startSingleTimer(RELIABLE_TIMER + rseq, new RetransmitReliable(rseq, t1, t1), t1);
    }
  }

  private Behavior<Command> onRetransmitReliable(RetransmitReliable r) {
    ReliableProvisional pending = unacknowledged.get(r.rseq());
    if (pending != null && !aFinal) {
      aTransaction.tell(new ServerTransaction.Respond(pending.toA()));
      Duration nextInterval = r.interval().multipliedBy(2); // RFC 3262 section 3: no T2 cap
      Duration elapsed = r.elapsed().plus(nextInterval);
      if (elapsed.compareTo(context.timers().sixtyFourT1()) < 0) {
        timers.startSingleTimer(RELIABLE_TIMER + r.rseq(), new RetransmitReliable(r.rseq(), nextInterval, elapsed), nextInterval);
      } else {
        unacknowledged.remove(r.rseq());
      }
    }
    return next();
  }

  /**
   * A PRACK on leg B for a reliable provisional: Tandem's own when leg A cannot send one, else
   * leg A's, crossing with its body and the RAck rewritten to leg B's RSeq.
   */
  private SipRequest prack(Attempt attempt, long bRseq, long bCseq, SipRequest fromA) {
    SipRequest.Builder b = attempt.early.request(Method.PRACK, messages.via(attempt.destination.transport()))
        .header(HeaderName.RACK, new RAck(bRseq, bCseq, Method.INVITE));
    if (fromA != null && fromA.bodyLength() > 0) {
      fromA.contentType().ifPresent(t -> b.body(t, fromA.body()));
    }
    SipRequest prack = b.build();
    send(prack, attempt.early.destination());
    return prack;
  }

  /** Leg A's PRACK for a provisional Tandem sent reliably (RFC 3262 section 4). */
  private void onPrack(TransactionEvent.RequestReceived received) {
    SipRequest request = received.request();
    Optional<RAck> rack = request.header(SipHeaders.RACK).toOptional();
    ReliableProvisional pending = rack.map(r -> unacknowledged.remove(r.rseq())).orElse(null);
    if (pending == null) {
      received.transaction().tell(new ServerTransaction.Respond(Responses.withToTag(request, 481)));
      return;
    }
    timers.cancel(RELIABLE_TIMER + pending.aRseq());
    SipRequest sent = prack(pending.attempt(), pending.bRseq(), pending.bCseq(), request);
    relays.put(TransactionKey.client(sent), new Relay(request, received.transaction(), true, sent));
  }

  private void onSuccess(Attempt attempt, SipResponse ok) {
    if (answered != null && attempt == answered && ok.toTag().equals(Optional.ofNullable(answered.answeredTag))) {
      if (attempt.ack != null) {
        send(attempt.ack, legB.destination()); // a retransmitted 2xx: the ACK was lost
      }
      return;
    }
    if (answered != null || attempt != current || aFinal) {
      // A second fork, an abandoned attempt, or a 2xx that raced leg A's CANCEL: nobody wants
      // this call leg; acknowledge it and hang it up, never answer leg A twice.
      ctx.getLog().info("call {}: unwanted 2xx from {}, ACK and BYE", key, attempt.destination.carrier());
      Dialog unwanted = Dialog.asUac(attempt.invite, ok, attempt.destination.peer());
      TransportProtocol p = attempt.destination.transport();
      send(unwanted.ack(attempt.invite.cseq().sequence(), messages.via(p)).build(), unwanted.destination());
      send(unwanted.request(Method.BYE, messages.via(p)).build(), unwanted.destination());
      return;
    }
    timers.cancel(PROVISIONAL_TIMER);
    answered = attempt;
    attempt.answeredTag = ok.toTag().orElse(null);
    legB = Dialog.asUac(attempt.invite, ok, attempt.destination.peer());
    if (attempt.early != null) {
      legB.continueAfter(attempt.early);
    }
    unacknowledged.clear(); // the 2xx supersedes any provisional still unacknowledged
    legA = Dialog.asUas(aInvite, aTag, aSource);
    lateOffer = aInvite.bodyLength() == 0 && ok.bodyLength() > 0;
    if (!lateOffer) {
      ackLegB(null);
    }
    okToA = messages.relayToA(aInvite, aTag, ok, aSource.protocol());
    aFinal = true;
    aTransaction.tell(new ServerTransaction.Respond(okToA));
    retransmitUntilAck(aTransaction, okToA, aSource.reliable());
    timers.startSingleTimer(ACK_TIMER, AckTimeout.INSTANCE, context.timers().sixtyFourT1());
    if (!context.settings().maxDuration().isZero()) {
      timers.startSingleTimer(DURATION_TIMER, MaxDuration.INSTANCE, context.settings().maxDuration());
    }
    ctx.getLog().info("call {}: answered by {}", key, attempt.destination.carrier());
  }

  /** The ACK on leg B; with a late offer it carries leg A's answer from leg A's ACK. */
  private void ackLegB(SipRequest ackFromA) {
    SipRequest.Builder b = legB.ack(answered.invite.cseq().sequence(), messages.via(answered.destination.transport()));
    if (ackFromA != null && ackFromA.bodyLength() > 0) {
      ackFromA.contentType().ifPresent(t -> b.body(t, ackFromA.body()));
    }
    answered.ack = b.build();
    send(answered.ack, legB.destination());
  }

  private void onFailure(Attempt attempt, SipResponse response) {
    boolean challenge = CarrierAuth.isChallenge(response.statusCode());
    if (challenge && attempt == current && !aFinal && resendWithCredentials(attempt, response)) {
      return;
    }
    releaseCarrier(attempt);
    if (attempt != current || aFinal) {
      return; // an abandoned attempt, or leg A has been answered (CANCEL)
    }
    timers.cancel(PROVISIONAL_TIMER);
    int status = response.statusCode();
    HuntPolicy.Outcome outcome = challenge ? hunt.onChallengeNotAnswered() : hunt.onFinal(status);
    if (outcome == HuntPolicy.Outcome.HUNT) {
      ctx.getLog().info("call {}: {} from {}, hunting", key, status, attempt.destination.carrier());
      nextAttempt();
    } else if (outcome == HuntPolicy.Outcome.REDIRECT
        && hunt.redirect(response, attempt.destination, LegMessages.dialledUser(aInvite))) {
      nextAttempt();
    } else {
      ctx.getLog().info("call {}: {} from {}, relayed", key, status, attempt.destination.carrier());
      aFinal = true;
      ended = true;
      aTransaction.tell(new ServerTransaction.Respond(
          messages.relayToA(aInvite, aTag, response, aSource.protocol())));
    }
  }

  /**
   * RFC 3261 section 22.2: the carrier challenged the attempt's INVITE; it goes again with
   * credentials in a new transaction of the same attempt, whose provisional timer starts over.
   */
  private boolean resendWithCredentials(Attempt attempt, SipResponse challenge) {
    if (carrierAuth == null) {
      carrierAuth = new CarrierAuth();
    }
    Optional<SipRequest> retry = carrierAuth.answer(attempt, challenge, messages.via(attempt.destination.transport()));
    if (retry.isEmpty()) {
      return false;
    }
    ctx.getLog().info("call {}: {} from {}, INVITE again with credentials", key, challenge.statusCode(),
        attempt.destination.carrier());
    attempt.resent(retry.get());
    invites.put(TransactionKey.client(retry.get()), attempt);
    timers.startSingleTimer(
        PROVISIONAL_TIMER, new ProvisionalTimeout(attempt.number), context.settings().provisionalTimeout());
    send(retry.get(), attempt.destination.peer());
    return true;
  }

  private Behavior<Command> onProvisionalTimeout(ProvisionalTimeout timeout) {
    if (current != null && current.number == timeout.attempt() && !current.provisional && !aFinal) {
      // Nothing at all from this carrier: it may still answer later (then it is ACKed and
      // BYEd), but the call moves on. No CANCEL before a provisional (section 9.1).
      ctx.getLog().info("call {}: no provisional from {} within {}, hunting",
          key, current.destination.carrier(), context.settings().provisionalTimeout());
      releaseCarrier(current);
      hunt.failed(408);
      nextAttempt();
    }
    return next();
  }

  private void onClientFailure(TransactionKey txKey, int status) {
    Attempt attempt = invites.get(txKey);
    if (attempt != null) {
      releaseCarrier(attempt);
      if (attempt == current && !aFinal) {
        timers.cancel(PROVISIONAL_TIMER);
        hunt.failed(status); // Timer B counts as 408, a transport error as 503 (16.7, 16.9)
        nextAttempt();
      }
      return;
    }
    Relay relay = relays.remove(txKey);
    if (relay != null) {
      relay.origin().tell(new ServerTransaction.Respond(Responses.withToTag(relay.original(), status)));
    }
  }

  // ---- leg A ----------------------------------------------------------------------------

  /** Section 9.2: leg A cancelled before its final; the layer has answered the CANCEL 200. */
  private void onCancel() {
    if (aFinal) {
      return; // too late: the call was answered or failed already
    }
    ctx.getLog().info("call {}: cancelled by the caller", key);
    finishA(487);
    timers.cancel(PROVISIONAL_TIMER);
    if (current != null) {
      if (current.provisional) {
        send(LegMessages.cancel(current.invite), current.destination.peer());
      } else {
        current.cancelPending = true;
      }
    }
  }

  private void onAck(SipRequest ack) {
    boolean fromA = ack.callId().equals(aInvite.callId());
    if (fromA && okToA != null && !acked && ack.cseq().sequence() == aInvite.cseq().sequence()) {
      acked = true;
      stopRetransmitting();
      timers.cancel(ACK_TIMER);
      if (lateOffer && answered != null) {
        ackLegB(ack);
      }
      return;
    }
    Relay relay = awaitingAck;
    if (relay != null && relay.fromA() == fromA) {
      // The ACK of a relayed re-INVITE's 2xx: its twin goes on the other leg.
      awaitingAck = null;
      stopRetransmitting();
      Dialog other = fromA ? legB : legA;
      SipRequest.Builder b = other.ack(relay.sent().cseq().sequence(), messages.via(protocolOf(!fromA)));
      if (ack.bodyLength() > 0) {
        ack.contentType().ifPresent(t -> b.body(t, ack.body()));
      }
      send(b.build(), other.destination());
    }
  }

  private Behavior<Command> onRetransmit2xx(Retransmit2xx retransmit) {
    if (retransmitted != null) {
      retransmittedTo.tell(new ServerTransaction.Respond(retransmitted));
      Duration nextInterval = context.timers().nextInterval(retransmit.interval());
      Duration elapsed = retransmit.elapsed().plus(nextInterval);
      if (elapsed.compareTo(context.timers().sixtyFourT1()) < 0) {
        timers.startSingleTimer(RETRANSMIT_TIMER, new Retransmit2xx(nextInterval, elapsed), nextInterval);
      } else {
        stopRetransmitting(); // no ACK: for the call's own 2xx the ACK timer ends the call
      }
    }
    return next();
  }

  private Behavior<Command> onAckTimeout() {
    if (!acked && !ended) {
      // Section 13.3.1.4: no ACK within 64*T1 - the dialog is ended with BYE.
      ctx.getLog().warn("call {}: no ACK from the caller within 64*T1, ending both legs", key);
      hangUp(true, true);
    }
    return next();
  }

  private Behavior<Command> onMaxDuration() {
    if (!ended) {
      ctx.getLog().info("call {}: maximum duration {} reached, ending both legs", key, context.settings().maxDuration());
      hangUp(true, true);
    }
    return next();
  }

  // ---- in-dialog requests from either leg -------------------------------------------------

  private void onRequest(TransactionEvent.RequestReceived received) {
    SipRequest request = received.request();
    boolean fromA = request.callId().equals(aInvite.callId());
    if (fromA && request.toTag().isEmpty()) {
      // Another INVITE with this call's Call-ID and no To tag: a merged or looped request
      // (section 8.2.2.2).
      received.transaction().tell(new ServerTransaction.Respond(Responses.withToTag(request, 482)));
      return;
    }
    if (fromA && Method.PRACK.equals(request.method())) {
      onPrack(received);
      return;
    }
    if (legA == null || legB == null || ended) {
      received.transaction().tell(new ServerTransaction.Respond(Responses.withToTag(request, 481)));
      return;
    }
    if (Method.BYE.equals(request.method())) {
      received.transaction().tell(new ServerTransaction.Respond(Responses.withToTag(request, 200)));
      ctx.getLog().info("call {}: BYE from leg {}", key, fromA ? "A" : "B");
      hangUp(!fromA, fromA);
      return;
    }
    if (offerPending(request)) {
      // RFC 3261 section 14.1 and RFC 3311 section 5.2: one offer at a time in a dialog; the
      // later one is refused with 491 and its sender retries after a random wait.
      received.transaction().tell(new ServerTransaction.Respond(Responses.withToTag(request, 491)));
      return;
    }
    Dialog origin = fromA ? legA : legB;
    Dialog other = fromA ? legB : legA;
    if (Method.INVITE.equals(request.method()) || Method.UPDATE.equals(request.method())) {
      origin.refreshTarget(request);
    }
    SipRequest sent = messages.relay(request, other, protocolOf(!fromA));
    relays.put(TransactionKey.client(sent), new Relay(request, received.transaction(), fromA, sent));
    send(sent, other.destination());
  }

  private void onResponse(TransactionKey txKey, SipResponse response) {
    Attempt attempt = invites.get(txKey);
    if (attempt != null) {
      onInviteResponse(attempt, response);
      return;
    }
    Relay relay = relays.get(txKey);
    if (relay == null || response.statusCode() == 100) {
      return; // a BYE's or CANCEL's answer, or a 100 (hop by hop: the origin sent its own)
    }
    if (response.statusCode() >= 200) {
      relays.remove(txKey); // answered: no longer an offer in progress
    }
    SipResponse relayed = messages.relayResponse(relay.original(), response, protocolOf(relay.fromA()));
    relay.origin().tell(new ServerTransaction.Respond(relayed));
    if (Method.INVITE.equals(relay.original().method()) && response.statusCode() >= 200 && response.statusCode() < 300) {
      awaitingAck = relay;
      retransmitUntilAck(relay.origin(), relayed, protocolOf(relay.fromA()).reliable());
    }
  }

  /** A 2xx after its INVITE transaction ended (Timer M): ACK it again, or end it. */
  private void onStrayResponse(SipResponse response) {
    if (response.statusCode() < 200 || response.statusCode() >= 300 || !Method.INVITE.equals(response.cseq().method())) {
      return;
    }
    for (Attempt attempt : invites.values()) {
      if (attempt.invite.callId().equals(response.callId())) {
        onSuccess(attempt, response);
        return;
      }
    }
  }

  /**
   * A re-INVITE, or an UPDATE carrying an offer, while another INVITE or UPDATE of this call is
   * still waiting for its answer (glare).
   */
  private boolean offerPending(SipRequest request) {
    boolean offer = Method.INVITE.equals(request.method())
        || (Method.UPDATE.equals(request.method()) && request.bodyLength() > 0);
    if (!offer) {
      return false;
    }
    return awaitingAck != null
        || relays.values().stream().anyMatch(r ->
            Method.INVITE.equals(r.original().method()) || Method.UPDATE.equals(r.original().method()));
  }

  /**
   * Section 13.3.1.4: the core that sent a 2xx to an INVITE retransmits it over an unreliable
   * transport, T1 doubling up to T2, until the ACK comes (the transaction does not).
   */
  private void retransmitUntilAck(ActorRef<ServerTransaction.Command> to, SipResponse ok, boolean reliable) {
    if (reliable) {
      return;
    }
    retransmitted = ok;
    retransmittedTo = to;
    Duration t1 = context.timers().t1();
    timers.startSingleTimer(RETRANSMIT_TIMER, new Retransmit2xx(t1, t1), t1);
  }

  private void stopRetransmitting() {
    retransmitted = null;
    retransmittedTo = null;
    timers.cancel(RETRANSMIT_TIMER);
  }

  // ---- the end ------------------------------------------------------------------------------

  private void hangUp(boolean legAToo, boolean legBToo) {
    ended = true;
    stopRetransmitting();
    timers.cancel(ACK_TIMER);
    timers.cancel(DURATION_TIMER);
    if (legAToo && legA != null) {
      send(legA.request(Method.BYE, messages.via(aSource.protocol())).build(), legA.destination());
    }
    if (legBToo && legB != null) {
      send(legB.request(Method.BYE, messages.via(answered.destination.transport())).build(), legB.destination());
    }
  }

  /** Leg A's final, generated by Tandem. */
  private Behavior<Command> finishA(int status) {
    aFinal = true;
    ended = true;
    aTransaction.tell(new ServerTransaction.Respond(messages.finalToA(aInvite, aTag, status)));
    return next();
  }

  private TransportProtocol protocolOf(boolean legAside) {
    if (legAside) {
      return aSource.protocol();
    }
    return (answered != null ? answered : current).destination.transport();
  }

  private void send(SipRequest request, Peer destination) {
    if (!Method.ACK.equals(request.method())) {
      awaitingFinal.add(TransactionKey.client(request));
    }
    context.transactions().tell(new TransactionLayer.SendRequest(request, destination, events));
  }

  private void releaseCarrier(Attempt attempt) {
    if (attempt.holdsCarrier) {
      attempt.holdsCarrier = false;
      context.limits().releaseCarrier(attempt.destination.carrier());
    }
  }

  private Behavior<Command> next() {
    if (ended && awaitingFinal.isEmpty()) {
      invites.values().forEach(this::releaseCarrier);
      ctx.getLog().debug("call {}: over", key);
      return Behaviors.stopped();
    }
    return this;
  }
}
