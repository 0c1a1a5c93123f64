package io.tandem.app;

import io.tandem.app.registrar.Registrar;
import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.MediaType;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transaction.Responses;
import io.tandem.transaction.TransactionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The out-of-dialog UAS of the server: it answers every request that belongs to no call and
 * that the {@link io.tandem.call.CallManager} does not relay (it relays MESSAGE, PUBLISH,
 * SUBSCRIBE and a NOTIFY without a To tag), as RFC 3261 section 8.2 says a UAS must.
 *
 * <ul>
 *   <li>OPTIONS: 200 with Allow, Accept and Supported (section 11.2); Max-Forwards 0 is fine,
 *       Tandem is the UAS.
 *   <li>A request with a To tag: 481, no dialog exists (section 12.2.2); so is a PRACK, UPDATE
 *       or INFO without one (those exist only in a dialog, RFC 3262, 3311, 6086).
 *   <li>REFER out of dialog: 403 (Tandem carries out a transfer only within a call).
 *   <li>REGISTER: handed to the {@link Registrar} when it runs (section 10.3), else 405.
 *   <li>A method Tandem does not know: 501 (section 8.2.1); one it knows but does not serve
 *       yet: 405 with Allow.
 *   <li>CANCEL of a pending INVITE that no call has (a call answers its own): the INVITE gets
 *       487 (section 9.2).
 * </ul>
 */
public final class ServerCore extends AbstractBehavior<TransactionEvent> {
  /**
   * The methods the server serves, for Allow (a peer may send each of them): this core
   * OPTIONS, the call manager the rest (calls and, within their dialogs, PRACK, UPDATE, INFO
   * and REFER; the MESSAGE, PUBLISH, SUBSCRIBE and NOTIFY it relays out of dialog); REGISTER
   * too while the registrar runs.
   */
  static final List<Method> ALLOWED = List.of(Method.INVITE, Method.ACK, Method.CANCEL, Method.OPTIONS,
      Method.BYE, Method.PRACK, Method.UPDATE, Method.INFO, Method.REFER, Method.MESSAGE, Method.PUBLISH,
      Method.SUBSCRIBE, Method.NOTIFY);
  /** Methods Tandem serves only within a dialog: outside one (no To tag) there is none to find. */
  private static final Set<Method> IN_DIALOG_ONLY = Set.of(Method.PRACK, Method.UPDATE, Method.INFO);

  /** Counts of what the core saw that needs no answer, for logs and tests. */
  public static final class Counters {
    final LongAdder strayResponses = new LongAdder();
    final LongAdder strayAcks = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder transportFailures = new LongAdder();

    public long strayResponses() {
      return strayResponses.sum();
    }

    public long strayAcks() {
      return strayAcks.sum();
    }

    public long timeouts() {
      return timeouts.sum();
    }

    public long transportFailures() {
      return transportFailures.sum();
    }
  }

  /**
   * The core.
   *
   * @param supportedOptionTags the option tags for Supported
   * @param counters where to count what needs no answer
   * @param registrar answers REGISTER; null when the registrar is off
   */
  public static Behavior<TransactionEvent> create(
      Set<String> supportedOptionTags, Counters counters, ActorRef<Registrar.Command> registrar) {
    return Behaviors.setup(ctx -> new ServerCore(ctx, supportedOptionTags, counters, registrar));
  }

  private final String supported;
  private final String allow;
  private final Counters counters;
  private final ActorRef<Registrar.Command> registrar;

  private ServerCore(ActorContext<TransactionEvent> ctx, Set<String> supportedOptionTags,
      Counters counters, ActorRef<Registrar.Command> registrar) {
    super(ctx);
    this.supported = String.join(", ", supportedOptionTags.stream().sorted().toList());
    this.counters = counters;
    this.registrar = registrar;
    List<Method> allowed = new ArrayList<>(ALLOWED);
    if (registrar != null) {
      allowed.add(Method.REGISTER);
    }
    this.allow = String.join(", ", allowed.stream().map(Method::name).toList());
  }

