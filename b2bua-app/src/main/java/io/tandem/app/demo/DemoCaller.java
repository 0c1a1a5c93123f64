package io.tandem.app.demo;

import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Identifiers;
import io.tandem.sip.message.MediaType;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.NameAddr;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.SipUri;
import io.tandem.sip.message.Uri;
import io.tandem.sip.message.Via;
import io.tandem.transaction.Responses;
import io.tandem.transaction.TimerSettings;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionLayer;
import io.tandem.transport.Egress;
import io.tandem.transport.Inbound;
import io.tandem.transport.IpLiteral;
import io.tandem.transport.Peer;
import io.tandem.transport.TransportProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The demo command's caller: a UAC on Tandem's own stack that places one call (RFC 3261
 * sections 13.2 and 15): INVITE with an SDP offer, ACK for the 2xx (and for each
 * retransmission of it), a pause, then BYE. It completes {@code outcome} once and stops.
 *
 * <pre>
 *   inviting --2xx: ACK--> talking --talk time: BYE--> hanging up --2xx--> completed
 *      | other final, timeout: failed              BYE from the far end: 200, completed
 * </pre>
 */
public final class DemoCaller {
  /** What the caller accepts. */
  public interface Command {}

  /** A message its socket received. */
  public record Received(Inbound inbound) implements Command {}

  /** Stops the caller and its transaction layer. */
  public enum Stop implements Command {
    INSTANCE
  }

  /** How the call went: {@code reason} says what happened when it did not complete. */
  public record Outcome(boolean completed, String reason) {}

  private record Event(TransactionEvent event) implements Command {}

  private enum HangUp implements Command { INSTANCE }

  private static final String OFFER = "v=0\r\no=tandem-caller 1 1 IN IP4 127.0.0.1\r\ns=Tandem demo caller\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 49172 RTP/AVP 0 8\r\na=sendrecv\r\n";

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final TransactionLayer layer;
  private final ActorRef<TransactionEvent> events;
  private final InetSocketAddress local;
  private final Peer tandem;
  private final Duration talkTime;
  private final CompletableFuture<Outcome> outcome;
  private final SipRequest invite;

  private DemoCaller(ActorContext<Command> ctx, TimerScheduler<Command> timers, TimerSettings timerSettings,
      ActorRef<Egress.Command> egress, InetSocketAddress local, SipUri target, Duration talkTime,
      CompletableFuture<Outcome> outcome) {
    this.ctx = ctx;
    this.timers = timers;
    this.events = ctx.messageAdapter(TransactionEvent.class, Event::new);
    this.layer = new TransactionLayer(ctx.getSystem(), timerSettings, egress, events);
    this.local = local;
    this.tandem = Peer.destination(TransportProtocol.UDP,
        new InetSocketAddress(IpLiteral.parse(target.host()).orElseThrow(), target.portOrDefault()));
    this.talkTime = talkTime;
    this.outcome = outcome;
    this.invite = invite(target);
  }

