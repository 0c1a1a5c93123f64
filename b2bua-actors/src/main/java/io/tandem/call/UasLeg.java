package io.tandem.call;

import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.RAck;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.StatusCode;
import io.tandem.transaction.HandOver;
import io.tandem.transaction.Responses;
import io.tandem.transaction.ServerTransaction;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionUser;
import io.tandem.transport.Peer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leg A: the caller's INVITE, where Tandem is the UAS (RFC 3261 sections 12.1.1 and 13.3),
 * and then its dialog ({@link DialogLeg}).
 *
 * <pre>
 *   Proceeding --Respond 1xx--> provisional sent (reliably, RFC 3262: RSeq, retransmitted
 *       |                       until its PRACK, which goes up as PrackReceived)
 *       |--CANCEL--> 487, Cancelled, stopped                 (section 9.2)
 *       |--Respond 300-699--> final sent, stopped
 *       '--Respond 2xx--> Confirmed: 2xx retransmitted until the ACK (13.3.1.4), Acked;
 *                          no ACK within 64*T1: AckTimedOut; then the dialog
 * </pre>
 */
final class UasLeg extends DialogLeg {
  private static final Logger LOG = LoggerFactory.getLogger(UasLeg.class);

  /** A provisional sent reliably, until its PRACK, and the leg-B one it stands for. */
  private record Unacknowledged(Leg.PrackOf of, SipResponse response) {}

  private record RetransmitReliable(long rseq, Duration interval, Duration elapsed) implements Leg.Command {}

  private enum AckTimeout implements Leg.Command { INSTANCE }

  private static final String RELIABLE_TIMER = "reliable-1xx-";
  private static final String ACK_TIMER = "ack";

  private final ServerTransaction transaction;
  private final Peer source;
  private final String tag;
  private final boolean offersReliable;
  /** The INVITE, until its final is sent. */
  private SipRequest invite;
  private long inviteCseq;
  private boolean acked;
  private long rseq;
  private Map<Long, Unacknowledged> unacknowledged;

