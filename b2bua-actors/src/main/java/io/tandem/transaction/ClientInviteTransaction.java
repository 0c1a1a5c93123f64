package io.tandem.transaction;

import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transport.Egress;
import io.tandem.transport.Peer;
import java.time.Duration;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The INVITE client transaction of RFC 3261 section 17.1.1 (figure 5) with the Accepted state
 * of RFC 6026 section 8.4: it sends one INVITE, retransmits it over UDP, passes the
 * provisionals and finals up, acknowledges a non-2xx final itself and absorbs its
 * retransmissions.
 *
 * <pre>
 *   Calling    --1xx-->      Proceeding
 *   Calling    --2xx-->      Accepted     --M--> Terminated   (2xx retransmissions go up)
 *   Calling    --300-699-->  Completed    --D--> Terminated   (ACK sent, and resent)
 *   Calling    --B-->        Terminated                       (TimedOut 'B')
 *   Proceeding --2xx-->      Accepted
 *   Proceeding --300-699-->  Completed
 * </pre>
 *
 * <p>The actor is a child of the actor that sent the INVITE, and lives while the transaction
 * has work: Calling and Proceeding. Accepted and Completed only wait out M or D; the actor
 * hands them to the {@link TransactionLayer} as records ({@link ClientEntry.InviteAccepted},
 * {@link ClientEntry.InviteCompleted}), tells its user {@link TransactionEvent.Terminated} and
 * stops. A transport failure ends the transaction in any state (section 17.1.4). Each timer
 * has the key of its RFC letter, so starting one again replaces it and cancelling it drops a
 * fire that is already queued.
 */
public final class ClientInviteTransaction {

  /** The timers of figure 5 the actor runs, each its own key and message. */
  private enum Timer implements ClientTransaction.Command {
    /** Retransmit the INVITE (unreliable transports only). */
    A,
    /** Give up waiting for any response. */
    B
  }

  /** The transport could not send the INVITE or the ACK. */
  private record SendFailed(Egress.SendFailed failure) implements ClientTransaction.Command {}

  /** How a response moves the machine (classify first, then let the state decide). */
  private enum Kind {
    PROVISIONAL,
    SUCCESS,
    FAILURE
  }

  private final ActorContext<ClientTransaction.Command> ctx;
  private final TimerScheduler<ClientTransaction.Command> timers;
  /** The INVITE, for retransmissions and the ACK of a non-2xx; let go once a final has come. */
  private SipRequest invite;
  private final Peer destination;
  private final TimerSettings settings;
  private final TransactionLayer layer;
  private final ActorRef<TransactionEvent> user;
  private final TransactionKey key;
  private final ActorRef<Egress.SendFailed> sendFailed;

  private ClientInviteTransaction(
      ActorContext<ClientTransaction.Command> ctx,
      TimerScheduler<ClientTransaction.Command> timers,
      SipRequest invite,
      Peer destination,
      TransactionLayer layer,
      ActorRef<TransactionEvent> user) {
    this.ctx = ctx;
    this.timers = timers;
    this.invite = invite;
    this.destination = destination;
    this.settings = layer.timers();
    this.layer = layer;
    this.user = user;
    this.key = TransactionKey.client(invite);
    this.sendFailed = ctx.messageAdapter(Egress.SendFailed.class, SendFailed::new);
  }

  /**
   * A transaction that sends {@code invite} to {@code destination} at once and reports to
   * {@code user}; it stops after telling the user {@link TransactionEvent.Terminated}. Started
   * by {@link TransactionLayer#send}.
   */
  static Behavior<ClientTransaction.Command> create(
      SipRequest invite, Peer destination, TransactionLayer layer, ActorRef<TransactionEvent> user) {
    return spawned(invite, destination, layer, user, ClientInviteTransaction::start);
  }

  /**
   * A transaction for {@code invite}, which a node that is gone sent (a ringing call brought
   * back): it sends nothing at first, and takes the carrier's responses as its own. The INVITE
   * goes again only if none comes within two T2s, T2 being the longest a UAS waits between
   * retransmissions of its final response (RFC 3261 sections 13.3.1.4 and 17.2.1): a carrier
   * that answered while the call moved sends its answer again by then, even if one of its
   * retransmissions is lost in the move (a node stopping drops what it buffered for a shard it
   * hands over), and does not get an INVITE after its 2xx (which a UAS without RFC 6026 may
   * take for a new request). Started by
   * {@link TransactionLayer#adoptClientInvite}.
   */
  static Behavior<ClientTransaction.Command> adopt(
      SipRequest invite, Peer destination, TransactionLayer layer, ActorRef<TransactionEvent> user) {
    return spawned(invite, destination, layer, user, ClientInviteTransaction::startAdopted);
  }

