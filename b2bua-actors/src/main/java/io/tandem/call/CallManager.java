package io.tandem.call;

import io.tandem.auth.InboundAuth;
import io.tandem.routing.CallLimits;
import io.tandem.routing.RoutingPolicy;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.Replaces;
import io.tandem.sip.message.RetryAfter;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import io.tandem.transaction.ClientTransactions;
import io.tandem.transaction.Responses;
import io.tandem.transaction.TimerSettings;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionLayer;
import io.tandem.transaction.TransactionLimits;
import io.tandem.transport.Egress;
import io.tandem.transport.SentBy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The user of the transaction layer: it starts a {@link Call} for each new INVITE and hands
 * every later message of a call to it, found by the leg-A Call-ID or by the {@link CallKey} a
 * leg-B message carries. Out of dialog, it starts a {@link MessageRelay} for each MESSAGE,
 * PUBLISH or NOTIFY and a {@link Subscription} for each SUBSCRIBE, found again like a call. What
 * belongs to none goes to the out-of-dialog UAS (OPTIONS, REGISTER, a request for a dialog that
 * does not exist).
 *
 * <pre>
 *   TransactionLayer --events--> CallManager --new INVITE--> InboundAuth: Respond (401/407/403)
 *                                     |                      or spawn Call (global limit first)
 *                                     |  --by Call-ID / call key--> Call
 *                                     |  --new MESSAGE, PUBLISH, NOTIFY--> spawn MessageRelay
 *                                     |  --new SUBSCRIBE--> spawn Subscription
 *                                     |  --by Call-ID / call key--> Subscription
 *                                     '--anything else--> out-of-dialog UAS
 * </pre>
 */
public final class CallManager extends AbstractBehavior<CallManager.Command> {
  /** What the manager accepts. */
  public interface Command {}

  /** An event of the transaction layer. */
  public record Event(TransactionEvent event) implements Command {}

  /** Asks for the transaction layer the manager runs. */
  public record GetTransactions(ActorRef<TransactionLayer> replyTo) implements Command {}

  /** Asks how many calls are alive. */
  public record GetCallCount(ActorRef<Integer> replyTo) implements Command {}

  /** Asks how many call and leg actors are alive. */
  public record GetActorCount(ActorRef<ActorCount> replyTo) implements Command {}

  /** The node's Call actors, and their leg actors ({@link UasLeg}, {@link UacLeg}). */
  public record ActorCount(int calls, int legs) {}

  /**
   * A call's question for the call one of whose dialogs {@code replaces} names (RFC 3891, an
   * attended transfer): that call answers {@code replyTo} with a {@link Call.ReplacedDialog}, and
   * so does the manager when no other call has that dialog.
   */
  public record FindDialog(Replaces replaces, ActorRef<Call.Command> replyTo) implements Command {}

  /** Asks how many subscriptions ({@link Subscription}) are alive. */
  public record GetSubscriptionCount(ActorRef<Integer> replyTo) implements Command {}

  /** The admin API: every call alive now, by key. */
  public record ListCalls(ActorRef<Calls> replyTo) implements Command {}

  /** The calls alive when asked, each to be asked {@link Call.Describe} for its details. */
  public record Calls(Map<CallKey, ActorRef<Call.Command>> byKey) {}

  /** The admin API: hang up the call {@code key} ({@link Call.HangUp}); false if there is none. */
  public record HangUp(CallKey key, ActorRef<Boolean> replyTo) implements Command {}

  /**
   * The admin API: while draining, a new INVITE gets 503 with Retry-After and the calls up go
   * on; the reply is the state after the change.
   */
  public record SetDraining(boolean draining, ActorRef<DrainState> replyTo) implements Command {}

  /** The admin API: the draining state, unchanged. */
  public record GetDrainState(ActorRef<DrainState> replyTo) implements Command {}

  /** Whether new calls are refused, and how many calls are still up. */
  public record DrainState(boolean draining, int activeCalls) {}

  /**
   * Bring back the call {@code key} from the {@link CallStore} if it is kept there and not held
   * here: the node that held it is gone. A message for a call this node does not hold does the
   * same by itself.
   */
  public record Restore(CallKey key) implements Command {}


  private record CallEnded(String legACallId, CallKey key) implements Command {}

  private record SubscriptionEnded(String legACallId, CallKey key) implements Command {}

  private final TransactionLayer transactions;
  private final CallContext context;
  private final ActorRef<TransactionEvent> uas;
  private final Duration retryAfter;
  private final InboundAuth auth;
  private final Map<String, ActorRef<Call.Command>> byLegA = new HashMap<>();
  private final Map<CallKey, ActorRef<Call.Command>> byKey = new HashMap<>();
  private final RelaySettings relaySettings;
  /** Subscriptions, found like calls: by leg-A Call-ID and by the key leg-B messages carry. */
  private final Map<String, ActorRef<Subscription.Command>> subscriptionsByLegA = new HashMap<>();
  private final Map<CallKey, ActorRef<Subscription.Command>> subscriptionsByKey = new HashMap<>();
  private boolean draining;
  /** Calls looked for in the store: those of nodes that are gone. */
  private final Restorer restorer;

