package io.tandem.registration;

import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Identifiers;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.NameAddr;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.SipUri;
import io.tandem.sip.message.Via;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionKey;
import io.tandem.transaction.ClientTransactions;
import io.tandem.transport.SentBy;
import io.tandem.transport.TransportProtocol;
import io.tandem.transport.IpLiteral;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Tandem's registration with one carrier (RFC 3261 section 10.2): REGISTER with Tandem's
 * Contact for the configured address of record, a 401/407 answered once per challenge, a 423
 * answered with the registrar's Min-Expires, the binding refreshed when half its granted
 * lifetime is gone, and a failure retried after a wait that doubles up to a maximum.
 *
 * <pre>
 *   REGISTERING --2xx--> REGISTERED --half the granted time--> REGISTERING
 *        |  401/407 (credentials, once) or 423: REGISTER again, CSeq + 1
 *        '--other final, timeout, transport error--> FAILED --retry wait--> REGISTERING
 * </pre>
 *
 * <p>Every REGISTER of one registration keeps one Call-ID and From tag, with CSeq rising
 * (section 10.2: the registrar orders requests by them).
 */
public final class OutboundRegistration extends AbstractBehavior<OutboundRegistration.Command> {
  /** What the registration accepts. */
  public interface Command {}

  /** Asks where the registration stands. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  public enum State {
    REGISTERING,
    REGISTERED,
    FAILED
  }

  /**
   * Where a registration stands.
   *
   * @param lastStatus the last final status the registrar gave (0 before any; 408 for a
   *     timeout, 503 for a transport error)
   * @param granted the lifetime of the current binding (zero when not registered)
   * @param failures failures in a row since the last success
   */
  public record Status(State state, int lastStatus, Duration granted, int failures) {}

  private record Event(TransactionEvent event) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private static final String TIMER = "register";

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final RegistrationSettings settings;
  private final ClientTransactions layer;
  private final SentBy local;
  private final ChallengeAnswerer answerer;
  private final ActorRef<TransactionEvent> events;
  private final String callId = "tdm-reg-" + Identifiers.newTag();
  private final String fromTag = Identifiers.newTag();
  private long cseq;
  private long expires;
  private TransactionKey pending;
  private boolean challengeAnswered;
  private State state = State.REGISTERING;
  private int lastStatus;
  private Duration granted = Duration.ZERO;
  private int failures;

