package io.tandem.transaction;

import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.RetryAfter;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transport.Egress;
import io.tandem.transport.Inbound;
import io.tandem.transport.Peer;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The transaction layer of RFC 3261 section 17: matches what the transport hands up to the
 * transaction it belongs to, creates server transactions for new requests and client
 * transactions for the user's requests, and forgets each transaction when its actor stops.
 *
 * <pre>
 *   transport --Received--> TransactionLayer --RequestArrived/ResponseArrived--> transaction
 *                               |  new request: spawn Server*Transaction (user = core)
 *   user --SendRequest-------->  |  spawn Client*Transaction (user = replyTo)
 *                               '--AckReceived / CancelReceived / StrayResponseReceived--> user
 * </pre>
 *
 * <p>Transactions are children of this actor and are watched: a transaction that stops, by
 * reaching Terminated or by failing, leaves the tables at once, so none outlives its work.
 */
public final class TransactionLayer extends AbstractBehavior<TransactionLayer.Command> {

  /** What the layer accepts. */
  public interface Command {}

  /** A message the transport received. */
  public record Received(Inbound inbound) implements Command {}

  /**
   * Send a request in a new client transaction whose events go to {@code replyTo}. An ACK is
   * not a transaction (the ACK for a 2xx is the dialog's, RFC 3261 section 17.1.1.3): it goes
   * straight to the transport. The request's top Via branch must be new and carry the magic
   * cookie.
   */
  public record SendRequest(SipRequest request, Peer destination, ActorRef<TransactionEvent> replyTo)
      implements Command {}

  /** Ask how many transactions are alive. */
  public record GetTransactionCount(ActorRef<TransactionCount> replyTo) implements Command {}

  /**
   * How many client and server transactions are alive, how many requests were answered
   * 503 because {@link TransactionLimits#maxServerTransactions()} were, and how many requests
   * (ACK aside) arrived again for a server transaction alive (retransmissions, section 17.2).
   */
  public record TransactionCount(int client, int server, long overloadRejected, long retransmittedRequests) {
    public TransactionCount(int client, int server, long overloadRejected) {
      this(client, server, overloadRejected, 0);
    }

    public int total() {
      return client + server;
    }
  }

  private record Ended(TransactionKey key, boolean server, ActorRef<?> transaction)
      implements Command {}

  /** Events of the server transactions the layer makes for CANCEL requests (section 9.2). */
  private record CancelEvent(TransactionEvent event) implements Command {}

  /**
   * The layer.
   *
   * @param timers the RFC 3261 timers for every transaction
   * @param egress where transactions send
   * @param user the core: gets every new request, AckReceived, CancelReceived and stray responses
   */
  public static Behavior<Command> create(
      TimerSettings timers, ActorRef<Egress.Command> egress, ActorRef<TransactionEvent> user) {
    return create(timers, TransactionLimits.DEFAULTS, egress, user);
  }

  /** The layer with explicit limits. */
  public static Behavior<Command> create(
      TimerSettings timers,
      TransactionLimits limits,
      ActorRef<Egress.Command> egress,
      ActorRef<TransactionEvent> user) {
    return Behaviors.setup(ctx -> new TransactionLayer(ctx, timers, limits, egress, user));
  }

  private final TimerSettings timers;
  private final TransactionLimits limits;
  private final ActorRef<Egress.Command> egress;
  private final ActorRef<TransactionEvent> user;
  private final ActorRef<TransactionEvent> cancelUser;
  private final Map<TransactionKey, ActorRef<ClientTransaction.Command>> clients = new HashMap<>();
  private final Map<TransactionKey, ActorRef<ServerTransaction.Command>> servers = new HashMap<>();
  private long overloadRejected;
  private long retransmittedRequests;