  /**
   * The manager and, as its child, the transaction layer whose user it is.
   *
   * @param retryAfter the Retry-After of the 503 answered over the global call limit
   * @param uas gets what belongs to no call
   */
  public static Behavior<Command> create(
      TimerSettings timers,
      TransactionLimits transactionLimits,
      ActorRef<Egress.Command> egress,
      RoutingPolicy routing,
      CallLimits limits,
      Duration retryAfter,
      CallSettings settings,
      SentBy local,
      ActorRef<TransactionEvent> uas) {
    return create(timers, transactionLimits, egress, routing, limits, retryAfter, settings,
        RelaySettings.DEFAULTS, local, uas, InboundAuth.NONE);
  }

  /**
   * The manager, with the settings of its out-of-dialog relays (MESSAGE, PUBLISH, SUBSCRIBE),
   * asking {@code auth} about each new INVITE before it starts a call for it.
   *
   * @param retryAfter the Retry-After of the 503 answered over the global call limit
   * @param uas gets what belongs to no call
   */
  public static Behavior<Command> create(
      TimerSettings timers,
      TransactionLimits transactionLimits,
      ActorRef<Egress.Command> egress,
      RoutingPolicy routing,
      CallLimits limits,
      Duration retryAfter,
      CallSettings settings,
      RelaySettings relaySettings,
      SentBy local,
      ActorRef<TransactionEvent> uas,
      InboundAuth auth) {
    return create(timers, transactionLimits, egress, routing, limits, retryAfter, settings, relaySettings, local,
        uas, auth, CallObserver.NONE);
  }

  /** The manager, whose calls tell {@code observer} each step they take. */
  public static Behavior<Command> create(
      TimerSettings timers,
      TransactionLimits transactionLimits,
      ActorRef<Egress.Command> egress,
      RoutingPolicy routing,
      CallLimits limits,
      Duration retryAfter,
      CallSettings settings,
      RelaySettings relaySettings,
      SentBy local,
      ActorRef<TransactionEvent> uas,
      InboundAuth auth,
      CallObserver observer) {
    return create(timers, transactionLimits, egress, routing, limits, retryAfter, settings, relaySettings, local,
        uas, auth, observer, CallStore.NONE);
  }

  /** The manager, whose answered calls are kept in {@code store} for another node to bring back. */
  public static Behavior<Command> create(
      TimerSettings timers,
      TransactionLimits transactionLimits,
      ActorRef<Egress.Command> egress,
      RoutingPolicy routing,
      CallLimits limits,
      Duration retryAfter,
      CallSettings settings,
      RelaySettings relaySettings,
      SentBy local,
      ActorRef<TransactionEvent> uas,
      InboundAuth auth,
      CallObserver observer,
      CallStore store) {
    return Behaviors.setup(ctx -> {
      ActorRef<TransactionEvent> events = ctx.messageAdapter(TransactionEvent.class, Event::new);
      TransactionLayer layer =
          new TransactionLayer(ctx.getSystem(), timers, transactionLimits, egress, events);
      if (store.replicates()) {
        layer.sendUnmatchedCancelsToCore(); // the ringing call it cancels may be another node's, coming back
      }
      CallContext context =
          new CallContext(layer, routing, limits, settings, timers, local, ctx.getSelf(), observer, new LiveLegs(), store);
      return new CallManager(ctx, layer, context, uas, retryAfter, auth, relaySettings);
    });
  }

