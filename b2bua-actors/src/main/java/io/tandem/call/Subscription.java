package io.tandem.call;

import io.tandem.routing.RoutingDecision;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.SubscriptionState;
import io.tandem.transaction.Responses;
import io.tandem.transaction.ServerTransaction;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionKey;
import io.tandem.transport.Peer;
import io.tandem.transport.TransportProtocol;
import java.time.Duration;
import java.util.HashMap;
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
 * One subscription through Tandem (RFC 6665), a small {@link Call}: leg A, where Tandem is the
 * notifier of the subscriber's SUBSCRIBE, and leg B, where Tandem subscribes in turn at each
 * destination the route gives ({@link RequestHunt}) until one accepts. Then the two dialogs are
 * tied: NOTIFYs of leg B cross into leg A's dialog, refresh SUBSCRIBEs of leg A into leg B's,
 * and each answer back, with the header rewriting of {@link LegMessages}.
 *
 * <pre>
 *   subscriber      Tandem (leg A | leg B)          notifier
 *   SUBSCRIBE --->  route                           SUBSCRIBE --->
 *   202      <---   Tandem's Contact and To tag     <--- 202
 *   NOTIFY   <---   relayed into leg A's dialog     <--- NOTIFY
 *   200      --->                                   ---> 200
 *   SUBSCRIBE --->  refresh (Expires: 0 ends it)    SUBSCRIBE --->
 *   NOTIFY   <---   Subscription-State: terminated  <--- NOTIFY      (answered: over)
 * </pre>
 *
 * <p>A NOTIFY that comes before the SUBSCRIBE's 2xx makes the dialogs (RFC 6665 section
 * 4.1.2.4). The actor stops when a terminated NOTIFY is answered, when the initial SUBSCRIBE
 * fails, when a refresh gets a response that ends the subscription (section 4.1.2.2), and when
 * the subscription expired {@link RelaySettings#subscriptionGrace()} ago with no refresh.
 */
public final class Subscription extends AbstractBehavior<Subscription.Command> {
  /** What a subscription accepts. */
  public interface Command {}

  /** A transaction event of this subscription, from the {@link CallManager} or its own transactions. */
  public record Event(TransactionEvent event) implements Command {}

  private record AttemptTimeout(int attempt) implements Command {}

  private enum Expired implements Command {
    INSTANCE
  }

  private static final String ATTEMPT_TIMER = "attempt";
  private static final String EXPIRY_TIMER = "expiry";

  /** RFC 6665 section 4.1.2.2: a refresh answered with one of these ends the subscription. */
  private static final Set<Integer> ENDING_REFRESH = Set.of(404, 405, 410, 416, 480, 481, 482, 483, 484, 485, 489, 501, 604);

  /** A request of one leg relayed into the other, waiting for the other's answer. */
  private record Relay(SipRequest original, ServerTransaction origin, boolean fromA) {}

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final CallKey key;
  private final CallContext context;
  private final RelaySettings settings;
  private final LegMessages messages;
  private final ActorRef<TransactionEvent> events;
  private final SipRequest aSubscribe;
  private final ServerTransaction aTransaction;
  private final Peer aSource;
  private final String aTag;
  private final Map<TransactionKey, Relay> relays = new HashMap<>();

  private RequestHunt hunt;
  /** The attempt whose notifier accepted (2xx or a first NOTIFY); leg B's dialog is its. */
  private RequestHunt.Attempt accepted;
  private Dialog legA;
  private Dialog legB;

  /** The subscription that {@code subscribe}, a new leg-A SUBSCRIBE, starts. */
  public static Behavior<Command> create(
      CallKey key, TransactionEvent.RequestReceived subscribe, CallContext context, RelaySettings settings) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new Subscription(ctx, timers, key, subscribe, context, settings).start()));
  }

  private Subscription(ActorContext<Command> ctx, TimerScheduler<Command> timers, CallKey key,
      TransactionEvent.RequestReceived subscribe, CallContext context, RelaySettings settings) {
    super(ctx);
    this.ctx = ctx;
    this.timers = timers;
    this.key = key;
    this.context = context;
    this.settings = settings;
    this.messages = new LegMessages(key, context.settings(), context.local(), subscribe.source().remote().getAddress());
    this.events = ctx.messageAdapter(TransactionEvent.class, Event::new);
    this.aSubscribe = subscribe.request();
    this.aTransaction = subscribe.transaction();
    this.aSource = subscribe.source();
    this.aTag = messages.newTag();
  }

  private Behavior<Command> start() {
    if (aSubscribe.maxForwards().orElse(70) <= 0) {
      return failA(messages.finalToA(aSubscribe, aTag, 483)); // RFC 3261 section 16.3
    }
    RoutingDecision decision = context.routing().route(aSubscribe);
    if (decision instanceof RoutingDecision.Reject reject) {
      ctx.getLog().info("subscription {}: rejected by routing: {} {}", key, reject.status(), reject.reason());
      return failA(SipResponse.builderFor(aSubscribe, reject.status())
          .status(reject.status(), reject.reason())
          .set(HeaderName.TO, aSubscribe.to().withTag(aTag))
          .build());
    }
    hunt = new RequestHunt(aSubscribe, (RoutingDecision.Route) decision, messages, context.routing());
    return nextAttempt();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Event.class, e -> onEvent(e.event()))
        .onMessage(AttemptTimeout.class, this::onAttemptTimeout)
        .onMessageEquals(Expired.INSTANCE, this::onExpired)
        .build();
  }

  private Behavior<Command> onEvent(TransactionEvent event) {
    if (event instanceof TransactionEvent.RequestReceived r) {
      return onRequest(r);
    } else if (event instanceof TransactionEvent.ResponseReceived r && r.response().statusCode() >= 200) {
      return onFinal(r.key(), r.response());
    } else if (event instanceof TransactionEvent.TimedOut t) {
      return onClientFailure(t.key(), 408);
    } else if (event instanceof TransactionEvent.TransportFailed f) {
      return onClientFailure(f.key(), 503);
    }
    return this; // provisionals are hop by hop; ACK, CANCEL and stray responses mean nothing here
  }

  // ---- leg B: the initial SUBSCRIBE, destination after destination --------------------------

  private Behavior<Command> nextAttempt() {
    Optional<RequestHunt.Attempt> next = hunt.next();
    if (next.isEmpty()) {
      int best = hunt.best();
      ctx.getLog().info("subscription {}: no destination accepted ({}), leg A gets {}", key, hunt.finals(), best);
      return failA(messages.finalToA(aSubscribe, aTag, best));
    }
    RequestHunt.Attempt attempt = next.get();
    timers.startSingleTimer(ATTEMPT_TIMER, new AttemptTimeout(attempt.number()), settings.attemptTimeout());
    send(attempt.request(), attempt.destination().peer());
    return this;
  }

  private Behavior<Command> onAttemptTimeout(AttemptTimeout timeout) {
    Optional<RequestHunt.Attempt> current = hunt.current();
    if (accepted == null && current.isPresent() && current.get().number() == timeout.attempt()) {
      ctx.getLog().info("subscription {}: no final from {} within {}, hunting",
          key, current.get().destination().carrier(), settings.attemptTimeout());
      hunt.failed(408);
      return nextAttempt();
    }
    return this;
  }

  private Behavior<Command> onFinal(TransactionKey txKey, SipResponse response) {
    Relay relay = relays.remove(txKey);
    if (relay != null) {
      return onRelayAnswered(relay, response);
    }
    return switch (hunt.onFinal(txKey, response)) {
      case IGNORE -> this;
      case NEXT -> {
        timers.cancel(ATTEMPT_TIMER);
        if (accepted != null) {
          yield failA(messages.relayFinal(aSubscribe, aTag, response, aSource.protocol()));
        }
        ctx.getLog().info("subscription {}: {} from leg B, hunting", key, response.statusCode());
        yield nextAttempt();
      }
      case RELAY -> {
        timers.cancel(ATTEMPT_TIMER);
        if (response.statusCode() >= 300) {
          ctx.getLog().info("subscription {}: {} from leg B, relayed", key, response.statusCode());
          yield failA(messages.relayFinal(aSubscribe, aTag, response, aSource.protocol()));
        }
        yield onAccepted(hunt.current().orElseThrow(), response);
      }
    };
  }

  /** The notifier's 2xx: both dialogs exist from now on (or already did, from a NOTIFY). */
  private Behavior<Command> onAccepted(RequestHunt.Attempt attempt, SipResponse ok) {
    accepted = attempt;
    if (legB == null) {
      legB = Dialog.asUac(attempt.request(), ok, attempt.destination().peer());
    }
    if (legA == null) {
      legA = Dialog.asUas(aSubscribe, aTag, aSource);
    }
    aTransaction.respond(messages.relayFinal(aSubscribe, aTag, ok, aSource.protocol()));
    restartExpiry(expiresOf(ok).or(() -> expiresOf(aSubscribe)));
    ctx.getLog().info("subscription {}: accepted by {}", key, attempt.destination().carrier());
    return this;
  }

  private Behavior<Command> onClientFailure(TransactionKey txKey, int status) {
    Relay relay = relays.remove(txKey);
    if (relay != null) {
      relay.origin().respond(Responses.withToTag(relay.original(), status));
      // RFC 6665 section 4.2.2: a NOTIFY that gets no answer ends the subscription.
      return Method.NOTIFY.equals(relay.original().method()) ? end("leg A did not answer a NOTIFY") : this;
    }
    if (accepted == null && hunt.isCurrent(txKey)) {
      timers.cancel(ATTEMPT_TIMER);
      hunt.failed(status);
      return nextAttempt();
    }
    return this;
  }

  // ---- in-dialog requests of either leg ----------------------------------------------------

  private Behavior<Command> onRequest(TransactionEvent.RequestReceived received) {
    SipRequest request = received.request();
    boolean fromA = request.callId().equals(aSubscribe.callId());
    if (!fromA && Method.NOTIFY.equals(request.method()) && legB == null) {
      notifiedBeforeAccepted(request);
    }
    if (!belongs(request, fromA)) {
      received.transaction().respond(Responses.withToTag(request, 481));
      return this;
    }
    Dialog origin = fromA ? legA : legB;
    Dialog other = fromA ? legB : legA;
    if (LegMessages.isTargetRefresh(request.method())) {
      origin.refreshTarget(request);
    }
    Optional<SubscriptionState> state = request.header(SipHeaders.SUBSCRIPTION_STATE).toOptional();
    if (state.isPresent() && !state.get().isTerminated() && state.get().expires().isPresent()) {
      restartExpiry(Optional.of(state.get().expires().getAsLong())); // the notifier's word on the expiry
    }
    SipRequest sent = messages.relay(request, other, protocolOf(!fromA));
    relays.put(TransactionKey.client(sent), new Relay(request, received.transaction(), fromA));
    send(sent, other.destination());
    return this;
  }

  /**
   * RFC 6665 section 4.1.2.4: a NOTIFY from the current attempt's notifier before its 2xx
   * makes the dialog on leg B, and Tandem's on leg A, whose subscriber treats it alike.
   */
  private void notifiedBeforeAccepted(SipRequest notify) {
    Optional<RequestHunt.Attempt> current = hunt == null ? Optional.empty() : hunt.current();
    if (current.isPresent() && current.get().request().callId().equals(notify.callId())
        && notify.toTag().equals(current.get().request().fromTag())) {
      timers.cancel(ATTEMPT_TIMER);
      accepted = current.get();
      legB = Dialog.asNotifiedSubscriber(accepted.request(), notify, accepted.destination().peer());
      legA = Dialog.asUas(aSubscribe, aTag, aSource);
      restartExpiry(expiresOf(aSubscribe));
    }
  }

  /** Whether {@code request} is of this subscription's dialog on its leg (else 481, section 12.2.2). */
  private boolean belongs(SipRequest request, boolean fromA) {
    if (legA == null || legB == null) {
      return false;
    }
    if (fromA) {
      return request.toTag().equals(Optional.of(aTag));
    }
    return request.callId().equals(legB.callId) && request.toTag().equals(accepted.request().fromTag());
  }

  /** The other leg answered a relayed request: its answer crosses back, and may end the subscription. */
  private Behavior<Command> onRelayAnswered(Relay relay, SipResponse answer) {
    SipRequest original = relay.original();
    relay.origin().respond(
        messages.relayResponse(original, answer, protocolOf(relay.fromA())));
    int status = answer.statusCode();
    if (Method.SUBSCRIBE.equals(original.method())) {
      if (status < 300) {
        restartExpiry(expiresOf(answer).or(() -> expiresOf(original)));
      } else if (ENDING_REFRESH.contains(status)) {
        return end("refresh answered " + status);
      }
    } else if (Method.NOTIFY.equals(original.method())) {
      boolean terminated = original.header(SipHeaders.SUBSCRIPTION_STATE).toOptional()
          .map(SubscriptionState::isTerminated).orElse(false);
      if (terminated) {
        return end("terminated by the notifier");
      }
      if (status == 481) {
        return end("the subscriber knows no such subscription");
      }
    }
    return this;
  }

  // ---- the end -----------------------------------------------------------------------------

  /**
   * The safety timer: {@code expires} (seconds; the default when empty) plus the grace, from
   * now. A refresh or a NOTIFY naming a new expiry sets it again.
   */
  private void restartExpiry(Optional<Long> expires) {
    Duration lifetime = expires.map(Duration::ofSeconds).orElse(settings.defaultExpires());
    timers.startSingleTimer(EXPIRY_TIMER, Expired.INSTANCE, lifetime.plus(settings.subscriptionGrace()));
  }

  private Behavior<Command> onExpired() {
    return end("expired with no refresh");
  }

  private static Optional<Long> expiresOf(SipMessage message) {
    return message.header(SipHeaders.EXPIRES).toOptional();
  }

  /** Leg A's failure final to the initial SUBSCRIBE: no subscription. */
  private Behavior<Command> failA(SipResponse response) {
    aTransaction.respond(response);
    return end("failed: " + response.statusCode());
  }

  private Behavior<Command> end(String why) {
    ctx.getLog().info("subscription {}: over ({})", key, why);
    return Behaviors.stopped();
  }

  private TransportProtocol protocolOf(boolean legAside) {
    return legAside ? aSource.protocol() : accepted.destination().transport();
  }

  private void send(SipRequest request, Peer destination) {
    context.transactions().send(ctx, request, destination, events);
  }
}
