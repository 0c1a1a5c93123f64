package io.tandem.transaction;

import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transport.Egress;
import io.tandem.transport.Peer;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One server transaction as the {@link TransactionLayer} keeps it: not an actor but a small
 * state machine in the layer's index, which its user answers through {@link #respond} and
 * which answers retransmissions itself. Both machines ({@link ServerInviteTransaction}, {@link
 * ServerNonInviteTransaction}) are driven from several threads (ingress streams, the user's
 * actor, the scheduler), so every transition holds the transaction's lock.
 */
public abstract class ServerTransaction {
  final TransactionKey key;
  final Peer source;
  final TransactionLayer layer;
  /** Who hears of ACKs (RFC 6026 Accepted), CANCEL, Timer H and transport failures. */
  private volatile ActorRef<TransactionEvent> user;

  /** A transaction whose events go to {@code user} until {@link #handTo} says otherwise. */
  ServerTransaction(TransactionKey key, Peer source, TransactionLayer layer, ActorRef<TransactionEvent> user) {
    this.key = key;
    this.source = source;
    this.layer = layer;
    this.user = user;
  }

  /**
   * The user's response to the request (RFC 3261 sections 17.2.1 and 17.2.2): sent, and kept
   * as long as a retransmission of the request must get it again. A response the state does
   * not take (a second final) is dropped.
   */
  public abstract void respond(SipResponse response);

  /**
   * From now on {@code newUser}, not the core, hears of this transaction's ACK, CANCEL,
   * timeout and transport failure: the actor that owns its dialog.
   */
  public void handTo(ActorRef<TransactionEvent> newUser) {
    user = newUser;
  }

  public TransactionKey key() {
    return key;
  }

  /** Where the request came from, where responses go. */
  public Peer source() {
    return source;
  }

  ActorRef<TransactionEvent> user() {
    return user;
  }

  /** Arms the first timers, once the layer has indexed the transaction. */
  abstract void start();

  /** A request the layer matched to this transaction: a retransmission, or an ACK. */
  abstract void onRequest(SipRequest request);

  /** Section 17.2.4: a response could not be sent; the transaction ends, its user is told. */
  final void onSendFailed(String reason) {
    if (terminate()) {
      user.tell(new TransactionEvent.TransportFailed(key, reason));
    }
  }

  /** Ends the transaction (leaves the index); false if it had ended already. */
  abstract boolean terminate();

  /** Cancels {@code timer} if there is one; null, for the field that held it. */
  static Cancellable cancel(Cancellable timer) {
    if (timer != null) {
      timer.cancel();
    }
    return null;
  }

  final void send(SipResponse response) {
    layer.egress().tell(new Egress.SendResponse(response, source, layer.responseFailures()));
  }

  @Override
  public String toString() {
    return "server " + key;
  }
}