  private CallManager(ActorContext<Command> ctx, TransactionLayer transactions,
      CallContext context, ActorRef<TransactionEvent> uas, Duration retryAfter, InboundAuth auth,
      RelaySettings relaySettings) {
    super(ctx);
    this.relaySettings = relaySettings;
    this.transactions = transactions;
    this.context = context;
    this.uas = uas;
    this.retryAfter = retryAfter;
    this.auth = auth;
    this.restorer = new Restorer(ctx, context.store(), context.transactions(), uas, this::startRestored,
        this::startCall);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Event.class, e -> onEvent(e.event()))
        .onMessage(CallEnded.class, this::onCallEnded)
        .onMessage(FindDialog.class, this::onFindDialog)
        .onMessage(Restore.class, r -> {
          if (!byKey.containsKey(r.key())) {
            restorer.look(r.key());
          }
          return this;
        })
        .onMessage(Restorer.Found.class, f -> {
          restorer.onFound(f, byKey.get(f.key()));
          return this;
        })
        .onMessage(SubscriptionEnded.class, this::onSubscriptionEnded)
        .onMessage(GetSubscriptionCount.class, g -> {
          g.replyTo().tell(subscriptionsByLegA.size());
          return this;
        })
        .onMessage(GetTransactions.class, g -> {
          g.replyTo().tell(transactions);
          return this;
        })
        .onMessage(GetCallCount.class, g -> {
          g.replyTo().tell(byLegA.size());
          return this;
        })
        .onMessage(GetActorCount.class, g -> {
          g.replyTo().tell(new ActorCount(byLegA.size(), context.legs().count()));
          return this;
        })
        .onMessage(ListCalls.class, l -> {
          l.replyTo().tell(new Calls(Map.copyOf(byKey)));
          return this;
        })
        .onMessage(HangUp.class, this::onHangUp)
        .onMessage(SetDraining.class, d -> {
          if (draining != d.draining()) {
            getContext().getLog().info(d.draining() ? "draining: new calls refused, {} up" : "draining ended, {} calls up",
                byLegA.size());
          }
          draining = d.draining();
          d.replyTo().tell(new DrainState(draining, byLegA.size()));
          return this;
        })
        .onMessage(GetDrainState.class, g -> {
          g.replyTo().tell(new DrainState(draining, byLegA.size()));
          return this;
        })
        .build();
  }

  private Behavior<Command> onEvent(TransactionEvent event) {
    if (event instanceof TransactionEvent.RequestReceived received
        && Method.INVITE.equals(received.request().method())
        && received.request().toTag().isEmpty()
        && !byLegA.containsKey(received.request().callId())) {
      if (!restorer.holdsInvite(received)) {
        startCall(received);
      }
      return this;
    }
    Optional<ActorRef<Call.Command>> call = TransactionEvent.messageOf(event).flatMap(this::callOf);
    if (call.isPresent()) {
      call.get().tell(new Call.Event(event));
    } else if (isCancel(event)) {
      if (!restorer.holds(event)) {
        matchCancel(context.transactions(), event);
      }
    } else if (!startsRelay(event) && !toSubscription(event) && !restorer.holds(event)) {
      uas.tell(event);
    }
    return this;
  }

  /** A CANCEL the layer matched to no INVITE ({@link TransactionLayer#sendUnmatchedCancelsToCore}). */
  static boolean isCancel(TransactionEvent event) {
    return event instanceof TransactionEvent.RequestReceived r && Method.CANCEL.equals(r.request().method());
  }

  /**
   * {@code event}, if it is such a CANCEL, matched again in {@code transactions} (200 and the
   * INVITE's user told, or 481: RFC 3261 section 9.2); false if it is no CANCEL.
   */
  static boolean matchCancel(ClientTransactions transactions, TransactionEvent event) {
    if (!isCancel(event)) {
      return false;
    }
    TransactionEvent.RequestReceived cancel = (TransactionEvent.RequestReceived) event;
    transactions.matchCancel(cancel.request(), cancel.transaction());
    return true;
  }

  /** Spawns and registers the call {@code state} brings back; null if the state does not parse here. */
  private ActorRef<Call.Command> startRestored(CallState state) {
    Optional<Behavior<Call.Command>> behavior = Call.restore(state, context);
    if (behavior.isEmpty()) {
      getContext().getLog().warn("call {}: kept by another node, but its state does not parse here", state.key());
      context.store().remove(state.key()); // nobody can bring it back: not asked again
      return null;
    }
    ActorRef<Call.Command> call = getContext().spawn(behavior.get(), "call-" + state.key() + "-" + System.nanoTime());
    getContext().watchWith(call, new CallEnded(state.aCallId(), state.key()));
    context.limits().acquireRecoveredCall();
    byLegA.put(state.aCallId(), call);
    byKey.put(state.key(), call);
    return call;
  }

  // ---- out-of-dialog MESSAGE, PUBLISH and SUBSCRIBE (no call is theirs) ---------------------

  /**
   * Starts the relay of a new out-of-dialog MESSAGE, PUBLISH or NOTIFY ({@link MessageRelay})
   * or the {@link Subscription} of a new SUBSCRIBE; false for anything else.
   */
  private boolean startsRelay(TransactionEvent event) {
    if (!(event instanceof TransactionEvent.RequestReceived received) || received.request().toTag().isPresent()) {
      return false;
    }
    SipRequest request = received.request();
    Method method = request.method();
    if (Method.MESSAGE.equals(method) || Method.PUBLISH.equals(method) || Method.NOTIFY.equals(method)) {
      CallKey key = CallKey.ofLegA(request.callId() + " " + request.cseq().sequence());
      getContext().spawn(MessageRelay.create(key, received, context, relaySettings), "relay-" + key + "-" + System.nanoTime());
      return true;
    }
    if (!Method.SUBSCRIBE.equals(method) || subscriptionsByLegA.containsKey(request.callId())) {
      return false;
    }
    if (CallKey.ofLegB(request).filter(subscriptionsByKey::containsKey).isPresent()) {
      // Tandem's own leg B came back to it (RFC 3261 section 8.2.2.2).
      received.transaction().respond(Responses.withToTag(request, 482));
      return true;
    }
    CallKey key = CallKey.ofLegA(request.callId());
    ActorRef<Subscription.Command> subscription = getContext().spawn(
        Subscription.create(key, received, context, relaySettings), "subscription-" + key + "-" + System.nanoTime());
    getContext().watchWith(subscription, new SubscriptionEnded(request.callId(), key));
    subscriptionsByLegA.put(request.callId(), subscription);
    subscriptionsByKey.put(key, subscription);
    return true;
  }

  /** Hands {@code event} to the subscription whose message it is; false when there is none. */
  private boolean toSubscription(TransactionEvent event) {
    Optional<ActorRef<Subscription.Command>> subscription = TransactionEvent.messageOf(event).flatMap(message ->
        Optional.ofNullable(subscriptionsByLegA.get(message.callId()))
            .or(() -> CallKey.ofLegB(message).map(subscriptionsByKey::get)));
    subscription.ifPresent(s -> s.tell(new Subscription.Event(event)));
    return subscription.isPresent();
  }

  private Behavior<Command> onSubscriptionEnded(SubscriptionEnded ended) {
    subscriptionsByLegA.remove(ended.legACallId());
    subscriptionsByKey.remove(ended.key());
    return this;
  }

  private void startCall(TransactionEvent.RequestReceived received) {
    SipRequest invite = received.request();
    Optional<CallKey> looped = CallKey.ofLegB(invite).filter(byKey::containsKey);
    if (looped.isPresent()) {
      // Tandem's own leg B came back to it: routing points at itself (section 8.2.2.2).
      getContext().getLog().warn("call {}: leg B looped back into Tandem, refused", looped.get());
      received.transaction().respond(Responses.withToTag(invite, 482));
      return;
    }
    // RFC 3261 section 22: a challenge ends this transaction without a call; the caller's
    // retry (same Call-ID, CSeq + 1, new branch) comes back here as a new INVITE.
    if (auth.check(invite, received.source()) instanceof InboundAuth.Respond respond) {
      received.transaction().respond(respond.response());
      return;
    }
    if (draining || !context.limits().tryAcquireCall()) {
      // Draining refuses like a full server: the caller may retry here later (section 21.5.4).
      received.transaction().respond(
          Responses.builder(invite, 503).header(HeaderName.RETRY_AFTER, RetryAfter.of(retryAfter.toSeconds())).build());
      return;
    }
    CallKey key = CallKey.ofLegA(invite.callId());
    ActorRef<Call.Command> call = getContext().spawn(Call.create(key, received, context), "call-" + key + "-" + System.nanoTime());
    getContext().watchWith(call, new CallEnded(invite.callId(), key));
    byLegA.put(invite.callId(), call);
    byKey.put(key, call);
  }

  /**
   * Every dialog of a call carries its key: a leg-B Call-ID names it, a leg-A Call-ID hashes to
   * it. A Call-ID of neither kind, or the asking call itself, finds nothing here.
   */
  private Behavior<Command> onFindDialog(FindDialog find) {
    String callId = find.replaces().callId();
    CallKey key = CallKey.ofLegBCallId(callId).orElseGet(() -> CallKey.ofLegA(callId));
    ActorRef<Call.Command> call = byKey.get(key);
    if (call == null || call.equals(find.replyTo())) {
      find.replyTo().tell(new Call.ReplacedDialog(find.replaces(), Optional.empty()));
    } else {
      call.tell(new Call.DescribeDialog(find.replaces(), find.replyTo()));
    }
    return this;
  }

  private Behavior<Command> onHangUp(HangUp hangUp) {
    ActorRef<Call.Command> call = byKey.get(hangUp.key());
    if (call != null) {
      call.tell(new Call.HangUp());
    }
    hangUp.replyTo().tell(call != null);
    return this;
  }

  private Behavior<Command> onCallEnded(CallEnded ended) {
    restorer.ended(ended.key());
    byLegA.remove(ended.legACallId());
    byKey.remove(ended.key());
    context.limits().releaseCall();
    return this;
  }

  private Optional<ActorRef<Call.Command>> callOf(SipMessage message) {
    ActorRef<Call.Command> byCallId = byLegA.get(message.callId());
    if (byCallId != null) {
      return Optional.of(byCallId);
    }
    return CallKey.ofLegB(message).map(byKey::get);
  }

}
