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
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.dispatch.ExecutionContexts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContextExecutor;

/**
 * The transaction layer of RFC 3261 section 17: it matches what the transport hands up to the
 * transaction it belongs to (sections 17.1.3 and 17.2.3) through an index it keeps, hands new
 * requests to the core, and starts client transactions for the core's requests. It parents no
 * actor: it is called from the ingress streams and from the actors that use it, at once.
 *
 * <pre>
 *   transport --receive--> index --live client transaction--> its actor (a child of its user)
 *                            |  --lingering client record--> answered here (ACK again, absorb,
 *                            |                               2xx up to the user)
 *                            |  --server transaction------> answered here (last response again)
 *                            '--new request: a server transaction, RequestReceived to the core
 *   user --send(owner, ...)--> a client transaction actor, spawned as the owner's child
 *   user --ServerTransaction.respond--> sent, and remembered for the retransmissions
 * </pre>
 *
 * <p>A client transaction is an actor while it has work: retransmitting its request and
 * waiting for a final. Once it only waits out Timer D, K or M it is a compact record in the
 * index, expired by the scheduler's timer wheel. A server transaction is never an actor: it
 * acts only when its user responds or a retransmission arrives (RFC 3261 sections 17.2.1 and
 * 17.2.2), and its few timers (100 Trying after 200 ms, G, H, I, J, L) run on the same wheel.
 */
