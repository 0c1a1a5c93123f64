package io.tandem.transaction;

import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.StatusCode;
import io.tandem.transport.Egress;
import io.tandem.transport.Peer;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The non-INVITE client transaction of RFC 3261 section 17.1.2 (figure 6): it sends one
 * request (anything but INVITE and ACK), retransmits it over UDP, passes the provisionals and
 * the final response up and absorbs retransmissions of the final.
 *
 * <pre>
 *   Trying     --1xx-->      Proceeding
 *   Trying     --200-699-->  Completed    --K--> Terminated   (final retransmissions absorbed)
 *   Trying     --F-->        Terminated                       (TimedOut 'F')
 *   Proceeding --200-699-->  Completed
 *   Proceeding --F-->        Terminated                       (TimedOut 'F')
 * </pre>
 *
 * <p>The actor is a child of the actor that sent the request, and lives while the
 * transaction has work: Trying and Proceeding. Completed only waits out K; the actor hands it
 * to the {@link TransactionLayer} as a record ({@link ClientEntry.NonInviteCompleted}), tells
 * its user {@link TransactionEvent.Terminated} and stops. A transport failure ends the
 * transaction in any state (section 17.1.4). Each timer has the key of its RFC letter, so
 * starting one again replaces it and cancelling it drops a fire that is already queued.
 */
public final class ClientNonInviteTransaction {

  /** The timers of figure 6, each its own key and message. */
  private enum Timer implements ClientTransaction.Command {
    /** Retransmit the request (unreliable transports only). */
    E,
    /** Give up waiting for a final response. */
    F
  }

  /** The transport could not send the request. */
  private record SendFailed(Egress.SendFailed failure) implements ClientTransaction.Command {}

  private final ActorContext<ClientTransaction.Command> ctx;
  private final TimerScheduler<ClientTransaction.Command> timers;
  /** The request, for retransmissions; let go once the final has come. */
  private SipRequest request;
  private final Peer destination;
  private final TimerSettings settings;
  private final TransactionLayer layer;
  private final ActorRef<TransactionEvent> user;
  private final TransactionKey key;
  private final ActorRef<Egress.SendFailed> sendFailed;

  private ClientNonInviteTransaction(
      ActorContext<ClientTransaction.Command> ctx,
      TimerScheduler<ClientTransaction.Command> timers,
      SipRequest request,
      Peer destination,
      TransactionLayer layer,
      ActorRef<TransactionEvent> user) {
    this.ctx = ctx;
    this.timers = timers;
    this.request = request;
    this.destination = destination;
    this.settings = layer.timers();
    this.layer = layer;
    this.user = user;
    this.key = TransactionKey.client(request);
    this.sendFailed = ctx.messageAdapter(Egress.SendFailed.class, SendFailed::new);
  }

