package io.tandem.call;

import io.tandem.sip.message.MessageBuilder;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transaction.Responses;
import io.tandem.transaction.ServerTransaction;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionKey;
import io.tandem.transaction.TransactionUser;
import io.tandem.transport.Peer;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.javadsl.AbstractMatchingBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both legs do once their dialog is confirmed (RFC 3261 sections 12 to 15): requests from
 * the peer go up to the call (BYE is answered here, a second offer gets 491, a too-short
 * session 422), requests the call relays go out with this dialog's identifiers and their
 * answers come back up, the 2xx this leg gives a re-INVITE is retransmitted until its ACK, and
 * the leg's RFC 4028 session timer runs here ({@link SessionTimers}).
 *
 * <pre>
 *   peer --request--> leg --RequestReceived(txId)--> call ... --RelayAnswer(txId)--> leg --> peer
 *   call --Relay(relayId)--> leg --request--> peer ... --RelayAnswered(relayId)--> call
 *   call --HangUp--> leg --BYE--> peer; the leg stops at its answer
 *   peer --BYE--> leg: 200, ByeReceived to the call, the leg stops
 * </pre>
 *
 * <p>When the leg stops, every request it handed up and still holds is answered (481, or 487
 * for an INVITE), so that no server transaction waits on a leg that is gone.
 */
abstract class DialogLeg extends AbstractMatchingBehavior<TransactionUser> {
  private static final Logger LOG = LoggerFactory.getLogger(DialogLeg.class);

  /** A request handed up, until the call has it answered. */
  private record Pending(ServerTransaction transaction, SipRequest request) {}

  /** A request the call had this leg send, until its final (and, for an INVITE's 2xx, its ACK). */
  private record Outgoing(int relayId, SipRequest request, SipResponse answered) {}

  final int number;
  final CallKey key;
  final CallContext context;
  final LegMessages messages;
  final ActorRef<Call.Command> call;
  final TimerScheduler<TransactionUser> timers;
  /** Where this leg's transactions report: the leg itself, with no adapter between. */
  final ActorRef<TransactionEvent> events;
  final SessionTimers sessions;
  /** The confirmed dialog, or null before it. */
  Dialog dialog;
  /** BYE sent: the leg stops at its answer. */
  boolean hangingUp;

  private int lastTxId;
  private Map<Integer, Pending> pending;
  private Map<TransactionKey, Outgoing> outgoing;
  /** The 2xx this leg gave an INVITE, until its ACK. */
  final AwaitedAck awaited;

  /** @param peer the address of this leg's peer (caller or carrier): Via and Contact name Tandem in its family */
  DialogLeg(ActorContext<TransactionUser> ctx, TimerScheduler<TransactionUser> timers, int number,
      CallKey key, CallContext context, ActorRef<Call.Command> call, java.net.InetAddress peer) {
    super(ctx);
    this.number = number;
    this.key = key;
    this.context = context;
    this.messages = new LegMessages(key, context.settings(), context.local(), peer);
    this.call = call;
    this.timers = timers;
    this.events = ctx.getSelf().narrow();
    this.awaited = new AwaitedAck(timers, context.timers());
    this.sessions = new SessionTimers(key, context.settings().sessionTimer(), messages, timers, LOG,
        new Session());
    context.legs().started();
  }

  /** This leg's dialog as the session timers see it. */
  private final class Session implements SessionTimers.Legs {
    @Override
    public Dialog leg(String callId) {
      return hangingUp || dialog == null || !dialog.callId.equals(callId) ? null : dialog;
    }

    @Override
    public void offer(Dialog leg, MessageBuilder<?> refresh) {
      leg.copySent(refresh);
    }

    @Override
    public boolean offerInProgress(Dialog leg) {
      return DialogLeg.this.offerInProgress();
    }

    @Override
    public void send(SipRequest request, Peer destination) {
      DialogLeg.this.send(request, destination);
    }

    @Override
    public void end() {
      call.tell(new Leg.SessionEnded(number));
    }
  }

  /** The confirmed state: everything but what the leg's INVITE phase took first. */
  final Behavior<TransactionUser> confirmed(TransactionUser message) {
    if (message instanceof TransactionEvent.RequestReceived r) {
      return onRequest(r.request(), r.transaction());
    } else if (message instanceof TransactionEvent.AckReceived a) {
      onAck(a.ack());
    } else if (message instanceof TransactionEvent.ResponseReceived r) {
      return onResponse(r.key(), r.response());
    } else if (message instanceof TransactionEvent.TimedOut t) {
      return onFailure(t.key(), 408);
    } else if (message instanceof TransactionEvent.TransportFailed f) {
      return onFailure(f.key(), 503);
    } else if (message instanceof TransactionEvent.Terminated t) {
      sessions.onTerminated(t.key());
    } else if (message instanceof Leg.Relay r) {
      relay(r);
    } else if (message instanceof Leg.RelayAnswer a) {
      relayAnswer(a);
    } else if (message instanceof Leg.Reply r) {
      reply(r.txId(), r.response());
    } else if (message instanceof Leg.Ack a) {
      ack(a);
    } else if (message instanceof Leg.Notify n) {
      sendForCall(n.relayId(), messages.referNotify(dialog, n.eventId(), n.status(), n.state()));
    } else if (message instanceof Leg.Reoffer r) {
      sendForCall(-r.relayId(), messages.repairInvite(dialog, Sdp.of(r.offer()))); // ACKed here
    } else if (message instanceof Leg.HangUp) {
      hangUp();
    } else if (message instanceof SessionTimers.Refresh r) {
      sessions.onRefreshDue(r);
    } else if (message instanceof SessionTimers.Expiry e) {
      sessions.onExpiry(e);
    } else {
      awaited.onTimer(message);
    }
    return this;
  }