  /** The transaction's behaviour, entered through {@code first} (sent, or adopted). */
  private static Behavior<ClientTransaction.Command> spawned(SipRequest invite, Peer destination,
      TransactionLayer layer, ActorRef<TransactionEvent> user,
      Function<ClientInviteTransaction, Behavior<ClientTransaction.Command>> first) {
    HandOver<SipRequest> handOver = new HandOver<>(invite);
    return Behaviors.setup(ctx -> Behaviors.withTimers(scheduler -> first.apply(
        new ClientInviteTransaction(ctx, scheduler, handOver.take(), destination, layer, user))));
  }

  /** Registered by the layer as it spawned it ({@link TransactionLayer#adoptClientInvite}). */
  private Behavior<ClientTransaction.Command> startAdopted() {
    timers.startSingleTimer(Timer.A, Timer.A, settings.t2().multipliedBy(2));
    timers.startSingleTimer(Timer.B, Timer.B, settings.timerB());
    return Behaviors.receive(ClientTransaction.Command.class)
        .onMessageEquals(Timer.A, this::sendAndCall)
        .onMessageEquals(Timer.B, this::timedOut)
        .onMessage(ClientTransaction.ResponseArrived.class, this::onCallingResponse)
        .onMessage(SendFailed.class, this::onSendFailed)
        .onSignal(PostStop.class, this::onPostStop)
        .build();
  }

  /** Section 17.1.1.2: send the INVITE, start A (unreliable only) and B, enter Calling. */
  private Behavior<ClientTransaction.Command> start() {
    if (!invite.topVia().hasRfc3261Branch() || !layer.register(key, ctx.getSelf())) {
      // Section 8.1.1.7: every request Tandem sends has a fresh branch with the magic cookie.
      user.tell(new TransactionEvent.TransportFailed(key, "branch missing, without z9hG4bK or in use"));
      user.tell(new TransactionEvent.Terminated(key));
      return Behaviors.stopped();
    }
    timers.startSingleTimer(Timer.B, Timer.B, settings.timerB());
    return sendAndCall();
  }

  /** Sends the INVITE and enters Calling, with Timer A (unreliable only) from T1. */
  private Behavior<ClientTransaction.Command> sendAndCall() {
    Duration a = settings.t1();
    if (!destination.reliable()) {
      timers.startSingleTimer(Timer.A, Timer.A, a);
    }
    send(invite);
    return calling(a);
  }

  /** Calling, with {@code a} the interval Timer A was last started with. */
  private Behavior<ClientTransaction.Command> calling(Duration a) {
    return Behaviors.receive(ClientTransaction.Command.class)
        .onMessageEquals(
            Timer.A,
            () -> {
              // 17.1.1.2: retransmit and double A; unlike E it is not capped at T2, B ends it.
              Duration next = a.multipliedBy(2);
              timers.startSingleTimer(Timer.A, Timer.A, next);
              send(invite);
              return calling(next);
            })
        .onMessageEquals(Timer.B, this::timedOut)
        .onMessage(ClientTransaction.ResponseArrived.class, this::onCallingResponse)
        .onMessage(SendFailed.class, this::onSendFailed)
        .onSignal(PostStop.class, this::onPostStop)
        .build();
  }

  private Behavior<ClientTransaction.Command> timedOut() {
    ctx.getLog().debug("{} calling -> terminated (timer B)", key);
    user.tell(new TransactionEvent.TimedOut(key, 'B'));
    return terminated();
  }

  private Behavior<ClientTransaction.Command> onCallingResponse(ClientTransaction.ResponseArrived m) {
    SipResponse response = m.response();
    // Any response means the INVITE arrived: no more retransmissions, no timeout.
    timers.cancel(Timer.A);
    timers.cancel(Timer.B);
    return switch (classify(response)) {
      case PROVISIONAL -> {
        ctx.getLog().debug("{} calling -> proceeding ({})", key, response.statusCode());
        user.tell(new TransactionEvent.ResponseReceived(key, response));
        yield proceeding();
      }
      case SUCCESS -> accept("calling", response);
      case FAILURE -> complete("calling", response);
    };
  }

