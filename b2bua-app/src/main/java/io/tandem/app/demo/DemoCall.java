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
import io.tandem.transaction.ServerTransaction;
import io.tandem.transaction.TimerSettings;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.ClientTransactions;
import io.tandem.transport.IpLiteral;
import io.tandem.transport.Peer;
import io.tandem.transport.TransportProtocol;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One call the demo carrier answers, as the UAS of RFC 3261 sections 13.3 and 15: 180 Ringing at
 * once, 200 OK with an SDP answer after the ring time, the 2xx retransmitted until the ACK, BYE
 * answered 200, CANCEL answered 487. The actor stops when the call is over.
 *
 * <pre>
 *   ringing --ring time: 200 + SDP--> answered --ACK--> talking --BYE: 200--> (stopped)
 *     | CANCEL: 487                    | 2xx again at T1, 2T1 ... T2        | max talk time: BYE
 *     v                                | 64*T1 without ACK: BYE             v
 *   (stopped)                          '---------------------------->  hanging up --BYE done--> (stopped)
 * </pre>
 */
final class DemoCall {
  /** What a call accepts. */
  interface Command {}

  /** A transaction event of this call, from the carrier or from the call's own BYE. */
  record Event(TransactionEvent event) implements Command {}

  /** The ring time is over: answer. */
  private enum Answer implements Command { INSTANCE }

  /** RFC 3261 section 13.3.1.4: send the 2xx again; {@code interval} is the one that elapsed. */
  private record Retransmit2xx(Duration interval) implements Command {}

  /** Section 13.3.1.4: 64*T1 without the ACK. */
  private enum AckTimeout implements Command { INSTANCE }

  /** The longest the carrier talks is over. */
  private enum MaxTalkTime implements Command { INSTANCE }

  private static final String RING = "ring";
  private static final String RETRANSMIT = "2xx";
  private static final String ACK_WAIT = "ack";
  private static final String TALK = "talk";

  /** Where SDP says media would go; nothing listens there, the carrier sends no media. */
  static final int MEDIA_PORT = 49170;

  /** What every call of one carrier shares. */
  record Context(DemoCarrierSettings settings, TimerSettings timers,
      ClientTransactions layer, InetSocketAddress local) {}

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final Context context;
  private final SipRequest invite;
  private final Peer source;
  private final ServerTransaction transaction;
  private final String tag = Identifiers.newTag();
  private final NameAddr contact;

  private DemoCall(ActorContext<Command> ctx, TimerScheduler<Command> timers,
      TransactionEvent.RequestReceived received, Context context) {
    this.ctx = ctx;
    this.timers = timers;
    this.context = context;
    this.invite = received.request();
    this.source = received.source();
    this.transaction = received.transaction();
    this.contact = NameAddr.of(SipUri.of("demo", IpLiteral.uriHost(context.local().getAddress()), context.local().getPort()));
  }

