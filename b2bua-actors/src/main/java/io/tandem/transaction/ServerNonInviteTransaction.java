package io.tandem.transaction;

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
 * The non-INVITE server transaction of RFC 3261 section 17.2.2 (figure 8), as an actor: one per
 * received request other than INVITE and ACK.
 *
 * <pre>
 *               request: RequestReceived to the user
 *                  |
 *               Trying --- retransmission absorbed
 *          1xx /      \ 200-699
 *             v        \
 *       Proceeding      \ --- 1xx: send; retransmission: resend last 1xx
 *               \ 200-699\
 *                v        v
 *                Completed --- retransmission: resend final; J (64*T1 over UDP, 0 over TCP)
 *                    |
 *                Terminated: Terminated to the user, actor stopped
 * </pre>
 *
 * <p>Leak guard: if the user has sent no final response 64*T1 after the request arrived, the
 * client has given up (its Timer F, section 17.1.2.2, started before the request reached
 * Tandem), so no answer can still matter. The transaction then ends without sending anything:
 * RFC 4320 section 4.2 forbids a transaction-stateful element to send 408 to a non-INVITE
 * request. This keeps a user that never answers from holding the actor forever.
 *
 * <p>A failure to send ends the transaction with {@link TransactionEvent.TransportFailed} (RFC
 * 3261 section 17.2.4). Timers are armed before the message that starts them is sent.
 */
public final class ServerNonInviteTransaction {
  /** Timer J: stop absorbing request retransmissions. */
  private enum TimerJ implements ServerTransaction.Command { INSTANCE }

  /** The leak guard: the client's Timer F has surely fired, and still no final response. */
  private enum ClientTimerFElapsed implements ServerTransaction.Command { INSTANCE }

  /** The transport could not send one of this transaction's responses. */
  private record SendFailedAdapted(Egress.SendFailed failure)
      implements ServerTransaction.Command {}

  private static final String J = "J";
  /** Keyed after the client's Timer F, which the leak guard outlasts. */
  private static final String CLIENT_F = "client-F";

  private final ActorContext<ServerTransaction.Command> ctx;
  private final TimerScheduler<ServerTransaction.Command> timers;
  private final TransactionKey key;
  private final Peer source;
  private final TimerSettings settings;
  private final ActorRef<Egress.Command> egress;
  private final ActorRef<TransactionEvent> user;
  private final ActorRef<Egress.SendFailed> sendFailed;

  private ServerNonInviteTransaction(
      ActorContext<ServerTransaction.Command> ctx,
      TimerScheduler<ServerTransaction.Command> timers,
      SipRequest request,
      Peer source,
      TimerSettings settings,
      ActorRef<Egress.Command> egress,
      ActorRef<TransactionEvent> user) {
    this.ctx = ctx;
    this.timers = timers;
    this.key = TransactionKey.server(request);
    this.source = source;
    this.settings = settings;
    this.egress = egress;
    this.user = user;
    this.sendFailed = ctx.messageAdapter(Egress.SendFailed.class, SendFailedAdapted::new);
  }

