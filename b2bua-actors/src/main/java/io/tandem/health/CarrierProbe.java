package io.tandem.health;

import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Identifiers;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.NameAddr;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipUri;
import io.tandem.sip.message.Via;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionKey;
import io.tandem.transaction.ClientTransactions;
import io.tandem.transport.SentBy;
import io.tandem.transport.TransportProtocol;
import io.tandem.transport.IpLiteral;
import java.net.InetSocketAddress;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Asks one carrier "are you there?" with OPTIONS (RFC 3261 section 11), one at a time: the next
 * goes {@code interval} after the last one ended. Any final response but 503 is an answer (a
 * carrier that answers 404 or 405 to OPTIONS still takes calls); a 503, a timeout or a transport
 * error is a failure. {@code downAfter} failures in a row mark the carrier down in
 * {@link CarrierHealth}; {@code upAfter} answers in a row mark it up again. Each change is logged.
 *
 * <pre>
 *   send OPTIONS --final (not 503)--> answer  --\
 *        |  503, timeout, transport error --> failure --> wait interval --> send OPTIONS
 * </pre>
 */
public final class CarrierProbe extends AbstractBehavior<CarrierProbe.Command> {
  /** What a probe accepts. */
  public interface Command {}

  private record Event(TransactionEvent event) implements Command {}

  private record Send() implements Command {}

  private record Timeout(TransactionKey key) implements Command {}

  private static final String TIMER = "probe";

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final ProbeSettings settings;
  private final ClientTransactions layer;
  private final SentBy local;
  private final CarrierHealth health;
  private final ActorRef<TransactionEvent> events;
  private final String callId = "tdm-ping-" + Identifiers.newTag();
  private long cseq;
  private TransactionKey pending;
  private int answers;
  private int failures;

  /**
   * The probe, which sends its first OPTIONS at once.
   *
   * @param layer the transaction layer its OPTIONS go through
   * @param local Tandem's own address per transport, for Via and From
   */
  public static Behavior<Command> create(ProbeSettings settings, ClientTransactions layer,
      SentBy local, CarrierHealth health) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      CarrierProbe probe = new CarrierProbe(ctx, timers, settings, layer, local, health);
      probe.send();
      return probe;
    }));
  }

  private CarrierProbe(ActorContext<Command> ctx, TimerScheduler<Command> timers, ProbeSettings settings,
      ClientTransactions layer, SentBy local,
      CarrierHealth health) {
    super(ctx);
    this.ctx = ctx;
    this.timers = timers;
    this.settings = settings;
    this.layer = layer;
    this.local = local;
    this.health = health;
    this.events = ctx.messageAdapter(TransactionEvent.class, Event::new);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Send.class, s -> {
          send();
          return this;
        })
        .onMessage(Timeout.class, t -> {
          if (t.key().equals(pending)) {
            failed("no answer within " + settings.timeout());
          }
          return this;
        })
        .onMessage(Event.class, e -> onEvent(e.event()))
        .build();
  }

  private Behavior<Command> onEvent(TransactionEvent event) {
    if (event instanceof TransactionEvent.ResponseReceived r && r.key().equals(pending)) {
      int status = r.response().statusCode();
      if (status >= 200) {
        if (status == 503) {
          failed("503 Service Unavailable");
        } else {
          answered();
        }
      }
    } else if (event instanceof TransactionEvent.TimedOut t && t.key().equals(pending)) {
      failed("no answer (Timer " + t.timer() + ")");
    } else if (event instanceof TransactionEvent.TransportFailed f && f.key().equals(pending)) {
      failed(f.reason());
    }
    return this;
  }

  private void send() {
    TransportProtocol protocol = settings.destination().protocol();
    InetSocketAddress to = settings.destination().remote();
    InetSocketAddress at = local.toward(protocol, to.getAddress());
    SipUri target = SipUri.of(null, IpLiteral.uriHost(to.getAddress()), to.getPort());
    if (protocol != TransportProtocol.UDP) {
      target = target.withParam("transport", protocol.name().toLowerCase());
    }
    SipRequest options = SipRequest.builder(Method.OPTIONS, target)
        .header(HeaderName.VIA, Via.of(protocol.viaName(), IpLiteral.uriHost(at.getAddress()), at.getPort(),
            Via.MAGIC_COOKIE + "-ping-" + Identifiers.newTag()).withParam("rport", null))
        .header(HeaderName.MAX_FORWARDS, "70")
        .header(HeaderName.FROM, NameAddr.of(SipUri.of("tandem", IpLiteral.uriHost(at.getAddress()), -1)).withTag(Identifiers.newTag()))
        .header(HeaderName.TO, NameAddr.of(target.withoutParam("transport")))
        .header(HeaderName.CALL_ID, callId)
        .header(HeaderName.CSEQ, new CSeq(++cseq, Method.OPTIONS))
        .build();
    pending = TransactionKey.client(options);
    timers.startSingleTimer(TIMER, new Timeout(pending), settings.timeout());
    layer.send(ctx, options, settings.destination(), events);
  }

  private void answered() {
    pending = null;
    failures = 0;
    answers++;
    if (!health.isUp(settings.carrier()) && answers >= settings.upAfter()) {
      ctx.getLog().info("carrier {}: answers OPTIONS again, back in the hunt", settings.carrier());
      health.set(settings.carrier(), true);
    } else if (answers == 1 && !health.snapshot().containsKey(settings.carrier())) {
      health.set(settings.carrier(), true);
    }
    timers.startSingleTimer(TIMER, new Send(), settings.interval());
  }

  private void failed(String why) {
    pending = null;
    answers = 0;
    failures++;
    if (health.isUp(settings.carrier()) && failures >= settings.downAfter()) {
      ctx.getLog().warn("carrier {}: {} to OPTIONS, {} in a row: out of the hunt", settings.carrier(), why, failures);
      health.set(settings.carrier(), false);
    } else {
      ctx.getLog().debug("carrier {}: {} to OPTIONS ({} in a row)", settings.carrier(), why, failures);
    }
    timers.startSingleTimer(TIMER, new Send(), settings.interval());
  }

}