  /** The call that {@code received} (a new INVITE) starts. */
  static Behavior<Command> create(TransactionEvent.RequestReceived received, Context context) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(t -> new DemoCall(ctx, t, received, context).ring()));
  }

  private Behavior<Command> ring() {
    transaction.respond(response(180).build());
    timers.startSingleTimer(RING, Answer.INSTANCE, context.settings().ringTime());
    return Behaviors.receive(Command.class)
        .onMessageEquals(Answer.INSTANCE, this::answer)
        .onMessage(Event.class, e -> onEventRinging(e.event()))
        .build();
  }

  private Behavior<Command> onEventRinging(TransactionEvent event) {
    if (event instanceof TransactionEvent.CancelReceived) {
      // Section 9.2: the CANCEL has its 200 from the transaction layer; the INVITE gets 487.
      transaction.respond(response(487).build());
      return Behaviors.stopped();
    }
    if (event instanceof TransactionEvent.RequestReceived r && Method.BYE.equals(r.request().method())) {
      // Section 15: a BYE in the early dialog ends it; the INVITE still needs a final.
      answer(r, 200);
      transaction.respond(response(487).build());
      return Behaviors.stopped();
    }
    return inDialog(event);
  }

  /** Section 13.3.1.4: the 2xx goes out at T1, 2T1 ... capped at T2, until the ACK or 64*T1. */
  private Behavior<Command> answer() {
    SipResponse ok = response(200).body(MediaType.SDP, sdp()).build();
    transaction.respond(ok);
    Duration t1 = context.timers().t1();
    timers.startSingleTimer(RETRANSMIT, new Retransmit2xx(t1), t1);
    timers.startSingleTimer(ACK_WAIT, AckTimeout.INSTANCE, context.timers().sixtyFourT1());
    return Behaviors.receive(Command.class)
        .onMessage(Retransmit2xx.class, r -> {
          Duration next = context.timers().nextInterval(r.interval());
          timers.startSingleTimer(RETRANSMIT, new Retransmit2xx(next), next);
          transaction.respond(ok);
          return Behaviors.same();
        })
        .onMessageEquals(AckTimeout.INSTANCE, () -> {
          // Section 13.3.1.4: no ACK; the dialog is confirmed but the session is ended with BYE.
          ctx.getLog().info("demo call {}: no ACK for the 200 within 64*T1, hanging up", invite.callId());
          return hangUp();
        })
        .onMessage(Event.class, e -> onEventAnswered(e.event()))
        .build();
  }

  private Behavior<Command> onEventAnswered(TransactionEvent event) {
    if (event instanceof TransactionEvent.AckReceived) {
      timers.cancel(RETRANSMIT);
      timers.cancel(ACK_WAIT);
      return talk();
    }
    return inDialog(event);
  }

  private Behavior<Command> talk() {
    Duration max = context.settings().maxTalkTime();
    if (!max.isZero()) {
      timers.startSingleTimer(TALK, MaxTalkTime.INSTANCE, max);
    }
    return Behaviors.receive(Command.class)
        .onMessageEquals(MaxTalkTime.INSTANCE, this::hangUp)
        .onMessage(Event.class, e -> inDialog(e.event()))
        .build();
  }

  /**
   * What any state does with a request in the dialog: BYE is answered 200 and ends the call
   * (section 15.1.2); a re-INVITE 488, since the demo offers one fixed session; anything else
   * (INFO, OPTIONS, UPDATE without a body) 200. ACK retransmissions are absorbed.
   */
  private Behavior<Command> inDialog(TransactionEvent event) {
    if (event instanceof TransactionEvent.RequestReceived r) {
      Method method = r.request().method();
      if (Method.BYE.equals(method)) {
        answer(r, 200);
        return Behaviors.stopped();
      }
      answer(r, Method.INVITE.equals(method) || r.request().bodyLength() > 0 ? 488 : 200);
    }
    return Behaviors.same();
  }

  /** The carrier ends the call (section 15.1.1) and stops once its BYE transaction has ended. */
  private Behavior<Command> hangUp() {
    timers.cancelAll();
    ActorRef<TransactionEvent> events = ctx.messageAdapter(TransactionEvent.class, Event::new);
    context.layer().send(ctx, bye(), byeDestination(), events);
    return Behaviors.receive(Command.class)
        .onMessage(Event.class, e -> {
          TransactionEvent event = e.event();
          if (event instanceof TransactionEvent.Terminated) {
            return Behaviors.stopped();
          }
          if (event instanceof TransactionEvent.RequestReceived r) {
            answer(r, 200); // a BYE that crossed ours, or anything else late in the dialog
          }
          return Behaviors.same();
        })
        .build();
  }

  /** Section 12.2.1.1: the carrier's BYE, within the dialog the INVITE made (UAS side). */
  private SipRequest bye() {
    TransportProtocol udp = TransportProtocol.UDP;
    InetSocketAddress local = context.local();
    SipRequest.Builder b = SipRequest.builder(Method.BYE, remoteTarget())
        .header(HeaderName.VIA, Via.of(udp.viaName(), IpLiteral.uriHost(local.getAddress()), local.getPort(),
            Via.MAGIC_COOKIE + Identifiers.newTag()).withParam("rport", null))
        .header(HeaderName.MAX_FORWARDS, "70");
    for (NameAddr route : invite.recordRoutes()) {
      b.header(HeaderName.ROUTE, route);
    }
    return b.header(HeaderName.FROM, invite.to().withTag(tag))
        .header(HeaderName.TO, invite.from())
        .header(HeaderName.CALL_ID, invite.callId())
        .header(HeaderName.CSEQ, new CSeq(1, Method.BYE))
        .build();
  }

  private Uri remoteTarget() {
    return invite.contacts().isEmpty() ? invite.from().uri() : invite.contacts().get(0).uri();
  }

  /** The first Record-Route, else the remote target, when it is an IP literal; else the source. */
  private Peer byeDestination() {
    List<NameAddr> routes = invite.recordRoutes();
    Uri next = routes.isEmpty() ? remoteTarget() : routes.get(0).uri();
    if (next instanceof SipUri uri) {
      Optional<InetAddress> ip = IpLiteral.parse(uri.host());
      if (ip.isPresent()) {
        return Peer.destination(TransportProtocol.UDP, new InetSocketAddress(ip.get(), uri.portOrDefault()));
      }
    }
    return Peer.destination(source.protocol(), source.remote());
  }

  /** A response to the INVITE with the carrier's To tag and Contact (section 12.1.1). */
  private SipResponse.Builder response(int status) {
    SipResponse.Builder b = SipResponse.builderFor(invite, status).set(HeaderName.TO, invite.to().withTag(tag));
    return status < 300 ? b.header(HeaderName.CONTACT, contact) : b;
  }

  private static void answer(TransactionEvent.RequestReceived r, int status) {
    r.transaction().respond(Responses.withToTag(r.request(), status));
  }

  /** RFC 3264 answer: audio, PCMU and PCMA, at a port where nothing is sent or received. */
  private byte[] sdp() {
    InetAddress ip = context.local().getAddress();
    String family = ip instanceof Inet6Address ? "IP6" : "IP4";
    String address = ip.getHostAddress();
    String text = "v=0\r\n"
        + "o=tandem-demo " + (invite.callId().hashCode() & 0x7fffffff) + " 1 IN " + family + " " + address + "\r\n"
        + "s=Tandem demo carrier\r\n"
        + "c=IN " + family + " " + address + "\r\n"
        + "t=0 0\r\n"
        + "m=audio " + MEDIA_PORT + " RTP/AVP 0 8\r\n"
        + "a=rtpmap:0 PCMU/8000\r\n"
        + "a=rtpmap:8 PCMA/8000\r\n"
        + "a=sendrecv\r\n";
    return text.getBytes(StandardCharsets.US_ASCII);
  }

}
