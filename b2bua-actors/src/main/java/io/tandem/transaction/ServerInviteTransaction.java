package io.tandem.transaction;

import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.StatusCode;
import io.tandem.transport.Egress;
import io.tandem.transport.Peer;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The INVITE server transaction of RFC 3261 section 17.2.1 (figure 7) with the Accepted state
 * RFC 6026 section 7.1 adds, as an actor: one per received INVITE.
 *
 * <pre>
 *                 INVITE: RequestReceived to the user; 100 Trying unless a 1xx within 200 ms
 *                   |
 *              Proceeding --- 1xx from user: send; INVITE retransmitted: resend last 1xx
 *         2xx /           \ 300-699
 *            v             v
 *       Accepted        Completed --- G (UDP): resend final; INVITE: resend final
 *  2xx: send|  |ACK: up     |  \ H: TimedOut 'H'
 *  INVITE: absorbed         |ACK\
 *            |           Confirmed --- ACK, INVITE absorbed
 *          L |              | I
 *            v              v
 *                Terminated: Terminated to the user, actor stopped
 * </pre>
 *
 * <p>The transaction never retransmits a 2xx itself: RFC 6026 leaves that to the TU, which
 * sends each retransmission as another {@link ServerTransaction.Respond} while Accepted. A
 * failure to send ends the transaction with {@link TransactionEvent.TransportFailed} (RFC 3261
 * section 17.2.4). Timers are armed before the message that starts them is sent, so that
 * whoever sees the message sees the timers running.
 */
public final class ServerInviteTransaction {
  /** The TU's 200 ms to answer before the transaction sends 100 Trying itself (17.2.1). */
  private enum TryingDelayElapsed implements ServerTransaction.Command { INSTANCE }

  /** Timer G: retransmit the non-2xx final; {@code interval} is the one that just elapsed. */
  private record TimerG(Duration interval) implements ServerTransaction.Command {}

  /** Timer H: the ACK for the non-2xx final never came. */
  private enum TimerH implements ServerTransaction.Command { INSTANCE }

  /** Timer I: stop absorbing ACK retransmissions. */
  private enum TimerI implements ServerTransaction.Command { INSTANCE }

  /** Timer L (RFC 6026): stop absorbing 2xx ACKs and INVITE retransmissions. */
  private enum TimerL implements ServerTransaction.Command { INSTANCE }

  /** The transport could not send one of this transaction's responses. */
  private record SendFailedAdapted(Egress.SendFailed failure)
      implements ServerTransaction.Command {}

  private static final String TRYING_DELAY = "trying-delay";
  private static final String G = "G";
  private static final String H = "H";
  private static final String I = "I";
  private static final String L = "L";

  private final ActorContext<ServerTransaction.Command> ctx;
  private final TimerScheduler<ServerTransaction.Command> timers;
  private final TransactionKey key;
  /** The INVITE, for 100 Trying; let go once a final is sent (nothing later needs it). */
  private SipRequest invite;
  private final Peer source;
  private final TimerSettings settings;
  private final ActorRef<Egress.Command> egress;
  private final ActorRef<TransactionEvent> user;
  private final ActorRef<Egress.SendFailed> sendFailed;

  private ServerInviteTransaction(
      ActorContext<ServerTransaction.Command> ctx,
      TimerScheduler<ServerTransaction.Command> timers,
      SipRequest invite,
      Peer source,
      TimerSettings settings,
      ActorRef<Egress.Command> egress,
      ActorRef<TransactionEvent> user) {
    this.ctx = ctx;
    this.timers = timers;
    this.key = TransactionKey.server(invite);
    this.invite = invite;
    this.source = source;
    this.settings = settings;
    this.egress = egress;
    this.user = user;
    this.sendFailed = ctx.messageAdapter(Egress.SendFailed.class, SendFailedAdapted::new);
  }