public final class TransactionLayer implements ClientTransactions {
  private static final Logger LOG = LoggerFactory.getLogger(TransactionLayer.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  /** Timer work is a map update or a tell: it runs on the scheduler's own thread. */
  private static final ExecutionContextExecutor ON_TIMER_THREAD = ExecutionContexts.fromExecutor(Runnable::run);

  /**
   * How many client and server transactions are alive, how many requests were answered 503
   * because {@link TransactionLimits#maxServerTransactions()} were, and how many requests (ACK
   * aside) arrived again for a server transaction alive (retransmissions, section 17.2).
   * {@code client} counts live actors and lingering records; {@code clientRecords} the latter.
   */
  public record TransactionCount(int client, int server, long overloadRejected, long retransmittedRequests,
      int clientRecords) {
    public int total() {
      return client + server;
    }
  }

  private final TimerSettings timers;
  private final TransactionLimits limits;
  private final ActorRef<Egress.Command> egress;
  private final ActorRef<TransactionEvent> core;
  /** Whether a CANCEL that matches no INVITE goes to the core ({@link #sendUnmatchedCancelsToCore}). */
  private volatile boolean unmatchedCancelsToCore;
  private final Scheduler scheduler;
  private final ActorRef<Egress.SendFailed> responseFailures;
  private final ActorRef<Egress.SendFailed> ignore;
  private final ConcurrentHashMap<TransactionKey, ClientEntry> clients = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<TransactionKey, ServerTransaction> servers = new ConcurrentHashMap<>();
  private final AtomicInteger clientRecords = new AtomicInteger();
  private final LongAdder overloadRejected = new LongAdder();
  private final LongAdder retransmittedRequests = new LongAdder();

  /**
   * The layer of {@code system}.
   *
   * @param timers the RFC 3261 timers for every transaction
   * @param egress where transactions send
   * @param core gets every new request, every ACK and response that matches no transaction,
   *     and what a server transaction reports (CancelReceived, TimedOut 'H', TransportFailed)
   */
  public TransactionLayer(ActorSystem<?> system, TimerSettings timers, TransactionLimits limits,
      ActorRef<Egress.Command> egress, ActorRef<TransactionEvent> core) {
    this.timers = timers;
    this.limits = limits;
    this.egress = egress;
    this.core = core;
    this.scheduler = system.scheduler();
    this.ignore = system.ignoreRef();
    this.responseFailures = system.systemActorOf(failures(),
        "tandem-transaction-failures-" + INSTANCES.incrementAndGet(), Props.empty());
  }

  /** The layer with the default limits. */
  public TransactionLayer(ActorSystem<?> system, TimerSettings timers, ActorRef<Egress.Command> egress,
      ActorRef<TransactionEvent> core) {
    this(system, timers, TransactionLimits.DEFAULTS, egress, core);
  }

  // ---- from the transport ---------------------------------------------------------------

  /** A message the transport received: called from the ingress streams, several at once. */
  public void receive(Inbound inbound) {
    SipMessage message = inbound.message();
    if (message instanceof SipResponse response) {
      onResponse(response, inbound.source());
    } else {
      onRequest((SipRequest) message, inbound.source());
    }
  }

  /**
   * {@link #receive} only if the message matches a transaction of this layer (sections 17.1.3
   * and 17.2.3): a response its client transaction, a request (an ACK included) its server
   * transaction; false, and nothing done, if it matches none. A cluster node hands what
   * matches nothing here to the node that owns its call.
   */
  public boolean receiveIfMatched(Inbound inbound) {
    SipMessage message = inbound.message();
    if (message instanceof SipResponse response) {
      TransactionKey key = TransactionKey.client(response);
      ClientEntry entry = clients.get(key);
      if (entry != null) {
        entry.onResponse(key, response, this);
      }
      return entry != null;
    }
    SipRequest request = (SipRequest) message;
    ServerTransaction tx = servers.get(TransactionKey.server(request));
    if (tx != null) {
      matched(tx, request);
    }
    return tx != null;
  }

  /** Section 17.1.3: branch and CSeq method pick the client transaction. */
  private void onResponse(SipResponse response, Peer source) {
    TransactionKey key = TransactionKey.client(response);
    ClientEntry entry = clients.get(key);
    if (entry == null) {
      core.tell(new TransactionEvent.StrayResponseReceived(key, response, source));
    } else {
      entry.onResponse(key, response, this);
    }
  }

  /** A request again (or the ACK) for a server transaction alive: it answers, section 17.2. */
  private void matched(ServerTransaction tx, SipRequest request) {
    if (!Method.ACK.equals(request.method())) {
      retransmittedRequests.increment();
    }
    tx.onRequest(request);
  }

  /** Section 17.2.3: a request matches a server transaction, or it starts one. */
  private void onRequest(SipRequest request, Peer source) {
    TransactionKey key = TransactionKey.server(request);
    ServerTransaction tx = servers.get(key);
    Method method = request.method();
    if (tx != null) {
      matched(tx, request);
      return;
    }
    if (Method.ACK.equals(method)) {
      // The ACK of a 2xx is a transaction of its own (section 17.1.1.3): the dialog's.
      core.tell(new TransactionEvent.AckReceived(key, request, source));
      return;
    }
    if (servers.size() >= limits.maxServerTransactions()) {
      rejectOverloaded(request, source);
      return;
    }
    ServerTransaction created = Method.INVITE.equals(method)
        ? new ServerInviteTransaction(key, request, source, this)
        : new ServerNonInviteTransaction(key, source, this);
    ServerTransaction raced = servers.putIfAbsent(key, created);
    if (raced != null) {
      raced.onRequest(request); // the same request from two ingress streams at once
      return;
    }
    created.start();
    if (Method.CANCEL.equals(method)) {
      onCancel(request, key, source, created);
    } else {
      core.tell(new TransactionEvent.RequestReceived(key, request, source, created));
    }
  }

  /**
   * From now on a CANCEL that matches no INVITE server transaction goes up to the core as a
   * {@link TransactionEvent.RequestReceived} (with its own server transaction) instead of
   * getting 481 here: a cluster node holds it while the ringing call it cancels is brought back
   * (the call's INVITE transaction died with its node), then {@link #matchCancel}es it again.
   */
  public void sendUnmatchedCancelsToCore() {
    unmatchedCancelsToCore = true;
  }

  private void onCancel(SipRequest cancel, TransactionKey cancelKey, Peer source, ServerTransaction cancelTx) {
    if (unmatchedCancelsToCore && !servers.containsKey(TransactionKey.cancelled(cancel))) {
      core.tell(new TransactionEvent.RequestReceived(cancelKey, cancel, source, cancelTx));
      return;
    }
    matchCancel(cancel, cancelTx);
  }

  /**
   * Section 9.2: a CANCEL that matches a pending INVITE server transaction is answered 200 and
   * the INVITE's user is told, so that it can answer the INVITE 487; one that matches none gets
   * 481.
   */
  @Override
  public void matchCancel(SipRequest cancel, ServerTransaction cancelTx) {
    TransactionKey inviteKey = TransactionKey.cancelled(cancel);
    ServerTransaction invite = servers.get(inviteKey);
    cancelTx.respond(Responses.withToTag(cancel, invite == null ? 481 : 200));
    if (invite != null) {
      invite.user().tell(new TransactionEvent.CancelReceived(inviteKey, cancel, invite));
    }
  }

  /**
   * Full: answer 503 with Retry-After statelessly (RFC 3261 sections 21.5.4 and 20.33), so the
   * client tries again later or elsewhere, and no memory is spent on the request.
   */
  private void rejectOverloaded(SipRequest request, Peer source) {
    overloadRejected.increment();
    long rejected = overloadRejected.sum();
    if (rejected == 1 || rejected % 10_000 == 0) {
      LOG.warn("{} server transactions alive (tandem.sip.transactions.max-server-transactions):"
          + " answering new requests 503, {} so far", servers.size(), rejected);
    }
    SipResponse unavailable = Responses.builder(request, 503)
        .header(HeaderName.RETRY_AFTER, RetryAfter.of(limits.retryAfter().toSeconds()))
        .build();
    egress.tell(new Egress.SendResponse(unavailable, source, ignore));
  }

  // ---- from the users -------------------------------------------------------------------

  /**
   * Sends {@code request} in a new client transaction whose events go to {@code user}; the
   * transaction is an actor, a child of {@code owner}, while it has work. An ACK is not a
   * transaction (the ACK for a 2xx is the dialog's, section 17.1.1.3): it goes straight to the
   * transport. The request's top Via branch must be new and carry the magic cookie.
   */
  @Override
  public void send(ActorContext<?> owner, SipRequest request, Peer destination, ActorRef<TransactionEvent> user) {
    if (Method.ACK.equals(request.method())) {
      egress.tell(new Egress.SendRequest(request, destination, ignore));
      return;
    }
    Behavior<ClientTransaction.Command> behavior = Method.INVITE.equals(request.method())
        ? ClientInviteTransaction.create(request, destination, this, user)
        : ClientNonInviteTransaction.create(request, destination, this, user);
    owner.spawnAnonymous(behavior);
  }

  @Override
  public void acked(TransactionKey invite, SipRequest ack, Peer destination) {
    clients.computeIfPresent(invite, (key, entry) -> entry instanceof ClientEntry.InviteAccepted accepted
        ? new ClientEntry.InviteAccepted(accepted.user(), ack, ack.toTag().orElse(""), destination)
        : entry);
  }

  /** The transaction takes its key before this returns: a response the user hands back finds it. */
  @Override
  public void adoptClientInvite(ActorContext<?> owner, SipRequest invite, Peer destination,
      ActorRef<TransactionEvent> user) {
    ActorRef<ClientTransaction.Command> tx = owner.spawnAnonymous(
        ClientInviteTransaction.adopt(invite, destination, this, user));
    TransactionKey key = TransactionKey.client(invite);
    if (!register(key, tx)) {
      owner.stop(tx);
      user.tell(new TransactionEvent.TransportFailed(key, "branch in use"));
      user.tell(new TransactionEvent.Terminated(key));
    }
  }

  @Override
  public ServerTransaction adoptInvite(SipRequest invite, Peer source) {
    TransactionKey key = TransactionKey.server(invite);
    ServerTransaction adopted = new ServerInviteTransaction(key, invite, source, this); // not started: no 100 due
    ServerTransaction raced = servers.putIfAbsent(key, adopted);
    return raced != null ? raced : adopted;
  }

  /** What is alive now. */
  public TransactionCount counts() {
    int records = clientRecords.get();
    return new TransactionCount(clients.size(), servers.size(), overloadRejected.sum(),
        retransmittedRequests.sum(), records);
  }

  // ---- for the transactions -------------------------------------------------------------

  TimerSettings timers() {
    return timers;
  }

  ActorRef<Egress.Command> egress() {
    return egress;
  }

  ActorRef<TransactionEvent> core() {
    return core;
  }

  /** Where a server transaction's failed sends are reported. */
  ActorRef<Egress.SendFailed> responseFailures() {
    return responseFailures;
  }

  ActorRef<Egress.SendFailed> ignore() {
    return ignore;
  }

  Cancellable schedule(Duration delay, Runnable task) {
    return scheduler.scheduleOnce(delay, task, ON_TIMER_THREAD);
  }

  /**
   * A new client transaction's actor takes {@code key}; false if a transaction has it already
   * (section 8.1.1.7: every request Tandem sends has a fresh branch).
   */
  boolean register(TransactionKey key, ActorRef<ClientTransaction.Command> transaction) {
    return clients.putIfAbsent(key, new ClientEntry.Live(transaction)) == null;
  }

  /**
   * The actor of {@code key} has done its work: {@code record} takes its place until {@code
   * wait} (Timer D, K or M) has passed, or at once if the wait is zero (a reliable transport).
   */
  void linger(TransactionKey key, ActorRef<ClientTransaction.Command> transaction, ClientEntry record,
      Duration wait) {
    ClientEntry live = clients.get(key);
    if (!(live instanceof ClientEntry.Live l) || !l.transaction().equals(transaction)) {
      return;
    }
    if (wait.isZero()) {
      clients.remove(key, live);
      return;
    }
    if (clients.replace(key, live, record)) {
      clientRecords.incrementAndGet();
      schedule(wait, () -> expire(key));
    }
  }

  /** The record of {@code key} has waited out its timer (it may have been replaced since: acked). */
  private void expire(TransactionKey key) {
    boolean[] removed = new boolean[1];
    clients.computeIfPresent(key, (k, entry) -> {
      if (entry instanceof ClientEntry.Live) {
        return entry;
      }
      removed[0] = true;
      return null;
    });
    if (removed[0]) {
      clientRecords.decrementAndGet();
    }
  }

  /** The actor of {@code key} stopped with nothing left to wait for. */
  void forget(TransactionKey key, ActorRef<ClientTransaction.Command> transaction) {
    ClientEntry live = clients.get(key);
    if (live instanceof ClientEntry.Live l && l.transaction().equals(transaction)) {
      clients.remove(key, live);
    }
  }

  /** A server transaction reached Terminated. */
  void forget(TransactionKey key, ServerTransaction transaction) {
    servers.remove(key, transaction);
  }

  /**
   * Section 17.2.4: the transport could not send a server transaction's response; it is ended
   * and its user told. A response to a request without the magic cookie names no key the
   * layer can find from the response alone: that transaction ends on its own timers.
   */
  private Behavior<Egress.SendFailed> failures() {
    return Behaviors.receive(Egress.SendFailed.class)
        .onMessage(Egress.SendFailed.class, failed -> {
          if (failed.message() instanceof SipResponse response) {
            ServerTransaction tx = servers.get(TransactionKey.serverOf(response));
            if (tx != null) {
              tx.onSendFailed(failed.reason());
            }
          }
          return Behaviors.same();
        })
        .build();
  }
}