  /**
   * The registration, which sends its first REGISTER at once.
   *
   * @param layer the transaction layer its REGISTERs go through
   * @param local Tandem's own address per transport, for Via and Contact
   * @param answerer the credentials for the carrier's challenges
   */
  public static Behavior<Command> create(RegistrationSettings settings, ClientTransactions layer,
      SentBy local, ChallengeAnswerer answerer) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      OutboundRegistration registration = new OutboundRegistration(ctx, timers, settings, layer, local, answerer);
      registration.register(Optional.empty());
      return registration;
    }));
  }

  private OutboundRegistration(ActorContext<Command> ctx, TimerScheduler<Command> timers,
      RegistrationSettings settings, ClientTransactions layer,
      SentBy local, ChallengeAnswerer answerer) {
    super(ctx);
    this.ctx = ctx;
    this.timers = timers;
    this.settings = settings;
    this.layer = layer;
    this.local = local;
    this.answerer = answerer;
    this.events = ctx.messageAdapter(TransactionEvent.class, Event::new);
    this.expires = settings.expires().toSeconds();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Event.class, e -> onEvent(e.event()))
        .onMessageEquals(Tick.INSTANCE, () -> {
          register(Optional.empty());
          return this;
        })
        .onMessage(GetStatus.class, g -> {
          g.replyTo().tell(new Status(state, lastStatus, granted, failures));
          return this;
        })
        .build();
  }

  private Behavior<Command> onEvent(TransactionEvent event) {
    if (event instanceof TransactionEvent.ResponseReceived r && r.key().equals(pending)) {
      onResponse(r.response());
    } else if (event instanceof TransactionEvent.TimedOut t && t.key().equals(pending)) {
      failed(408, "no answer");
    } else if (event instanceof TransactionEvent.TransportFailed f && f.key().equals(pending)) {
      failed(503, f.reason());
    }
    return this;
  }

  private void onResponse(SipResponse response) {
    int status = response.statusCode();
    if (status < 200) {
      return;
    }
    pending = null;
    if (status < 300) {
      registered(response);
      return;
    }
    if ((status == 401 || status == 407) && !challengeAnswered) {
      Optional<ChallengeAnswerer.Answer> answer = answerer.answer(lastSent, response);
      if (answer.isPresent()) {
        challengeAnswered = true; // once: a second challenge means the credentials are wrong
        register(answer);
        return;
      }
    }
    if (status == 423) {
      long minimum = response.header(SipHeaders.MIN_EXPIRES).orElse(0L);
      if (minimum > expires) {
        // Section 10.2.8: ask again for at least what the registrar accepts.
        ctx.getLog().info("registration {}: the registrar wants at least {} s", settings.name(), minimum);
        expires = minimum;
        register(Optional.empty());
        return;
      }
    }
    failed(status, response.reasonPhrase());
  }

  private SipRequest lastSent;

  private void register(Optional<ChallengeAnswerer.Answer> credentials) {
    TransportProtocol protocol = settings.registrar().protocol();
    InetSocketAddress at = local.toward(protocol, settings.registrar().remote().getAddress());
    SipUri aor = SipUri.of(settings.user(), settings.domain(), -1);
    SipUri contact = SipUri.of(settings.user(), IpLiteral.uriHost(at.getAddress()), at.getPort());
    if (protocol != TransportProtocol.UDP) {
      contact = contact.withParam("transport", protocol.name().toLowerCase());
    }
    SipRequest.Builder b = SipRequest.builder(Method.REGISTER, SipUri.of(null, settings.domain(), -1))
        .header(HeaderName.VIA, Via.of(protocol.viaName(), IpLiteral.uriHost(at.getAddress()), at.getPort(),
            Via.MAGIC_COOKIE + "-reg-" + Identifiers.newTag()).withParam("rport", null))
        .header(HeaderName.MAX_FORWARDS, "70")
        .header(HeaderName.FROM, NameAddr.of(aor).withTag(fromTag))
        .header(HeaderName.TO, NameAddr.of(aor))
        .header(HeaderName.CALL_ID, callId)
        .header(HeaderName.CSEQ, new CSeq(++cseq, Method.REGISTER))
        .header(HeaderName.CONTACT, NameAddr.of(contact))
        .header(HeaderName.EXPIRES, Long.toString(expires));
    credentials.ifPresent(c -> b.header(c.header(), c.value()));
    if (credentials.isEmpty()) {
      challengeAnswered = false;
    }
    lastSent = b.build();
    state = state == State.REGISTERED ? State.REGISTERED : State.REGISTERING;
    pending = TransactionKey.client(lastSent);
    layer.send(ctx, lastSent, settings.registrar(), events);
  }

  /** The lifetime granted: our Contact's expires parameter, else Expires, else what was asked. */
  private void registered(SipResponse ok) {
    long seconds = expires;
    Optional<Long> header = ok.header(SipHeaders.EXPIRES).toOptional();
    if (header.isPresent()) {
      seconds = header.get();
    }
    SipUri ours = (SipUri) lastSent.contacts().get(0).uri();
    for (NameAddr c : ok.contacts()) {
      if (c.uri() instanceof SipUri uri && uri.host().equalsIgnoreCase(ours.host())
          && uri.portOrDefault() == ours.portOrDefault() && settings.user().equals(uri.user())) {
        Optional<String> param = c.params().get("expires");
        if (param.isPresent() && param.get().matches("[0-9]{1,9}")) {
          seconds = Long.parseLong(param.get());
        }
      }
    }
    lastStatus = ok.statusCode();
    if (seconds <= 0) {
      failed(ok.statusCode(), "the registrar kept no binding");
      return;
    }
    if (state != State.REGISTERED || failures > 0) {
      ctx.getLog().info("registration {}: registered as {}@{} for {} s", settings.name(), settings.user(),
          settings.domain(), seconds);
    }
    state = State.REGISTERED;
    failures = 0;
    granted = Duration.ofSeconds(seconds);
    timers.startSingleTimer(TIMER, Tick.INSTANCE, Duration.ofMillis(seconds * 500));
  }

  private void failed(int status, String why) {
    pending = null;
    state = State.FAILED;
    lastStatus = status;
    granted = Duration.ZERO;
    failures++;
    Duration wait = settings.retryMin().multipliedBy(1L << Math.min(failures - 1, 20));
    if (wait.compareTo(settings.retryMax()) > 0) {
      wait = settings.retryMax();
    }
    ctx.getLog().warn("registration {}: failed with {} ({}), failure {} in a row, next try in {}",
        settings.name(), status, why, failures, wait);
    timers.startSingleTimer(TIMER, Tick.INSTANCE, wait);
  }

}