  /**
   * Leg A of the call {@code key}, for {@code invite}, with {@code tag} as Tandem's To tag; it
   * reports to {@code call}.
   */
  static Behavior<TransactionUser> create(TransactionEvent.RequestReceived invite, String tag, CallKey key,
      CallContext context, ActorRef<Call.Command> call) {
    HandOver<TransactionEvent.RequestReceived> handOver = new HandOver<>(invite); // not kept by the closure
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new UasLeg(ctx, timers, handOver.take(), tag, key, context, call)));
  }

  /**
   * Leg A of the call {@code key} brought back on this node ({@link Recovery}): its dialog as
   * {@code state} kept it, answered and (taken as) ACKed.
   */
  static Behavior<TransactionUser> restore(LegState state, CallKey key, CallContext context,
      ActorRef<Call.Command> call) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new UasLeg(ctx, timers, state, key, context, call)));
  }

  private UasLeg(ActorContext<TransactionUser> ctx, TimerScheduler<TransactionUser> timers,
      TransactionEvent.RequestReceived received, String tag, CallKey key, CallContext context,
      ActorRef<Call.Command> call) {
    super(ctx, timers, Leg.LEG_A, key, context, call, received.source().remote().getAddress());
    this.transaction = received.transaction();
    this.source = received.source();
    this.invite = received.request();
    this.inviteCseq = invite.cseq().sequence();
    this.tag = tag;
    this.offersReliable = LegMessages.offersReliableProvisionals(invite);
    transaction.handTo(events); // its CANCEL and a same-branch ACK come straight here
  }

  /**
   * Leg A of the call {@code key} brought back soon after its answer: its dialog as {@code state}
   * kept it, and its 2xx {@code ok} sent again in {@code adopted} (leg A's INVITE transaction,
   * here again) until the caller's ACK, which must come within {@code ackLeft} (what is left of
   * 64*T1 since the answer), or the call ends as any whose 2xx was never ACKed.
   */
  static Behavior<TransactionUser> restoreAnswering(LegState state, SipResponse ok, ServerTransaction adopted,
      Duration ackLeft, CallKey key, CallContext context, ActorRef<Call.Command> call) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      UasLeg leg = new UasLeg(ctx, timers, state, adopted, key, context, call);
      leg.answerAgain(ok, ackLeft);
      return leg;
    }));
  }

  private UasLeg(ActorContext<TransactionUser> ctx, TimerScheduler<TransactionUser> timers, LegState state,
      CallKey key, CallContext context, ActorRef<Call.Command> call) {
    this(ctx, timers, state, null, key, context, call);
  }

  private UasLeg(ActorContext<TransactionUser> ctx, TimerScheduler<TransactionUser> timers, LegState state,
      ServerTransaction adopted, CallKey key, CallContext context, ActorRef<Call.Command> call) {
    super(ctx, timers, Leg.LEG_A, key, context, call, state.fallbackAddress().getAddress());
    this.transaction = adopted;
    this.source = adopted == null ? null : adopted.source();
    this.inviteCseq = state.inviteCseq();
    this.offersReliable = false;
    this.acked = adopted == null; // taken as ACKed: an ACK that comes yet is the dialog's, and changes nothing
    dialog = Dialog.restore(state, context.settings().sessionTimer());
    this.tag = dialog.localTag();
    sessions.arm(dialog);
  }

  /** Brought back: the 2xx the caller may not have had, until its ACK (section 13.3.1.4). */
  private void answerAgain(SipResponse ok, Duration ackLeft) {
    transaction.handTo(events);
    transaction.respond(ok);
    awaited.await(AwaitedAck.INVITE, transaction, ok);
    timers.startSingleTimer(ACK_TIMER, AckTimeout.INSTANCE, ackLeft);
    LOG.info("call {}: brought back soon after its answer: its 2xx to the caller again, until the ACK", key);
  }

  @Override
  public Behavior<TransactionUser> onMessage(TransactionUser message) {
    if (message instanceof TransactionEvent.RequestReceived r && Method.PRACK.equals(r.request().method())) {
      onPrack(r.request(), r.transaction());
      return this;
    }
    if (message instanceof RetransmitReliable r) {
      onRetransmitReliable(r);
      return this;
    }
    return dialog == null ? proceeding(message) : accepted(message);
  }

  // ---- Proceeding -------------------------------------------------------------------------

  private Behavior<TransactionUser> proceeding(TransactionUser message) {
    if (message instanceof Leg.Respond r) {
      return respond(r);
    } else if (message instanceof TransactionEvent.CancelReceived) {
      // Section 9.2: the layer answered the CANCEL 200; the INVITE gets 487.
      LOG.info("call {}: cancelled by the caller", key);
      transaction.respond(messages.finalToA(invite, tag, 487));
      invite = null;
      call.tell(new Leg.Cancelled(number));
      return stop();
    } else if (message instanceof TransactionEvent.RequestReceived r) {
      r.transaction().respond(Responses.withToTag(r.request(), 481)); // no dialog yet
    } else if (message instanceof Leg.RelayAnswer || message instanceof Leg.Reply) {
      return confirmed(message); // the answer to a PRACK that crossed
    }
    return this;
  }

  private Behavior<TransactionUser> respond(Leg.Respond r) {
    int status = r.status();
    SipResponse toA = r.fromOther() == null ? messages.finalToA(invite, tag, status)
        : messages.relayToA(invite, tag, r.fromOther(), source.protocol());
    if (r.fromOther() != null && status != r.fromOther().statusCode()) {
      toA = toA.toBuilder().status(status, StatusCode.reasonPhrase(status)).build();
    }
    if (status < 200) {
      if (r.reliable() != null && offersReliable) {
        relayReliably(toA, r.reliable());
      } else {
        transaction.respond(toA);
      }
      return this;
    }
    if (status < 300) {
      answer(toA);
      return this;
    }
    transaction.respond(toA);
    invite = null;
    return stop();
  }

  /** The 2xx: leg A's dialog (section 12.1.1), its session (RFC 4028 section 9), its ACK awaited. */
  private void answer(SipResponse toA) {
    dialog = Dialog.asUas(invite, tag, source);
    dialog.sessionTimer = SessionTimer.asUas(invite, context.settings().sessionTimer());
    SipResponse ok = SessionTimers.withSession(dialog, toA);
    dialog.noteSent(ok);
    invite = null;
    clearUnacknowledged(); // the 2xx supersedes any provisional still unacknowledged
    sessions.arm(dialog);
    transaction.respond(ok);
    awaited.await(AwaitedAck.INVITE, transaction, ok);
    timers.startSingleTimer(ACK_TIMER, AckTimeout.INSTANCE, context.timers().sixtyFourT1());
    call.tell(new Leg.Confirmed(number, view()));
  }

  // ---- reliable provisionals (RFC 3262) ------------------------------------------------------

  /** Section 3: the provisional goes to leg A reliably, with leg A's own RSeq. */
  private void relayReliably(SipResponse toA, Leg.PrackOf of) {
    long r = ++rseq;
    SipResponse reliable = toA.toBuilder()
        .header(HeaderName.REQUIRE, "100rel")
        .header(HeaderName.RSEQ, Long.toString(r))
        .build();
    if (unacknowledged == null) {
      unacknowledged = new HashMap<>(4);
    }
    unacknowledged.put(r, new Unacknowledged(of, reliable));
    transaction.respond(reliable);
    if (!source.reliable()) {
      Duration t1 = context.timers().t1();
      timers.startSingleTimer(RELIABLE_TIMER + r, new RetransmitReliable(r, t1, t1), t1);
    }
  }

  private void onRetransmitReliable(RetransmitReliable r) {
    Unacknowledged pending = unacknowledged == null ? null : unacknowledged.get(r.rseq());
    if (pending == null || invite == null) {
      return;
    }
    transaction.respond(pending.response());
    Duration next = r.interval().multipliedBy(2); // section 3: no T2 cap
    Duration elapsed = r.elapsed().plus(next);
    if (elapsed.compareTo(context.timers().sixtyFourT1()) < 0) {
      timers.startSingleTimer(RELIABLE_TIMER + r.rseq(), new RetransmitReliable(r.rseq(), next, elapsed), next);
    } else {
      unacknowledged.remove(r.rseq());
    }
  }

  /** Section 4: leg A's PRACK for a provisional Tandem sent reliably, up to the call; else 481. */
  private void onPrack(SipRequest prack, ServerTransaction tx) {
    Optional<RAck> rack = prack.header(SipHeaders.RACK).toOptional();
    Unacknowledged pending = rack.isEmpty() || unacknowledged == null ? null : unacknowledged.remove(rack.get().rseq());
    if (pending == null) {
      tx.respond(Responses.withToTag(prack, 481));
      return;
    }
    timers.cancel(RELIABLE_TIMER + rack.get().rseq());
    call.tell(new Leg.PrackReceived(number, pending.of(), prack, hold(prack, tx)));
  }

  private void clearUnacknowledged() {
    if (unacknowledged != null) {
      unacknowledged.keySet().forEach(r -> timers.cancel(RELIABLE_TIMER + r));
      unacknowledged = null;
    }
  }

  // ---- Confirmed ------------------------------------------------------------------------------

  private Behavior<TransactionUser> accepted(TransactionUser message) {
    if (message instanceof TransactionEvent.AckReceived a && !acked && a.ack().cseq().sequence() == inviteCseq) {
      acked = true;
      awaited.onAck(a.ack());
      timers.cancel(ACK_TIMER);
      call.tell(new Leg.Acked(number, a.ack()));
      return this;
    }
    if (message == AckTimeout.INSTANCE) {
      if (!acked && !hangingUp) {
        // Section 13.3.1.4: no ACK within 64*T1 - the dialog is ended with BYE.
        LOG.warn("call {}: no ACK from the caller within 64*T1, ending both legs", key);
        call.tell(new Leg.AckTimedOut(number));
      }
      return this;
    }
    return confirmed(message);
  }

  /** Stopped without a final (its call stopped): the caller is not left waiting. */
  @Override
  void stopped() {
    if (invite != null) {
      transaction.respond(messages.finalToA(invite, tag, 500));
      invite = null;
    }
  }
}