  /**
   * A transaction that sends {@code request} to {@code destination} at once and reports to
   * {@code user}; it stops after telling the user {@link TransactionEvent.Terminated}. Started
   * by {@link TransactionLayer#send}.
   */
  static Behavior<ClientTransaction.Command> create(
      SipRequest request, Peer destination, TransactionLayer layer, ActorRef<TransactionEvent> user) {
    HandOver<SipRequest> handOver = new HandOver<>(request);
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                scheduler ->
                    new ClientNonInviteTransaction(ctx, scheduler, handOver.take(), destination, layer, user)
                        .start()));
  }

  /** Section 17.1.2.2: send the request, start E (unreliable only) and F, enter Trying. */
  private Behavior<ClientTransaction.Command> start() {
    if (!request.topVia().hasRfc3261Branch() || !layer.register(key, ctx.getSelf())) {
      // Section 8.1.1.7: every request Tandem sends has a fresh branch with the magic cookie.
      user.tell(new TransactionEvent.TransportFailed(key, "branch missing, without z9hG4bK or in use"));
      user.tell(new TransactionEvent.Terminated(key));
      return Behaviors.stopped();
    }
    Duration e = settings.t1();
    if (!destination.reliable()) {
      timers.startSingleTimer(Timer.E, Timer.E, e);
    }
    timers.startSingleTimer(Timer.F, Timer.F, settings.timerF());
    send();
    return trying(e);
  }

  /** Trying, with {@code e} the interval Timer E was last started with. */
  private Behavior<ClientTransaction.Command> trying(Duration e) {
    return Behaviors.receive(ClientTransaction.Command.class)
        .onMessageEquals(
            Timer.E,
            () -> {
              // 17.1.2.2: retransmit and double E, capped at T2.
              Duration next = settings.nextInterval(e);
              timers.startSingleTimer(Timer.E, Timer.E, next);
              send();
              return trying(next);
            })
        .onMessageEquals(Timer.F, () -> timedOut("trying"))
        .onMessage(
            ClientTransaction.ResponseArrived.class,
            m -> {
              SipResponse response = m.response();
              if (isProvisional(response)) {
                // E keeps running as started; from its next fire on it is T2 (17.1.2.2).
                ctx.getLog().debug("{} trying -> proceeding ({})", key, response.statusCode());
                user.tell(new TransactionEvent.ResponseReceived(key, response));
                return proceeding();
              }
              return complete("trying", response);
            })
        .onMessage(SendFailed.class, this::onSendFailed)
        .onSignal(PostStop.class, this::onPostStop)
        .build();
  }

  private Behavior<ClientTransaction.Command> proceeding() {
    return Behaviors.receive(ClientTransaction.Command.class)
        .onMessageEquals(
            Timer.E,
            () -> {
              // 17.1.2.2: the request got through; retransmit only every T2 in case the final
              // gets lost, until F.
              timers.startSingleTimer(Timer.E, Timer.E, settings.t2());
              send();
              return Behaviors.same();
            })
        .onMessageEquals(Timer.F, () -> timedOut("proceeding"))
        .onMessage(
            ClientTransaction.ResponseArrived.class,
            m -> {
              SipResponse response = m.response();
              if (isProvisional(response)) {
                user.tell(new TransactionEvent.ResponseReceived(key, response));
                return Behaviors.same();
              }
              return complete("proceeding", response);
            })
        .onMessage(SendFailed.class, this::onSendFailed)
        .onSignal(PostStop.class, this::onPostStop)
        .build();
  }

  /**
   * 17.1.2.2: a final response goes up; Completed then absorbs its retransmissions for K (T4),
   * which is zero over a reliable transport, where none will come. A record in the layer
   * absorbs them.
   */
  private Behavior<ClientTransaction.Command> complete(String from, SipResponse response) {
    ctx.getLog().debug("{} {} -> completed ({})", key, from, response.statusCode());
    request = null;
    layer.linger(key, ctx.getSelf(), ClientEntry.NonInviteCompleted.INSTANCE, settings.timerK(destination.reliable()));
    user.tell(new TransactionEvent.ResponseReceived(key, response));
    return terminated();
  }

  /** 17.1.2.2: F fired before a final response: the TU is told of the timeout. */
  private Behavior<ClientTransaction.Command> timedOut(String from) {
    ctx.getLog().debug("{} {} -> terminated (timer F)", key, from);
    user.tell(new TransactionEvent.TimedOut(key, 'F'));
    return terminated();
  }

  /** Section 17.1.4: a transport error is reported to the TU and ends the transaction. */
  private Behavior<ClientTransaction.Command> onSendFailed(SendFailed m) {
    ctx.getLog().debug("{} -> terminated (transport error: {})", key, m.failure().reason());
    user.tell(new TransactionEvent.TransportFailed(key, m.failure().reason()));
    return terminated();
  }

  /** The actor's work is done; a record may still linger in the layer. */
  private Behavior<ClientTransaction.Command> terminated() {
    layer.forget(key, ctx.getSelf());
    user.tell(new TransactionEvent.Terminated(key));
    return Behaviors.stopped();
  }

  /** Stopped with its owner, say: the layer forgets it, so no message is sent to it. */
  private Behavior<ClientTransaction.Command> onPostStop(PostStop stopped) {
    layer.forget(key, ctx.getSelf());
    return Behaviors.same();
  }

  /**
   * Timers are always started before the message that follows from the same event is sent or
   * told, so whoever sees that message sees the timer running.
   */
  private void send() {
    layer.egress().tell(new Egress.SendRequest(request, destination, sendFailed));
  }

  private static boolean isProvisional(SipResponse response) {
    return response.statusClass() == StatusCode.StatusClass.PROVISIONAL;
  }
}