  /** Proceeding: the TU ends it with a CANCEL if it must (no timer runs here). */
  private Behavior<ClientTransaction.Command> proceeding() {
    return Behaviors.receive(ClientTransaction.Command.class)
        .onMessage(
            ClientTransaction.ResponseArrived.class,
            m -> {
              SipResponse response = m.response();
              return switch (classify(response)) {
                case PROVISIONAL -> {
                  // 17.1.1.2: every provisional goes up, retransmitted or not.
                  user.tell(new TransactionEvent.ResponseReceived(key, response));
                  yield Behaviors.same();
                }
                case SUCCESS -> accept("proceeding", response);
                case FAILURE -> complete("proceeding", response);
              };
            })
        .onMessage(SendFailed.class, this::onSendFailed)
        .onSignal(PostStop.class, this::onPostStop)
        .build();
  }

  /**
   * RFC 6026 section 8.4: a 2xx goes up and the transaction waits M in Accepted, so that 2xx
   * retransmissions and 2xx from other forks reach the TU (which ACKs them) instead of being
   * taken for stray responses. Waiting is all that is left: a record in the layer does it.
   */
  private Behavior<ClientTransaction.Command> accept(String from, SipResponse response) {
    ctx.getLog().debug("{} {} -> accepted ({})", key, from, response.statusCode());
    layer.linger(key, ctx.getSelf(), new ClientEntry.InviteAccepted(user), settings.timerM());
    user.tell(new TransactionEvent.ResponseReceived(key, response));
    return terminated();
  }

  /**
   * 17.1.1.2: a 300-699 final is acknowledged by the transaction itself (17.1.1.3) and passed
   * up; Completed then absorbs its retransmissions for D, which is zero over a reliable
   * transport, where none will come. A record in the layer resends the ACK for each.
   */
  private Behavior<ClientTransaction.Command> complete(String from, SipResponse response) {
    ctx.getLog().debug("{} {} -> completed ({})", key, from, response.statusCode());
    SipRequest ack = ack(response);
    invite = null;
    layer.linger(key, ctx.getSelf(), new ClientEntry.InviteCompleted(ack, destination),
        settings.timerD(destination.reliable()));
    send(ack);
    user.tell(new TransactionEvent.ResponseReceived(key, response));
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
  private void send(SipRequest request) {
    layer.egress().tell(new Egress.SendRequest(request, destination, sendFailed));
  }

  /**
   * The ACK for a non-2xx final (section 17.1.1.3): Request-URI, Call-ID, From and CSeq number
   * of the INVITE, the To of the response (with its tag), the INVITE's top Via only (the ACK
   * is part of this transaction, so it carries its branch), the INVITE's Route set, and no
   * body.
   */
  private SipRequest ack(SipResponse response) {
    return ackFor(invite, response);
  }

  /** The ACK of {@code response}, a non-2xx final to {@code invite} (section 17.1.1.3). */
  public static SipRequest ackFor(SipRequest invite, SipResponse response) {
    SipRequest.Builder b = SipRequest.builder(Method.ACK, invite.requestUri());
    b.header(HeaderName.VIA, invite.topVia());
    b.header(HeaderName.MAX_FORWARDS, "70");
    for (String route : invite.headers().values(HeaderName.ROUTE)) {
      b.header(HeaderName.ROUTE, route);
    }
    b.header(HeaderName.FROM, invite.headers().first(HeaderName.FROM).orElseThrow());
    b.header(HeaderName.TO, response.headers().first(HeaderName.TO).orElseThrow());
    b.header(HeaderName.CALL_ID, invite.callId());
    b.header(HeaderName.CSEQ, new CSeq(invite.cseq().sequence(), Method.ACK));
    return b.build();
  }

  private static Kind classify(SipResponse response) {
    return switch (response.statusClass()) {
      case PROVISIONAL -> Kind.PROVISIONAL;
      case SUCCESS -> Kind.SUCCESS;
      default -> Kind.FAILURE;
    };
  }
}