  @Override
  public Receive<TransactionEvent> createReceive() {
    return newReceiveBuilder()
        .onMessage(TransactionEvent.RequestReceived.class, this::onRequest)
        .onMessage(TransactionEvent.CancelReceived.class, this::onCancel)
        .onMessage(TransactionEvent.AckReceived.class, this::onAck)
        .onMessage(TransactionEvent.StrayResponseReceived.class, this::onStrayResponse)
        .onMessage(TransactionEvent.TimedOut.class, this::onTimedOut)
        .onMessage(TransactionEvent.TransportFailed.class, this::onTransportFailed)
        .onMessage(TransactionEvent.ResponseReceived.class, e -> this)
        .onMessage(TransactionEvent.Terminated.class, e -> this)
        .build();
  }

  private Behavior<TransactionEvent> onRequest(TransactionEvent.RequestReceived event) {
    SipRequest request = event.request();
    if (registrar != null && Method.REGISTER.equals(request.method()) && request.toTag().isEmpty()) {
      registrar.tell(new Registrar.Register(event));
      return this;
    }
    event.transaction().respond(answer(event.request()));
    return this;
  }

  /** The final response to {@code request}. */
  SipResponse answer(SipRequest request) {
    Method method = request.method();
    if (!method.isKnown()) {
      return Responses.builder(request, 501).header(HeaderName.ALLOW, allow).build();
    }
    if (request.toTag().isPresent() || IN_DIALOG_ONLY.contains(method)) {
      return Responses.withToTag(request, 481);
    }
    if (Method.REFER.equals(method)) {
      // RFC 3515 lets a REFER start a dialog of its own; Tandem takes one only in a call's.
      return Responses.builder(request, 403).status(403, "REFER Only Within A Call").build();
    }
    if (Method.OPTIONS.equals(method)) {
      SipResponse.Builder ok =
          Responses.builder(request, 200)
              .header(HeaderName.ALLOW, allow)
              .header(HeaderName.ACCEPT, MediaType.SDP);
      return (supported.isEmpty() ? ok : ok.header(HeaderName.SUPPORTED, supported)).build();
    }
    return Responses.builder(request, 405).header(HeaderName.ALLOW, allow).build();
  }

  /**
   * The 487 answers the INVITE; the CANCEL carries the INVITE's Via, From, To, Call-ID and
   * CSeq number (section 9.1), so the response is built from it with the INVITE's CSeq method.
   */
  private Behavior<TransactionEvent> onCancel(TransactionEvent.CancelReceived event) {
    SipRequest cancel = event.cancel();
    SipResponse terminated =
        Responses.builder(cancel, 487)
            .set(HeaderName.CSEQ, new CSeq(cancel.cseq().sequence(), Method.INVITE))
            .build();
    event.invite().respond(terminated);
    return this;
  }

  private Behavior<TransactionEvent> onAck(TransactionEvent.AckReceived event) {
    counters.strayAcks.increment();
    getContext().getLog().debug("ACK for no dialog dropped: {}", event.key());
    return this;
  }

  private Behavior<TransactionEvent> onStrayResponse(TransactionEvent.StrayResponseReceived event) {
    counters.strayResponses.increment();
    getContext().getLog().debug("response for no transaction dropped: {} from {}", event.key(), event.source());
    return this;
  }

  private Behavior<TransactionEvent> onTimedOut(TransactionEvent.TimedOut event) {
    counters.timeouts.increment();
    getContext().getLog().debug("transaction {} timed out (Timer {})", event.key(), event.timer());
    return this;
  }

  private Behavior<TransactionEvent> onTransportFailed(TransactionEvent.TransportFailed event) {
    counters.transportFailures.increment();
    getContext().getLog().info("transaction {}: transport failed: {}", event.key(), event.reason());
    return this;
  }
}
