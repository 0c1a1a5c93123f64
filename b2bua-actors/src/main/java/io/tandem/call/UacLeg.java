package io.tandem.call;

import io.tandem.routing.Destination;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.RAck;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transaction.HandOver;
import io.tandem.transaction.Responses;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionKey;
import io.tandem.transaction.TransactionUser;
import io.tandem.transport.Inbound;
import java.util.Objects;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INVITE Tandem sends (a leg-B attempt, a transfer target), where Tandem is the UAC (RFC
 * 3261 sections 12.1.2 and 13.2), and then its dialog ({@link DialogLeg}).
 *
 * <pre>
 *   Calling --1xx--> Progressed (a reliable one waits for the call's Prack; an early dialog)
 *      |--401/407 it can answer, 422 once--> the INVITE again, Retried  (22.2; RFC 4028 7.3)
 *      |--300-699, Timer B, transport error--> Refused, stopped
 *      |--Cancel--> CANCEL now, or at the first provisional (9.1)
 *      '--2xx--> ACK (unless a late offer waits for the call's Ack), Answered, the dialog
 *   abandoned or cancelled, a 2xx: ACK and BYE, stopped at the BYE's answer (section 15)
 * </pre>
 */
final class UacLeg extends DialogLeg {
  private static final Logger LOG = LoggerFactory.getLogger(UacLeg.class);

  private final Destination destination;
  private final CarrierAuth auth;
  /** The INVITE in flight: a new one after a challenge or a 422; let go once answered. */
  private SipRequest invite;
  private TransactionKey inviteKey;
  private long inviteCseq;
  private boolean provisional;
  private boolean cancelPending;
  /** The call wants this INVITE no more: no retry; a 2xx gets ACK and BYE. */
  private boolean abandoned;
  private boolean sessionIntervalRaised;
  /** The early dialog of its reliable provisionals (RFC 3262), where PRACKs go. */
  private Dialog early;
  private long lastRseq;
  /** The answered 2xx's To tag, and the 2xx while its late-offer ACK waits for the call. */
  private String answeredTag;
  private boolean lateOffer;
  /** The 2xx's ACK waits for the call's state to be kept ({@link Leg.Kept}): replicated calls only. */
  private boolean ackAfterKept;
  /**
   * Brought back on this node ({@link #restore}, {@link #adopt}): the ACK of its 2xx may have
   * gone from another node, whose transaction layer would have sent it again; a 2xx that comes
   * again gets it from here, and a non-2xx final that no transaction here takes is ACKed here.
   */
  private boolean restored;