  /**
   * The caller, sending through {@code egress} from {@code local}: it calls {@code target} (an
   * IP-literal SIP URI) at once and hangs up {@code talkTime} after the answer.
   */
  public static Behavior<Command> create(TimerSettings timers, ActorRef<Egress.Command> egress,
      InetSocketAddress local, SipUri target, Duration talkTime, CompletableFuture<Outcome> outcome) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(t ->
        new DemoCaller(ctx, t, timers, egress, local, target, talkTime, outcome).call()));
  }

  private Behavior<Command> call() {
    layer.send(ctx, invite, tandem, events);
    return receive()
        .onMessage(Event.class, e -> onEventInviting(e.event()))
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .build();
  }

  private Behavior<Command> onEventInviting(TransactionEvent event) {
    if (event instanceof TransactionEvent.ResponseReceived r && r.response().statusCode() >= 200) {
      SipResponse answer = r.response();
      if (answer.statusCode() >= 300) {
        return done(false, "the INVITE was answered " + answer.statusCode() + " " + answer.reasonPhrase());
      }
      return talk(answer);
    }
    if (event instanceof TransactionEvent.TimedOut || event instanceof TransactionEvent.TransportFailed) {
      return done(false, "the INVITE got no final response (" + event + ")");
    }
    return Behaviors.same(); // 1xx
  }

  /** Section 13.2.2.4: ACK the 2xx, and each retransmission of it, then talk. */
  private Behavior<Command> talk(SipResponse ok) {
    Uri remoteTarget = ok.contacts().isEmpty() ? invite.requestUri() : ok.contacts().get(0).uri();
    Peer destination = destination(remoteTarget);
    SipRequest ack = inDialog(Method.ACK, 1, remoteTarget, ok.to());
    layer.send(ctx, ack, destination, events);
    timers.startSingleTimer(HangUp.INSTANCE, talkTime);
    return receive()
        .onMessage(Event.class, e -> {
          if (e.event() instanceof TransactionEvent.ResponseReceived r && r.response().statusCode() / 100 == 2) {
            layer.send(ctx, ack, destination, events);
            return Behaviors.same();
          }
          return onRequest(e.event());
        })
        .onMessageEquals(HangUp.INSTANCE, () -> hangUp(remoteTarget, destination, ok.to()))
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .build();
  }

  /** Section 15.1.1: BYE, and the call is complete when it is answered 2xx. */
  private Behavior<Command> hangUp(Uri remoteTarget, Peer destination, NameAddr remote) {
    layer.send(ctx, inDialog(Method.BYE, 2, remoteTarget, remote), destination, events);
    return receive()
        .onMessage(Event.class, e -> {
          TransactionEvent event = e.event();
          if (event instanceof TransactionEvent.ResponseReceived r
              && Method.BYE.equals(r.response().cseq().method()) && r.response().statusCode() >= 200) {
            int status = r.response().statusCode();
            return status < 300 ? done(true, "") : done(false, "the BYE was answered " + status);
          }
          if (event instanceof TransactionEvent.TimedOut || event instanceof TransactionEvent.TransportFailed) {
            return done(false, "the BYE got no final response (" + event + ")");
          }
          return onRequest(event);
        })
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .build();
  }

  /** A request from Tandem: its BYE ends the call (200); anything else is answered 200. */
  private Behavior<Command> onRequest(TransactionEvent event) {
    if (event instanceof TransactionEvent.RequestReceived r) {
      r.transaction().respond(Responses.withToTag(r.request(), 200));
      if (Method.BYE.equals(r.request().method())) {
        return done(true, "");
      }
    }
    return Behaviors.same();
  }

  /** Every state hands what the socket received to the transaction layer. */
  private BehaviorBuilder<Command> receive() {
    return Behaviors.receive(Command.class).onMessage(Received.class, r -> {
      layer.receive(r.inbound());
      return Behaviors.same();
    });
  }

  private Behavior<Command> done(boolean completed, String reason) {
    outcome.complete(new Outcome(completed, reason));
    return Behaviors.stopped();
  }

  private SipRequest invite(SipUri target) {
    SipUri me = SipUri.of("caller", host(), local.getPort());
    return SipRequest.builder(Method.INVITE, target)
        .header(HeaderName.VIA, via())
        .header(HeaderName.MAX_FORWARDS, "70")
        .header(HeaderName.FROM, NameAddr.of("Demo caller", me).withTag(Identifiers.newTag()))
        .header(HeaderName.TO, NameAddr.of(target))
        .header(HeaderName.CALL_ID, Identifiers.newTag() + "@" + host())
        .header(HeaderName.CSEQ, new CSeq(1, Method.INVITE))
        .header(HeaderName.CONTACT, NameAddr.of(me))
        .body(MediaType.SDP, OFFER.getBytes(StandardCharsets.US_ASCII))
        .build();
  }

  /** Section 12.2.1.1: a request in the dialog the 2xx made. */
  private SipRequest inDialog(Method method, long cseq, Uri remoteTarget, NameAddr remote) {
    return SipRequest.builder(method, remoteTarget)
        .header(HeaderName.VIA, via())
        .header(HeaderName.MAX_FORWARDS, "70")
        .header(HeaderName.FROM, invite.from())
        .header(HeaderName.TO, remote)
        .header(HeaderName.CALL_ID, invite.callId())
        .header(HeaderName.CSEQ, new CSeq(cseq, method))
        .build();
  }

  private Via via() {
    return Via.of(TransportProtocol.UDP.viaName(), host(), local.getPort(), Via.MAGIC_COOKIE + Identifiers.newTag())
        .withParam("rport", null);
  }

  private String host() {
    return local.getAddress().getHostAddress();
  }

  /** The remote target when it names an IP address, else Tandem where the INVITE went. */
  private Peer destination(Uri remoteTarget) {
    if (remoteTarget instanceof SipUri uri) {
      Optional<InetAddress> ip = IpLiteral.parse(uri.host());
      if (ip.isPresent()) {
        return Peer.destination(TransportProtocol.UDP, new InetSocketAddress(ip.get(), uri.portOrDefault()));
      }
    }
    return tandem;
  }
}