  // ---- requests from the peer -----------------------------------------------------------

  private Behavior<TransactionUser> onRequest(SipRequest request, ServerTransaction tx) {
    Method method = request.method();
    if (Method.BYE.equals(method)) {
      tx.respond(Responses.withToTag(request, 200));
      LOG.debug("call {}: BYE from {}", key, dialog.callId);
      call.tell(new Leg.ByeReceived(number));
      return stop();
    }
    if (hangingUp) {
      tx.respond(Responses.withToTag(request, 481));
      return this;
    }
    Optional<SipResponse> tooBrief = dialog.sessionTimer != null && SessionTimers.isRefresh(method)
        ? sessions.tooBrief(request, null) : Optional.empty();
    if (tooBrief.isPresent()) {
      tx.respond(tooBrief.get()); // RFC 4028 section 9
      return this;
    }
    boolean offer = Method.INVITE.equals(method) || (Method.UPDATE.equals(method) && request.bodyLength() > 0);
    if (offer && offerInProgress()) {
      // RFC 3261 section 14.1 and RFC 3311 section 5.2: one offer at a time in a dialog; the
      // later one is refused with 491 and its sender retries after a random wait.
      tx.respond(Responses.withToTag(request, 491));
      return this;
    }
    if (SessionTimers.isRefresh(method)) {
      dialog.refreshTarget(request);
    }
    handUp(request, tx);
    return this;
  }

  /** Hands {@code request} up to the call, to be answered by {@link Leg.RelayAnswer} or {@link Leg.Reply}. */
  final void handUp(SipRequest request, ServerTransaction tx) {
    call.tell(new Leg.RequestReceived(number, request, hold(request, tx)));
  }

  /** Keeps {@code tx} until the call has {@code request} answered; its id. */
  final int hold(SipRequest request, ServerTransaction tx) {
    if (pending == null) {
      pending = new HashMap<>(4);
    }
    int txId = ++lastTxId;
    pending.put(txId, new Pending(tx, request));
    return txId;
  }

  /** The ACK of a 2xx this leg gave a re-INVITE goes up to the call, for the other leg's. */
  private void onAck(SipRequest ack) {
    int txId = awaited.onAck(ack);
    if (txId > AwaitedAck.INVITE) {
      call.tell(new Leg.ReInviteAcked(number, txId, ack));
    }
  }

  private void relayAnswer(Leg.RelayAnswer answer) {
    Pending p = pending == null ? null : pending.get(answer.txId());
    if (p == null) {
      return;
    }
    SipResponse copy = messages.relayResponse(p.request(), answer.answer(), p.transaction().source().protocol());
    if (dialog != null) { // a PRACK before leg A's 2xx has no dialog yet
      copy = sessions.grantedByRelay(dialog, p.request(), copy);
      dialog.noteSent(copy);
    }
    respond(answer.txId(), p, copy);
    if (Method.INVITE.equals(p.request().method()) && copy.statusCode() >= 200 && copy.statusCode() < 300) {
      awaited.await(answer.txId(), p.transaction(), copy);
    }
  }

  private void reply(int txId, SipResponse response) {
    Pending p = pending == null ? null : pending.get(txId);
    if (p != null) {
      respond(txId, p, response);
    }
  }

  private void respond(int txId, Pending p, SipResponse response) {
    p.transaction().respond(response);
    if (response.statusCode() >= 200) {
      pending.remove(txId);
    }
  }

  // ---- requests the call has this leg send ------------------------------------------------

  private void relay(Leg.Relay r) {
    SipRequest sent = SessionTimers.withSession(dialog, messages.relay(r.fromOther(), dialog, dialog.protocol()));
    sendForCall(r.relayId(), sent);
  }

  private void sendForCall(int relayId, SipRequest request) {
    dialog.noteSent(request);
    expectAnswer(relayId, request);
    send(request, dialog.destination());
  }

  /** Tracks {@code request} so that its answer goes up to the call as {@code relayId}. */
  final void expectAnswer(int relayId, SipRequest request) {
    if (outgoing == null) {
      outgoing = new HashMap<>(4);
    }
    outgoing.put(TransactionKey.client(request), new Outgoing(relayId, request, null));
  }