  private TransactionLayer(
      ActorContext<Command> ctx,
      TimerSettings timers,
      TransactionLimits limits,
      ActorRef<Egress.Command> egress,
      ActorRef<TransactionEvent> user) {
    super(ctx);
    this.timers = timers;
    this.limits = limits;
    this.egress = egress;
    this.user = user;
    this.cancelUser = ctx.messageAdapter(TransactionEvent.class, CancelEvent::new);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Received.class, this::onReceived)
        .onMessage(SendRequest.class, this::onSendRequest)
        .onMessage(CancelEvent.class, this::onCancelEvent)
        .onMessage(Ended.class, this::onEnded)
        .onMessage(GetTransactionCount.class, this::onGetCount)
        .build();
  }

  private Behavior<Command> onReceived(Received received) {
    SipMessage message = received.inbound().message();
    Peer source = received.inbound().source();
    if (message instanceof SipResponse response) {
      onResponse(response, source);
    } else {
      onRequest((SipRequest) message, source);
    }
    return this;
  }

  /** Section 17.1.3: branch and CSeq method pick the client transaction. */
  private void onResponse(SipResponse response, Peer source) {
    TransactionKey key = TransactionKey.client(response);
    ActorRef<ClientTransaction.Command> tx = clients.get(key);
    if (tx != null) {
      tx.tell(new ClientTransaction.ResponseArrived(response));
    } else {
      user.tell(new TransactionEvent.StrayResponseReceived(key, response, source));
    }
  }

  /** Section 17.2.3: a request matches a server transaction, or it starts one. */
  private void onRequest(SipRequest request, Peer source) {
    TransactionKey key = TransactionKey.server(request);
    ActorRef<ServerTransaction.Command> tx = servers.get(key);
    Method method = request.method();
    if (Method.ACK.equals(method)) {
      // The ACK for a non-2xx belongs to the INVITE transaction; in its Accepted state the
      // transaction passes a 2xx ACK up itself (RFC 6026). Any other ACK is the dialog's.
      if (tx != null) {
        tx.tell(new ServerTransaction.RequestArrived(request));
      } else {
        user.tell(new TransactionEvent.AckReceived(key, request, source));
      }
      return;
    }
    if (tx != null) {
      retransmittedRequests++;
      tx.tell(new ServerTransaction.RequestArrived(request)); // a retransmission
      return;
    }
    if (servers.size() >= limits.maxServerTransactions()) {
      rejectOverloaded(request, source);
      return;
    }
    boolean invite = Method.INVITE.equals(method);
    boolean cancel = Method.CANCEL.equals(method);
    Behavior<ServerTransaction.Command> behavior =
        invite
            ? ServerInviteTransaction.create(request, source, timers, egress, user)
            : ServerNonInviteTransaction.create(
                request, source, timers, egress, cancel ? cancelUser : user);
    ActorRef<ServerTransaction.Command> ref = getContext().spawnAnonymous(behavior);
    getContext().watchWith(ref, new Ended(key, true, ref));
    servers.put(key, ref);
  }

  /**
   * Section 9.2: a CANCEL that matches a pending INVITE server transaction is answered 200 and
   * the core is told, so that it can answer the INVITE 487; one that matches none gets 481.
   */
  private Behavior<Command> onCancelEvent(CancelEvent wrapped) {
    if (wrapped.event() instanceof TransactionEvent.RequestReceived received) {
      SipRequest cancel = received.request();
      TransactionKey inviteKey = TransactionKey.cancelled(cancel);
      ActorRef<ServerTransaction.Command> invite = servers.get(inviteKey);
      int status = invite == null ? 481 : 200;
      received.transaction().tell(new ServerTransaction.Respond(Responses.withToTag(cancel, status)));
      if (invite != null) {
        user.tell(new TransactionEvent.CancelReceived(inviteKey, cancel, invite));
      }
    }
    return this;
  }

  private Behavior<Command> onSendRequest(SendRequest send) {
    SipRequest request = send.request();
    if (Method.ACK.equals(request.method())) {
      egress.tell(new Egress.SendRequest(request, send.destination(), getContext().getSystem().ignoreRef()));
      return this;
    }
    TransactionKey key = TransactionKey.client(request);
    if (!request.topVia().hasRfc3261Branch() || clients.containsKey(key)) {
      // Section 8.1.1.7: every request Tandem sends has a fresh branch with the magic cookie.
      send.replyTo().tell(new TransactionEvent.TransportFailed(key, "branch missing, without z9hG4bK or in use"));
      send.replyTo().tell(new TransactionEvent.Terminated(key));
      return this;
    }
    Behavior<ClientTransaction.Command> behavior =
        Method.INVITE.equals(request.method())
            ? ClientInviteTransaction.create(request, send.destination(), timers, egress, send.replyTo())
            : ClientNonInviteTransaction.create(request, send.destination(), timers, egress, send.replyTo());
    ActorRef<ClientTransaction.Command> ref = getContext().spawnAnonymous(behavior);
    getContext().watchWith(ref, new Ended(key, false, ref));
    clients.put(key, ref);
    return this;
  }

  private Behavior<Command> onEnded(Ended ended) {
    Map<TransactionKey, ?> table = ended.server() ? servers : clients;
    if (table.get(ended.key()) == ended.transaction()) {
      table.remove(ended.key());
    }
    return this;
  }

  private Behavior<Command> onGetCount(GetTransactionCount get) {
    get.replyTo().tell(new TransactionCount(clients.size(), servers.size(), overloadRejected, retransmittedRequests));
    return this;
  }

  /**
   * Full: answer 503 with Retry-After statelessly (RFC 3261 sections 21.5.4 and 20.33), so the
   * client tries again later or elsewhere, and no memory is spent on the request.
   */
  private void rejectOverloaded(SipRequest request, Peer source) {
    overloadRejected++;
    if (overloadRejected == 1 || overloadRejected % 10_000 == 0) {
      getContext().getLog().warn(
          "{} server transactions alive (tandem.sip.transactions.max-server-transactions):"
              + " answering new requests 503, {} so far",
          servers.size(),
          overloadRejected);
    }
    SipResponse unavailable =
        Responses.builder(request, 503)
            .header(HeaderName.RETRY_AFTER, RetryAfter.of(limits.retryAfter().toSeconds()))
            .build();
    egress.tell(new Egress.SendResponse(unavailable, source, getContext().getSystem().ignoreRef()));
  }
}
