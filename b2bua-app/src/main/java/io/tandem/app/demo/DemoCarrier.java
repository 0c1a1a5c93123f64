package io.tandem.app.demo;

import io.tandem.app.Settings;
import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transaction.Responses;
import io.tandem.transaction.TimerSettings;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionLayer;
import io.tandem.transport.Egress;
import io.tandem.transport.Inbound;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The embedded demo carrier: a SIP UAS on Tandem's own stack that answers every call, so that a
 * softphone pointed at a fresh Tandem is answered with nothing else installed. It is the user
 * of its own transaction layer and starts a {@link DemoCall} per INVITE; the call actor stops
 * when its call is over.
 *
 * <pre>
 *   socket --> SipTransport --Received--> DemoCarrier --> TransactionLayer
 *                                              ^  '--new INVITE--> spawn DemoCall (child)
 *                                              '----events-----------'  by Call-ID --> DemoCall
 * </pre>
 *
 * <p>It sends and receives signalling only: the SDP answer names a port where nothing listens
 * and no media is ever sent.
 */
public final class DemoCarrier extends AbstractBehavior<DemoCarrier.Command> {
  /** What the carrier accepts. */
  public interface Command {}

  /** A message its socket received. */
  public record Received(Inbound inbound) implements Command {}

  /** Asks how many calls are alive. */
  public record GetCallCount(ActorRef<Integer> replyTo) implements Command {}

  /** Stops the carrier, its transaction layer and its calls. */
  public enum Stop implements Command {
    INSTANCE
  }

  private record Event(TransactionEvent event) implements Command {}

  private record CallEnded(String callId) implements Command {}

  /** The methods it serves, for Allow. */
  private static final String ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO";

  private final TransactionLayer layer;
  private final DemoCall.Context context;
  private final Map<String, ActorRef<DemoCall.Command>> calls = new HashMap<>();

  /**
   * Binds the demo carrier where {@code demo} says and starts it in {@code system}.
   *
   * @throws IllegalStateException if the address cannot be bound
   */
  public static UaStack<Command> start(ActorSystem<?> system, Settings settings, DemoCarrierSettings demo, WireTap tap) {
    TimerSettings timers = TimerSettings.fromConfig(settings.config());
    return UaStack.start(system, settings, "demo-carrier", demo.listen(), tap, Received::new,
        (egress, local) -> create(demo, timers, egress, local), Stop.INSTANCE);
  }

  /** The carrier, sending through {@code egress}, listening at {@code local}. */
  static Behavior<Command> create(
      DemoCarrierSettings settings, TimerSettings timers, ActorRef<Egress.Command> egress, InetSocketAddress local) {
    return Behaviors.setup(ctx -> {
      ActorRef<TransactionEvent> events = ctx.messageAdapter(TransactionEvent.class, Event::new);
      TransactionLayer layer = new TransactionLayer(ctx.getSystem(), timers, egress, events);
      return new DemoCarrier(ctx, layer, new DemoCall.Context(settings, timers, layer, local));
    });
  }

  private DemoCarrier(ActorContext<Command> ctx, TransactionLayer layer, DemoCall.Context context) {
    super(ctx);
    this.layer = layer;
    this.context = context;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Received.class, r -> {
          layer.receive(r.inbound());
          return this;
        })
        .onMessage(Event.class, e -> onEvent(e.event()))
        .onMessage(CallEnded.class, e -> {
          calls.remove(e.callId());
          return this;
        })
        .onMessage(GetCallCount.class, g -> {
          g.replyTo().tell(calls.size());
          return this;
        })
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .build();
  }

  private Behavior<Command> onEvent(TransactionEvent event) {
    if (event instanceof TransactionEvent.RequestReceived received
        && Method.INVITE.equals(received.request().method())
        && received.request().toTag().isEmpty()
        && !calls.containsKey(received.request().callId())) {
      String callId = received.request().callId();
      ActorRef<DemoCall.Command> call = getContext().spawnAnonymous(DemoCall.create(received, context));
      getContext().watchWith(call, new CallEnded(callId));
      calls.put(callId, call);
      return this;
    }
    Optional<SipMessage> message = messageOf(event);
    ActorRef<DemoCall.Command> call = message.map(m -> calls.get(m.callId())).orElse(null);
    if (call != null) {
      call.tell(new DemoCall.Event(event));
    } else if (event instanceof TransactionEvent.RequestReceived received) {
      received.transaction().respond(outOfCall(received.request()));
    } else if (event instanceof TransactionEvent.CancelReceived cancel) {
      // RFC 3261 section 9.2: the INVITE of a call that already ended still gets its 487.
      cancel.invite().respond(Responses.builder(cancel.cancel(), 487)
          .set(HeaderName.CSEQ, new CSeq(cancel.cancel().cseq().sequence(), Method.INVITE)).build());
    }
    return this; // stray ACKs and responses, and the transactions' own ends
  }

  /** RFC 3261 sections 11.2, 12.2.2 and 8.2.1: OPTIONS 200, 481 in no dialog, 501, 405. */
  private static SipResponse outOfCall(SipRequest request) {
    if (request.toTag().isPresent()) {
      return Responses.withToTag(request, 481);
    }
    Method method = request.method();
    int status = !method.isKnown() ? 501 : Method.OPTIONS.equals(method) ? 200 : 405;
    return Responses.builder(request, status).header(HeaderName.ALLOW, ALLOW).build();
  }

  private static Optional<SipMessage> messageOf(TransactionEvent event) {
    if (event instanceof TransactionEvent.RequestReceived r) {
      return Optional.of(r.request());
    } else if (event instanceof TransactionEvent.CancelReceived c) {
      return Optional.of(c.cancel());
    } else if (event instanceof TransactionEvent.AckReceived a) {
      return Optional.of(a.ack());
    }
    return Optional.empty();
  }
}