  /** Leg {@code number} of the call {@code key}: sends {@code invite} to {@code destination} at once. */
  static Behavior<TransactionUser> create(int number, SipRequest invite, Destination destination, CallKey key,
      CallContext context, ActorRef<Call.Command> call) {
    HandOver<SipRequest> handOver = new HandOver<>(invite); // not kept by the closure
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new UacLeg(ctx, timers, number, handOver.take(), destination, key, context, call)));
  }

  private UacLeg(ActorContext<TransactionUser> ctx, TimerScheduler<TransactionUser> timers, int number,
      SipRequest invite, Destination destination, CallKey key, CallContext context, ActorRef<Call.Command> call) {
    this(ctx, timers, number, invite, destination, key, context, call, false);
  }

  /** With {@code adopted}, {@code invite} went from another node: it goes again only if need be. */
  private UacLeg(ActorContext<TransactionUser> ctx, TimerScheduler<TransactionUser> timers, int number,
      SipRequest invite, Destination destination, CallKey key, CallContext context, ActorRef<Call.Command> call,
      boolean adopted) {
    super(ctx, timers, number, key, context, call, destination.address().getAddress());
    this.destination = destination;
    this.auth = new CarrierAuth(destination.credentials());
    if (adopted) {
      this.restored = true;
      takeInvite(invite);
      // The INVITE went from the other node before it was gone, and most likely rang: a CANCEL
      // goes at once rather than waiting for a provisional (section 9.1) the carrier sends
      // only when the INVITE comes again. (It never got the INVITE? Then it answers 481.)
      provisional = true;
      context.transactions().adoptClientInvite(getContext(), invite, destination.peer(), events);
    } else {
      sendInvite(invite);
    }
  }

  /**
   * Leg {@code number} of the call {@code key} brought back on this node ({@link Recovery}):
   * its dialog as {@code state} kept it, confirmed and ACKed; it sends nothing until asked.
   */
  static Behavior<TransactionUser> restore(int number, LegState state, Destination destination, CallKey key,
      CallContext context, ActorRef<Call.Command> call) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new UacLeg(ctx, timers, number, state, destination, key, context, call)));
  }

  /**
   * Leg {@code number} of a ringing call brought back on this node ({@link Recovery}): its
   * {@code invite} went from another node (or was about to). A client transaction here takes
   * the carrier's answer to it, and sends it again, the same request, unless a response comes
   * within two T2s (the carrier's answer sent again, {@link
   * io.tandem.transaction.ClientTransactions#adoptClientInvite}): to the carrier a
   * retransmission, answered with its last provisional (section 17.2.1). A response the
   * transaction no longer takes (a 2xx again, a final after it ended) reaches the leg as a
   * stray, and a non-2xx final is acknowledged by the leg.
   */
  static Behavior<TransactionUser> adopt(int number, SipRequest invite, Destination destination, CallKey key,
      CallContext context, ActorRef<Call.Command> call) {
    HandOver<SipRequest> handOver = new HandOver<>(invite);
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new UacLeg(ctx, timers, number, handOver.take(), destination, key, context, call, true)));
  }

  private UacLeg(ActorContext<TransactionUser> ctx, TimerScheduler<TransactionUser> timers, int number,
      LegState state, Destination destination, CallKey key, CallContext context, ActorRef<Call.Command> call) {
    super(ctx, timers, number, key, context, call, destination.address().getAddress());
    this.destination = destination;
    this.auth = new CarrierAuth(destination.credentials());
    this.inviteCseq = state.inviteCseq();
    this.restored = true;
    dialog = Dialog.restore(state, context.settings().sessionTimer());
    answeredTag = dialog.remoteTag();
    sessions.arm(dialog);
  }

  private void sendInvite(SipRequest request) {
    takeInvite(request);
    send(request, destination.peer());
  }

  private void takeInvite(SipRequest request) {
    invite = request;
    inviteKey = TransactionKey.client(request);
    inviteCseq = request.cseq().sequence();
    provisional = false;
    early = null;
    lastRseq = 0;
  }

  @Override
  public Behavior<TransactionUser> onMessage(TransactionUser message) {
    if (message instanceof TransactionEvent.ResponseReceived r && r.key().equals(inviteKey)) {
      return onInviteResponse(r.response());
    }
    if (message instanceof TransactionEvent.StrayResponseReceived s && s.response().callId().equals(invite == null
        ? dialog.callId : invite.callId())) {
      if (restored && invite != null
          && context.transactions().receiveIfMatched(new Inbound(s.response(), s.source()))) {
        // It came while the call was brought back, before the adopted INVITE transaction
        // existed: that transaction takes it (and sends no INVITE after the carrier's answer).
        return this;
      }
      if (restored && invite != null && s.response().statusCode() >= 300) {
        // No client transaction here to acknowledge a non-2xx final (section 17.1.1.3): the leg does.
        send(io.tandem.transaction.ClientInviteTransaction.ackFor(invite, s.response()), destination.peer());
      }
      return onInviteResponse(s.response()); // a 2xx after Timer M, or one brought back ringing
    }
    return dialog == null ? calling(message) : answered(message);
  }

  // ---- Calling, Proceeding ------------------------------------------------------------------

  private Behavior<TransactionUser> calling(TransactionUser message) {
    if (message instanceof TransactionEvent.TimedOut t && t.key().equals(inviteKey)) {
      return refused(408, null, "timeout"); // Timer B (section 17.1.1.2)
    } else if (message instanceof TransactionEvent.TransportFailed f && f.key().equals(inviteKey)) {
      return refused(503, null, "transport"); // section 16.9: a transport error counts as 503
    } else if (message instanceof Leg.Cancel || message instanceof Leg.HangUp) {
      abandoned = true;
      if (provisional) {
        send(LegMessages.cancel(invite), destination.peer());
      } else {
        cancelPending = true; // section 9.1: a CANCEL waits for a provisional
      }
    } else if (message instanceof Leg.Abandon) {
      abandoned = true;
    } else if (message instanceof Leg.Prack p) {
      prack(p);
    } else if (message instanceof TransactionEvent.RequestReceived r) {
      r.transaction().respond(Responses.withToTag(r.request(), 481)); // no dialog yet
    } else if (message instanceof TransactionEvent.ResponseReceived r) {
      return onResponse(r.key(), r.response()); // a PRACK's answer; a CANCEL's is nothing to act on
    } else if (message instanceof TransactionEvent.TimedOut t) {
      return onFailure(t.key(), 408);
    } else if (message instanceof TransactionEvent.TransportFailed f) {
      return onFailure(f.key(), 503);
    }
    return this;
  }

  private Behavior<TransactionUser> onInviteResponse(SipResponse response) {
    int status = response.statusCode();
    if (status < 200) {
      onProvisional(response);
      return this;
    }
    if (status < 300) {
      return onSuccess(response);
    }
    return dialog == null ? onFailure(response) : this; // RFC 6026: nothing but a 2xx after a 2xx
  }

  private void onProvisional(SipResponse response) {
    if (dialog != null) {
      return;
    }
    boolean first = !provisional;
    provisional = true;
    boolean reliable = LegMessages.isReliable(response);
    if (reliable) {
      long rseq = response.header(SipHeaders.RSEQ).value();
      if (rseq <= lastRseq) {
        return; // RFC 3262 section 4: a retransmission, already taken (and PRACKed)
      }
      lastRseq = rseq;
      if (early == null) {
        early = Dialog.asUac(invite, response, destination.peer());
      }
    }
    if (cancelPending) {
      cancelPending = false;
      send(LegMessages.cancel(invite), destination.peer()); // section 9.1: now it may go
    }
    if (abandoned) {
      if (reliable) {
        prack(new Leg.Prack(lastRseq, response.cseq().sequence(), null, 0)); // nobody else will
      }
    } else if (first || response.statusCode() > 100) {
      call.tell(new Leg.Progressed(number, response, reliable));
    }
  }

  /**
   * RFC 3262 section 7.2: a PRACK in the early dialog for a reliable provisional, with leg A's
   * body when it is leg A's crossing (its RAck rewritten to this leg's RSeq).
   */
  private void prack(Leg.Prack p) {
    if (early == null) {
      return;
    }
    SipRequest.Builder b = early.request(Method.PRACK, messages.via(destination.transport()))
        .header(HeaderName.RACK, new RAck(p.rseq(), p.cseq(), Method.INVITE));
    if (p.fromA() != null && p.fromA().bodyLength() > 0) {
      p.fromA().contentType().ifPresent(t -> b.body(t, p.fromA().body()));
    }
    SipRequest prack = b.build();
    expectAnswer(p.relayId(), prack);
    send(prack, early.destination());
  }

  private Behavior<TransactionUser> onSuccess(SipResponse ok) {
    if (dialog != null) {
      if (!Objects.equals(ok.toTag().orElse(null), answeredTag)) {
        endUnwanted(Dialog.forkOf(dialog, ok, destination.peer())); // another fork: section 13.2.2.4
      }
      if (restored && !hangingUp) {
        send(dialog.ack(inviteCseq, ackVia()).build(), dialog.destination());
      }
      return this; // the same 2xx again before its ACK: the ACK is on its way
    }
    if (abandoned) {
      LOG.info("call {}: unwanted 2xx from {}, ACK and BYE", key, destination.carrier());
      dialog = Dialog.asUac(invite, ok, destination.peer());
      answeredTag = ok.toTag().orElse(null);
      acked(inviteKey, dialog.ack(inviteCseq, ackVia()).build());
      hangUp();
      return this;
    }
    dialog = Dialog.asUac(invite, ok, destination.peer());
    if (early != null) {
      dialog.continueAfter(early);
      early = null;
    }
    dialog.noteSent(invite);
    dialog.sessionTimer = SessionTimer.asUac(invite, ok, context.settings().sessionTimer());
    answeredTag = ok.toTag().orElse(null);
    lateOffer = invite.bodyLength() == 0 && ok.bodyLength() > 0;
    invite = null;
    // The ACK moves the carrier's dialog on: with replication it goes once the answered state
    // is kept, so that a node bringing the call back never finds it ringing after the carrier
    // had its ACK (it would INVITE the carrier again).
    ackAfterKept = !lateOffer && context.store().replicates();
    if (!lateOffer && !ackAfterKept) {
      ackInvite(null);
    }
    sessions.arm(dialog);
    call.tell(new Leg.Answered(number, ok, view(), context.store().replicates() ? dialog.state(inviteCseq) : null));
    return this;
  }

  /** Another fork's 2xx, which nobody wants (RFC 3261 section 15): acknowledged, then hung up. */
  private void endUnwanted(Dialog unwanted) {
    send(unwanted.ack(inviteCseq, messages.via(destination.transport())).build(), unwanted.destination());
    SipRequest bye = unwanted.request(Method.BYE, messages.via(destination.transport())).build();
    expectAnswer(0, bye);
    send(bye, unwanted.destination());
  }

  private Behavior<TransactionUser> onFailure(SipResponse response) {
    int status = response.statusCode();
    if (!abandoned && status == 422 && !sessionIntervalRaised) {
      Optional<SipRequest> again = SessionTimer.raised(invite, response, messages.via(destination.transport()));
      if (again.isPresent()) {
        sessionIntervalRaised = true;
        LOG.info("call {}: 422 from {}, INVITE again with Session-Expires {}", key,
            destination.carrier(), again.get().header(SipHeaders.SESSION_EXPIRES).map(e -> e.seconds()).orElse(0L));
        return retry(again.get());
      }
    }
    if (!abandoned && CarrierAuth.isChallenge(status)) {
      Optional<SipRequest> again = auth.answer(invite, response, messages.via(destination.transport()));
      if (again.isPresent()) {
        LOG.info("call {}: {} from {}, INVITE again with credentials", key, status,
            destination.carrier());
        return retry(again.get());
      }
    }
    return refused(status, response, null);
  }

  /** Section 22.2, RFC 4028 section 7.3: the same INVITE in a new transaction of this leg. */
  private Behavior<TransactionUser> retry(SipRequest again) {
    sendInvite(again);
    call.tell(new Leg.Retried(number));
    return this;
  }

  private Behavior<TransactionUser> refused(int status, SipResponse response, String failure) {
    call.tell(new Leg.Refused(number, status, response, failure));
    return stop();
  }

  // ---- answered ---------------------------------------------------------------------------

  private Behavior<TransactionUser> answered(TransactionUser message) {
    if (message instanceof Leg.Kept) {
      if (ackAfterKept) {
        ackInvite(null);
      }
      return this;
    }
    if (ackAfterKept && (message instanceof Leg.Command || message instanceof TransactionEvent.RequestReceived)) {
      ackInvite(null); // whatever comes next in the dialog (a BYE, a re-INVITE), the ACK goes first
    }
    if (message instanceof Leg.Ack a && a.relayId() == 0) {
      if (lateOffer) {
        ackInvite(a.fromOther()); // the ACK carries leg A's answer to this leg's offer
      }
      return this;
    }
    if (message instanceof Leg.HangUp && lateOffer) {
      ackInvite(null); // the ACK this leg owes goes first
    }
    if (message instanceof Leg.Cancel || message instanceof Leg.Abandon) {
      return this; // too late: the call hangs up a 2xx it does not want
    }
    return confirmed(message);
  }

  private io.tandem.sip.message.Via ackVia() {
    return messages.ackVia(destination.transport(), dialog.callId, inviteCseq);
  }

  /** The ACK of this leg's 2xx (section 13.2.2.4); with a late offer, leg A's answer in it. */
  private void ackInvite(SipRequest fromA) {
    lateOffer = false;
    ackAfterKept = false;
    SipRequest.Builder b = dialog.ack(inviteCseq, ackVia());
    if (fromA != null && fromA.bodyLength() > 0) {
      fromA.contentType().ifPresent(t -> b.body(t, fromA.body()));
    }
    acked(inviteKey, b.build());
  }
}
