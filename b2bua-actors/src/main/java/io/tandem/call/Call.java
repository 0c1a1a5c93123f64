package io.tandem.call;

import io.tandem.routing.TransferPolicy;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.NameAddr;
import io.tandem.sip.message.Replaces;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.Uri;
import io.tandem.transaction.HandOver;
import io.tandem.transaction.Responses;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionKey;
import io.tandem.transaction.TransactionUser;
import io.tandem.transport.Peer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractMatchingBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call through Tandem: it pairs leg A ({@link UasLeg}, the caller's INVITE) with a leg B
 * ({@link UacLeg}, an INVITE of Tandem's own toward each destination the route gives, in turn,
 * until one answers: {@link Hunting}), and relays what crosses between them. It holds the
 * pairing, the routing decision and the rewrite; the legs hold the dialogs (DESIGN section 4).
 *
 * <pre>
 *   caller          leg A | Call | leg B            carrier 1     carrier 2
 *   INVITE   --->   100    route: [1, 2]            INVITE --->
 *                          Refused 486: hunt        <--- 486
 *                                                                 INVITE --->
 *   180      <---   Respond  <--- Progressed        <------------- 180
 *   200      <---   Respond  <--- Answered          <------------- 200, ACK --->
 *   BYE      --->   ByeReceived ---> HangUp                        BYE --->
 * </pre>
 *
 * <p>The call ends when both legs are over: a leg stops once its INVITE has its final and,
 * for a dialog, once its BYE is answered, so a late 2xx from an abandoned attempt is still
 * ACKed and hung up by its leg (RFC 3261 section 15), and the call leaves the call limit as
 * soon as its last BYE is answered. Its transactions' records wait out their RFC timers in the
 * transaction layer; no actor of the call does.
 */
public final class Call extends AbstractMatchingBehavior<Call.Command> {
  private static final Logger LOG = LoggerFactory.getLogger(Call.class);

  /** What a call accepts. */
  public interface Command {}

  /** A transaction event of this call's Call-IDs, from the {@link CallManager}: for one of its legs. */
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

  enum MaxDuration implements Command { INSTANCE }

  static final String DURATION_TIMER = "max-duration";

  final ActorContext<Command> ctx;
  final TimerScheduler<Command> timers;
  final CallKey key;
  final CallContext context;
  final LegMessages messages;
  /**
   * Leg A's INVITE: each leg-B INVITE is made from it, and routing (of transfers too); once
   * answered, only what routing reads of it ({@link LegMessages#routingView}).
   */
  SipRequest aInvite;
  final String aCallId;
  final boolean aReliable;
  /** Leg A's INVITE had a body: no late offer, leg B's ACK carries none of leg A's. */
  final boolean aOffered;
  final Map<Integer, ActorRef<TransactionUser>> live = new HashMap<>(4);
  final Map<Integer, Attempt> attempts = new HashMap<>(4);
  /** Tandem's To tag on leg A, and where leg A's INVITE came from. */
  final String aTag;
  final Peer aSource;
  final Hunting hunting;
  private Transferring transferring;
  TransferPolicy transferPolicy = TransferPolicy.ACT;
  String routeName;
  /** The call's state is in the {@link CallStore}: it is removed there when the call is over. */
  boolean saved;
  Side a;
  Side b;
  /** Leg A has its final response. */
  boolean aFinal;
  /** Nothing more is to happen but the end of the call's legs. */
  boolean ended;
  int lastLeg;
  private int lastRelay;
  private final Relays relays = new Relays(this);
  /** Legs a transfer released: a BYE on one is answered 200, and that is all. */
  final Set<Integer> released = new HashSet<>(2);
  /** Wall-clock times, for the admin API only (epoch milliseconds; timers use the scheduler). */
  final long startedAt;
  long answeredAt;
  /** What the call tells its observer. */
  final Observing observing;

  /** The call that {@code invite}, a new leg-A INVITE, starts. */
  public static Behavior<Command> create(CallKey key, TransactionEvent.RequestReceived invite, CallContext context) {
    HandOver<TransactionEvent.RequestReceived> handOver = new HandOver<>(invite); // not kept by the closure
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      TransactionEvent.RequestReceived received = handOver.take();
      return CallStart.start(new Call(ctx, timers, key, received, context), received);
    }));
  }

  /**
   * The answered or ringing call {@code state} kept, brought back on this node after the node
   * that held it is gone ({@link Recovery}); empty when the state does not parse here.
   */
  public static Optional<Behavior<Command>> restore(CallState state, CallContext context) {
    Peer source = state.ringing() == null ? null
        : Peer.destination(state.ringing().aProtocol(), state.ringing().aSource());
    return Recovery.routingView(state).map(aInvite -> Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      Call call = new Call(ctx, timers, state.key(), context, aInvite, state.aCallId(), state.aReliable(),
          state.aOffered(), state.aTag(), source, state.startedAtMs());
      return state.ringing() == null ? Recovery.answered(call, state) : Recovery.ringing(call, state);
    })));
  }

  private Call(ActorContext<Command> ctx, TimerScheduler<Command> timers, CallKey key,
      TransactionEvent.RequestReceived invite, CallContext context) {
    this(ctx, timers, key, context, invite.request(), invite.request().callId(),
        LegMessages.offersReliableProvisionals(invite.request()), invite.request().bodyLength() > 0, null,
        invite.source(), System.currentTimeMillis());
  }

  /** @param aTag Tandem's To tag on leg A; null for a new one */
  private Call(ActorContext<Command> ctx, TimerScheduler<Command> timers, CallKey key, CallContext context,
      SipRequest aInvite, String aCallId, boolean aReliable, boolean aOffered, String aTag, Peer aSource,
      long startedAt) {
    super(ctx);
    this.ctx = ctx;
    this.timers = timers;
    this.key = key;
    this.context = context;
    this.messages = new LegMessages(key, context.settings(), context.local(),
        aSource == null ? null : aSource.remote().getAddress());
    this.aInvite = aInvite;
    this.aCallId = aCallId;
    this.aReliable = aReliable;
    this.aOffered = aOffered;
    this.aTag = aTag != null ? aTag : messages.newTag();
    this.aSource = aSource;
    this.startedAt = startedAt;
    this.hunting = new Hunting(this);
    this.observing = new Observing(key, context.observer(), LOG);
  }

  @Override
  public Behavior<Command> onMessage(Command message) {
    if (message instanceof Event e) {
      onEvent(e.event());
    } else if (message instanceof Leg.Stopped s) {
      return onStopped(s.leg());
    } else if (hunting.handles(message)) {
      hunting.on(message);
    } else if (transferring != null && transferring.handles(message)) {
      transferring.on(message);
    } else if (message instanceof Leg.Confirmed c) {
      a.view = c.dialog();
    } else if (message instanceof Leg.Acked ack) {
      relays.onAcked(ack.ack());
    } else if (message instanceof Leg.PrackReceived p) {
      relays.onPrack(p);
    } else if (message instanceof Leg.RequestReceived r) {
      onRequest(r);
    } else if (message instanceof Leg.RelayAnswered r) {
      relays.onRelayAnswered(r);
    } else if (message instanceof Leg.ReInviteAcked r) {
      relays.onReInviteAcked(r);
    } else if (message instanceof Leg.ByeReceived bye) {
      onBye(bye.leg());
    } else if (message instanceof Leg.SessionEnded) {
      end(200, CallObserver.Party.TANDEM, "session-expired");
    } else if (message instanceof Leg.AckTimedOut) {
      end(200, CallObserver.Party.TANDEM, "no-ack");
    } else if (message == MaxDuration.INSTANCE) {
      LOG.info("call {}: maximum duration {} reached, ending both legs", key, context.settings().maxDuration());
      end(200, CallObserver.Party.TANDEM, "max-duration");
    } else if (message instanceof DescribeDialog d) {
      transfers().onDescribeDialog(d);
    } else if (message instanceof ReplacedDialog r) {
      transfers().onReplacedDialog(r);
    } else if (message instanceof Describe d) {
      CallAdmin.describe(this, d);
    } else if (message instanceof HangUp) {
      CallAdmin.hangUp(this);
    } else if (message instanceof Recovery.Saved saved) {
      if (b != null) {
        tell(b.leg, new Leg.Kept()); // the carrier's 2xx gets its ACK now
      }
      tell(Leg.LEG_A, saved.respond());
      if (ended) {
        tell(Leg.LEG_A, new Leg.HangUp()); // ended while the state was being kept: the BYE follows the 2xx
      }
    } else if (message instanceof Recovery.Invite kept) {
      return Recovery.onKept(this, kept);
    }
    return this;
  }

  /** A message of one of the call's Call-IDs goes to the leg that has it, if any still does. */
  private void onEvent(TransactionEvent event) {
    SipMessage message = TransactionEvent.messageOf(event).orElse(null);
    if (message == null) {
      return;
    }
    if (CallManager.matchCancel(context.transactions(), event)) {
      return; // matched no INVITE when it came (the call was coming back): leg A's is adopted by now
    }
    int leg = message.callId().equals(aCallId) ? Leg.LEG_A : key.attemptOf(message.callId());
    if (event instanceof TransactionEvent.RequestReceived r && leg == Leg.LEG_A && r.request().toTag().isEmpty()) {
      if (aInvite != null && TransactionKey.server(aInvite).equals(r.key())) {
        return; // leg A's INVITE again, which brought the call back: leg A holds its transaction
      }
      // Another INVITE with leg A's Call-ID and no To tag: merged or looped (section 8.2.2.2).
      r.transaction().respond(Responses.withToTag(r.request(), 482));
      return;
    }
    ActorRef<TransactionUser> ref = live.get(leg);
    if (ref != null) {
      ref.tell(event);
    } else if (event instanceof TransactionEvent.RequestReceived r) {
      boolean releasedBye = released.contains(leg) && Method.BYE.equals(r.request().method());
      r.transaction().respond(Responses.withToTag(r.request(), releasedBye ? 200 : 481));
    }
  }

  // ---- what crosses between the legs ------------------------------------------------------

  /** A request in one leg's dialog: the call acts on a REFER, and relays anything else. */
  private void onRequest(Leg.RequestReceived r) {
    Side from = sideOf(r.leg());
    Side to = from == a ? b : a;
    SipRequest request = r.request();
    if (from == null || to == null || a.view == null || ended) {
      tell(r.leg(), new Leg.Reply(r.txId(), Responses.withToTag(request, 481)));
      return;
    }
    if (Method.REFER.equals(request.method()) && transferPolicy != TransferPolicy.PASS) {
      if (transferPolicy == TransferPolicy.REFUSE) {
        tell(r.leg(), new Leg.Reply(r.txId(), Responses.withToTag(request, 403)));
      } else {
        transfers().onRefer(r, from, to);
      }
      return;
    }
    relays.relay(r, from, to);
  }

  // ---- the end ------------------------------------------------------------------------------

  /** A BYE from {@code leg}: the call ends, unless it is a referrer leaving its transfer to run. */
  private void onBye(int leg) {
    Side side = sideOf(leg);
    if (side == null || ended) {
      return; // a leg a transfer released, or the call is ending anyway
    }
    if (transferring != null && transferring.referrerLeft(leg)) {
      return;
    }
    observing.ended(200, side == a ? CallObserver.Party.CALLER : CallObserver.Party.CALLEE, "bye");
    hangUp(leg);
  }

  /** Ends an answered call for {@code reason}: BYE on both legs. */
  void end(int status, CallObserver.Party by, String reason) {
    if (!ended) {
      observing.ended(status, by, reason);
      hangUp(-1);
    }
  }

  /** Ends the call: BYE on each leg but {@code except}, and any transfer in progress abandoned. */
  void hangUp(int except) {
    ended = true;
    timers.cancel(DURATION_TIMER);
    if (transferring != null) {
      transferring.abandon();
    }
    for (Side side : new Side[] {a, b}) {
      if (side != null && side.leg != except && (transferring == null || !transferring.gone(side.leg))) {
        tell(side.leg, new Leg.HangUp());
      }
    }
  }

  private Behavior<Command> onStopped(int leg) {
    live.remove(leg);
    Attempt attempt = attempts.get(leg);
    if (attempt != null) {
      releaseCarrier(attempt);
    }
    if (leg == Leg.LEG_A && !aFinal) {
      aFinal = true; // leg A gave up (its call's stop, say): nothing is left to answer
      ended = true;
    }
    return ended && live.isEmpty() ? over() : this;
  }

  Behavior<Command> over() {
    LOG.debug("call {}: over", key);
    attempts.values().forEach(this::releaseCarrier); // one whose INVITE never went, too
    if (saved) {
      context.store().remove(key);
    }
    observing.observe(new CallObserver.Closed(key));
    return Behaviors.stopped();
  }

  // ---- for Hunting and Transferring ---------------------------------------------------------

  /** A new leg Tandem calls: its number. */
  int nextLeg() {
    return ++lastLeg;
  }

  int nextRelay() {
    return ++lastRelay;
  }

  /**
   * Starts the UacLeg of {@code attempt}, which sends {@code invite} at once; with a store that
   * replicates, once the ringing call's state is kept ({@link Recovery.Invite}).
   */
  void startLeg(Attempt attempt, SipRequest invite) {
    attempts.put(attempt.number, attempt);
    if (!context.store().replicates() || attempt.transfer) {
      sendInvite(attempt, invite);
    } else {
      Recovery.keepThenInvite(this, attempt, invite);
    }
  }

  void sendInvite(Attempt attempt, SipRequest invite) {
    spawn(attempt.number, UacLeg.create(attempt.number, invite, attempt.destination, key, context, ctx.getSelf()));
  }

  void spawn(int leg, Behavior<TransactionUser> behavior) {
    ActorRef<TransactionUser> ref = ctx.spawnAnonymous(behavior);
    ctx.watchWith(ref, new Leg.Stopped(leg));
    live.put(leg, ref);
  }

  /** Tells leg {@code leg} {@code command}; false if it is gone. */
  boolean tell(int leg, Leg.Command command) {
    ActorRef<TransactionUser> ref = live.get(leg);
    if (ref != null) {
      ref.tell(command);
    }
    return ref != null;
  }

  /**
   * Leg A's 2xx: at once, or with {@code state} once the {@link CallStore} keeps it, so that
   * another node can bring the call back from the moment the caller has it.
   */
  void answerA(Leg.Respond respond, CallState state) {
    if (state == null) {
      tell(Leg.LEG_A, respond);
    } else {
      Recovery.keepThenAnswer(this, respond, state);
    }
  }

  /** Leg B's answer took: the pairing is complete. */
  void answered(Side side) {
    b = side;
    aFinal = true;
    aInvite = LegMessages.routingView(aInvite); // the rest of it is leg A's, and leg A has it
    answeredAt = System.currentTimeMillis();
    if (!context.settings().maxDuration().isZero()) {
      timers.startSingleTimer(DURATION_TIMER, MaxDuration.INSTANCE, context.settings().maxDuration());
    }
  }

  Side sideOf(int leg) {
    return a != null && a.leg == leg ? a : b != null && b.leg == leg ? b : null;
  }

  /** A transfer's new leg takes {@code replaced}'s place. */
  void replace(Side replaced, Side by) {
    if (a == replaced) {
      a = by;
    } else {
      b = by;
    }
    if (saved) {
      // The kept state pairs the legs as they were: brought back, it would revive the leg the
      // transfer released. A transferred call is not kept (yet): it ends with its node.
      saved = false;
      context.store().remove(key);
    }
  }

  private Transferring transfers() {
    if (transferring == null) {
      transferring = new Transferring(this);
    }
    return transferring;
  }

  void releaseCarrier(Attempt attempt) {
    if (attempt.holdsCarrier) {
      attempt.holdsCarrier = false;
      context.limits().releaseCarrier(attempt.destination.carrier());
    }
  }


}