  /**
   * The transaction for {@code invite}, received from {@code source}: it tells {@code user}
   * {@link TransactionEvent.RequestReceived} at once and sends through {@code egress}.
   */
  public static Behavior<ServerTransaction.Command> create(
      SipRequest invite,
      Peer source,
      TimerSettings timers,
      ActorRef<Egress.Command> egress,
      ActorRef<TransactionEvent> user) {
    HandOver<SipRequest> handOver = new HandOver<>(invite);
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                t -> new ServerInviteTransaction(ctx, t, handOver.take(), source, timers, egress, user)
                    .start()));
  }

  private Behavior<ServerTransaction.Command> start() {
    // Section 17.2.1: a 100 Trying is due unless the TU answers within 200 ms.
    timers.startSingleTimer(TRYING_DELAY, TryingDelayElapsed.INSTANCE, settings.tryingDelay());
    user.tell(new TransactionEvent.RequestReceived(key, invite, source, ctx.getSelf()));
    return proceeding(null);
  }

  /** Proceeding; {@code lastProvisional} is null until a 1xx has been sent. */
  private Behavior<ServerTransaction.Command> proceeding(SipResponse lastProvisional) {
    return Behaviors.receive(ServerTransaction.Command.class)
        .onMessage(ServerTransaction.Respond.class, r -> onRespondInProceeding(r.response()))
        .onMessage(
            ServerTransaction.RequestArrived.class,
            r -> onRequestInProceeding(r.request(), lastProvisional))
        .onMessageEquals(TryingDelayElapsed.INSTANCE, this::sendTrying)
        .onMessage(SendFailedAdapted.class, this::onSendFailed)
        .build();
  }

  private Behavior<ServerTransaction.Command> onRespondInProceeding(SipResponse response) {
    timers.cancel(TRYING_DELAY);
    int status = response.statusCode();
    if (status < 200) {
      send(response);
      return proceeding(response);
    }
    if (status < 300) {
      // RFC 6026 section 7.1: a 2xx moves Proceeding to Accepted (RFC 3261 went to Terminated).
      return accepted(response);
    }
    return completed(response);
  }

  private Behavior<ServerTransaction.Command> onRequestInProceeding(
      SipRequest request, SipResponse lastProvisional) {
    if (isAck(request)) {
      ctx.getLog().debug("{}: ACK before any final response ignored", key);
      return Behaviors.same();
    }
    // Section 17.2.1: a retransmitted INVITE gets the most recent provisional again.
    if (lastProvisional == null) {
      return sendTrying();
    }
    send(lastProvisional);
    return Behaviors.same();
  }

  private Behavior<ServerTransaction.Command> sendTrying() {
    timers.cancel(TRYING_DELAY);
    SipResponse trying = Responses.withToTag(invite, StatusCode.TRYING);
    send(trying);
    return proceeding(trying);
  }

  /** Completed (non-2xx final sent): G retransmits it over UDP, H waits for the ACK. */
  private Behavior<ServerTransaction.Command> completed(SipResponse finalResponse) {
    invite = null;
    ctx.getLog().debug("{}: Proceeding -> Completed ({})", key, finalResponse.statusCode());
    if (!source.reliable()) {
      timers.startSingleTimer(G, new TimerG(settings.t1()), settings.t1());
    }
    timers.startSingleTimer(H, TimerH.INSTANCE, settings.timerH());
    send(finalResponse);
    return Behaviors.receive(ServerTransaction.Command.class)
        .onMessage(TimerG.class, g -> onTimerG(g, finalResponse))
        .onMessage(
            ServerTransaction.RequestArrived.class,
            r -> onRequestInCompleted(r.request(), finalResponse))
        .onMessageEquals(TimerH.INSTANCE, this::onTimerH)
        .onMessage(
            ServerTransaction.Respond.class, r -> ignoreAfterFinal(r.response(), "Completed"))
        .onMessage(SendFailedAdapted.class, this::onSendFailed)
        .build();
  }

  private Behavior<ServerTransaction.Command> onTimerG(TimerG fired, SipResponse finalResponse) {
    // Section 17.2.1: G doubles after each retransmission, capped at T2.
    Duration next = settings.nextInterval(fired.interval());
    timers.startSingleTimer(G, new TimerG(next), next);
    send(finalResponse);
    return Behaviors.same();
  }

  private Behavior<ServerTransaction.Command> onRequestInCompleted(
      SipRequest request, SipResponse finalResponse) {
    if (isAck(request)) {
      return confirmed();
    }
    send(finalResponse);
    return Behaviors.same();
  }

  private Behavior<ServerTransaction.Command> onTimerH() {
    // Section 17.2.1: H fired without an ACK; the TU hears of it as a transaction failure.
    ctx.getLog().debug("{}: Completed -> Terminated (Timer H)", key);
    user.tell(new TransactionEvent.TimedOut(key, 'H'));
    return terminated();
  }

  /** Confirmed: the ACK arrived; I absorbs ACK retransmissions over UDP, zero over TCP. */
  private Behavior<ServerTransaction.Command> confirmed() {
    timers.cancel(G);
    timers.cancel(H);
    Duration timerI = settings.timerI(source.reliable());
    ctx.getLog().debug("{}: Completed -> Confirmed (ACK), Timer I = {}", key, timerI);
    if (timerI.isZero()) {
      return terminated();
    }
    timers.startSingleTimer(I, TimerI.INSTANCE, timerI);
    return Behaviors.receive(ServerTransaction.Command.class)
        .onMessage(ServerTransaction.RequestArrived.class, r -> Behaviors.same())
        .onMessageEquals(TimerI.INSTANCE, this::terminated)
        .onMessage(
            ServerTransaction.Respond.class, r -> ignoreAfterFinal(r.response(), "Confirmed"))
        .onMessage(SendFailedAdapted.class, this::onSendFailed)
        .build();
  }

  /**
   * Accepted (RFC 6026 section 7.1): the TU owns 2xx retransmission; the transaction sends each
   * 2xx it is given, absorbs INVITE retransmissions and passes the ACK up, until Timer L.
   */
  private Behavior<ServerTransaction.Command> accepted(SipResponse success) {
    invite = null;
    ctx.getLog().debug("{}: Proceeding -> Accepted ({})", key, success.statusCode());
    timers.startSingleTimer(L, TimerL.INSTANCE, settings.timerL());
    send(success);
    return Behaviors.receive(ServerTransaction.Command.class)
        .onMessage(ServerTransaction.Respond.class, r -> onRespondInAccepted(r.response()))
        .onMessage(ServerTransaction.RequestArrived.class, r -> onRequestInAccepted(r.request()))
        .onMessageEquals(TimerL.INSTANCE, this::terminated)
        .onMessage(SendFailedAdapted.class, this::onSendFailed)
        .build();
  }

  private Behavior<ServerTransaction.Command> onRespondInAccepted(SipResponse response) {
    if (response.statusCode() >= 200 && response.statusCode() < 300) {
      send(response);
      return Behaviors.same();
    }
    return ignoreAfterFinal(response, "Accepted");
  }

  private Behavior<ServerTransaction.Command> onRequestInAccepted(SipRequest request) {
    // RFC 6026 section 7.1: the ACK for a 2xx goes to the TU; an INVITE retransmission does
    // not, since the TU is already retransmitting the 2xx on its own schedule.
    if (isAck(request)) {
      user.tell(new TransactionEvent.AckReceived(key, request, source));
    }
    return Behaviors.same();
  }

  private Behavior<ServerTransaction.Command> onSendFailed(SendFailedAdapted failed) {
    // Section 17.2.4: a transport failure is reported to the TU and ends the transaction.
    ctx.getLog().debug("{}: -> Terminated (transport failed: {})", key, failed.failure().reason());
    user.tell(new TransactionEvent.TransportFailed(key, failed.failure().reason()));
    return terminated();
  }

  private Behavior<ServerTransaction.Command> ignoreAfterFinal(SipResponse response, String state) {
    ctx.getLog().debug("{}: {} from the user ignored in {}", key, response.statusCode(), state);
    return Behaviors.same();
  }

  private Behavior<ServerTransaction.Command> terminated() {
    user.tell(new TransactionEvent.Terminated(key));
    return Behaviors.stopped();
  }

  private void send(SipResponse response) {
    egress.tell(new Egress.SendResponse(response, source, sendFailed));
  }

  private static boolean isAck(SipRequest request) {
    return Method.ACK.equals(request.method());
  }
}