  private void ack(Leg.Ack a) {
    if (outgoing == null) {
      return;
    }
    for (Map.Entry<TransactionKey, Outgoing> e : outgoing.entrySet()) {
      Outgoing o = e.getValue();
      if (o.relayId() == a.relayId() && o.answered() != null) {
        SipRequest.Builder b = dialog.ack(o.request().cseq().sequence(), messages.via(dialog.protocol()));
        if (a.fromOther() != null && a.fromOther().bodyLength() > 0) {
          a.fromOther().contentType().ifPresent(t -> b.body(t, a.fromOther().body()));
        }
        acked(e.getKey(), b.build());
        outgoing.remove(e.getKey());
        return;
      }
    }
  }

  /**
   * {@code ack} is sent for the 2xx of the INVITE of {@code invite}; the INVITE's record in
   * the transaction layer sends it again if that 2xx comes again, this leg or not.
   */
  final void acked(TransactionKey invite, SipRequest ack) {
    dialog.noteSent(ack);
    Peer to = dialog.destination();
    context.transactions().acked(invite, ack, to);
    send(ack, to);
  }

  final Behavior<TransactionUser> onResponse(TransactionKey txKey, SipResponse response) {
    int status = response.statusCode();
    if (sessions.onResponse(txKey, response)) {
      return this;
    }
    Outgoing o = outgoing == null ? null : outgoing.get(txKey);
    if (o == null || status == 100 || o.answered() != null) {
      return this; // not the call's, a 100 (hop by hop), or a 2xx again before the call's ACK
    }
    Method method = o.request().method();
    if (Method.BYE.equals(method)) {
      return status >= 200 ? answeredBye(txKey) : this;
    }
    boolean success = status >= 200 && status < 300;
    if (success && Method.INVITE.equals(method)) {
      outgoing.put(txKey, new Outgoing(o.relayId(), o.request(), response)); // until the call's ACK
      if (o.relayId() < 0) { // Tandem's own re-INVITE (a transfer's re-pairing): ACKed here
        acked(txKey, dialog.ack(o.request().cseq().sequence(), messages.via(dialog.protocol())).build());
        outgoing.remove(txKey);
      }
    } else if (status >= 200) {
      outgoing.remove(txKey);
    }
    if (success && SessionTimers.isRefresh(method)) {
      sessions.answeredByRelay(dialog, response);
    }
    if (o.relayId() != 0) {
      call.tell(new Leg.RelayAnswered(number, Math.abs(o.relayId()), response));
    }
    return this;
  }

  final Behavior<TransactionUser> onFailure(TransactionKey txKey, int status) {
    if (sessions.onFailure(txKey, status)) {
      return this;
    }
    Outgoing o = outgoing == null ? null : outgoing.remove(txKey);
    if (o == null) {
      return this;
    }
    if (Method.BYE.equals(o.request().method())) {
      return answeredBye(txKey);
    }
    if (o.relayId() != 0) {
      call.tell(new Leg.RelayAnswered(number, Math.abs(o.relayId()),
          Responses.withToTag(o.request(), status)));
    }
    return this;
  }

  // ---- the end ---------------------------------------------------------------------------

  /** BYE to the peer (section 15.1.1); the leg stops once it has its answer. */
  void hangUp() {
    if (hangingUp || dialog == null) {
      return;
    }
    hangingUp = true;
    awaited.stop();
    sessions.stop(dialog);
    SipRequest bye = dialog.request(Method.BYE, messages.via(dialog.protocol())).build();
    expectAnswer(0, bye);
    send(bye, dialog.destination());
  }

  private Behavior<TransactionUser> answeredBye(TransactionKey txKey) {
    outgoing.remove(txKey);
    return hangingUp ? stop() : this;
  }

  final Behavior<TransactionUser> stop() {
    return Behaviors.stopped();
  }

  /**
   * However the leg stops (its work done, or with its call): what it still holds is answered,
   * 487 for an INVITE (the call that would have answered it is over), 481 for anything else.
   */
  @Override
  public Behavior<TransactionUser> onSignal(Signal signal) {
    if (signal instanceof PostStop) {
      context.legs().stopped();
      if (pending != null) {
        pending.values().forEach(p -> p.transaction().respond(
            Responses.withToTag(p.request(), Method.INVITE.equals(p.request().method()) ? 487 : 481)));
        pending = null;
      }
      stopped();
    }
    return this;
  }

  /** What the leg's INVITE phase still holds when it stops. */
  void stopped() {}

  // ---- shared with the INVITE phases -------------------------------------------------------

  /** An INVITE or UPDATE is waiting for its answer or ACK in this dialog, either way. */
  final boolean offerInProgress() {
    if (awaited.waiting() || sessions.reInviteInProgress(dialog)) {
      return true;
    }
    if (pending != null && pending.values().stream().anyMatch(p -> SessionTimers.isRefresh(p.request().method()))) {
      return true;
    }
    return outgoing != null && outgoing.values().stream()
        .anyMatch(o -> SessionTimers.isRefresh(o.request().method()));
  }

  final void send(SipRequest request, Peer destination) {
    context.transactions().send(getContext(), request, destination, events);
  }

  /** The dialog as the call keeps it. */
  final Leg.DialogView view() {
    return dialog.view();
  }
}
