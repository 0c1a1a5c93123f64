package io.tandem.call;

import io.tandem.routing.RoutingDecision;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transaction.ServerTransaction;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionKey;
import io.tandem.transport.TransportProtocol;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The relay of one out-of-dialog request that makes no dialog: MESSAGE (RFC 3428), PUBLISH
 * (RFC 3903), or a NOTIFY outside any subscription. It routes the request like a call, sends
 * Tandem's own copy of it to each destination in turn ({@link RequestHunt}), and answers leg A
 * with the final of the one that does not fail over; then it stops.
 *
 * <pre>
 *   sender          Tandem                      carrier 1     carrier 2
 *   MESSAGE  --->   route: [carrier 1, 2]       MESSAGE --->
 *                                               <--- 503      (hunt)
 *                                                             MESSAGE --->
 *   200      <---   relayed with Tandem's tag   <------------ 200
 * </pre>
 */
public final class MessageRelay {
  /** What a relay accepts. */
  public interface Command {}

  private record Event(TransactionEvent event) implements Command {}

  private record AttemptTimeout(int attempt) implements Command {}

  private static final String ATTEMPT_TIMER = "attempt";

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final CallKey key;
  private final CallContext context;
  private final RelaySettings settings;
  private final LegMessages messages;
  private final ActorRef<TransactionEvent> events;
  private final SipRequest aRequest;
  private final ServerTransaction aTransaction;
  private final TransportProtocol aProtocol;
  private final String aTag;
  private RequestHunt hunt;

  /** The relay of {@code received}, a new out-of-dialog MESSAGE, PUBLISH or NOTIFY. */
  public static Behavior<Command> create(
      CallKey key, TransactionEvent.RequestReceived received, CallContext context, RelaySettings settings) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(
        timers -> new MessageRelay(ctx, timers, key, received, context, settings).start()));
  }

  private MessageRelay(ActorContext<Command> ctx, TimerScheduler<Command> timers, CallKey key,
      TransactionEvent.RequestReceived received, CallContext context, RelaySettings settings) {
    this.ctx = ctx;
    this.timers = timers;
    this.key = key;
    this.context = context;
    this.settings = settings;
    this.messages = new LegMessages(key, context.settings(), context.local(), received.source().remote().getAddress());
    this.events = ctx.messageAdapter(TransactionEvent.class, Event::new);
    this.aRequest = received.request();
    this.aTransaction = received.transaction();
    this.aProtocol = received.source().protocol();
    this.aTag = messages.newTag();
  }

  private Behavior<Command> start() {
    if (aRequest.maxForwards().orElse(70) <= 0) {
      return answer(messages.finalToA(aRequest, aTag, 483)); // RFC 3261 section 16.3
    }
    RoutingDecision decision = context.routing().route(aRequest);
    if (decision instanceof RoutingDecision.Reject reject) {
      ctx.getLog().info("{} {}: rejected by routing: {} {}", aRequest.method(), key, reject.status(), reject.reason());
      return answer(SipResponse.builderFor(aRequest, reject.status())
          .status(reject.status(), reject.reason())
          .set(HeaderName.TO, aRequest.to().withTag(aTag))
          .build());
    }
    hunt = new RequestHunt(aRequest, (RoutingDecision.Route) decision, messages, context.routing());
    return nextAttempt();
  }

  private Behavior<Command> relaying() {
    return Behaviors.receive(Command.class)
        .onMessage(Event.class, e -> onEvent(e.event()))
        .onMessage(AttemptTimeout.class, this::onAttemptTimeout)
        .build();
  }

  private Behavior<Command> nextAttempt() {
    Optional<RequestHunt.Attempt> next = hunt.next();
    if (next.isEmpty()) {
      int best = hunt.best();
      ctx.getLog().info("{} {}: no destination answered ({}), leg A gets {}", aRequest.method(), key, hunt.finals(), best);
      return answer(messages.finalToA(aRequest, aTag, best));
    }
    RequestHunt.Attempt attempt = next.get();
    timers.startSingleTimer(ATTEMPT_TIMER, new AttemptTimeout(attempt.number()), settings.attemptTimeout());
    context.transactions().send(ctx, attempt.request(), attempt.destination().peer(), events);
    return relaying();
  }

  private Behavior<Command> onEvent(TransactionEvent event) {
    if (event instanceof TransactionEvent.ResponseReceived r && r.response().statusCode() >= 200) {
      return onFinal(r.key(), r.response());
    } else if (event instanceof TransactionEvent.TimedOut t) {
      return onFailure(t.key(), 408);
    } else if (event instanceof TransactionEvent.TransportFailed f) {
      return onFailure(f.key(), 503);
    }
    return Behaviors.same(); // a provisional (hop by hop) or a transaction's end
  }

  private Behavior<Command> onFinal(TransactionKey txKey, SipResponse response) {
    return switch (hunt.onFinal(txKey, response)) {
      case IGNORE -> Behaviors.same();
      case NEXT -> {
        ctx.getLog().info("{} {}: {} from leg B, hunting", aRequest.method(), key, response.statusCode());
        timers.cancel(ATTEMPT_TIMER);
        yield nextAttempt();
      }
      case RELAY -> answer(messages.relayFinal(aRequest, aTag, response, aProtocol));
    };
  }

  private Behavior<Command> onFailure(TransactionKey txKey, int status) {
    if (!hunt.isCurrent(txKey)) {
      return Behaviors.same();
    }
    timers.cancel(ATTEMPT_TIMER);
    hunt.failed(status);
    return nextAttempt();
  }

  private Behavior<Command> onAttemptTimeout(AttemptTimeout timeout) {
    Optional<RequestHunt.Attempt> current = hunt.current();
    if (current.isPresent() && current.get().number() == timeout.attempt()) {
      ctx.getLog().info("{} {}: no final from {} within {}, hunting",
          aRequest.method(), key, current.get().destination().carrier(), settings.attemptTimeout());
      hunt.failed(408);
      return nextAttempt();
    }
    return Behaviors.same();
  }

  /** Leg A's final: the relay's work is done (a late answer of leg B goes unheard). */
  private Behavior<Command> answer(SipResponse response) {
    aTransaction.respond(response);
    return Behaviors.stopped();
  }

}