  /**
   * The transaction for {@code request}, received from {@code source}: it tells {@code user}
   * {@link TransactionEvent.RequestReceived} at once and sends through {@code egress}.
   */
  public static Behavior<ServerTransaction.Command> create(
      SipRequest request,
      Peer source,
      TimerSettings timers,
      ActorRef<Egress.Command> egress,
      ActorRef<TransactionEvent> user) {
    HandOver<SipRequest> handOver = new HandOver<>(request);
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                t -> {
                  SipRequest received = handOver.take();
                  return new ServerNonInviteTransaction(ctx, t, received, source, timers, egress, user)
                      .start(received);
                }));
  }

  private Behavior<ServerTransaction.Command> start(SipRequest request) {
    timers.startSingleTimer(CLIENT_F, ClientTimerFElapsed.INSTANCE, settings.sixtyFourT1());
    user.tell(new TransactionEvent.RequestReceived(key, request, source, ctx.getSelf()));
    return trying();
  }

  /** Trying: the user has not answered yet; retransmissions are discarded (17.2.2). */
  private Behavior<ServerTransaction.Command> trying() {
    return Behaviors.receive(ServerTransaction.Command.class)
        .onMessage(ServerTransaction.Respond.class, r -> onRespond(r.response(), "Trying"))
        .onMessage(ServerTransaction.RequestArrived.class, r -> Behaviors.same())
        .onMessageEquals(ClientTimerFElapsed.INSTANCE, this::onClientTimerFElapsed)
        .onMessage(SendFailedAdapted.class, this::onSendFailed)
        .build();
  }

  /** Proceeding: a provisional has been sent; a retransmission gets it again (17.2.2). */
  private Behavior<ServerTransaction.Command> proceeding(SipResponse lastProvisional) {
    return Behaviors.receive(ServerTransaction.Command.class)
        .onMessage(ServerTransaction.Respond.class, r -> onRespond(r.response(), "Proceeding"))
        .onMessage(ServerTransaction.RequestArrived.class, r -> resend(lastProvisional))
        .onMessageEquals(ClientTimerFElapsed.INSTANCE, this::onClientTimerFElapsed)
        .onMessage(SendFailedAdapted.class, this::onSendFailed)
        .build();
  }

  private Behavior<ServerTransaction.Command> onRespond(SipResponse response, String from) {
    if (response.statusCode() < 200) {
      if (from.equals("Trying")) {
        ctx.getLog().debug("{}: Trying -> Proceeding ({})", key, response.statusCode());
      }
      send(response);
      return proceeding(response);
    }
    ctx.getLog().debug("{}: {} -> Completed ({})", key, from, response.statusCode());
    return completed(response);
  }

  private Behavior<ServerTransaction.Command> onClientTimerFElapsed() {
    ctx.getLog()
        .warn(
            "{}: no final response from the user within 64*T1 ({}); the client has given up,"
                + " ending the transaction (no 408, RFC 4320 section 4.2)",
            key,
            settings.sixtyFourT1());
    return terminated();
  }

  /** Completed: the final is sent; J absorbs retransmissions over UDP, zero over TCP. */
  private Behavior<ServerTransaction.Command> completed(SipResponse finalResponse) {
    timers.cancel(CLIENT_F);
    Duration timerJ = settings.timerJ(source.reliable());
    if (timerJ.isZero()) {
      send(finalResponse);
      return terminated();
    }
    timers.startSingleTimer(J, TimerJ.INSTANCE, timerJ);
    send(finalResponse);
    return Behaviors.receive(ServerTransaction.Command.class)
        .onMessage(ServerTransaction.RequestArrived.class, r -> resend(finalResponse))
        .onMessage(ServerTransaction.Respond.class, this::ignoreAfterFinal)
        .onMessageEquals(TimerJ.INSTANCE, this::terminated)
        .onMessage(SendFailedAdapted.class, this::onSendFailed)
        .build();
  }

  private Behavior<ServerTransaction.Command> resend(SipResponse response) {
    send(response);
    return Behaviors.same();
  }

  private Behavior<ServerTransaction.Command> ignoreAfterFinal(ServerTransaction.Respond r) {
    ctx.getLog()
        .debug("{}: {} from the user ignored in Completed", key, r.response().statusCode());
    return Behaviors.same();
  }

  private Behavior<ServerTransaction.Command> onSendFailed(SendFailedAdapted failed) {
    // Section 17.2.4: a transport failure is reported to the TU and ends the transaction.
    ctx.getLog().debug("{}: -> Terminated (transport failed: {})", key, failed.failure().reason());
    user.tell(new TransactionEvent.TransportFailed(key, failed.failure().reason()));
    return terminated();
  }

  private Behavior<ServerTransaction.Command> terminated() {
    user.tell(new TransactionEvent.Terminated(key));
    return Behaviors.stopped();
  }

  private void send(SipResponse response) {
    egress.tell(new Egress.SendResponse(response, source, sendFailed));
  }
}
