package io.tandem.call;

import io.tandem.routing.Destination;
import io.tandem.routing.HuntPolicy;
import io.tandem.routing.RoutingDecision;
import io.tandem.routing.TransferPolicy;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.NameAddr;
import io.tandem.sip.message.Parameters;
import io.tandem.sip.message.RAck;
import io.tandem.sip.message.Replaces;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.SipUri;
import io.tandem.sip.message.StatusCode;
import io.tandem.sip.message.TelUri;
import io.tandem.sip.message.Uri;
import io.tandem.sip.syntax.Text;
import io.tandem.transaction.Responses;
import io.tandem.transaction.ServerTransaction;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionKey;
import io.tandem.transport.Peer;
import io.tandem.transport.TransportProtocol;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
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

  /**
   * Another call's question (through the {@link CallManager}): which leg is across from the
   * dialog {@code replaces} names, if it is one of this call's (RFC 3891, attended transfer).
   */
  public record DescribeDialog(Replaces replaces, ActorRef<Command> replyTo) implements Command {}

  /** The answer to a {@link CallManager.FindDialog}: the far leg, if a call has that dialog. */
  public record ReplacedDialog(Replaces replaces, Optional<FarLeg> far) implements Command {}

  /**
   * The leg across from a dialog a Replaces names, as the asking call needs it to send that
   * leg's peer an INVITE with Replaces of its own: the dialog's identifiers as Tandem holds
   * them, the peer's identity and where it is.
   */
  public record FarLeg(String callId, String localTag, NameAddr remote, Uri target, Peer destination, String carrier) {}

  /** The admin API's question: what the call is now. */
  public record Describe(ActorRef<CallInfo> replyTo) implements Command {}

  /**
   * The admin API's hang-up: BYE on both legs of an answered call; a call not answered yet
   * ends as if its caller had cancelled (487 on leg A, CANCEL on leg B).
   */
  public record HangUp() implements Command {}

  /**
   * A call as the admin API shows it: its key, the caller's Call-ID, its state ({@code trying},
   * {@code ringing}, {@code answered} or {@code ending}), the carrier of its leg B if it has one,
   * when its INVITE came and when it was answered.
   */
  public record CallInfo(CallKey key, String legACallId, String state, Optional<String> carrier,
      Instant startedAt, Optional<Instant> answeredAt) {}

  private record ProvisionalTimeout(int attempt) implements Command {}

  private record TransferTimeout(int attempt) implements Command {}

  private record RingTimeout(int attempt) implements Command {}

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
  private static final String TRANSFER_TIMER = "transfer-provisional";
  private static final String RING_TIMER = "ring";

  /**
   * A request of one leg relayed into the other, waiting for the other's answer: the dialog it
   * came in ({@code from}, null for a PRACK before the answer) over {@code protocol}, the dialog
   * it went out in ({@code to}).
   */
  private record Relay(SipRequest original, ServerTransaction origin, Dialog from,
      TransportProtocol protocol, Dialog to, SipRequest sent) {}

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final CallKey key;
  private final CallContext context;
  private final LegMessages messages;
  private final ActorRef<TransactionEvent> events;

  private final SipRequest aInvite;
  private final ServerTransaction aTransaction;
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
  private ServerTransaction retransmittedTo;
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

  private TransferPolicy transferPolicy = TransferPolicy.ACT;
  /** The transfer in progress, or the last one. */
  private Transfer transfer;
  private int refers;
  /** Legs a transfer released: a BYE on one is answered 200, and that is all. */
  private final List<Dialog> released = new ArrayList<>();

  /** Each leg's RFC 4028 session timer. */
  private final SessionTimers sessions;

  /** Wall-clock times, for the admin API only (timers use the scheduler). */
  private final Instant startedAt = Instant.now();
  private Instant answeredAt;
  /** The observer has had the call's {@link CallObserver.Ringing}, its {@link CallObserver.Ended}. */
  private boolean ringObserved;
  private boolean endObserved;

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
    aTransaction.handTo(events); // its CANCEL and ACK come straight here
    this.aSource = invite.source();
    this.aTag = messages.newTag();
    this.aReliable = LegMessages.offersReliableProvisionals(aInvite);
    this.sessions = new SessionTimers(key, context.settings().sessionTimer(), messages, timers, ctx.getLog(),
        new SessionLegs());
  }

  /** The call as its {@link SessionTimers} see it. */
  private final class SessionLegs implements SessionTimers.Legs {
    @Override
    public Dialog leg(String callId) {
      return ended ? null : dialogOf(callId);
    }

    @Override
    public Dialog partner(Dialog leg) {
      return Call.this.partner(leg);
    }

    @Override
    public boolean offerInProgress(Dialog leg) {
      return Call.this.offerInProgress(leg);
    }

    @Override
    public void send(SipRequest request, Peer destination) {
      Call.this.send(request, destination);
    }

    @Override
    public void end() {
      ended(200, CallObserver.Party.TANDEM, "session-expired");
      hangUp(null);
    }
  }

  private Behavior<Command> start() {
    observe(new CallObserver.Started(key, aInvite.callId(), aSource.toString(), userOf(aInvite.from().uri()),
        LegMessages.dialledUser(aInvite)));
    // The caller hears at once that Tandem has its INVITE, whatever leg B takes.
    aTransaction.respond(Responses.withToTag(aInvite, 100));
    if (aInvite.maxForwards().orElse(70) <= 0) {
      ended(483, CallObserver.Party.TANDEM, "too-many-hops");
      return finishA(483); // section 16.3: it would have to be forwarded
    }
    Optional<SipResponse> tooBrief = sessions.tooBrief(aInvite, aTag);
    if (tooBrief.isPresent()) {
      // RFC 4028 section 9: too short a session interval is refused before any routing.
      ended(tooBrief.get().statusCode(), CallObserver.Party.TANDEM, "session-interval-too-small");
      aFinal = true;
      ended = true;
      aTransaction.respond(tooBrief.get());
      return next();
    }
    RoutingDecision decision = context.routing().route(aInvite);
    if (decision instanceof RoutingDecision.Reject reject) {
      ctx.getLog().info("call {}: rejected by routing: {} {}", key, reject.status(), reject.reason());
      ended(reject.status(), CallObserver.Party.TANDEM, "routing-rejected");
      aFinal = true;
      ended = true;
      aTransaction.respond(
          SipResponse.builderFor(aInvite, reject.status())
              .status(reject.status(), reject.reason())
              .set(HeaderName.TO, aInvite.to().withTag(aTag))
              .build());
      return next();
    }
    RoutingDecision.Route route = (RoutingDecision.Route) decision;
    observe(new CallObserver.Routed(key, route.name()));
    transferPolicy = route.transfer();
    hunt = new Hunt(route, LegMessages.dialledUser(aInvite));
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
        .onMessage(TransferTimeout.class, this::onTransferTimeout)
        .onMessage(RingTimeout.class, this::onRingTimeout)
        .onMessage(DescribeDialog.class, this::onDescribeDialog)
        .onMessage(Describe.class, this::onDescribe)
        .onMessage(HangUp.class, h -> onHangUp())
        .onMessage(ReplacedDialog.class, this::onReplacedDialog)
        .onMessage(SessionTimers.Refresh.class, r -> {
          sessions.onRefreshDue(r);
          return next();
        })
        .onMessage(SessionTimers.Expiry.class, e -> {
          sessions.onExpiry(e);
          return next();
        })
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
      observe(new CallObserver.TransactionTimedOut(key, t.timer()));
      onClientFailure(t.key(), 408);
      awaitingFinal.remove(t.key());
    } else if (event instanceof TransactionEvent.TransportFailed f) {
      onClientFailure(f.key(), 503);
      awaitingFinal.remove(f.key());
    } else if (event instanceof TransactionEvent.Terminated t) {
      awaitingFinal.remove(t.key());
      relays.remove(t.key());
      sessions.onTerminated(t.key());
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
      SipRequest invite = messages.legBInvite(aInvite, d, target.user(), attempts, messages.newTag(), target.rewrite());
      Attempt attempt = new Attempt(attempts, d, invite);
      attempt.holdsCarrier = true;
      invites.put(TransactionKey.client(invite), attempt);
      current = attempt;
      observe(new CallObserver.AttemptStarted(key, attempt.number, d.carrier(), invite.callId(),
          userOf(invite.from().uri()), target.user()));
      timers.startSingleTimer(
          PROVISIONAL_TIMER, new ProvisionalTimeout(attempt.number), provisionalTimeout());
      ctx.getLog().debug("call {}: attempt {} to {} ({})", key, attempt.number, d.carrier(), d.address());
      send(invite, d.peer());
      return;
    }
    current = null;
    int best = hunt.best();
    ctx.getLog().info("call {}: no destination answered ({}), leg A gets {}", key, hunt.finals(), best);
    int relayedBest = hunt.policy().relayed(best);
    ended(relayedBest, CallObserver.Party.CALLEE, "no-destination-answered");
    finishA(relayedBest);
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
    Duration ring = hunt.policy().ringTimeout();
    if (ring != null && attempt == current && !aFinal && response.statusCode() >= 180 && !attempt.ringing) {
      attempt.ringing = true;
      timers.startSingleTimer(RING_TIMER, new RingTimeout(attempt.number), ring);
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
      ringing(response.statusCode());
      SipResponse toA = messages.relayToA(aInvite, aTag, response, aSource.protocol());
      if (reliable && aReliable) {
        relayReliably(attempt, response, toA);
        return;
      }
      aTransaction.respond(toA);
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
    aTransaction.respond(reliable);
    if (!aSource.reliable()) {
      Duration t1 = context.timers().t1();
      timers.startSingleTimer(RELIABLE_TIMER + rseq, new RetransmitReliable(rseq, t1, t1), t1);
    }
  }

  private Behavior<Command> onRetransmitReliable(RetransmitReliable r) {
    ReliableProvisional pending = unacknowledged.get(r.rseq());
    if (pending != null && !aFinal) {
      aTransaction.respond(pending.toA());
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
      received.transaction().respond(Responses.withToTag(request, 481));
      return;
    }
    timers.cancel(RELIABLE_TIMER + pending.aRseq());
    SipRequest sent = prack(pending.attempt(), pending.bRseq(), pending.bCseq(), request);
    relays.put(TransactionKey.client(sent), new Relay(request, received.transaction(), null, aSource.protocol(), null, sent));
  }

  private void onSuccess(Attempt attempt, SipResponse ok) {
    if (answered != null && attempt == answered && ok.toTag().equals(Optional.ofNullable(answered.answeredTag))) {
      if (attempt.ack != null) {
        send(attempt.ack, attempt.ackTo); // a retransmitted 2xx: the ACK was lost
      }
      return;
    }
    if (answered != null || attempt != current || aFinal) {
      // A second fork, an abandoned attempt, or a 2xx that raced leg A's CANCEL: nobody wants
      // this call leg; acknowledge it and hang it up, never answer leg A twice.
      endUnwanted(attempt, ok);
      return;
    }
    timers.cancel(PROVISIONAL_TIMER);
    timers.cancel(RING_TIMER);
    answered = attempt;
    answeredAt = Instant.now();
    attemptEnded(attempt, ok.statusCode(), null);
    attempt.answeredTag = ok.toTag().orElse(null);
    legB = Dialog.asUac(attempt.invite, ok, attempt.destination.peer());
    if (attempt.early != null) {
      legB.continueAfter(attempt.early);
    }
    unacknowledged.clear(); // the 2xx supersedes any provisional still unacknowledged
    legA = Dialog.asUas(aInvite, aTag, aSource);
    legA.party = aInvite.from().withoutParam("tag");
    legA.noteSdp(aInvite);
    legB.party = aInvite.to();
    legB.noteSdp(ok);
    lateOffer = aInvite.bodyLength() == 0 && ok.bodyLength() > 0;
    if (!lateOffer) {
      ackLegB(null);
    }
    legA.sessionTimer = SessionTimer.asUas(aInvite, context.settings().sessionTimer());
    legB.sessionTimer = SessionTimer.asUac(attempt.invite, ok, context.settings().sessionTimer());
    okToA = SessionTimers.withSession(legA, messages.relayToA(aInvite, aTag, ok, aSource.protocol()));
    sessions.arm(legA);
    sessions.arm(legB);
    aFinal = true;
    aTransaction.respond(okToA);
    retransmitUntilAck(aTransaction, okToA, aSource.reliable());
    timers.startSingleTimer(ACK_TIMER, AckTimeout.INSTANCE, context.timers().sixtyFourT1());
    if (!context.settings().maxDuration().isZero()) {
      timers.startSingleTimer(DURATION_TIMER, MaxDuration.INSTANCE, context.settings().maxDuration());
    }
    ctx.getLog().info("call {}: answered by {}", key, attempt.destination.carrier());
    observe(new CallObserver.Answered(key, attempt.destination.carrier()));
  }

  /** The ACK on leg B; with a late offer it carries leg A's answer from leg A's ACK. */
  private void ackLegB(SipRequest ackFromA) {
    SipRequest.Builder b = legB.ack(answered.invite.cseq().sequence(), messages.via(answered.destination.transport()));
    if (ackFromA != null && ackFromA.bodyLength() > 0) {
      ackFromA.contentType().ifPresent(t -> b.body(t, ackFromA.body()));
    }
    answered.ack = b.build();
    answered.ackTo = legB.destination();
    send(answered.ack, answered.ackTo);
  }

  /** A 2xx nobody wants (RFC 3261 section 15): acknowledged, then hung up. */
  private void endUnwanted(Attempt attempt, SipResponse ok) {
    ctx.getLog().info("call {}: unwanted 2xx from {}, ACK and BYE", key, attempt.destination.carrier());
    Dialog unwanted = Dialog.asUac(attempt.invite, ok, attempt.destination.peer());
    TransportProtocol p = attempt.destination.transport();
    send(unwanted.ack(attempt.invite.cseq().sequence(), messages.via(p)).build(), unwanted.destination());
    send(unwanted.request(Method.BYE, messages.via(p)).build(), unwanted.destination());
  }

  private void onFailure(Attempt attempt, SipResponse response) {
    if (response.statusCode() == 422 && retriedWithLongerSession(attempt, response)) {
      return;
    }
    boolean challenge = CarrierAuth.isChallenge(response.statusCode());
    if (challenge && attempt == current && !aFinal && resendWithCredentials(attempt, response)) {
      return;
    }
    releaseCarrier(attempt);
    attemptEnded(attempt, response.statusCode(), null);
    if (attempt != current || aFinal) {
      return; // an abandoned attempt, or leg A has been answered (CANCEL)
    }
    timers.cancel(PROVISIONAL_TIMER);
    timers.cancel(RING_TIMER);
    int status = response.statusCode();
    HuntPolicy.Outcome outcome = challenge ? hunt.onChallengeNotAnswered() : hunt.onFinal(status);
    if (outcome == HuntPolicy.Outcome.HUNT) {
      ctx.getLog().info("call {}: {} from {}, hunting", key, status, attempt.destination.carrier());
      nextAttempt();
    } else if (outcome == HuntPolicy.Outcome.REDIRECT
        && hunt.redirect(response, attempt.destination, LegMessages.dialledUser(aInvite))) {
      nextAttempt();
    } else {
      int relayed = hunt.policy().relayed(status);
      ctx.getLog().info("call {}: {} from {}, relayed{}", key, status, attempt.destination.carrier(),
          relayed == status ? "" : " as " + relayed);
      ended(relayed, CallObserver.Party.CALLEE, "rejected");
      aFinal = true;
      ended = true;
      SipResponse toA = messages.relayToA(aInvite, aTag, response, aSource.protocol());
      if (relayed != status) {
        toA = toA.toBuilder().status(relayed, StatusCode.reasonPhrase(relayed)).build();
      }
      aTransaction.respond(toA);
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
        PROVISIONAL_TIMER, new ProvisionalTimeout(attempt.number), provisionalTimeout());
    send(retry.get(), attempt.destination.peer());
    return true;
  }

  /** The route's provisional timeout, else the call layer's. */
  private Duration provisionalTimeout() {
    Duration perRoute = hunt == null ? null : hunt.policy().provisionalTimeout();
    return perRoute != null ? perRoute : context.settings().provisionalTimeout();
  }

  /**
   * The current destination rang for the route's ring-timeout without answering: it is
   * cancelled (a 2xx that crosses the CANCEL is ACKed and hung up) and the next one is tried.
   */
  private Behavior<Command> onRingTimeout(RingTimeout timeout) {
    if (current != null && current.number == timeout.attempt() && !aFinal && answered == null) {
      ctx.getLog().info("call {}: {} rang for {} without answering, hunting", key, current.destination.carrier(),
          hunt.policy().ringTimeout());
      send(LegMessages.cancel(current.invite), current.destination.peer());
      releaseCarrier(current);
      hunt.failed(408);
      nextAttempt();
    }
    return next();
  }

  private Behavior<Command> onProvisionalTimeout(ProvisionalTimeout timeout) {
    if (current != null && current.number == timeout.attempt() && !current.provisional && !aFinal) {
      // Nothing at all from this carrier: it may still answer later (then it is ACKed and
      // BYEd), but the call moves on. No CANCEL before a provisional (section 9.1).
      ctx.getLog().info("call {}: no provisional from {} within {}, hunting",
          key, current.destination.carrier(), context.settings().provisionalTimeout());
      releaseCarrier(current);
      attemptEnded(current, 408, "no-provisional");
      hunt.failed(408);
      nextAttempt();
    }
    return next();
  }

  private void onClientFailure(TransactionKey txKey, int status) {
    if (sessions.onFailure(txKey, status)) {
      return;
    }
    if (transfer != null && onTransferFailure(txKey, status)) {
      return;
    }
    Attempt attempt = invites.get(txKey);
    if (attempt != null) {
      releaseCarrier(attempt);
      attemptEnded(attempt, status, status == 408 ? "timeout" : "transport");
      if (attempt == current && !aFinal) {
        timers.cancel(PROVISIONAL_TIMER);
        hunt.failed(status); // Timer B counts as 408, a transport error as 503 (16.7, 16.9)
        nextAttempt();
      }
      return;
    }
    Relay relay = relays.remove(txKey);
    if (relay != null) {
      relay.origin().respond(Responses.withToTag(relay.original(), status));
    }
  }

  // ---- leg A ----------------------------------------------------------------------------

  /** Section 9.2: leg A cancelled before its final; the layer has answered the CANCEL 200. */
  private void onCancel() {
    if (aFinal) {
      return; // too late: the call was answered or failed already
    }
    ctx.getLog().info("call {}: cancelled by the caller", key);
    ended(487, CallObserver.Party.CALLER, "cancel");
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
        legA.noteSdp(ack);
        ackLegB(ack);
      }
      return;
    }
    Relay relay = awaitingAck;
    Dialog origin = dialogOf(ack.callId());
    if (relay != null && origin != null && relay.from() == origin) {
      // The ACK of a relayed re-INVITE's 2xx: its twin goes on the other leg.
      awaitingAck = null;
      stopRetransmitting();
      origin.noteSdp(ack);
      Dialog other = relay.to();
      SipRequest.Builder b = other.ack(relay.sent().cseq().sequence(), messages.via(other.protocol()));
      if (ack.bodyLength() > 0) {
        ack.contentType().ifPresent(t -> b.body(t, ack.body()));
      }
      send(b.build(), other.destination());
    }
  }

  private Behavior<Command> onRetransmit2xx(Retransmit2xx retransmit) {
    if (retransmitted != null) {
      retransmittedTo.respond(retransmitted);
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
      ended(200, CallObserver.Party.TANDEM, "no-ack");
      hangUp(null);
    }
    return next();
  }

  private Behavior<Command> onMaxDuration() {
    if (!ended) {
      ctx.getLog().info("call {}: maximum duration {} reached, ending both legs", key, context.settings().maxDuration());
      ended(200, CallObserver.Party.TANDEM, "max-duration");
      hangUp(null);
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
      received.transaction().respond(Responses.withToTag(request, 482));
      return;
    }
    if (fromA && Method.PRACK.equals(request.method())) {
      onPrack(received);
      return;
    }
    Dialog origin = dialogOf(request.callId());
    if (origin == null && Method.BYE.equals(request.method())
        && released.stream().anyMatch(d -> d.callId.equals(request.callId()))) {
      received.transaction().respond(Responses.withToTag(request, 200));
      return; // a leg a transfer released hangs up too
    }
    if (origin == null || legA == null || legB == null || ended) {
      received.transaction().respond(Responses.withToTag(request, 481));
      return;
    }
    if (Method.BYE.equals(request.method())) {
      received.transaction().respond(Responses.withToTag(request, 200));
      ctx.getLog().info("call {}: BYE from {}", key, origin.callId);
      onBye(origin);
      return;
    }
    if (Method.REFER.equals(request.method()) && transferPolicy != TransferPolicy.PASS) {
      if (transferPolicy == TransferPolicy.REFUSE) {
        received.transaction().respond(Responses.withToTag(request, 403));
      } else {
        onRefer(received, origin);
      }
      return;
    }
    Optional<SipResponse> tooBrief = origin.sessionTimer != null && SessionTimers.isRefresh(request.method())
        ? sessions.tooBrief(request, null) : Optional.empty();
    if (tooBrief.isPresent()) {
      received.transaction().respond(tooBrief.get()); // RFC 4028 section 9
      return;
    }
    if (offerPending(request)) {
      // RFC 3261 section 14.1 and RFC 3311 section 5.2: one offer at a time in a dialog; the
      // later one is refused with 491 and its sender retries after a random wait.
      received.transaction().respond(Responses.withToTag(request, 491));
      return;
    }
    Dialog other = partner(origin);
    if (Method.INVITE.equals(request.method()) || Method.UPDATE.equals(request.method())) {
      origin.refreshTarget(request);
      origin.noteSdp(request);
    }
    SipRequest sent = SessionTimers.withSession(other, messages.relay(request, other, other.protocol()));
    relays.put(TransactionKey.client(sent), new Relay(request, received.transaction(), origin, origin.protocol(), other, sent));
    send(sent, other.destination());
  }

  private void onResponse(TransactionKey txKey, SipResponse response) {
    if (transfer != null && onTransferResponse(txKey, response)) {
      return;
    }
    Attempt attempt = invites.get(txKey);
    if (attempt != null) {
      onInviteResponse(attempt, response);
      return;
    }
    if (sessions.onResponse(txKey, response)) {
      return;
    }
    Relay relay = relays.get(txKey);
    if (relay == null || response.statusCode() == 100) {
      return; // a BYE's or CANCEL's answer, or a 100 (hop by hop: the origin sent its own)
    }
    if (response.statusCode() >= 200) {
      relays.remove(txKey); // answered: no longer an offer in progress
    }
    SipResponse relayed = sessions.refreshedByRelay(relay.from(), relay.original(), relay.to(), response,
        messages.relayResponse(relay.original(), response, relay.protocol()));
    relay.origin().respond(relayed);
    boolean success = response.statusCode() >= 200 && response.statusCode() < 300;
    if (success && relay.to() != null) {
      relay.to().noteSdp(response);
    }
    if (Method.INVITE.equals(relay.original().method()) && success) {
      awaitingAck = relay;
      retransmitUntilAck(relay.origin(), relayed, relay.protocol().reliable());
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
    if (transfer != null) {
      for (Attempt attempt : transfer.invites.values()) {
        if (attempt.invite.callId().equals(response.callId())) {
          onTransferAnswered(attempt, response);
          return;
        }
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
    return offer && offerInProgress(null);
  }

  /**
   * An INVITE or UPDATE on {@code leg} (on either leg: null) is waiting for its answer or ACK:
   * a relayed one (it is on both legs), or a re-INVITE of Tandem's own.
   */
  private boolean offerInProgress(Dialog leg) {
    return (awaitingAck != null && (leg == null || awaitingAck.from() == leg || awaitingAck.to() == leg))
        || relays.values().stream().anyMatch(r -> SessionTimers.isRefresh(r.original().method())
            && (leg == null || r.from() == leg || r.to() == leg))
        || sessions.reInviteInProgress(leg);
  }

  /**
   * Section 13.3.1.4: the core that sent a 2xx to an INVITE retransmits it over an unreliable
   * transport, T1 doubling up to T2, until the ACK comes (the transaction does not).
   */
  private void retransmitUntilAck(ServerTransaction to, SipResponse ok, boolean reliable) {
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

  // ---- the admin API ------------------------------------------------------------------------

  private Behavior<Command> onDescribe(Describe describe) {
    String state = ended ? "ending"
        : answered != null ? "answered"
        : current != null && current.provisional ? "ringing"
        : "trying";
    Attempt leg = answered != null ? answered : current;
    describe.replyTo().tell(new CallInfo(key, aInvite.callId(), state,
        Optional.ofNullable(leg).map(a -> a.destination.carrier()), startedAt, Optional.ofNullable(answeredAt)));
    return this;
  }

  private Behavior<Command> onHangUp() {
    if (!aFinal) {
      ctx.getLog().info("call {}: hung up by the admin API before its answer", key);
      onCancel(); // section 9.2 from Tandem's side: 487 to the caller, CANCEL to the carrier
    } else if (!ended) {
      ctx.getLog().info("call {}: hung up by the admin API", key);
      hangUp(null);
    }
    return next();
  }

  // ---- the end ------------------------------------------------------------------------------

  /** A BYE from {@code origin}: the call ends, unless it is a referrer leaving its transfer to run. */
  private void onBye(Dialog origin) {
    if (transfer != null && !transfer.over && origin == transfer.referrer) {
      // RFC 5589 section 6: a transferor often hangs up once its REFER is accepted; the
      // transferee stays, and gets the target or, if that fails, a BYE.
      ctx.getLog().info("call {}: the referrer hung up, the transfer goes on", key);
      transfer.referrerGone = true;
      return;
    }
    hangUp(origin);
  }

  /** Ends the call: BYE on each leg but {@code except}, and any transfer in progress abandoned. */
  private void hangUp(Dialog except) {
    byeFrom(except);
    ended = true;
    stopRetransmitting();
    timers.cancel(ACK_TIMER);
    timers.cancel(DURATION_TIMER);
    sessions.stop(legA, legB);
    abandonTransfer();
    for (Dialog leg : new Dialog[] {legA, legB}) {
      boolean gone = transfer != null && transfer.referrerGone && leg == transfer.referrer;
      if (leg != null && leg != except && !gone) {
        send(leg.request(Method.BYE, messages.via(leg.protocol())).build(), leg.destination());
      }
    }
  }

  // ---- session timers (RFC 4028): see SessionTimers --------------------------------------

  /**
   * RFC 4028 section 7.3: a 422 to the leg-B INVITE is answered once by the same INVITE asking
   * for the 422's Min-SE (same Call-ID and From tag, CSeq one more, a new branch), as the same
   * attempt; true if it went. A second 422 is a failure like any other.
   */
  private boolean retriedWithLongerSession(Attempt attempt, SipResponse tooBrief) {
    if (attempt.sessionIntervalRaised || attempt != current || aFinal) {
      return false;
    }
    Optional<SipRequest> again = SessionTimer.raised(attempt.invite, tooBrief, messages.via(attempt.destination.transport()));
    if (again.isEmpty()) {
      return false;
    }
    Attempt retry = new Attempt(attempt.number, attempt.destination, again.get());
    retry.sessionIntervalRaised = true;
    retry.answeredRealms = attempt.answeredRealms;
    retry.holdsCarrier = attempt.holdsCarrier;
    attempt.holdsCarrier = false;
    invites.remove(TransactionKey.client(attempt.invite)); // a stray 2xx with this Call-ID is the retry's
    invites.put(TransactionKey.client(retry.invite), retry);
    current = retry;
    timers.startSingleTimer(
        PROVISIONAL_TIMER, new ProvisionalTimeout(retry.number), provisionalTimeout());
    ctx.getLog().info("call {}: 422 from {}, INVITE again with Session-Expires {}", key,
        attempt.destination.carrier(), again.get().header(SipHeaders.SESSION_EXPIRES).map(e -> e.seconds()).orElse(0L));
    send(retry.invite, retry.destination.peer());
    return true;
  }

  // ---- transfers (RFC 3515, 3891, 3892, 4488) ---------------------------------------------

  /**
   * A REFER from {@code referrer} that Tandem carries out: 202 (with Refer-Sub: false when no
   * subscription was asked for), NOTIFY 100 Trying, then the new leg: routed like a call for a
   * blind transfer, toward the far leg of the dialog its Replaces names for an attended one.
   */
  private void onRefer(TransactionEvent.RequestReceived received, Dialog referrer) {
    SipRequest refer = received.request();
    if (transfer != null && !transfer.over) {
      received.transaction().respond(Responses.withToTag(refer, 491));
      return;
    }
    Optional<NameAddr> referTo = refer.header(SipHeaders.REFER_TO).toOptional();
    if (referTo.isEmpty()) {
      received.transaction().respond(Responses.builder(refer, 400)
          .status(400, "Missing or invalid Refer-To").build());
      return;
    }
    Uri target = referTo.get().uri();
    Optional<Replaces> replaces = Optional.empty();
    if (target instanceof SipUri sip) {
      Optional<String> raw = sip.headers().get("Replaces");
      if (raw.isPresent()) {
        replaces = readReplaces(raw.get());
        if (replaces.isEmpty()) {
          received.transaction().respond(Responses.builder(refer, 400)
              .status(400, "Invalid Replaces in Refer-To").build());
          return;
        }
      }
    } else if (!(target instanceof TelUri)) {
      received.transaction().respond(Responses.withToTag(refer, 416));
      return;
    }
    boolean notifies = !refer.headers().first(HeaderName.REFER_SUB).map(v -> v.trim().equalsIgnoreCase("false")).orElse(false);
    SipResponse.Builder accepted = Responses.builder(refer, 202);
    if (!notifies) {
      accepted.header(HeaderName.REFER_SUB, "false"); // RFC 4488 section 4: no subscription made
    }
    received.transaction().respond(accepted.build());
    refers++;
    transfer = new Transfer(referrer, partner(referrer), refer, refers == 1 ? 0 : refer.cseq().sequence(),
        notifies, target, replaces.orElse(null));
    ctx.getLog().info("call {}: REFER to {}{}", key, target, replaces.isPresent() ? " (attended)" : "");
    observe(new CallObserver.ReferReceived(key, target.toString(), replaces.isPresent()));
    notifyReferrer(100, "active;expires=" + context.settings().referSubscription().toSeconds());
    if (replaces.isPresent()) {
      context.manager().tell(new CallManager.FindDialog(replaces.get(), ctx.getSelf()));
    } else {
      routeTransfer();
    }
  }

  private static Optional<Replaces> readReplaces(String uriHeaderValue) {
    try {
      return Optional.of(SipHeaders.REPLACES.parse(Text.unescape(uriHeaderValue)).get(0));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** A blind transfer (or one whose Replaces names no call of Tandem's): the route of its target. */
  private void routeTransfer() {
    Uri target = transfer.target instanceof SipUri sip ? sip.withoutParamsAndHeaders() : transfer.target;
    RoutingDecision decision = context.routing().route(aInvite.toBuilder().requestUri(target).build());
    if (decision instanceof RoutingDecision.Reject reject) {
      transferFailed(reject.status());
      return;
    }
    transfer.hunt = new Hunt((RoutingDecision.Route) decision, userOf(target));
    nextTransferAttempt();
  }

  private static String userOf(Uri uri) {
    if (uri instanceof SipUri sip && sip.user() != null) {
      return sip.user();
    }
    return uri instanceof TelUri tel ? tel.number() : "";
  }

  private void nextTransferAttempt() {
    for (Optional<Hunt.Target> next = transfer.hunt.next(); next.isPresent(); next = transfer.hunt.next()) {
      Destination d = next.get().destination();
      if (!context.limits().tryAcquireCarrier(d.carrier())) {
        transfer.hunt.failed(503);
        continue;
      }
      attempts++;
      SipUri uri = d.requestUri(next.get().user());
      NameAddr to = NameAddr.of(uri.withoutParam("transport"));
      SipRequest invite = messages.transferInvite(uri, to, transfer.transferee.party, d.transport(), attempts,
          messages.newTag(), transfer.refer, transfer.transferee, transfer.replaces);
      startTransferAttempt(new Attempt(attempts, d, invite), true);
      return;
    }
    transferFailed(transfer.hunt.best());
  }

  private void startTransferAttempt(Attempt attempt, boolean holdsCarrier) {
    attempt.holdsCarrier = holdsCarrier;
    transfer.invites.put(TransactionKey.client(attempt.invite), attempt);
    transfer.current = attempt;
    timers.startSingleTimer(TRANSFER_TIMER, new TransferTimeout(attempt.number), context.settings().provisionalTimeout());
    ctx.getLog().debug("call {}: transfer attempt {} to {} ({})", key, attempt.number,
        attempt.destination.carrier(), attempt.destination.address());
    send(attempt.invite, attempt.destination.peer());
  }

  /** Another call asks which leg is across from the dialog {@code replaces} names. */
  private Behavior<Command> onDescribeDialog(DescribeDialog question) {
    Optional<FarLeg> far = Optional.empty();
    boolean busy = ended || (transfer != null && !transfer.over);
    for (Dialog leg : new Dialog[] {legA, legB}) {
      if (!busy && leg != null && leg.isNamedBy(question.replaces())) {
        Dialog across = partner(leg);
        String carrier = across == legB && answered != null ? answered.destination.carrier() : "call " + key;
        far = Optional.of(new FarLeg(across.callId, across.localTag(), across.remote, across.remoteTarget(),
            across.destination(), carrier));
      }
    }
    question.replyTo().tell(new ReplacedDialog(question.replaces(), far));
    return next();
  }

  /**
   * The far leg of the dialog an attended transfer's Replaces names: when it is another call's,
   * its peer gets an INVITE whose Replaces names the dialog that peer has with Tandem, so it
   * hangs that one up itself; else the Replaces goes to the routed target as written.
   */
  private Behavior<Command> onReplacedDialog(ReplacedDialog answer) {
    if (transfer == null || transfer.over || transfer.replaces != answer.replaces()) {
      return next();
    }
    if (answer.far().isEmpty()) {
      routeTransfer();
      return next();
    }
    FarLeg far = answer.far().get();
    Replaces theirs = new Replaces(far.callId(),
        Parameters.EMPTY.with("to-tag", far.remote().tag().orElse("")).with("from-tag", far.localTag()));
    Destination d = new Destination(far.carrier(), far.destination().protocol(), far.destination().remote());
    attempts++;
    SipRequest invite = messages.transferInvite(far.target(), far.remote().withoutParam("tag"), transfer.transferee.party,
        d.transport(), attempts, messages.newTag(), transfer.refer, transfer.transferee, theirs);
    startTransferAttempt(new Attempt(attempts, d, invite), false);
    return next();
  }

  /**
   * The referrer's BYE, once the NOTIFY with the target's 200 has its answer: sent together,
   * the BYE could overtake it over UDP and the referrer would never learn the outcome.
   */
  private void releaseReferrer() {
    if (!transfer.referrerGone && !transfer.referrerReleased) {
      transfer.referrerReleased = true;
      Dialog referrer = transfer.referrer;
      send(referrer.request(Method.BYE, messages.via(referrer.protocol())).build(), referrer.destination());
    }
  }

  /** The final NOTIFY was answered (or failed): after a success the referrer can go. */
  private void onFinalNotifyDone() {
    transfer.finalNotify = null;
    if (transfer.answered != null) {
      releaseReferrer();
    }
  }

  /** A response to one of the transfer's requests; false if it is none of them. */
  private boolean onTransferResponse(TransactionKey txKey, SipResponse response) {
    if (txKey.equals(transfer.finalNotify)) {
      if (response.statusCode() >= 200) {
        onFinalNotifyDone();
      }
      return true;
    }
    if (txKey.equals(transfer.repair)) {
      onRepairResponse(response);
      return true;
    }
    Attempt attempt = transfer.invites.get(txKey);
    if (attempt == null) {
      return false;
    }
    int status = response.statusCode();
    if (status < 200) {
      if (!attempt.provisional) {
        attempt.provisional = true;
        if (attempt == transfer.current) {
          timers.cancel(TRANSFER_TIMER);
        }
      }
      if (attempt.cancelPending) {
        attempt.cancelPending = false;
        send(LegMessages.cancel(attempt.invite), attempt.destination.peer());
      }
    } else if (status < 300) {
      onTransferAnswered(attempt, response);
    } else {
      releaseCarrier(attempt);
      if (attempt == transfer.current && !transfer.over) {
        timers.cancel(TRANSFER_TIMER);
        HuntPolicy.Outcome outcome = transfer.hunt == null ? HuntPolicy.Outcome.STOP : transfer.hunt.onFinal(status);
        if (outcome == HuntPolicy.Outcome.HUNT
            || (outcome == HuntPolicy.Outcome.REDIRECT
                && transfer.hunt.redirect(response, attempt.destination, userOf(transfer.target)))) {
          nextTransferAttempt();
        } else {
          transferFailed(status);
        }
      }
    }
    return true;
  }

  /** A timeout or transport failure of one of the transfer's requests; false if it is none of them. */
  private boolean onTransferFailure(TransactionKey txKey, int status) {
    if (txKey.equals(transfer.finalNotify)) {
      onFinalNotifyDone();
      return true;
    }
    if (txKey.equals(transfer.repair)) {
      ctx.getLog().warn("call {}: the transferee did not answer the re-INVITE ({}), ending the call", key, status);
      ended(200, CallObserver.Party.TANDEM, "transfer-failed");
      hangUp(null);
      return true;
    }
    Attempt attempt = transfer.invites.get(txKey);
    if (attempt == null) {
      return false;
    }
    releaseCarrier(attempt);
    if (attempt == transfer.current && !transfer.over) {
      timers.cancel(TRANSFER_TIMER);
      moveTransferOn(status);
    }
    return true;
  }

  private Behavior<Command> onTransferTimeout(TransferTimeout timeout) {
    Attempt attempt = transfer == null ? null : transfer.current;
    if (attempt != null && attempt.number == timeout.attempt() && !attempt.provisional && !transfer.over) {
      ctx.getLog().info("call {}: no provisional from transfer target {} within {}", key,
          attempt.destination.carrier(), context.settings().provisionalTimeout());
      releaseCarrier(attempt);
      moveTransferOn(408);
    }
    return next();
  }

  /** A timeout (408) or transport failure (503): the next destination, or the transfer fails. */
  private void moveTransferOn(int status) {
    if (transfer.hunt != null) {
      transfer.hunt.failed(status);
      nextTransferAttempt();
    } else {
      transferFailed(status);
    }
  }

  /**
   * The target answered: ACK it (its 2xx answered the transferee's SDP), NOTIFY 200 to the
   * referrer and BYE it, then re-INVITE the transferee with the target's SDP. The new leg takes
   * the referrer's place in the call.
   */
  private void onTransferAnswered(Attempt attempt, SipResponse ok) {
    if (attempt == transfer.answered && ok.toTag().equals(Optional.ofNullable(attempt.answeredTag))) {
      send(attempt.ack, attempt.ackTo); // a retransmitted 2xx: the ACK was lost
      return;
    }
    if (attempt != transfer.current || transfer.over || ended) {
      endUnwanted(attempt, ok);
      return;
    }
    timers.cancel(TRANSFER_TIMER);
    transfer.over = true;
    transfer.answered = attempt;
    observe(new CallObserver.TransferEnded(key, true, ok.statusCode()));
    attempt.answeredTag = ok.toTag().orElse(null);
    Dialog joined = Dialog.asUac(attempt.invite, ok, attempt.destination.peer());
    joined.party = attempt.invite.to();
    joined.noteSdp(ok);
    attempt.ack = joined.ack(attempt.invite.cseq().sequence(), messages.via(joined.protocol())).build();
    attempt.ackTo = joined.destination();
    send(attempt.ack, attempt.ackTo);
    ctx.getLog().info("call {}: transfer answered by {}, the call continues with the new leg", key,
        attempt.destination.carrier());
    notifyReferrer(200, "terminated;reason=noresource");
    Dialog referrer = transfer.referrer;
    released.add(referrer);
    if (transfer.finalNotify == null) {
      releaseReferrer(); // no NOTIFY to wait for (Refer-Sub: false)
    }
    if (legA == referrer) {
      legA = joined;
    } else {
      legB = joined;
    }
    SipRequest repair = messages.repairInvite(transfer.transferee, joined);
    transfer.repair = TransactionKey.client(repair);
    send(repair, transfer.transferee.destination());
  }

  /** The transferee's answer to the re-INVITE that gave it the target's SDP. */
  private void onRepairResponse(SipResponse response) {
    int status = response.statusCode();
    Dialog transferee = transfer.transferee;
    if (status >= 200 && status < 300) {
      if (transfer.repairAck == null) {
        transferee.noteSdp(response);
        transfer.repairAck = transferee.ack(response.cseq().sequence(), messages.via(transferee.protocol())).build();
      }
      send(transfer.repairAck, transferee.destination()); // again for a retransmitted 2xx
    } else if (status >= 300) {
      // Its media would still flow toward the referrer: a call that cannot be heard ends.
      ctx.getLog().warn("call {}: the transferee refused the new session ({}), ending the call", key, status);
      ended(200, CallObserver.Party.TANDEM, "transfer-failed");
      hangUp(null);
    }
  }

  /** The transfer failed with {@code status}: the referrer hears so, and the call stays as it was. */
  private void transferFailed(int status) {
    transfer.over = true;
    timers.cancel(TRANSFER_TIMER);
    ctx.getLog().info("call {}: transfer failed with {}, the call stays", key, status);
    observe(new CallObserver.TransferEnded(key, false, status));
    notifyReferrer(status, "terminated;reason=noresource");
    if (transfer.referrerGone) {
      hangUp(transfer.referrer); // nobody is left for the transferee to talk to
    }
  }

  /** The call ends during a transfer: its pending INVITE is cancelled (or ends when answered). */
  private void abandonTransfer() {
    if (transfer == null || transfer.over) {
      return;
    }
    transfer.over = true;
    timers.cancel(TRANSFER_TIMER);
    Attempt pending = transfer.current;
    if (pending != null) {
      if (pending.provisional) {
        send(LegMessages.cancel(pending.invite), pending.destination.peer());
      } else {
        pending.cancelPending = true;
      }
    }
  }

  private void notifyReferrer(int status, String state) {
    if (transfer.notifies && !transfer.referrerGone) {
      Dialog referrer = transfer.referrer;
      SipRequest notify = messages.referNotify(referrer, transfer.eventId, status, state);
      if (state.startsWith("terminated")) {
        transfer.finalNotify = TransactionKey.client(notify);
      }
      send(notify, referrer.destination());
    }
  }

  /** The leg of this call whose dialog has {@code callId}, or null. */
  private Dialog dialogOf(String callId) {
    if (legA != null && legA.callId.equals(callId)) {
      return legA;
    }
    return legB != null && legB.callId.equals(callId) ? legB : null;
  }

  private Dialog partner(Dialog leg) {
    return leg == legA ? legB : legA;
  }

  /** Leg A's final, generated by Tandem. */
  private Behavior<Command> finishA(int status) {
    aFinal = true;
    ended = true;
    aTransaction.respond(messages.finalToA(aInvite, aTag, status));
    return next();
  }

  private void send(SipRequest request, Peer destination) {
    if (!Method.ACK.equals(request.method())) {
      awaitingFinal.add(TransactionKey.client(request));
    }
    context.transactions().send(ctx, request, destination, events);
  }

  private void releaseCarrier(Attempt attempt) {
    if (attempt.holdsCarrier) {
      attempt.holdsCarrier = false;
      context.limits().releaseCarrier(attempt.destination.carrier());
    }
  }

  // ---- what the call tells its observer (CallObserver) -------------------------------------

  private void observe(CallObserver.Event event) {
    try {
      context.observer().on(event);
    } catch (RuntimeException e) {
      ctx.getLog().warn("call {}: the call observer failed on {}", key, event, e); // never the call's problem
    }
  }

  private void attemptEnded(Attempt attempt, int status, String failure) {
    if (!attempt.observedEnd) {
      attempt.observedEnd = true;
      observe(new CallObserver.AttemptEnded(key, attempt.number, attempt.destination.carrier(), status, failure));
    }
  }

  private void ringing(int status) {
    if (!ringObserved) {
      ringObserved = true;
      observe(new CallObserver.Ringing(key, status));
    }
  }

  private void ended(int status, CallObserver.Party by, String reason) {
    if (!endObserved) {
      endObserved = true;
      observe(new CallObserver.Ended(key, status, by, reason));
    }
  }

  /** The call ends because {@code leg} (if any) sent BYE. */
  private void byeFrom(Dialog leg) {
    if (leg != null) {
      ended(200, leg == legA ? CallObserver.Party.CALLER : CallObserver.Party.CALLEE, "bye");
    }
  }

  private Behavior<Command> next() {
    if (ended && awaitingFinal.isEmpty()) {
      invites.values().forEach(this::releaseCarrier);
      if (transfer != null) {
        transfer.invites.values().forEach(this::releaseCarrier);
      }
      ctx.getLog().debug("call {}: over", key);
      observe(new CallObserver.Closed(key));
      return Behaviors.stopped();
    }
    return this;
  }
}
